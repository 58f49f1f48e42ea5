// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-small.md).

import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { HeadingSplitter, cutAt } from '../../src/core/chunk.js';
import { canonical, folderScope, globScope } from '../../src/core/discover.js';
import { documentOrder, fuse, textKey, tiesInDocumentOrder } from '../../src/core/fusion.js';
import type { SearchHit } from '../../src/core/types.js';
import { tempDir } from '../helpers/tmp.js';

// ── chunk.ts ────────────────────────────────────────────────────────────────────────────────────────────────────

type Out = [text: string, cut: boolean, level: number];

async function split(parts: Iterable<string> | AsyncIterable<string>, maxBytes: number): Promise<Out[]> {
  const out: Out[] = [];
  for await (const p of new HeadingSplitter(maxBytes).split(parts)) out.push([p.text, p.cut, p.level]);
  return out;
}

describe('HeadingSplitter: name and heading levels on the first line', () => {
  test('the splitter is called "heading"', () => {
    assert.equal(new HeadingSplitter(100).name, 'heading');
  });

  // A separator on the file's first line starts a heading only when nothing but blanks precede it.
  const cases: [name: string, text: string, levels: number[]][] = [
    ['a word glued to the first "# " is not a heading', 'C# is a language', [0, 0]],
    ['hashes glued to a word are not a heading', 'abc## x', [0, 0]],
    ['an indented first heading is one', '  # Title', [1]],
    [
      'a tab-indented level-2 first heading is one (the tab and extra "#" stay a piece, as in the tutorial)',
      '\t## Sub',
      [0, 2],
    ],
  ];
  for (const [name, text, levels] of cases) {
    test(name, async () => {
      assert.deepEqual(
        (await split([text], 100)).map(([, , level]) => level),
        levels,
      );
    });
  }
});

describe('cutAt: text within the limit is never cut', () => {
  const cases: [text: string, maxBytes: number][] = [
    ['abcd ef', 100], // a space in the second half, far below the limit
    ['abc d', 5], // exactly at the limit, with a space in the second half
    ['é é', 5], // 5 UTF-8 bytes, exactly at the limit
  ];
  for (const [text, maxBytes] of cases) {
    test(`${JSON.stringify(text)} in ${maxBytes} bytes stays whole`, () => {
      assert.deepEqual(cutAt(text, maxBytes), [text, '']);
    });
  }
});

describe('HeadingSplitter: the byte limit, at and near its edges', () => {
  const cases: [name: string, parts: string[], maxBytes: number, want: Out[]][] = [
    ['a piece of exactly maxBytes is not cut', ['# abcdefgh'], 8, [['abcdefgh', false, 1]]],
    ['a short piece with a small limit is not cut', ['# abc'], 8, [['abc', false, 1]]],
    ['a piece one byte under the limit, without separator, is not cut', ['abcdefg'], 8, [['abcdefg', false, 0]]],
    [
      'a piece of maxBytes + 2 is cut at the last space in its second half',
      ['aaaaa bbbb'],
      8,
      [
        ['aaaaa ', true, 0],
        ['bbbb', true, 0],
      ],
    ],
    ['a long stretch of blanks in the stream gives no pieces', [' '.repeat(20), '\n# z'], 8, [['z', false, 1]]],
  ];
  for (const [name, parts, maxBytes, want] of cases) {
    test(name, async () => {
      assert.deepEqual(await split(parts, maxBytes), want);
    });
  }
});

describe('HeadingSplitter streams', () => {
  test('a cut piece comes out as soon as the buffer holds more than maxBytes + the separator, before the input ends', async () => {
    let pulled = 0;
    async function* parts(): AsyncIterable<string> {
      for (let i = 0; i < 6; i++) {
        pulled++;
        yield 'x'.repeat(10);
      }
    }
    const seen: [text: string, pulledWhenSeen: number][] = [];
    for await (const p of new HeadingSplitter(10).split(parts())) seen.push([p.text, pulled]);
    // After 2 parts the buffer has 20 bytes > 10 + 2: the first 10 go out; 10 stay (not > 12) until the next part.
    assert.deepEqual(seen, [
      ['x'.repeat(10), 2],
      ['x'.repeat(10), 3],
      ['x'.repeat(10), 4],
      ['x'.repeat(10), 5],
      ['x'.repeat(10), 6],
      ['x'.repeat(10), 6],
    ]);
  });
});

// ── discover.ts (scopes) ───────────────────────────────────────────────────────────────────────────────────────

describe('canonical: links resolved as far as the path exists', () => {
  let real: string; // the folder a link points to (its real path)
  let link: string; // a symbolic link to it

  before(() => {
    const dir = tempDir('canonical-');
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'a.md'), '# x\n');
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    real = realpathSync(path.join(dir, 'real'));
    link = path.join(realpathSync(dir), 'link');
  });

  test('an existing file through a link', () => {
    assert.equal(canonical(`${link}/a.md`), `${real}/a.md`);
  });

  test('missing names below a link are kept in order below the real folder', () => {
    assert.equal(canonical(`${link}/new.md`), `${real}/new.md`);
    assert.equal(canonical(`${link}/one/two/three.md`), `${real}/one/two/three.md`);
  });

  test('a path without links is itself', () => {
    assert.equal(canonical(`${real}/a.md`), `${real}/a.md`);
    assert.equal(canonical(`${real}/x/y.md`), `${real}/x/y.md`);
  });
});

