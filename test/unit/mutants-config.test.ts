// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-config.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GROUPS,
  SETTINGS,
  checkLlmBaseUrl,
  redactUrl,
  resolveConfig,
  settingHelp,
  settingName,
  type ConfigInput,
  type Setting,
} from '../../src/core/config.js';
import { RagError } from '../../src/core/errors.js';

const input = (over: Partial<ConfigInput> = {}): ConfigInput => ({ flags: {}, env: {}, dotenv: {}, ...over });

function setting(key: string): Setting {
  const s = SETTINGS.find((x) => x.key === key);
  assert.ok(s, `setting ${key}`);
  return s;
}

/** Asserts a usage error (exit 2) with exactly this message (and this hint, when given). */
function throwsUsage(fn: () => unknown, message: string, hint?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RagError, String(e));
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, message);
    if (hint !== undefined) assert.equal(e.hint, hint);
    return true;
  });
}

describe('the settings table: help groups, the settings not pinned elsewhere, conflicts', () => {
  test('help groups are listed Retrieval, Embedding model, Milvus, LLM', () => {
    assert.deepEqual([...GROUPS], ['Retrieval', 'Embedding model', 'Milvus', 'LLM']);
  });

  test('each setting is in its help group (the order of .env.example)', () => {
    const expected: Record<string, string[]> = {
      Milvus: ['milvusUri', 'milvusToken', 'collection', 'lockTimeout', 'milvusTimeout', 'python'],
      'Embedding model': [
        'model',
        'modelPath',
        'cacheDir',
        'hfEndpoint',
        'offline',
        'dtype',
        'queryPrefix',
        'docPrefix',
        'batchSize',
        'batchTokens',
        'split',
      ],
      Retrieval: ['topK', 'search', 'candidates', 'rrfK', 'bm25Weight', 'perFile', 'slotChars'],
      LLM: ['llmBaseUrl', 'llmModel', 'llmApiKey', 'llmTimeout', 'llmRetries'],
    };
    for (const [group, keys] of Object.entries(expected)) {
      assert.deepEqual(
        SETTINGS.filter((s) => s.group === group).map((s) => s.key),
        keys,
        group,
      );
    }
    assert.equal(SETTINGS.length, 29);
  });

  const MORE: [key: string, option: string | undefined, env: string[], kind: string, def: unknown, min?: number][] = [
    ['lockTimeout', '--lock-timeout <seconds>', ['RAG_LOCK_TIMEOUT'], 'number', 60, 0],
    ['milvusTimeout', undefined, ['RAG_MILVUS_TIMEOUT'], 'number', 30, 0.001],
    ['python', undefined, ['RAG_PYTHON'], 'string', undefined],
    ['llmRetries', '--llm-retries <n>', ['RAG_LLM_RETRIES'], 'int', 3, 0],
    ['perFile', '--per-file <n>', ['RAG_PER_FILE'], 'int', 3, 0],
    ['slotChars', '--slot-chars <n>', ['RAG_SLOT_CHARS'], 'int', 4000, 1],
  ];
  for (const [key, option, env, kind, def, min] of MORE) {
    test(`${key}: option, environment, kind, default and minimum`, () => {
      const s = setting(key);
      assert.deepEqual([s.option, [...s.env], s.kind, s.default, s.min], [option, env, kind, def, min]);
    });
  }

  test('--model-path conflicts with --model, and no other option conflicts', () => {
    assert.deepEqual(
      SETTINGS.filter((s) => s.conflicts !== undefined).map((s) => [s.key, s.conflicts]),
      [['modelPath', 'model']],
    );
  });
});

describe('settingName: the long option, else the first environment variable, else the key', () => {
  const cases: [key: string, name: string][] = [
    ['topK', '--top-k'],
    ['milvusUri', '--milvus-uri'],
    ['offline', '--offline'],
    ['llmApiKey', '--llm-api-key'],
    ['hfEndpoint', 'HF_ENDPOINT'],
    ['milvusTimeout', 'RAG_MILVUS_TIMEOUT'],
    ['python', 'RAG_PYTHON'],
  ];
  for (const [key, name] of cases) test(`${key} → ${name}`, () => assert.equal(settingName(setting(key)), name));

  test('an option with only a short name, or a setting with neither option nor variable, is named by its key', () => {
    const base: Setting = { key: 'topK', env: [], kind: 'int', group: 'Retrieval', doc: 'd' };
    assert.equal(settingName({ ...base, option: '-q <n>' }), 'topK');
    assert.equal(settingName(base), 'topK');
    assert.equal(settingName({ ...base, env: ['A', 'B'] }), 'A');
  });
});

