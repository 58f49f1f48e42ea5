import { type Splitter } from './chunk.js';
import { type Discovery } from './discover.js';
import { type SplitMode } from './sections.js';
import { type Embedder, type SplitCache, type VectorStore } from './types.js';
/** Batches embedded per window (memory: WINDOW_BATCHES × batch size chunks and their vectors). */
export declare const WINDOW_BATCHES = 8;
export interface IngestOptions {
    paths: string[];
    cwd: string;
    /** The files of `paths`, when already looked up (so that bad paths fail before Milvus starts). */
    found?: Discovery;
    collection: string;
    recreate: boolean;
    /** Most chunks per embedding pass and per upsert. */
    batchSize: number;
    splitter: Splitter;
    split: SplitMode;
    embedder: Embedder;
    store: VectorStore;
    /** Absolute path of a local model folder, recorded with a new collection. */
    modelPath?: string | undefined;
    /** What splitting each file gave in earlier runs: an unchanged file whose chunks are all stored is not read again. */
    splitCache?: SplitCache | undefined;
    onProgress?: (event: IngestEvent) => void;
    signal?: AbortSignal;
}
export type IngestEvent = {
    kind: 'scan';
    files: number;
    done: number;
} | {
    kind: 'embedded';
    done: number;
    total: number;
} | {
    kind: 'stored';
    done: number;
    total: number;
} | {
    kind: 'warning';
    message: string;
};
export interface SkippedFile {
    source: string;
    reason: string;
}
export interface IngestSummary {
    collection: string;
    model: string;
    dim: number;
    split: string;
    /** Files read and stored. */
    files: number;
    /** Of them, files read and split in this run; the others were known unchanged by their bytes and stored chunk ids. */
    read: number;
    skipped: SkippedFile[];
    /** Chunks of the files, stored after this run. */
    chunks: number;
    /** Chunks written by this run (new or changed). */
    added: number;
    /** Of the added chunks, those whose vector was reused (an identical text already embedded) instead of computed. */
    reused: number;
    /** Chunks already stored, neither embedded nor written. */
    unchanged: number;
    /** Chunks removed: their file changed or disappeared. */
    removed: number;
    /** Chunks that are parts of pieces longer than the model's window. */
    parts: number;
    /** Chunks longer than the model's window, embedded from their beginning only (0 unless a text cannot be split). */
    truncated: number;
    /** Chunks that were cut out of a piece longer than Milvus's VARCHAR limit. */
    cut: number;
    /** Tokens the model embedded in this run (reused and unchanged chunks count none). */
    tokens: number;
    /** Seconds spent in the model (tokenising and inference), the rest of `seconds` is planning, reading and storing. */
    embedSeconds: number;
    /** Rows in the collection at the end. */
    total: number;
    recreated: boolean;
    bm25: boolean;
    seconds: number;
}
export declare function ingest(opts: IngestOptions): Promise<IngestSummary>;