describe('globScope: a pattern at the file-system root', () => {
  test('"/*.md" covers the Markdown files directly in /, with prefix "/"', () => {
    const scope = globScope('/*.md');
    assert.equal(scope.prefix, '/');
    for (const s of ['/a.md', '/README.md']) assert.equal(scope.matches(s), true, s);
    for (const s of ['//a.md', '/d/a.md', '/.a.md', '/a.txt']) assert.equal(scope.matches(s), false, s);
  });
});

describe('folderScope: hidden or skipped folders above the scope do not matter', () => {
  const cases: [dir: string, source: string, inScope: boolean][] = [
    ['/home/u/.config/docs', '/home/u/.config/docs/a.md', true],
    ['/w/node_modules/pkg/docs/', '/w/node_modules/pkg/docs/sub/b.md', true],
    ['/w/.git/x', '/w/.git/x/a.md', true],
    ['/home/u/.config/docs', '/home/u/.config/docs/.hidden/a.md', false],
    ['/w/node_modules/pkg', '/w/node_modules/pkg/node_modules/dep/a.md', false],
  ];
  for (const [dir, source, inScope] of cases) {
    test(`${source} is ${inScope ? 'in' : 'out of'} the scope of ${dir}`, () => {
      assert.equal(folderScope(dir).matches(source), inScope);
    });
  }
});

// ── fusion.ts ───────────────────────────────────────────────────────────────────────────────────────────────────

function hit(id: number, source: string, position = 0, part = 0, text = `t${id}`, score = 0): SearchHit {
  return { id: String(id), source, position, part, text, score };
}

describe('documentOrder: the sign for each key', () => {
  const cases: [name: string, a: SearchHit, b: SearchHit, sign: -1 | 0 | 1][] = [
    ['the same hit', hit(5, '/d/a.md', 1, 2), hit(5, '/d/a.md', 1, 2), 0],
    ['a smaller id first', hit(1, '/d/a.md'), hit(2, '/d/a.md'), -1],
    ['a larger id after', hit(2, '/d/a.md'), hit(1, '/d/a.md'), 1],
    ['a later source after, whatever the position', hit(1, '/d/b.md', 0), hit(2, '/d/a.md', 5), 1],
    ['an earlier source first, whatever the position', hit(1, '/d/a.md', 5), hit(2, '/d/b.md', 0), -1],
    ['part 0 before part 1', hit(2, '/d/a.md', 3, 0), hit(1, '/d/a.md', 3, 1), -1],
    ['part 2 after part 1', hit(1, '/d/a.md', 3, 2), hit(2, '/d/a.md', 3, 1), 1],
  ];
  for (const [name, a, b, sign] of cases) {
    test(`${name}: ${sign}`, () => {
      assert.equal(Math.sign(documentOrder(a, b)), sign);
    });
  }
});

describe('tiesInDocumentOrder: edges of a tie', () => {
  const at = (id: number, score: number, source: string): SearchHit => hit(id, source, 0, 0, 't', score);
  const cases: [name: string, list: SearchHit[], want: string[]][] = [
    ['zero scores are a tie', [at(1, 0, '/d/z.md'), at(2, 0, '/d/a.md')], ['2', '1']],
    ['exactly TIE_EPSILON apart (below 1) is still a tie', [at(1, 1e-6, '/d/z.md'), at(2, 0, '/d/a.md')], ['2', '1']],
    [
      'large scores tie relative to their size: 1000.0005 and 1000',
      [at(1, 1000.0005, '/d/z.md'), at(2, 1000, '/d/a.md')],
      ['2', '1'],
    ],
    [
      'large scores beyond the relative tolerance keep their order: 1000.002 and 1000',
      [at(1, 1000.002, '/d/z.md'), at(2, 1000, '/d/a.md')],
      ['1', '2'],
    ],
  ];
  for (const [name, list, want] of cases) {
    test(name, () => {
      assert.deepEqual(
        tiesInDocumentOrder(list).map((h) => h.id),
        want,
      );
    });
  }
});

describe('fuse by text key: output', () => {
  test('a text found once has no alsoIn at all', () => {
    const got = fuse([[hit(1, '/d/a.md')]], { k: 60, key: textKey });
    assert.deepEqual(got, [{ id: '1', source: '/d/a.md', position: 0, part: 0, text: 't1', score: 1 / 61 }]);
    assert.equal(Object.hasOwn(got[0] ?? {}, 'alsoIn'), false);
  });

  test('entries are sorted by fused score, not by the order their texts were first seen', () => {
    const x = hit(1, '/d/x.md');
    const y = hit(2, '/d/y.md');
    // x: 1/61; y: 1/62 + 1/61.
    const got = fuse([[x, y], [y]], { k: 60, key: textKey });
    assert.deepEqual(
      got.map((h) => h.id),
      ['2', '1'],
    );
    assert.ok(Math.abs((got[0]?.score ?? 0) - (1 / 62 + 1 / 61)) < 1e-12);
  });
});
