// The split cache file: one per Milvus target and collection; entries that could not be chunk ids are dropped on load.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { openSplitCache, splitCacheFile } from '../../src/services/split-cache.js';
import { tempDir } from '../helpers/tmp.js';

describe('splitCacheFile', () => {
  const cases: { name: string; a: [string, string]; b: [string, string]; same: boolean }[] = [
    { name: 'same target and collection', a: ['/d/milvus.db', 'c'], b: ['/d/milvus.db', 'c'], same: true },
    { name: 'another collection', a: ['/d/milvus.db', 'c'], b: ['/d/milvus.db', 'd'], same: false },
    { name: 'another data folder', a: ['/d/milvus.db', 'c'], b: ['/e/milvus.db', 'c'], same: false },
    { name: 'a server', a: ['/d/milvus.db', 'c'], b: ['http://127.0.0.1:19530', 'c'], same: false },
    { name: 'no ambiguity in joining', a: ['/d/a', 'b/c'], b: ['/d/a/b', 'c'], same: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const a = splitCacheFile('/cache', ...c.a);
      const b = splitCacheFile('/cache', ...c.b);
      assert.equal(a === b, c.same, `${a} / ${b}`);
      assert.match(a, /^\/cache\/splits\/[0-9a-f]{24}\.json$/);
    });
  }
});

describe('openSplitCache', () => {
  test('entries whose ids are not int64 numbers are dropped; reads alone do not rewrite the file', async () => {
    const dir = tempDir('split-cache-');
    const file = path.join(dir, 'splits', 'x.json');
    mkdirSync(path.dirname(file), { recursive: true });
    const entries = {
      good: { ids: ['123', '-9223372036854775808'], parts: 0, cut: 0 },
      injected: { ids: ['1] or id > [0'], parts: 0, cut: 0 },
      number: { ids: [123], parts: 0, cut: 0 },
    };
    writeFileSync(file, JSON.stringify({ version: 1, entries }));
    const before = statSync(file).mtimeMs;
    const cache = await openSplitCache(file);
    assert.deepEqual(cache.get('good')?.ids, ['123', '-9223372036854775808']);
    assert.equal(cache.get('injected'), undefined);
    assert.equal(cache.get('number'), undefined);
    await cache.save();
    assert.equal(statSync(file).mtimeMs, before, 'nothing set: not rewritten');
    cache.set('new', { ids: ['7'], parts: 0, cut: 0 });
    await cache.save();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, unknown> };
    assert.deepEqual(Object.keys(saved.entries), ['good', 'new']);
  });
});
