// Speed bench worker: embeds the sample one way and reports tokens/s and peak RSS (its own process).
//   kind "rag":      rag's embedder, one embedDocs call (length-sorted, --batch-tokens batches)
//   kind "tutorial": the tutorial's way with transformers.js: the feature-extraction pipeline on the pieces in corpus
//                    order, batchSize at a time, truncated by the tokenizer (what rag did before)

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { distModule } from './common.mjs';

function status() {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

const cfg = JSON.parse(process.argv[2] ?? '{}');
const sample = JSON.parse(readFileSync(cfg.sample, 'utf8'));
let out;
if (cfg.kind === 'rag') {
  const { createEmbedder } = await import(distModule('services/embedder.js'));
  const tl = performance.now();
  const e = await createEmbedder({
    model: 'x',
    modelPath: cfg.model,
    cacheDir: os.tmpdir(),
    offline: true,
    dtype: cfg.dtype ?? 'fp32',
    batchSize: cfg.batchSize,
    batchTokens: cfg.batchTokens,
  });
  const loadSeconds = (performance.now() - tl) / 1000;
  const loaded = status();
  const texts = sample.chunks;
  const t0 = performance.now();
  for (const t of texts) e.countTokens(t);
  const tokenizeSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const r = await e.embedDocs(texts);
  const seconds = (performance.now() - t1) / 1000;
  out = {
    tokens: r.tokens,
    padded: r.padded,
    seconds,
    tokensPerSecond: r.tokens / seconds,
    chunksPerSecond: texts.length / seconds,
    truncated: r.truncated,
    tokenizeSeconds,
    loadSeconds,
    rssAfterLoadMB: loaded.rssMB,
    peakRssMB: status().hwmMB,
  };
  await e.close();
} else {
  const tf = await import('@huggingface/transformers');
  tf.env.allowLocalModels = true;
  tf.env.allowRemoteModels = false;
  tf.env.localModelPath = '/';
  const p = await tf.pipeline('feature-extraction', cfg.model, {
    dtype: 'fp32',
    local_files_only: true,
    session_options: { intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1 },
  });
  const texts = sample.tutorialPieces;
  let tokens = 0;
  let truncated = 0;
  for (const t of texts) {
    const n = p.tokenizer.encode(t).length;
    tokens += Math.min(n, 512);
    if (n > 512) truncated++;
  }
  const t1 = performance.now();
  for (let i = 0; i < texts.length; i += cfg.batchSize)
    await p(texts.slice(i, i + cfg.batchSize), { pooling: 'mean', normalize: true });
  const seconds = (performance.now() - t1) / 1000;
  out = {
    tokens,
    seconds,
    tokensPerSecond: tokens / seconds,
    chunksPerSecond: texts.length / seconds,
    truncated,
    peakRssMB: status().hwmMB,
  };
  await p.dispose();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
