// Ingest bench (issue 3): the built `rag ingest --json` into fresh Milvus Lite folders; time, rate, peak RSS, re-ingest.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCS_EN, FAQ, RAG_BIN, cleanEnv, folderMB, log, round } from './lib/common.mjs';
import { watchPeaks } from './lib/proc.mjs';

const RUN_TIMEOUT_MS = 15 * 60_000;

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
async function ingestOnce({ corpus, dir, cwd, run, batchSize, modelDir }) {
  const args = ['ingest', dir, '--json', '--no-progress', '--batch-size', String(batchSize)];
  log(`ingest ${corpus} (${run}, batch ${batchSize}) …`);
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
    batchSize,
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
    truncated: s?.truncated,
    total: s?.total,
    // New chunks per second of the summary's own clock (discover → last upsert); per wall second too.
    chunksPerSecond: s && s.seconds > 0 ? round(s.added / s.seconds, 1) : undefined,
    chunksPerWallSecond: s ? round(s.added / r.wallSeconds, 1) : undefined,
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

/**
 * Fresh ingest + unchanged re-ingest of FAQ (and of all of en/ unless quick), then a --batch-size sweep on en/.
 * Returns { runs, skipped? }.
 */
export async function benchIngest({ modelDir, tmpRoot, quick, sweep }) {
  if (!existsSync(FAQ)) {
    const skipped = `../shared is missing: ${FAQ} not found, ingest bench skipped`;
    log(skipped);
    return { runs: [], skipped };
  }
  const corpora = quick
    ? [['faq', FAQ]]
    : [
        ['faq', FAQ],
        ['en', DOCS_EN],
      ];
  const runs = [];
  for (const [corpus, dir] of corpora) {
    const cwd = mkdtempSync(path.join(tmpRoot, `ingest-${corpus}-`));
    try {
      runs.push(await ingestOnce({ corpus, dir, cwd, run: 'fresh', batchSize: 32, modelDir }));
      runs.push(await ingestOnce({ corpus, dir, cwd, run: 'reingest', batchSize: 32, modelDir }));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  if (sweep) {
    // Batch 32 is the default and already measured above.
    for (const batchSize of [8, 128]) {
      const cwd = mkdtempSync(path.join(tmpRoot, `ingest-en-b${batchSize}-`));
      try {
        runs.push(await ingestOnce({ corpus: 'en', dir: DOCS_EN, cwd, run: 'fresh', batchSize, modelDir }));
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    }
  }
  return { runs };
}

export const INGEST_COLUMNS = [
  ['corpus', 'corpus'],
  ['run', 'run'],
  ['batch', 'batchSize'],
  ['files', 'files'],
  ['chunks', 'chunks'],
  ['added', 'added'],
  ['wall s', 'wallSeconds'],
  ['ingest s', 'seconds'],
  ['chunks/s', 'chunksPerSecond'],
  ['rag MB', 'ragPeakRssMB'],
  ['milvus MB', 'milvusPeakRssMB'],
  ['data MB', 'dataDirMB'],
  ['load', 'loadavg1'],
  ['ok', 'ok'],
];