describe('settingHelp: the description, then the default and the environment variables', () => {
  const cases: [key: string, help: string][] = [
    ['topK', 'chunks retrieved per question (default: 3; env: RAG_TOP_K)'],
    [
      'bm25Weight',
      'hybrid: weight of the BM25 list in the fusion (the dense list weighs 1) (default: 0.5; env: RAG_BM25_WEIGHT)',
    ],
    // No default at all: only the variable.
    ['milvusToken', 'Milvus token ("user:password") or Zilliz Cloud API key (env: MILVUS_TOKEN)'],
    // A switch: its false default is not shown, its variable is shown as NAME=1.
    ['offline', 'never touch the network for models (env: RAG_OFFLINE=1)'],
    // Several variables, highest priority first.
    ['llmApiKey', 'API key of the endpoint (never printed) (env: RAG_LLM_API_KEY, LEPTONAI_TOKEN, OPENAI_API_KEY)'],
    [
      'llmBaseUrl',
      'OpenAI-compatible endpoint (default: https://mistral-7b.lepton.run/api/v1/; env: RAG_LLM_BASE_URL, OPENAI_BASE_URL)',
    ],
    // A default computed at run time is shown by its text.
    ['cacheDir', 'model download cache (default: $XDG_CACHE_HOME/rag or ~/.cache/rag; env: RAG_CACHE_DIR)'],
    [
      'python',
      "Python that has milvus-lite (runs the embedded Milvus Lite) (default: the project's .venv, else python3; env: RAG_PYTHON)",
    ],
    [
      'hfEndpoint',
      'Hugging Face hub address or mirror for model downloads (HTTPS_PROXY/NO_PROXY are honoured) (default: https://huggingface.co/; env: HF_ENDPOINT)',
    ],
    ['queryPrefix', 'text put before questions (default: from the model table; env: RAG_QUERY_PREFIX)'],
    ['docPrefix', 'text put before documents (default: from the model table; env: RAG_DOC_PREFIX)'],
    [
      'search',
      'retrieval mode: dense, bm25, hybrid (the default falls back to dense on a collection without BM25) (default: hybrid; env: RAG_SEARCH)',
    ],
  ];
  for (const [key, help] of cases) test(key, () => assert.equal(settingHelp(setting(key)), help));

  test('a switch read from several variables names each as NAME=1; a zero default is shown', () => {
    const base: Setting = { key: 'offline', env: ['A', 'B'], kind: 'bool', group: 'LLM', doc: 'd' };
    assert.equal(settingHelp(base), 'd (env: A=1, B=1)');
    assert.equal(settingHelp({ ...base, default: true }), 'd (default: true; env: A=1, B=1)');
    assert.equal(settingHelp({ ...base, kind: 'int', default: 0 }), 'd (default: 0; env: A, B)');
  });
});

