// Pinned values of the pure core, derived by hand here (not from src): chunk ids, the settings table, prompt and eval output.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { chunkId, cutAt, HeadingSplitter } from '../../src/core/chunk.js';
import { SETTINGS, isServerUri, mask, resolveConfig, type ConfigInput } from '../../src/core/config.js';
import { RagError } from '../../src/core/errors.js';
import {
  checkThresholds,
  chunkTitle,
  describeCheck,
  isRelevant,
  relevantRank,
  summarize,
  xmlEscape,
  type ModeReport,
  type QuestionResult,
} from '../../src/core/eval.js';
import {
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_USER_TEMPLATE,
  buildMessages,
  validateTemplate,
} from '../../src/core/prompt.js';

// ── Chunk ids: an on-disk contract. ─────────────────────────────────────────────────────────────────────────────
// PINNED CHUNK IDS (update here, and only here, when the id definition changes on purpose: that re-embeds every
// stored chunk). Current definition: the first 8 bytes of sha256(source "\0" position "." part "\0" text), big-endian,
// top bit cleared, as a decimal string (part 0 here; test/unit/chunk.test.ts pins a part other than 0).
describe('chunkId (pinned)', () => {
  const PINNED: [source: string, position: number, text: string, id: string][] = [
    ['docs/bees.md', 3, 'How do bees make honey?\n\nThey evaporate nectar.\n', '381019156093213957'], // top bit cleared
    ['a.md', 0, '', '6597998826811687241'],
    ['é/数据.md', 12345, '🚀 x', '3733062105465013223'], // UTF-8 throughout
    ['a.md', 1, 'text', '3002642047426066950'],
    ['a.md', 0, 'text', '7218165406394825464'],
  ];

  /** The definition above, computed another way: one buffer, the hex digest, BigInt arithmetic. */
  function byHand(source: string, position: number, text: string): string {
    const hex = createHash('sha256')
      .update(Buffer.from(`${source}\0${position}.0\0${text}`, 'utf8'))
      .digest('hex');
    return (BigInt(`0x${hex.slice(0, 16)}`) % 2n ** 63n).toString();
  }

  test('known ids, equal to the definition computed by hand', () => {
    for (const [source, position, text, id] of PINNED) {
      assert.equal(byHand(source, position, text), id, `the pinned literal for ${source} #${position}`);
      assert.equal(chunkId(source, position, 0, text), id, `${source} #${position}`);
    }
  });
});

// ── Splitting. ──────────────────────────────────────────────────────────────────────────────────────────────────
describe('HeadingSplitter and cutAt, exact pieces', () => {
  async function split(parts: string[], maxBytes: number, separator?: string): Promise<[string, boolean][]> {
    const out: [string, boolean][] = [];
    for await (const p of new HeadingSplitter(maxBytes, separator).split(parts)) out.push([p.text, p.cut]);
    return out;
  }

  test('cutAt: the last space or line break in the second half; else the byte limit', () => {
    assert.deepEqual(cutAt('abc', 3), ['abc', '']);
    assert.deepEqual(cutAt('abcd', 3), ['abc', 'd']);
    assert.deepEqual(cutAt('aaaa bbbb', 7), ['aaaa ', 'bbbb']);
    assert.deepEqual(cutAt('aaaa\nbbbb', 7), ['aaaa\n', 'bbbb']);
    assert.deepEqual(cutAt('a bbbbbbbbb', 8), ['a bbbbbb', 'bbb'], 'a break in the first half is not used');
    assert.deepEqual(cutAt('aaaa bbbbbb', 8), ['aaaa bbb', 'bbb'], 'a break exactly at half is not used');
    assert.deepEqual(cutAt('aaaaa bbbbb', 8), ['aaaaa ', 'bbbbb'], 'a break just after half is used');
    assert.deepEqual(cutAt('ab cd ef gh', 9), ['ab cd ef ', 'gh'], 'the last break wins');
    assert.deepEqual(cutAt('abcd\nef gh', 9), ['abcd\nef ', 'gh'], 'a space after a line break wins');
    assert.deepEqual(cutAt('abcd ef\ngh', 9), ['abcd ef\n', 'gh'], 'a line break after a space wins');
    assert.deepEqual(cutAt('aé', 2), ['a', 'é'], 'not inside a 2-byte character');
    assert.deepEqual(cutAt('a🚀b', 4), ['a', '🚀b'], 'not inside a 4-byte character');
    assert.deepEqual(cutAt('a🚀b', 5), ['a🚀', 'b']);
  });

  test('pieces, cut flags and a custom separator', async () => {
    assert.deepEqual(await split(['# A\n# B\n'], 100), [
      ['A\n', false],
      ['B\n', false],
    ]);
    assert.deepEqual(await split(['x## y'], 100, '## '), [
      ['x', false],
      ['y', false],
    ]);
    assert.deepEqual(await split(['# aaaa bbbb\n# c'], 7), [
      ['aaaa ', true],
      ['bbbb\n', true],
      ['c', false],
    ]);
    // The tail of an over-long piece is marked cut, as is the next part of a stream cut before its separator.
    assert.deepEqual(await split(['# ', 'a'.repeat(10), 'a'.repeat(10), '# b'], 8), [
      ['aaaaaaaa', true],
      ['aaaaaaaa', true],
      ['aaaa', true],
      ['b', false],
    ]);
    assert.deepEqual(await split(['# x\n', '   ', '# y'], 100), [
      ['x\n   ', false],
      ['y', false],
    ]);
    assert.deepEqual(
      await split(['#', ' a#', ' b'], 100),
      [
        ['a', false],
        ['b', false],
      ],
      'a separator across stream parts',
    );
  });

  test('blank cut pieces are dropped', async () => {
    assert.deepEqual(await split([`# ${' '.repeat(20)}# z`], 8), [['z', false]]);
  });
});

