// BM25 and hybrid search on a real Milvus Lite with the test model: exact rare terms, reciprocal-rank fusion, collections without BM25.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { retrieve } from '../../src/core/retrieve.js';
import { embedKey } from '../../src/core/chunk.js';
import type { CollectionMeta, Embedder, SearchHit, SearchMode } from '../../src/core/types.js';
import { createEmbedder } from '../../src/services/embedder.js';
import { SCHEMA_VERSION } from '../../src/core/types.js';
import { rag, workdir } from '../helpers/cli.js';
import { startTestMilvus, type TestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

function loadEmbedder(): Promise<Embedder> {
  return createEmbedder({
    model: 'unused',
    modelPath: testModel(),
    cacheDir: tempDir('cache-'),
    offline: true,
    dtype: 'fp32',
    batchSize: 16,
    threads: 1,
  });
}

function metaOf(e: Embedder, bm25: boolean): CollectionMeta {
  return {
    schema: SCHEMA_VERSION,
    model: e.info.model,
    dim: e.info.dim,
    queryPrefix: e.info.queryPrefix,
    docPrefix: e.info.docPrefix,
    bm25,
    split: 'tutorial',
  };
}

interface Row {
  text: string;
  source: string;
  position: number;
}

/** Stores the rows with ids that fall as rows are inserted: like rag's hashed ids, neither follows document order. */
async function fill(
  m: TestMilvus,
  e: Embedder,
  collection: string,
  rows: Row[],
  opts: { bm25?: boolean } = {},
): Promise<void> {
  await m.store.create(collection, metaOf(e, opts.bm25 ?? true));
  const { vectors } = await e.embedDocs(rows.map((r) => r.text));
  await m.store.upsert(
    collection,
    rows.map((r, i) => ({
      ...r,
      id: String(1000 - i),
      part: 0,
      indexText: r.text,
      front: false,
      key: embedKey(r.text),
      vector: vectors[i] ?? [],
    })),
  );
}

/** The fixtures' "# " pieces, as rag ingest splits them. */
function fixturePieces(): Row[] {
  const dir = path.join(FIXTURES, 'docs');
  return readdirSync(dir)
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('# ')
        .filter((p) => p.trim() !== '')
        .map((text, position) => ({ text, source: `docs/${f}`, position })),
    );
}

/** Reciprocal-rank fusion worked out here: each list gives 1 / (k + rank), rank counted from 1. */
function rrf(lists: SearchHit[][], k: number): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((h, i) => scores.set(h.id, (scores.get(h.id) ?? 0) + 1 / (k + i + 1)));
  return scores;
}

