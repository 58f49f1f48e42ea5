// End to end: each retrieval lever changes a ranking on fixtures/levers exactly as the fixture was built to make it.

import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { storedRows, type Row } from '../helpers/reliability-kit.js';

type Split = 'sections' | 'tutorial';

/** One data folder per split mode, both holding the same four files. */
const DATA: Record<Split, string> = { sections: 'sections.db', tutorial: 'tutorial.db' };

interface Source {
  text: string;
  score: number;
  file: string;
  position: number;
  part: number;
  positions?: number[];
  alsoIn?: string[];
}

interface Answer {
  search: string;
  sources: Source[];
}

/** "file#position heading": the file's name, the piece's index in it, its first line ('---' for front matter). */
function label(s: { file?: string; source?: string; position: number; text: string }): string {
  return `${path.basename(s.file ?? s.source ?? '')}#${s.position} ${s.text.split('\n', 1)[0] ?? ''}`;
}

const ranking = (a: Answer): string[] => a.sources.map(label);

/** Reciprocal-rank fusion score of a chunk at `dense` and `bm25` ranks (from 1), rrf-k 60, dense weighing 1. */
const rrf = (dense: number, bm25: number, weight: number): number => 1 / (60 + dense) + weight / (60 + bm25);

describe('retrieval levers on fixtures/levers (rag ingest, then rag ask --no-llm --json)', () => {
  let cwd: string;
  let env: Record<string, string>;
  const ingested = {} as Record<Split, { chunks: number; parts: number }>;
  let sectionRows: Row[];

  const ingest = async (split: Split): Promise<void> => {
    const r = await rag(['ingest', 'levers', '--split', split, '--milvus-uri', DATA[split], '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    ingested[split] = JSON.parse(r.stdout) as { chunks: number; parts: number };
  };

  // Each lever is shown alone: a file's pieces share a slot only in the test of --per-file.
  const ask = async (split: Split, question: string, ...flags: string[]): Promise<Answer> => {
    const perFile = flags.includes('--per-file') ? [] : ['--per-file', '0'];
    const r = await rag(['ask', '--no-llm', '--json', '--milvus-uri', DATA[split], ...perFile, ...flags, question], {
      cwd,
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Answer;
  };

  before(async () => {
    cwd = workdir('rag-levers-');
    cpSync(path.join(FIXTURES, 'levers'), path.join(cwd, 'levers'), { recursive: true });
    env = { RAG_MODEL_PATH: testModel() };
    await Promise.all([
      ingest('sections').then(async () => {
        sectionRows = await storedRows(path.join(cwd, DATA.sections));
      }),
      ingest('tutorial'),
    ]);
  });

  // Proves that the page title indexed with each section changes what is found: "Storage" in lanterns.md says
  // neither "copper" nor "lantern" (only its page title does), so without its title it shares one word with the
  // question and loses to the two pieces that hold the title: the front matter (the shorter, so first) and the heading.
  test('context: a section found by its page title ranks first only when sections are indexed with their title', async () => {
    const question = 'copper lantern storage';
    for (const search of ['bm25', 'dense']) {
      const [sections, tutorial] = await Promise.all([
        ask('sections', question, '--search', search, '-k', '2'),
        ask('tutorial', question, '--search', search, '-k', '2'),
      ]);
      assert.deepEqual(
        ranking(sections),
        ['lanterns.md#3 Storage', 'lanterns.md#1 Copper lantern care'],
        `${search}, sections split`,
      );
      assert.deepEqual(
        ranking(tutorial),
        ['lanterns.md#0 ---', 'lanterns.md#1 Copper lantern care'],
        `${search}, tutorial split: the Storage section is not in the top 2`,
      );
    }
  });

  // Proves that front matter is page metadata with the sections split and a chunk with the tutorial split: asked for
  // a page's title, the tutorial split gives the first slot to the YAML block (short, and it holds the title); the
  // sections split stores no such block, so the page's heading and one of its sections fill the two slots.
  test('front matter: a chunk that takes a slot with the tutorial split, never a hit with the sections split', async () => {
    const question = 'Oak table care';
    const [sections, tutorial] = await Promise.all([
      ask('sections', question, '-k', '2'),
      ask('tutorial', question, '-k', '2'),
    ]);
    assert.deepEqual(ranking(tutorial), ['tables.md#0 ---', 'tables.md#1 Oak table care']);
    assert.match(tutorial.sources[0]?.text ?? '', /^---\nid: tables\.md\ntitle: Oak table care\n---\n/);

    assert.equal(label(sections.sources[0] as Source), 'tables.md#1 Oak table care');
    const second = sections.sources[1] as Source;
    assert.ok(
      path.basename(second.file) === 'tables.md' && second.position >= 2,
      `a section of tables.md takes the second slot, got ${label(second)}`,
    );
    // Never a hit: not stored at all. The two files with front matter give the tutorial split two more chunks.
    assert.deepEqual(
      sectionRows.filter((r) => r.text.startsWith('---') || r.position === 0).map(label),
      ['logbook.md#0 Boiler room logbook', 'workshop.md#0 Workshop notes'],
      'sections split: no front matter stored; position 0 is only taken in the files without front matter',
    );
    assert.equal(ingested.tutorial.chunks - ingested.sections.chunks, 2);
  });

  // Proves that identical texts take one slot: the Safety section is the same in lanterns.md and tables.md and is
  // stored twice; the question names the oak table, so the tables.md copy (indexed with "Oak table care") ranks first
  // and the lanterns.md copy, whose indexed text shares "keep children away from open flames" with the question too,
  // would be second. Collapsing cannot be turned off from the CLI (retrievalOptions() always sets collapse: true), so
  // the "off" side is the stored rows: two rows with that text, one slot with the other file in alsoIn.
  test('collapse: a piece stored in two files fills one slot, the other file listed in alsoIn', async () => {
    const safety = sectionRows.filter((r) => r.text.startsWith('Safety\n'));
    assert.deepEqual(safety.map(label), ['lanterns.md#4 Safety', 'tables.md#4 Safety'], 'stored once per file');
    assert.equal(safety[0]?.text, safety[1]?.text, 'with the same text');

    const a = await ask('sections', 'keep children away from open flames near an oak table', '-k', '3');
    assert.equal(a.sources.length, 3);
    assert.equal(label(a.sources[0] as Source), 'tables.md#4 Safety');
    assert.deepEqual(a.sources[0]?.alsoIn, ['levers/lanterns.md']);
    assert.equal(
      a.sources.filter((s) => s.text === safety[0]?.text).length,
      1,
      `the copy in lanterns.md takes no slot of its own: ${ranking(a).join(', ')}`,
    );
    assert.ok(a.sources.slice(1).every((s) => s.alsoIn === undefined));

    // The text output says where else the text is, on the source's line.
    const text = await rag(
      [
        'ask',
        '--no-llm',
        '--milvus-uri',
        DATA.sections,
        '-k',
        '3',
        '--per-file',
        '0',
        'keep children away from open flames near an oak table',
      ],
      { cwd, env },
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^\[1\] levers\/tables\.md #4 {2}score \d\.\d{4} {2}\(also in levers\/lanterns\.md\)$/m);
  });

  // Proves that which copy of an identical text is shown does not depend on the store: with the tutorial split both
  // copies of Safety are indexed alike, so they tie in both lists (up to float noise) and the copy first in document
  // order (lanterns.md) is shown, whatever the question. Before ties were put in document order, Milvus's internal
  // order decided, and these two questions showed different copies.
  test('collapse: copies that tie show the first in document order, for any question', async () => {
    for (const question of [
      'oak table: keep children away from open flames',
      'keep children away from open flames near an oak table',
    ]) {
      const a = await ask('tutorial', question, '-k', '2');
      assert.equal(label(a.sources[0] as Source), 'lanterns.md#4 Safety', `${question}: ${ranking(a).join(', ')}`);
      assert.deepEqual(a.sources[0]?.alsoIn, ['levers/tables.md']);
    }
  });

  // Proves that --bm25-weight moves the hybrid top hit between the lists' favourites. workshop.md is built so that
  // the lists disagree: "Flywheel" repeats "flywheel" (dense likes the repeats) but has neither "bolt" nor "torque";
  // "Reassembly" has all three words once, among many others. Each is first in one list and second in the other,
  // and no other chunk holds any of the three words, so fusion gives Flywheel 1/61 + w/62 and Reassembly
  // 1/62 + w/61: Flywheel wins below w = 1, Reassembly above it, and at w = 1 they tie (document order decides).
  test('fusion weights: the hybrid top hit flips from the dense favourite to the BM25 favourite as --bm25-weight grows', async () => {
    const question = 'flywheel bolt torque';
    const FLYWHEEL = 'workshop.md#1 Flywheel';
    const REASSEMBLY = 'workshop.md#2 Reassembly';
    const dense = await ask('sections', question, '--search', 'dense', '-k', '2');
    assert.deepEqual(ranking(dense), [FLYWHEEL, REASSEMBLY], 'dense');
    const bm25 = await ask('sections', question, '--search', 'bm25', '-k', '3');
    assert.deepEqual(ranking(bm25), [REASSEMBLY, FLYWHEEL], 'bm25: only these two chunks match');

    const cases: [weight: number, order: string[], scores: number[]][] = [
      [0.1, [FLYWHEEL, REASSEMBLY], [rrf(1, 2, 0.1), rrf(2, 1, 0.1)]],
      [3, [REASSEMBLY, FLYWHEEL], [rrf(2, 1, 3), rrf(1, 2, 3)]],
      [1, [FLYWHEEL, REASSEMBLY], [rrf(1, 2, 1), rrf(2, 1, 1)]],
    ];
    for (const [weight, order, scores] of cases) {
      const hybrid = await ask(
        'sections',
        question,
        '--search',
        'hybrid',
        '--rrf-k',
        '60',
        '--bm25-weight',
        String(weight),
        '-k',
        '2',
      );
      assert.deepEqual(ranking(hybrid), order, `hybrid, BM25 weight ${weight}`);
      hybrid.sources.forEach((s, i) =>
        assert.ok(
          Math.abs(s.score - (scores[i] ?? 0)) < 1e-6,
          `weight ${weight}: ${label(s)} scored ${s.score}, expected ${scores[i]}`,
        ),
      );
    }
  });

  // Proves that a file's best pieces share one slot (the default, --per-file 3): asked "copper lantern storage", the
  // two best pieces are both in lanterns.md (the context test above); with --per-file 0 they take both slots, by
  // default they are one slot, in document order (#1 before #3), and the second slot goes to another file. The
  // character budget keeps a slot to its best piece when the next one does not fit.
  test('per file: the best pieces of one file share a slot, in document order, within --slot-chars', async () => {
    const question = 'copper lantern storage';
    const apart = await ask('sections', question, '--search', 'dense', '-k', '2', '--per-file', '0');
    assert.deepEqual(ranking(apart), ['lanterns.md#3 Storage', 'lanterns.md#1 Copper lantern care']);

    const together = await ask('sections', question, '--search', 'dense', '-k', '2', '--per-file', '3');
    const [first, second] = together.sources as [Source, Source];
    assert.equal(path.basename(first.file), 'lanterns.md');
    assert.equal(first.position, 3, 'the slot is ranked and scored by its best piece');
    assert.equal(first.score, apart.sources[0]?.score);
    const positions = first.positions ?? [];
    assert.ok(positions.includes(1) && positions.includes(3), `positions ${positions.join(',')}`);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      'document order',
    );
    const stored = (p: number): string =>
      sectionRows.find((r) => path.basename(r.source) === 'lanterns.md' && r.position === p)?.text ?? '';
    assert.equal(first.text, positions.map(stored).join('\n\n'));
    assert.notEqual(path.basename(second.file), 'lanterns.md', 'the second slot goes to another file');

    // A budget smaller than two pieces: the slot keeps its best piece only.
    const tight = await ask(
      'sections',
      question,
      '--search',
      'dense',
      '-k',
      '1',
      '--per-file',
      '3',
      '--slot-chars',
      '10',
    );
    assert.deepEqual(ranking(tight), ['lanterns.md#3 Storage']);
    assert.equal(tight.sources[0]?.positions, undefined);
    assert.equal(tight.sources[0]?.text, stored(3));

    // The text output names every piece of the slot.
    const text = await rag(
      ['ask', '--no-llm', '--milvus-uri', DATA.sections, '--search', 'dense', '-k', '1', question],
      {
        cwd,
        env,
      },
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^\\[1\\] levers/lanterns\\.md #${positions.join(', #')} {2}score`, 'm'));
  });

  // Proves small-to-big: "Daily readings" in logbook.md is longer than the test model's 512-token window, so it is
  // stored in two parts; only the last line (in the second part) mentions the kestrel. The hit is that part, but
  // ask returns the whole piece, exactly as it is in the file, and the piece's other part takes no second slot.
  // Whole pieces cannot be turned off from the CLI either (retrievalOptions() sets wholePieces: true): the "off"
  // side is the stored part, which lacks the piece's first lines.
  test('whole pieces: a hit on the second part of a long piece returns the whole piece', async () => {
    const file = readFileSync(path.join(FIXTURES, 'levers', 'logbook.md'), 'utf8');
    const piece = file.slice(file.indexOf('## Daily readings') + '## '.length);
    const parts = sectionRows.filter((r) => label(r) === 'logbook.md#1 Daily readings');
    assert.deepEqual(
      parts.map((r) => r.part),
      [0, 1],
      'the piece is stored in two parts',
    );
    assert.equal(ingested.sections.parts, 2);
    const [first, second] = parts as [Row, Row];
    assert.ok(first.text.includes('- Day 1:') && !first.text.includes('kestrel'));
    assert.ok(second.text.includes('kestrel') && !second.text.includes('- Day 1:'), 'the stored part alone');

    const a = await ask('sections', 'kestrel nest chimney', '-k', '2');
    const hit = a.sources[0] as Source;
    assert.deepEqual([label(hit), hit.part], ['logbook.md#1 Daily readings', 1], 'the hit is the second part');
    assert.equal(hit.text, piece, 'its text is the whole piece');
    assert.notEqual(label(a.sources[1] as Source), 'logbook.md#1 Daily readings', 'the first part takes no slot');
  });
});
