import { type RetrieveOptions } from './retrieve.js';
import type { SearchHit, SearchMode } from './types.js';
export interface EvalQuestion {
    /** 1-based line number in the question file. */
    line: number;
    question: string;
    /** A retrieved chunk is relevant when its text contains any of these strings (case-sensitive). */
    expect: string[];
}
export declare const FORMAT_HINT = "one JSON object a line: {\"question\": \"...\", \"expect\": [\"text that a relevant chunk contains\", ...]}";
/** Parses JSON Lines; blank lines are skipped; any malformed line is a usage error (exit 2) naming its line number. */
export declare function parseQuestions(text: string, file: string): EvalQuestion[];
/** True when the chunk text contains any of the expected strings. */
export declare function isRelevant(text: string, expect: readonly string[]): boolean;
/** 1-based rank of the first relevant hit among the first k, or null. */
export declare function relevantRank(hits: readonly {
    text: string;
}[], expect: readonly string[], k: number): number | null;
export interface QuestionResult {
    line: number;
    question: string;
    expect: string[];
    /** Rank of the first relevant chunk within k, null for a miss. */
    rank: number | null;
    hits: SearchHit[];
    /** Seconds. */
    embed: number;
    search: number;
}
export interface Metrics {
    questions: number;
    k: number;
    /** Share of questions with a relevant chunk first. */
    hit1: number;
    /** Share of questions with a relevant chunk among the first k. */
    hitK: number;
    /** Mean reciprocal rank of the first relevant chunk within k (0 for a miss). */
    mrr: number;
    misses: number;
    /** Mean seconds per question. */
    embed: number;
    search: number;
}
export interface ModeReport {
    mode: SearchMode;
    metrics: Metrics;
    results: QuestionResult[];
}
export declare function summarize(results: readonly QuestionResult[], k: number): Metrics;
export interface EvaluateOptions extends Omit<RetrieveOptions, 'mode'> {
    /** Cut-off for hit@k and MRR@k; at most topK (the chunks retrieved per question). */
    k: number;
    signal?: AbortSignal | undefined;
    onProgress?: ((done: number, total: number) => void) | undefined;
}
/**
 * Runs every question in every mode through retrieve(), the code path of `rag ask`.
 * One untimed warm-up query per mode first; the modes take turns per question so that none is favoured by drift.
 */
export declare function evaluate(questions: readonly EvalQuestion[], modes: readonly SearchMode[], opts: EvaluateOptions): Promise<ModeReport[]>;
export interface Thresholds {
    /** Minimum hit@k. */
    minHit?: number | undefined;
    minHit1?: number | undefined;
    /** Minimum MRR@k. */
    minMrr?: number | undefined;
}
export interface ThresholdCheck {
    mode: SearchMode;
    /** e.g. "hit@3". */
    metric: string;
    flag: '--min-hit' | '--min-hit1' | '--min-mrr';
    min: number;
    value: number;
    passed: boolean;
}
/** Every given threshold, checked for every mode. */
export declare function checkThresholds(reports: readonly ModeReport[], t: Thresholds): ThresholdCheck[];
/** "hit@3 0.650 < --min-hit 0.9 (dense)" */
export declare function describeCheck(c: ThresholdCheck): string;
/** First non-empty line of a chunk, without Markdown heading marks, at most max characters. */
export declare function chunkTitle(text: string, max?: number): string;
/** Escapes text for XML content and attribute values (quotes and line breaks too, so attributes keep them). */
export declare function xmlEscape(value: string): string;
export interface JunitOptions {
    /** The question file, shown as the suites' name. */
    file: string;
    checks: readonly ThresholdCheck[];
}
/**
 * JUnit XML, mapped so that a CI reporter shows red exactly when the gate fails (exit 1): one test suite per mode,
 * one test case per threshold (a failure when it does not hold; a single passing "evaluated" case when no threshold
 * is given). Metrics are the suite's properties; the missed questions are listed in its system-out, not as failures.
 */
export declare function junitXml(reports: readonly ModeReport[], opts: JunitOptions): string;
