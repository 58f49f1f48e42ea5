// Sections: heading levels from the splitter, front matter, title and heading path, splitting long pieces to fit.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HeadingSplitter, type Piece } from '../../src/core/chunk.js';
import {
  headingOf,
  indexText,
  parseFrontMatter,
  Sectioner,
  splitToFit,
  type Section,
  type SplitMode,
} from '../../src/core/sections.js';
import { FAQ, needShared } from '../helpers/paths.js';

/** Words as tokens: an independent stand-in for a tokenizer (whitespace is not a token, as in BERT-style models). */
const words = (t: string): number => t.split(/\s+/).filter(Boolean).length;

async function pieces(text: string): Promise<Piece[]> {
  const out: Piece[] = [];
  for await (const p of new HeadingSplitter(65_535).split([text])) out.push(p);
  return out;
}

async function sections(text: string, mode: SplitMode, maxTokens = 1000): Promise<Section[]> {
  const s = new Sectioner({ mode, maxTokens, countTokens: words });
  return (await pieces(text)).flatMap((p) => [...s.push(p)]);
}

describe('heading levels from the "# " splitter', () => {
  const cases: [string, string, number[]][] = [
    ['a file that starts with a title', '# Title\nintro\n## Sub\ntext\n### Deep\nmore', [1, 2, 3]],
    ['text before the first heading', 'intro\n# Title\nbody', [0, 1]],
    ['an inline "# " is not a heading', 'see C# code\n# Title\nbody', [0, 0, 1]],
    ['a code comment after text on the line is not a heading', '# T\nx = 1 # comment\n', [1, 0]],
    [
      'a comment line in code counts as a heading line (as the tutorial splits it)',
      '# T\n```\n# comment\n```\n',
      [1, 1],
    ],
    ['consecutive separators: only the first starts the line', '# # x', [0]],
    ['indented heading', '# T\n  ## Sub\n', [1, 2]],
  ];
  for (const [name, text, levels] of cases) {
    test(name, async () => {
      assert.deepEqual(
        (await pieces(text)).map((p) => p.level),
        levels,
      );
    });
  }
});

describe('front matter and headings', () => {
  test('parseFrontMatter reads flat key: value lines, unquoting values', () => {
    assert.deepEqual(parseFrontMatter('---\nid: a.md\ntitle: "Single-Vector Search"\nsummary: x: y\n---\n\n'), {
      id: 'a.md',
      title: 'Single-Vector Search',
      summary: 'x: y',
    });
    assert.equal(parseFrontMatter('id: a\n---\n'), null);
    assert.equal(parseFrontMatter('---\nno end'), null);
  });

  test('headingOf: the first line without trailing markers or emphasis', () => {
    assert.equal(headingOf('What is **Milvus**?\n\nanswer\n###'), 'What is Milvus?');
    assert.equal(headingOf('Title ##\n'), 'Title');
  });

  const DOC =
    '---\nid: faq.md\ntitle: Operational FAQ\n---\n\n# Operational FAQ\n\n\n#### Can I share etcd?\n\nYes.\n\n#### Where are logs?\n\nIn /var.\n\n## Storage\n\nintro\n\n### Where is data?\n\nIn S3.\n';

  test('tutorial mode: the tutorial pieces unchanged, front matter included, no context', async () => {
    const got = await sections(DOC, 'tutorial');
    assert.deepEqual(
      got.map((s) => s.text),
      DOC.split('# ').filter((p) => p.trim() !== ''),
    );
    assert.deepEqual(
      got.map((s) => s.context),
      got.map(() => ''),
    );
    assert.deepEqual(
      got.map((s) => s.front),
      [true, false, false, false, false, false],
    );
    assert.deepEqual(
      got.map((s) => s.position),
      [0, 1, 2, 3, 4, 5],
    );
  });

  test('sections mode: front matter is metadata; each chunk carries the title and its enclosing headings', async () => {
    const got = await sections(DOC, 'sections');
    assert.deepEqual(
      got.map((s) => [s.position, s.context]),
      [
        [1, ''],
        [2, 'Operational FAQ'],
        [3, 'Operational FAQ'],
        [4, 'Operational FAQ'],
        [5, 'Operational FAQ > Storage'],
      ],
    );
    assert.deepEqual(
      got.map((s) => s.text),
      DOC.split('# ')
        .filter((p) => p.trim() !== '')
        .slice(1),
      'stored texts stay the tutorial pieces',
    );
    assert.equal(
      indexText('Operational FAQ > Storage', 'Where is data?\n'),
      'Operational FAQ > Storage\n\nWhere is data?\n',
    );
  });

  test('without front matter the first level-1 heading is the title', async () => {
    const got = await sections('# Guide\nintro\n## Install\nsteps\n', 'sections');
    assert.deepEqual(
      got.map((s) => s.context),
      ['', 'Guide'],
    );
  });
});

