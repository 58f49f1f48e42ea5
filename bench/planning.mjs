// Planning bench (issue 11): ingest of 5,000 one-chunk files into a new collection, the unchanged re-run, 10 files
// deleted, and the unchanged re-run of en/; wall time of the built binary with the test model (planning does not
// depend on the model). Writes bench/results/planning-<time>.json and prints a table.
//   node bench/planning.mjs [--files 5000] [--milvus-server] [--repeat 5] [--baseline OTHER/dist/cli/main.js]
// --repeat N: the en/ unchanged re-run N times (median reported; default 5).
// --baseline: another build (e.g. a worktree of the previous release) runs the same en/ re-runs, alternating with this
// one on the same data folder, so that the two are compared under the same load (ratio = this / baseline).
// --milvus-server: the en/ runs also against a Milvus 2.3.5 standalone server (PyPI `milvus`, .venv-server; dense-only
// collection), started with the test helper (needs `npx tsc -p tsconfig.test.json` first): no Milvus Lite to start and
// no collection to load, which is what an unchanged re-run costs on a server.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCS_EN, RAG_BIN, RESULTS_DIR, cleanEnv, log, machineInfo, makeTestModel, round } from './lib/common.mjs';

const args = process.argv.slice(2);
const files = Number(args[args.indexOf('--files') + 1] || 5000) || 5000;
const withServer = args.includes('--milvus-server');
const repeat = Number(args.includes('--repeat') ? args[args.indexOf('--repeat') + 1] : 5) || 5;
const baseline = args.includes('--baseline') ? path.resolve(args[args.indexOf('--baseline') + 1]) : undefined;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rag-planning-'));
const result = { startedAt: new Date().toISOString(), machine: machineInfo(), files, baseline, runs: [] };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const env = cleanEnv({ RAG_MODEL_PATH: makeTestModel(tmp) });
  const run = (name, argv, cwd, bin = RAG_BIN) => {
    const load = round(os.loadavg()[0], 2);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'ingest', ...argv, '--json', '--no-progress'], {
      cwd,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const wall = (performance.now() - t0) / 1000;
    let s = {};
    try {
      s = JSON.parse(r.stdout);
    } catch {
      /* reported below */
    }
    const row = {
      run: name,
      exit: r.status,
      wallSeconds: round(wall, 2),
      added: s.added,
      removed: s.removed,
      total: s.total,
      loadavg1: load,
    };
    if (r.status !== 0) row.error = r.stderr.trim().split('\n').pop();
    result.runs.push(row);
    log(`${name}: ${row.wallSeconds} s (added ${row.added}, removed ${row.removed}, total ${row.total})`);
    return row;
  };
  // The unchanged re-run `repeat` times (and the baseline's, alternating): one row each, then the medians.
  const unchanged = (name, argv, cwd) => {
    const mine = [];
    const base = [];
    for (let i = 0; i < repeat; i++) {
      mine.push(run(`${name} #${i + 1}`, argv, cwd).wallSeconds);
      if (baseline) base.push(run(`${name} #${i + 1}, baseline`, argv, cwd, baseline).wallSeconds);
    }
    const row = { run: `${name}: median of ${repeat}`, wallSeconds: median(mine), loadavg1: round(os.loadavg()[0], 2) };
    if (baseline) {
      row.baselineWallSeconds = median(base);
      row.ratio = round(row.wallSeconds / row.baselineWallSeconds, 2);
    }
    result.runs.push(row);
    log(
      `${row.run}: ${row.wallSeconds} s${baseline ? ` (baseline ${row.baselineWallSeconds} s, ratio ${row.ratio})` : ''}`,
    );
  };
  const many = path.join(tmp, 'many');
  mkdirSync(many);
  for (let i = 0; i < files; i++)
    writeFileSync(path.join(many, `f${String(i).padStart(5, '0')}.md`), `# Note ${i}\n\nThe body of note ${i}.\n`);
  run(`${files} one-chunk files, new collection`, ['many'], tmp);
  run(`${files} files, unchanged re-run`, ['many'], tmp);
  for (let i = 0; i < 10; i++) rmSync(path.join(many, `f${String(i * 7).padStart(5, '0')}.md`));
  run(`${files} files, 10 deleted`, ['many'], tmp);
  const en = path.join(tmp, 'en');
  mkdirSync(en);
  run('en/, new collection', [DOCS_EN, '--milvus-uri', './en.db'], en);
  // The first re-run writes this build's split cache if the baseline keeps it elsewhere: not timed with the others.
  run('en/, first re-run', [DOCS_EN, '--milvus-uri', './en.db'], en);
  if (baseline) run('en/, first re-run, baseline', [DOCS_EN, '--milvus-uri', './en.db'], en, baseline);
  unchanged('en/, unchanged re-run', [DOCS_EN, '--milvus-uri', './en.db'], en);
  if (withServer) {
    const helper = path.resolve('.test-build/test/helpers/milvus-server.js');
    const { startMilvusServer } = await import(helper);
    const server = await startMilvusServer();
    try {
      run('en/, new collection (Milvus server)', [DOCS_EN, '--milvus-uri', server.uri], en);
      run('en/, first re-run (Milvus server)', [DOCS_EN, '--milvus-uri', server.uri], en);
      if (baseline)
        run('en/, first re-run (Milvus server), baseline', [DOCS_EN, '--milvus-uri', server.uri], en, baseline);
      unchanged('en/, unchanged re-run (Milvus server)', [DOCS_EN, '--milvus-uri', server.uri], en);
    } finally {
      await server.cleanup();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
mkdirSync(RESULTS_DIR, { recursive: true });
const out = path.join(RESULTS_DIR, `planning-${result.startedAt.replace(/[:.]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  '| run | wall s | baseline s | ratio | added | removed | total | load |\n|---|---|---|---|---|---|---|---|\n',
);
for (const r of result.runs)
  process.stdout.write(
    `| ${r.run} | ${r.wallSeconds} | ${r.baselineWallSeconds ?? ''} | ${r.ratio ?? ''} | ${r.added ?? ''} | ${r.removed ?? ''} | ${r.total ?? ''} | ${r.loadavg1} |\n`,
  );
process.stdout.write(`\nresults: ${path.relative(process.cwd(), out)}\n`);
