// Retrieval levers, one at a time, on ingested collections: hit@1, hit@3, hit@10, MRR@10 and search latency per lever.
//
// Usage: node bench/quality.mjs --model DIR [--dtype q8] --set NAME=QUESTIONS.jsonl@DATA_DIR [--set …] [--out FILE] [--only A,B]
//   Each DATA_DIR is a Milvus Lite folder that `rag ingest` filled (collection my_rag_collection) with --model-path DIR.
//   Every lever runs through core's retrieve(), the code path of `rag ask` and `rag eval`; question vectors are
//   computed once per set and reused across levers (the embedder is deterministic), so only the search is repeated.
// Writes one JSON file (default bench/results/quality-<time>.json) and prints a table per set.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RESULTS_DIR, VENV_PYTHON, distModule, log, round } from './lib/common.mjs';

const { retrieve } = await import(distModule('core/retrieve.js'));
const { parseQuestions, relevantRank } = await import(distModule('core/eval.js'));
const { createEmbedder } = await import(distModule('services/embedder.js'));
const { startMilvusLite } = await import(distModule('services/milvus-lite.js'));
const { MilvusStore } = await import(distModule('services/vector-store.js'));

/** The levers: each a name and the retrieval options it changes from the defaults below. */
export const LEVERS = [
  { name: 'dense', opts: { mode: 'dense', collapse: false } },
  { name: 'bm25', opts: { mode: 'bm25', collapse: false } },
  { name: 'hybrid rrf60 c20 (old default)', opts: { mode: 'hybrid', collapse: false } },
  { name: 'dense, no front matter', opts: { mode: 'dense', collapse: false, skipFront: true }, only: 'tutorial' },
  { name: 'hybrid, no front matter', opts: { mode: 'hybrid', collapse: false, skipFront: true }, only: 'tutorial' },
  { name: 'dense + collapse', opts: { mode: 'dense' } },
  { name: 'hybrid + collapse', opts: { mode: 'hybrid' } },
  { name: 'hybrid + collapse rrf-k 30', opts: { mode: 'hybrid', rrfK: 30 } },
  { name: 'hybrid + collapse candidates 50', opts: { mode: 'hybrid', candidates: 50 } },
  { name: 'hybrid + collapse weights dense 1 bm25 0.5', opts: { mode: 'hybrid', weights: [1, 0.5] } },
  { name: 'dense + collapse + whole pieces', opts: { mode: 'dense', wholePieces: true } },
  { name: 'hybrid + collapse + whole pieces', opts: { mode: 'hybrid', wholePieces: true } },
  {
    name: 'hybrid + collapse + whole pieces, weights 1/0.5',
    opts: { mode: 'hybrid', wholePieces: true, weights: [1, 0.5] },
  },
  {
    name: 'hybrid + collapse (lists first) + whole pieces, weights 1/0.5',
    opts: { mode: 'hybrid', wholePieces: true, weights: [1, 0.5], collapseLists: true },
  },
  // Round 4: a file's best pieces share one slot (--per-file, --slot-chars), on top of the round-3 default.
  ...[
    ['per file 1 (one slot per file, diversify only)', { perFile: 1 }],
    ['per file 2, 4000 chars', { perFile: 2, slotChars: 4000 }],
    ['per file 3, 4000 chars (the new default)', { perFile: 3, slotChars: 4000 }],
    ['per file 3, 2000 chars', { perFile: 3, slotChars: 2000 }],
    ['per file 3, 8000 chars', { perFile: 3, slotChars: 8000 }],
    ['per file 5, 8000 chars', { perFile: 5, slotChars: 8000 }],
  ].map(([name, extra]) => ({
    name: `hybrid + collapse (lists first) + whole pieces, weights 1/0.5, ${name}`,
    opts: { mode: 'hybrid', wholePieces: true, weights: [1, 0.5], collapseLists: true, ...extra },
  })),
  {
    name: 'dense + collapse + whole pieces, per file 3, 4000 chars',
    opts: { mode: 'dense', wholePieces: true, perFile: 3, slotChars: 4000 },
  },
];

// collapseLists: false in the levers measured before it existed, so that their figures stay comparable.
const BASE = { topK: 10, rrfK: 60, candidates: 20, collapse: true, skipFront: false, collapseLists: false };

function parse(argv) {
  const o = { sets: [], out: undefined, model: undefined, only: undefined, dtype: 'fp32' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--model') o.model = argv[++i];
    else if (a === '--dtype') o.dtype = argv[++i];
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--set') {
      const m = /^([^=]+)=([^@]+)@(.+)$/.exec(argv[++i] ?? '');
      if (!m) throw new Error('--set NAME=QUESTIONS.jsonl@DATA_DIR');
      o.sets.push({ name: m[1], questions: m[2], data: m[3] });
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!o.model || o.sets.length === 0) throw new Error('usage: --model DIR --set NAME=QUESTIONS.jsonl@DATA_DIR …');
  return o;
}

