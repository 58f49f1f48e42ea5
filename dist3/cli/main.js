#!/usr/bin/env node
// The `rag` command: commander program, shared options, exit codes (0 ok, 1 failure, 2 usage, 130/143 signals).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { GROUPS, SEARCH_MODES, SETTINGS, settingHelp } from '../core/config.js';
import { EXIT_USAGE, RagError } from '../core/errors.js';
import { SPLIT_MODES } from '../core/sections.js';
import { PACKAGE_ROOT, caughtSignal, lostMilvusLite } from './runtime.js';
import { reportError } from './render.js';
const version = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'))
    .version;
const OUTPUT = 'Output:';
/** The options of the settings in these groups, generated from SETTINGS (help text, env names, defaults). */
function settingOptions(cmd, groups) {
    for (const group of GROUPS) {
        if (!groups.includes(group))
            continue;
        for (const s of SETTINGS) {
            if (s.group !== group || s.option === undefined)
                continue;
            const opt = new Option(s.option, settingHelp(s)).helpGroup(`${group} options:`);
            if (s.kind === 'mode')
                opt.choices(SEARCH_MODES);
            if (s.kind === 'split')
                opt.choices(SPLIT_MODES);
            if (s.conflicts)
                opt.conflicts(s.conflicts);
            cmd.addOption(opt);
        }
    }
    return cmd;
}
function common(cmd) {
    return cmd
        .addOption(new Option('--json', 'print one JSON object on stdout').helpGroup(OUTPUT))
        .addOption(new Option('--verbose', 'print stack traces on errors').helpGroup(OUTPUT));
}
function examples(cmd, lines) {
    return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
let exitCode = 0;
let verbose = process.argv.includes('--verbose');
function action(fn) {
    return async (...args) => {
        exitCode = await fn(...args);
    };
}
const ENV_NAMES = SETTINGS.flatMap((s) => s.env);
export function buildProgram() {
    const program = new Command('rag')
        .description('Command-line RAG over Milvus: ingest Markdown, ask questions, measure retrieval.')
        .version(version, '-V, --version')
        .showSuggestionAfterError(true)
        .exitOverride()
        .configureOutput({
        writeErr: (s) => process.stderr.write(s),
        outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')} (hint: see rag --help)\n`),
    })
        .addHelpText('after', [
        '',
        'Examples:',
        '  rag ingest docs/                                   # split, embed and store every docs/**/*.md',
        '  rag ask "How is data stored in Milvus?"            # answer with the LLM, then the sources',
        '  rag ask --no-llm "How is data stored?"             # retrieval only, no API key needed',
        '  rag eval questions.jsonl --min-hit 0.9             # measure retrieval; exit 1 below the threshold',
        '  rag config --check                                 # where each setting comes from; do the services answer?',
        '',
        'Exit codes: 0 ok, 1 failure, 2 usage error, 130/143 interrupted (SIGINT/SIGTERM).',
        'Errors are one stderr line "error: … (hint: …)"; add --verbose for the stack trace.',
        `Settings: flag > environment > ./.env > default. Environment variables: ${ENV_NAMES.join(', ')}.`,
        'Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY for model downloads and the LLM; loopback is never proxied.',
        'See `rag <command> --help` and the README (README.md in the rag package) for more.',
        '',
    ].join('\n'));
    const ingest = program
        .command('ingest')
        .description('split Markdown files on "# ", embed the pieces and upsert them into Milvus')
        .argument('<paths...>', 'folders (every **/*.md), Markdown files or quoted globs');
    settingOptions(ingest, ['Embedding model', 'Milvus'])
        .addOption(new Option('--recreate', 'drop the collection first').helpGroup('Milvus options:'))
        .addOption(new Option('--no-progress', 'no progress bars').helpGroup(OUTPUT));
    examples(common(ingest), [
        'rag ingest docs/                                  # every docs/**/*.md into ./milvus.db',
        'rag ingest "notes/**/*.md" README.md --json       # quoted globs and files; summary as JSON',
        'rag ingest docs/ --model-path ./models/bge --recreate   # a local model folder; rebuild the collection',
        'rag ingest docs/ --milvus-uri http://localhost:19530    # a Milvus server instead of Milvus Lite',
    ]).action(action(async (paths, flags) => (await import('./ingest.js')).runIngest(paths, flags)));
    const askCmd = program
        .command('ask')
        .description('answer a question from the collection with an OpenAI-compatible chat model')
        .argument('<question...>', 'the question (quote it: one argument)');
    settingOptions(askCmd, ['Retrieval', 'Embedding model', 'Milvus', 'LLM'])
        .addOption(new Option('--no-llm', 'retrieval only: print the retrieved chunks, no API key needed').helpGroup('LLM options:'))
        .addOption(new Option('--system-prompt <text>', 'replace the system prompt').helpGroup('LLM options:'))
        .addOption(new Option('--prompt-file <file>', 'replace the user prompt template (must contain {context} and {question})').helpGroup('LLM options:'))
        .addOption(new Option('-q, --quiet', 'print the answer alone (no sources)').helpGroup(OUTPUT))
        .addOption(new Option('--no-server', 'do not use a running `rag serve`: load Milvus and the model in this process').helpGroup(OUTPUT));
    examples(common(askCmd), [
        'rag ask "How is data stored in Milvus?"               # the answer, then its sources',
        'rag ask --no-llm -k 5 "What is a partition?"         # the 5 best chunks, no LLM',
        'rag ask -q "What is Milvus?" | wc -w                 # the answer alone, for scripts',
        'rag ask --json --search bm25 "error code 65535"      # one JSON object: answer, sources, timings',
    ]).action(action(async (question, flags) => (await import('./ask.js')).runAsk(question, flags)));
    const evalCmd = program
        .command('eval')
        .description('measure retrieval on a JSON Lines question set: hit@1, hit@k, MRR; gate CI with thresholds')
        .argument('<questions>', 'JSON Lines file: {"question": "...", "expect": ["..."]} per line');
    settingOptions(evalCmd, ['Retrieval', 'Embedding model', 'Milvus'])
        .addOption(new Option('--cutoff <n>', 'the k of hit@k and MRR@k (default: --top-k, 3)').helpGroup('Retrieval options:'))
        .addOption(new Option('--k <n>', 'old name of --cutoff').hideHelp().helpGroup('Retrieval options:'))
        .addOption(new Option('--min-hit <ratio>', 'fail (exit 1) when hit@k is below this (0..1; checked for every mode compared)').helpGroup('Retrieval options:'))
        .addOption(new Option('--min-hit1 <ratio>', 'fail (exit 1) when hit@1 is below this (0..1)').helpGroup('Retrieval options:'))
        .addOption(new Option('--min-mrr <ratio>', 'fail (exit 1) when MRR@k is below this (0..1)').helpGroup('Retrieval options:'))
        .addOption(new Option('--compare <modes>', `run each mode and show them side by side, e.g. ${SEARCH_MODES.join(',')} (instead of --search)`).helpGroup('Retrieval options:'))
        .addOption(new Option('--junit <file>', 'also write a JUnit XML report (one test case per threshold)').helpGroup(OUTPUT))
        .addOption(new Option('--no-server', 'do not use a running `rag serve`: load Milvus and the model in this process').helpGroup(OUTPUT));
    examples(common(evalCmd), [
        'rag eval questions.jsonl                                   # hit@1, hit@3, MRR@3 and the misses',
        `rag eval questions.jsonl --compare ${SEARCH_MODES.join(',')}          # the modes side by side`,
        'rag eval questions.jsonl --cutoff 5 --min-hit 0.9          # CI gate: exit 1 when hit@5 < 0.9',
        'rag eval questions.jsonl --junit reports/retrieval.xml     # a JUnit report for CI',
    ]).action(action(async (file, flags) => (await import('./eval.js')).runEval(file, flags)));
    const serveCmd = program
        .command('serve')
        .description('keep Milvus (Lite) and the embedding model loaded for fast `rag ask` / `rag eval` on one Milvus target')
        .option('--detach', 'start in the background and print where it listens')
        .option('--stop', 'stop the server of this Milvus target')
        .option('--status', 'show the server of this Milvus target (exit 1 when none runs)')
        .option('--idle <minutes>', 'exit after this many minutes without a request (0 = never) [default 30]');
    common(settingOptions(serveCmd, ['Embedding model', 'Milvus'])).action(action(async (flags) => (await import('./serve.js')).runServe(flags)));
    const mcpCmd = program
        .command('mcp')
        .description('Model Context Protocol server over stdio: tools search, ask and status for AI agents');
    common(settingOptions(mcpCmd, ['Retrieval', 'Embedding model', 'Milvus', 'LLM'])).action(action(async (flags) => (await import('./mcp.js')).runMcp(flags)));
    const configCmd = program
        .command('config')
        .description('print the effective settings (secrets masked) and where each comes from');
    settingOptions(configCmd, ['Retrieval', 'Embedding model', 'Milvus', 'LLM']).addOption(new Option('--check', 'also check that Milvus, the embedding model and the LLM endpoint answer').helpGroup(OUTPUT));
    examples(common(configCmd), [
        'rag config                          # every setting, its value and where it comes from',
        'rag config --check                  # also: does Milvus answer, does the model load, does the LLM answer?',
        'rag config --json --milvus-uri http://localhost:19530',
    ]).action(action(async (flags) => (await import('./config.js')).runConfig(flags)));
    for (const cmd of program.commands) {
        cmd
            .exitOverride()
            .showSuggestionAfterError(true)
            .configureOutput({
            outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')} (hint: see rag ${cmd.name()} --help)\n`),
        });
    }
    return program;
}
/** The one error line says the root cause: the signal that stopped rag, or the embedded Milvus Lite that died. */
function explain(err, sig) {
    if (!(err instanceof RagError))
        return err;
    if (sig && /^interrupted\b/.test(err.message)) {
        return new RagError(err.message.replace(/^interrupted/, `interrupted by ${sig}`), {
            hint: err.hint,
            exitCode: err.exitCode,
            cause: err,
        });
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
export async function main(argv) {
    verbose = argv.includes('--verbose');
    try {
        await buildProgram().parseAsync(argv);
        return exitCode;
    }
    catch (err) {
        if (err instanceof CommanderError) {
            if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
                return 0;
            return EXIT_USAGE;
        }
        const sig = caughtSignal();
        const code = reportError(explain(err, sig), verbose);
        return sig ? (sig === 'SIGINT' ? 130 : 143) : code;
    }
}
// A reader that stops early (`rag ask … --json | head -1`) is not a failure: stop quietly, without a stack trace.
process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE')
        process.stderr.write(`error: cannot write the output: ${err.message} (hint: check where stdout goes)\n`);
    process.exit(err.code === 'EPIPE' ? 0 : 1);
});
process.exitCode = await main(process.argv);
//# sourceMappingURL=main.js.map