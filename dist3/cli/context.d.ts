import { type Resolved } from '../core/config.js';
import type { Embedder, VectorStore } from '../core/types.js';
export declare const PACKAGE_ROOT: string;
export interface Lifecycle {
    signal: AbortSignal;
    /** Name of the signal that interrupted the command, if any. */
    interruptedBy(): NodeJS.Signals | undefined;
    defer(fn: () => Promise<void>): void;
    close(): Promise<void>;
}
/** How an embedded Milvus Lite started by this process ended, if it ended on its own (killed, crashed). */
export declare function lostMilvusLite(): string | undefined;
/** The signal that interrupted this process, if any (exit code 130 for SIGINT, 143 for SIGTERM). */
export declare function caughtSignal(): NodeJS.Signals | undefined;
/** Ctrl-C / SIGTERM abort the command gracefully; a second one stops at once (cleanup still runs on exit). */
export declare function lifecycle(): Lifecycle;
/** Flags over environment over ./.env over defaults. */
export declare function loadConfig(flags: Record<string, unknown>, cwd?: string): Resolved;
export interface StoreTimings {
    /** Seconds spent starting Milvus Lite (0 for a server). */
    milvusStart: number;
}
/** Connects to the Milvus server, or starts Milvus Lite on the data folder; closes both with the lifecycle. */
export declare function openStore(resolved: Resolved, life: Lifecycle, timings?: StoreTimings): Promise<VectorStore>;
export declare function openEmbedder(resolved: Resolved, life: Lifecycle, onDownload?: (e: {
    file: string;
    loaded: number;
    total: number;
}) => void): Promise<Embedder>;
