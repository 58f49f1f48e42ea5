// Fusion arithmetic worked out by hand: reciprocal ranks, weights, document-order ties, collapsing identical texts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  TIE_EPSILON,
  collapseIdentical,
  documentOrder,
  fuse,
  textKey,
  tiesInDocumentOrder,
} from '../../src/core/fusion.js';
import type { SearchHit } from '../../src/core/types.js';

function hit(id: number, text = `t${id}`, source = `/d/${id}.md`, position = 0, part = 0): SearchHit {
  return { id: String(id), source, position, part, text, score: 0 };
}

describe('fuse', () => {
  test('each list adds weight / (k + rank), ranks from 1', () => {
    const got = fuse(
      [
        [hit(1), hit(2), hit(3)],
        [hit(3), hit(4)],
      ],
      { k: 10 },
    );
    const want = new Map([
      ['1', 1 / 11],
      ['2', 1 / 12],
      ['3', 1 / 13 + 1 / 11],
      ['4', 1 / 12],
    ]);
    assert.deepEqual(
      got.map((h) => h.id),
      ['3', '1', '2', '4'],
    );
    for (const h of got) assert.ok(Math.abs(h.score - (want.get(h.id) ?? 0)) < 1e-12, `${h.id}: ${h.score}`);
  });

  test('weights scale a list: BM25 at 0.5 lets the dense first place win over a BM25-only first place', () => {
    const dense = [hit(1), hit(2)];
    const bm25 = [hit(9), hit(1)];
    const even = fuse([dense, bm25], { k: 60 });
    assert.deepEqual(even.map((h) => h.id).slice(0, 1), ['1']);
    const weighted = fuse([[hit(2)], [hit(9)]], { k: 60, weights: [1, 0.5] });
    assert.deepEqual(
      weighted.map((h) => h.id),
      ['2', '9'],
    );
    assert.ok(Math.abs((weighted[1]?.score ?? 0) - 0.5 / 61) < 1e-12);
    const bmFirst = fuse([[hit(2)], [hit(9)]], { k: 60, weights: [0.5, 1] });
    assert.deepEqual(
      bmFirst.map((h) => h.id),
      ['9', '2'],
    );
  });

  test('equal scores are put in document order (source, position, part, id), not list order', () => {
    const a = hit(50, 'a', '/d/b.md', 2);
    const b = hit(7, 'b', '/d/a.md', 9);
    const c = hit(8, 'c', '/d/b.md', 2, 1);
    const got = fuse([[a, c], [b]], { k: 60 });
    // a and b tie (1/61 each); c is behind (1/62).
    assert.deepEqual(
      got.map((h) => h.id),
      ['7', '50', '8'],
    );
    assert.ok(documentOrder(hit(2, 'x', '/a', 1), hit(1, 'x', '/a', 1)) > 0, 'the id breaks the last tie, as a number');
    assert.ok(documentOrder(hit(10, 'x', '/a', 1), hit(9, 'x', '/a', 1)) > 0, '10 after 9, not before as text');
  });

  test('a hit repeated inside one list counts once', () => {
    const got = fuse([[hit(1), hit(1)]], { k: 1 });
    assert.equal(got.length, 1);
    assert.equal(got[0]?.score, 1 / 2);
  });
});

describe('collapseIdentical', () => {
  test('identical texts keep the best-ranked one; the other places are listed once each', () => {
    const got = collapseIdentical([
      hit(1, 'same', '/a.md'),
      hit(2, 'other', '/b.md'),
      hit(3, 'same\n', '/c.md'),
      hit(4, 'same', '/a.md', 5),
      hit(5, 'same', '/c.md', 1),
    ]);
    assert.deepEqual(
      got.map((h) => h.id),
      ['1', '2'],
    );
    assert.deepEqual(got[0]?.alsoIn, ['/c.md']);
    assert.equal(got[1]?.alsoIn, undefined);
  });

  test('the input is not changed', () => {
    const input = [hit(1, 'x', '/a.md'), hit(2, 'x', '/b.md')];
    collapseIdentical(input);
    assert.equal(input[0]?.alsoIn, undefined);
  });
});