/** An embedder whose query vectors are computed once per text. */
function memo(embedder) {
  const cache = new Map();
  return {
    ...embedder,
    info: embedder.info,
    async embedQuery(text) {
      if (!cache.has(text)) cache.set(text, await embedder.embedQuery(text));
      return cache.get(text);
    },
  };
}

function metrics(ranks, searchSeconds, chars3) {
  const n = ranks.length;
  const within = (k) => ranks.filter((r) => r !== null && r <= k).length / n;
  const mrr = ranks.reduce((s, r) => s + (r !== null && r <= 10 ? 1 / r : 0), 0) / n;
  const sorted = [...searchSeconds].sort((a, b) => a - b);
  return {
    hit1: round(within(1), 3),
    hit3: round(within(3), 3),
    hit5: round(within(5), 3),
    hit10: round(within(10), 3),
    mrr10: round(mrr, 3),
    searchMsMean: round((searchSeconds.reduce((a, b) => a + b, 0) / n) * 1000, 1),
    searchMsP50: round((sorted[Math.floor(n / 2)] ?? 0) * 1000, 1),
    // What the prompt gets: characters of the first three slots (the default top-k), mean per question.
    promptChars3: Math.round(chars3.reduce((a, b) => a + b, 0) / n),
  };
}

async function main() {
  const o = parse(process.argv.slice(2));
  const embedder = memo(
    await createEmbedder({
      model: 'unused',
      modelPath: o.model,
      cacheDir: os.tmpdir(),
      offline: true,
      dtype: o.dtype,
      batchSize: 16,
    }),
  );
  const result = { startedAt: new Date().toISOString(), model: embedder.info, base: BASE, sets: [] };
  for (const set of o.sets) {
    const questions = parseQuestions(readFileSync(set.questions, 'utf8'), set.questions);
    const server = await startMilvusLite({
      dataDir: path.resolve(set.data),
      python: VENV_PYTHON,
      lockWaitMs: 60_000,
      startTimeoutMs: 60_000,
    });
    const store = new MilvusStore({ address: server.address, label: set.data, timeoutMs: 900_000 });
    const collection = 'my_rag_collection';
    const meta = await store.describe(collection);
    const count = await store.count(collection);
    const rows = [];
    try {
      for (const q of questions) await embedder.embedQuery(q.question);
      for (const lever of LEVERS) {
        if (o.only && !o.only.some((s) => lever.name.includes(s))) continue;
        const opts = { ...BASE, ...lever.opts, store, embedder, collection };
        if (opts.mode !== 'dense' && !meta.bm25) continue;
        if (lever.only && meta.split !== lever.only) continue;
        await retrieve(questions[0].question, opts); // warm-up
        const ranks = [];
        const secs = [];
        const misses = [];
        const chars3 = [];
        for (const q of questions) {
          const r = await retrieve(q.question, opts);
          const rank = relevantRank(r.hits, q.expect, 10);
          ranks.push(rank);
          secs.push(r.search);
          chars3.push(r.hits.slice(0, 3).reduce((s, h) => s + h.text.length, 0));
          if (rank === null || rank > 3) misses.push(q.line);
        }
        const m = metrics(ranks, secs, chars3);
        // Latency as a user gets it: the default top-k of 3 (fewer slots to fill, so fewer deeper searches).
        const k3 = [];
        for (const q of questions) k3.push((await retrieve(q.question, { ...opts, topK: 3 })).search);
        m.searchMsK3 = round((k3.reduce((a, b) => a + b, 0) / k3.length) * 1000, 1);
        m.loadavg1 = round(os.loadavg()[0], 2);
        rows.push({ lever: lever.name, ...m, missedAt3: misses });
        log(
          `${set.name} ${lever.name}: hit@1 ${m.hit1} hit@3 ${m.hit3} hit@10 ${m.hit10} MRR@10 ${m.mrr10} (${m.searchMsMean} ms)`,
        );
      }
    } finally {
      await store.close();
      await server.stop();
    }
    result.sets.push({
      name: set.name,
      questions: set.questions,
      data: set.data,
      split: meta.split,
      chunks: count,
      rows,
    });
  }
  await embedder.close();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = o.out ?? path.join(RESULTS_DIR, `quality-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const s of result.sets) {
    process.stdout.write(`\n${s.name} (${s.questions}, ${s.chunks} chunks, split ${s.split}), k=10\n`);
    process.stdout.write(
      '| lever | hit@1 | hit@3 | hit@5 | hit@10 | MRR@10 | search ms (k=10) | search ms (k=3) | prompt chars (3 slots) |\n|---|---|---|---|---|---|---|---|---|\n',
    );
    for (const r of s.rows)
      process.stdout.write(
        `| ${r.lever} | ${r.hit1.toFixed(3)} | ${r.hit3.toFixed(3)} | ${r.hit5.toFixed(3)} | ${r.hit10.toFixed(3)} | ${r.mrr10.toFixed(3)} | ${r.searchMsMean} | ${r.searchMsK3} | ${r.promptChars3} |\n`,
      );
  }
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), file)}\n`);
}

await main();
