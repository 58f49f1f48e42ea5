// Unit tests of src/core/eval.ts: JSON Lines parsing (line numbers), relevance and ranks, metrics, thresholds, JUnit XML.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { RagError } from '../../src/core/errors.js';
import {
  checkThresholds,
  chunkTitle,
  describeCheck,
  junitXml,
  parseQuestions,
  relevantRank,
  summarize,
  xmlEscape,
  type ModeReport,
  type QuestionResult,
} from '../../src/core/eval.js';
import type { SearchHit } from '../../src/core/types.js';
import { parseCompare } from '../../src/cli/eval.js';
import { tempDir } from '../helpers/tmp.js';

function usage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RagError, String(e));
    assert.equal(e.exitCode, 2);
    assert.match(e.message, message);
    return true;
  });
}

function hit(text: string, n = 0): SearchHit {
  return { id: String(n), source: `f${n}.md`, position: n, part: 0, text, score: 1 - n / 10 };
}

/** A result with a relevant chunk at `rank` (null: none), as evaluate() builds it. */
function result(line: number, rank: number | null, search = 0.01, embed = 0.002): QuestionResult {
  const hits = [hit('one', 1), hit('two', 2), hit('three', 3)];
  if (rank !== null) hits[rank - 1] = hit('the answer', rank);
  return {
    line,
    question: `q${line}`,
    expect: ['answer'],
    rank: relevantRank(hits, ['answer'], 3),
    hits,
    embed,
    search,
  };
}

describe('parseQuestions', () => {
  test("reads one object a line; blank lines, CRLF and a BOM are fine; line numbers are the file's", () => {
    const text =
      '\uFEFF{"question": " How? ", "expect": ["a", "b"]}\r\n\n   \n{"question": "Why?", "expect": ["c"], "note": "extra keys are ignored"}\n';
    assert.deepEqual(parseQuestions(text, 'q.jsonl'), [
      { line: 1, question: 'How?', expect: ['a', 'b'] },
      { line: 4, question: 'Why?', expect: ['c'] },
    ]);
  });

  const bad: [string, string, RegExp][] = [
    [
      'invalid JSON',
      '{"question": "a", "expect": ["x"]}\n{"question": "b", "expect": ["x"]\n',
      /^q\.jsonl line 2: not valid JSON/,
    ],
    ['an array', '\n\n["a"]', /^q\.jsonl line 3: expected a JSON object/],
    ['a string', '"just text"', /line 1: expected a JSON object/],
    ['no question', '{"expect": ["x"]}', /line 1: "question" must be a non-empty string/],
    ['blank question', '{"question": "  ", "expect": ["x"]}', /line 1: "question" must be a non-empty string/],
    ['expect missing', '{"question": "a"}', /line 1: "expect" must be a non-empty list of strings/],
    ['expect a string', '{"question": "a", "expect": "x"}', /line 1: "expect" must be a non-empty list/],
    ['expect empty', '{"question": "a", "expect": []}', /line 1: "expect" must be a non-empty list/],
    [
      'expect with a number',
      '{"question": "a", "expect": ["x", 3]}',
      /line 1: every "expect" entry must be a non-empty string/,
    ],
    ['expect with ""', '{"question": "a", "expect": [""]}', /line 1: every "expect" entry must be a non-empty string/],
  ];
  for (const [name, text, message] of bad) {
    test(`${name} is a usage error naming the line`, () => usage(() => parseQuestions(text, 'q.jsonl'), message));
  }

  test('a file without questions is a usage error', () => {
    usage(() => parseQuestions('\n \n', 'empty.jsonl'), /empty\.jsonl has no questions/);
  });
});

describe('relevance and rank', () => {
  const hits = [
    hit('Where does Milvus store data?', 0),
    hit('How much does Milvus cost?', 1),
    hit('milvus is free', 2),
  ];
  test('1-based rank of the first chunk containing any expected string', () => {
    assert.equal(relevantRank(hits, ['How much does Milvus cost?'], 3), 2);
    assert.equal(relevantRank(hits, ['nothing', 'store data'], 3), 1);
    assert.equal(
      relevantRank(hits, ['is free', 'cost?'], 3),
      2,
      'the first relevant chunk counts, not the first expected string',
    );
  });
  test('matching is case-sensitive and stops at k', () => {
    assert.equal(relevantRank(hits, ['Milvus is free'], 3), null);
    assert.equal(relevantRank(hits, ['is free'], 2), null);
    assert.equal(relevantRank(hits, ['is free'], 3), 3);
    assert.equal(relevantRank([], ['x'], 3), null);
  });
});

