// End to end: `rag ingest` through the built binary into a real Milvus Lite; counts, idempotence, pruning, --recreate.

import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { rag, workdir } from '../helpers/cli.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { FAQ, FIXTURES, needShared } from '../helpers/paths.js';
import { noServerLeft } from '../helpers/procs.js';

/** The tutorial's split: Python's file_text.split("# "), without empty or whitespace-only pieces. */
function pieces(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('# ')
    .filter((p) => p.trim() !== '');
}

function mdFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(dir, f));
}

/** Every stored row, read back with the Node SDK from the data folder after rag has exited. */
async function storedRows(
  dataDir: string,
  collection = 'my_rag_collection',
): Promise<{ source: string; position: number; text: string }[]> {
  const m = await startTestMilvus(dataDir);
  try {
    const client = new MilvusClient({ address: m.server.address });
    await client.loadCollection({ collection_name: collection });
    const res = await client.query({
      collection_name: collection,
      filter: 'id >= 0',
      output_fields: ['source', 'position', 'text'],
      limit: 16_384,
    });
    await client.closeConnection();
    const rows = (res.data as { source: string; position: string; text: string }[]).map((r) => ({
      source: r.source,
      position: Number(r.position),
      text: r.text,
    }));
    return rows.sort((a, b) => a.source.localeCompare(b.source) || a.position - b.position);
  } finally {
    await m.stop();
  }
}

describe('rag ingest on fixtures/', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(() => {
    cwd = workdir();
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    env = { RAG_MODEL_PATH: testModel() };
  });

  test('stores every non-empty "# " piece once, with source and position', async () => {
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { files: number; chunks: number; added: number; total: number };
    // A chunk's source is its file's real path: the same whatever folder rag runs from or the path it was given.
    const expected = mdFiles(path.join(cwd, 'docs')).flatMap((f) =>
      pieces(f).map((text, position) => ({ source: realpathSync(f), position, text })),
    );
    assert.equal(summary.files, 3);
    assert.equal(summary.chunks, expected.length);
    assert.equal(summary.added, expected.length);
    assert.equal(summary.total, expected.length);
    noServerLeft(path.join(cwd, 'milvus.db'));
    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    expected.sort((a, b) => a.source.localeCompare(b.source) || a.position - b.position);
    assert.deepEqual(rows, expected);
  });

  test('re-ingesting unchanged files embeds and writes nothing', async () => {
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      added: number;
      unchanged: number;
      removed: number;
      total: number;
      chunks: number;
    };
    assert.equal(s.added, 0);
    assert.equal(s.removed, 0);
    assert.equal(s.unchanged, s.chunks);
    assert.equal(s.total, s.chunks);
  });

  test('a changed file re-embeds only its new pieces; a deleted file loses its chunks', async () => {
    const bees = path.join(cwd, 'docs', 'bees.md');
    writeFileSync(
      bees,
      `${readFileSync(bees, 'utf8')}\n# Do bees sleep?\n\nForagers rest at night, antennae drooping.\n`,
    );
    rmSync(path.join(cwd, 'docs', 'bread.md'));
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { added: number; removed: number; total: number; files: number };
    const beesPieces = pieces(bees).length;
    const lighthouse = pieces(path.join(cwd, 'docs', 'lighthouses.md')).length;
    assert.equal(s.files, 2);
    // The old last piece of bees.md gained a line break, so it and the new piece are new; the old one goes.
    assert.equal(s.added, 2, 'only the two changed pieces of bees.md are embedded');
    assert.equal(s.removed, 5, 'the old last piece of bees.md and the 4 chunks of the deleted bread.md are removed');
    assert.equal(s.total, beesPieces + lighthouse);
    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    assert.ok(!rows.some((row) => row.source.includes('bread')));
    assert.equal(new Set(rows.map((row) => `${row.source}#${row.position}`)).size, rows.length, 'no duplicates');
  });

  test('ingesting another folder keeps the first one', async () => {
    cpSync(path.join(FIXTURES, 'docs', 'bread.md'), path.join(cwd, 'more', 'bread.md'), { recursive: true });
    const r = await rag(['ingest', 'more', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { added: number; removed: number; total: number };
    assert.equal(s.added, 4);
    assert.equal(s.removed, 0);
    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    assert.ok(rows.some((row) => row.source.startsWith(`${realpathSync(cwd)}/docs/`)));
    assert.ok(rows.some((row) => row.source.startsWith(`${realpathSync(cwd)}/more/`)));
  });

  test('--recreate rebuilds the collection from the given paths only', async () => {
    const r = await rag(['ingest', 'docs', '--recreate', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { added: number; total: number; chunks: number; recreated: boolean };
    assert.equal(s.recreated, true);
    assert.equal(s.added, s.chunks);
    assert.equal(s.total, s.chunks);
  });

  test('text output ends with one summary line on stdout; no bars off a TTY', async () => {
    const r = await rag(['ingest', 'docs'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^ingested 2 files, \d+ chunks, 0 added, \d+ unchanged, 0 removed into "my_rag_collection" \(\d+ stored\) in \d+\.\d s$/,
    );
    assert.equal(r.stderr, '');
  });
});

describe('rag ingest on the tutorial corpus (../shared/corpora/milvus_docs/en/faq)', { skip: needShared(FAQ) }, () => {
  test('--split tutorial stores the 83 pieces once, twice in a row; --recreate rebuilds', async () => {
    const cwd = workdir();
    const env = { RAG_MODEL_PATH: testModel(), RAG_SPLIT: 'tutorial' };
    const expected = mdFiles(FAQ).reduce((n, f) => n + pieces(f).length, 0);
    assert.equal(expected, 83);
    const first = await rag(['ingest', FAQ, '--json'], { cwd, env });
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout) as { files: number; added: number; total: number };
    assert.deepEqual([a.files, a.added, a.total], [4, 83, 83]);
    const second = await rag(['ingest', FAQ, '--json'], { cwd, env });
    const b = JSON.parse(second.stdout) as { added: number; unchanged: number; total: number };
    assert.deepEqual([b.added, b.unchanged, b.total], [0, 83, 83]);
    const third = await rag(['ingest', FAQ, '--recreate', '--json'], { cwd, env });
    const c = JSON.parse(third.stdout) as { added: number; total: number };
    assert.deepEqual([c.added, c.total], [83, 83]);
    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    assert.equal(rows.length, 83);
    assert.deepEqual(
      rows.map((r) => r.text).sort(),
      mdFiles(FAQ)
        .flatMap((f) => pieces(f))
        .sort(),
      "the tutorial's texts, byte for byte",
    );
  });

  test('the default split (sections) stores the same pieces but the 4 front-matter blocks: 79 chunks', async () => {
    const cwd = workdir();
    const r = await rag(['ingest', FAQ, '--json'], { cwd, env: { RAG_MODEL_PATH: testModel() } });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { added: number; total: number; split: string };
    assert.deepEqual([s.split, s.added, s.total], ['sections', 79, 79]);
    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    const body = mdFiles(FAQ).flatMap((f) => pieces(f).filter((p) => !p.startsWith('---\n')));
    assert.deepEqual(rows.map((r) => r.text).sort(), body.sort());
  });
});

after(() => undefined);
