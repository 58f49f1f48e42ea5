// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-eval.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RagError } from '../../src/core/errors.js';
import {
  checkThresholds,
  evaluate,
  junitXml,
  parseQuestions,
  relevantRank,
  type EvalQuestion,
  type EvaluateOptions,
  type ModeReport,
  type QuestionResult,
  type ThresholdCheck,
} from '../../src/core/eval.js';
import type { Embedder, SearchHit, SearchMode, VectorStore } from '../../src/core/types.js';

/** Asserts that fn throws a RagError with this message, exit code and hint. */
function throwsRag(fn: () => unknown, message: string | RegExp, exitCode: number, hint?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RagError, String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.exitCode, exitCode);
    if (hint !== undefined) assert.equal(e.hint, hint);
    return true;
  });
}

describe('parseQuestions: what a line may hold', () => {
  test('a malformed line carries the format as its hint', () => {
    throwsRag(
      () => parseQuestions('[1]', 'q.jsonl'),
      'q.jsonl line 1: expected a JSON object',
      2,
      'one JSON object a line: {"question": "...", "expect": ["text that a relevant chunk contains", ...]}',
    );
    throwsRag(
      () => parseQuestions('', 'none.jsonl'),
      'none.jsonl has no questions',
      2,
      'one JSON object a line: {"question": "...", "expect": ["text that a relevant chunk contains", ...]}',
    );
  });

  test('the JSON error is quoted whole, as JSON.parse words it', () => {
    const line = '{"question": "a", "expect": ["x"';
    let parserMessage = '';
    try {
      JSON.parse(line);
    } catch (e) {
      parserMessage = (e as Error).message;
    }
    assert.ok(parserMessage.length > 1 && !parserMessage.includes('\n'), parserMessage);
    throwsRag(() => parseQuestions(line, 'q.jsonl'), `q.jsonl line 1: not valid JSON (${parserMessage})`, 2);
  });

  test('null is not an object', () => {
    throwsRag(() => parseQuestions('null', 'q.jsonl'), 'q.jsonl line 1: expected a JSON object', 2);
  });

  test('only a byte order mark at the very start is dropped; one inside a question stays', () => {
    assert.deepEqual(parseQuestions('{"question": "a\uFEFFb", "expect": ["x"]}', 'q.jsonl'), [
      { line: 1, question: 'a\uFEFFb', expect: ['x'] },
    ]);
  });

  test('only a carriage return at the end of a line is dropped; a raw one inside a string is invalid JSON', () => {
    throwsRag(
      () => parseQuestions('{"question": "a\rb", "expect": ["x"]}\r', 'q.jsonl'),
      /^q\.jsonl line 1: not valid JSON/,
      2,
    );
  });
});

describe('relevantRank: a hole in the hit list', () => {
  test('counts as an empty, irrelevant chunk', () => {
    const hits: { text: string }[] = [];
    hits[1] = { text: 'yes' };
    assert.equal(hits.length, 2);
    assert.equal(relevantRank(hits, ['e'], 2), 2);
    assert.equal(relevantRank(hits, ['e'], 1), null);
  });
});

describe('checkThresholds: the tolerance is inclusive', () => {
  test('a value exactly the tolerance below the minimum still passes', () => {
    const value = 0.5 - 1e-9;
    const rep: ModeReport = {
      mode: 'dense',
      results: [],
      metrics: { questions: 2, k: 3, hit1: value, hitK: 1, mrr: 1, misses: 0, embed: 0, search: 0 },
    };
    const [c] = checkThresholds([rep], { minHit1: 0.5 });
    assert.deepEqual(c, { mode: 'dense', metric: 'hit@1', flag: '--min-hit1', min: 0.5, value, passed: true });
  });
});

// ── evaluate() over a fake store and embedder: the retrieval itself is retrieve()'s, tested elsewhere. ───────────────

type Lists = Record<string, { dense: string[]; bm25: string[] }>;

function unused(): never {
  throw new Error('not used by evaluate');
}

function hitOf(text: string, i: number): SearchHit {
  return { id: `${text}-${i}`, source: `${text}.md`, position: i, part: 0, text, score: 1 - i / 10 };
}

