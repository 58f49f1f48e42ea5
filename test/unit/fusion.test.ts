// Fusion arithmetic worked out by hand: reciprocal ranks, weights, document-order ties, collapsing identical texts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collapseIdentical, documentOrder, fuse } from '../../src/core/fusion.js';
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
