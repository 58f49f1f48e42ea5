// Warm mode bench (issue 14): whole-process `rag ask --no-llm` latency cold vs. through `rag serve`, search inside the server, server RSS over N asks.
//
//   node bench/serve.mjs [--model-path DIR] [--shared DIR] [--corpus DIR] [--runs 20] [--asks 1000] [--baseline DIST_MAIN_JS]
//
// Ingests the corpus (default ../shared/corpora/milvus_docs/en/faq) with the model (default the real all-mpnet-base-v2)
// into a temp folder, then: `node -e 0` (Node's own start-up on this machine), the cold path (`--no-server`) of this
// build and of --baseline (another build's dist/cli/main.js, e.g. main before warm mode), the warm path (a detached
// `rag serve`), and the server's RSS (VmRSS of the server and of its Milvus Lite child) every 100 asks over --asks asks
// made through the client library (the same requests `rag ask` makes). Tables on stdout, JSON in bench/results/.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  FAQ,
  RAG_BIN,
  REPO_ROOT,
  RESULTS_DIR,
  SHARED,
  cleanEnv,
  distModule,
  log,
  machineInfo,
  round,
  table,
} from './lib/common.mjs';

function parse(argv) {
  const o = {
    modelPath: '/root/.cache/rag-real-models/all-mpnet-base-v2',
    corpus: undefined,
    shared: SHARED,
    runs: 20,
    asks: 1000,
    baseline: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--model-path') o.modelPath = v;
    else if (a === '--corpus') o.corpus = v;
    else if (a === '--runs') o.runs = Number(v);
    else if (a === '--asks') o.asks = Number(v);
    else if (a === '--baseline') o.baseline = v;
    else if (a === '--shared') o.shared = path.resolve(v);
    else throw new Error(`unknown argument ${a}`);
    i++;
  }
  o.corpus ??= path.join(o.shared, path.relative(SHARED, FAQ));
  return o;
}

const opts = parse(process.argv.slice(2));
const questions = readFileSync(path.join(opts.shared, 'eval', 'milvus_faq.dev.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).question);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rag-bench-serve-'));
const serveDir = path.join(tmp, 'run');
process.env.RAG_SERVE_DIR = serveDir; // the bench's own client (RSS series) finds the server too
const env = cleanEnv({ RAG_MODEL_PATH: opts.modelPath, RAG_SERVE_DIR: serveDir });