describe('whole pieces (small-to-big)', () => {
  test('joinParts puts the parts back in order and drops the heading line each later part repeats', async () => {
    const { joinParts } = await import('../../src/core/retrieve.js');
    const piece = 'Title\npara one\n\npara two\n\npara three\n';
    const parts = [
      { part: 2, text: 'Title\npara three\n' },
      { part: 0, text: 'Title\npara one\n\n' },
      { part: 1, text: 'Title\npara two\n\n' },
    ];
    assert.equal(joinParts(parts), piece);
    assert.equal(joinParts([{ part: 0, text: 'no heading line' }]), 'no heading line');
  });

  test('onePerPiece keeps the best-ranked part of each piece, in rank order', async () => {
    const { onePerPiece } = await import('../../src/core/retrieve.js');
    const got = onePerPiece([
      hit(1, 'a', '/x.md', 3, 1),
      hit(2, 'b', '/y.md', 0),
      hit(3, 'c', '/x.md', 3, 0),
      hit(4, 'd', '/x.md', 4),
    ]);
    assert.deepEqual(
      got.map((h) => h.id),
      ['1', '2', '4'],
    );
  });

  test('onePerPiece: hits without a source (a collection rag did not build) are each their own piece', async () => {
    const { onePerPiece } = await import('../../src/core/retrieve.js');
    const got = onePerPiece([hit(1, 'a', '', 0), hit(2, 'b', '', 0), hit(3, 'c', '', 0)]);
    assert.equal(got.length, 3);
  });
});

describe('tiesInDocumentOrder', () => {
  const at = (id: number, score: number, source: string, position = 0): SearchHit => ({
    ...hit(id, `t${id}`, source, position),
    score,
  });

  test('each run of equal scores is put in document order; unequal scores keep their places', () => {
    const list = [
      at(1, 0.9, '/d/z.md'),
      at(2, 0.5, '/d/y.md', 3),
      at(3, 0.5, '/d/b.md'),
      at(4, 0.5, '/d/y.md', 1),
      at(5, 0.4, '/d/a.md'),
      at(6, 0.3, '/d/c.md'),
      at(7, 0.3, '/d/a.md'),
    ];
    assert.deepEqual(
      tiesInDocumentOrder(list).map((h) => h.id),
      ['1', '3', '4', '2', '5', '7', '6'],
    );
  });

  test('a list without ties is returned as it is, and the input is not changed', () => {
    const list = [at(9, 3, '/d/z.md'), at(8, 2, '/d/a.md'), at(7, 1, '/d/m.md')];
    const before = list.map((h) => h.id);
    assert.deepEqual(
      tiesInDocumentOrder(list).map((h) => h.id),
      ['9', '8', '7'],
    );
    assert.deepEqual(
      tiesInDocumentOrder([...list].reverse()).map((h) => h.id),
      ['7', '8', '9'],
    );
    assert.deepEqual(
      list.map((h) => h.id),
      before,
    );
    assert.deepEqual(tiesInDocumentOrder([]), []);
  });
});

describe('collapseIdentical after collapsing each list', () => {
  test('the places a collapsed hit already lists are merged into the kept one, each once', () => {
    const a = { ...hit(1, 'same', '/d/a.md'), alsoIn: ['/d/c.md'] };
    const b = { ...hit(2, 'same', '/d/b.md'), alsoIn: ['/d/a.md', '/d/d.md'] };
    const got = collapseIdentical([a, hit(3), b]);
    assert.deepEqual(
      got.map((h) => h.id),
      ['1', '3'],
    );
    assert.deepEqual(got[0]?.alsoIn, ['/d/c.md', '/d/b.md', '/d/d.md']);
    assert.deepEqual(a.alsoIn, ['/d/c.md'], 'the input hit is not changed');
  });
});

