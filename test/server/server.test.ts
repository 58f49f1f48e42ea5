// Server tier: the built binary against a real Milvus standalone server (PyPI `milvus` 2.3.5, auth on), plus pymilvus interop both ways.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { ROOT_TOKEN, serverUnavailable, startMilvusServer, type MilvusServerHandle } from '../helpers/milvus-server.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES, VENV_PYTHON } from '../helpers/paths.js';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const timings: Record<string, number> = {};

// One server for the whole tier. Where it cannot start, the tier says why and skips; in CI that is a failure.
let server: MilvusServerHandle | undefined;
let skip: string | false = serverUnavailable();
if (!skip) {
  try {
    server = await startMilvusServer({ auth: true });
    timings.serverStart = server.startSeconds;
  } catch (e) {
    skip = `the Milvus server (PyPI milvus) could not start here: ${(e as Error).message.split('\n')[0]}`;
  }
}
if (skip && CI) throw new Error(`server tier: ${skip} (CI=true: the tier must run in CI)`);
if (skip) process.stderr.write(`# server tier skipped: ${skip}\n`);

/** The tutorial's split: Python's file_text.split("# "), without empty or whitespace-only pieces. */
function pieces(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('# ')
    .filter((p) => p.trim() !== '');
}

/** Every failure is one readable stderr line: never "[object Object]", never a stack, never the token. */
function oneLineError(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code 1 expected, got ${r.code}: ${r.stderr}`);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0] ?? '', pattern);
  assert.doesNotMatch(r.stderr, /\[object Object\]/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

function noObjectObject(r: RunResult): void {
  assert.doesNotMatch(r.stderr + r.stdout, /\[object Object\]/);
}

/** Runs Python with the project venv's pymilvus (the tutorial's client); stdout parsed as JSON. */
function pymilvus(script: string, args: string[]): unknown {
  const out = execFileSync(VENV_PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop() ?? 'null') as unknown;
}

// The tutorial's code (pymilvus MilvusClient), as a user runs it right after rag: no load() call.
const PY_SEARCH = `
import json, sys
from pymilvus import MilvusClient
uri, token, name, dim = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = MilvusClient(uri=uri, token=token)
res = client.search(collection_name=name, data=[[1.0 / dim ** 0.5] * dim], limit=3, search_params={"metric_type": "IP", "params": {}}, output_fields=["text"])
print(json.dumps([h["entity"]["text"] for h in res[0]]))
`;

// The tutorial's collection: quick setup (id, vector, dynamic field holding text), IP, Strong; then its rows.
const PY_TUTORIAL = `
import json, sys
from pymilvus import MilvusClient
uri, token, name, rows_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = json.load(open(rows_file))
client = MilvusClient(uri=uri, token=token)
if client.has_collection(name):
    client.drop_collection(name)
client.create_collection(collection_name=name, dimension=len(rows[0]["vector"]), metric_type="IP", consistency_level="Strong")
client.insert(collection_name=name, data=[{"id": i, "vector": r["vector"], "text": r["text"]} for i, r in enumerate(rows)])
print(json.dumps({"inserted": len(rows)}))
`;

// What the tutorial's collection is: its schema and rows, to show rag left it alone.
const PY_SNAPSHOT = `
import json, sys
from pymilvus import MilvusClient
uri, token, name = sys.argv[1], sys.argv[2], sys.argv[3]
client = MilvusClient(uri=uri, token=token)
if not client.has_collection(name):
    print(json.dumps(None)); sys.exit(0)
d = client.describe_collection(name)
rows = client.query(collection_name=name, filter="id >= 0", output_fields=["id", "text"], limit=1000)
print(json.dumps({"fields": sorted(f["name"] for f in d["fields"]), "dynamic": d.get("enable_dynamic_field"), "rows": sorted([r["id"], r["text"]] for r in rows)}))
`;

describe(`rag on a real Milvus standalone server (PyPI milvus, authentication on)`, { skip }, () => {
  let cwd: string;
  let env: Record<string, string>;
  let client: MilvusClient;
  let model: string;
  const expectedChunks = (): number =>
    readdirSync(path.join(cwd, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .reduce((n, f) => n + pieces(path.join(cwd, 'docs', f)).length, 0);

  before(() => {
    assert.ok(server);
    cwd = workdir('rag-server-');
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    model = testModel();
    // A slot per piece, as in the other suites that count sources (a file's pieces sharing one: levers.test.ts).
    env = { RAG_MODEL_PATH: model, MILVUS_URI: server.uri, MILVUS_TOKEN: ROOT_TOKEN, RAG_PER_FILE: '0' };
    client = new MilvusClient({ address: server.address, token: ROOT_TOKEN, timeout: 30_000 });
    client.connectPromise.catch(() => undefined);
  });

  after(async () => {
    await client?.closeConnection().catch(() => undefined);
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    await server?.cleanup();
    if (Object.keys(timings).length) process.stderr.write(`# server tier timings (s): ${JSON.stringify(timings)}\n`);
  });

  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round((performance.now() - t0) / 10) / 100;
    }
  };

  test('fresh ingest: a dense-only collection, one warning that bm25/hybrid need Milvus >= 2.5, exact counts', async () => {
    const r = await timed('ingestFresh', () => rag(['ingest', 'docs', '--json'], { cwd, env }));
    assert.equal(r.code, 0, r.stderr + server?.logTail());
    noObjectObject(r);
    const s = JSON.parse(r.stdout) as { files: number; chunks: number; added: number; total: number; bm25: boolean };
    assert.equal(s.bm25, false);
    assert.equal(s.files, 3);
    assert.equal(s.chunks, expectedChunks());
    assert.equal(s.added, s.chunks);
    assert.equal(s.total, s.chunks);
    const warnings = r.stderr.split('\n').filter((l) => /BM25/.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0] ?? '', /^warning: Milvus v2\.3\.5\S* has no BM25 .*Milvus >= 2\.5/);
  });

  test("pymilvus (the tutorial's MilvusClient.search) finds rag's chunks right after rag exits, without load()", async () => {
    const texts = (await timed('pymilvusSearch', async () =>
      pymilvus(PY_SEARCH, [server!.uri, ROOT_TOKEN, 'my_rag_collection', '768']),
    )) as string[];
    assert.equal(texts.length, 3);
    const all = ['bees.md', 'bread.md', 'lighthouses.md'].flatMap((f) => pieces(path.join(cwd, 'docs', f)));
    for (const t of texts) assert.ok(all.includes(t), `not a stored piece: ${t}`);
  });

  test('unchanged re-run writes nothing; a changed and a deleted file: exact counts', async () => {
    const again = await timed('ingestUnchanged', () => rag(['ingest', 'docs', '--json'], { cwd, env }));
    assert.equal(again.code, 0, again.stderr);
    const a = JSON.parse(again.stdout) as {
      added: number;
      unchanged: number;
      removed: number;
      total: number;
      chunks: number;
    };
    assert.deepEqual([a.added, a.removed, a.unchanged, a.total], [0, 0, a.chunks, a.chunks]);
    assert.doesNotMatch(again.stderr, /BM25/, 'the warning is for creation only');

    const bees = path.join(cwd, 'docs', 'bees.md');
    const beesBefore = pieces(bees).length;
    const breadPieces = pieces(path.join(cwd, 'docs', 'bread.md')).length;
    writeFileSync(
      bees,
      `${readFileSync(bees, 'utf8')}\n# Do bees sleep?\n\nForagers rest at night, antennae drooping.\n`,
    );
    rmSync(path.join(cwd, 'docs', 'bread.md'));
    const r = await timed('ingestChanged', () => rag(['ingest', 'docs', '--json'], { cwd, env }));
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      added: number;
      removed: number;
      unchanged: number;
      total: number;
      files: number;
      chunks: number;
    };
    const expected = expectedChunks();
    assert.equal(s.files, 2);
    // The last piece of bees.md changed (text appended to it) and one was added; bread.md is gone.
    assert.equal(pieces(bees).length, beesBefore + 1);
    assert.equal(s.added, 2);
    assert.equal(s.removed, 1 + breadPieces);
    assert.equal(s.chunks, expected);
    assert.equal(s.total, expected);
    const count = await client.count({ collection_name: 'my_rag_collection' });
    assert.equal(Number(count.data), expected);
  });

  test('ask --no-llm and eval in dense mode (the default falls back to dense on this server)', async () => {
    const a = await timed('askNoLlm', () =>
      rag(['ask', '--no-llm', '--json', 'How do bees make honey?'], { cwd, env }),
    );
    assert.equal(a.code, 0, a.stderr);
    noObjectObject(a);
    const res = JSON.parse(a.stdout) as { sources: { file: string; position: number; text: string }[] };
    assert.equal(res.sources.length, 3);
    assert.equal(res.sources[0]?.file, 'docs/bees.md');
    assert.match(res.sources[0]?.text ?? '', /^How do bees make honey\?/);

    writeFileSync(
      path.join(cwd, 'q.jsonl'),
      `${JSON.stringify({ question: 'How do bees make honey?', expect: ['Workers collect nectar'] })}\n${JSON.stringify({ question: 'Why do bees swarm?', expect: ['swarm'] })}\n`,
    );
    const e = await timed('evalDense', () => rag(['eval', 'q.jsonl', '--search', 'dense', '--json'], { cwd, env }));
    assert.equal(e.code, 0, e.stderr);
    const report = JSON.parse(e.stdout) as {
      modes: { mode: string; hit1: number; hitK: number; results: { rank: number | null }[] }[];
    };
    assert.equal(report.modes[0]?.mode, 'dense');
    assert.equal(report.modes[0]?.results[0]?.rank, 1);
    assert.equal(report.modes[0]?.hitK, 1);
  });

  test('bm25 or hybrid asked explicitly: a clear error naming the server versions that have them', async () => {
    for (const mode of ['bm25', 'hybrid']) {
      const r = await rag(['ask', '--no-llm', '--search', mode, 'How do bees make honey?'], { cwd, env });
      oneLineError(r, new RegExp(`no BM25 field, so --search ${mode} is unavailable .*Milvus 2\\.5`));
      const e = await rag(['eval', 'q.jsonl', '--search', mode], { cwd, env });
      oneLineError(e, /no BM25 field/);
    }
  });

  test('--recreate rebuilds the collection from scratch', async () => {
    const r = await timed('ingestRecreate', () => rag(['ingest', 'docs', '--recreate', '--json'], { cwd, env }));
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      added: number;
      unchanged: number;
      total: number;
      chunks: number;
      recreated: boolean;
    };
    assert.equal(s.recreated, true);
    assert.deepEqual([s.added, s.unchanged, s.total], [s.chunks, 0, s.chunks]);
    assert.equal(s.chunks, expectedChunks());
  });

  test('a wrong MILVUS_TOKEN: one clear error, the token never printed', async () => {
    for (const args of [
      ['ingest', 'docs'],
      ['ask', '--no-llm', 'How do bees make honey?'],
    ]) {
      const r = await rag(args, { cwd, env: { ...env, MILVUS_TOKEN: 'root:wr0ng-Secret' } });
      oneLineError(r, /rejected the credentials.*hint: check --milvus-token \/ MILVUS_TOKEN/);
      assert.doesNotMatch(r.stderr, /wr0ng-Secret/);
    }
    const none = await rag(['ask', '--no-llm', 'How do bees make honey?'], {
      cwd,
      env: { ...env, MILVUS_TOKEN: undefined },
    });
    oneLineError(none, /rejected the credentials/);
  });

  describe("the tutorial's own collection (built by pymilvus): searchable by rag, never changed", () => {
    const name = 'tutorial_rag';
    let before0: unknown;
    before(async () => {
      // Its rows: the pieces and their vectors, as rag's collection holds them (same model), written by pymilvus.
      const res = await client.query({
        collection_name: 'my_rag_collection',
        filter: 'id >= 0',
        output_fields: ['text', 'vector'],
        limit: 1000,
      });
      const rows = (res.data as { text: string; vector: number[] }[]).map((r) => ({ text: r.text, vector: r.vector }));
      assert.ok(rows.length > 0);
      const file = path.join(cwd, 'tutorial-rows.json');
      writeFileSync(file, JSON.stringify(rows));
      pymilvus(PY_TUTORIAL, [server!.uri, ROOT_TOKEN, name, file]);
      before0 = pymilvus(PY_SNAPSHOT, [server!.uri, ROOT_TOKEN, name]);
    });

    test('rag ask --search dense and rag eval with an explicit model read it', async () => {
      const a = await timed('askTutorial', () =>
        rag(['ask', '--no-llm', '--json', '--search', 'dense', '--collection', name, 'How do bees make honey?'], {
          cwd,
          env,
        }),
      );
      assert.equal(a.code, 0, a.stderr + server?.logTail());
      const res = JSON.parse(a.stdout) as { sources: { text: string }[] };
      assert.equal(res.sources.length, 3);
      assert.match(res.sources[0]?.text ?? '', /^How do bees make honey\?\n\nWorkers collect nectar/);
      const e = await rag(['eval', 'q.jsonl', '--collection', name, '--json'], { cwd, env });
      assert.equal(e.code, 0, e.stderr);
      const report = JSON.parse(e.stdout) as { modes: { mode: string; results: { rank: number | null }[] }[] };
      assert.equal(report.modes[0]?.mode, 'dense');
      assert.equal(report.modes[0]?.results[0]?.rank, 1);
    });

    test('without an explicit model, bm25/hybrid, ingest or --recreate: clear errors, and the collection is unchanged', async () => {
      const cache = path.join(cwd, 'empty-cache');
      mkdirSync(cache, { recursive: true });
      const noModel = await rag(['ask', '--no-llm', '--collection', name, 'How do bees make honey?'], {
        cwd,
        env: { ...env, RAG_MODEL_PATH: undefined, RAG_OFFLINE: '1', RAG_CACHE_DIR: cache },
      });
      oneLineError(noModel, /not built by rag.*--model or --model-path/);
      oneLineError(
        await rag(['ask', '--no-llm', '--search', 'hybrid', '--collection', name, 'bees'], { cwd, env }),
        /no BM25 field/,
      );
      oneLineError(
        await rag(['ingest', 'docs', '--collection', name], { cwd, env }),
        /not built by rag: rag only reads it/,
      );
      oneLineError(
        await rag(['ingest', 'docs', '--recreate', '--collection', name], { cwd, env }),
        /not built by rag: rag does not drop it/,
      );
      assert.deepEqual(pymilvus(PY_SNAPSHOT, [server!.uri, ROOT_TOKEN, name]), before0);
    });
  });

  test('the server stopped mid-ingest: one clear error, then a resume that is exact', async () => {
    // A corpus still being written when the server goes: 6 files × 40 pieces, 2 per batch (120 upserts).
    const big = path.join(cwd, 'big');
    mkdirSync(big);
    const FILES = 6;
    const PIECES = 40;
    for (let f = 0; f < FILES; f++) {
      writeFileSync(
        path.join(big, `doc${f}.md`),
        Array.from(
          { length: PIECES },
          (_, p) => `# Topic ${f}.${p}\n\nLine ${p} of file ${f}: ${'lorem ipsum '.repeat(3 + (p % 3))}\n`,
        ).join('\n'),
      );
    }
    const total = FILES * PIECES;
    const ingestArgs = ['ingest', 'big', '--collection', 'resume_test', '--batch-size', '2', '--json'];
    let killedAt = -1;
    let pid = -1;
    const t0 = performance.now();
    const running = rag(ingestArgs, { cwd, env, timeoutMs: 180_000, onSpawn: (c) => (pid = c.pid ?? -1) });
    // rag is frozen (SIGSTOP) while the test counts, so that it cannot finish while a count is slow (a Strong count
    // waits for the writes in flight); once some rows are stored, the server is stopped as a service manager stops it
    // (SIGTERM), then rag goes on. Bounded: 120 s.
    const signal = (sig: NodeJS.Signals): boolean => {
      try {
        return pid > 0 && process.kill(pid, sig);
      } catch {
        return false; // it has already ended
      }
    };
    const deadline = Date.now() + 120_000;
    try {
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const has = await client.hasCollection({ collection_name: 'resume_test' }).catch(() => undefined);
        if (!has?.value) continue;
        if (!signal('SIGSTOP')) break;
        await new Promise((r) => setTimeout(r, 200)); // a write in flight lands
        const c = await client.count({ collection_name: 'resume_test' }).catch(() => undefined);
        if (c && Number(c.data) > 0) {
          killedAt = Number(c.data);
          if (killedAt < total) await server!.kill('SIGTERM');
          break;
        }
        signal('SIGCONT');
      }
    } finally {
      signal('SIGCONT');
    }
    assert.ok(killedAt > 0, 'the ingest stored rows before the deadline');
    assert.ok(killedAt < total, `the server was stopped before the end (${killedAt} of ${total})`);
    const r = await running;
    timings.ingestUntilStopped = Math.round((performance.now() - t0) / 10) / 100;
    oneLineError(r, /cannot reach Milvus at http:\/\/127\.0\.0\.1:\d+ .*hint: .*re-run finishes an interrupted ingest/);

    timings.serverRestart = await server!.restart();
    await client.closeConnection().catch(() => undefined);
    client = new MilvusClient({ address: server!.address, token: ROOT_TOKEN, timeout: 30_000 });
    client.connectPromise.catch(() => undefined);
    await client.loadCollection({ collection_name: 'resume_test' });
    const kept = Number((await client.count({ collection_name: 'resume_test' })).data);
    const again = await timed('ingestResume', () => rag(ingestArgs, { cwd, env }));
    assert.equal(again.code, 0, again.stderr + server?.logTail());
    const s = JSON.parse(again.stdout) as {
      added: number;
      unchanged: number;
      removed: number;
      total: number;
      chunks: number;
    };
    assert.equal(s.chunks, total);
    assert.equal(s.unchanged, kept, 'what the server kept is not embedded again');
    assert.equal(s.added, total - kept);
    assert.equal(s.removed, 0);
    assert.equal(s.total, total);
    assert.equal(Number((await client.count({ collection_name: 'resume_test' })).data), total);
  });
});
