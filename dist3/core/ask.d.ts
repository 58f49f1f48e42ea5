import type { ChatModel, ChatUsage, CollectionMeta, Embedder, EmbedderInfo, SearchHit, SearchMode, VectorStore } from './types.js';
export declare const DEFAULT_CANDIDATES = 20;
export interface RetrieveOptions {
    store: VectorStore;
    embedder: Embedder;
    collection: string;
    topK: number;
    mode: SearchMode;
    rrfK: number;
    /** Candidates each search contributes (to the fusion, and to collapsing identical texts); default 20. */
    candidates?: number | undefined;
    /** Hybrid: weights of the dense and the BM25 list in the fusion (default 1 and 1). */
    weights?: readonly [number, number] | undefined;
    /** Identical texts take one slot, with the other places in `alsoIn` (default true). */
    collapse?: boolean | undefined;
    /** Leave out front-matter chunks (default false). */
    skipFront?: boolean | undefined;
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