describe('fuse by text (identical texts as one)', () => {
  const same = (id: number, source: string, position = 0): SearchHit => hit(id, 'boilerplate', source, position);

  test('a text counts once per list, at its best rank: its copies take no ranks from other hits', () => {
    // dense: copy A, copy B, x; bm25: copy B, y, copy A.
    const a = same(1, '/d/a.md');
    const b = same(2, '/d/b.md');
    const got = fuse(
      [
        [a, b, hit(3)],
        [b, hit(4), a],
      ],
      { k: 60, weights: [1, 0.5], key: textKey },
    );
    assert.deepEqual(
      got.map((h) => h.id),
      ['1', '3', '4'],
    );
    // The text: rank 1 in both lists. x: rank 3 dense (copies still hold their places in the list); y: rank 2 bm25.
    const want = [1 / 61 + 0.5 / 61, 1 / 63, 0.5 / 62];
    got.forEach((h, i) => assert.ok(Math.abs(h.score - (want[i] ?? 0)) < 1e-12, `${h.id}: ${h.score}`));
    assert.deepEqual(got[0]?.alsoIn, ['/d/b.md']);
  });

  test('the copy shown is the one with the best fused score of its own, ties in document order', () => {
    const a = same(1, '/d/a.md');
    const b = same(2, '/d/b.md');
    // Own scores: a = 1/62 + 0.5/61, b = 1/61 + 0.5/62: b is ahead (dense weighs more).
    const weighted = fuse(
      [
        [b, a],
        [a, b],
      ],
      { k: 60, weights: [1, 0.5], key: textKey },
    );
    assert.equal(weighted[0]?.source, '/d/b.md');
    assert.deepEqual(weighted[0]?.alsoIn, ['/d/a.md']);
    // Even weights: a tie, so the first in document order.
    const even = fuse(
      [
        [b, a],
        [a, b],
      ],
      { k: 60, key: textKey },
    );
    assert.equal(even[0]?.source, '/d/a.md');
    assert.deepEqual(even[0]?.alsoIn, ['/d/b.md']);
    // Whichever list order Milvus returned the ties in.
    assert.equal(
      fuse(
        [
          [a, b],
          [b, a],
        ],
        { k: 60, key: textKey },
      )[0]?.source,
      '/d/a.md',
    );
  });

  test('copies found by one list only still add up: the entry keeps every source once', () => {
    const got = fuse([[same(1, '/d/a.md'), same(5, '/d/a.md', 3)], [{ ...same(2, '/d/c.md'), alsoIn: ['/d/e.md'] }]], {
      k: 10,
      key: textKey,
    });
    assert.equal(got.length, 1);
    assert.ok(Math.abs((got[0]?.score ?? 0) - 2 / 11) < 1e-12);
    assert.equal(got[0]?.id, '1');
    assert.deepEqual(got[0]?.alsoIn, ['/d/c.md', '/d/e.md']);
  });

  test('without a key, copies are separate hits, as before', () => {
    const got = fuse([[same(1, '/d/a.md'), same(2, '/d/b.md')]], { k: 60 });
    assert.deepEqual(
      got.map((h) => h.id),
      ['1', '2'],
    );
    assert.ok(got.every((h) => h.alsoIn === undefined));
  });
});

describe('tiesInDocumentOrder within float noise', () => {
  const at = (id: number, score: number, source: string): SearchHit => ({ ...hit(id, 't', source), score });

  test('scores a few ulps apart are a tie; scores 1e-5 apart are not', () => {
    assert.deepEqual(
      tiesInDocumentOrder([at(1, 0.46960002, '/d/t.md'), at(2, 0.4696, '/d/l.md')]).map((h) => h.id),
      ['2', '1'],
    );
    assert.deepEqual(
      tiesInDocumentOrder([at(1, 13.40550001, '/d/t.md'), at(2, 13.4055, '/d/l.md')]).map((h) => h.id),
      ['2', '1'],
    );
    assert.deepEqual(
      tiesInDocumentOrder([at(1, 0.46961, '/d/t.md'), at(2, 0.4696, '/d/l.md')]).map((h) => h.id),
      ['1', '2'],
    );
    assert.equal(TIE_EPSILON, 1e-6);
  });
});
