// Re-runs: what changed is found (a renamed page re-embeds its sections), what did not is skipped without splitting.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { IngestSummary } from '../../src/core/ingest.js';
import { rag, workdir } from '../helpers/cli.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { assertNoServerLeft, COLLECTION } from '../helpers/reliability-kit.js';

type Summary = IngestSummary;

/** Runs `fn` with a Node SDK client on the loaded collection of a data folder, after rag has exited. */
async function withCollection<T>(dataDir: string, fn: (client: MilvusClient) => Promise<T>): Promise<T> {
  const m = await startTestMilvus(dataDir);
  const client = new MilvusClient({ address: m.server.address });
  try {
    await client.loadCollection({ collection_name: COLLECTION });
    return await fn(client);
  } finally {
    await client.closeConnection();
    await m.stop();
  }
}

/** index_text of every stored row, by (source file name, position, part). */
function indexTexts(dataDir: string): Promise<Map<string, string>> {
  return withCollection(dataDir, async (client) => {
    const res = await client.query({
      collection_name: COLLECTION,
      filter: 'id >= 0',
      output_fields: ['source', 'position', 'part', 'index_text'],
      limit: 16_384,
    });
    const out = new Map<string, string>();
    for (const r of res.data as { source: string; position: string; part: string; index_text: string }[])
      out.set(`${path.basename(r.source)}#${r.position}.${r.part}`, r.index_text);
    return out;
  });
}

/** Deletes the stored rows of one file's piece with the Node SDK, behind rag's back. */
function deleteRows(dataDir: string, file: string, position: number): Promise<number> {
  return withCollection(dataDir, async (client) => {
    const res = await client.query({
      collection_name: COLLECTION,
      filter: `position == ${position}`,
      output_fields: ['id', 'source'],
      limit: 16_384,
    });
    const ids = (res.data as { id: string; source: string }[])
      .filter((r) => path.basename(r.source) === file)
      .map((r) => String(r.id));
    await client.delete({ collection_name: COLLECTION, filter: `id in [${ids.join(',')}]` });
    return ids.length;
  });
}

const PAGE = (title: string, heading: string): string =>
  `---\nid: page.md\ntitle: ${title}\n---\n\n# ${heading}\n\nIntro of the page.\n\n## Setup\n\nInstall it with the installer.\n\n## Usage\n\nRun it from a shell.\n`;

