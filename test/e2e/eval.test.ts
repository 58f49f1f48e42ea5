// End to end: `rag eval` through the built binary on real Milvus Lite: metrics worked out by hand, thresholds, JUnit, errors, the FAQ dev set.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { DEV_SET, FAQ, needShared } from '../helpers/paths.js';

// A corpus whose BM25 ranking is fixed by construction: "quokka" is in one chunk only; "wombat" is in three chunks of
// the same length (6 words) 3, 2 and 1 times, and for one term at equal length BM25 grows with the term's count.
const KB = [
  '# Island\n\nA quokka lives on Rottnest.\n',
  '# Burrow three\n\nwombat wombat wombat digs.\n',
  '# Burrow two\n\nwombat wombat sleeps here.\n',
  '# Burrow one\n\nwombat eats grass today.\n',
  '# Desert\n\nA camel crosses sand.\n',
].join('\n');

const QUESTIONS = [
  { question: 'Where does the quokka live?', expect: ['Rottnest'] }, // only the Island chunk matches: rank 1
  { question: 'wombat', expect: ['sleeps here'] }, // twice: rank 2
  { question: 'wombat facts', expect: ['eats grass', 'not in the corpus'] }, // once: rank 3
  { question: 'camel', expect: ['quokka'] }, // only the Desert chunk matches: miss
  { question: 'What is <b>"x" & y</b>?', expect: ['<b>'] }, // no word of it is in the corpus: nothing comes back, miss
];
// Ranks 1, 2, 3, miss, miss. k = 3: hit@1 = 1/5, hit@3 = 3/5, MRR@3 = (1 + 1/2 + 1/3) / 5 = 11/30.
// k = 2: hit@2 = 2/5, MRR@2 = (1 + 1/2) / 5 = 3/10.
const RANKS = [1, 2, 3, null, null];

interface ModeJson {
  mode: string;
  questions: number;
  k: number;
  hit1: number;
  hitK: number;
  mrr: number;
  misses: number;
  search: number;
  embed: number;
  results: {
    line: number;
    question: string;
    rank: number | null;
    sources: { file: string; position: number; score: number; relevant: boolean }[];
  }[];
}

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

/** Well-formedness by a strict XML parser (Python's minidom): returns [testcase name, failure type | null] per case. */
function parseJunit(file: string): [string, string | null][] {
  const script =
    'import json,sys,xml.dom.minidom as m\nd=m.parse(sys.argv[1])\nprint(json.dumps([[c.getAttribute("name"), (c.getElementsByTagName("failure") or [None])[0] and c.getElementsByTagName("failure")[0].getAttribute("type")] for c in d.getElementsByTagName("testcase")]))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as [string, string | null][];
}

