// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-sections.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Piece } from '../../src/core/chunk.js';
import {
  headingOf,
  parseFrontMatter,
  Sectioner,
  SPLIT_MODES,
  splitToFit,
  type Section,
  type SplitMode,
} from '../../src/core/sections.js';

/** Counters standing in for tokenizers; each is independent of the code under test. */
const words = (t: string): number => t.split(/\s+/).filter(Boolean).length;
/** One token per character, whitespace included. */
const chars = (t: string): number => t.length;
/** Two tokens per character: a single character can exceed a tiny budget. */
const doubleChars = (t: string): number => 2 * t.length;
/** Superadditive: a text costs more than the sum of its parts, so the packing estimate is too low. */
const squareWords = (t: string): number => words(t) ** 2;
const cubeLetters = (t: string): number => t.replace(/\s/g, '').length ** 3;

const piece = (level: number, text: string): Piece => ({ level, text, cut: false });

function run(pieces: Piece[], mode: SplitMode = 'sections', maxTokens = 1000): { sections: Section[]; title: string } {
  const s = new Sectioner({ mode, maxTokens, countTokens: words });
  const sections = pieces.flatMap((p) => [...s.push(p)]);
  return { sections, title: s.pageTitle };
}

test('SPLIT_MODES lists the two modes, tutorial first', () => {
  assert.deepEqual(SPLIT_MODES, ['tutorial', 'sections']);
});

describe('parseFrontMatter: where the block is and which lines count', () => {
  const cases: [string, string, Record<string, string> | null][] = [
    ['a block that does not start the text is not front matter', 'intro\n---\na: b\n---\n', null],
    ['spaces after the opening fence', '---  \na: b\n---\nbody', { a: 'b' }],
    ['spaces and a tab after the closing fence', '---\na: b\n--- \t\nbody', { a: 'b' }],
    ['the closing fence may end the text', '---\na: b\n---', { a: 'b' }],
    ['no space after the colon', '---\nkey:value\n---\n', { key: 'value' }],
    ['an empty value; keys lowercased', '---\nTitle:\n---\n', { title: '' }],
    [
      'indented and list lines are skipped (not flat keys)',
      '---\ntags:\n- a\n  nested: x\ntitle: T\n\n---\n',
      { tags: '', title: 'T' },
    ],
    [
      'quotes are removed only when they wrap the whole value',
      `---\na: "q"\nb: a "b"\nc: 'x' y\nd: 'mixed"\n---\n`,
      { a: 'q', b: 'a "b"', c: "'x' y", d: `'mixed"` },
    ],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      assert.deepEqual(parseFrontMatter(text), expected);
    });
  }
});

describe('headingOf: the cleaned first line', () => {
  const cases: [string, string, string][] = [
    ['at most 200 characters', `${'x'.repeat(250)}\nbody`, 'x'.repeat(200)],
    ['a "#" inside the line is kept', 'C# basics\nbody', 'C# basics'],
    ['trailing markers followed by spaces are removed', 'Title ## \nbody', 'Title'],
    ['runs of whitespace become one space', 'Many   spaces\there\n', 'Many spaces here'],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      assert.equal(headingOf(text), expected);
    });
  }
});

