// Model resolution: by hub id (first use downloads into the cache from a local hub on 127.0.0.1, later runs load offline) and by local folder.

import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';

const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';

/** A minimal Hugging Face hub: GET /{owner}/{name}/resolve/{revision}/{file} serves the test model's files. */
function startHub(dir: string): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(req.url ?? '');
    const file = m && m[1] === MODEL_ID ? path.join(dir, decodeURIComponent(m[2] ?? '')) : '';
    if (file && file.startsWith(dir) && existsSync(file)) {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, server });
    }),
  );
}

describe('models by hub id', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  let cwd: string;
  let cache: string;
  before(async () => {
    hub = await startHub(testModel());
    cwd = workdir();
    cache = path.join(cwd, 'cache');
  });
  after(() => new Promise<void>((resolve) => hub.server.close(() => resolve())));

  test('first use downloads the model into RAG_CACHE_DIR', async () => {
    const r = await rag(['ingest', path.join(FIXTURES, 'docs'), '--model', MODEL_ID, '--json'], {
      cwd,
      env: { HF_ENDPOINT: hub.url, RAG_CACHE_DIR: cache },
    });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { model: string; added: number };
    assert.equal(s.model, MODEL_ID);
    assert.ok(s.added > 0);
    assert.ok(
      hub.requests.some((q) => q.includes('/onnx/model.onnx')),
      hub.requests.join('\n'),
    );
    assert.ok(existsSync(path.join(cache, MODEL_ID, 'onnx', 'model.onnx')), 'cached on disk');
  });

  test("later runs load from the cache with RAG_OFFLINE=1 and no request; ask uses the collection's model", async () => {
    const before = hub.requests.length;
    const r = await rag(['ask', '--no-llm', '--json', 'How do bees make honey?'], {
      cwd,
      env: { HF_ENDPOINT: hub.url, RAG_CACHE_DIR: cache, RAG_OFFLINE: '1' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hub.requests.length, before, 'no network request');
    const a = JSON.parse(r.stdout) as { sources: { text: string }[] };
    assert.match(a.sources[0]?.text ?? '', /How do bees make honey\?/);
  });

  test('a download that fails is one clear line naming the model and --model-path', async () => {
    const r = await rag(
      ['ingest', path.join(FIXTURES, 'docs'), '--model', 'Xenova/no-such-model', '--collection', 'other'],
      { cwd: workdir(), env: { HF_ENDPOINT: hub.url, RAG_CACHE_DIR: path.join(cwd, 'cache2') } },
    );
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^error: cannot load embedding model Xenova\/no-such-model: .*\(hint: .*--model-path/);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  });

  test('the default model id offline with an empty cache says how to get it', async () => {
    const r = await rag(['ingest', path.join(FIXTURES, 'docs')], {
      cwd: workdir(),
      env: { RAG_OFFLINE: '1', RAG_CACHE_DIR: path.join(cwd, 'empty') },
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: cannot load embedding model Xenova\/all-mpnet-base-v2: .*\(hint: RAG_OFFLINE is set .*--model-path/,
    );
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('models by local folder', () => {
  test('ask finds the folder that built the collection without --model-path; a moved folder is one clear line', async () => {
    const cwd = workdir();
    const model = path.join(cwd, 'my-model');
    cpSync(testModel(), model, { recursive: true });
    const ingest = await rag(['ingest', path.join(FIXTURES, 'docs'), '--model-path', 'my-model', '--json'], { cwd });
    assert.equal(ingest.code, 0, ingest.stderr);

    const given = await rag(['ask', '--no-llm', '--json', '--model-path', 'my-model', 'How do bees make honey?'], {
      cwd,
    });
    assert.equal(given.code, 0, given.stderr);
    // From another folder, with no model named at all: the recorded absolute path is used.
    const found = await rag(
      ['ask', '--no-llm', '--json', '--milvus-uri', path.join(cwd, 'milvus.db'), 'How do bees make honey?'],
      {
        cwd: workdir(),
      },
    );
    assert.equal(found.code, 0, found.stderr);
    const sources = (out: string) => (JSON.parse(out) as { sources: { text: string; score: number }[] }).sources;
    assert.deepEqual(sources(found.stdout), sources(given.stdout));

    renameSync(model, path.join(cwd, 'moved'));
    const moved = await rag(['ask', '--no-llm', 'How do bees make honey?'], { cwd });
    assert.equal(moved.code, 1);
    assert.match(
      moved.stderr,
      /^error: collection "my_rag_collection" was built with the local model folder .*\(hint: pass the same folder with --model-path/,
    );
    assert.equal(moved.stderr.trim().split('\n').length, 1, moved.stderr);
  });
});
