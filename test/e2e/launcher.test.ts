// The Milvus Lite launcher's start-up shortcuts: the server imports without the pymilvus client and pandas, and both
// are still there for code that asks for them.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { LAUNCHER } from '../../src/services/milvus-lite.js';
import { VENV_PYTHON } from '../helpers/paths.js';

/** The launcher up to its watchdog (what it sets up before starting the server), then `check`; prints check's output. */
function runPreamble(check: string): string {
  const at = LAUNCHER.indexOf('def _watch');
  assert.ok(at > 0, 'the launcher sets up its imports before the watchdog');
  return execFileSync(VENV_PYTHON, ['-c', `${LAUNCHER.slice(0, at)}\n${check}`], { encoding: 'utf8' });
}

describe('the Milvus Lite launcher', () => {
  test('Milvus Lite loads without the pymilvus client and without pandas', () => {
    const out = runPreamble(`
import sys
from milvus_lite.cmdline import main
import pyarrow.dataset, pyarrow.parquet
print(sorted(m for m in ("pandas", "pymilvus.milvus_client", "pymilvus.orm", "requests") if m in sys.modules))
`);
    assert.equal(out.trim(), '[]');
  });

  test('the whole pymilvus client, and pandas, load on first use', () => {
    const out = runPreamble(`
import sys
import pymilvus.grpc_gen
from pymilvus import MilvusClient, DataType
import pandas
print(MilvusClient.__name__, int(DataType.INT64), "pandas" in sys.modules)
`);
    assert.equal(out.trim(), 'MilvusClient 5 True');
  });
});
