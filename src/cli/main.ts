#!/usr/bin/env node
// The `rag` command: commander program, shared options, exit codes (0 ok, 1 failure, 2 usage, 130/143 signals).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_USAGE, RagError } from '../core/errors.js';
import { PACKAGE_ROOT, caughtSignal, lostMilvusLite } from './context.js';
import { reportError } from './render.js';

export interface CommonFlags {
  json?: boolean;
  verbose?: boolean;
  [flag: string]: unknown;
}

const version = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function milvusOptions(cmd: Command): Command {
  return cmd
    .option('--milvus-uri <uri>', 'Milvus Lite data folder (./milvus.db) or http(s)://host:port of a Milvus server / Zilliz Cloud [env MILVUS_URI]')
    .option('--milvus-token <token>', 'Milvus token or Zilliz Cloud API key [env MILVUS_TOKEN]')
    .option('--collection <name>', 'collection name [env RAG_COLLECTION, default my_rag_collection]')
    .option('--lock-timeout <seconds>', 'wait this long for another process using the same Milvus Lite folder [env RAG_LOCK_TIMEOUT, default 60]');
}

function modelOptions(cmd: Command): Command {
  return cmd
    .option('--model <id>', 'embedding model id [env RAG_EMBED_MODEL, default Xenova/all-mpnet-base-v2]')
    .addOption(new Option('--model-path <dir>', 'load the embedding model from a local folder [env RAG_MODEL_PATH]').conflicts('model'))
    .option('--cache-dir <dir>', 'model cache [env RAG_CACHE_DIR]')
    .option('--offline', 'never download models [env RAG_OFFLINE=1]')
    .option('--dtype <dtype>', 'model precision: fp32, fp16, q8… [env RAG_DTYPE, default fp32]')
    .option('--query-prefix <text>', 'text put before questions [env RAG_QUERY_PREFIX]')
    .option('--doc-prefix <text>', 'text put before documents [env RAG_DOC_PREFIX]')
    .option('--batch-size <n>', 'most chunks per embedding pass and per insert [env RAG_BATCH_SIZE, default 32]')
    .option('--batch-tokens <n>', 'most padded tokens per embedding pass [env RAG_BATCH_TOKENS, default 4096]');
}

function searchOptions(cmd: Command): Command {
  return cmd
    .option('-k, --top-k <n>', 'chunks to retrieve [env RAG_TOP_K, default 3]')
    .addOption(new Option('--search <mode>', 'retrieval mode [env RAG_SEARCH, default hybrid; dense on a collection without BM25]').choices(['dense', 'bm25', 'hybrid']))
    .option('--rrf-k <n>', 'reciprocal-rank-fusion constant for hybrid [env RAG_RRF_K, default 60]')
    .option('--candidates <n>', 'hybrid: candidates each search contributes to the fusion [env RAG_CANDIDATES, default 20]');
}

function common(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON object on stdout').option('--verbose', 'print stack traces on errors');
}

let exitCode = 0;
let verbose = process.argv.includes('--verbose');

function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    exitCode = await fn(...(args as A));
  };
}

