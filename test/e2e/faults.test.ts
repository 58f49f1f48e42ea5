// Reliability, faults: Milvus unreachable or killed mid-ingest, two rag on one data folder, read-only or full disk, foreign collections, secrets.

import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SCHEMA_VERSION } from '../../src/core/types.js';
import { rag, workdir, type RunOptions, type RunResult } from '../helpers/cli.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import {
  COLLECTION,
  assertExactlyOnce,
  assertNoServerLeft,
  assertOneErrorLine,
  dirBytes,
  lockHolders,
  makeCorpus,
  pids,
  storedRows,
  waitFor,
} from '../helpers/reliability-kit.js';
import { closedPort } from '../helpers/procs.js';

const MILVUS_TOKEN = 'root:Milvus-t0ken-Do-Not-Print';
const LLM_KEY = 'sk-test-llm-key-Do-Not-Print';
/** Everything any rag run of this file printed: searched for the secrets at the end. */
const captured: string[] = [];

/** rag with both secrets in its environment; output kept for the secrets check. */
async function run(args: string[], opts: RunOptions): Promise<RunResult> {
  const r = await rag(args, {
    ...opts,
    env: { MILVUS_TOKEN, LEPTONAI_TOKEN: LLM_KEY, RAG_MODEL_PATH: testModel(), ...opts.env },
  });
  captured.push(`${r.stdout}\n${r.stderr}`);
  return r;
}

/** Start rag without waiting for it: the child (to signal or watch) and its result. */
function start(args: string[], opts: RunOptions): { child: Promise<ChildProcess>; done: Promise<RunResult> } {
  let resolveChild: (c: ChildProcess) => void = () => undefined;
  const child = new Promise<ChildProcess>((r) => {
    resolveChild = r;
  });
  const done = run(args, { ...opts, onSpawn: (c) => resolveChild(c) });
  return { child, done };
}

/** A loopback port with nothing listening. */

/** Can this process mount (root with CAP_SYS_ADMIN)? Read-only and full-disk cases need it. */
function canMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mounts: string[] = [];
function mount(args: string[], dir: string): void {
  execFileSync('mount', [...args, dir], { stdio: 'pipe' });
  mounts.push(dir);
}

after(() => {
  for (const dir of mounts.reverse()) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // already unmounted
    }
  }
});

describe('Milvus unreachable', () => {
  test('a wrong http URI: one clear line, exit 1, in bounded time; the token is never shown', async () => {
    const cwd = workdir('rag-faults-');
    makeCorpus(cwd, 'docs', 1, 2);
    const port = await closedPort();
    const t0 = Date.now();
    const r = await run(
      ['ingest', 'docs', '--milvus-uri', `http://127.0.0.1:${port}`, '--milvus-token', MILVUS_TOKEN],
      { cwd, timeoutMs: 90_000 },
    );
    const seconds = (Date.now() - t0) / 1000;
    assertOneErrorLine(
      r,
      1,
      new RegExp(
        `^error: cannot reach Milvus at http://127\\.0\\.0\\.1:${port} \\(has_collection\\) \\(hint: check --milvus-uri / MILVUS_URI and that the server is running`,
      ),
    );
    assert.ok(seconds < 45, `gave up after ${seconds} s`);
    // The same with --verbose (stack traces on purpose) and for ask: only the secrets check matters.
    const v = await run(['ingest', 'docs', '--verbose', '--milvus-uri', `http://127.0.0.1:${port}`], {
      cwd,
      timeoutMs: 90_000,
    });
    assert.equal(v.code, 1);
    const a = await run(['ask', 'how?', '--no-llm', '--milvus-uri', `http://127.0.0.1:${port}`], {
      cwd,
      timeoutMs: 90_000,
    });
    assertOneErrorLine(a, 1, /^error: cannot reach Milvus at /);
  });
});

