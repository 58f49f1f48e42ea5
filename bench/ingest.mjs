// Ingest bench (issues 3, 10): the built `rag ingest --json` into fresh Milvus Lite folders (time, chunks/s, tokens/s,
// peak RSS of rag and of Milvus Lite, re-ingest), then cold `rag ask --no-llm --json` runs and their time split.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCS_EN, FAQ, RAG_BIN, cleanEnv, folderMB, log, round } from './lib/common.mjs';

const GETSTARTED = path.join(DOCS_EN, 'getstarted');
const ASK_QUESTION = 'How is data stored in milvus?';
const ASK_RUNS = 3;
const REINGEST_RUNS = 3;
import { watchPeaks } from './lib/proc.mjs';

const RUN_TIMEOUT_MS = 60 * 60_000;

/** Run the built binary once, polling the peak RSS of rag (node) and of its Milvus Lite child. */
function runRag(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [RAG_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = watchPeaks(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-16_384);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      watch.stop();
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallSeconds: (performance.now() - started) / 1000, peaks: watch.stop() });
    });
  });
}

/** One `rag ingest` run, reduced to the figures the bench reports. */
async function ingestOnce({ corpus, dir, cwd, run, batchTokens, modelDir }) {
  const args = ['ingest', dir, '--json', '--no-progress'];
  if (batchTokens) args.push('--batch-tokens', String(batchTokens));
  log(`ingest ${corpus} (${run}${batchTokens ? `, --batch-tokens ${batchTokens}` : ''}) …`);
  // Other work on the machine skews the figures: the 1-minute load average says how busy it was.
  const loadavg1 = round(os.loadavg()[0], 2);
  const r = await runRag(args, cwd, cleanEnv({ RAG_MODEL_PATH: modelDir }));
  let s;
  try {
    s = JSON.parse(r.stdout);
  } catch {
    s = undefined;
  }
  const rec = {
    corpus,
    run,
    batchTokens: batchTokens ?? 'default',
    loadavg1,
    exitCode: r.code,
    signal: r.signal ?? undefined,
    wallSeconds: round(r.wallSeconds, 2),
    seconds: round(s?.seconds, 2),
    files: s?.files,
    chunks: s?.chunks,
    added: s?.added,
    unchanged: s?.unchanged,
    removed: s?.removed,
    reused: s?.reused,
    parts: s?.parts,
    truncated: s?.truncated,
    total: s?.total,
    tokens: s?.tokens,
    embedSeconds: round(s?.embedSeconds, 2),
    // New chunks per second of the summary's own clock (discover → last upsert); per wall second too.
    chunksPerSecond: s && s.seconds > 0 ? round(s.added / s.seconds, 1) : undefined,
    chunksPerWallSecond: s ? round(s.added / r.wallSeconds, 1) : undefined,
    // Tokens the model embedded, per second of the run and per second spent in the model.
    tokensPerSecond: s && s.seconds > 0 && s.tokens ? round(s.tokens / s.seconds, 0) : undefined,
    tokensPerEmbedSecond: s && s.embedSeconds > 0 ? round(s.tokens / s.embedSeconds, 0) : undefined,
    ragPeakRssMB: round(r.peaks.selfMB, 0),
    milvusPeakRssMB: round(r.peaks.childrenMB, 0),
    children: r.peaks.children,
    dataDirMB: folderMB(path.join(cwd, 'milvus.db')),
  };
  // A fresh run must add every chunk; an unchanged re-ingest must add (and remove) nothing.
  rec.ok =
    r.code === 0 && s !== undefined && (run === 'fresh' ? s.added === s.chunks : s.added === 0 && s.removed === 0);
  if (r.code !== 0 || !s) rec.error = r.stderr.trim().split('\n').slice(-3).join(' | ');
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
  if (warnings.length) rec.warnings = warnings.slice(0, 5);
  log(
    `  ${rec.ok ? 'ok' : 'FAILED'}: ${rec.added ?? '?'} added of ${rec.chunks ?? '?'} in ${rec.seconds ?? '?'} s (wall ${rec.wallSeconds} s)`,
  );
  return rec;
}

