// Shared bench helpers: paths, command-line flags, machine facts, the test model, table rendering.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RAG_BIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const DOCS_EN = path.join(SHARED, 'corpora', 'milvus_docs', 'en');
export const FAQ = path.join(DOCS_EN, 'faq');
export const SHARED_MODELS = path.join(SHARED, 'models');
export const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** URL of a module of the built CLI (dist/), for dynamic import. */
export function distModule(rel) {
  return pathToFileURL(path.join(REPO_ROOT, 'dist', rel)).href;
}

/** Messages go to stderr; stdout carries the tables only. */
export function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

const USAGE =
  'usage: node bench/run.mjs [--only ingest|embed|speed|planning] [--quick] [--no-sweep] [--sample N] [--test-model] [--keep DIR]';

/** Parse the bench's own flags; throws with the usage line on anything else. */
export function parseArgs(argv) {
  const opts = { only: undefined, quick: false, sweep: true, sample: undefined, testModel: false, keep: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-sweep') opts.sweep = false;
    else if (a === '--test-model') opts.testModel = true;
    else if (a === '--keep') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`--keep needs a folder (${USAGE})`);
      opts.keep = path.resolve(v);
    } else if (a === '--only' || a === '--sample') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value (${USAGE})`);
      if (a === '--only') {
        if (!['ingest', 'embed', 'speed', 'planning'].includes(v))
          throw new Error(`--only must be ingest, embed, speed or planning, got "${v}" (${USAGE})`);
        opts.only = v;
      } else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new Error(`--sample must be a whole number >= 1, got "${v}" (${USAGE})`);
        opts.sample = n;
      }
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}" (${USAGE})`);
  }
  if (opts.quick) opts.sweep = false;
  return opts;
}

/** Environment for rag subprocesses: none of the user's RAG_/MILVUS_/LLM settings leak in. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(RAG_|MILVUS_|LEPTONAI_|OPENAI_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function quiet(cmd, args) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      cwd: REPO_ROOT,
      timeout: 20_000,
    }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** What the numbers were measured on. */
export function machineInfo() {
  const milvusLite = existsSync(VENV_PYTHON)
    ? spawnSync(VENV_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("milvus-lite"))'], {
        encoding: 'utf8',
        timeout: 20_000,
      }).stdout?.trim()
    : undefined;
  const status = quiet('git', ['status', '--porcelain']);
  return {
    availableParallelism: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    totalMemMB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    transformers: packageVersion('@huggingface/transformers'),
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    milvusLite: milvusLite || undefined,
    commit: quiet('git', ['rev-parse', '--short', 'HEAD']),
    dirty: status === undefined ? undefined : status !== '',
  };
}

/** Generate the small test embedding model into a fresh temp folder; returns its folder. */
export function makeTestModel(tmpRoot) {
  const dir = path.join(mkdtempSync(path.join(tmpRoot, 'model-')), 'test-model');
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'make-test-model.mjs'), dir], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  return dir;
}

/** Total size of a folder in MB (0 when absent). */
export function folderMB(dir) {
  let bytes = 0;
  const walk = (d, depth) => {
    if (depth > 20) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile()) bytes += statSync(p).size;
    }
  };
  walk(dir, 0);
  return round(bytes / 2 ** 20, 1);
}

export function round(x, digits = 1) {
  if (x === undefined || x === null || !Number.isFinite(x)) return undefined;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A plain fixed-width table: columns is [[header, key]], rows are objects. */
export function table(title, columns, rows) {
  const cell = (v) => (v === undefined || v === null ? '-' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  const cells = rows.map((r) => columns.map(([, key]) => cell(r[key])));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [title, line(columns.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