describe('BM25 and hybrid search (real Milvus Lite, test model)', () => {
  let m: TestMilvus;
  let embedder: Embedder;
  // candidates: how deep each list of a hybrid search goes into the fusion (topK unless a test says otherwise).
  // Through core's retrieve(), the path of ask and eval; identical texts are not collapsed here (the fixtures have none).
  const search = async (
    collection: string,
    query: string,
    mode: SearchMode,
    topK: number,
    rrfK = 60,
    candidates = topK,
  ): Promise<SearchHit[]> =>
    (await retrieve(query, { store: m.store, embedder, collection, topK, mode, rrfK, candidates, collapse: false }))
      .hits;

  // "xqzplorf" is a made-up word, so the test model splits it into 3-letter pieces; the two decoys are near-miss
  // spellings that share most pieces with it and are short, so their bag-of-pieces vectors sit closer to the query
  // than the long document that contains the exact word. BM25 indexes whole words: only that document matches.
  const RARE = [
    'xqzplorg module notes',
    'xqzplorb module notes',
    'the xqzplorf daemon writes logs to disk every night while the scheduler rotates old archives',
    'bees make honey from nectar',
    'bread needs a hot oven',
  ];
  const TARGET = 'doc3.md';
  const rareRows = RARE.map((text, i) => ({ text, source: `doc${i + 1}.md`, position: 0 }));

  before(async () => {
    [m, embedder] = await Promise.all([startTestMilvus(), loadEmbedder()]);
    await fill(m, embedder, 'rare', rareRows);
    await fill(m, embedder, 'fixtures', fixturePieces());
  });
  after(async () => {
    await embedder?.close();
    await m?.stop();
  });

  test('BM25 finds an exact rare term that dense search ranks third behind near-miss spellings', async () => {
    const query = 'what is xqzplorf';
    const dense = await search('rare', query, 'dense', RARE.length);
    assert.deepEqual(
      dense
        .slice(0, 2)
        .map((h) => h.source)
        .sort(),
      ['doc1.md', 'doc2.md'],
      'the near-miss spellings come first in dense search',
    );
    assert.equal(
      dense.findIndex((h) => h.source === TARGET) + 1,
      3,
      'dense ranks the document with the exact term third',
    );
    assert.ok(!(await search('rare', query, 'dense', 2)).some((h) => h.source === TARGET), 'so dense top-2 misses it');

    const bm25 = await search('rare', query, 'bm25', RARE.length);
    assert.deepEqual(
      bm25.map((h) => h.source),
      [TARGET],
      'only the document with the exact word matches BM25',
    );
    assert.ok((bm25[0]?.score ?? 0) > 0, 'BM25 scores are reported positive (Milvus Lite returns them negated)');
    assert.match(bm25[0]?.text ?? '', /xqzplorf daemon/);
  });

  test('hybrid fuses both rankings: the exact-term document rises to first, scores are 1/(k+rank) sums', async () => {
    const query = 'what is xqzplorf';
    for (const rrfK of [60, 1]) {
      const hybrid = await search('rare', query, 'hybrid', 3, rrfK);
      // dense top 3: the two decoys (ranks 1, 2 in either order), the target (3); BM25: the target (1).
      const dense = await search('rare', query, 'dense', 3);
      const top = dense[0]?.source;
      const second = dense[1]?.source;
      assert.deepEqual(
        hybrid.map((h) => h.source),
        [TARGET, top, second],
        `rrfK ${rrfK}`,
      );
      const expected = [1 / (rrfK + 3) + 1 / (rrfK + 1), 1 / (rrfK + 1), 1 / (rrfK + 2)];
      hybrid.forEach((h, i) =>
        assert.ok(
          Math.abs(h.score - (expected[i] ?? 0)) < 1e-5,
          `rrfK ${rrfK}: hit ${i + 1} score ${h.score}, expected ${expected[i]}`,
        ),
      );
    }
  });

  test('hybrid returns the union of the dense and BM25 lists, ranked by reciprocal-rank fusion, ties in document order', async () => {
    const queries = [
      'How do bees make honey?',
      'oven temperature for bread',
      'oldest lighthouse in Spain',
      'Why do bees swarm from the hive?',
    ];
    let overlaps = 0;
    let ties = 0;
    for (const query of queries) {
      for (const [topK, rrfK, candidates] of [
        [3, 60, 3],
        [5, 2, 5],
        [3, 60, 8],
      ] as const) {
        const what = `"${query}" top ${topK}, k ${rrfK}, ${candidates} candidates`;
        const dense = await search('fixtures', query, 'dense', candidates);
        const bm25 = await search('fixtures', query, 'bm25', candidates);
        const hybrid = await search('fixtures', query, 'hybrid', topK, rrfK, candidates);
        const expected = rrf([dense, bm25], rrfK);
        if (dense.some((d) => bm25.some((b) => b.id === d.id))) overlaps++;
        assert.equal(hybrid.length, Math.min(topK, expected.size), what);
        assert.equal(new Set(hybrid.map((h) => h.id)).size, hybrid.length, `${what}: no duplicates`);
        for (const h of hybrid) {
          const want = expected.get(h.id);
          assert.ok(want !== undefined, `${what}: ${h.id} is in neither list`);
          assert.ok(Math.abs(h.score - want) < 1e-5, `${what}: ${h.id} scored ${h.score}, fusion gives ${want}`);
        }
        // Best first; equal fused scores in document order (source, then position), whatever the ids.
        const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-7;
        const before = (a: SearchHit, b: SearchHit): boolean =>
          a.source < b.source || (a.source === b.source && a.position < b.position);
        for (let i = 1; i < hybrid.length; i++) {
          const [p, c] = [hybrid[i - 1] as SearchHit, hybrid[i] as SearchHit];
          if (same(p.score, c.score)) ties++;
          assert.ok(
            same(p.score, c.score) ? before(p, c) : p.score > c.score,
            `${what}: ${p.source} #${p.position} (${p.score}) before ${c.source} #${c.position} (${c.score})`,
          );
        }
        const last = hybrid[hybrid.length - 1] as SearchHit;
        for (const [id, score] of expected) {
          if (hybrid.some((h) => h.id === id)) continue;
          const left = [...dense, ...bm25].find((h) => h.id === id) as SearchHit;
          assert.ok(
            same(score, last.score) ? before(last, left) : score < last.score,
            `${what}: ${left.source} #${left.position} (${score}) left out for ${last.source} #${last.position} (${last.score})`,
          );
        }
      }
    }
    assert.ok(overlaps > 0, 'some queries have chunks found by both searches, so fusion adds up two ranks');
    assert.ok(ties > 0, 'some fused scores tie, so their order is checked');
  });
});

describe('a collection without the BM25 field (older rag or server)', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(async () => {
    cwd = workdir();
    const m = await startTestMilvus(path.join(cwd, 'milvus.db'));
    const embedder = await loadEmbedder();
    try {
      await fill(m, embedder, 'my_rag_collection', fixturePieces(), { bm25: false });
    } finally {
      await embedder.close();
      await m.stop();
    }
    writeFileSync(path.join(cwd, 'q.jsonl'), '{"question": "Why do bees swarm?", "expect": ["Why do bees swarm?"]}\n');
    env = { RAG_MODEL_PATH: testModel() };
  });

  test('the default search falls back to dense, for eval and ask alike', async () => {
    const ev = await rag(['eval', 'q.jsonl', '--json'], { cwd, env });
    assert.equal(ev.code, 0, ev.stderr);
    const report = JSON.parse(ev.stdout) as { modes: { mode: string; hitK: number }[] };
    assert.deepEqual(
      report.modes.map((r) => [r.mode, r.hitK]),
      [['dense', 1]],
    );
    const ask = await rag(['ask', '--no-llm', '--json', 'Why do bees swarm?'], { cwd, env });
    assert.equal(ask.code, 0, ask.stderr);
    const answer = JSON.parse(ask.stdout) as { search: string; sources: { text: string }[] };
    assert.equal(answer.search, 'dense');
    assert.match(answer.sources[0]?.text ?? '', /Why do bees swarm\?/);
  });

  test('asking for hybrid explicitly is a clear one-line error (exit 1)', async () => {
    const r = await rag(['eval', 'q.jsonl', '--search', 'hybrid'], { cwd, env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^error: collection "my_rag_collection" has no BM25 field, so --search hybrid is unavailable \(hint: .*--recreate.*\)\n$/,
    );
  });
});
