// Reliability, input side: bad paths and flags, awkward files and names, huge files, odd questions; the built binary on a real Milvus Lite.

import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import {
  assertExactlyOnce,
  assertNoServerLeft,
  assertOneErrorLine,
  pieces,
  storedRows,
  watchPeakRss,
  type Row,
} from '../helpers/reliability-kit.js';
import type { IngestSummary } from '../../src/core/ingest.js';
import { MAX_TEXT_BYTES } from '../../src/core/chunk.js';

function summary(r: RunResult): IngestSummary {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as IngestSummary;
}

/** stderr split into lines; every one must be a warning (no error, no stack trace). */
function warnings(r: RunResult): string[] {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  for (const l of lines) assert.match(l, /^warning: /, `unexpected stderr line: ${l}`);
  return lines;
}

describe('bad paths fail at once, before Milvus Lite starts, and create nothing', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(() => {
    cwd = workdir('rag-input-');
    env = { RAG_MODEL_PATH: testModel() };
    mkdirSync(path.join(cwd, 'notes'));
    writeFileSync(path.join(cwd, 'notes', 'todo.txt'), 'not markdown\n');
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'docs', 'a.md'), '# A\n\ntext\n');
  });

  test('a path that does not exist: usage error, exit 2', async () => {
    const r = await rag(['ingest', 'no-such-dir'], { cwd, env });
    assertOneErrorLine(
      r,
      2,
      /^error: no-such-dir: no such file or folder \(hint: give a folder, a Markdown file or a glob/,
    );
    assert.ok(!existsSync(path.join(cwd, 'milvus.db')), 'no data folder was created');
  });

  test('a folder without Markdown files: exit 1', async () => {
    const r = await rag(['ingest', 'notes'], { cwd, env });
    assertOneErrorLine(r, 1, /^error: no Markdown files found in notes \(hint: a folder is searched for \*\*\/\*\.md/);
    assert.ok(!existsSync(path.join(cwd, 'milvus.db')));
  });

  test('a glob that matches nothing: exit 1', async () => {
    const r = await rag(['ingest', 'docs/**/*.rst'], { cwd, env });
    assertOneErrorLine(r, 1, /^error: no files match docs\/\*\*\/\*\.rst \(hint: check the pattern; quote it/);
    assert.ok(!existsSync(path.join(cwd, 'milvus.db')));
  });
});

describe('usage errors: one line, exit 2', () => {
  test('unknown flags, bad numbers, conflicting options, missing or empty arguments', async () => {
    const cwd = workdir('rag-usage-');
    const env = { RAG_MODEL_PATH: testModel() };
    writeFileSync(path.join(cwd, 'q.jsonl'), '{"question": "q?", "expect": ["x"]}\n');
    const cases: [string[], RegExp][] = [
      [['ingest', 'docs', '--bogus'], /^error: unknown option '--bogus' \(hint: see rag ingest --help\)$/],
      [
        ['ask', 'why?', '--no-llm', '--top-k', '0'],
        /^error: --top-k must be a whole number ≥ 1, got "0" \(hint: see rag ask --help\)$/,
      ],
      [
        ['ask', 'why?', '--no-llm', '--top-k', 'abc'],
        /^error: --top-k must be a whole number ≥ 1, got "abc" \(hint: see rag ask --help\)$/,
      ],
      [
        ['ingest', 'docs', '--batch-size', '-1'],
        /^error: --batch-size must be a whole number ≥ 1, got "-1" \(hint: see rag ingest --help\)$/,
      ],
      [
        ['ingest', 'docs', '--model', 'Xenova/bge-small-en-v1.5', '--model-path', 'x'],
        /^error: option '--model-path <dir>' cannot be used with option '--model <id>' \(hint: see rag ingest --help\)$/,
      ],
      [
        ['eval', 'q.jsonl', '--compare', 'dense,bm25', '--search', 'dense'],
        /^error: give either --search or --compare, not both \(hint: /,
      ],
      [['ask', '', '--no-llm'], /^error: the question is empty \(hint: ask something/],
      [['ask', '  \n ', '--no-llm'], /^error: the question is empty \(hint: /],
      [['ingest'], /^error: missing required argument 'paths' \(hint: see rag ingest --help\)$/],
      [['frobnicate'], /^error: unknown command 'frobnicate' \(hint: see rag --help\)$/],
    ];
    // Independent processes: run them side by side.
    const results = await Promise.all(cases.map(([args]) => rag(args, { cwd, env, timeoutMs: 60_000 })));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i] ?? [[], /$^/];
      assert.equal(r.stdout, '', `rag ${args.join(' ')}: nothing on stdout`);
      assertOneErrorLine(r, 2, pattern);
    });
    assert.ok(!existsSync(path.join(cwd, 'milvus.db')), 'no usage error starts Milvus Lite');
  });
});

describe('awkward files and names are stored, skipped or cut as documented', () => {
  let cwd: string;
  let env: Record<string, string>;
  let dataDir: string;
  /** Readable files, by source: their text. */
  const texts = new Map<string, string>();
  const AWKWARD = ['a b.md', 'ünï cødé.md', `$(x);'"&.md`, 'back\\slash.md', '100%_done.md', '日本語 😀.md'];
  let first: IngestSummary;

  before(() => {
    cwd = workdir('rag-awkward-');
    env = { RAG_MODEL_PATH: testModel() };
    dataDir = path.join(cwd, 'milvus.db');
    const docs = path.join(cwd, 'docs');
    mkdirSync(path.join(docs, 'sub'), { recursive: true });
    const put = (name: string, text: string): void => {
      writeFileSync(path.join(docs, name), text);
      texts.set(`docs/${name}`, text);
    };
    AWKWARD.forEach((name, i) =>
      put(name, `# Name ${i}\n\nThe file ${name} is stored under its own name.\n\n# Second\n\nMore about ${i}.\n`),
    );
    put('empty.md', '');
    put('markers.md', '# \n#  \n\n# ');
    put('titles.md', '# Intro\n## Setup\n');
    put('sub/plain.md', '# Plain\n\nA file in a sub-folder.\n');
    // Many words: more than the test model's 512 tokens, embedded from its beginning only.
    put('words.md', `# Honey\n\n${'honey bees make mead '.repeat(400)}\n`);
    // Longer than Milvus's VARCHAR limit: a run of 2-byte characters with no break to cut at, then words.
    put('long.md', `# Long\n\n${'ü'.repeat(40_000)}${' and the mead keeps'.repeat(6_000)}\n# After\n\nshort\n`);
    writeFileSync(
      path.join(docs, 'binary.md'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
    );
    writeFileSync(path.join(docs, 'latin1.md'), Buffer.from('# Caf\xe9\n\ncr\xe8me br\xfbl\xe9e\n', 'latin1'));
    // Symbolic link loops: to the folder itself and to its parent.
    symlinkSync('.', path.join(docs, 'loop'));
    symlinkSync('..', path.join(docs, 'sub', 'up'));
  });

  /** Expected rows of the files without over-long pieces. */
  function expectedShort(): Omit<Row, 'id'>[] {
    const rows: Omit<Row, 'id'>[] = [];
    for (const [source, text] of texts) {
      if (source === 'docs/long.md' || source === 'docs/words.md') continue;
      pieces(text).forEach((t, position) => rows.push({ source, position, text: t }));
    }
    return rows;
  }

  test('first ingest: stores every piece once, skips binary and non-UTF-8 files with a warning, cuts and counts', async () => {
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    first = summary(r);
    const lines = warnings(r);
    assert.deepEqual(first.skipped, [
      { source: 'docs/binary.md', reason: 'binary file (contains NUL bytes)' },
      { source: 'docs/latin1.md', reason: 'not valid UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)' },
    ]);
    assert.equal(first.files, texts.size, 'every readable file is counted once, none through the loops');
    const expectWarnings = [
      /^warning: skipped docs\/loop: symbolic link loop/,
      /^warning: skipped docs\/sub\/up: symbolic link loop/,
      /^warning: docs\/empty\.md has no text to store/,
      /^warning: docs\/markers\.md has no text to store/,
      /^warning: skipped docs\/binary\.md: binary file/,
      /^warning: skipped docs\/latin1\.md: not valid UTF-8/,
      /^warning: \d+ chunk\(s\) came from pieces longer than Milvus's 65,535-byte text limit and were cut to fit$/,
    ];
    assert.equal(lines.length, expectWarnings.length, r.stderr);
    for (const re of expectWarnings)
      assert.ok(
        lines.some((l) => re.test(l)),
        `no warning matches ${re}:\n${r.stderr}`,
      );

    const rows = await storedRows(dataDir);
    const long = rows.filter((row) => row.source === 'docs/long.md');
    assertExactlyOnce(
      rows.filter((row) => row.source !== 'docs/long.md' && row.source !== 'docs/words.md'),
      expectedShort(),
    );
    // words.md: its piece is longer than the model's window: split into parts that each repeat its heading line;
    // nothing is truncated and no word is lost.
    const words = rows.filter((row) => row.source === 'docs/words.md' && row.position === 0);
    assert.ok(words.length > 1, 'the long piece is split into parts');
    assert.ok(
      words.every((row) => row.text.startsWith('Honey\n')),
      'every part starts with the heading line',
    );
    assert.equal(
      words.reduce((n, row) => n + (row.text.match(/honey bees make mead/g)?.length ?? 0), 0),
      400,
    );
    assert.equal(first.truncated, 0);
    // long.md: the over-long piece is cut into parts that fit, on character boundaries, and nothing is lost.
    const longPieces = pieces(texts.get('docs/long.md') ?? '');
    // Put back together: each later part of the first piece repeats its heading line "Long".
    assert.equal(
      long
        .map((row) =>
          row.position === 0 && (row.part ?? 0) > 0 && row.text.startsWith('Long\n') ? row.text.slice(5) : row.text,
        )
        .join(''),
      longPieces.join(''),
      'the cut parts put together are the pieces',
    );
    const positions = [...new Set(long.map((row) => row.position))];
    assert.deepEqual(
      positions,
      positions.map((_, i) => i),
    );
    for (const row of long) {
      assert.ok(Buffer.byteLength(row.text) <= MAX_TEXT_BYTES, `a ${Buffer.byteLength(row.text)}-byte text was stored`);
      assert.ok(!row.text.includes('\uFFFD'), 'no character was split');
    }
    assert.equal(
      first.cut,
      long.filter((row) => row.position < positions.length - 1).length,
      'every chunk of the over-long piece counts as cut; "After" does not',
    );
    assert.ok(positions.length - 1 >= Math.ceil(Buffer.byteLength(longPieces[0] ?? '') / MAX_TEXT_BYTES));
    assert.equal(first.chunks, rows.length);
    assert.equal(first.total, rows.length);
    assert.equal(first.added, rows.length);

    // Nothing truncated: every stored text fits the model's window, checked with the model's own tokenizer.
    const { AutoTokenizer, env: tf } = await import('@huggingface/transformers');
    tf.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained(testModel(), { local_files_only: true });
    const over = rows.filter((row) => tokenizer.encode(row.text).length > 512);
    assert.deepEqual(
      over.map((row) => `${row.source} #${row.position}.${row.part ?? 0}`),
      [],
      'every chunk fits 512 tokens',
    );
    assert.equal(first.truncated, 0);
  });

  test('re-ingest finds every awkward name again (exact source filters): nothing added, nothing removed', async () => {
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    const s = summary(r);
    assert.deepEqual([s.added, s.unchanged, s.removed, s.total], [0, first.chunks, 0, first.total]);
  });

  test('deleting awkward names removes exactly their chunks', async () => {
    const gone = [`$(x);'"&.md`, '100%_done.md', 'back\\slash.md'];
    for (const name of gone) {
      rmSync(path.join(cwd, 'docs', name));
      texts.delete(`docs/${name}`);
    }
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env });
    const s = summary(r);
    assert.deepEqual([s.added, s.removed, s.total], [0, 6, first.total - 6]);
    const rows = await storedRows(dataDir);
    assertExactlyOnce(
      rows.filter((row) => row.source !== 'docs/long.md' && row.source !== 'docs/words.md'),
      expectedShort(),
    );
  });

  test('rag ask: a very long question, and one in Chinese with emoji, are answered from the collection', async () => {
    const long = 'How do bees keep the hive warm in winter? '.repeat(2_000);
    // One after the other: the second would wait for the first's hold on the data folder.
    const a = await rag(['ask', long, '--no-llm', '--json'], { cwd, env });
    const b = await rag(['ask', '蜜蜂如何酿造蜂蜜？🐝🍯', '--no-llm', '--json'], { cwd, env });
    for (const [r, q] of [
      [a, long],
      [b, '蜜蜂如何酿造蜂蜜？🐝🍯'],
    ] as const) {
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /^(error|warning):|\n\s+at /m);
      const out = JSON.parse(r.stdout) as { question: string; sources: { file: string }[] };
      assert.ok(out.question === q.trim(), 'the question comes back whole');
      assert.equal(out.sources.length, 3);
    }
    await assertNoServerLeft(dataDir);
  });

  test('rag ask … | head: a reader that stops early ends rag quietly (no EPIPE stack trace)', async () => {
    // With the over-long chunks of long.md among the sources, the answer is several times what a pipe holds.
    let closed = false;
    const r = await rag(['ask', 'the mead keeps', '--no-llm', '--json', '--top-k', '20'], {
      cwd,
      env,
      onSpawn: (child) =>
        child.stdout?.once('data', () => {
          closed = true;
          child.stdout?.destroy();
        }),
    });
    assert.ok(closed);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /^error:|EPIPE|\n\s+at /m);
    await assertNoServerLeft(dataDir);
  });
});

