// Planning from the split cache's known ids: an unchanged re-run lists only the chunks that are not known, and any
// difference between the store and what the cache knows (a chunk added or removed behind rag's back) is still found.

import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { embedKey, HeadingSplitter, MAX_TEXT_BYTES } from '../../src/core/chunk.js';
import { discover } from '../../src/core/discover.js';
import { ingest, type IngestSummary } from '../../src/core/ingest.js';
import type { Embedder, SplitCache, StoredChunk, VectorStore } from '../../src/core/types.js';
import { createEmbedder } from '../../src/services/embedder.js';
import { openSplitCache } from '../../src/services/split-cache.js';
import { startTestMilvus, type TestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { COLLECTION } from '../helpers/reliability-kit.js';
import { tempDir } from '../helpers/tmp.js';

type Where = { source?: string; prefix?: string; exceptIds?: readonly string[] };

/** The store, recording how each listChunks call chose its rows. */
function recording(store: VectorStore, calls: string[]): VectorStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'listChunks') {
        return (collection: string, where: Where) => {
          calls.push(where.exceptIds ? `except ${where.exceptIds.length}` : where.source ? 'source' : 'prefix');
          return store.listChunks(collection, where);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('planning from the ids the split cache knows', () => {
  let milvus: TestMilvus;
  let embedder: Embedder;
  let cwd: string;
  let cacheFile: string;

  const run = async (dir = 'docs'): Promise<{ summary: IngestSummary; calls: string[] }> => {
    const calls: string[] = [];
    const cache: SplitCache = await openSplitCache(cacheFile);
    const summary = await ingest({
      paths: [dir],
      cwd,
      found: await discover([dir], cwd),
      collection: COLLECTION,
      recreate: false,
      batchSize: 16,
      splitter: new HeadingSplitter(MAX_TEXT_BYTES),
      split: 'sections',
      embedder,
      store: recording(milvus.store, calls),
      splitCache: cache,
    });
    return { summary, calls };
  };
  const counts = (s: IngestSummary): number[] => [s.read, s.added, s.removed, s.total];

  /** A row that rag did not write, with the text and vector of a real chunk, under `source`. */
  const foreignRow = async (id: string, source: string): Promise<StoredChunk> => {
    const text = 'Written by someone else.';
    const [vector] = (await embedder.embedDocs([text])).vectors;
    return {
      id,
      source,
      position: 7,
      part: 0,
      text,
      indexText: text,
      front: false,
      key: embedKey(text),
      vector: vector ?? [],
    };
  };

  before(async () => {
    cwd = tempDir('rag-known-');
    cacheFile = path.join(cwd, 'cache', 'chunks.json');
    for (const dir of ['docs', 'other']) mkdirSync(path.join(cwd, dir));
    for (let i = 0; i < 4; i++)
      writeFileSync(path.join(cwd, 'docs', `n${i}.md`), `# Note ${i}\n\nBody ${i}.\n\n# More\n\nMore ${i}.\n`);
    writeFileSync(path.join(cwd, 'other', 'o.md'), '# Other\n\nAnother folder in the same collection.\n');
    milvus = await startTestMilvus(path.join(cwd, 'milvus.db'));
    embedder = await createEmbedder({
      model: 'unused',
      modelPath: testModel(),
      cacheDir: path.join(cwd, 'models'),
      offline: true,
      dtype: 'fp32',
      batchSize: 16,
      threads: 1,
    });
  });

  after(async () => {
    await embedder?.close();
    await milvus?.stop();
  });

  test('an unchanged re-run lists only the chunks that are not known (those of another folder)', async () => {
    const first = await run();
    assert.deepEqual(counts(first.summary), [4, 8, 0, 8]);
    assert.deepEqual(first.calls, [], 'a new collection is known to be empty');
    const other = await run('other');
    assert.deepEqual(counts(other.summary), [1, 1, 0, 9]);

    const again = await run();
    assert.deepEqual(counts(again.summary), [0, 0, 0, 9]);
    // One listing of what is not one of the 8 known ids: other/'s chunk, outside the scope, left alone.
    assert.deepEqual(again.calls, ['except 8']);
  });

  test('a chunk added under a known file behind rag’s back is found without listing the scope, and removed', async () => {
    const source = (await discover(['docs/n1.md'], cwd)).files[0]?.source ?? '';
    await milvus.store.upsert(COLLECTION, [await foreignRow('12345', source)]);
    const healed = await run();
    assert.deepEqual(counts(healed.summary), [1, 0, 1, 9], JSON.stringify(healed.summary));
    assert.deepEqual(healed.calls, ['except 8']);
  });

  test('a known chunk swapped for another behind rag’s back (same count) is found by listing the scope', async () => {
    const source = (await discover(['docs/n2.md'], cwd)).files[0]?.source ?? '';
    const ids: string[] = [];
    for await (const page of milvus.store.listChunks(COLLECTION, { source })) ids.push(...page.map((r) => r.id));
    assert.equal(ids.length, 2);
    await milvus.store.deleteIds(COLLECTION, [ids[0] ?? '']);
    await milvus.store.upsert(COLLECTION, [await foreignRow('67890', source)]);
    // The count still matches the known ids, but one of them is missing: the scope is listed, n2 is read again.
    const healed = await run();
    assert.deepEqual(counts(healed.summary), [1, 1, 1, 9], JSON.stringify(healed.summary));
    assert.deepEqual(healed.calls, ['except 8', 'prefix']);
    const again = await run();
    assert.deepEqual([...counts(again.summary), ...again.calls], [0, 0, 0, 9, 'except 8']);
  });

  test('a deleted file: its chunks are the only ones listed, and removed', async () => {
    rmSync(path.join(cwd, 'docs', 'n3.md'));
    const pruned = await run();
    assert.deepEqual(counts(pruned.summary), [0, 0, 2, 7], JSON.stringify(pruned.summary));
    assert.deepEqual(pruned.calls, ['except 6']);
  });
});
