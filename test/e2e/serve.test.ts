// End to end: `rag serve` through the built binary on real Milvus Lite: auto-use, fallback, identical results, hand-over to ingest, stale files, token, idle.

import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { noServerLeft, pidsMatching } from '../helpers/procs.js';

const QUESTION = 'How do bees make honey?';

interface AskJson {
  sources: { text: string; score: number; file: string; position: number }[];
  search: string;
  timings: Record<string, number | string>;
}

/** What a failure message adds: the end of the running server's log (set by the suite). */
let serverLog = (): string => '';

function parse<T = AskJson>(r: RunResult): T {
  assert.equal(r.code, 0, `${r.stderr}${serverLog()}`);
  return JSON.parse(r.stdout) as T;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** One raw request on the socket, as any local process could send it; resolves with the reply line and whether the server hung up. */
function raw(socketPath: string, line: string, untilReply = false): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ reply: data, closed: false });
    }, 5000);
    s.on('data', (d) => {
      data += d.toString();
      if (untilReply && data.includes('\n')) s.destroy();
    });
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: data, closed: true });
    });
    s.write(`${line}\n`);
  });
}

describe('rag serve on fixtures/docs with Milvus Lite', () => {
  let cwd: string;
  let model: string;
  let serveDir: string;
  const env = (): Record<string, string> => ({ RAG_MODEL_PATH: model, RAG_SERVE_DIR: serveDir });
  const run = (args: string[], timeoutMs = 120_000): Promise<RunResult> => rag(args, { cwd, env: env(), timeoutMs });
  const infoFile = (): string | undefined => readdirSync(serveDir).find((f) => f.endsWith('.json'));
  const info = (): { pid: number; socket: string; token: string } =>
    JSON.parse(readFileSync(path.join(serveDir, infoFile() ?? 'none'), 'utf8')) as {
      pid: number;
      socket: string;
      token: string;
    };
  const pids: number[] = [];

  async function detach(extra: string[] = []): Promise<number> {
    const r = await run(['serve', '--detach', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^listening on \S+\.sock \(pid \d+, log \S+\)\n$/);
    const pid = Number(/pid (\d+)/.exec(r.stdout)?.[1]);
    pids.push(pid);
    return pid;
  }

  before(async () => {
    cwd = workdir('rag-e2e-serve-');
    serveDir = path.join(cwd, 'run');
    serverLog = () => {
      const log = existsSync(serveDir) ? readdirSync(serveDir).find((f) => f.endsWith('.log')) : undefined;
      if (!log) return '';
      const lines = readFileSync(path.join(serveDir, log), 'utf8').trimEnd().split('\n');
      return `\n--- rag serve log (end) ---\n${lines.slice(-20).join('\n')}`;
    };
    model = testModel();
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    const r = await run(['ingest', 'docs', '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await run(['serve', '--stop'], 60_000).catch(() => undefined);
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await until(() => pids.every((p) => !alive(p)), 10_000);
    rmSync(cwd, { recursive: true, force: true });
  });

  test('no server: ask falls back silently to the in-process path (--json timings say so), --status exits 1', async () => {
    const r = await run(['ask', '--no-llm', '--json', QUESTION]);
    const res = parse(r);
    assert.equal(res.timings.path, 'in-process');
    assert.doesNotMatch(r.stderr, /serve|error/);
    const s = await run(['serve', '--status']);
    assert.equal(s.code, 1);
    assert.match(s.stderr, /^error: no rag serve is running for \S+milvus\.db \(hint: .+\)\n$/);
  });

  test('auto-use: ask and eval use the running server, with identical results to --no-server (which hands the folder over and back)', async () => {
    const before = parse(await run(['ask', '--no-llm', '--json', '-k', '5', QUESTION]));
    const pid = await detach();
    // The socket folder is private, the info file (with the token) is 0600.
    assert.equal(statSync(serveDir).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(serveDir, infoFile() ?? '')).mode & 0o777, 0o600);
    for (const mode of ['dense', 'bm25', 'hybrid']) {
      const warm = parse(await run(['ask', '--no-llm', '--json', '-k', '5', '--search', mode, QUESTION]));
      const cold = parse(
        await run(['ask', '--no-llm', '--json', '-k', '5', '--search', mode, '--no-server', QUESTION]),
      );
      assert.equal(warm.timings.path, 'server', mode);
      assert.equal(cold.timings.path, 'in-process', mode);
      assert.equal(warm.timings.milvusStart, 0);
      assert.deepEqual(warm.sources, cold.sources, `${mode}: same chunks, same scores`);
      if (mode === 'hybrid') assert.deepEqual(warm.sources, before.sources);
    }
    const qs = path.join(cwd, 'q.jsonl');
    writeFileSync(
      qs,
      [
        JSON.stringify({ question: QUESTION, expect: ['Workers collect nectar'] }),
        JSON.stringify({ question: 'Who keeps a lighthouse?', expect: ['keeper'] }),
        JSON.stringify({ question: 'How is bread baked?', expect: ['oven'] }),
      ].join('\n'),
    );
    type EvalJson = { path: string; modes: { mode: string; hit1: number; results: { sources: unknown[] }[] }[] };
    const ew = parse<EvalJson>(await run(['eval', qs, '--json', '--compare', 'dense,bm25,hybrid']));
    const ec = parse<EvalJson>(await run(['eval', qs, '--json', '--compare', 'dense,bm25,hybrid', '--no-server']));
    assert.equal(ew.path, 'server');
    assert.equal(ec.path, 'in-process');
    assert.deepEqual(
      ew.modes.map((m) => m.results.map((q) => q.sources)),
      ec.modes.map((m) => m.results.map((q) => q.sources)),
    );
    assert.ok(alive(pid), 'the server still runs after the hand-overs');
    const st = parse<{ pid: number; milvusOpen: boolean; requests: number; searchMedian: number }>(
      await run(['serve', '--status', '--json']),
    );
    assert.equal(st.pid, pid);
    assert.ok(st.requests > 0);
    assert.equal(typeof st.searchMedian, 'number');
  });

  test('token: a request without the token, or with a wrong one, is refused and the connection closed', async () => {
    const { socket, token } = info();
    for (const line of [
      JSON.stringify({ id: 1, op: 'status' }),
      JSON.stringify({ id: 1, op: 'hello', token: 'x'.repeat(64), pid: 1, protocol: 1, acquire: false }),
      'not json',
    ]) {
      const r = await raw(socket, line);
      assert.equal(r.closed, true, line);
      assert.doesNotMatch(r.reply, /"ok":true/, line);
    }
    const bad = await raw(socket, JSON.stringify({ id: 7, op: 'status' }));
    assert.match(bad.reply, /"ok":false.*unauthorized/);
    // With the token from the 0600 file it answers (and the token never appears in the server's log).
    const good = await raw(
      socket,
      JSON.stringify({ id: 1, op: 'hello', token, pid: process.pid, protocol: 1, acquire: false }),
      true,
    );
    assert.match(good.reply, /"ok":true/);
    const log = readdirSync(serveDir).find((f) => f.endsWith('.log'));
    assert.ok(log);
    assert.ok(!readFileSync(path.join(serveDir, log), 'utf8').includes(token), 'the token is not logged');
  });

  test('ingest while the server runs: the folder is handed over at once (no lock wait), the server serves the new chunks after', async () => {
    const pid = info().pid;
    writeFileSync(path.join(cwd, 'docs', 'owls.md'), '# Owls\n\nA barn owl hunts voles at night over meadows.\n');
    const t0 = Date.now();
    const r = await run(['ingest', 'docs', '--json', '--lock-timeout', '20']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 20_000, 'did not wait out the lock timeout');
    assert.doesNotMatch(r.stderr, /waiting for another process/);
    assert.equal((JSON.parse(r.stdout) as { added: number }).added, 1);
    const res = parse(await run(['ask', '--no-llm', '--json', 'barn owl voles']));
    assert.equal(res.timings.path, 'server');
    assert.equal(res.sources[0]?.file, 'docs/owls.md');
    assert.ok(alive(pid));
  });

  test('its Milvus Lite killed: the next request reopens it and is answered, and the log says so', async () => {
    const pid = info().pid;
    const lites = pidsMatching(path.join(cwd, 'milvus.db'));
    assert.equal(lites.length, 1, "the server's Milvus Lite");
    const lite = lites[0] ?? -1;
    process.kill(lite, 'SIGKILL');
    assert.ok(await until(() => !alive(lite), 5000), 'the server has seen its Milvus Lite end');
    const res = parse(await run(['ask', '--no-llm', '--json', QUESTION]));
    assert.equal(res.timings.path, 'server');
    assert.match(res.sources[0]?.text ?? '', /Workers collect nectar/);
    assert.match(serverLog(), /Milvus Lite stopped unexpectedly \(killed by SIGKILL\): reopening it/);
    assert.ok(alive(pid));
  });

  test('a second server for the same target is refused; --stop stops it with its Milvus Lite and removes its files', async () => {
    const second = await run(['serve', '--detach']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^error: rag serve is already running for .+ \(hint: .+\)\n$/);
    const { pid } = info();
    const r = await run(['serve', '--stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`stopped rag serve \\(pid ${pid}\\)`));
    assert.ok(!alive(pid));
    assert.deepEqual(
      readdirSync(serveDir).filter((f) => !f.endsWith('.log')),
      [],
    );
    noServerLeft(path.join(cwd, 'milvus.db'));
    const again = await run(['serve', '--stop']);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /no rag serve is running/);
  });

  test('stale files of a killed server are detected and cleaned: ask falls back, a new server starts', async () => {
    const pid = await detach();
    const { socket } = info();
    process.kill(pid, 'SIGKILL');
    assert.ok(await until(() => !alive(pid), 5000));
    assert.ok(existsSync(socket), 'the killed server left its socket');
    const r = await run(['ask', '--no-llm', '--json', QUESTION]);
    assert.equal(parse(r).timings.path, 'in-process');
    assert.doesNotMatch(r.stderr, /error/);
    assert.ok(!existsSync(socket), 'stale socket removed');
    assert.equal(infoFile(), undefined, 'stale info file removed');
    const pid2 = await detach();
    assert.equal(parse(await run(['ask', '--no-llm', '--json', QUESTION])).timings.path, 'server');
    await run(['serve', '--stop']);
    assert.ok(await until(() => !alive(pid2), 10_000));
  });

  test('--idle: the server exits by itself after the idle time, with its Milvus Lite, and removes its files', async () => {
    const pid = await detach(['--idle', '0.05']);
    assert.ok(await until(() => !alive(pid), 30_000), 'exited after 3 s idle');
    assert.deepEqual(
      readdirSync(serveDir).filter((f) => !f.endsWith('.log')),
      [],
    );
    noServerLeft(path.join(cwd, 'milvus.db'));
    const bad = await run(['serve', '--idle', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --idle must be a number of minutes ≥ 0, got "soon" \(hint: .+\)\n$/);
  });
});