/** A store whose lists are given per question, and a log of the searches (`dense:question`, `bm25:question`). */
function fake(lists: Lists): { store: VectorStore; embedder: Embedder; log: string[] } {
  const log: string[] = [];
  let embedded = '';
  const embedder: Embedder = {
    info: {
      model: 'fake',
      dim: 1,
      queryPrefix: '',
      docPrefix: '',
      pooling: 'mean',
      dtype: 'fp32',
      maxTokens: 512,
    },
    docTokenBudget: 510,
    countTokens: unused,
    embedDocs: unused,
    embedQuery: async (text: string) => {
      embedded = text;
      return [1];
    },
    close: async () => undefined,
  };
  const store: VectorStore = {
    describe: unused,
    features: unused,
    create: unused,
    drop: unused,
    listChunks: unused,
    vectorsByKey: unused,
    partsOf: unused,
    upsert: unused,
    deleteIds: unused,
    count: unused,
    search: async (_collection, query) => {
      const question = query.kind === 'bm25' ? query.text : embedded;
      log.push(`${query.kind}:${question}`);
      const texts = lists[question]?.[query.kind] ?? [];
      return texts.map(hitOf);
    },
    close: async () => undefined,
  };
  return { store, embedder, log };
}

const LISTS: Lists = {
  'alpha?': { dense: ['A1', 'x', 'y'], bm25: ['x', 'y', 'A2'] },
  'beta?': { dense: ['x', 'B1', 'y'], bm25: ['B2', 'x', 'y'] },
};
const QUESTIONS: EvalQuestion[] = [
  { line: 1, question: 'alpha?', expect: ['A'] },
  { line: 4, question: 'beta?', expect: ['B'] },
];

function options(f: { store: VectorStore; embedder: Embedder }, k: number, extra: Partial<EvaluateOptions> = {}) {
  return {
    store: f.store,
    embedder: f.embedder,
    collection: 'c',
    topK: 3,
    rrfK: 60,
    candidates: 3,
    collapse: false,
    k,
    ...extra,
  } satisfies EvaluateOptions;
}

/** What a result says, without its timings (which are measured). */
function shape(r: QuestionResult): [number, string, string[], number | null, string[]] {
  assert.ok(Number.isFinite(r.embed) && r.embed >= 0, String(r.embed));
  assert.ok(Number.isFinite(r.search) && r.search >= 0, String(r.search));
  return [r.line, r.question, r.expect, r.rank, r.hits.map((h) => h.text)];
}

