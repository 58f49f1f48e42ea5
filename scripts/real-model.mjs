#!/usr/bin/env node
// Prints the folder of the real embedding model (all-mpnet-base-v2, 768 dims): $RAG_REAL_MODEL, else built by
// ../shared/models/build into its cache (~/.cache/rag-real-models, or $RAG_REAL_MODELS). Exit 1 with one line if it cannot.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.resolve(root, '..', 'shared', 'models', 'build');

export function realModel() {
  const given = process.env.RAG_REAL_MODEL;
  if (given) {
    if (!existsSync(path.join(given, 'onnx', 'model.onnx')))
      throw new Error(`RAG_REAL_MODEL=${given} has no onnx/model.onnx`);
    return given;
  }
  if (!existsSync(build)) throw new Error(`${build} not found (../shared is missing; CI provides it)`);
  const out = execFileSync('bash', [build], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx')))
    throw new Error(`${build} printed ${JSON.stringify(dir)}, which has no onnx/model.onnx`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${realModel()}\n`);
  } catch (e) {
    const detail = (e.stderr?.toString() ?? '').trim().split('\n').pop() || e.message.split('\n')[0];
    process.stderr.write(
      `error: cannot build the real model: ${detail} (hint: needs python3 with venv and the PyPI registry; see ../shared/models/README.md)\n`,
    );
    process.exit(1);
  }
}