/** ~16 kB sections under "# " headings, and after the tenth a run of `runBytes` without any heading. */
function writeBig(file: string, bytes: number, runBytes: number): { sections: number; section: string; run: string } {
  // Words over WordPiece's 100-character limit are one token each: a 16 kB section fits the model's window, so the
  // file gives one chunk per section (the test is about streaming, not about splitting long pieces).
  const section = `# Hive notes\n\n${`${'beeskeepthehivewarmbyshivering'.repeat(4)} `.repeat(130)}\n\n`;
  const run = 'a long run without any heading marker at all '.repeat(Math.ceil(runBytes / 46));
  const fd = openSync(file, 'w');
  let written = 0;
  let sections = 0;
  try {
    for (let i = 0; written < bytes && i < 10_000; i++) {
      if (i === 10) {
        written += writeSync(fd, run);
      } else {
        written += writeSync(fd, section);
        sections++;
      }
    }
  } finally {
    closeSync(fd);
  }
  assert.ok(written >= bytes);
  return { sections, section, run };
}

describe('a 50 MB file streams within bounded memory', () => {
  test(
    'peak memory does not grow with the file (50 MB vs 5 MB); every piece is stored',
    { timeout: 300_000 },
    async () => {
      const cwd = workdir('rag-big-');
      const env = { RAG_MODEL_PATH: testModel() };
      mkdirSync(path.join(cwd, 'small'));
      mkdirSync(path.join(cwd, 'big'));
      // The same 4 MB run in both: the same embedding work (its distinct parts), only the file size differs.
      writeBig(path.join(cwd, 'small', 'five.md'), 5 * 1024 * 1024, 4 * 1024 * 1024);
      const { sections, section, run } = writeBig(path.join(cwd, 'big', 'fifty.md'), 50 * 1024 * 1024, 4 * 1024 * 1024);

      // The JavaScript heap is capped so that V8 collects garbage instead of growing lazily (more so on a loaded
      // machine): what is measured is what rag holds, not when the collector runs.
      const capped = { ...env, NODE_OPTIONS: '--max-old-space-size=256' };
      const measure = async (args: string[]): Promise<{ r: RunResult; peakKb: number }> => {
        let watch: { stop(): number } | undefined;
        const r = await rag(args, {
          cwd,
          env: capped,
          timeoutMs: 240_000,
          onSpawn: (child) => {
            watch = watchPeakRss(child.pid ?? -1);
          },
        });
        return { r, peakKb: watch?.stop() ?? 0 };
      };
      const small = await measure(['ingest', 'small', '--json', '--milvus-uri', './small.db']);
      assert.equal(small.r.code, 0, small.r.stderr);
      const big = await measure(['ingest', 'big', '--json']);
      const s = summary(big.r);
      const mb = (kb: number): number => Math.round(kb / 1024);
      // Reading the whole file would hold 50 MB of text and its pieces (several times that); streaming holds a few batches.
      assert.ok(small.peakKb > 0 && big.peakKb > 0, 'peak memory was read from /proc');
      assert.ok(
        big.peakKb - small.peakKb < 100 * 1024,
        `peak ${mb(big.peakKb)} MB for 50 MB vs ${mb(small.peakKb)} MB for 5 MB`,
      );
      assert.ok(big.peakKb < 600 * 1024, `peak ${mb(big.peakKb)} MB`);
      // Every section is one piece; the run (with the section before it) is cut into parts of at most 64 kB.
      // One chunk per section; the run without headings is cut to Milvus's limit and its pieces split to the window.
      assert.ok(s.chunks >= sections - 1 + s.cut, 'one chunk per section, plus the parts of the cut piece');
      const least = Math.ceil((run.length + section.length) / MAX_TEXT_BYTES);
      // Every chunk of a cut piece counts as cut, and a cut piece is further split to the model's window.
      assert.ok(s.cut >= least, `${s.cut} cut`);
      assert.deepEqual([s.added, s.total], [s.chunks, s.chunks]);
      assert.equal(s.truncated, 0);
      const lines = warnings(big.r);
      assert.equal(lines.length, 1, big.r.stderr);
      process.stderr.write(
        `# 50 MB file: ${s.chunks} chunks (${s.cut} cut); peak RSS ${mb(big.peakKb)} MB, ${mb(small.peakKb)} MB for a 5 MB file\n`,
      );
    },
  );
});
