// Optional: every real model in ../shared/models/<name>/ loads through the production path and embeds sensibly.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createEmbedder } from '../../src/services/embedder.js';
import { SHARED } from '../helpers/paths.js';

const MODELS = path.join(SHARED, 'models');
const found = existsSync(MODELS)
  ? readdirSync(MODELS).map((n) => path.join(MODELS, n)).filter((d) => existsSync(path.join(d, 'config.json')) && existsSync(path.join(d, 'onnx')))
  : [];
const skip = found.length === 0 ? `no real models: ${MODELS} has no <name>/config.json + onnx/ (optional; the test model covers the same path)` : false;

function dot(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
}

describe('real models from ../shared/models', { skip }, () => {
  for (const dir of found) {
    const dtype = existsSync(path.join(dir, 'onnx', 'model.onnx')) ? 'fp32' : 'q8';
    test(`${path.basename(dir)} (${dtype})`, { timeout: 600_000 }, async () => {
      const e = await createEmbedder({ model: 'unused', modelPath: dir, cacheDir: mkdtempSync(path.join(os.tmpdir(), 'rag-cache-')), offline: true, dtype, batchSize: 8 });
      try {
        assert.ok(e.info.dim > 0);
        const q = await e.embedQuery('How is data stored in milvus?');
        const [related, unrelated] = (await e.embedDocs(['Where does Milvus store data? Milvus stores inserted data in object storage.', 'Bread is baked in a hot oven.'])).vectors;
        assert.ok(Math.abs(dot(q, q) - 1) < 1e-3, 'normalised');
        assert.ok(dot(q, related ?? []) > dot(q, unrelated ?? []), 'the related passage is closer');
      } finally {
        await e.close();
      }
    });
  }
});
