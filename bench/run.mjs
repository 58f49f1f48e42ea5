// `npm run bench`: ingest (issue 3) and embedding (issue 5) measurements; one JSON file in bench/results/, tables on stdout.
//
// Usage: node bench/run.mjs [--only ingest|embed] [--quick] [--no-sweep] [--sample N]
//   --quick     FAQ ingest only, embedding at batch 32 only, 512-chunk sample
//   --no-sweep  skip the en/ ingest --batch-size 8 and 128 runs
//   --sample N  chunks of en/ in the embedding sample, rounded up to blocks of 128 (default 2048)
// Numbers are measurements of this machine, to compare runs; nothing here asserts them.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBED_COLUMNS, benchEmbed } from './embed.mjs';
import { INGEST_COLUMNS, benchIngest } from './ingest.mjs';
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
    if (opts.only !== 'embed')
      result.ingest = await benchIngest({ modelDir: testModelDir, tmpRoot, quick: opts.quick, sweep: opts.sweep });
    if (opts.only !== 'ingest')
      result.embed = await benchEmbed({ testModelDir, tmpRoot, quick: opts.quick, sampleSize: opts.sample });
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
          'ingest (built rag, test model, fresh Milvus Lite folder; MB = peak RSS)',
          INGEST_COLUMNS,
          okCell(result.ingest.runs),
        ),
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
        ...errors.map((r) => `  ${r.corpus ?? r.model} ${r.run ?? r.dtype} batch ${r.batchSize}: ${r.error}`),
      ].join('\n'),
    );
  parts.push(
    `load = 1-minute load average before each run (${result.machine.availableParallelism} cores: above that, other work skews the figures)`,
  );
  parts.push(`total ${result.totalSeconds} s; results: ${path.relative(process.cwd(), file)}`);
  process.stdout.write(`${parts.join('\n\n')}\n`);

  const failed = [...(result.ingest?.runs ?? []), ...(result.embed?.runs ?? [])].some((r) => !r.ok);
  return failed ? 1 : 0;
}

process.exitCode = await main();
