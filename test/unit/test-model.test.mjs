// Tests scripts/make-test-model.mjs: deterministic output that transformers.js loads as a local feature-extraction model.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { env, pipeline } from '@huggingface/transformers';

// The test lives in test/unit/; the repository root is two levels up.
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const script = join(repoRoot, 'scripts', 'make-test-model.mjs');

const EXPECTED_FILES = [
  'config.json',
  'onnx/model.onnx',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
];

function generate(dir) {
  return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function hashes(dir) {
  return Object.fromEntries(
    listFiles(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('make-test-model', () => {
  let root;
  let dirA;
  let dirB;
  let runA;
  let extractor;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rag-test-model-'));
    dirA = join(root, 'a');
    dirB = join(root, 'b');
    runA = generate(dirA);
    execFileSync(process.execPath, [script, dirB], { stdio: 'ignore' });

    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    extractor = await pipeline('feature-extraction', dirA, { dtype: 'fp32', local_files_only: true });
  });

  after(async () => {
    await extractor?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('exits 2 with a usage message when DIR is missing', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage/i);
  });

  it('writes the expected files and prints one summary line on stderr only', () => {
    assert.equal(runA.status, 0, runA.stderr);
    assert.equal(runA.stdout, '');
    assert.equal(runA.stderr.trim().split('\n').length, 1);
    assert.deepEqual(listFiles(dirA), EXPECTED_FILES);
    const onnxSize = statSync(join(dirA, 'onnx', 'model.onnx')).size;
    assert.ok(onnxSize < 40e6, `model.onnx is ${onnxSize} bytes`);
    const config = JSON.parse(readFileSync(join(dirA, 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'bert');
    assert.equal(config.hidden_size, 768);
    assert.equal(config.max_position_embeddings, 512);
    const tokConfig = JSON.parse(readFileSync(join(dirA, 'tokenizer_config.json'), 'utf8'));
    assert.equal(tokConfig.model_max_length, 512);
  });

  it('is deterministic: two generations are byte-identical', () => {
    assert.deepEqual(hashes(dirA), hashes(dirB));
  });

  it('produces finite unit-norm 768-d mean-pooled embeddings with a lexical signal', async () => {
    const sentences = [
      'How is data stored in milvus?',
      'Where does Milvus store data?',
      'What is the capital of France?',
    ];
    const out = await extractor(sentences, { pooling: 'mean', normalize: true });
    assert.deepEqual(out.dims, [3, 768]);
    const v = out.tolist();
    for (const row of v) {
      assert.ok(row.every(Number.isFinite));
      assert.ok(Math.abs(Math.sqrt(dot(row, row)) - 1) < 1e-4);
    }
    const similar = dot(v[0], v[1]);
    const unrelated = dot(v[0], v[2]);
    assert.ok(similar > 0.5, `similar cosine ${similar}`);
    assert.ok(unrelated < 0.2, `unrelated cosine ${unrelated}`);
    assert.ok(similar - unrelated > 0.3, `similar ${similar} vs unrelated ${unrelated}`);
  });

  it('maps special tokens to zero vectors and keeps empty or unknown-only text finite', async () => {
    const tokens = await extractor(['milvus data'], { pooling: 'none' });
    const rows = tokens.tolist()[0];
    assert.deepEqual(extractor.tokenizer.tokenize('milvus data'), ['mil', '##vus', 'data']);
    assert.equal(rows.length, 5); // [CLS] mil ##vus data [SEP]
    assert.ok(
      rows[0].every((x) => x === 0),
      '[CLS] is not zero',
    );
    assert.ok(
      rows[4].every((x) => x === 0),
      '[SEP] is not zero',
    );
    const norms = rows.slice(1, 4).map((r) => Math.sqrt(dot(r, r)));
    assert.ok(norms.every((n) => n > 1));
    for (let i = 1; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        const cos = dot(rows[i], rows[j]) / Math.sqrt(dot(rows[i], rows[i]) * dot(rows[j], rows[j]));
        assert.ok(Math.abs(cos) < 0.2, `tokens ${i},${j} cosine ${cos}`);
      }
    }

    const odd = await extractor(['', '\u{1F642}'], { pooling: 'mean', normalize: true });
    assert.ok(odd.tolist().flat().every(Number.isFinite));
  });

  it('truncates long texts to 512 tokens', async () => {
    const words = ['vector', 'index', 'collection', 'segment', 'query', 'partition'];
    const text = Array.from({ length: 3000 }, (_, i) => words[i % words.length]).join(' ');
    const full = extractor.tokenizer(text);
    assert.ok(full.input_ids.dims[1] > 3000);
    const truncated = extractor.tokenizer(text, { truncation: true });
    assert.deepEqual(truncated.input_ids.dims, [1, 512]);
    const out = await extractor([text, 'short text'], { pooling: 'mean', normalize: true });
    assert.deepEqual(out.dims, [2, 768]);
    assert.ok(out.tolist().flat().every(Number.isFinite));
  });
});