describe('evaluate', () => {
  test('one warm-up per mode, then the modes take turns per question; ranks within k, metrics per mode', async () => {
    const f = fake(LISTS);
    const progress: [number, number][] = [];
    const reports = await evaluate(
      QUESTIONS,
      ['dense', 'bm25'],
      options(f, 2, { onProgress: (done, total) => progress.push([done, total]) }),
    );
    assert.deepEqual(f.log, [
      'dense:alpha?', // warm-up, once per mode, with the first question
      'bm25:alpha?',
      'dense:alpha?', // question 1: dense first
      'bm25:alpha?',
      'bm25:beta?', // question 2: bm25 first
      'dense:beta?',
    ]);
    assert.deepEqual(progress, [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    assert.deepEqual(
      reports.map((r) => r.mode),
      ['dense', 'bm25'],
    );
    const [dense, bm25] = reports;
    assert.deepEqual(dense?.results.map(shape), [
      [1, 'alpha?', ['A'], 1, ['A1', 'x', 'y']],
      [4, 'beta?', ['B'], 2, ['x', 'B1', 'y']],
    ]);
    assert.deepEqual(bm25?.results.map(shape), [
      [1, 'alpha?', ['A'], null, ['x', 'y', 'A2']], // relevant only at 3, beyond k = 2
      [4, 'beta?', ['B'], 1, ['B2', 'x', 'y']],
    ]);
    const { embed: _e1, search: _s1, ...dm } = dense?.metrics ?? unused();
    const { embed: _e2, search: _s2, ...bm } = bm25?.metrics ?? unused();
    assert.deepEqual(dm, { questions: 2, k: 2, hit1: 0.5, hitK: 1, mrr: 0.75, misses: 0 });
    assert.deepEqual(bm, { questions: 2, k: 2, hit1: 0.5, hitK: 0.5, mrr: 0.5, misses: 1 });
  });

  test('runs without a progress callback or a signal; k may equal topK', async () => {
    const f = fake(LISTS);
    const reports = await evaluate(QUESTIONS, ['bm25'], options(f, 3));
    assert.deepEqual(f.log, ['bm25:alpha?', 'bm25:alpha?', 'bm25:beta?']);
    assert.deepEqual(
      reports[0]?.results.map((r) => r.rank),
      [3, 1],
    );
  });

  test('no questions: no retrieval, an empty report per mode', async () => {
    const f = fake(LISTS);
    const reports = await evaluate([], ['dense', 'hybrid'], options(f, 2));
    assert.deepEqual(f.log, []);
    const zero = { questions: 0, k: 2, hit1: 0, hitK: 0, mrr: 0, misses: 0, embed: 0, search: 0 };
    assert.deepEqual(reports, [
      { mode: 'dense', metrics: zero, results: [] },
      { mode: 'hybrid', metrics: zero, results: [] },
    ]);
  });

  test('k larger than topK is refused before any retrieval', async () => {
    const f = fake(LISTS);
    await assert.rejects(evaluate(QUESTIONS, ['dense'], options(f, 4)), (e: unknown) => {
      assert.ok(e instanceof RagError, String(e));
      assert.equal(e.message, 'k (4) is larger than the chunks retrieved (3)');
      assert.equal(e.exitCode, 1);
      return true;
    });
    assert.deepEqual(f.log, []);
  });

  test('an abort stops before the next question and rejects without a report', async () => {
    const f = fake(LISTS);
    const ac = new AbortController();
    const modes: SearchMode[] = ['dense', 'bm25'];
    const run = evaluate(
      QUESTIONS,
      modes,
      options(f, 2, { signal: ac.signal, onProgress: (done) => (done === 1 ? ac.abort() : undefined) }),
    );
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof RagError, String(e));
      assert.equal(e.message, 'interrupted: no report written');
      assert.equal(e.hint, 'run the same command again');
      return true;
    });
    assert.deepEqual(f.log, ['dense:alpha?', 'bm25:alpha?', 'dense:alpha?']);
  });
});

// ── JUnit XML, byte for byte (the strict-parser test in eval.test.ts is skipped under npm run mutate). ─────────────────

function hitAt(source: string, position: number, score: number, text: string): SearchHit {
  return { id: `${source}#${position}`, source, position, part: 0, text, score };
}