describe('Milvus Lite killed in the middle of an ingest', () => {
  test('clear error at once; a re-run stores every chunk exactly once', { timeout: 180_000 }, async () => {
    const cwd = workdir('rag-faults-');
    const dataDir = path.join(cwd, 'milvus.db');
    const expected = makeCorpus(cwd, 'docs', 40, 10);
    const { child, done } = start(['ingest', 'docs', '--batch-size', '1'], { cwd, timeoutMs: 150_000 });
    const rag1 = await child;
    // Some rows are written (about 4 kB each): the ingest is under way.
    const started = await waitFor(() => dirBytes(dataDir) > 200_000 || rag1.exitCode !== null, 90_000);
    assert.ok(started && rag1.exitCode === null, 'the ingest was under way');
    const servers = pids(dataDir);
    assert.equal(servers.length, 1, 'one Milvus Lite server for the data folder');
    process.kill(servers[0] ?? -1, 'SIGKILL');
    const t0 = Date.now();
    const r = await done;
    assert.ok(Date.now() - t0 < 30_000, 'rag gave up within 30 s');
    assertOneErrorLine(
      r,
      1,
      /^error: the embedded Milvus Lite stopped unexpectedly \(killed by SIGKILL\): .*\(hint: run the same command again; an interrupted ingest resumes/,
    );
    await assertNoServerLeft(dataDir);

    const again = await run(['ingest', 'docs', '--json'], { cwd });
    assert.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout) as { added: number; unchanged: number; total: number; chunks: number };
    assert.equal(s.chunks, expected.length);
    assert.equal(s.total, expected.length);
    assert.ok(s.unchanged > 0 && s.added > 0, `the re-run resumed (${s.unchanged} kept, ${s.added} added)`);
    assertExactlyOnce(await storedRows(dataDir), expected);
  });
});

describe('two rag processes on one Milvus Lite data folder', () => {
  test(
    'the second waits for the first (or fails at once with --lock-timeout 0); the data stays exact',
    { timeout: 180_000 },
    async () => {
      const cwd = workdir('rag-faults-');
      const dataDir = path.join(cwd, 'milvus.db');
      const expected = makeCorpus(cwd, 'docs', 40, 10);
      const first = start(['ingest', 'docs', '--batch-size', '1', '--json'], { cwd, timeoutMs: 150_000 });
      const rag1 = await first.child;
      const pid1 = rag1.pid ?? -1;
      // The first ingest is under way (rows written) and its Milvus Lite holds the flock on LOCK: then rag1 is frozen
      // (SIGSTOP) so that it provably keeps the folder, however slow the machine, until the other two have tried.
      const busy = await waitFor(
        () => (dirBytes(dataDir) > 100_000 && lockHolders(dataDir).length > 0) || rag1.exitCode !== null,
        90_000,
      );
      process.kill(pid1, 'SIGSTOP');
      try {
        assert.ok(busy && rag1.exitCode === null, 'the first ingest is under way');
        const holders = lockHolders(dataDir);
        assert.equal(holders.length, 1, 'one process holds the lock on the data folder');
        assert.ok(
          pids(dataDir).includes(holders[0] ?? -1),
          `the first ingest's Milvus Lite holds it (${holders.join(', ')} of ${pids(dataDir).join(', ')})`,
        );

        // One waits (default --lock-timeout 60) and says so; one gives up at once.
        let waitingErr = '';
        const waiting = start(['ingest', 'docs', '--json'], { cwd, timeoutMs: 150_000 });
        (await waiting.child).stderr?.on('data', (d: Buffer) => {
          waitingErr += d.toString();
        });
        assert.ok(
          await waitFor(() => /waiting for another process/.test(waitingErr), 60_000),
          `the second says it waits: ${waitingErr}`,
        );
        const impatient = await run(['ingest', 'docs', '--lock-timeout', '0'], { cwd, timeoutMs: 60_000 });
        assertOneErrorLine(
          impatient,
          1,
          new RegExp(
            `^error: another process is using the Milvus Lite data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(hint: wait for the other rag .*raise --lock-timeout`,
          ),
        );
        assert.deepEqual(lockHolders(dataDir), holders, 'the lock did not change hands meanwhile');
        process.kill(pid1, 'SIGCONT');

        const second = await waiting.done;
        const r1 = await first.done;
        assert.equal(r1.code, 0, r1.stderr);
        assert.equal(second.code, 0, second.stderr);
        assert.match(second.stderr, /^waiting for another process to release .*milvus\.db \(up to 60 s\)\n$/);
        const s1 = JSON.parse(r1.stdout) as { added: number; total: number };
        const s2 = JSON.parse(second.stdout) as { added: number; unchanged: number; total: number };
        assert.deepEqual([s1.added, s1.total], [expected.length, expected.length]);
        assert.deepEqual([s2.added, s2.unchanged, s2.total], [0, expected.length, expected.length]);
        assertExactlyOnce(await storedRows(dataDir), expected);
      } finally {
        try {
          process.kill(pid1, 'SIGCONT');
        } catch {
          // already gone
        }
      }
    },
  );
});

