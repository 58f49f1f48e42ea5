// `rag eval QUESTIONS.jsonl`: retrieval metrics per search mode (table, --json, --junit) and CI thresholds (exit 1).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_MODES } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import { displayPath, retrievalOptions } from '../core/retrieve.js';
import { checkThresholds, chunkTitle, describeCheck, evaluate, isRelevant, junitXml, parseQuestions, } from '../core/eval.js';
import { lifecycle, loadConfig, openRetriever } from './runtime.js';
import { json, out, progressBars, roundTimings } from './render.js';
function ratio(flag, raw) {
    if (raw === undefined)
        return undefined;
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        throw usageError(`${flag} must be a number from 0 to 1, got "${raw}"`, `e.g. ${flag} 0.8`);
    }
    return n;
}
function wholeNumber(flag, raw) {
    if (raw === undefined)
        return undefined;
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isInteger(n) || n < 1)
        throw usageError(`${flag} must be a whole number ≥ 1, got "${raw}"`);
    return n;
}
export function parseCompare(raw) {
    if (raw === undefined)
        return undefined;
    const modes = [];
    for (const part of raw.split(',')) {
        const m = part.trim();
        if (!SEARCH_MODES.includes(m)) {
            throw usageError(`--compare takes search modes separated by commas (${SEARCH_MODES.join(', ')}), got "${raw}"`, 'e.g. --compare dense,bm25,hybrid');
        }
        if (!modes.includes(m))
            modes.push(m);
    }
    return modes;
}
function readQuestions(file) {
    let text;
    try {
        text = readFileSync(file, 'utf8');
    }
    catch (e) {
        const code = e.code;
        if (code === 'ENOENT')
            throw usageError(`the questions file ${file} does not exist`, 'check the path; the file is JSON Lines, one {"question": …, "expect": […]} a line');
        if (code === 'EISDIR')
            throw usageError(`${file} is a folder, not a questions file`, 'give a JSON Lines file');
        throw usageError(`cannot read the questions file ${file}: ${code ?? e.message}`, 'check its permissions');
    }
    return parseQuestions(text, file);
}
function checkJunitPath(file) {
    if (file === undefined)
        return;
    const dir = path.dirname(path.resolve(file));
    if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw usageError(`--junit ${file}: folder ${dir} does not exist`, 'create the folder first');
}
/** Seconds rounded to ms, for --json. */
const round = (s) => Math.round(s * 1000) / 1000;
const ms = (s) => (s * 1000).toFixed(1);
const ratioText = (r) => r.toFixed(3);
/** The side-by-side table (one column per mode), then the misses of each mode and the thresholds. */
export function renderReport(file, header, reports, checks) {
    const first = reports[0];
    if (!first)
        return '';
    const k = first.metrics.k;
    const width = Math.max(8, ...reports.map((r) => r.mode.length + 2));
    const row = (label, cells) => label.padEnd(12) + cells.map((c) => c.padStart(width)).join('');
    const lines = [
        `${file}: ${first.metrics.questions} questions, ${header}, k=${k}`,
        '',
        row('', reports.map((r) => r.mode)),
        row('hit@1', reports.map((r) => ratioText(r.metrics.hit1))),
        row(`hit@${k}`, reports.map((r) => ratioText(r.metrics.hitK))),
        row(`MRR@${k}`, reports.map((r) => ratioText(r.metrics.mrr))),
        row('search ms', reports.map((r) => ms(r.metrics.search))),
        row('embed ms', reports.map((r) => ms(r.metrics.embed))),
        row('misses', reports.map((r) => String(r.metrics.misses))),
    ];
    for (const r of reports) {
        const misses = r.results.filter((q) => q.rank === null);
        if (misses.length === 0)
            continue;
        lines.push('', `missed by ${r.mode} (${misses.length}):`);
        for (const q of misses) {
            lines.push(`  line ${q.line}: ${q.question}`);
            lines.push(`    expected: ${q.expect.map((e) => JSON.stringify(e)).join(' or ')}`);
            const got = q.hits.slice(0, k);
            if (got.length === 0)
                lines.push('    got: nothing');
            got.forEach((h, i) => lines.push(`    ${i === 0 ? 'got:' : '    '} [${i + 1}] ${displayPath(h.source, process.cwd())} #${h.position}  ${h.score.toFixed(4)}  ${chunkTitle(h.text)}`));
        }
    }
    if (checks.length > 0) {
        lines.push('', 'thresholds:');
        for (const c of checks)
            lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${describeCheck(c)}`);
    }
    return lines.join('\n');
}
function jsonReport(file, base, reports, thresholds, checks) {
    return {
        file,
        ...base,
        modes: reports.map((r) => ({
            mode: r.mode,
            ...r.metrics,
            embed: round(r.metrics.embed),
            search: round(r.metrics.search),
            results: r.results.map((q) => ({
                line: q.line,
                question: q.question,
                expect: q.expect,
                rank: q.rank,
                sources: q.hits.map((h) => ({
                    file: displayPath(h.source, process.cwd()),
                    position: h.position,
                    ...(h.positions ? { positions: h.positions } : {}),
                    score: h.score,
                    relevant: isRelevant(h.text, q.expect),
                    title: chunkTitle(h.text),
                })),
                timings: roundTimings({ embed: q.embed, search: q.search }),
            })),
        })),
        thresholds,
        checks,
        passed: checks.every((c) => c.passed),
    };
}
/** The cut-off: --cutoff, or its old name --k (not both). */
function cutoff(flags) {
    if (flags.cutoff !== undefined && flags.k !== undefined)
        throw usageError('give --cutoff or its old name --k, not both');
    return flags.cutoff !== undefined ? wholeNumber('--cutoff', flags.cutoff) : wholeNumber('--k', flags.k);
}
export async function runEval(file, flags) {
    const kFlag = cutoff(flags);
    const thresholds = {
        minHit: ratio('--min-hit', flags.minHit),
        minHit1: ratio('--min-hit1', flags.minHit1),
        minMrr: ratio('--min-mrr', flags.minMrr),
    };
    const compare = parseCompare(flags.compare);
    checkJunitPath(flags.junit);
    const questions = readQuestions(file);
    const resolved = loadConfig(flags);
    const { config } = resolved;
    if (compare && resolved.sources.search.from === 'flag')
        throw usageError('give either --search or --compare, not both', `--compare ${SEARCH_MODES.join(',')} runs each mode`);
    const k = kFlag ?? config.topK;
    const t0 = performance.now();
    const life = lifecycle();
    const bars = await progressBars(!flags.json);
    try {
        // Milvus Lite starts while the model loads, as in `rag ask`; a running `rag serve` is used unless --no-server.
        const { store, embedder, modes, path: via, } = await openRetriever(resolved, life, { compare, useServer: flags.server !== false });
        const reports = await evaluate(questions, modes, {
            store,
            embedder,
            collection: config.collection,
            ...retrievalOptions(config),
            // Retrieve what `rag ask --top-k` would, and at least k.
            topK: Math.max(k, config.topK),
            k,
            signal: life.signal,
            onProgress: (done, total) => bars.update('eval', done, total),
        });
        bars.stop();
        const checks = checkThresholds(reports, thresholds);
        if (flags.junit) {
            try {
                writeFileSync(flags.junit, junitXml(reports, { file, checks }));
            }
            catch (e) {
                throw new RagError(`cannot write the JUnit report ${flags.junit}: ${e.code ?? e.message}`, { hint: 'check the path and its permissions' });
            }
        }
        const base = {
            path: via,
            collection: config.collection,
            model: embedder.info.model,
            questions: questions.length,
            k,
            topK: Math.max(k, config.topK),
            rrfK: config.rrfK,
            seconds: round((performance.now() - t0) / 1000),
        };
        if (flags.json)
            json(jsonReport(file, base, reports, thresholds, checks));
        else
            out(renderReport(file, `collection "${config.collection}" (${embedder.info.model})`, reports, checks));
        const failed = checks.filter((c) => !c.passed);
        if (failed.length > 0) {
            throw new RagError(`retrieval below threshold: ${failed.map(describeCheck).join('; ')}`, {
                hint: 'the report on stdout lists the questions that missed',
            });
        }
        return 0;
    }
    finally {
        bars.stop();
        await life.close();
    }
}
//# sourceMappingURL=eval.js.map