#!/usr/bin/env node
// rag's embeddings against an independent implementation (Python onnxruntime + tokenizers, mean pooling, L2 norm) on
// corpus chunks; prints one JSON line and exits 1 when the lowest cosine is under the bound.
//   node scripts/check-embeddings.mjs [--model DIR] [--n 300] [--min 0.9999]
// DIR defaults to the real model (scripts/real-model.mjs); the Python side runs in .venv-bench (npm run setup:bench).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { realModel } from './real-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const model = opt('--model', undefined) ?? realModel();
const n = Number(opt('--n', '300'));
const min = Number(opt('--min', '0.9999'));
const corpus = path.resolve(root, '..', 'shared', 'corpora', 'milvus_docs', 'en');

const { createEmbedder } = await import(path.join(root, 'dist', 'services', 'embedder.js'));
const files = fg.sync('**/*.md', { cwd: corpus, absolute: true }).sort();
const texts = [
  ...new Set(
    files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('# ')
        .filter((t) => t.trim() !== ''),
    ),
  ),
];
// Evenly spaced over the corpus: short and long pieces, code, tables, front matter.
const sample = Array.from(
  { length: Math.min(n, texts.length) },
  (_, i) => texts[Math.floor((i * texts.length) / Math.min(n, texts.length))],
);

const e = await createEmbedder({
  model: 'unused',
  modelPath: model,
  cacheDir: os.tmpdir(),
  offline: true,
  dtype: 'fp32',
  batchSize: 16,
});
const ours = (await e.embedDocs(sample)).vectors;
await e.close();
const python = path.join(root, '.venv-bench', 'bin', 'python');
const ref = JSON.parse(
  execFileSync(python, [path.join(root, 'bench', 'reference', 'embed_reference.py')], {
    input: JSON.stringify({ model, texts: sample, batch: 16, max_tokens: e.info.maxTokens, vectors: true }),
    maxBuffer: 1 << 30,
  }),
);
const cos = ours.map((v, i) => v.reduce((s, x, j) => s + x * ref.vectors[i][j], 0));
const lowest = Math.min(...cos);
const result = {
  model: path.basename(model),
  chunks: sample.length,
  maxTokens: e.info.maxTokens,
  pooling: e.info.pooling,
  minCosine: lowest,
  meanCosine: cos.reduce((a, b) => a + b, 0) / cos.length,
  bound: min,
  ok: lowest >= min,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
