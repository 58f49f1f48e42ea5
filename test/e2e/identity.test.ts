// A file is one set of chunks whatever the path spelling or working folder; pruning of ../ and absolute globs; files
// that change, vanish or become unreadable during a run (issue 12, items 3, 4, 5 and 7).

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { rag, workdir } from '../helpers/cli.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = realpathSync(workdir('rag-identity-'));
  dirs.push(d);
  return d;
}

interface Row {
  source: string;
  position: number;
  part: number;
  text: string;
}

async function rows(dataDir: string): Promise<Row[]> {
  const m = await startTestMilvus(dataDir);
  try {
    const client = new MilvusClient({ address: m.server.address });
    await client.loadCollection({ collection_name: 'my_rag_collection' });
    const res = await client.query({
      collection_name: 'my_rag_collection',
      filter: 'id >= 0',
      output_fields: ['source', 'position', 'part', 'text'],
      limit: 16_384,
    });
    await client.closeConnection();
    return (res.data as Record<string, unknown>[]).map((r) => ({
      source: String(r.source),
      position: Number(r.position),
      part: Number(r.part),
      text: String(r.text),
    }));
  } finally {
    await m.stop();
  }
}

function noDuplicates(list: Row[]): void {
  const keys = list.map((r) => `${r.source}#${r.position}.${r.part}`);
  assert.equal(new Set(keys).size, keys.length, 'each (source, position, part) is stored once');
}

const pieces = (text: string): number => text.split('# ').filter((p) => p.trim() !== '').length;
const env = (): Record<string, string> => ({ RAG_MODEL_PATH: testModel() });

interface Summary {
  added: number;
  removed: number;
  total: number;
  chunks: number;
  skipped: { source: string; reason: string }[];
}
function summary(stdout: string): Summary {
  return JSON.parse(stdout) as Summary;
}

describe('path identity', () => {
  test('an absolute path from two working folders, a symlink and the real path: one set of chunks', async () => {
    const root = tmp();
    cpSync(path.join(FIXTURES, 'docs'), path.join(root, 'docs'), { recursive: true });
    mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true });
    symlinkSync(path.join(root, 'docs'), path.join(root, 'link'));
    const db = path.join(root, 'store.db');
    const first = await rag(['ingest', path.join(root, 'docs'), '--milvus-uri', db, '--json'], {
      cwd: path.join(root, 'a'),
      env: env(),
    });
    assert.equal(first.code, 0, first.stderr);
    const n = summary(first.stdout).total;
    const runs: [string, string[]][] = [
      [path.join(root, 'a', 'b', 'c'), [path.join(root, 'docs')]],
      [root, ['docs']],
      [root, ['link']],
      [path.join(root, 'a'), ['../link/']],
      [root, ['link/*.md']],
    ];
    for (const [cwd, args] of runs) {
      const r = await rag(['ingest', ...args, '--milvus-uri', db, '--json'], { cwd, env: env() });
      assert.equal(r.code, 0, r.stderr);
      const s = summary(r.stdout);
      assert.deepEqual([s.added, s.removed, s.total], [0, 0, n], `${args.join(' ')} from ${cwd}`);
    }
    const stored = await rows(db);
    assert.equal(stored.length, n);
    noDuplicates(stored);
    assert.ok(
      stored.every((r) => r.source.startsWith(`${root}/docs/`)),
      'sources are the real paths',
    );
  });

  test('ask shows sources relative to the working folder and never the same text twice', async () => {
    const root = tmp();
    cpSync(path.join(FIXTURES, 'docs'), path.join(root, 'docs'), { recursive: true });
    const db = path.join(root, 'milvus.db');
    assert.equal((await rag(['ingest', 'docs', '--json'], { cwd: root, env: env() })).code, 0);
    const r = await rag(['ask', '--no-llm', '--json', 'How do bees make honey?'], { cwd: root, env: env() });
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(r.stdout) as { sources: { file: string; path: string }[] };
    assert.ok(
      a.sources.every((s) => s.file.startsWith('docs/') && s.path.startsWith(`${root}/docs/`)),
      JSON.stringify(a.sources),
    );
    void db;
  });
});

