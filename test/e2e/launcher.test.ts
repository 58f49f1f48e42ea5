// The Milvus Lite launcher: the server imports without the pymilvus client and pandas (both still there for code that
// asks for them), and it never shares its port with another gRPC server.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LAUNCHER } from '../../src/services/milvus-lite.js';
import { VENV_PYTHON } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

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

  test('a port another gRPC server holds (SO_REUSEPORT, the gRPC default): the launcher fails to bind instead of sharing it', async () => {
    // The other server: plain grpc with its default options, as another Milvus Lite would bind; it ends with its stdin.
    const holder = spawn(
      VENV_PYTHON,
      [
        '-c',
        'import grpc, sys\nfrom concurrent import futures\ns = grpc.server(futures.ThreadPoolExecutor(1))\n' +
          'print(s.add_insecure_port("127.0.0.1:0"), flush=True)\ns.start()\nsys.stdin.read()',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      const [first] = (await once(holder.stdout, 'data')) as [Buffer];
      const port = Number(first.toString().trim());
      assert.ok(port > 0, first.toString());
      const lite = spawn(
        VENV_PYTHON,
        [
          '-c',
          LAUNCHER,
          'server',
          '--data-dir',
          path.join(tempDir('rag-launcher-'), 'milvus.db'),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      lite.stdout.on('data', (d: Buffer) => (out += d.toString()));
      lite.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // Bounded: it either says it listens (shared the port: the failure) or exits; 60 s at most.
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), 60_000);
        lite.stdout.on('data', () => {
          if (out.includes('listening on')) resolve('listening');
        });
        lite.once('exit', () => resolve('exited'));
        lite.once('exit', () => clearTimeout(timer));
      });
      if (lite.exitCode === null) {
        lite.kill('SIGKILL');
        await once(lite, 'exit');
      }
      assert.equal(outcome, 'exited', `the launcher must not listen on a port another server holds: ${out}${err}`);
      assert.match(err, /Failed to bind/);
    } finally {
      holder.stdin.end();
      if (holder.exitCode === null) await once(holder, 'exit');
    }
  });
});
