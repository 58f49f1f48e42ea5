// The transformers.js embedder through the production path, on the generated test model: dims, order, prefixes, truncation.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RagError } from '../../src/core/errors.js';
import type { Embedder } from '../../src/core/types.js';
import { createEmbedder } from '../../src/services/embedder.js';
import { testModel } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp.js';

const cacheDir = tempDir('cache-');
const base = { model: 'unused', cacheDir, offline: false, dtype: 'fp32', batchSize: 2 };

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}

describe('embedder on the generated test model', () => {
  let e: Embedder;
  before(async () => {
    e = await createEmbedder({ ...base, modelPath: testModel() });
  });
  after(async () => {
    await e.close();
  });

  test('info comes from the model: dimension probed, folder name as id, mean pooling, 512 tokens', () => {
    assert.deepEqual(e.info, {
      model: 'local:test-model',
      dim: 768,
      queryPrefix: '',
      docPrefix: '',
      pooling: 'mean',
      dtype: 'fp32',
      maxTokens: 512,
    });
  });

  test('vectors are unit length and come back in input order across length-sorted batches', async () => {
    const texts = [
      'a much longer text about lighthouses and their lenses and keepers',
      'bees',
      'bread dough rises',
      'x',
      'the oldest working lighthouse',
    ];
    const { vectors, truncated } = await e.embedDocs(texts);
    assert.equal(vectors.length, texts.length);
    assert.equal(truncated, 0);
    for (const [i, t] of texts.entries()) {
      const alone = await e.embedQuery(t);
      const v = vectors[i] ?? [];
      assert.equal(v.length, 768);
      assert.ok(Math.abs(cosine(v, v) - 1) < 1e-5, 'normalised');
      assert.ok(cosine(v, alone) > 0.9999, `text ${i} matches its own embedding`);
    }
  });

  test('texts over the token limit are counted as truncated; tokens are capped', async () => {
    const long = 'lighthouse keeper '.repeat(400);
    const r = await e.embedDocs(['short text', long, long]);
    assert.equal(r.truncated, 2);
    assert.ok(r.tokens <= 512 * 3 && r.tokens > 1024);
  });

  test('lexical signal: related texts are closer than unrelated ones', async () => {
    const [q, related, unrelated] = (
      await e.embedDocs([
        'How is data stored in milvus?',
        'Where does Milvus store data?',
        'Bread is baked in a hot oven.',
      ])
    ).vectors;
    assert.ok(cosine(q ?? [], related ?? []) > cosine(q ?? [], unrelated ?? []) + 0.3);
  });
});

describe('prefixes', () => {
  test('document and query prefixes are put before the text', async () => {
    const e = await createEmbedder({ ...base, modelPath: testModel(), docPrefix: 'passage: ', queryPrefix: 'query: ' });
    try {
      assert.equal(e.info.docPrefix, 'passage: ');
      const doc = (await e.embedDocs(['bees make honey'])).vectors[0] ?? [];
      const plain = await createEmbedder({ ...base, modelPath: testModel() });
      const same = await plain.embedQuery('passage: bees make honey');
      const without = await plain.embedQuery('bees make honey');
      await plain.close();
      assert.ok(cosine(doc, same) > 0.9999);
      assert.ok(cosine(doc, without) < 0.999);
      const q = await e.embedQuery('bees make honey');
      assert.ok(cosine(q, doc) < 0.9999, 'query and document sides differ');
    } finally {
      await e.close();
    }
  });
});

describe('load failures are one clear RagError', () => {
  test('a missing folder', async () => {
    await assert.rejects(
      createEmbedder({ ...base, modelPath: path.join(cacheDir, 'nope') }),
      (err: unknown) => err instanceof RagError && /does not exist/.test(err.message) && !!err.hint,
    );
  });
  test('offline with an empty cache names the cache and --model-path', async () => {
    await assert.rejects(
      createEmbedder({ ...base, model: 'Xenova/bge-base-en-v1.5', offline: true }),
      (err: unknown) =>
        err instanceof RagError &&
        /cannot load embedding model Xenova\/bge-base-en-v1.5/.test(err.message) &&
        /--model-path/.test(err.hint ?? '') &&
        (err.hint ?? '').includes(cacheDir),
    );
  });
  test('a folder that is not a model', async () => {
    await assert.rejects(
      createEmbedder({ ...base, modelPath: cacheDir }),
      (err: unknown) =>
        err instanceof RagError &&
        /cannot load embedding model/.test(err.message) &&
        /config\.json/.test(err.hint ?? ''),
    );
  });
});
