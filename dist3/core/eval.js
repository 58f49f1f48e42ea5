// Retrieval evaluation (no I/O): parse a JSON Lines question set, run retrieve() per question and mode, metrics, thresholds, JUnit XML.
import { retrieve } from './retrieve.js';
import { RagError, usageError } from './errors.js';
export const FORMAT_HINT = 'one JSON object a line: {"question": "...", "expect": ["text that a relevant chunk contains", ...]}';
/** Parses JSON Lines; blank lines are skipped; any malformed line is a usage error (exit 2) naming its line number. */
export function parseQuestions(text, file) {
    const lines = text.replace(/^\uFEFF/, '').split('\n');
    const questions = [];
    lines.forEach((raw, i) => {
        const line = i + 1;
        const src = raw.replace(/\r$/, '');
        if (src.trim() === '')
            return;
        const bad = (what) => usageError(`${file} line ${line}: ${what}`, FORMAT_HINT);
        let value;
        try {
            value = JSON.parse(src);
        }
        catch (e) {
            throw bad(`not valid JSON (${e.message.split('\n')[0]})`);
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value))
            throw bad('expected a JSON object');
        const obj = value;
        if (typeof obj.question !== 'string' || obj.question.trim() === '')
            throw bad('"question" must be a non-empty string');
        const expect = obj.expect;
        if (!Array.isArray(expect) || expect.length === 0)
            throw bad('"expect" must be a non-empty list of strings');
        if (!expect.every((s) => typeof s === 'string' && s !== '')) {
            throw bad('every "expect" entry must be a non-empty string (an empty one would match every chunk)');
        }
        questions.push({ line, question: obj.question.trim(), expect });
    });
    if (questions.length === 0)
        throw usageError(`${file} has no questions`, FORMAT_HINT);
    return questions;
}
/** True when the chunk text contains any of the expected strings. */
export function isRelevant(text, expect) {
    return expect.some((e) => text.includes(e));
}
/** 1-based rank of the first relevant hit among the first k, or null. */
export function relevantRank(hits, expect, k) {
    const n = Math.min(k, hits.length);
    for (let i = 0; i < n; i++) {
        if (isRelevant(hits[i]?.text ?? '', expect))
            return i + 1;
    }
    return null;
}
function mean(values) {
    return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
export function summarize(results, k) {
    const n = results.length;
    return {
        questions: n,
        k,
        hit1: n === 0 ? 0 : results.filter((r) => r.rank === 1).length / n,
        hitK: n === 0 ? 0 : results.filter((r) => r.rank !== null && r.rank <= k).length / n,
        mrr: mean(results.map((r) => (r.rank !== null && r.rank <= k ? 1 / r.rank : 0))),
        misses: results.filter((r) => r.rank === null || r.rank > k).length,
        embed: mean(results.map((r) => r.embed)),
        search: mean(results.map((r) => r.search)),
    };
}
/**
 * Runs every question in every mode through retrieve(), the code path of `rag ask`.
 * One untimed warm-up query per mode first; the modes take turns per question so that none is favoured by drift.
 */
export async function evaluate(questions, modes, opts) {
    if (opts.k > opts.topK)
        throw new RagError(`k (${opts.k}) is larger than the chunks retrieved (${opts.topK})`);
    const check = () => {
        if (opts.signal?.aborted)
            throw new RagError('interrupted: no report written', { hint: 'run the same command again' });
    };
    const results = new Map(modes.map((m) => [m, []]));
    const first = questions[0];
    if (first) {
        for (const mode of modes)
            await retrieve(first.question, { ...opts, mode });
    }
    const total = questions.length * modes.length;
    let done = 0;
    for (const [i, q] of questions.entries()) {
        for (let j = 0; j < modes.length; j++) {
            check();
            const mode = modes[(i + j) % modes.length];
            const r = await retrieve(q.question, { ...opts, mode });
            results.get(mode)?.push({
                line: q.line,
                question: q.question,
                expect: q.expect,
                rank: relevantRank(r.hits, q.expect, opts.k),
                hits: r.hits,
                embed: r.embed,
                search: r.search,
            });
            opts.onProgress?.(++done, total);
        }
    }
    return modes.map((mode) => {
        const rs = results.get(mode) ?? [];
        return { mode, metrics: summarize(rs, opts.k), results: rs };
    });
}
/** Ratios are compared with a tiny tolerance so that e.g. a sum of reciprocal ranks exactly at the threshold passes. */
const EPSILON = 1e-9;
/** Every given threshold, checked for every mode. */
export function checkThresholds(reports, t) {
    const checks = [];
    for (const r of reports) {
        const m = r.metrics;
        const add = (metric, flag, min, value) => {
            if (min !== undefined)
                checks.push({ mode: r.mode, metric, flag, min, value, passed: value >= min - EPSILON });
        };
        add('hit@1', '--min-hit1', t.minHit1, m.hit1);
        add(`hit@${m.k}`, '--min-hit', t.minHit, m.hitK);
        add(`MRR@${m.k}`, '--min-mrr', t.minMrr, m.mrr);
    }
    return checks;
}
/** "hit@3 0.650 < --min-hit 0.9 (dense)" */
export function describeCheck(c) {
    return `${c.metric} ${c.value.toFixed(3)} ${c.passed ? '≥' : '<'} ${c.flag} ${c.min} (${c.mode})`;
}
/** First non-empty line of a chunk, without Markdown heading marks, at most max characters. */
export function chunkTitle(text, max = 70) {
    const line = text
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .find((l) => l !== '') ?? '';
    const title = line.replace(/^#+\s*/, '');
    return title.length > max ? `${title.slice(0, max - 1)}…` : title;
}
// XML 1.0 allows only these characters, even escaped; anything else (control characters, lone surrogates) becomes U+FFFD.
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/** Escapes text for XML content and attribute values (quotes and line breaks too, so attributes keep them). */
export function xmlEscape(value) {
    return value
        .replace(XML_INVALID, '\uFFFD')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;')
        .replace(/\t/g, '&#9;')
        .replace(/\n/g, '&#10;')
        .replace(/\r/g, '&#13;');
}
/** Text content: line breaks kept as they are. */
function xmlText(value) {
    return xmlEscape(value).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}
function attrs(values) {
    return Object.entries(values)
        .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
        .join('');
}
function seconds(s) {
    return s.toFixed(6);
}
/**
 * JUnit XML, mapped so that a CI reporter shows red exactly when the gate fails (exit 1): one test suite per mode,
 * one test case per threshold (a failure when it does not hold; a single passing "evaluated" case when no threshold
 * is given). Metrics are the suite's properties; the missed questions are listed in its system-out, not as failures.
 */
export function junitXml(reports, opts) {
    const suites = [];
    let tests = 0;
    let failures = 0;
    let time = 0;
    for (const r of reports) {
        const k = r.metrics.k;
        const checks = opts.checks.filter((c) => c.mode === r.mode);
        const suiteFailures = checks.filter((c) => !c.passed).length;
        const suiteTests = Math.max(1, checks.length);
        const suiteTime = r.results.reduce((a, q) => a + q.embed + q.search, 0);
        tests += suiteTests;
        failures += suiteFailures;
        time += suiteTime;
        const lines = [];
        lines.push(`  <testsuite${attrs({ name: `rag eval ${r.mode}`, tests: suiteTests, failures: suiteFailures, errors: 0, skipped: 0, time: seconds(suiteTime) })}>`);
        lines.push('    <properties>');
        const props = {
            file: opts.file,
            search: r.mode,
            k: String(k),
            questions: String(r.metrics.questions),
            'hit@1': r.metrics.hit1.toFixed(4),
            [`hit@${k}`]: r.metrics.hitK.toFixed(4),
            [`MRR@${k}`]: r.metrics.mrr.toFixed(4),
            misses: String(r.metrics.misses),
            'mean search seconds': seconds(r.metrics.search),
            'mean embed seconds': seconds(r.metrics.embed),
        };
        for (const [name, value] of Object.entries(props))
            lines.push(`      <property${attrs({ name, value })}/>`);
        lines.push('    </properties>');
        const classname = `rag.eval.${r.mode}`;
        if (checks.length === 0) {
            lines.push(`    <testcase${attrs({ classname, name: `evaluated ${r.metrics.questions} questions (no threshold given)`, time: seconds(suiteTime) })}/>`);
        }
        for (const c of checks) {
            const head = `    <testcase${attrs({ classname, name: `threshold ${c.flag} ${c.min}: ${c.metric}`, time: seconds(0) })}`;
            if (c.passed)
                lines.push(`${head}/>`);
            else
                lines.push(`${head}>\n      <failure${attrs({ type: 'threshold', message: describeCheck(c) })}/>\n    </testcase>`);
        }
        const misses = r.results.filter((q) => q.rank === null);
        const report = misses.map((q) => {
            const got = q.hits
                .slice(0, k)
                .map((h, i) => `    [${i + 1}] ${h.source} #${h.position} score ${h.score.toFixed(4)}: ${chunkTitle(h.text)}`);
            return [
                `line ${q.line}: ${q.question}`,
                `  expected a chunk containing any of: ${q.expect.map((e) => JSON.stringify(e)).join(', ')}`,
                '  retrieved instead:',
                ...(got.length ? got : ['    (nothing)']),
            ].join('\n');
        });
        lines.push(`    <system-out>${xmlText([`${misses.length} of ${r.results.length} questions missed (no relevant chunk in the top ${k})`, ...report].join('\n'))}</system-out>`);
        lines.push('  </testsuite>');
        suites.push(lines.join('\n'));
    }
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites${attrs({ name: `rag eval ${opts.file}`, tests, failures, errors: 0, time: seconds(time) })}>`,
        ...suites,
        '</testsuites>',
        '',
    ].join('\n');
}
//# sourceMappingURL=eval.js.map