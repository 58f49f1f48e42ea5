// A file's best pieces in one slot (byFile, slot): grouping order, the per-file limit, the character budget, document order.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { byFile, slot } from '../../src/core/retrieve.js';
import type { SearchHit } from '../../src/core/types.js';

const hit = (source: string, position: number, text: string, score = 1, extra: Partial<SearchHit> = {}): SearchHit => ({
  id: `${source}#${position}`,
  source,
  position,
  part: 0,
  text,
  score,
  ...extra,
});

describe('byFile', () => {
  const ranked = [
    hit('a', 5, 'a5'),
    hit('b', 1, 'b1'),
    hit('a', 2, 'a2'),
    hit('c', 0, 'c0'),
    hit('a', 9, 'a9'),
    hit('b', 7, 'b7'),
  ];
  const ids = (groups: SearchHit[][]): string[][] => groups.map((g) => g.map((h) => h.id));

  test('groups in the order of each file best hit, each in rank order, at most perFile', () => {
    const cases: [perFile: number, expected: string[][]][] = [
      [1, [['a#5'], ['b#1'], ['c#0']]],
      [2, [['a#5', 'a#2'], ['b#1', 'b#7'], ['c#0']]],
      [3, [['a#5', 'a#2', 'a#9'], ['b#1', 'b#7'], ['c#0']]],
    ];
    for (const [perFile, expected] of cases)
      assert.deepEqual(ids(byFile(ranked, perFile)), expected, `perFile ${perFile}`);
  });

  test('hits without a source (a collection rag did not build) are each a group', () => {
    const foreign = [hit('', 0, 'x', 1, { id: '1' }), hit('', 0, 'y', 1, { id: '2' })];
    assert.deepEqual(ids(byFile(foreign, 3)), [['1'], ['2']]);
  });
});

describe('slot', () => {
  test('one piece: returned as it is', () => {
    const h = hit('a', 3, 'text', 0.7, { alsoIn: ['z'] });
    assert.equal(slot([h], 10), h);
  });

  test('pieces in document order, joined by a blank line; score, id and position of the best', () => {
    const s = slot([hit('a', 5, 'five', 0.9), hit('a', 2, 'two', 0.5), hit('a', 9, 'nine', 0.4)], 100);
    assert.equal(s.text, 'two\n\nfive\n\nnine');
    assert.deepEqual([s.id, s.position, s.score, s.positions], ['a#5', 5, 0.9, [2, 5, 9]]);
  });

  test('the character budget: the best always goes in, a later piece that does not fit is skipped, a smaller one still goes in', () => {
    const best = hit('a', 5, 'x'.repeat(50));
    const big = hit('a', 1, 'y'.repeat(40));
    const small = hit('a', 8, 'z'.repeat(10));
    const cases: [max: number, positions: number[] | undefined][] = [
      [10, undefined], // only the best, even over budget: returned as it is
      [60, [5, 8]], // 50 + 40 > 60: the big one is skipped, 50 + 10 fits
      [100, [1, 5, 8]], // 50 + 40 + 10 = 100: all fit exactly
      [99, [1, 5]], // 50 + 40 = 90, then 100 > 99
    ];
    for (const [max, positions] of cases)
      assert.deepEqual(slot([best, big, small], max).positions, positions, `max ${max}`);
  });

  test('places of identical texts are merged, without the slot own file', () => {
    const s = slot(
      [hit('a', 1, 'p', 1, { alsoIn: ['x', 'y'] }), hit('a', 2, 'q', 0.5, { alsoIn: ['y', 'a', 'z'] })],
      100,
    );
    assert.deepEqual(s.alsoIn, ['x', 'y', 'z']);
    const none = slot([hit('a', 1, 'p'), hit('a', 2, 'q')], 100);
    assert.equal(none.alsoIn, undefined);
  });
});
