// Embed bench worker: one process per (model, dtype, batch size), so the peak RSS it reports is that configuration's own.
//
// Usage: node bench/lib/embed-worker.mjs '<json: {modelPath, dtype, batchSize, sample, maxSeconds, cacheDir}>'
// Prints one JSON object on stdout: the figures, or {error} when the model does not load.

import { readFileSync } from 'node:fs';
import { distModule } from './common.mjs';

function status() {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

const cfg = JSON.parse(process.argv[2] ?? '{}');
const texts = JSON.parse(readFileSync(cfg.sample, 'utf8'));
const before = status();

const t0 = performance.now();
const { createEmbedder } = await import(distModule('services/embedder.js'));
const { WINDOW_BATCHES } = await import(distModule('core/ingest.js'));
let embedder;
try {
  embedder = await createEmbedder({
    model: 'bench',
    modelPath: cfg.modelPath,
    cacheDir: cfg.cacheDir,
    offline: true,
    dtype: cfg.dtype,
    batchSize: cfg.batchSize,
  });
} catch (e) {
  // One line for the bench's table: the embedder's message and hint.
  process.stdout.write(`${JSON.stringify({ error: `${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}` })}\n`);
  process.exit(1);
}
const loadSeconds = (performance.now() - t0) / 1000;
const loaded = status();

// As ingest does: one embedDocs call per window of WINDOW_BATCHES batches of neighbouring chunks (the sample keeps
// runs of 128 in corpus order); embedDocs sorts the window by length and runs it batchSize texts at a time.
let chunks = 0;
let tokens = 0;
let truncated = 0;
let partial = false;
const t1 = performance.now();
const window = cfg.batchSize * WINDOW_BATCHES;
for (let i = 0; i < texts.length; i += window) {
  if ((performance.now() - t1) / 1000 >= cfg.maxSeconds) {
    partial = true;
    break;
  }
  const batch = texts.slice(i, i + window);
  const out = await embedder.embedDocs(batch);
  chunks += batch.length;
  tokens += out.tokens;
  truncated += out.truncated;
}
const embedSeconds = (performance.now() - t1) / 1000;
const end = status();
await embedder.close();

process.stdout.write(
  `${JSON.stringify({
    info: embedder.info,
    loadSeconds,
    chunks,
    tokens,
    truncated,
    partial,
    embedSeconds,
    baseRssMB: before.rssMB,
    rssAfterLoadMB: loaded.rssMB,
    peakRssMB: end.hwmMB,
  })}\n`,
);