describe('pruning with globs outside the working folder', () => {
  for (const [name, glob] of [
    ['../', (_root: string) => '../docs2/*.md'],
    ['absolute', (root: string) => `${root}/docs2/*.md`],
  ] as const) {
    test(`a ${name} glob: a deleted file loses its chunks`, async () => {
      const root = tmp();
      cpSync(path.join(FIXTURES, 'docs'), path.join(root, 'docs2'), { recursive: true });
      mkdirSync(path.join(root, 'work'));
      const cwd = path.join(root, 'work');
      const first = await rag(['ingest', glob(root), '--json'], { cwd, env: env() });
      assert.equal(first.code, 0, first.stderr);
      const bread = pieces(readFileSync(path.join(root, 'docs2', 'bread.md'), 'utf8'));
      rmSync(path.join(root, 'docs2', 'bread.md'));
      const second = await rag(['ingest', glob(root), '--json'], { cwd, env: env() });
      assert.equal(second.code, 0, second.stderr);
      const s = summary(second.stdout);
      assert.equal(s.removed, bread);
      assert.equal(s.total, summary(first.stdout).total - bread);
    });
  }
});

describe('files that change during a run', () => {
  /** A folder of `n` small files; the target sorts last. */
  function corpus(root: string, n: number): string {
    const dir = path.join(root, 'many');
    mkdirSync(dir);
    for (let i = 0; i < n; i++)
      writeFileSync(
        path.join(dir, `f${String(i).padStart(4, '0')}.md`),
        `# File ${i}\n\nBody of file ${i}.\n\n# Second ${i}\n\nMore ${i}.\n`,
      );
    return path.join(dir, 'zz-target.md');
  }

  test(
    'a file rewritten while ingest runs: no duplicate (source, position), every chunk stored once',
    { timeout: 300_000 },
    async () => {
      const root = tmp();
      const target = corpus(root, 150);
      const versions = [
        '# A\n\none\n',
        '# A\n\none\n\n# B\n\ntwo\n\n# C\n\nthree\n',
        '# X\n\nchanged\n\n# Y\n\nagain\n',
      ];
      writeFileSync(target, versions[1] ?? '');
      let stop = false;
      let writes = 0;
      const started = Date.now();
      // Bounded in count and time: rewrites the file until rag exits (at most 2,000 times, 120 s).
      const churn = (async () => {
        while (!stop && writes < 2000 && Date.now() - started < 120_000) {
          writeFileSync(target, versions[writes % versions.length] ?? '');
          writes++;
          await new Promise((r) => setTimeout(r, 15));
        }
      })();
      const r = await rag(['ingest', 'many', '--json'], { cwd: root, env: env() });
      stop = true;
      await churn;
      assert.equal(r.code, 0, r.stderr);
      const s = summary(r.stdout);
      const stored = await rows(path.join(root, 'milvus.db'));
      noDuplicates(stored);
      assert.equal(stored.length, s.total);
      assert.equal(s.total, s.chunks, 'what the summary counts is what is stored');
      // A re-run sees the file as it is now and stores exactly it.
      const again = await rag(['ingest', 'many', '--json'], { cwd: root, env: env() });
      assert.equal(again.code, 0, again.stderr);
      const final = await rows(path.join(root, 'milvus.db'));
      noDuplicates(final);
      const now = readFileSync(target, 'utf8');
      assert.deepEqual(
        final
          .filter((x) => x.source === target)
          .map((x) => x.text)
          .sort(),
        now
          .split('# ')
          .filter((p) => p.trim() !== '')
          .sort(),
      );
    },
  );

  test('a stored file that becomes unreadable keeps its chunks, and the warning says so', async () => {
    const root = tmp();
    cpSync(path.join(FIXTURES, 'docs'), path.join(root, 'docs'), { recursive: true });
    const first = await rag(['ingest', 'docs', '--json'], { cwd: root, env: env() });
    assert.equal(first.code, 0, first.stderr);
    const bees = path.join(root, 'docs', 'bees.md');
    const n = pieces(readFileSync(bees, 'utf8'));
    writeFileSync(bees, Buffer.from([0x23, 0x20, 0x00, 0x01]));
    const r = await rag(['ingest', 'docs', '--json'], { cwd: root, env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^warning: skipped docs/bees.md: binary file \\(contains NUL bytes\\); its ${n} stored chunk\\(s\\) are kept until it can be read$`,
        'm',
      ),
    );
    const s = summary(r.stdout);
    assert.deepEqual([s.removed, s.total], [0, summary(first.stdout).total]);
  });

  test('a file deleted before it is read is skipped like any vanished file: exit 0, its chunks removed', async () => {
    const root = tmp();
    const target = corpus(root, 200);
    writeFileSync(target, '# T\n\ntarget\n');
    const first = await rag(['ingest', 'many', '--json'], { cwd: root, env: env() });
    assert.equal(first.code, 0, first.stderr);
    // Delete it as soon as rag has started: whether it goes before discovery or during the run, the result is the same.
    const run = rag(['ingest', 'many', '--json'], { cwd: root, env: env() });
    await new Promise((r) => setTimeout(r, 300));
    rmSync(target);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const s = summary(r.stdout);
    assert.equal(s.total, summary(first.stdout).total - 1);
  });
});
