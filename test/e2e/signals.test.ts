// Reliability, signals: Ctrl-C, SIGTERM and SIGKILL to `rag ingest` mid-run; Milvus Lite stops, nothing is orphaned, a re-run finishes exactly.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import {
  assertExactlyOnce,
  assertNoServerLeft,
  assertOneErrorLine,
  dirBytes,
  makeCorpus,
  pids,
  storedRows,
  waitFor,
} from '../helpers/reliability-kit.js';

interface Interrupted {
  cwd: string;
  dataDir: string;
  expected: ReturnType<typeof makeCorpus>;
  result: RunResult;
  /** Milliseconds from the signal to rag's exit. */
  stopMs: number;
}

/** Start an ingest of 400 chunks one at a time, send `signal` once rows are being written, wait for rag to end. */
async function interrupt(signal: NodeJS.Signals): Promise<Interrupted> {
  const cwd = workdir('rag-signals-');
  const dataDir = path.join(cwd, 'milvus.db');
  const env = { RAG_MODEL_PATH: testModel() };
  const expected = makeCorpus(cwd, 'docs', 40, 10);
  let child: ChildProcess | undefined;
  const done = rag(['ingest', 'docs', '--batch-size', '1'], {
    cwd,
    env,
    timeoutMs: 150_000,
    onSpawn: (c) => {
      child = c;
    },
  });
  // Some rows are on disk (about 4 kB each): the ingest is under way, Milvus Lite is up.
  const busy = await waitFor(
    () => dirBytes(dataDir) > 100_000 || (child !== undefined && child.exitCode !== null),
    90_000,
  );
  assert.ok(busy && child && child.exitCode === null, 'the ingest was under way when the signal was sent');
  assert.equal(pids(dataDir).length, 1, 'Milvus Lite runs');
  const t0 = Date.now();
  child.kill(signal);
  const result = await done;
  return { cwd, dataDir, expected, result, stopMs: Date.now() - t0 };
}

/** The re-run finishes the job: every chunk stored exactly once. */
async function rerun(x: Interrupted): Promise<void> {
  const r = await rag(['ingest', 'docs', '--json'], { cwd: x.cwd, env: { RAG_MODEL_PATH: testModel() } });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { added: number; unchanged: number; total: number; chunks: number };
  assert.equal(s.chunks, x.expected.length);
  assert.equal(s.total, x.expected.length);
  assert.ok(s.unchanged > 0, 'the chunks stored before the signal were kept');
  assert.equal(s.added + s.unchanged, x.expected.length);
  assertExactlyOnce(await storedRows(x.dataDir), x.expected);
}

describe('signals during rag ingest', () => {
  for (const [signal, code, what] of [
    ['SIGINT', 130, 'Ctrl-C (SIGINT): stops after the batch, exit 130'],
    ['SIGTERM', 143, 'SIGTERM: the same, exit 143'],
  ] as const) {
    test(`${what}, one line; Milvus Lite stopped; a re-run finishes`, { timeout: 180_000 }, async () => {
      const x = await interrupt(signal);
      assertOneErrorLine(
        x.result,
        code,
        new RegExp(
          `^error: interrupted by ${signal}: the chunks stored so far are complete \\(hint: run the same command again to finish the ingest\\)$`,
        ),
      );
      assert.ok(x.stopMs < 30_000, `stopped ${x.stopMs} ms after the signal`);
      await assertNoServerLeft(x.dataDir);
      await rerun(x);
    });
  }

  test(
    'SIGKILL (nothing runs in rag): Milvus Lite notices and shuts down by itself; a re-run finishes',
    { timeout: 180_000 },
    async () => {
      const x = await interrupt('SIGKILL');
      assert.equal(x.result.signal, 'SIGKILL');
      await assertNoServerLeft(x.dataDir, 30_000);
      await rerun(x);
    },
  );
});