describe('summarize', () => {
  test('hit@1, hit@k, MRR@k and mean latencies, worked out by hand', () => {
    // Ranks 1, 2, 3, miss, 1: hit@1 = 2/5, hit@3 = 4/5, MRR = (1 + 1/2 + 1/3 + 0 + 1) / 5 = 17/30.
    const rs = [result(1, 1, 0.01), result(2, 2, 0.02), result(3, 3, 0.03), result(4, null, 0.04), result(5, 1, 0.05)];
    assert.deepEqual(
      rs.map((r) => r.rank),
      [1, 2, 3, null, 1],
    );
    const m = summarize(rs, 3);
    assert.equal(m.questions, 5);
    assert.equal(m.k, 3);
    assert.equal(m.hit1, 0.4);
    assert.equal(m.hitK, 0.8);
    assert.ok(Math.abs(m.mrr - 17 / 30) < 1e-12, String(m.mrr));
    assert.equal(m.misses, 1);
    assert.ok(Math.abs(m.search - 0.03) < 1e-12);
    assert.ok(Math.abs(m.embed - 0.002) < 1e-12);
  });
  test('all misses give zeros', () => {
    const m = summarize([result(1, null), result(2, null)], 3);
    assert.deepEqual([m.hit1, m.hitK, m.mrr, m.misses], [0, 0, 0, 2]);
  });
});

function report(mode: ModeReport['mode'], ranks: (number | null)[]): ModeReport {
  const results = ranks.map((r, i) => result(i + 1, r));
  return { mode, metrics: summarize(results, 3), results };
}

describe('thresholds', () => {
  // dense: ranks 1, 2, null → hit@1 1/3, hit@3 2/3, MRR 1/2. hybrid: 1, 1, 3 → 2/3, 1, 7/9.
  const reports = [report('dense', [1, 2, null]), report('hybrid', [1, 1, 3])];
  test('only given thresholds are checked, for every mode', () => {
    assert.deepEqual(checkThresholds(reports, {}), []);
    const checks = checkThresholds(reports, { minHit: 0.9 });
    assert.deepEqual(
      checks.map((c) => [c.mode, c.metric, c.passed]),
      [
        ['dense', 'hit@3', false],
        ['hybrid', 'hit@3', true],
      ],
    );
    assert.equal(describeCheck(checks[0] as never), 'hit@3 0.667 < --min-hit 0.9 (dense)');
  });
  test('a value exactly at the threshold passes, despite floating point', () => {
    // MRR of hybrid: (1 + 1 + 1/3) / 3 = 7/9, computed as a float sum.
    const checks = checkThresholds(reports, { minMrr: 0.5, minHit1: 2 / 3 });
    assert.deepEqual(
      checks.map((c) => `${c.mode} ${c.metric} ${c.passed}`),
      ['dense hit@1 false', 'dense MRR@3 true', 'hybrid hit@1 true', 'hybrid MRR@3 true'],
    );
    assert.equal(checkThresholds([report('bm25', [1, 2])], { minMrr: 0.75 })[0]?.passed, true);
    assert.equal(checkThresholds([report('bm25', [1, 2])], { minMrr: 0.7500001 })[0]?.passed, false);
  });
});

describe('--compare', () => {
  test('takes known modes, in order, without repeats', () => {
    assert.deepEqual(parseCompare('dense, bm25,hybrid,dense'), ['dense', 'bm25', 'hybrid']);
    assert.equal(parseCompare(undefined), undefined);
  });
  for (const raw of ['dense,sparse', 'dense,,bm25', '']) {
    test(`"${raw}" is a usage error`, () => usage(() => parseCompare(raw), /--compare takes search modes/));
  }
});