describe('splitToFit: exact parts at each boundary (one token per word)', () => {
  const cases: [string, string, number, string[]][] = [
    ['a text of exactly the budget is not split', 'H\na\n\nb\n\nc', 4, ['H\na\n\nb\n\nc']],
    [
      'whole paragraphs of several lines (empty blank line)',
      'H\na b\n\nc d\ne f\ng h\n\ni j',
      9,
      ['H\na b\n\n', 'H\nc d\ne f\ng h\n\n', 'H\ni j'],
    ],
    [
      'a blank line with spaces and a tab also separates paragraphs',
      'H\na b\n \t\nc d\ne f\ng h\n\ni j',
      9,
      ['H\na b\n \t\n', 'H\nc d\ne f\ng h\n\n', 'H\ni j'],
    ],
    ['a paragraph of exactly the room is one unit', 'H\na b c d\n\ne', 5, ['H\na b c d\n\n', 'H\ne']],
    [
      'sentences end at the punctuation; the space opens the next part',
      'H\nOne two. Three four. Five six.',
      5,
      ['H\nOne two.', 'H\n Three four.', 'H\n Five six.'],
    ],
    [
      'words keep their trailing space; units are packed to exactly the room',
      'H\none two three four five six',
      5,
      ['H\none two ', 'H\nthree four ', 'H\nfive six'],
    ],
    [
      'a text without a newline has no heading to repeat',
      'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14',
      12,
      ['w1 w2 w3 w4 w5 w6 ', 'w7 w8 w9 w10 w11 w12 ', 'w13 w14'],
    ],
    [
      'a first line over a quarter of the budget is not repeated',
      'A B C\nw1 w2 w3 w4 w5 w6 w7',
      8,
      ['A B C\n', 'w1 w2 w3 w4 w5 w6 w7'],
    ],
    [
      'a first line of exactly a quarter of the budget is repeated',
      'A B\nw1 w2 w3 w4 w5 w6 w7 w8',
      8,
      ['A B\nw1 w2 w3 ', 'A B\nw4 w5 w6 ', 'A B\nw7 w8'],
    ],
    [
      'blank lines are never a part of their own: they stay with the text after them',
      'H\n\n\nx1 x2 x3\n\nx4 x5 x6',
      5,
      ['H\n\n\nx1 x2 x3\n\n', 'H\nx4 x5 x6'],
    ],
    [
      'a sentence is kept whatever it says',
      'H\nStryker was here! More words follow here.',
      5,
      ['H\nStryker was here!', 'H\n More words follow here.'],
    ],
  ];
  for (const [name, text, budget, expected] of cases) {
    test(name, () => {
      assert.deepEqual(splitToFit(text, budget, words), expected);
    });
  }
});

describe('splitToFit: runs without spaces are cut by characters', () => {
  test('cuts of twice the budget in characters, halved until they fit, then of that size', () => {
    // One token per character, budget 12: "H\n" (2) is repeated, 10 characters of room; the first cut of 20 characters
    // is halved to 10, and the next cuts start at that size (34 = 10 + 10 + 10 + 4, not halves of 20 and 14).
    assert.deepEqual(splitToFit('H\nabcdefghijklmnopqrstuvwxyz01234567', 12, chars), [
      'H\nabcdefghij',
      'H\nklmnopqrst',
      'H\nuvwxyz0123',
      'H\n4567',
    ]);
  });

  test('a character that alone exceeds the budget is kept, alone', () => {
    assert.deepEqual(splitToFit('ab', 1, doubleChars), ['a', 'b']);
    assert.deepEqual(splitToFit('abc', 1, doubleChars), ['a', 'b', 'c']);
  });
});

describe('splitToFit: a part still too long after packing is halved (superadditive counts)', () => {
  const cases: [string, string, number, (t: string) => number, string[]][] = [
    [
      'halved at the last space before the middle; a half of exactly the budget stays',
      'H\na b c d e f',
      9,
      squareWords,
      ['H\na b ', 'H\nc d ', 'H\ne f'],
    ],
    [
      'the space nearest before the middle, not the middle itself',
      'H\na bcdefgh i',
      9,
      squareWords,
      ['H\na ', 'H\nbcdefgh i'],
    ],
    [
      'halves halved again; a space only at the start cuts at the middle',
      'H\nOne two. abcdefghijklmnop q.',
      8,
      squareWords,
      ['H\nOne ', 'H\ntwo.', 'H\n abcdefghi', 'H\njklmn', 'H\nop ', 'H\nq.'],
    ],
    ['a two-character part without heading is halved', 'ab', 4, cubeLetters, ['a', 'b']],
    [
      'halving stops at one character after the heading, even over the budget',
      'H\nabc',
      7,
      cubeLetters,
      ['H\na', 'H\nb', 'H\nc'],
    ],
  ];
  for (const [name, text, budget, count, expected] of cases) {
    test(name, () => {
      assert.deepEqual(splitToFit(text, budget, count), expected);
    });
  }
});