describe('splitToFit', () => {
  test('a piece that fits is returned as it is', () => {
    assert.deepEqual(splitToFit('Title\nshort body', 10, words), ['Title\nshort body']);
  });

  test('paragraphs first; every part within the budget; the heading repeated; no text lost', () => {
    const paras = Array.from({ length: 6 }, (_, i) => `para ${i} ${'w '.repeat(8).trim()}`);
    const text = `Heading line\n${paras.join('\n\n')}\n`;
    const parts = splitToFit(text, 25, words);
    assert.ok(parts.length > 1);
    for (const p of parts) {
      assert.ok(words(p) <= 25, `${words(p)} > 25: ${p}`);
      assert.ok(p.startsWith('Heading line\n'), p);
    }
    assert.equal(parts.map((p) => p.slice('Heading line\n'.length)).join(''), text.slice('Heading line\n'.length));
    // Whole paragraphs: no part starts or ends inside one.
    for (const p of parts)
      for (const para of paras)
        if (p.includes(para.slice(0, 7))) assert.ok(p.includes(para), `paragraph kept whole: ${para}`);
  });

  test('then lines, then sentences, then words, for text without paragraphs', () => {
    const lines = `H\n${Array.from({ length: 10 }, (_, i) => `line ${i} a b c d`).join('\n')}`;
    for (const p of splitToFit(lines, 14, words)) assert.ok(words(p) <= 14);
    const sentences = `H\n${Array.from({ length: 10 }, (_, i) => `Sentence ${i} has words.`).join(' ')}`;
    const sp = splitToFit(sentences, 10, words);
    for (const p of sp) assert.ok(words(p) <= 10);
    assert.ok(
      sp.every((p) => /\.\s*$/.test(p)),
      'cut after sentence ends',
    );
    const run = `H\n${'x '.repeat(100)}`;
    for (const p of splitToFit(run, 9, words)) assert.ok(words(p) <= 9);
  });

  test('a run without spaces is cut by characters', () => {
    const chars = (t: string): number => Math.ceil(t.length / 4);
    const parts = splitToFit(`H\n${'y'.repeat(400)}`, 20, chars);
    for (const p of parts) assert.ok(chars(p) <= 20, `${chars(p)}`);
    assert.equal(parts.map((p) => p.replace(/^H\n/, '')).join(''), 'y'.repeat(400));
  });

  test('sections of a long piece: parts numbered, the same position, each within the window with its context', async () => {
    const long = `---\ntitle: Big\n---\n# Big\n## Part\n${Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(10)}`).join('\n\n')}`;
    const got = await sections(long, 'sections', 60);
    const parts = got.filter((s) => s.position === 2);
    assert.ok(parts.length > 3);
    assert.deepEqual(
      parts.map((s) => s.part),
      parts.map((_, i) => i),
    );
    for (const s of parts)
      assert.ok(words(indexText(s.context, s.text)) <= 60, `${words(indexText(s.context, s.text))}`);
  });
});

describe('the FAQ corpus', { skip: needShared(FAQ) }, () => {
  test('tutorial mode gives the 83 pieces of Python\'s split("# ") with identical texts', async () => {
    const files = existsSync(FAQ)
      ? readdirSync(FAQ)
          .filter((f) => f.endsWith('.md'))
          .sort()
      : [];
    let total = 0;
    for (const f of files) {
      const text = readFileSync(path.join(FAQ, f), 'utf8');
      const got = await sections(text, 'tutorial', 384);
      assert.deepEqual(
        got.map((s) => s.text),
        text.split('# ').filter((p) => p.trim() !== ''),
        f,
      );
      total += got.length;
    }
    assert.equal(total, 83);
  });
});
