// `npm run bench`: ingest and cold ask with the real model (issues 3, 10), embedding per dtype/batch (issue 5), then
// bench/speed.mjs and bench/planning.mjs (issue 11); one JSON file in bench/results/ (plus theirs), tables on stdout.
//
// Usage: node bench/run.mjs [--only ingest|embed|speed|planning] [--quick] [--no-sweep] [--sample N] [--test-model]
//   --quick       FAQ ingest only, embedding at batch 32 only, 512-chunk sample, no speed/planning
//   --no-sweep    skip the getstarted ingest --batch-tokens 2048 and 4096 runs
//   --keep DIR    keep the ingest data folders in DIR/<corpus>/milvus.db (DIR/<corpus> must not exist)
//   --test-model  ingest with the generated test model instead of the real one (scripts/real-model.mjs)
//   --sample N  chunks of en/ in the embedding sample, rounded up to blocks of 128 (default 2048)
// Numbers are measurements of this machine, to compare runs; nothing here asserts them.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBED_COLUMNS, benchEmbed } from './embed.mjs';
import { ASK_COLUMNS, INGEST_COLUMNS, benchIngest } from './ingest.mjs';
import { spawnSync } from 'node:child_process';
import { realModel } from '../scripts/real-model.mjs';
import { RAG_BIN, RESULTS_DIR, log, machineInfo, makeTestModel, parseArgs, round, table } from './lib/common.mjs';

function okCell(rows) {
  return rows.map((r) => ({ ...r, ok: r.ok ? 'ok' : 'FAIL' }));
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  if (!existsSync(RAG_BIN)) {
    process.stderr.write(
      `error: ${RAG_BIN} not found (hint: run \`npm run bench\`, which builds first, or \`npm run build\`)\n`,
    );
    return 1;
  }

  const started = new Date();
  const t0 = performance.now();
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'rag-bench-'));
  const result = {
    startedAt: started.toISOString(),
    options: opts,
    machine: machineInfo(),
    loadavgAtStart: os.loadavg().map((x) => round(x, 2)),
  };
  log(
    `${result.machine.cpuModel}, availableParallelism ${result.machine.availableParallelism}, node ${result.machine.node}`,
  );
  try {
    const testModelDir = makeTestModel(tmpRoot);
    let ingestModel = testModelDir;
    result.ingestModel = 'generated test model';
    if (!opts.testModel) {
      try {
        ingestModel = realModel();
        result.ingestModel = ingestModel;
      } catch (e) {
        log(`the real model is not available (${e.message.split('\n')[0]}): ingest figures are for the TEST model`);
      }
    }
    if (!opts.only || opts.only === 'ingest')
      result.ingest = await benchIngest({
        modelDir: ingestModel,
        tmpRoot,
        quick: opts.quick,
        sweep: opts.sweep,
        keep: opts.keep,
      });
    if (!opts.only || opts.only === 'embed')
      result.embed = await benchEmbed({ testModelDir, tmpRoot, quick: opts.quick, sampleSize: opts.sample });
    // Side-by-side speed (rag vs the Python reference vs the tutorial's pipeline) and bulk planning: their own scripts,
    // their own JSON files; their tables go to stdout after ours.
    for (const name of ['speed', 'planning']) {
      if (opts.quick || (opts.only && opts.only !== name)) continue;
      log(`bench/${name}.mjs …`);
      const r = spawnSync(process.execPath, [path.join(import.meta.dirname, `${name}.mjs`)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      result[name] = { exitCode: r.status, output: r.stdout };
    }
  } finally {
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  result.totalSeconds = round((performance.now() - t0) / 1000, 1);
  result.loadavgAtEnd = os.loadavg().map((x) => round(x, 2));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

  const parts = [
    `machine: ${result.machine.cpuModel}, ${result.machine.availableParallelism} cores available, node ${result.machine.node}, commit ${result.machine.commit ?? '?'}${result.machine.dirty ? ' (dirty)' : ''}`,
  ];
  if (result.ingest) {
    parts.push(
      result.ingest.skipped ??
        table(
          `ingest (built rag, ${result.ingestModel === 'generated test model' ? 'generated TEST model' : 'real model'}, fresh Milvus Lite folder; MB = peak RSS)`,
          INGEST_COLUMNS,
          okCell(result.ingest.runs),
        ),
    );
    if (result.ingest.asks?.length)
      parts.push(
        table('cold ask --no-llm (median of 3; seconds; phases overlap)', ASK_COLUMNS, okCell(result.ingest.asks)),
      );
  }
  if (result.embed) {
    const s = result.embed.sample;
    parts.push(
      result.embed.skipped ??
        table(
          `embedding (${s.chunks} of ${s.corpusChunks} en/ chunks in blocks of 128 consecutive; capped = stopped at ${s.maxSecondsPerConfig} s)`,
          EMBED_COLUMNS,
          okCell(result.embed.runs),
        ),
    );
  }
  const errors = [...(result.ingest?.runs ?? []), ...(result.embed?.runs ?? [])].filter((r) => r.error);
  if (errors.length)
    parts.push(
      [
        'failures:',
        ...errors.map(
          (r) => `  ${r.corpus ?? r.model} ${r.run ?? r.dtype} batch ${r.batchTokens ?? r.batchSize}: ${r.error}`,
        ),
      ].join('\n'),
    );
  parts.push(
    `load = 1-minute load average before each run (${result.machine.availableParallelism} cores: above that, other work skews the figures)`,
  );
  parts.push(`total ${result.totalSeconds} s; results: ${path.relative(process.cwd(), file)}`);
  process.stdout.write(`${parts.join('\n\n')}\n`);

  for (const name of ['speed', 'planning']) if (result[name]) parts.push(`bench/${name}.mjs:\n${result[name].output}`);
  const failed =
    [...(result.ingest?.runs ?? []), ...(result.ingest?.asks ?? []), ...(result.embed?.runs ?? [])].some(
      (r) => !r.ok,
    ) || ['speed', 'planning'].some((n) => result[n] && result[n].exitCode !== 0);
  return failed ? 1 : 0;
}

process.exitCode = await main();
