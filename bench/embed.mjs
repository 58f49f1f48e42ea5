// Embedding bench (issue 5): load time, chunks/s, tokens/s and peak RSS per model × dtype × batch size, one child each.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCS_EN, SHARED_MODELS, distModule, log, round } from './lib/common.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'embed-worker.mjs');
/** transformers.js dtype → file suffix in onnx/ (model<suffix>.onnx). */
const DTYPE_FILES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};
/** Whole embed part: the per-configuration time cap is this divided among the configurations. */
const EMBED_BUDGET_S = 420;
const CAP_MIN_S = 15;
const CAP_MAX_S = 90;

/** Which dtypes a local model folder offers, from the ONNX files present. */
export function dtypesOf(modelDir) {
  return Object.entries(DTYPE_FILES)
    .filter(([, suffix]) => existsSync(path.join(modelDir, 'onnx', `model${suffix}.onnx`)))
    .map(([dtype, suffix]) => ({
      dtype,
      fileMB: round(statSync(path.join(modelDir, 'onnx', `model${suffix}.onnx`)).size / 2 ** 20, 1),
    }));
}

/** The generated test model, plus every real model folder under ../shared/models/ (absent today). */
export function findModels(testModelDir) {
  const models = [{ name: 'test-model', dir: testModelDir }];
  if (existsSync(SHARED_MODELS)) {
    for (const name of readdirSync(SHARED_MODELS).sort()) {
      const dir = path.join(SHARED_MODELS, name);
      if (existsSync(path.join(dir, 'config.json')) && existsSync(path.join(dir, 'onnx'))) models.push({ name, dir });
    }
  }
  return models.map((m) => ({ ...m, dtypes: dtypesOf(m.dir) })).filter((m) => m.dtypes.length > 0);
}