describe('junitXml, byte for byte', () => {
  // dense: a hit at 1 and a miss (3 chunks retrieved, k = 2); bm25: a miss with nothing retrieved and a hit at 2.
  // Times are binary fractions, so that sums are exact: dense 0.25 + 0.5 + 0.125 + 0.0625, bm25 0.25 + 0.125.
  const dense: ModeReport = {
    mode: 'dense',
    metrics: { questions: 2, k: 2, hit1: 0.5, hitK: 0.5, mrr: 0.5, misses: 1, embed: 0.1875, search: 0.28125 },
    results: [
      {
        line: 1,
        question: 'Where?',
        expect: ['here'],
        rank: 1,
        hits: [hitAt('a.md', 0, 0.9, 'here it is')],
        embed: 0.25,
        search: 0.5,
      },
      {
        line: 3,
        question: 'Tab\there <b>?',
        expect: ['needle', 'say "hi"'],
        rank: null,
        hits: [
          hitAt('x.md', 4, 0.875, '## First & best\nbody'),
          hitAt('y.md', 0, 0.5, '\n\nplain line'),
          hitAt('z.md', 2, 0.25, 'beyond k'),
        ],
        embed: 0.125,
        search: 0.0625,
      },
    ],
  };
  const bm25: ModeReport = {
    mode: 'bm25',
    metrics: { questions: 2, k: 2, hit1: 0, hitK: 0.5, mrr: 0.25, misses: 1, embed: 0, search: 0.1875 },
    results: [
      { line: 1, question: 'Where?', expect: ['here'], rank: null, hits: [], embed: 0, search: 0.25 },
      {
        line: 3,
        question: 'Tab\there <b>?',
        expect: ['needle'],
        rank: 2,
        hits: [hitAt('p.md', 1, 3, 'nope'), hitAt('q.md', 0, 2, 'a needle')],
        embed: 0,
        search: 0.125,
      },
    ],
  };
  // Thresholds only for dense (one failing, two passing): bm25 gets the single passing "evaluated" case.
  const checks: ThresholdCheck[] = [
    { mode: 'dense', metric: 'hit@1', flag: '--min-hit1', min: 0.75, value: 0.5, passed: false },
    { mode: 'dense', metric: 'hit@2', flag: '--min-hit', min: 0.5, value: 0.5, passed: true },
    { mode: 'dense', metric: 'MRR@2', flag: '--min-mrr', min: 0.25, value: 0.5, passed: true },
  ];
  const file = 'dir/q&a "1".jsonl';
  const fileAttr = 'dir/q&amp;a &quot;1&quot;.jsonl';

  test('suites per mode with their properties, a test case per threshold, the misses in system-out', () => {
    const expected = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="rag eval ${fileAttr}" tests="4" failures="1" errors="0" time="1.312500">`,
      '  <testsuite name="rag eval dense" tests="3" failures="1" errors="0" skipped="0" time="0.937500">',
      '    <properties>',
      `      <property name="file" value="${fileAttr}"/>`,
      '      <property name="search" value="dense"/>',
      '      <property name="k" value="2"/>',
      '      <property name="questions" value="2"/>',
      '      <property name="hit@1" value="0.5000"/>',
      '      <property name="hit@2" value="0.5000"/>',
      '      <property name="MRR@2" value="0.5000"/>',
      '      <property name="misses" value="1"/>',
      '      <property name="mean search seconds" value="0.281250"/>',
      '      <property name="mean embed seconds" value="0.187500"/>',
      '    </properties>',
      '    <testcase classname="rag.eval.dense" name="threshold --min-hit1 0.75: hit@1" time="0.000000">',
      '      <failure type="threshold" message="hit@1 0.500 &lt; --min-hit1 0.75 (dense)"/>',
      '    </testcase>',
      '    <testcase classname="rag.eval.dense" name="threshold --min-hit 0.5: hit@2" time="0.000000"/>',
      '    <testcase classname="rag.eval.dense" name="threshold --min-mrr 0.25: MRR@2" time="0.000000"/>',
      '    <system-out>1 of 2 questions missed (no relevant chunk in the top 2)',
      'line 3: Tab\there &lt;b&gt;?',
      '  expected a chunk containing any of: &quot;needle&quot;, &quot;say \\&quot;hi\\&quot;&quot;',
      '  retrieved instead:',
      '    [1] x.md #4 score 0.8750: First &amp; best',
      '    [2] y.md #0 score 0.5000: plain line</system-out>',
      '  </testsuite>',
      '  <testsuite name="rag eval bm25" tests="1" failures="0" errors="0" skipped="0" time="0.375000">',
      '    <properties>',
      `      <property name="file" value="${fileAttr}"/>`,
      '      <property name="search" value="bm25"/>',
      '      <property name="k" value="2"/>',
      '      <property name="questions" value="2"/>',
      '      <property name="hit@1" value="0.0000"/>',
      '      <property name="hit@2" value="0.5000"/>',
      '      <property name="MRR@2" value="0.2500"/>',
      '      <property name="misses" value="1"/>',
      '      <property name="mean search seconds" value="0.187500"/>',
      '      <property name="mean embed seconds" value="0.000000"/>',
      '    </properties>',
      '    <testcase classname="rag.eval.bm25" name="evaluated 2 questions (no threshold given)" time="0.375000"/>',
      '    <system-out>1 of 2 questions missed (no relevant chunk in the top 2)',
      'line 1: Where?',
      '  expected a chunk containing any of: &quot;here&quot;',
      '  retrieved instead:',
      '    (nothing)</system-out>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n');
    assert.equal(junitXml([dense, bm25], { file, checks }), expected);
  });

  test('no reports: an empty testsuites element', () => {
    assert.equal(
      junitXml([], { file: 'q.jsonl', checks }),
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="rag eval q.jsonl" tests="0" failures="0" errors="0" time="0.000000">',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