/** Cold `rag ask --no-llm --json` runs against the folder just ingested: each phase's median over ASK_RUNS runs. */
async function coldAsk({ corpus, cwd, modelDir }) {
  const runs = [];
  for (let i = 0; i < ASK_RUNS; i++) {
    const r = await runRag(['ask', '--no-llm', '--json', ASK_QUESTION], cwd, cleanEnv({ RAG_MODEL_PATH: modelDir }));
    let t;
    try {
      t = JSON.parse(r.stdout).timings;
    } catch {
      t = undefined;
    }
    runs.push({ code: r.code, wall: r.wallSeconds, t, peak: r.peaks.selfMB, err: r.stderr.trim().split('\n').pop() });
  }
  const ok = runs.filter((r) => r.code === 0 && r.t);
  const median = (xs) => {
    const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : undefined;
  };
  const phase = (k) => round(median(ok.map((r) => r.t[k])), 3);
  const rec = {
    corpus,
    run: 'ask --no-llm (cold)',
    runs: runs.length,
    okRuns: ok.length,
    wallSeconds: round(median(ok.map((r) => r.wall)), 2),
    startup: phase('startup'),
    milvusStart: phase('milvusStart'),
    modelLoad: phase('modelLoad'),
    connect: phase('connect'),
    collection: phase('collection'),
    embed: phase('embed'),
    search: phase('search'),
    total: phase('total'),
    ragPeakRssMB: round(median(ok.map((r) => r.peak)), 0),
    ok: ok.length === runs.length,
  };
  if (!rec.ok) rec.error = runs.find((r) => r.code !== 0)?.err;
  log(
    `  ask: ${rec.ok ? 'ok' : 'FAILED'}: total ${rec.total} s (model ${rec.modelLoad} s, milvus ${rec.milvusStart} s)`,
  );
  return rec;
}

/**
 * Fresh ingest + unchanged re-ingest + cold asks on FAQ, getstarted and all of en/ (FAQ only when quick), then a
 * --batch-tokens sweep on getstarted. Returns { runs, asks, skipped? }.
 */
export async function benchIngest({ modelDir, tmpRoot, quick, sweep, keep }) {
  if (!existsSync(FAQ)) {
    const skipped = `../shared is missing: ${FAQ} not found, ingest bench skipped`;
    log(skipped);
    return { runs: [], asks: [], skipped };
  }
  const corpora = quick
    ? [['faq', FAQ]]
    : [
        ['faq', FAQ],
        ['getstarted', GETSTARTED],
        ['en', DOCS_EN],
      ];
  const runs = [];
  const asks = [];
  for (const [corpus, dir] of corpora) {
    // --keep DIR: the data folder stays in DIR/<corpus>/milvus.db (e.g. for bench/quality.mjs); it must not exist yet.
    const cwd = keep ? path.join(keep, corpus) : mkdtempSync(path.join(tmpRoot, `ingest-${corpus}-`));
    if (keep) mkdirSync(cwd, { recursive: true });
    try {
      runs.push(await ingestOnce({ corpus, dir, cwd, run: 'fresh', modelDir }));
      // An unchanged re-run lasts seconds, so one run says little on a shared machine: REINGEST_RUNS of them.
      for (let i = 0; i < REINGEST_RUNS; i++)
        runs.push(await ingestOnce({ corpus, dir, cwd, run: 'reingest', modelDir }));
      asks.push(await coldAsk({ corpus, cwd, modelDir }));
    } finally {
      if (!keep) rmSync(cwd, { recursive: true, force: true });
    }
  }
  if (sweep) {
    // The default budget is measured above; the sweep is on getstarted (long and short pieces, minutes not an hour).
    for (const batchTokens of [2048, 4096]) {
      const cwd = mkdtempSync(path.join(tmpRoot, `ingest-getstarted-t${batchTokens}-`));
      try {
        runs.push(
          await ingestOnce({ corpus: 'getstarted', dir: GETSTARTED, cwd, run: 'fresh', batchTokens, modelDir }),
        );
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    }
  }
  return { runs, asks };
}

export const ASK_COLUMNS = [
  ['corpus', 'corpus'],
  ['runs', 'runs'],
  ['wall s', 'wallSeconds'],
  ['startup', 'startup'],
  ['milvus start', 'milvusStart'],
  ['model load', 'modelLoad'],
  ['collection', 'collection'],
  ['embed', 'embed'],
  ['search', 'search'],
  ['total', 'total'],
  ['rag MB', 'ragPeakRssMB'],
  ['ok', 'ok'],
];

export const INGEST_COLUMNS = [
  ['corpus', 'corpus'],
  ['run', 'run'],
  ['batch tokens', 'batchTokens'],
  ['files', 'files'],
  ['chunks', 'chunks'],
  ['added', 'added'],
  ['reused', 'reused'],
  ['wall s', 'wallSeconds'],
  ['ingest s', 'seconds'],
  ['embed s', 'embedSeconds'],
  ['chunks/s', 'chunksPerSecond'],
  ['tokens/s', 'tokensPerSecond'],
  ['model tok/s', 'tokensPerEmbedSecond'],
  ['rag MB', 'ragPeakRssMB'],
  ['milvus MB', 'milvusPeakRssMB'],
  ['data MB', 'dataDirMB'],
  ['load', 'loadavg1'],
  ['ok', 'ok'],
];