describe('a data folder that cannot be written', () => {
  test('a folder below a regular file, or a file in place of the folder: clear error, exit 1', async () => {
    const cwd = workdir('rag-faults-');
    makeCorpus(cwd, 'docs', 1, 2);
    writeFileSync(path.join(cwd, 'file.txt'), 'a regular file\n');
    const below = await run(['ingest', 'docs', '--milvus-uri', './file.txt/milvus.db'], { cwd });
    assertOneErrorLine(
      below,
      1,
      /^error: cannot create the folder for .*file\.txt\/milvus\.db: a part of its path is a file, not a folder \(hint: choose a writable --milvus-uri path\)$/,
    );
    const file = await run(['ingest', 'docs', '--milvus-uri', './file.txt'], { cwd });
    assertOneErrorLine(file, 1, /^error: .*file\.txt exists and is not a Milvus Lite data folder \(hint: /);
  });

  const scratch = path.join(workdir('rag-mount-'), 'probe');
  const mountable = canMount(scratch);
  const skip = mountable
    ? false
    : 'needs root with mount rights (CAP_SYS_ADMIN) for a read-only bind mount and a tiny tmpfs';

  test(
    'a read-only data folder (read-only bind mount, which stops root too): clear error, data untouched',
    { skip, timeout: 120_000 },
    async () => {
      const cwd = workdir('rag-faults-');
      const expected = makeCorpus(cwd, 'docs', 2, 3);
      const r0 = await run(['ingest', 'docs'], { cwd });
      assert.equal(r0.code, 0, r0.stderr);
      const ro = path.join(cwd, 'ro.db');
      mkdirSync(ro);
      mount(['--bind', path.join(cwd, 'milvus.db')], ro);
      execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
      makeCorpus(cwd, 'more', 1, 2);
      const r = await run(['ingest', 'more', '--milvus-uri', './ro.db'], { cwd });
      assertOneErrorLine(
        r,
        1,
        /^error: Milvus Lite cannot write to its data folder .*ro\.db: .*Read-only file system.*\(hint: make the folder writable or free some space, or choose another folder with --milvus-uri PATH\)$/,
      );
      await assertNoServerLeft(ro);
      execFileSync('umount', [ro]);
      assertExactlyOnce(await storedRows(path.join(cwd, 'milvus.db')), expected);
    },
  );

  test(
    'a full disk (1 MB tmpfs): clear error; once there is room, a re-run completes exactly',
    { skip, timeout: 180_000 },
    async () => {
      const cwd = workdir('rag-faults-');
      const expected = makeCorpus(cwd, 'docs', 20, 20); // 400 chunks, about 1.6 MB of vectors
      const disk = path.join(cwd, 'disk');
      mkdirSync(disk);
      mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs'], disk);
      const dataDir = path.join(disk, 'milvus.db');
      const r = await run(['ingest', 'docs', '--milvus-uri', './disk/milvus.db'], { cwd, timeoutMs: 150_000 });
      assertOneErrorLine(r, 1, /No space left on device.*\(hint: free some disk space/);
      await assertNoServerLeft(dataDir);
      execFileSync('mount', ['-o', 'remount,size=64m', disk]);
      const again = await run(['ingest', 'docs', '--milvus-uri', './disk/milvus.db', '--json'], {
        cwd,
        timeoutMs: 150_000,
      });
      assert.equal(again.code, 0, again.stderr);
      assertExactlyOnce(await storedRows(dataDir, undefined, cwd), expected);
    },
  );
});

describe('a collection rag did not build', () => {
  let cwd: string;
  let expected: ReturnType<typeof makeCorpus>;
  before(() => {
    cwd = workdir('rag-faults-');
    expected = makeCorpus(cwd, 'docs', 2, 3);
  });

  test(
    'another schema (another tool): the error names its fields and --recreate; nothing is changed until then',
    { timeout: 120_000 },
    async () => {
      const dataDir = path.join(cwd, 'other-tool.db');
      const m = await startTestMilvus(dataDir);
      const client = new MilvusClient({ address: m.server.address });
      try {
        await client.createCollection({
          collection_name: COLLECTION,
          fields: [
            { name: 'pk', data_type: DataType.Int64, is_primary_key: true, autoID: false },
            { name: 'embedding', data_type: DataType.FloatVector, dim: 8 },
            { name: 'title', data_type: DataType.VarChar, max_length: 200 },
          ],
          index_params: [{ field_name: 'embedding', index_type: 'AUTOINDEX', metric_type: 'COSINE' }],
        });
        await client.insert({
          collection_name: COLLECTION,
          data: [{ pk: 1, embedding: [1, 0, 0, 0, 0, 0, 0, 0], title: 'made elsewhere' }],
        });
      } finally {
        await client.closeConnection();
        await m.stop();
      }

      const r = await run(['ingest', 'docs', '--milvus-uri', './other-tool.db'], { cwd });
      assertOneErrorLine(
        r,
        1,
        /^error: collection "my_rag_collection" was not built by this version of rag \(fields: embedding,pk,title\) \(hint: use another --collection, or rebuild it with `rag ingest --recreate <path>`\)$/,
      );
      const check = await startTestMilvus(dataDir);
      const c2 = new MilvusClient({ address: check.server.address });
      let fields: string[];
      let count: { data: number | string };
      try {
        fields = (await c2.describeCollection({ collection_name: COLLECTION })).schema.fields.map((f) => f.name).sort();
        await c2.loadCollection({ collection_name: COLLECTION });
        count = await c2.count({ collection_name: COLLECTION });
      } finally {
        await c2.closeConnection();
        await check.stop();
      }
      assert.deepEqual(fields, ['embedding', 'pk', 'title']);
      assert.equal(Number(count.data), 1, 'the foreign collection is untouched');

      const fixed = await run(['ingest', 'docs', '--milvus-uri', './other-tool.db', '--recreate', '--json'], { cwd });
      assert.equal(fixed.code, 0, fixed.stderr);
      assertExactlyOnce(await storedRows(dataDir), expected);
    },
  );

  test(
    'another model and dimension: ingest and ask name both and point to --recreate',
    { timeout: 120_000 },
    async () => {
      const dataDir = path.join(cwd, 'other-model.db');
      const m = await startTestMilvus(dataDir);
      try {
        await m.store.create(COLLECTION, {
          schema: SCHEMA_VERSION,
          model: 'local:other-model',
          dim: 16,
          queryPrefix: '',
          docPrefix: '',
          bm25: true,
          split: 'sections',
        });
        await m.store.upsert(COLLECTION, [
          {
            id: '7',
            source: 'x.md',
            position: 0,
            part: 0,
            text: 'x',
            indexText: 'x',
            front: false,
            key: 'k',
            vector: Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0)),
          },
        ]);
      } finally {
        await m.stop();
      }

      const r = await run(['ingest', 'docs', '--milvus-uri', './other-model.db'], { cwd });
      assertOneErrorLine(
        r,
        1,
        /^error: collection "my_rag_collection" was built with local:other-model \(16 dims, document prefix ""\), not local:test-model \(768 dims, ""\) \(hint: .*--recreate to rebuild it\)$/,
      );
      const a = await run(['ask', 'how?', '--no-llm', '--milvus-uri', './other-model.db'], { cwd });
      assertOneErrorLine(
        a,
        1,
        /^error: collection "my_rag_collection" was built with local:other-model \(16 dims\) .*local:test-model \(768 dims\) \(hint: .*rag ingest --recreate/,
      );
      const rows = await storedRows(dataDir);
      assert.deepEqual(
        rows.map((row) => row.source),
        ['x.md'],
        'untouched',
      );

      const fixed = await run(['ingest', 'docs', '--milvus-uri', './other-model.db', '--recreate', '--json'], { cwd });
      assert.equal(fixed.code, 0, fixed.stderr);
      assertExactlyOnce(await storedRows(dataDir), expected);
    },
  );
});

describe('secrets', () => {
  test('rag config masks the Milvus token and the LLM key, in text and JSON, with --check failing', async () => {
    const cwd = workdir('rag-faults-');
    const port = await closedPort();
    const text = await run(['config'], { cwd });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /milvusToken\s+\*\*\*\*.*\(env MILVUS_TOKEN\)/);
    assert.match(text.stdout, /llmApiKey\s+\*\*\*\*.*\(env LEPTONAI_TOKEN\)/);
    const checked = await run(
      [
        'config',
        '--check',
        '--json',
        '--milvus-uri',
        `http://127.0.0.1:${port}`,
        '--llm-base-url',
        `http://127.0.0.1:${port}/v1`,
        '--llm-api-key',
        LLM_KEY,
      ],
      { cwd, timeoutMs: 90_000 },
    );
    assert.equal(checked.code, 1);
    const out = JSON.parse(checked.stdout) as { checks: { name: string; ok: boolean }[] };
    assert.deepEqual(
      out.checks.filter((c) => !c.ok).map((c) => c.name),
      ['milvus', 'llm'],
    );
  });

  test('no output of any run in this file holds the token or the key', () => {
    assert.ok(captured.length >= 10, `only ${captured.length} runs captured`);
    const all = captured.join('\n');
    for (const secret of [MILVUS_TOKEN, LLM_KEY, 'Do-Not-Print']) {
      assert.ok(
        !all.includes(secret),
        `a secret was printed:\n${captured.find((c) => c.includes(secret))?.slice(0, 2000) ?? ''}`,
      );
    }
  });
});