function timed(bin, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // GNU time reports the CPU the process used (user + sys): less sensitive than wall time to a busy machine.
    const child = spawn('/usr/bin/time', ['-f', 'RAGCPU %U %S', process.execPath, ...(bin ? [bin, ...args] : args)], {
      cwd: tmp,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = /RAGCPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0) reject(new Error(`exit ${code}: ${err.trim()}`));
      else resolve({ ms, out, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

function summarize(label, wall, cpu, inner) {
  const row = {
    label,
    runs: wall.length,
    median: median(wall),
    p90: pct(wall, 0.9),
    min: Math.min(...wall),
    max: Math.max(...wall),
    cpu: median(cpu),
    load: os.loadavg()[0],
  };
  if (inner.length) {
    row.path = inner[0].path ?? 'in-process';
    for (const k of ['startup', 'embed', 'search', 'total']) row[k] = median(inner.map((t) => t[k] * 1000));
  }
  log(`${label}: median ${round(row.median)} ms, CPU ${round(row.cpu)} ms`);
  return row;
}

/** Runs the series in turn, one run of each per round, so that a change in the machine's load hits them alike. */
async function series(specs) {
  const acc = specs.map(() => ({ wall: [], cpu: [], inner: [] }));
  for (let i = 0; i < opts.runs; i++) {
    const q = questions[i % questions.length];
    for (const [j, { bin, extra }] of specs.entries()) {
      const r = await timed(bin, bin ? ['ask', '--no-llm', '--json', ...extra, q] : extra);
      acc[j].wall.push(r.ms);
      acc[j].cpu.push(r.cpuMs);
      if (bin) acc[j].inner.push(JSON.parse(r.out).timings);
    }
  }
  return specs.map((s, j) => summarize(s.label, acc[j].wall, acc[j].cpu, acc[j].inner));
}

function vmRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function rssOverAsks(serverPid) {
  const { chooseOpeners } = await import(distModule('cli/warm.js'));
  const { loadConfig, lifecycle } = await import(distModule('cli/runtime.js'));
  const { ask, openCollection, searchModeFor } = await import(distModule('core/retrieve.js'));
  const resolved = loadConfig({ modelPath: opts.modelPath, milvusUri: path.join(tmp, 'milvus.db') }, tmp);
  const samples = [];
  const sample = (n) => {
    const lite = children(serverPid)
      .map(vmRss)
      .filter((x) => x !== null);
    samples.push({ asks: n, server: vmRss(serverPid), milvusLite: lite.reduce((a, b) => a + b, 0) });
  };
  sample(0);
  const t0 = performance.now();
  for (let i = 1; i <= opts.asks; i++) {
    const life = lifecycle();
    const via = await chooseOpeners(resolved, true, life);
    if (via.path !== 'server') throw new Error('the server was not used');
    const store = await via.openStore(resolved, life);
    const meta = await openCollection(store, resolved.config.collection);
    const embedder = await via.openEmbedder(resolved, life);
    await ask({
      question: questions[i % questions.length],
      store,
      embedder,
      collection: resolved.config.collection,
      topK: 3,
      mode: searchModeFor(meta, 'hybrid', false),
      rrfK: 60,
      candidates: 20,
      chat: null,
    });
    await life.close();
    if (i % 100 === 0) sample(i);
  }
  const seconds = (performance.now() - t0) / 1000;
  log(`${opts.asks} asks in ${round(seconds)} s`);
  return { samples, seconds };
}

async function main() {
  const machine = machineInfo();
  log(`ingesting ${opts.corpus} with ${opts.modelPath} into ${tmp}`);
  const ing = spawnSync(process.execPath, [RAG_BIN, 'ingest', opts.corpus, '--json', '--no-progress'], {
    cwd: tmp,
    env,
    encoding: 'utf8',
  });
  if (ing.status !== 0) throw new Error(`ingest failed: ${ing.stderr}`);
  const summary = JSON.parse(ing.stdout);
  const rows = [];
  const cold = [
    { label: 'node -e 0 (Node start-up alone)', bin: undefined, extra: ['-e', '0'] },
    { label: 'cold: rag ask --no-server (this build)', bin: RAG_BIN, extra: ['--no-server'] },
  ];
  if (opts.baseline) cold.push({ label: 'cold: rag ask (baseline build)', bin: opts.baseline, extra: [] });
  rows.push(...(await series(cold)));

  log('starting rag serve --detach');
  const st = await timed(RAG_BIN, ['serve', '--detach', '--json', '--idle', '10']);
  const server = JSON.parse(st.out);
  try {
    rows.push(
      ...(await series([
        { label: 'node -e 0 (Node start-up alone), during the warm runs', bin: undefined, extra: ['-e', '0'] },
        { label: 'warm: rag ask through rag serve', bin: RAG_BIN, extra: [] },
      ])),
    );
    const status = JSON.parse((await timed(RAG_BIN, ['serve', '--status', '--json'])).out);
    const rss = await rssOverAsks(server.pid);
    const status2 = JSON.parse((await timed(RAG_BIN, ['serve', '--status', '--json'])).out);
    const result = {
      date: new Date().toISOString(),
      commit: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim(),
      machine,
      corpus: opts.corpus,
      model: opts.modelPath,
      chunks: summary.total,
      serveStartSeconds: st.ms / 1000,
      latency: rows,
      insideServer: {
        embedMedianMs: status.embedMedian * 1000,
        searchMedianMs: status.searchMedian * 1000,
        after1000: { embedMedianMs: status2.embedMedian * 1000, searchMedianMs: status2.searchMedian * 1000 },
      },
      rss,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `serve-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `${table(
        `rag ask --no-llm, whole process, ${opts.runs} runs each (${summary.total} chunks, ${path.basename(opts.modelPath)})`,
        [
          ['path', 'label'],
          ['median ms', 'median'],
          ['p90 ms', 'p90'],
          ['min ms', 'min'],
          ['max ms', 'max'],
          ['CPU ms (median)', 'cpu'],
          ['startup ms', 'startup'],
          ['embed ms', 'embed'],
          ['search ms', 'search'],
          ['load avg', 'load'],
        ],
        rows.map((r) => ({
          ...r,
          median: round(r.median),
          p90: round(r.p90),
          min: round(r.min),
          max: round(r.max),
          cpu: round(r.cpu),
          startup: r.startup === undefined ? undefined : round(r.startup),
          embed: r.embed === undefined ? undefined : round(r.embed, 2),
          search: r.search === undefined ? undefined : round(r.search, 2),
          load: round(r.load, 2),
        })),
      )}\n\n`,
    );
    process.stdout.write(
      `inside the server (median of the last 200 requests): embed ${round(result.insideServer.embedMedianMs, 2)} ms, search ${round(result.insideServer.searchMedianMs, 2)} ms\n\n`,
    );
    process.stdout.write(
      `${table(
        `server RSS over ${opts.asks} asks (${round(rss.seconds)} s)`,
        [
          ['asks', 'asks'],
          ['rag serve MB', 'server'],
          ['Milvus Lite MB', 'milvusLite'],
        ],
        rss.samples.map((s) => ({ asks: s.asks, server: round(s.server), milvusLite: round(s.milvusLite) })),
      )}\n`,
    );
    process.stdout.write(`results: ${path.relative(REPO_ROOT, file)}\n`);
  } finally {
    await timed(RAG_BIN, ['serve', '--stop']).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
