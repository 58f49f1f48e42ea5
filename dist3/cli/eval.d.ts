import { type SettingFlags } from '../core/config.js';
import { type ModeReport, type ThresholdCheck } from '../core/eval.js';
import type { SearchMode } from '../core/types.js';
import type { CommonFlags } from './main.js';
export interface EvalFlags extends CommonFlags, SettingFlags {
    /** false with --no-server. */
    server?: boolean;
    cutoff?: string;
    /** The old name of --cutoff, still accepted. */
    k?: string;
    minHit?: string;
    minHit1?: string;
    minMrr?: string;
    compare?: string;
    junit?: string;
}
export declare function parseCompare(raw: string | undefined): SearchMode[] | undefined;
/** The side-by-side table (one column per mode), then the misses of each mode and the thresholds. */
export declare function renderReport(file: string, header: string, reports: readonly ModeReport[], checks: readonly ThresholdCheck[]): string;
export declare function runEval(file: string, flags: EvalFlags): Promise<number>;
