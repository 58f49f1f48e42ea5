// End to end: a piece repeated within a file and across files (fixtures/repeats) is stored once per occurrence.

import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { storedRows } from '../helpers/reliability-kit.js';

const REPEATED = 'See also\n\nThe beekeeping guide, chapter three.\n\n';

/** Pieces of the fixture files, by Python's split("# ") minus blank pieces, computed here from the files. */
function fixturePieces(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('# ')
        .filter((p) => p.trim() !== ''),
    );
}

describe('rag ingest of a repeated piece (fixtures/repeats)', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(() => {
    cwd = workdir('rag-repeats-');
    cpSync(path.join(FIXTURES, 'repeats'), path.join(cwd, 'repeats'), { recursive: true });
    env = { RAG_MODEL_PATH: testModel() };
  });

  test('the fixture repeats a piece twice in one file and once more in another', () => {
    const all = fixturePieces(path.join(FIXTURES, 'repeats'));
    assert.equal(all.length, 8);
    assert.equal(all.filter((p) => p === REPEATED).length, 3);
  });

  test('every occurrence is stored, each with its own id; a re-run changes nothing', async () => {
    const r = await rag(['ingest', 'repeats', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { files: number; chunks: number; added: number; total: number };
    assert.deepEqual([s.files, s.chunks, s.added, s.total], [2, 8, 8, 8]);

    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    assert.equal(rows.length, 8, 'stored rows');
    assert.equal(new Set(rows.map((row) => row.id)).size, 8, 'distinct ids');
    const repeats = rows.filter((row) => row.text === REPEATED);
    assert.equal(repeats.length, 3, 'the repeated piece, once per occurrence');
    // Two of them in one file, at positions 1 and 3; the third in the other file.
    const bySource = new Map<string, number[]>();
    for (const row of repeats) bySource.set(row.source, [...(bySource.get(row.source) ?? []), row.position]);
    assert.deepEqual(
      [...bySource.values()].map((p) => p.sort((a, b) => a - b)).sort((a, b) => b.length - a.length),
      [[1, 3], [1]],
    );

    const again = await rag(['ingest', 'repeats', '--json'], { cwd, env });
    assert.equal(again.code, 0, again.stderr);
    const s2 = JSON.parse(again.stdout) as { added: number; unchanged: number; removed: number; total: number };
    assert.deepEqual([s2.added, s2.unchanged, s2.removed, s2.total], [0, 8, 0, 8]);
  });
});
