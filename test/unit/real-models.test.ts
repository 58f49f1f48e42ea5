// Every real model (../shared/models/<name>/ or built by ../shared/models/build) loads through the production path and embeds sensibly.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createEmbedder } from '../../src/services/embedder.js';
import { IN_CI, SHARED, requireInput } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const MODELS = path.join(SHARED, 'models');
/** Where ../shared/models/build puts what it builds (its default DIR). */
const BUILT = process.env.RAG_REAL_MODELS ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'rag-real-models');

/** Model folders (config.json + onnx/) below `dir`. */
function modelsIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir).map((n) => path.join(dir, n)).filter((d) => existsSync(path.join(d, 'config.json')) && existsSync(path.join(d, 'onnx')))
    : [];
}

/** Built models; in CI, ../shared/models/build is run when none is there yet (it prints the folder last). */
function findModels(): string[] {
  const found = [...modelsIn(MODELS), ...modelsIn(BUILT)];
  const build = path.join(MODELS, 'build');
  if (found.length > 0 || !IN_CI || !existsSync(build)) return found;
  const out = execFileSync(build, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  const dir = out.trim().split('\n').pop() ?? '';
  return modelsIn(path.dirname(dir)).filter((d) => d === dir);
}

const found = findModels();
const skip = requireInput(found.length === 0 ? `no real model: neither ${MODELS} nor ${BUILT} has <name>/config.json + onnx/ (run ../shared/models/build)` : false);

function dot(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
}

describe('real models (../shared/models/build)', { skip }, () => {
  for (const dir of found) {
    const dtype = existsSync(path.join(dir, 'onnx', 'model.onnx')) ? 'fp32' : 'q8';
    test(`${path.basename(dir)} (${dtype})`, { timeout: 600_000 }, async () => {
      const e = await createEmbedder({ model: 'unused', modelPath: dir, cacheDir: tempDir('cache-'), offline: true, dtype, batchSize: 8 });
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
