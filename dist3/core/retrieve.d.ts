import type { ChatModel, ChatUsage, CollectionMeta, Embedder, EmbedderInfo, SearchHit, SearchMode, VectorStore } from './types.js';
export interface RetrieveOptions {
    store: VectorStore;
    embedder: Embedder;
    collection: string;
    topK: number;
    mode: SearchMode;
    rrfK: number;
    /** Candidates each search contributes (to the fusion, and to collapsing identical texts): the candidates setting. */
    candidates: number;
    /** Hybrid: weights of the dense and the BM25 list in the fusion (default 1 and 1). */
    weights?: readonly [number, number] | undefined;
    /** Identical texts take one slot, with the other places in `alsoIn` (default true). */
    collapse?: boolean | undefined;
    /** Hybrid with collapse: fuse identical texts as one, at their best rank in each list, so copies take no ranks (default true). */
    collapseLists?: boolean | undefined;
    /** Leave out front-matter chunks (default false). */
    skipFront?: boolean | undefined;
    /** A hit on a part of a split piece returns the whole piece (small-to-big), its parts taking one slot (default false). */
    wholePieces?: boolean | undefined;
    /**
     * A file takes one slot, holding up to this many of its best-ranked pieces in document order (small-to-big by file);
     * 0 or absent: each piece takes its own slot.
     */
    perFile?: number | undefined;
    /** With perFile: most characters of one slot's pieces; the file's best piece always goes in (default 4,000). */
    slotChars?: number | undefined;
}
export interface Retrieval {
    hits: SearchHit[];
    /** Seconds. */
    embed: number;
    search: number;
}
/** The collection's metadata; a clear error when it is missing, empty or built by another model. */
export declare function openCollection(store: VectorStore, collection: string): Promise<CollectionMeta>;
export declare function checkModel(meta: CollectionMeta, info: EmbedderInfo, collection: string): void;
/** The mode to search with: the chosen one, but dense when the mode is only the default and the collection has no BM25 field. */
export declare function searchModeFor(meta: CollectionMeta, mode: SearchMode, chosen: boolean): SearchMode;
export declare function checkMode(meta: CollectionMeta, mode: SearchMode, collection: string): void;
/** Embed the question with the query side of the model and search; exactly what ask and eval share. */
export declare function retrieve(question: string, opts: RetrieveOptions): Promise<Retrieval>;
/**
 * The retrieval options of a configuration, as ask, eval and the MCP server use them: identical texts collapsed, split
 * pieces returned whole, BM25 weighted against the dense list in hybrid fusion, and the best pieces of a file sharing
 * one slot (chosen by measurement, README).
 */
export declare function retrievalOptions(c: {
    topK: number;
    rrfK: number;
    candidates: number;
    bm25Weight: number;
    perFile: number;
    slotChars: number;
}): Pick<RetrieveOptions, 'topK' | 'rrfK' | 'candidates' | 'weights' | 'collapse' | 'wholePieces' | 'perFile' | 'slotChars'>;
export declare const DEFAULT_SLOT_CHARS = 4000;
/**
 * Ranked hits grouped by file, in the order of each file's best hit; a group keeps the file's first `perFile` hits. A
 * hit without a source (a collection not built by rag) is a group of its own.
 */
export declare function byFile(hits: readonly SearchHit[], perFile: number): SearchHit[][];
/**
 * One slot of a file's ranked pieces: the best first, then the next ones while the text stays within `maxChars`,
 * shown in document order and joined by a blank line. Score, id and position are the best piece's; `positions` lists
 * the pieces when there are several.
 */
export declare function slot(ranked: readonly SearchHit[], maxChars: number): SearchHit;
/** The best-ranked hit of each piece (source, position): the parts of one piece take one slot. */
export declare function onePerPiece(hits: readonly SearchHit[]): SearchHit[];
/**
 * Joins the parts of a split piece back into the piece: part 0 as stored, then each later part without the heading
 * line it repeats. Parts are given in any order.
 */
export declare function joinParts(parts: readonly {
    part: number;
    text: string;
}[]): string;
export interface AskOptions extends RetrieveOptions {
    question: string;
    /** null: retrieval only. */
    chat: ChatModel | null;
    systemPrompt?: string | undefined;
    userTemplate?: string | undefined;
    onToken?: ((piece: string) => void) | undefined;
    signal?: AbortSignal | undefined;
    /** Sources are shown relative to this folder (the working folder); absolute otherwise. */
    displayFrom?: string | undefined;
    /** Called once the chunks are retrieved, before the chat model: the store may be released here. */
    afterRetrieval?: (() => Promise<void>) | undefined;
}
export interface AskResult {
    question: string;
    answer: string | null;
    model: string | null;
    search: SearchMode;
    /** file: the source for display (relative to displayFrom); path: its canonical path. */
    sources: {
        text: string;
        score: number;
        file: string;
        path: string;
        position: number;
        part: number;
        /** The pieces this slot holds (document order), when it holds several of the file's. */
        positions?: number[];
        alsoIn?: string[];
    }[];
    timings: {
        embed: number;
        search: number;
        llm: number;
    };
    usage: ChatUsage | null;
}
/** A stored source for display: relative to `from` when given and the source is absolute. */
export declare function displayPath(source: string, from: string | undefined): string;
export declare function validateQuestion(question: string): string;
export declare function ask(opts: AskOptions): Promise<AskResult>;