describe('XML', () => {
  test('xmlEscape escapes markup, quotes and line breaks and replaces characters XML cannot hold', () => {
    assert.equal(xmlEscape('a<b>&"c"\'d\''), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    assert.equal(xmlEscape('x\ny\tz\r'), 'x&#10;y&#9;z&#13;');
    assert.equal(
      xmlEscape('bell\u0007 nul\u0000 lone\uD800 ok\u{1F600}'),
      'bell\uFFFD nul\uFFFD lone\uFFFD ok\u{1F600}',
    );
  });

  test('chunkTitle is the first non-empty line without heading marks, shortened', () => {
    assert.equal(chunkTitle('\n\n## Where does Milvus store data?\n\nbody'), 'Where does Milvus store data?');
    assert.equal(chunkTitle('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  });

  // Under `npm run mutate` (RAG_MUTATION=1) the Python parser (1-3 s a run) is left out: core-pins.test.ts pins the XML byte for byte.
  test(
    'junitXml is well-formed XML: thresholds are the test cases, misses are listed in system-out (checked by a strict parser)',
    {
      skip: process.env.RAG_MUTATION === '1' && 'npm run mutate: the XML is pinned byte for byte in core-pins.test.ts',
    },
    () => {
      const nasty = 'Why <b>& "quoted" \'x\' ]]> \u0001 — ünïcode?';
      const dense = report('dense', [1, null, 2]);
      (dense.results[1] as QuestionResult).question = nasty;
      (dense.results[1] as QuestionResult).expect = ['<needle & "thread">'];
      (dense.results[1] as QuestionResult).hits[0] = hit('# Title with <tags> & ]]>\nbody', 7);
      const reports = [dense, report('bm25', [null, null, 1])];
      const checks = checkThresholds(reports, { minHit: 0.5 });
      const xml = junitXml(reports, { file: 'dir/q&a.jsonl', checks });
      const file = path.join(tempDir('junit-'), 'report.xml');
      writeFileSync(file, xml);
      const script = [
        'import json, sys, xml.dom.minidom as m',
        'd = m.parse(sys.argv[1])',
        'root = d.documentElement',
        'suites = [{"name": s.getAttribute("name"), "tests": s.getAttribute("tests"), "failures": s.getAttribute("failures"),',
        '  "cases": [[c.getAttribute("name"), [f.getAttribute("type") for f in c.getElementsByTagName("failure")],',
        '    "".join(t.data for f in c.getElementsByTagName("failure") for t in f.childNodes)] for c in s.getElementsByTagName("testcase")],',
        '  "out": "".join(t.data for o in s.getElementsByTagName("system-out") for t in o.childNodes),',
        '  "props": {p.getAttribute("name"): p.getAttribute("value") for p in s.getElementsByTagName("property")}}',
        '  for s in root.getElementsByTagName("testsuite")]',
        'print(json.dumps({"root": root.tagName, "name": root.getAttribute("name"), "tests": root.getAttribute("tests"), "failures": root.getAttribute("failures"), "suites": suites}))',
      ].join('\n');
      const parsed = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as {
        root: string;
        name: string;
        tests: string;
        failures: string;
        suites: {
          name: string;
          tests: string;
          failures: string;
          cases: [string, string[], string][];
          out: string;
          props: Record<string, string>;
        }[];
      };
      assert.equal(parsed.root, 'testsuites');
      assert.equal(parsed.name, 'rag eval dir/q&a.jsonl');
      // One test case per threshold: dense hit@3 2/3 ≥ 0.5 passes; bm25 1/3 < 0.5 fails. Misses are not failures.
      assert.deepEqual([parsed.tests, parsed.failures], ['2', '1']);
      const [d, b] = parsed.suites;
      assert.deepEqual([d?.name, d?.tests, d?.failures], ['rag eval dense', '1', '0']);
      assert.deepEqual([b?.name, b?.tests, b?.failures], ['rag eval bm25', '1', '1']);
      assert.deepEqual(
        d?.cases.map((c) => [c[0], c[1]]),
        [['threshold --min-hit 0.5: hit@3', []]],
      );
      assert.deepEqual(
        b?.cases.map((c) => [c[0], c[1]]),
        [['threshold --min-hit 0.5: hit@3', ['threshold']]],
      );
      assert.equal(d?.props.misses, '1');
      assert.equal(b?.props.misses, '2');
      const out = d?.out ?? '';
      assert.match(out, /^1 of 3 questions missed/);
      assert.ok(out.includes(`line 2: ${nasty.replace('\u0001', '\uFFFD')}`), out);
      assert.match(out, /any of: "<needle & \\"thread\\">"/);
      assert.match(out, /\[1\] f7\.md #7 score 0\.3000: Title with <tags> & \]\]>/);
      // No threshold: one passing case per mode, so that the suite is not empty.
      const plain = junitXml([dense], { file: 'q.jsonl', checks: [] });
      assert.match(plain, /<testsuite name="rag eval dense" tests="1" failures="0"/);
      assert.match(plain, /<testcase [^>]*name="evaluated 3 questions \(no threshold given\)"/);
    },
  );
});
