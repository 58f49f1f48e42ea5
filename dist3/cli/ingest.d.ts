import type { SettingFlags } from '../core/config.js';
import { type IngestSummary } from '../core/ingest.js';
import type { CommonFlags } from './main.js';
export interface IngestFlags extends CommonFlags, SettingFlags {
    recreate?: boolean;
    progress?: boolean;
}
export declare function summaryLine(s: IngestSummary): string;
export declare function runIngest(paths: string[], flags: IngestFlags): Promise<number>;