// ── Config. ─────────────────────────────────────────────────────────────────────────────────────────────────────
/** Commander's camel-cased flag name of an option spec: '-k, --top-k <n>' → 'topK'. */
function flagOf(option: string | undefined): string | undefined {
  const long = option ? /--([a-z0-9-]+)/.exec(option)?.[1] : undefined;
  return long?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

describe('the settings table (pinned: names, flags, environment variables, kinds, defaults, minimums)', () => {
  const EXPECTED: [key: string, flag: string | undefined, env: string[], kind: string, def: unknown, min?: number][] = [
    ['milvusUri', 'milvusUri', ['MILVUS_URI'], 'string', './milvus.db'],
    ['milvusToken', 'milvusToken', ['MILVUS_TOKEN'], 'string', undefined],
    ['collection', 'collection', ['RAG_COLLECTION'], 'string', 'my_rag_collection'],
    ['model', 'model', ['RAG_EMBED_MODEL'], 'string', 'Xenova/all-mpnet-base-v2'],
    ['modelPath', 'modelPath', ['RAG_MODEL_PATH'], 'string', undefined],
    ['cacheDir', 'cacheDir', ['RAG_CACHE_DIR'], 'string', undefined],
    ['hfEndpoint', undefined, ['HF_ENDPOINT'], 'string', undefined],
    ['offline', 'offline', ['RAG_OFFLINE'], 'bool', false],
    ['dtype', 'dtype', ['RAG_DTYPE'], 'string', 'fp32'],
    ['queryPrefix', 'queryPrefix', ['RAG_QUERY_PREFIX'], 'string', undefined],
    ['docPrefix', 'docPrefix', ['RAG_DOC_PREFIX'], 'string', undefined],
    ['batchSize', 'batchSize', ['RAG_BATCH_SIZE'], 'int', 32, 1],
    ['batchTokens', 'batchTokens', ['RAG_BATCH_TOKENS'], 'int', 1024, 1],
    ['split', 'split', ['RAG_SPLIT'], 'split', 'sections'],
    ['topK', 'topK', ['RAG_TOP_K'], 'int', 3, 1],
    ['search', 'search', ['RAG_SEARCH'], 'mode', 'hybrid'],
    ['candidates', 'candidates', ['RAG_CANDIDATES'], 'int', 20, 1],
    ['rrfK', 'rrfK', ['RAG_RRF_K'], 'int', 60, 1],
    ['bm25Weight', 'bm25Weight', ['RAG_BM25_WEIGHT'], 'number', 0.5, 0],
    [
      'llmBaseUrl',
      'llmBaseUrl',
      ['RAG_LLM_BASE_URL', 'OPENAI_BASE_URL'],
      'string',
      'https://mistral-7b.lepton.run/api/v1/',
    ],
    ['llmModel', 'llmModel', ['RAG_LLM_MODEL'], 'string', 'mistral-7b'],
    ['llmApiKey', 'llmApiKey', ['RAG_LLM_API_KEY', 'LEPTONAI_TOKEN', 'OPENAI_API_KEY'], 'string', undefined],
    ['llmTimeout', 'llmTimeout', ['RAG_LLM_TIMEOUT'], 'number', 60, 0.001],
  ];

  test('each setting as documented', () => {
    for (const [key, flag, env, kind, def, min] of EXPECTED) {
      const s = SETTINGS.find((x) => x.key === key);
      assert.ok(s, key);
      assert.deepEqual([flagOf(s.option), [...s.env], s.kind, s.default, s.min], [flag, env, kind, def, min], key);
    }
    assert.deepEqual(
      SETTINGS.filter((s) => s.secret)
        .map((s) => s.key)
        .sort(),
      ['llmApiKey', 'milvusToken'],
    );
  });

  test('every setting has a description', () => {
    for (const s of SETTINGS) assert.ok(s.doc.trim().length > 10, s.key);
  });

  test('the defaults are what resolveConfig gives with nothing set', () => {
    const { config, sources } = resolveConfig({ flags: {}, env: {}, dotenv: {} });
    for (const [key, , , , def] of EXPECTED) {
      assert.equal((config as unknown as Record<string, unknown>)[key], def, key);
      assert.deepEqual(sources[key as keyof typeof sources], { from: 'default' }, key);
    }
  });
});

describe('resolveConfig conversions and provenance', () => {
  const input = (over: Partial<ConfigInput> = {}): ConfigInput => ({ flags: {}, env: {}, dotenv: {}, ...over });
  const usage = (i: ConfigInput, message: string): void => {
    assert.throws(
      () => resolveConfig(i),
      (e: unknown) => e instanceof RagError && e.exitCode === 2 && e.message === message,
    );
  };

  test('booleans: 1/true/yes/on and 0/false/no/off/empty, any case, spaces trimmed; flags pass booleans through', () => {
    for (const v of ['1', 'true', 'TRUE', 'Yes', 'on', ' on '])
      assert.equal(resolveConfig(input({ env: { RAG_OFFLINE: v } })).config.offline, true, v);
    for (const v of ['0', 'false', 'No', 'OFF', ' 0 '])
      assert.equal(resolveConfig(input({ env: { RAG_OFFLINE: v } })).config.offline, false, v);
    assert.equal(resolveConfig(input({ dotenv: { RAG_OFFLINE: ' ' } })).config.offline, false, 'blank');
    assert.equal(resolveConfig(input({ flags: { offline: true } })).config.offline, true);
    assert.equal(resolveConfig(input({ flags: { offline: false }, env: { RAG_OFFLINE: '1' } })).config.offline, false);
    usage(input({ env: { RAG_OFFLINE: 'yesno' } }), 'RAG_OFFLINE must be 1 or 0, got "yesno"');
    usage(input({ env: { RAG_OFFLINE: 'truely' } }), 'RAG_OFFLINE must be 1 or 0, got "truely"');
  });

  test('numbers: trimmed, whole numbers for int settings, minimums inclusive, messages name the flag', () => {
    assert.equal(resolveConfig(input({ flags: { topK: ' 7 ' } })).config.topK, 7);
    assert.equal(resolveConfig(input({ flags: { topK: 1 } as unknown as ConfigInput['flags'] })).config.topK, 1);
    assert.equal(resolveConfig(input({ flags: { topK: '1' } })).config.topK, 1, 'the minimum itself');
    assert.equal(resolveConfig(input({ flags: { llmTimeout: '0.5' } })).config.llmTimeout, 0.5);
    assert.equal(
      resolveConfig(input({ flags: { llmTimeout: '0.001' } })).config.llmTimeout,
      0.001,
      'the minimum itself',
    );
    assert.equal(resolveConfig(input({ env: { RAG_RRF_K: '1e1' } })).config.rrfK, 10);
    usage(input({ flags: { batchSize: '' } }), '--batch-size must be a whole number ≥ 1, got ""');
    usage(input({ flags: { rrfK: 'Infinity' } }), '--rrf-k must be a whole number ≥ 1, got "Infinity"');
    usage(input({ flags: { llmTimeout: 'x' } }), '--llm-timeout must be a number ≥ 0.001, got "x"');
    usage(input({ flags: { llmTimeout: '0.0001' } }), '--llm-timeout must be a number ≥ 0.001, got "0.0001"');
    usage(input({ flags: { llmApiKey: 'k', topK: '2.5' } }), '--top-k must be a whole number ≥ 1, got "2.5"');
    usage(input({ dotenv: { RAG_CANDIDATES: '0' } }), 'RAG_CANDIDATES in .env must be a whole number ≥ 1, got "0"');
  });

  test('modes and strings: modes trimmed, strings kept exactly', () => {
    assert.equal(resolveConfig(input({ env: { RAG_SEARCH: ' bm25 ' } })).config.search, 'bm25');
    assert.equal(resolveConfig(input({ flags: { search: 'dense' } })).config.search, 'dense');
    usage(input({ flags: { search: 'Dense' } }), '--search must be one of dense, bm25, hybrid, got "Dense"');
    assert.equal(resolveConfig(input({ flags: { collection: ' c ' } })).config.collection, ' c ');
    assert.equal(resolveConfig(input({ env: { RAG_QUERY_PREFIX: 'q: ' } })).config.queryPrefix, 'q: ');
  });

  test('where each value came from, with the variable name', () => {
    const r = resolveConfig(
      input({
        flags: { topK: '4' },
        env: { OPENAI_API_KEY: 'k', RAG_COLLECTION: '' },
        dotenv: { RAG_COLLECTION: 'c', MILVUS_URI: '' },
      }),
    );
    assert.deepEqual(r.sources.topK, { from: 'flag' });
    assert.deepEqual(r.sources.llmApiKey, { from: 'env', name: 'OPENAI_API_KEY' });
    assert.deepEqual(r.sources.collection, { from: '.env', name: 'RAG_COLLECTION' });
    assert.deepEqual(r.sources.milvusUri, { from: 'default' });
    assert.equal(r.config.milvusUri, './milvus.db');
    // A setting without a flag ignores a flag of the same name.
    const h = resolveConfig(input({ flags: { hfEndpoint: 'http://flag' }, env: { HF_ENDPOINT: 'http://env' } }));
    assert.equal(h.config.hfEndpoint, 'http://env');
  });

  test('mask and isServerUri', () => {
    assert.equal(mask(undefined), '(not set)');
    assert.equal(mask(''), '(not set)');
    assert.equal(mask('sk-1'), '**** (set)');
    for (const u of ['http://h', 'HTTPS://h', 'tcp://h:19530', 'grpc://h']) assert.equal(isServerUri(u), true, u);
    for (const u of ['x/http://h', 'ftp://h', 'http:/h', 'milvus.db']) assert.equal(isServerUri(u), false, u);
  });
});

// ── Prompt. ─────────────────────────────────────────────────────────────────────────────────────────────────────
describe('prompt (pinned texts)', () => {
  test('the tutorial prompts, byte for byte', () => {
    assert.equal(
      DEFAULT_SYSTEM_PROMPT,
      '\nHuman: You are an AI assistant. You are able to find answers to the questions from the contextual passage snippets provided.\n',
    );
    assert.equal(
      DEFAULT_USER_TEMPLATE,
      '\nUse the following pieces of information enclosed in <context> tags to provide an answer to the question enclosed in <question> tags.\n<context>\n{context}\n</context>\n<question>\n{question}\n</question>\n',
    );
  });

  test('messages: contexts joined by a line break, every placeholder filled, values literal', () => {
    assert.deepEqual(
      buildMessages({
        question: 'Q $& $1',
        contexts: ['a', 'b'],
        systemPrompt: 'S',
        userTemplate: '{question}|{context}|{question}',
      }),
      [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Q $& $1|a\nb|Q $& $1' },
      ],
    );
    assert.equal(
      buildMessages({
        question: '{context}',
        contexts: ['{question}'],
        userTemplate: '[{context}] [{question}] {other}',
      })[1]?.content,
      '[{question}] [{context}] {other}',
    );
    assert.equal(
      buildMessages({ question: 'q', contexts: [] })[1]?.content,
      DEFAULT_USER_TEMPLATE.replace('{context}', '').replace('{question}', 'q'),
    );
    assert.equal(buildMessages({ question: 'q', contexts: [] })[0]?.content, DEFAULT_SYSTEM_PROMPT);
  });

  test('a template without its placeholders: exit 2, naming exactly what is missing', () => {
    const fails = (t: string, message: string): void => {
      assert.throws(
        () => validateTemplate(t),
        (e: unknown) =>
          e instanceof RagError &&
          e.exitCode === 2 &&
          e.message === message &&
          /\{context\}.*\{question\}/.test(e.hint ?? ''),
      );
      assert.throws(() => buildMessages({ question: 'q', contexts: [], userTemplate: t }), RagError);
    };
    fails('{context}', 'the prompt template lacks the placeholder {question}');
    fails('{question}', 'the prompt template lacks the placeholder {context}');
    fails('nothing', 'the prompt template lacks the placeholders {context} and {question}');
    assert.doesNotThrow(() => validateTemplate('{question}{context}'));
  });
});

// ── Eval. ───────────────────────────────────────────────────────────────────────────────────────────────────────
describe('eval metrics and report (values worked out by hand)', () => {
  test('relevance and ranks', () => {
    assert.equal(isRelevant('abc', ['x', 'b']), true);
    assert.equal(isRelevant('abc', ['x']), false);
    assert.equal(isRelevant('abc', []), false);
    const h = [{ text: 'no' }, { text: 'no' }, { text: 'yes' }];
    assert.equal(relevantRank(h, ['yes'], 3), 3);
    assert.equal(relevantRank(h, ['yes'], 2), null, 'beyond k');
    assert.equal(relevantRank(h, ['yes'], 10), 3, 'k beyond the hits');
    assert.equal(relevantRank([{ text: 'yes' }, { text: 'yes' }], ['yes'], 2), 1, 'the first relevant one');
    assert.equal(relevantRank([], ['yes'], 3), null);
  });

  test('summary: hit@1, hit@k, MRR@k, misses, mean times', () => {
    const mk = (rank: number | null, embed = 0, search = 0): QuestionResult => ({
      line: 1,
      question: 'q',
      expect: ['x'],
      rank,
      hits: [],
      embed,
      search,
    });
    assert.deepEqual(summarize([mk(1, 1, 2), mk(2, 3, 4), mk(3), mk(null)], 2), {
      questions: 4,
      k: 2,
      hit1: 0.25,
      hitK: 0.5,
      mrr: (1 + 1 / 2) / 4,
      misses: 2,
      embed: 1,
      search: 1.5,
    });
    assert.deepEqual(summarize([], 3), {
      questions: 0,
      k: 3,
      hit1: 0,
      hitK: 0,
      mrr: 0,
      misses: 0,
      embed: 0,
      search: 0,
    });
  });

  test('thresholds: inclusive (with a tiny tolerance), for every mode, in a fixed order', () => {
    const rep = (mode: 'dense' | 'bm25', hit1: number, hitK: number, mrr: number): ModeReport => ({
      mode,
      results: [],
      metrics: { questions: 3, k: 3, hit1, hitK, mrr, misses: 0, embed: 0, search: 0 },
    });
    const checks = checkThresholds([rep('dense', 0.5, 2 / 3, 0.7), rep('bm25', 0.4, 0.6, 0.7 - 1e-12)], {
      minHit1: 0.5,
      minHit: 2 / 3,
      minMrr: 0.7,
    });
    assert.deepEqual(
      checks.map((c) => [c.mode, c.metric, c.flag, c.min, c.passed]),
      [
        ['dense', 'hit@1', '--min-hit1', 0.5, true],
        ['dense', 'hit@3', '--min-hit', 2 / 3, true],
        ['dense', 'MRR@3', '--min-mrr', 0.7, true],
        ['bm25', 'hit@1', '--min-hit1', 0.5, false],
        ['bm25', 'hit@3', '--min-hit', 2 / 3, false],
        ['bm25', 'MRR@3', '--min-mrr', 0.7, true],
      ],
    );
    assert.deepEqual(
      checks.map((c) => c.value),
      [0.5, 2 / 3, 0.7, 0.4, 0.6, 0.7 - 1e-12],
    );
    assert.deepEqual(checkThresholds([rep('dense', 1, 1, 1)], {}), []);
    assert.equal(
      checkThresholds([rep('dense', 0.5 - 1e-6, 1, 1)], { minHit1: 0.5 })[0]?.passed,
      false,
      'beyond the tolerance',
    );
    assert.equal(describeCheck(checks[1] as never), 'hit@3 0.667 ≥ --min-hit 0.6666666666666666 (dense)');
    assert.equal(describeCheck(checks[3] as never), 'hit@1 0.400 < --min-hit1 0.5 (bm25)');
  });

  test('chunk titles and XML escaping', () => {
    assert.equal(chunkTitle('\n  \n## Title  \nbody'), 'Title');
    assert.equal(chunkTitle('#no space'), 'no space');
    assert.equal(chunkTitle(''), '');
    assert.equal(chunkTitle('x'.repeat(70)), 'x'.repeat(70));
    assert.equal(chunkTitle('x'.repeat(71)), `${'x'.repeat(69)}…`);
    assert.equal(chunkTitle('abcdef', 4), 'abc…');
    assert.equal(chunkTitle('a # b'), 'a # b');
    assert.equal(
      xmlEscape(`a&b<c>d"e'f\tg\nh\ri\u0001j\uD800k😀`),
      'a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i\uFFFDj\uFFFDk😀',
    );
    assert.equal(xmlEscape('&&<<'), '&amp;&amp;&lt;&lt;');
  });
  // JUnit XML changed shape (thresholds are the test cases): test/unit/eval.test.ts checks it with a strict parser.
});