describe('rag eval on a hand-made corpus and question set', () => {
  let cwd: string;
  let env: Record<string, string>;
  let bm25Json = '';
  before(async () => {
    cwd = workdir('rag-eval-');
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'docs', 'kb.md'), KB);
    writeFileSync(path.join(cwd, 'q.jsonl'), `${QUESTIONS.map((q) => JSON.stringify(q)).join('\n')}\n`);
    // Ranks are worked out per piece of the one file: a slot per piece (a file's pieces sharing one: levers.test.ts).
    env = { RAG_MODEL_PATH: testModel(), RAG_PER_FILE: '0' };
    const r = await rag(['ingest', 'docs'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
  });

  test('--json: ranks and hit@1, hit@3, MRR@3 as worked out by hand (BM25)', async () => {
    const r = await rag(['eval', 'q.jsonl', '--search', 'bm25', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    bm25Json = r.stdout;
    const report = JSON.parse(r.stdout) as { questions: number; k: number; passed: boolean; modes: ModeJson[] };
    assert.equal(report.questions, 5);
    assert.equal(report.passed, true);
    assert.equal(report.modes.length, 1);
    const bm25 = report.modes[0] as ModeJson;
    assert.equal(bm25.mode, 'bm25');
    assert.deepEqual(
      bm25.results.map((q) => q.rank),
      RANKS,
    );
    assert.deepEqual(
      bm25.results.map((q) => q.line),
      [1, 2, 3, 4, 5],
    );
    assert.equal(bm25.k, 3);
    assert.ok(close(bm25.hit1, 1 / 5) && close(bm25.hitK, 3 / 5) && close(bm25.mrr, 11 / 30), JSON.stringify(bm25));
    assert.equal(bm25.misses, 2);
    assert.ok(bm25.search > 0, 'the search latency is measured');
    assert.equal(bm25.embed, 0, 'BM25 alone does not embed the question');
    // What came back instead: the camel question got the Desert chunk only, the last one nothing at all.
    assert.deepEqual(
      bm25.results[3]?.sources.map((s) => [s.file, s.position, s.relevant]),
      [['docs/kb.md', 4, false]],
    );
    assert.deepEqual(bm25.results[4]?.sources, []);
    assert.deepEqual(
      bm25.results[1]?.sources.map((s) => [s.position, s.relevant]),
      [
        [1, false],
        [2, true],
        [3, false],
      ],
    );
  });

  test('the retrieval is exactly that of `rag ask` with the same settings', async () => {
    assert.ok(bm25Json, 'the --json test ran first');
    const a = await rag(['ask', '--no-llm', '--json', '--search', 'bm25', 'wombat'], { cwd, env });
    assert.equal(a.code, 0, a.stderr);
    const fromAsk = (JSON.parse(a.stdout) as { sources: { file: string; position: number; score: number }[] }).sources;
    const fromEval = (JSON.parse(bm25Json) as { modes: ModeJson[] }).modes[0]?.results[1]?.sources ?? [];
    assert.equal(fromAsk.length, 3);
    assert.deepEqual(
      fromEval.map((s) => [s.file, s.position, s.score.toFixed(5)]),
      fromAsk.map((s) => [s.file, s.position, s.score.toFixed(5)]),
    );
  });

  test('thresholds that hold: exit 0, and --junit writes valid XML with a test case per threshold, none failed (misses are not failures)', async () => {
    const ok = await rag(
      [
        'eval',
        'q.jsonl',
        '--search',
        'bm25',
        '--min-hit',
        '0.6',
        '--min-hit1',
        '0.2',
        '--min-mrr',
        '0.36',
        '--junit',
        'report.xml',
      ],
      { cwd, env },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    assert.match(
      ok.stdout,
      /^thresholds:\n {2}ok {3}hit@1 0\.200 ≥ --min-hit1 0\.2 \(bm25\)\n {2}ok {3}hit@3 0\.600 ≥ --min-hit 0\.6 \(bm25\)\n {2}ok {3}MRR@3 0\.367 ≥ --min-mrr 0\.36 \(bm25\)$/m,
    );
    const cases = parseJunit(path.join(cwd, 'report.xml'));
    assert.deepEqual(cases, [
      ['threshold --min-hit1 0.2: hit@1', null],
      ['threshold --min-hit 0.6: hit@3', null],
      ['threshold --min-mrr 0.36: MRR@3', null],
    ]);
  });

  test('a threshold that fails: exit 1, one line on stderr naming each failed figure; --cutoff (or its old name --k) sets the cut-off', async () => {
    const r = await rag(
      [
        'eval',
        'q.jsonl',
        '--search',
        'bm25',
        '--cutoff',
        '2',
        '--min-hit',
        '0.5',
        '--min-hit1',
        '0.2',
        '--min-mrr',
        '0.31',
      ],
      { cwd, env },
    );
    assert.equal(r.code, 1);
    // The old spelling --k is still accepted, with the same meaning.
    const old = await rag(['eval', 'q.jsonl', '--search', 'bm25', '--k', '2', '--min-hit', '0.5', '--json'], {
      cwd,
      env,
    });
    assert.equal(old.code, 1);
    assert.equal((JSON.parse(old.stdout) as { k: number }).k, 2);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0] ?? '',
      /^error: retrieval below threshold: hit@2 0\.400 < --min-hit 0\.5 \(bm25\); MRR@2 0\.300 < --min-mrr 0\.31 \(bm25\) \(hint: .+\)$/,
    );
    // The report is still printed: a table with k = 2, then the misses with what came back instead.
    assert.match(r.stdout, /^hit@1 +0\.200$/m);
    assert.match(r.stdout, /^hit@2 +0\.400$/m);
    assert.match(r.stdout, /^MRR@2 +0\.300$/m);
    assert.match(r.stdout, /^misses +3$/m);
    assert.match(
      r.stdout,
      /missed by bm25 \(3\):\n {2}line 3: wombat facts\n {4}expected: "eats grass" or "not in the corpus"\n {4}got: \[1\] docs\/kb\.md #1 {2}\d+\.\d{4} {2}Burrow three\n {9}\[2\] docs\/kb\.md #2 {2}\d+\.\d{4} {2}Burrow two\n/,
    );
    assert.match(r.stdout, /line 5: What is <b>"x" & y<\/b>\?\n {4}expected: "<b>"\n {4}got: nothing/);
    assert.match(r.stdout, /FAIL hit@2 0\.400 < --min-hit 0\.5 \(bm25\)/);
  });

  test('--compare prints the modes side by side', async () => {
    const r = await rag(['eval', 'q.jsonl', '--compare', 'dense,bm25,hybrid'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ +dense +bm25 +hybrid$/m);
    const row = (name: string): string[] =>
      r.stdout.match(new RegExp(`^${name} +(\\S+) +(\\S+) +(\\S+)$`, 'm'))?.slice(1) ?? [];
    assert.equal(row('hit@1')[1], '0.200');
    assert.equal(row('hit@3')[1], '0.600');
    assert.equal(row('MRR@3')[1], '0.367');
    for (const v of [...row('hit@1'), ...row('hit@3'), ...row('MRR@3')]) assert.match(v, /^[01]\.\d{3}$/);
    assert.equal(row('search ms').length, 3);
    assert.equal(row('embed ms').length, 3);
  });
});

describe('rag eval usage errors (exit 2, before any work)', () => {
  let cwd: string;
  before(() => {
    cwd = workdir('rag-eval-usage-');
    writeFileSync(path.join(cwd, 'ok.jsonl'), '{"question": "a", "expect": ["b"]}\n');
  });
  const cases: [string, string | null, string[], RegExp][] = [
    [
      'a malformed line, named by number',
      '{"question": "a", "expect": ["b"]}\n\n{"question": "c", "expect": ["d"],}\n',
      ['bad.jsonl'],
      /^error: bad\.jsonl line 3: not valid JSON .*\(hint: one JSON object a line: /,
    ],
    [
      'a line without "expect"',
      '{"question": "a", "expect": ["b"]}\n{"question": "c"}\n',
      ['bad.jsonl'],
      /^error: bad\.jsonl line 2: "expect" must be a non-empty list of strings/,
    ],
    ['an empty file', '', ['bad.jsonl'], /^error: bad\.jsonl has no questions/],
    [
      'a missing file',
      null,
      ['missing.jsonl'],
      /^error: the questions file missing\.jsonl does not exist \(hint: check the path/,
    ],
    [
      'a threshold above 1',
      null,
      ['ok.jsonl', '--min-hit', '1.5'],
      /^error: --min-hit must be a number from 0 to 1, got "1\.5"/,
    ],
    [
      '--k 0 (the old name of --cutoff)',
      null,
      ['ok.jsonl', '--k', '0'],
      /^error: --k must be a whole number ≥ 1, got "0"/,
    ],
    ['--cutoff 0', null, ['ok.jsonl', '--cutoff', '0'], /^error: --cutoff must be a whole number ≥ 1, got "0"/],
    [
      '--cutoff with --k',
      null,
      ['ok.jsonl', '--cutoff', '2', '--k', '2'],
      /^error: give --cutoff or its old name --k, not both/,
    ],
    [
      'an unknown mode to compare',
      null,
      ['ok.jsonl', '--compare', 'dense,sparse'],
      /^error: --compare takes search modes/,
    ],
    [
      '--search with --compare',
      null,
      ['ok.jsonl', '--search', 'bm25', '--compare', 'dense,bm25'],
      /^error: give either --search or --compare/,
    ],
    [
      '--junit into a missing folder',
      null,
      ['ok.jsonl', '--junit', 'out/report.xml'],
      /^error: --junit out\/report\.xml: folder .* does not exist/,
    ],
  ];
  for (const [name, content, args, message] of cases) {
    test(name, async () => {
      if (content !== null) writeFileSync(path.join(cwd, 'bad.jsonl'), content);
      const r = await rag(['eval', ...args], { cwd, timeoutMs: 30_000 });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

describe('rag eval on the Milvus FAQ with the dev set (../shared)', { skip: needShared(FAQ, DEV_SET) }, () => {
  test('runs in each mode and prints hit@1, hit@3 and MRR@3 for all three', async () => {
    const cwd = workdir('rag-eval-faq-');
    const env = { RAG_MODEL_PATH: testModel() };
    const ingest = await rag(['ingest', FAQ], { cwd, env });
    assert.equal(ingest.code, 0, ingest.stderr);

    const r = await rag(['eval', DEV_SET, '--compare', 'dense,bm25,hybrid', '--min-hit', '0.5'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: 20 questions, /);
    assert.match(r.stdout, /^\s+dense\s+bm25\s+hybrid$/m);
    const figures: Record<string, number[]> = {};
    for (const name of ['hit@1', 'hit@3', 'MRR@3']) {
      const m = r.stdout.match(new RegExp(`^${name} +([01]\\.\\d{3}) +([01]\\.\\d{3}) +([01]\\.\\d{3})$`, 'm'));
      assert.ok(m, `${name} row with three figures:\n${r.stdout}`);
      figures[name] = m.slice(1).map(Number);
    }
    assert.match(r.stdout, /^search ms +\d+\.\d +\d+\.\d +\d+\.\d$/m);
    for (let i = 0; i < 3; i++) {
      const [h1, h3, mrr] = [figures['hit@1']?.[i] ?? NaN, figures['hit@3']?.[i] ?? NaN, figures['MRR@3']?.[i] ?? NaN];
      assert.ok(
        h1 <= h3 && h1 <= mrr + 5e-4 && mrr <= h3 + 5e-4,
        `mode ${i}: hit@1 ≤ MRR@3 ≤ hit@3 (${h1}, ${mrr}, ${h3})`,
      );
    }

    // The default mode (no --search), as a script sees it.
    const d = await rag(['eval', DEV_SET, '--json'], { cwd, env });
    assert.equal(d.code, 0, d.stderr);
    const report = JSON.parse(d.stdout) as { modes: ModeJson[] };
    assert.equal(report.modes.length, 1);
    assert.equal(report.modes[0]?.mode, 'hybrid');
    assert.equal(report.modes[0]?.results.length, 20);
  });
});
