import { type Config, type Resolved, type SettingFlags } from '../core/config.js';
import { RagError } from '../core/errors.js';
import type { CollectionMeta, Embedder, SearchMode, VectorStore } from '../core/types.js';
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
/** A child of a lifecycle whose cleanups can run early (close()); otherwise they run with the parent's. */
export declare function scope(parent: Lifecycle): Lifecycle;
/** ./.env as name → value; a quote left open is an error naming its line (parseEnv would swallow what follows). */
export declare function readDotenv(file: string): Record<string, string>;
/** Flags over environment over ./.env over defaults; secrets are registered so that no output shows them. */
export declare function loadConfig(flags: SettingFlags, cwd?: string): Resolved;
/** The Python that runs Milvus Lite: RAG_PYTHON, else the project .venv, else python3. */
export declare function effectivePython(config: Config): string;
/** The model cache: --cache-dir / RAG_CACHE_DIR, else $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export declare function effectiveCacheDir(config: Config): Promise<string>;
export interface StoreOptions {
    /** ask, eval, config --check: never create a Milvus Lite data folder (a mistyped path is an error). */
    readOnly?: boolean;
    /** Filled with the seconds spent starting Milvus Lite (0 for a server). */
    timings?: {
        milvusStart: number;
    };
}
/** The error of a read-only command on a Milvus Lite folder that does not exist. */
export declare function noDataError(dataDir: string): RagError;
/** What a Milvus URI points at: the server's URI, or the Milvus Lite data folder as an absolute path. */
export declare function milvusTarget(uri: string): string;
/** Connects to the Milvus server, or starts Milvus Lite on the data folder; closes both with the lifecycle. */
export declare function openStore(resolved: Resolved, life: Lifecycle, opts?: StoreOptions): Promise<VectorStore>;
export declare function openEmbedder(resolved: Resolved, life: Lifecycle, onDownload?: (e: {
    file: string;
    loaded: number;
    total: number;
}) => void, lazy?: boolean): Promise<Embedder>;
/** The local model folder recorded at ingest, when it is still there: the same model, found without --model-path. */
export declare function recordedModelFolder(meta: CollectionMeta): string | undefined;
/** Loads the configured model, or the one that built the collection when none was chosen. */
export declare function embedderFor(resolved: Resolved, meta: CollectionMeta, life: Lifecycle, loading: Promise<Embedder>, open?: typeof openEmbedder): Promise<Embedder>;
/** Seconds of each start-up phase; they overlap (the model loads while Milvus starts), so they do not add up. */
export interface OpenTimings {
    milvusStart: number;
    /** Loading the Milvus SDK (when Milvus Lite was quicker) and building its client. */
    connect: number;
    modelLoad: number;
    /** describe, load, count. */
    collection: number;
}
export interface Retriever {
    store: VectorStore;
    embedder: Embedder;
    meta: CollectionMeta;
    /** The modes to search with: the chosen one(s), checked against the collection. */
    modes: SearchMode[];
    timings: OpenTimings;
    /** Which path runs: a warm `rag serve`, or everything in this process. */
    path: 'server' | 'in-process';
    /** Stops Milvus (and releases Milvus Lite's lock on the data folder) early, e.g. before a long LLM answer. */
    releaseStore(): Promise<void>;
}
export interface RetrieverOptions {
    /** Modes to compare (eval --compare); default: the configured mode. */
    compare?: SearchMode[] | undefined;
    /** Short progress messages ("loading model…"). */
    status?: ((message: string) => void) | undefined;
    /** Use a running `rag serve` for this target when there is one (default true; --no-server). */
    useServer?: boolean | undefined;
}
/**
 * What ask and eval share: start Milvus (Milvus Lite is a separate process) and load the model at the same time,
 * check the collection, pick the search mode(s) and the model that built the collection. Read-only: a missing
 * Milvus Lite folder is an error, not created.
 */
export declare function openRetriever(resolved: Resolved, life: Lifecycle, opts?: RetrieverOptions): Promise<Retriever>;
