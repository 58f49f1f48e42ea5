// Config resolution: precedence flags > env > .env > defaults, validation (exit 2), provenance, masking.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_LLM_BASE_URL, isServerUri, mask, resolveConfig, type ConfigInput } from '../../src/core/config.js';
import { RagError } from '../../src/core/errors.js';

const input = (over: Partial<ConfigInput> = {}): ConfigInput => ({ flags: {}, env: {}, dotenv: {}, ...over });

describe('resolveConfig precedence', () => {
  const cases: {
    name: string;
    input: ConfigInput;
    key: 'collection' | 'llmApiKey' | 'llmBaseUrl' | 'topK' | 'milvusUri';
    value: unknown;
    source: string;
  }[] = [
    { name: 'default', input: input(), key: 'collection', value: 'my_rag_collection', source: 'default' },
    {
      name: '.env over default',
      input: input({ dotenv: { RAG_COLLECTION: 'd' } }),
      key: 'collection',
      value: 'd',
      source: '.env',
    },
    {
      name: 'env over .env',
      input: input({ env: { RAG_COLLECTION: 'e' }, dotenv: { RAG_COLLECTION: 'd' } }),
      key: 'collection',
      value: 'e',
      source: 'env',
    },
    {
      name: 'flag over env',
      input: input({ flags: { collection: 'f' }, env: { RAG_COLLECTION: 'e' } }),
      key: 'collection',
      value: 'f',
      source: 'flag',
    },
    {
      name: 'empty env is unset',
      input: input({ env: { RAG_COLLECTION: '' }, dotenv: { RAG_COLLECTION: 'd' } }),
      key: 'collection',
      value: 'd',
      source: '.env',
    },
    {
      name: 'LEPTONAI_TOKEN as the key',
      input: input({ env: { LEPTONAI_TOKEN: 'lt' } }),
      key: 'llmApiKey',
      value: 'lt',
      source: 'env',
    },
    {
      name: 'RAG_LLM_API_KEY over LEPTONAI_TOKEN',
      input: input({ env: { LEPTONAI_TOKEN: 'lt', RAG_LLM_API_KEY: 'rk' } }),
      key: 'llmApiKey',
      value: 'rk',
      source: 'env',
    },
    {
      name: 'LEPTONAI_TOKEN over OPENAI_API_KEY',
      input: input({ env: { OPENAI_API_KEY: 'ok', LEPTONAI_TOKEN: 'lt' } }),
      key: 'llmApiKey',
      value: 'lt',
      source: 'env',
    },
    {
      name: 'any env name over any .env name',
      input: input({ env: { OPENAI_API_KEY: 'ok' }, dotenv: { RAG_LLM_API_KEY: 'rk' } }),
      key: 'llmApiKey',
      value: 'ok',
      source: 'env',
    },
    {
      name: 'OPENAI_BASE_URL honoured',
      input: input({ env: { OPENAI_BASE_URL: 'http://x/v1' } }),
      key: 'llmBaseUrl',
      value: 'http://x/v1',
      source: 'env',
    },
    { name: 'Lepton default URL', input: input(), key: 'llmBaseUrl', value: DEFAULT_LLM_BASE_URL, source: 'default' },
    { name: 'numbers are parsed', input: input({ flags: { topK: '5' } }), key: 'topK', value: 5, source: 'flag' },
    {
      name: 'MILVUS_URI',
      input: input({ env: { MILVUS_URI: 'http://h:19530' } }),
      key: 'milvusUri',
      value: 'http://h:19530',
      source: 'env',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = resolveConfig(c.input);
      assert.equal(r.config[c.key], c.value);
      assert.equal(r.sources[c.key].from, c.source);
    });
  }
});

describe('resolveConfig validation', () => {
  const bad: [string, ConfigInput, RegExp][] = [
    ['--top-k 0', input({ flags: { topK: '0' } }), /--top-k must be a whole number ≥ 1, got "0"/],
    ['--top-k abc', input({ flags: { topK: 'abc' } }), /--top-k must be a whole number/],
    ['--batch-size -1', input({ flags: { batchSize: '-1' } }), /--batch-size must be a whole number ≥ 1/],
    ['--top-k 1.5', input({ flags: { topK: '1.5' } }), /whole number/],
    ['RAG_TOP_K in env', input({ env: { RAG_TOP_K: 'x' } }), /RAG_TOP_K must be/],
    ['in .env', input({ dotenv: { RAG_BATCH_SIZE: '0' } }), /RAG_BATCH_SIZE in \.env must be/],
    ['search mode', input({ env: { RAG_SEARCH: 'sparse' } }), /RAG_SEARCH must be one of dense, bm25, hybrid/],
    ['offline flag value', input({ env: { RAG_OFFLINE: 'maybe' } }), /RAG_OFFLINE must be 1 or 0/],
    ['llm timeout', input({ flags: { llmTimeout: '0' } }), /--llm-timeout must be a number/],
  ];
  for (const [name, i, message] of bad) {
    test(`${name} is a usage error (exit 2)`, () => {
      assert.throws(
        () => resolveConfig(i),
        (e: unknown) => e instanceof RagError && e.exitCode === 2 && message.test(e.message),
      );
    });
  }
});

describe('helpers', () => {
  test('mask never shows the value', () => {
    assert.equal(mask(undefined), '(not set)');
    assert.ok(!mask('sk-secret-value').includes('secret'));
  });
  test('isServerUri', () => {
    for (const u of ['http://localhost:19530', 'https://x.zillizcloud.com']) assert.ok(isServerUri(u), u);
    for (const u of ['./milvus.db', '/data/milvus.db', 'milvus.db', 'http.db']) assert.ok(!isServerUri(u), u);
  });
});

describe('.env.example', () => {
  test('lists every variable that rag reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { SETTINGS } = await import('../../src/core/config.js');
    const { REPO_ROOT } = await import('../helpers/paths.js');
    const text = readFileSync(`${REPO_ROOT}/.env.example`, 'utf8');
    for (const s of SETTINGS) for (const name of s.env) assert.match(text, new RegExp(`^${name}=`, 'm'), name);
  });
});