describe('resolveConfig parsing: split modes, switch words, blank numbers, typed values', () => {
  test('split: tutorial or sections, trimmed, from a flag, the environment or .env', () => {
    assert.equal(resolveConfig(input({ flags: { split: 'tutorial' } })).config.split, 'tutorial');
    assert.equal(resolveConfig(input({ env: { RAG_SPLIT: ' tutorial ' } })).config.split, 'tutorial');
    assert.equal(resolveConfig(input({ dotenv: { RAG_SPLIT: 'sections' } })).config.split, 'sections');
    assert.equal(resolveConfig(input()).config.split, 'sections');
  });

  test('split: any other value is a usage error naming the modes', () => {
    throwsUsage(
      () => resolveConfig(input({ flags: { split: 'paragraphs' } })),
      '--split must be one of tutorial, sections, got "paragraphs"',
    );
    throwsUsage(
      () => resolveConfig(input({ dotenv: { RAG_SPLIT: 'Sections' } })),
      'RAG_SPLIT in .env must be one of tutorial, sections, got "Sections"',
    );
  });

  test('switch words must match whole: a word that merely ends in "on" or "1" is an error', () => {
    for (const v of ['won', 'neon', '11', 'xyes', 'untrue'])
      throwsUsage(() => resolveConfig(input({ env: { RAG_OFFLINE: v } })), `RAG_OFFLINE must be 1 or 0, got "${v}"`);
  });

  test('a blank number is an error even where 0 is allowed', () => {
    throwsUsage(
      () => resolveConfig(input({ flags: { bm25Weight: '' } })),
      '--bm25-weight must be a number ≥ 0, got ""',
    );
    throwsUsage(
      () => resolveConfig(input({ env: { RAG_LLM_RETRIES: '   ' } })),
      'RAG_LLM_RETRIES must be a whole number ≥ 0, got ""',
    );
    throwsUsage(
      () => resolveConfig(input({ dotenv: { RAG_LOCK_TIMEOUT: ' ' } })),
      'RAG_LOCK_TIMEOUT in .env must be a number ≥ 0, got ""',
    );
    // 0 itself is fine there.
    assert.equal(resolveConfig(input({ flags: { bm25Weight: '0' } })).config.bm25Weight, 0);
    assert.equal(resolveConfig(input({ env: { RAG_LLM_RETRIES: '0' } })).config.llmRetries, 0);
  });

  test('typed values handed in by code are validated like text (numbers are not taken on trust)', () => {
    const typed = (flags: Record<string, unknown>): ConfigInput => input({ flags: flags as ConfigInput['flags'] });
    throwsUsage(() => resolveConfig(typed({ topK: 0 })), '--top-k must be a whole number ≥ 1, got "0"');
    throwsUsage(() => resolveConfig(typed({ batchSize: 2.5 })), '--batch-size must be a whole number ≥ 1, got "2.5"');
    throwsUsage(
      () => resolveConfig(typed({ llmTimeout: Number.NaN })),
      '--llm-timeout must be a number ≥ 0.001, got "NaN"',
    );
    assert.equal(resolveConfig(typed({ bm25Weight: 0.25 })).config.bm25Weight, 0.25);
    // A switch value for a setting that takes text is read as text.
    assert.equal(resolveConfig(typed({ collection: true })).config.collection, 'true');
    throwsUsage(() => resolveConfig(typed({ topK: true })), '--top-k must be a whole number ≥ 1, got "true"');
  });
});

describe('redactUrl: the user:password part of a URL is hidden', () => {
  const cases: [url: string, shown: string][] = [
    ['https://user:pw@host/v1', 'https://***@host/v1'],
    ['http://token@h:8080/', 'http://***@h:8080/'],
    ['https://@host/', 'https://***@host/'],
    // No credentials: unchanged, also with an @ in the path or query.
    ['https://host/v1', 'https://host/v1'],
    ['https://host/a@b', 'https://host/a@b'],
    ['https://host/?u=a@b', 'https://host/?u=a@b'],
    ['not a url', 'not a url'],
  ];
  for (const [url, shown] of cases) test(`${url} → ${shown}`, () => assert.equal(redactUrl(url), shown));
});

describe('checkLlmBaseUrl: a full http(s) URL, else a usage error that hides credentials', () => {
  const ok = [
    'https://mistral-7b.lepton.run/api/v1/',
    'http://localhost:8080/v1',
    'HTTP://host',
    'https://user:pw@host/v1',
  ];
  for (const url of ok) test(`accepts ${url}`, () => assert.doesNotThrow(() => checkLlmBaseUrl(url)));

  const HINT = 'pass a full URL such as https://host/api/v1 with --llm-base-url';
  const bad: [url: string, message: string][] = [
    ['localhost:8080/v1', 'invalid LLM base URL: localhost:8080/v1'],
    ['ftp://host/v1', 'invalid LLM base URL: ftp://host/v1'],
    ['xhttp://host', 'invalid LLM base URL: xhttp://host'],
    ['httpx://host', 'invalid LLM base URL: httpx://host'],
    ['not a url', 'invalid LLM base URL: not a url'],
    ['', 'invalid LLM base URL: '],
    ['ws://user:pw@host/', 'invalid LLM base URL: ws://***@host/'],
  ];
  for (const [url, message] of bad)
    test(`rejects ${JSON.stringify(url)}`, () => throwsUsage(() => checkLlmBaseUrl(url), message, HINT));
});