export function buildProgram(): Command {
  const program = new Command('rag')
    .description('Command-line RAG over Milvus: ingest Markdown, ask questions, measure retrieval.')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')} (hint: see rag --help)\n`),
    });

  const ingest = program.command('ingest')
    .description('split Markdown files on "# ", embed the pieces and upsert them into Milvus')
    .argument('<paths...>', 'folders (every **/*.md), Markdown files or quoted globs')
    .option('--recreate', 'drop the collection first')
    .addOption(new Option('--split <mode>', 'chunking: sections or tutorial [env RAG_SPLIT, default sections]').choices(['sections', 'tutorial']))
    .option('--no-progress', 'no progress bars');
  common(modelOptions(milvusOptions(ingest))).action(action(async (paths: string[], flags: Record<string, unknown>) => (await import('./ingest.js')).runIngest(paths, flags)));

  const askCmd = program.command('ask')
    .description('answer a question from the collection with an OpenAI-compatible chat model')
    .argument('<question>', 'the question')
    .option('--no-llm', 'retrieval only: print the retrieved chunks, no API key needed')
    .option('-q, --quiet', 'print the answer alone')
    .option('--system-prompt <text>', 'replace the system prompt')
    .option('--prompt-file <file>', 'replace the user prompt template (must contain {context} and {question})')
    .option('--llm-base-url <url>', 'OpenAI-compatible endpoint [env RAG_LLM_BASE_URL, OPENAI_BASE_URL]')
    .option('--llm-model <name>', 'chat model [env RAG_LLM_MODEL, default mistral-7b]')
    .option('--llm-api-key <key>', 'API key [env RAG_LLM_API_KEY, LEPTONAI_TOKEN, OPENAI_API_KEY]')
    .option('--llm-timeout <seconds>', 'per attempt [env RAG_LLM_TIMEOUT, default 60]')
    .option('--llm-retries <n>', 'retries on 429/5xx/connection errors [env RAG_LLM_RETRIES, default 3]')
    .option('--no-server', 'do not use a running `rag serve`: load Milvus and the model in this process');
  common(searchOptions(modelOptions(milvusOptions(askCmd)))).action(action(async (question: string, flags: Record<string, unknown>) => (await import('./ask.js')).runAsk(question, flags)));

  const evalCmd = program.command('eval')
    .description('measure retrieval on a JSON Lines question set: hit@1, hit@k, MRR; gate CI with thresholds')
    .argument('<questions>', 'JSON Lines file: {"question": "...", "expect": ["..."]} per line')
    .option('--k <n>', 'cut-off for hit@k and MRR@k (default: --top-k, 3)')
    .option('--min-hit <ratio>', 'fail (exit 1) when hit@k is below this (0..1; checked for every mode compared)')
    .option('--min-hit1 <ratio>', 'fail (exit 1) when hit@1 is below this (0..1)')
    .option('--min-mrr <ratio>', 'fail (exit 1) when MRR@k is below this (0..1)')
    .option('--compare <modes>', 'run each mode and show them side by side, e.g. dense,bm25,hybrid (instead of --search)')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--no-server', 'do not use a running `rag serve`: load Milvus and the model in this process');
  common(searchOptions(modelOptions(milvusOptions(evalCmd)))).action(action(async (file: string, flags: Record<string, unknown>) => (await import('./eval.js')).runEval(file, flags)));

  const serveCmd = program.command('serve')
    .description('keep Milvus (Lite) and the embedding model loaded for fast `rag ask` / `rag eval` on one Milvus target')
    .option('--detach', 'start in the background and print where it listens')
    .option('--stop', 'stop the server of this Milvus target')
    .option('--status', 'show the server of this Milvus target (exit 1 when none runs)')
    .option('--idle <minutes>', 'exit after this many minutes without a request (0 = never) [default 30]');
  common(modelOptions(milvusOptions(serveCmd))).action(action(async (flags: Record<string, unknown>) => (await import('./serve.js')).runServe(flags)));

  const mcpCmd = program.command('mcp')
    .description('Model Context Protocol server over stdio: tools search, ask and status for AI agents')
    .option('--llm-base-url <url>', 'OpenAI-compatible endpoint [env RAG_LLM_BASE_URL, OPENAI_BASE_URL]')
    .option('--llm-model <name>', 'chat model [env RAG_LLM_MODEL, default mistral-7b]')
    .option('--llm-api-key <key>', 'API key [env RAG_LLM_API_KEY, LEPTONAI_TOKEN, OPENAI_API_KEY]')
    .option('--llm-timeout <seconds>', 'per attempt [env RAG_LLM_TIMEOUT, default 60]')
    .option('--llm-retries <n>', 'retries on 429/5xx/connection errors [env RAG_LLM_RETRIES, default 3]');
  common(searchOptions(modelOptions(milvusOptions(mcpCmd)))).action(action(async (flags: Record<string, unknown>) => (await import('./mcp.js')).runMcp(flags)));

  const configCmd = program.command('config')
    .description('print the resolved settings (secrets masked) and where each comes from')
    .option('--check', 'also check that Milvus, the embedding model and the LLM endpoint answer')
    .option('--llm-base-url <url>', 'OpenAI-compatible endpoint')
    .option('--llm-model <name>', 'chat model')
    .option('--llm-api-key <key>', 'API key');
  common(modelOptions(milvusOptions(configCmd))).action(action(async (flags: Record<string, unknown>) => (await import('./config.js')).runConfig(flags)));

  for (const cmd of program.commands) {
    cmd.exitOverride().showSuggestionAfterError(true).configureOutput({
      outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')} (hint: see rag ${cmd.name()} --help)\n`),
    });
  }
  return program;
}

/** The one error line says the root cause: the signal that stopped rag, or the embedded Milvus Lite that died. */
function explain(err: unknown, sig: NodeJS.Signals | undefined): unknown {
  if (!(err instanceof RagError)) return err;
  if (sig && /^interrupted\b/.test(err.message)) {
    return new RagError(err.message.replace(/^interrupted/, `interrupted by ${sig}`), { hint: err.hint, exitCode: err.exitCode, cause: err });
  }
  const lost = sig ? undefined : lostMilvusLite();
  if (lost) {
    return new RagError(`the embedded Milvus Lite stopped unexpectedly (${lost}): ${err.message}`, {
      hint: 'run the same command again; an interrupted ingest resumes where it stopped and stores each chunk once',
      cause: err,
    });
  }
  return err;
}

export async function main(argv: string[]): Promise<number> {
  verbose = argv.includes('--verbose');
  try {
    await buildProgram().parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    const sig = caughtSignal();
    const code = reportError(explain(err, sig), verbose);
    return sig ? (sig === 'SIGINT' ? 130 : 143) : code;
  }
}

// A reader that stops early (`rag ask … --json | head -1`) is not a failure: stop quietly, without a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`error: cannot write the output: ${err.message} (hint: check where stdout goes)\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

process.exitCode = await main(process.argv);
