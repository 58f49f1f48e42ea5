// The "# " splitter against Python's str.split semantics, streaming boundaries, byte caps and chunk ids.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadingSplitter, PART_BITS, chunkId, cutAt, embedKey, pieceIds } from '../../src/core/chunk.js';

const PINNED_ID = '7116308633926286159';
const PINNED_KEY = '3wXGrXuKLzIUv5QOhyr3pHunMWV';

async function split(parts: string[], maxBytes = 65_535): Promise<{ text: string; cut: boolean }[]> {
  const out: { text: string; cut: boolean }[] = [];
  for await (const p of new HeadingSplitter(maxBytes).split(parts)) out.push(p);
  return out;
}

/** Reference: Python's text.split("# ") (same as JavaScript's), dropping blank pieces. */
function reference(text: string): string[] {
  return text.split('# ').filter((p) => p.trim() !== '');
}

describe('HeadingSplitter', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\n '],
    ['no heading', 'plain text'],
    ['one heading', '# Title\nbody'],
    ['tutorial shape', '# A\n\nanswer a\n\n###\n\n# B\n\nanswer b\n'],
    ['only headings', '# A\n# B\n# C\n'],
    ['sub-headings split too, like the tutorial', '## Two\ntext\n### Three\nmore'],
    ['hash without space stays', '#tag and C# code'],
    ['heading at the very end', 'text\n# '],
    ['consecutive separators', '# # # x'],
    ['unicode', '# 数据\n存储 🚀\n# Ünïcode'],
  ];
  for (const [name, text] of cases) {
    test(`${name}: same pieces as Python's split("# ")`, async () => {
      assert.deepEqual(
        (await split([text])).map((p) => p.text),
        reference(text),
      );
    });
    test(`${name}: same pieces whatever the stream boundaries`, async () => {
      for (let size = 1; size <= 4; size++) {
        const parts: string[] = [];
        for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
        assert.deepEqual(
          (await split(parts)).map((p) => p.text),
          reference(text),
          `parts of ${size}`,
        );
      }
    });
  }

  test('pieces over the byte limit are cut to fit, marked cut, and lose no text', async () => {
    const long = 'word '.repeat(100);
    const pieces = await split([`# ${long}# short`], 64);
    for (const p of pieces) assert.ok(Buffer.byteLength(p.text) <= 64, `${Buffer.byteLength(p.text)} bytes`);
    assert.equal(
      pieces
        .filter((p) => !p.cut)
        .map((p) => p.text)
        .join(''),
      'short',
    );
    assert.equal(
      pieces
        .filter((p) => p.cut)
        .map((p) => p.text)
        .join(''),
      long,
    );
  });

  test('a long run without separators streams in bounded pieces', async () => {
    const parts = Array.from({ length: 200 }, () => 'x'.repeat(1000));
    const pieces = await split(parts, 10_000);
    assert.equal(pieces.map((p) => p.text).join(''), 'x'.repeat(200_000));
    assert.ok(pieces.every((p) => Buffer.byteLength(p.text) <= 10_000 && p.cut));
  });

  test('cutAt never splits a multi-byte character', () => {
    const text = 'é'.repeat(50);
    const [head, rest] = cutAt(text, 7);
    assert.equal(head, 'ééé');
    assert.equal(head + rest, text);
  });
});

describe('chunkId', () => {
  test('a positive int64 as a decimal string, stable, and distinct per source, position, part and text', () => {
    const id = chunkId('/d/a.md', 0, 0, 'text');
    assert.match(id, /^\d+$/);
    assert.ok(BigInt(id) <= 0x7fff_ffff_ffff_ffffn);
    assert.equal(chunkId('/d/a.md', 0, 0, 'text'), id);
    const others = [
      chunkId('/d/b.md', 0, 0, 'text'),
      chunkId('/d/a.md', 1, 0, 'text'),
      chunkId('/d/a.md', 0, 1, 'text'),
      chunkId('/d/a.md', 0, 0, 'text2'),
    ];
    assert.equal(new Set([id, ...others]).size, 5);
  });

  test('pinned values: ids are an on-disk contract (a change here needs a new SCHEMA_VERSION)', () => {
    // sha256("/docs/faq.md\0" + "3.1" + "\0" + "Where does Milvus store data?"), first 8 bytes, top bit cleared; worked out with
    // Python: int.from_bytes(hashlib.sha256(b"/docs/faq.md\x003.1\x00Where does Milvus store data?").digest()[:8], "big") & (2**63 - 1)
    assert.equal(chunkId('/docs/faq.md', 3, 1, 'Where does Milvus store data?'), PINNED_ID);
    assert.equal(embedKey('Where does Milvus store data?'), PINNED_KEY);
  });
});

describe('pieceIds', () => {
  test('a piece stored whole keeps chunkId; the parts of a split piece are base, base + 1, …', () => {
    assert.deepEqual(pieceIds('/d/a.md', 2, ['text']), [chunkId('/d/a.md', 2, 0, 'text')]);
    assert.deepEqual(pieceIds('/d/a.md', 2, ['text'], 'Title'), [chunkId('/d/a.md', 2, 0, 'text', 'Title')]);
    const ids = pieceIds('/d/a.md', 2, ['# H\none', '# H\ntwo', '# H\nthree']).map(BigInt);
    const base = ids[0] ?? 0n;
    assert.equal(base % 2n ** BigInt(PART_BITS), 0n, 'the low bits of the base are clear');
    assert.deepEqual(ids, [base, base + 1n, base + 2n]);
    assert.ok(base < 2n ** 63n);
  });

  test('any change to a part, to how the piece was split, or to its context changes every id', () => {
    const of = (texts: string[], context = '', source = '/d/a.md', position = 2): string[] =>
      pieceIds(source, position, texts, context);
    const ids = of(['a', 'b', 'c']);
    const others = [
      of(['a', 'b', 'd']), // one part's text
      of(['a', 'bc']), // the same text split otherwise (two parts)
      of(['ab', 'c']),
      of(['a', 'b', 'c'], 'Title'), // the context
      of(['a', 'b', 'c'], '', '/d/b.md'), // the file
      of(['a', 'b', 'c'], '', '/d/a.md', 3), // the position
    ];
    for (const o of others) assert.equal(new Set([...ids, ...o]).size, ids.length + o.length, o.join(','));
  });
});
