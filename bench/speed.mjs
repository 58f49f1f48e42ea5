// Embedding speed and memory with the real model, side by side in one run: rag's embedder against the Python
// onnxruntime reference (same model, same length-sorted batches) and against the tutorial's unsorted pipeline;
// then a --batch-tokens sweep (tokens/s and peak RSS). One child process per configuration.
//
// Usage: node bench/speed.mjs [--model DIR] [--n 192] [--rounds 2] [--batch-tokens B] [--budgets 1024,2048,4096]
//   --batch-tokens: the budget of the side-by-side rounds (rag and the reference form the same batches); default rag's
// Writes bench/results/speed-<time>.json and prints the tables.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { DOCS_EN, REPO_ROOT, RESULTS_DIR, log, machineInfo, round } from './lib/common.mjs';
import { realModel } from '../scripts/real-model.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'speed-worker.mjs');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const model = opt('--model', undefined) ?? realModel();
const n = Number(opt('--n', '192'));
const rounds = Number(opt('--rounds', '2'));
const budgets = opt('--budgets', '1024,2048,4096').split(',').map(Number);
const { DEFAULT_BATCH_TOKENS } = await import(path.join(REPO_ROOT, 'dist', 'services', 'embedder.js'));
const batchTokens = Number(opt('--batch-tokens', String(DEFAULT_BATCH_TOKENS)));

/** The sample: what ingest embeds (sections split, index texts), evenly spaced over en/, long and short. */
async function sample() {
  const { HeadingSplitter, MAX_TEXT_BYTES } = await import(path.join(REPO_ROOT, 'dist', 'core', 'chunk.js'));
  const { Sectioner, indexText } = await import(path.join(REPO_ROOT, 'dist', 'core', 'sections.js'));
  const { createEmbedder } = await import(path.join(REPO_ROOT, 'dist', 'services', 'embedder.js'));
  const e = await createEmbedder({
    model: 'x',
    modelPath: model,
    cacheDir: os.tmpdir(),
    offline: true,
    dtype: 'fp32',
    batchSize: 1,
  });
  const texts = [];
  const raw = [];
  for (const f of fg.sync('**/*.md', { cwd: DOCS_EN, absolute: true }).sort()) {
    const s = new Sectioner({ mode: 'sections', maxTokens: e.docTokenBudget, countTokens: (t) => e.countTokens(t) });
    const content = readFileSync(f, 'utf8');
    for await (const p of new HeadingSplitter(MAX_TEXT_BYTES).split([content]))
      for (const c of s.push(p)) texts.push(indexText(c.context, c.text));
    raw.push(...content.split('# ').filter((t) => t.trim() !== ''));
  }
  await e.close();
  const pick = (all) =>
    Array.from(
      { length: Math.min(n, all.length) },
      (_, i) => all[Math.floor((i * all.length) / Math.min(n, all.length))],
    );
  return { chunks: pick(texts), tutorialPieces: pick(raw), corpusChunks: texts.length };
}

function worker(cfg) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        resolve({ error: out.slice(-500) });
      }
    });
  });
}

function reference(texts, file) {
  const python = path.join(REPO_ROOT, '.venv-bench', 'bin', 'python');
  const t0 = performance.now();
  const r = JSON.parse(
    execFileSync(python, [path.join(REPO_ROOT, 'bench', 'reference', 'embed_reference.py')], {
      input: JSON.stringify({
        model,
        texts,
        batch: 32,
        batch_tokens: batchTokens,
        max_tokens: 384,
        threads: os.availableParallelism(),
      }),
      maxBuffer: 1 << 30,
    }),
  );
  void file;
  return {
    tokens: r.tokens,
    padded: r.padded,
    seconds: r.seconds,
    tokensPerSecond: r.tokens / r.seconds,
    loadSeconds: r.load_seconds,
    wall: (performance.now() - t0) / 1000,
  };
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rag-speed-'));
  const started = new Date();
  const result = {
    startedAt: started.toISOString(),
    machine: machineInfo(),
    model,
    n,
    rounds,
    batchTokens,
    loadavgAtStart: os.loadavg().map((x) => round(x, 2)),
    side: [],
    sweep: [],
  };
  try {
    const s = await sample();
    const file = path.join(tmp, 'sample.json');
    writeFileSync(file, JSON.stringify(s));
    log(`sample: ${s.chunks.length} of ${s.corpusChunks} chunks`);
    for (let r = 0; r < rounds; r++) {
      // Interleaved, so that drift in the machine's load falls on all three alike.
      const rag = await worker({ kind: 'rag', model, sample: file, batchTokens, batchSize: 32 });
      const ref = reference(s.chunks, file);
      const tut = await worker({ kind: 'tutorial', model, sample: file, batchSize: 32 });
      const row = {
        round: r + 1,
        ragTokensPerSecond: round(rag.tokensPerSecond, 0),
        referenceTokensPerSecond: round(ref.tokensPerSecond, 0),
        tutorialTokensPerSecond: round(tut.tokensPerSecond, 0),
        ragOverReference: round(rag.tokensPerSecond / ref.tokensPerSecond, 2),
        ragChunksPerSecond: round(rag.chunksPerSecond, 1),
        tutorialChunksPerSecond: round(tut.chunksPerSecond, 1),
        ragOverTutorialChunks: round(rag.chunksPerSecond / tut.chunksPerSecond, 2),
        ragPaddedShare: round(1 - rag.tokens / rag.padded, 3),
        tutorialTruncated: tut.truncated,
        ragPeakRssMB: round(rag.peakRssMB, 0),
        tutorialPeakRssMB: round(tut.peakRssMB, 0),
        ragTokenizeSeconds: round(rag.tokenizeSeconds, 2),
        ragSeconds: round(rag.seconds, 1),
        referenceSeconds: round(ref.seconds, 1),
        loadavg1: round(os.loadavg()[0], 2),
      };
      result.side.push(row);
      log(
        `round ${r + 1}: rag ${row.ragTokensPerSecond} tok/s, reference ${row.referenceTokensPerSecond}, tutorial ${row.tutorialTokensPerSecond} (ratio ${row.ragOverReference})`,
      );
    }
    for (const budget of budgets) {
      const w = await worker({ kind: 'rag', model, sample: file, batchTokens: budget, batchSize: 256 });
      result.sweep.push({
        batchTokens: budget,
        tokensPerSecond: round(w.tokensPerSecond, 0),
        peakRssMB: round(w.peakRssMB, 0),
        rssAfterLoadMB: round(w.rssAfterLoadMB, 0),
        loadavg1: round(os.loadavg()[0], 2),
      });
      log(`batch-tokens ${budget}: ${round(w.tokensPerSecond, 0)} tok/s, peak ${round(w.peakRssMB, 0)} MB`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, `speed-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    '| round | rag tok/s | reference tok/s | rag / reference | tutorial pipeline tok/s | rag / tutorial (chunks/s) | rag peak MB | tutorial peak MB | load |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of result.side)
    process.stdout.write(
      `| ${r.round} | ${r.ragTokensPerSecond} | ${r.referenceTokensPerSecond} | ${r.ragOverReference} | ${r.tutorialTokensPerSecond} | ${r.ragOverTutorialChunks} | ${r.ragPeakRssMB} | ${r.tutorialPeakRssMB} | ${r.loadavg1} |\n`,
    );
  process.stdout.write('\n| --batch-tokens | tok/s | peak RSS MB |\n|---|---|---|\n');
  for (const r of result.sweep) process.stdout.write(`| ${r.batchTokens} | ${r.tokensPerSecond} | ${r.peakRssMB} |\n`);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), out)}\n`);
}

await main();