describe('re-runs: changes found, unchanged files skipped', () => {
  let cwd: string;
  let env: Record<string, string>;
  const ingest = async (...extra: string[]): Promise<Summary> => {
    const r = await rag(['ingest', 'docs', '--json', '--no-progress', ...extra], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Summary;
  };

  before(() => {
    cwd = workdir('rag-unchanged-');
    env = { RAG_MODEL_PATH: testModel(), RAG_CACHE_DIR: path.join(cwd, 'cache') };
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'docs', 'page.md'), PAGE('Old title', 'Widgets'));
    for (let i = 0; i < 5; i++)
      writeFileSync(
        path.join(cwd, 'docs', `note${i}.md`),
        `# Note ${i}\n\nThe body of note ${i}.\n\n# More\n\nMore ${i}.\n`,
      );
  });

  test('a new page title or heading re-embeds the sections indexed with it (sections split)', async () => {
    const first = await ingest();
    assert.equal(first.added, first.chunks);
    const before = await indexTexts(path.join(cwd, 'milvus.db'));
    assert.match(before.get('page.md#2.0') ?? '', /^Old title > Widgets\n\nSetup/);

    // Only the front matter's title changes: no stored text changes, but every section's indexed context does.
    writeFileSync(path.join(cwd, 'docs', 'page.md'), PAGE('New title', 'Widgets'));
    const retitled = await ingest();
    assert.deepEqual([retitled.added, retitled.removed], [3, 3], JSON.stringify(retitled));
    const after = await indexTexts(path.join(cwd, 'milvus.db'));
    assert.match(after.get('page.md#2.0') ?? '', /^New title > Widgets\n\nSetup/);
    assert.equal(after.size, before.size);

    // A renamed heading changes its own section's text and the context of the two below it.
    writeFileSync(path.join(cwd, 'docs', 'page.md'), PAGE('New title', 'Gadgets'));
    const renamed = await ingest();
    assert.deepEqual([renamed.added, renamed.removed], [3, 3], JSON.stringify(renamed));
    assert.match((await indexTexts(path.join(cwd, 'milvus.db'))).get('page.md#3.0') ?? '', /^New title > Gadgets\n\n/);
  });

  test('an unchanged re-run reads no file again; a row deleted behind its back is found and restored', async () => {
    const base = await ingest();
    const cacheFile = path.join(cwd, 'cache', 'splits', readdirOne(path.join(cwd, 'cache', 'splits')));
    const written = statSync(cacheFile).mtimeMs;
    const again = await ingest();
    assert.deepEqual(
      [again.files, again.read, again.added, again.unchanged, again.removed, again.total],
      [6, 0, 0, base.chunks, 0, base.total],
      JSON.stringify(again),
    );
    // A run that splits nothing leaves the cache file as it was (no rewrite of every entry on each run).
    assert.equal(statSync(cacheFile).mtimeMs, written);

    // The plan trusts what is stored, not the cache: a missing row makes that file be read and its chunk written.
    assert.equal(await deleteRows(path.join(cwd, 'milvus.db'), 'note3.md', 1), 1);
    const healed = await ingest();
    assert.deepEqual([healed.read, healed.added, healed.removed, healed.total], [1, 1, 0, base.total]);

    // An edited file is read again, whatever its size and time say; only its changed chunk is written.
    const file = path.join(cwd, 'docs', 'note2.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('More 2.', 'More 9.'));
    const edited = await ingest();
    assert.deepEqual([edited.read, edited.added, edited.removed, edited.total], [1, 1, 1, base.total]);

    // Without the cache (another machine, a cleared cache) every file is split again and nothing is written.
    rmSync(path.join(cwd, 'cache', 'splits'), { recursive: true, force: true });
    const cold = await ingest();
    assert.deepEqual([cold.read, cold.added, cold.removed, cold.total], [6, 0, 0, base.total]);
    // A cache file that is not valid JSON is ignored the same way.
    writeFileSync(path.join(cwd, 'cache', 'splits', readdirOne(path.join(cwd, 'cache', 'splits'))), '{not json');
    const broken = await ingest();
    assert.deepEqual([broken.read, broken.added, broken.removed, broken.total], [6, 0, 0, base.total]);
  });

  test('an unchanged re-run does not open the embedding model', async () => {
    // A model whose weights are unreadable: loading it fails, so the run passes only when nothing loads it.
    const model = path.join(cwd, 'model-copy');
    cpSync(testModel(), model, { recursive: true });
    const own = { ...env, RAG_MODEL_PATH: model, RAG_COLLECTION: 'lazy' };
    const first = await rag(['ingest', 'docs', '--json', '--no-progress'], { cwd, env: own });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(path.join(model, 'onnx', 'model.onnx'), 'not a model');
    const again = await rag(['ingest', 'docs', '--json', '--no-progress'], { cwd, env: own });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as Summary).added, 0);
    // A file to embed needs the model: the broken file is reported on one line.
    writeFileSync(path.join(cwd, 'docs', 'new.md'), '# New\n\nA new note.\n');
    const needs = await rag(['ingest', 'docs', '--json', '--no-progress'], { cwd, env: own });
    rmSync(path.join(cwd, 'docs', 'new.md'));
    assert.equal(needs.code, 1, needs.stderr);
    assert.match(needs.stderr.trim(), /^error: .*model/);
    assert.equal(needs.stderr.trim().split('\n').length, 1, needs.stderr);
  });
});

describe('ingest opens Milvus and the model together', () => {
  test('a missing model folder ends the run with one line, and Milvus Lite (started beside it) is stopped', async () => {
    const cwd = workdir('rag-unchanged-');
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'docs', 'a.md'), '# A\n\nText.\n');
    const r = await rag(['ingest', 'docs', '--model-path', path.join(cwd, 'no-model')], { cwd, timeoutMs: 60_000 });
    assert.equal(r.signal, null, 'the run ends on its own');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr.trim(), /^error: model folder .*no-model does not exist/);
    await assertNoServerLeft(path.join(cwd, 'milvus.db'));
  });
});

function readdirOne(dir: string): string {
  const names = readdirSync(dir);
  assert.equal(names.length, 1, names.join(', '));
  return names[0] ?? '';
}