/** Deterministic shuffle (mulberry32), so that the sample is the same on every run. */
function shuffle(items, seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Consecutive chunks per block: ingest batches neighbours (same file), whose lengths are alike; 128 divides by every batch size. */
const BLOCK = 128;

/**
 * Every chunk of the corpus as ingest splits it (HeadingSplitter capped to Milvus's VARCHAR size), then a sample of
 * ceil(size / 128) blocks of 128 consecutive chunks from evenly spaced places, the blocks in a seeded shuffled order:
 * batches see neighbouring chunks as in ingest, and the part done before a time cap still spans the corpus.
 */
async function buildSample(corpusDir, size) {
  const { discover } = await import(distModule('core/discover.js'));
  const { HeadingSplitter } = await import(distModule('core/chunk.js'));
  const { MAX_TEXT_BYTES } = await import(distModule('services/vector-store.js'));
  const splitter = new HeadingSplitter(MAX_TEXT_BYTES);
  const { files } = await discover([corpusDir], corpusDir);
  const all = [];
  for (const f of files) {
    for await (const piece of splitter.split([readFileSync(f.abs, 'utf8')])) all.push(piece.text);
  }
  const blocks = Math.max(1, Math.min(Math.ceil(size / BLOCK), Math.floor(all.length / BLOCK)));
  const stride = Math.floor(all.length / blocks);
  const starts = shuffle(
    Array.from({ length: blocks }, (_, i) => i * stride),
    0x5eed,
  );
  const sample = starts.flatMap((s) => all.slice(s, s + BLOCK));
  return {
    corpusChunks: all.length,
    sample,
    sampleBytes: sample.reduce((n, t) => n + Buffer.byteLength(t), 0),
    blocks,
  };
}

function runWorker(cfg, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '');
        resolve(parsed.error ? { code, error: parsed.error } : { code, result: parsed });
      } catch {
        resolve({ code, signal, error: stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${code ?? signal}` });
      }
    });
  });
}

/** Run every configuration; returns { sample, runs, skipped? }. */
export async function benchEmbed({ testModelDir, tmpRoot, quick, sampleSize }) {
  if (!existsSync(DOCS_EN)) {
    const skipped = `../shared is missing: ${DOCS_EN} not found, embed bench skipped`;
    log(skipped);
    return { runs: [], skipped };
  }
  const size = sampleSize ?? (quick ? 512 : 2048);
  const { corpusChunks, sample, sampleBytes, blocks } = await buildSample(DOCS_EN, size);
  const samplePath = path.join(mkdtempSync(path.join(tmpRoot, 'embed-')), 'sample.json');
  writeFileSync(samplePath, JSON.stringify(sample));
  const cacheDir = path.dirname(samplePath);

  const batchSizes = quick ? [32] : [1, 8, 32];
  const models = findModels(testModelDir);
  const configs = models.flatMap((m) =>
    m.dtypes.flatMap((d) => batchSizes.map((batchSize) => ({ model: m, ...d, batchSize }))),
  );
  const maxSeconds = Math.min(CAP_MAX_S, Math.max(CAP_MIN_S, Math.floor(EMBED_BUDGET_S / configs.length)));
  log(
    `embed: ${configs.length} configuration(s) over ${sample.length} of ${corpusChunks} en/ chunks, at most ${maxSeconds} s of embedding each`,
  );
  if (!existsSync(SHARED_MODELS)) log(`no real models: ${SHARED_MODELS} not found (test model only)`);

  const runs = [];
  for (const c of configs) {
    log(`embed ${c.model.name} ${c.dtype} batch ${c.batchSize} …`);
    const cfg = {
      modelPath: c.model.dir,
      dtype: c.dtype,
      batchSize: c.batchSize,
      sample: samplePath,
      maxSeconds,
      cacheDir,
    };
    const loadavg1 = round(os.loadavg()[0], 2);
    const r = await runWorker(cfg, (maxSeconds + 300) * 1000);
    const x = r.result;
    const rec = {
      model: c.model.name,
      dtype: c.dtype,
      fileMB: c.fileMB,
      batchSize: c.batchSize,
      loadavg1,
      ok: r.code === 0 && x !== undefined,
      loadSeconds: round(x?.loadSeconds, 2),
      chunks: x?.chunks,
      tokens: x?.tokens,
      truncated: x?.truncated,
      partial: x?.partial,
      embedSeconds: round(x?.embedSeconds, 2),
      chunksPerSecond: x && x.embedSeconds > 0 ? round(x.chunks / x.embedSeconds, 1) : undefined,
      tokensPerSecond: x && x.embedSeconds > 0 ? round(x.tokens / x.embedSeconds, 0) : undefined,
      rssAfterLoadMB: round(x?.rssAfterLoadMB, 0),
      peakRssMB: round(x?.peakRssMB, 0),
      dim: x?.info?.dim,
      pooling: x?.info?.pooling,
      maxTokens: x?.info?.maxTokens,
    };
    if (!rec.ok) rec.error = r.error;
    log(
      `  ${rec.ok ? 'ok' : `FAILED: ${rec.error}`}${rec.ok ? `: ${rec.chunksPerSecond} chunks/s, ${rec.tokensPerSecond} tokens/s, peak ${rec.peakRssMB} MB${rec.partial ? ' (time cap)' : ''}` : ''}`,
    );
    runs.push(rec);
  }
  return {
    sample: {
      corpus: 'en',
      corpusChunks,
      chunks: sample.length,
      bytes: sampleBytes,
      order: `${blocks} blocks of ${BLOCK} consecutive chunks, evenly spaced, in seeded shuffled order (mulberry32, seed 0x5eed)`,
      maxSecondsPerConfig: maxSeconds,
    },
    models: models.map((m) => ({ name: m.name, dtypes: m.dtypes })),
    runs,
  };
}

export const EMBED_COLUMNS = [
  ['model', 'model'],
  ['dtype', 'dtype'],
  ['batch', 'batchSize'],
  ['load s', 'loadSeconds'],
  ['chunks', 'chunks'],
  ['tokens', 'tokens'],
  ['embed s', 'embedSeconds'],
  ['chunks/s', 'chunksPerSecond'],
  ['tokens/s', 'tokensPerSecond'],
  ['load MB', 'rssAfterLoadMB'],
  ['peak MB', 'peakRssMB'],
  ['capped', 'partial'],
  ['load', 'loadavg1'],
  ['ok', 'ok'],
];