describe('Sectioner: the page title', () => {
  const cases: [string, Piece[], string][] = [
    [
      'the front matter title wins over the first level-1 heading',
      [piece(0, '---\ntitle: From FM\n---\n'), piece(1, 'Heading One\n')],
      'From FM',
    ],
    [
      'front matter without a title: the first level-1 heading',
      [piece(0, '---\nid: x\n---\n'), piece(1, 'Heading One\n')],
      'Heading One',
    ],
    ['a level-2 heading is not a title', [piece(2, 'Sub\n'), piece(1, 'Main\n')], 'Main'],
    ['the first level-1 heading, not a later one', [piece(1, 'First\n'), piece(1, 'Second\n')], 'First'],
    ['text without front matter or heading: no title', [piece(0, 'intro\n')], ''],
  ];
  for (const [name, pieces, expected] of cases) {
    test(name, () => {
      assert.equal(run(pieces).title, expected);
    });
  }
});

describe('Sectioner: contexts in sections mode', () => {
  const contexts = (pieces: Piece[]): string[] => run(pieces).sections.map((s) => s.context);

  test('the front matter title heads every context, even the first heading different from it', () => {
    assert.deepEqual(contexts([piece(0, '---\ntitle: T\n---\n'), piece(1, 'X\n'), piece(2, 'Y\n')]), ['T', 'T > X']);
  });

  test('a second level-1 heading keeps the first as the title', () => {
    assert.deepEqual(
      contexts([piece(1, 'Guide\n'), piece(2, 'Install\n'), piece(1, 'Appendix\n'), piece(2, 'Notes\n')]),
      ['', 'Guide', 'Guide', 'Guide > Appendix'],
    );
  });

  test('without a level-1 heading there is no title', () => {
    assert.deepEqual(contexts([piece(2, 'Sub\ntext\n'), piece(2, 'Other\n')]), ['', '']);
  });

  for (const name of ['Setup', 'Stryker was here!']) {
    test(`text that is not a heading is under all the open headings (a heading named "${name}")`, () => {
      assert.deepEqual(
        contexts([piece(1, 'Guide\n'), piece(2, `${name}\n`), piece(0, 'notes in C\n'), piece(3, 'Deep\n')]),
        ['', 'Guide', `Guide > ${name}`, `Guide > ${name}`],
      );
    });
  }

  test('front matter is looked for only in the first piece, and only when it is not a heading', () => {
    const later = run([piece(1, 'Guide\n'), piece(0, '---\ntitle: Fake\n---\nbody\n')]);
    assert.deepEqual(
      later.sections.map((s) => [s.position, s.context, s.front, s.text]),
      [
        [0, '', false, 'Guide\n'],
        [1, 'Guide', false, '---\ntitle: Fake\n---\nbody\n'],
      ],
    );
    assert.equal(later.title, 'Guide');
    const heading = run([piece(1, '---\ntitle: Fake\n---\n')]);
    assert.deepEqual(
      heading.sections.map((s) => [s.position, s.front, s.text]),
      [[0, false, '---\ntitle: Fake\n---\n']],
    );
    assert.equal(heading.title, '---');
  });
});

describe('Sectioner: the context takes its share of the window', () => {
  const body = (n: number): string =>
    Array.from({ length: n }, (_, i) => `w${i + 1}`)
      .join(' ')
      .trim();
  const parts = (maxTokens: number, title: string, text: string): [string, string][] =>
    run([piece(1, `${title}\n`), piece(2, text)], 'sections', maxTokens)
      .sections.slice(1)
      .map((s) => [s.context, s.text]);

  test('the text gets the window minus the context: 14 - 2 = 12 tokens', () => {
    // "Sub" is repeated (1 token), so 11 tokens of room: five words of 2 (word + slack) per part.
    assert.deepEqual(parts(14, 'Big Title', `Sub\n${body(13)}`), [
      ['Big Title', 'Sub\nw1 w2 w3 w4 w5 '],
      ['Big Title', 'Sub\nw6 w7 w8 w9 w10 '],
      ['Big Title', 'Sub\nw11 w12 w13'],
    ]);
  });

  test('a piece that fits the window minus the context is one part', () => {
    assert.deepEqual(parts(1000, 'T', `Sub\n${body(20)}`), [['T', `Sub\n${body(20)}`]]);
  });

  test('a context of exactly half the window is kept', () => {
    assert.deepEqual(parts(8, 'A B C D', 'Sub\nx'), [['A B C D', 'Sub\nx']]);
  });

  test('a context over half the window is dropped', () => {
    assert.deepEqual(parts(8, 'A B C D E', 'Sub\nx'), [['', 'Sub\nx']]);
  });
});
