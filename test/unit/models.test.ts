// The per-model table (prefixes, pooling) and the length ordering used for batching.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lengthOrder, modelProfile } from '../../src/core/model-profiles.js';

const BGE = 'Represent this sentence for searching relevant passages: ';

describe('modelProfile', () => {
  const cases: [string, string, string, 'mean' | 'cls'][] = [
    ['Xenova/bge-base-en-v1.5', BGE, '', 'cls'],
    ['BAAI/bge-small-en-v1.5', BGE, '', 'cls'],
    ['Xenova/e5-base-v2', 'query: ', 'passage: ', 'mean'],
    ['Xenova/multilingual-e5-base', 'query: ', 'passage: ', 'mean'],
    ['nomic-ai/nomic-embed-text-v1.5', 'search_query: ', 'search_document: ', 'mean'],
    ['Snowflake/snowflake-arctic-embed-m', BGE, '', 'cls'],
    ['Xenova/all-mpnet-base-v2', '', '', 'mean'],
    ['test-model', '', '', 'mean'],
  ];
  for (const [model, q, d, pooling] of cases) {
    const { maxSeqLength: _trained, ...profile } = modelProfile(model);
    test(model, () => assert.deepEqual(profile, { queryPrefix: q, docPrefix: d, pooling }));
  }
  test("the trained sequence length of sentence-transformers models shorter than their tokenizer's", () => {
    assert.equal(modelProfile('Xenova/all-mpnet-base-v2').maxSeqLength, 384);
    assert.equal(modelProfile('Xenova/all-MiniLM-L6-v2').maxSeqLength, 256);
    assert.equal(modelProfile('Xenova/bge-base-en-v1.5').maxSeqLength, undefined);
  });
  test('user prefixes override the table, even with an empty string', () => {
    assert.deepEqual(modelProfile('Xenova/bge-base-en-v1.5', { queryPrefix: '' }), {
      queryPrefix: '',
      docPrefix: '',
      pooling: 'cls',
    });
    assert.deepEqual(modelProfile('x', { queryPrefix: 'q: ', docPrefix: 'd: ' }), {
      queryPrefix: 'q: ',
      docPrefix: 'd: ',
      pooling: 'mean',
    });
  });
});

describe('lengthOrder', () => {
  test('shortest first, stable for equal lengths, a permutation of the input', () => {
    assert.deepEqual(lengthOrder(['ccc', 'a', 'bb', 'x', '']), [4, 1, 3, 2, 0]);
    assert.deepEqual(lengthOrder([]), []);
  });
});
