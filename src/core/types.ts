// Shared types and the interfaces of the outside services (Embedder, VectorStore, ChatModel).

/** A piece of a source file (or a part of a long piece), before embedding. */
export interface Chunk {
  /** Primary key: int64 as a decimal string (JavaScript numbers hold only 53 bits). */
  id: string;
  /** Source file: its canonical path (absolute, links resolved, forward slashes). */
  source: string;
  /** 0-based index of the piece among the file's non-empty pieces. */
  position: number;
  /** 0-based index of the part when a piece longer than the model's window was split; 0 otherwise. */
  part: number;
  /** The text that goes into the prompt. */
  text: string;
  /** What is embedded and indexed for BM25: the text, with the page title and heading path before it in sections mode. */
  indexText: string;
  /** The piece is the file's front matter. */
  front: boolean;
  /** Hash of the embedding model's exact input (prefix + indexText): chunks with the same one share a vector. */
  key: string;
}

export interface StoredChunk extends Chunk {
  vector: number[];
}

export type SearchMode = 'dense' | 'bm25' | 'hybrid';

export interface SearchHit {
  id: string;
  source: string;
  position: number;
  part: number;
  text: string;
  /** Inner product for dense search, BM25 score for bm25, fused score for hybrid. */
  score: number;
  /** Other places (canonical sources) that hold the same text, when identical texts were collapsed. */
  alsoIn?: string[];
  /** Positions of the pieces in the text, in document order, when one slot holds several pieces of the file. */
  positions?: number[];
}

/** Version of the collection layout rag creates (fields, rag.meta); a collection with another one is refused. */
export const SCHEMA_VERSION = 2;

/** What built a collection; stored with it so that ask/eval can refuse a mismatch. */
export interface CollectionMeta {
  /** Schema version of rag's collections. */
  schema: number;
  model: string;
  dim: number;
  queryPrefix: string;
  docPrefix: string;
  /** The collection has a BM25 sparse field built by Milvus from the text. */
  bm25: boolean;
  /** How files were chunked (tutorial or sections); absent in collections of older versions. */
  split?: string;
  /** The parts of a split piece have consecutive ids (base + part), so they are found by primary key (chunk.ts). */
  partIds?: boolean;
  /** Absolute path of a local model folder (--model-path), so that ask can find it again. */
  modelPath?: string;
  /** Not built by rag (e.g. by the tutorial's pymilvus code: id, vector, text): read-only, dense-only, model unknown. */
  foreign?: boolean;
}

/** What the Milvus server can do, asked before a collection is created. */
export interface StoreFeatures {
  /** BM25 full-text search (sparse field + function): Milvus >= 2.5, Milvus Lite 3. */
  bm25: boolean;
  /** As the server reports it, e.g. v2.3.5, milvus_lite-3.2.2; "unknown" when it does not say. */
  version: string;
}

export interface EmbedderInfo {
  /** Model id (hub id) or local folder name. */
  model: string;
  dim: number;
  queryPrefix: string;
  docPrefix: string;
  pooling: 'mean' | 'cls';
  dtype: string;
  /** The model's window in tokens, special tokens included: sentence_bert_config's max_seq_length, else the tokenizer's. */
  maxTokens: number;
}

export interface DocEmbeddings {
  /** One vector per input text, in input order. */
  vectors: number[][];
  /** How many of the texts were longer than maxTokens and got truncated. */
  truncated: number;
  /** Indexes (into the input) of the truncated texts. */
  truncatedAt?: number[];
  /** Tokens fed to the model (after truncation). */
  tokens: number;
  /** Tokens the model computed, padding included. */
  padded?: number;
}

/** What splitting one file gave, remembered so that an unchanged file is not read and split again. */
export interface FileSplit {
  /** Ids of the file's chunks. */
  ids: string[];
  /** Of them, parts of pieces longer than the model's window. */
  parts: number;
  /** Of them, cut out of a piece longer than Milvus's text limit. */
  cut: number;
}

/**
 * Split results by a key of the file's path, bytes and split settings. Only a hint: ingest skips a file when the ids
 * remembered for its exact bytes are exactly the ids stored for it, so a lost, stale or foreign cache costs a re-split,
 * never a wrong plan.
 */
export interface SplitCache {
  get(key: string): FileSplit | undefined;
  set(key: string, split: FileSplit): void;
  /** Writes what was set (atomically); failing to write is not an error. */
  save(): Promise<void>;
}

export interface Embedder {
  readonly info: EmbedderInfo;
  /** Loads what counting tokens needs (the tokenizer) when it was left for later; countTokens and docTokenBudget need it. */
  prepare?(): Promise<void>;
  /** Tokens of a text, without the model's special tokens. */
  countTokens(text: string): number;
  /** Tokens of a document's own text that fit the model's window (prefix and special tokens taken off). */
  readonly docTokenBudget: number;
  embedDocs(texts: string[]): Promise<DocEmbeddings>;
  embedQuery(text: string): Promise<number[]>;
  close(): Promise<void>;
}

/** One ranked list from the store: a dense (vector) or a BM25 (text) search. */
export type ListQuery = { kind: 'dense'; vector: number[] } | { kind: 'bm25'; text: string };

export interface ListOptions {
  limit: number;
  /** Leave out front-matter chunks. */
  skipFront: boolean;
}

export interface VectorStore {
  /** Metadata of an existing collection, null when it does not exist. */
  describe(collection: string): Promise<CollectionMeta | null>;
  /** The server's version and features (asked once). */
  features(): Promise<StoreFeatures>;
  /** Create the collection and load it; on failure nothing is left behind. */
  create(collection: string, meta: CollectionMeta): Promise<void>;
  drop(collection: string): Promise<void>;
  /**
   * Ids and sources of the stored chunks of one source, or of the sources under a prefix, or (exceptIds) of every
   * chunk whose id is none of these; streamed in pages.
   */
  listChunks(
    collection: string,
    where: { source?: string; prefix?: string; exceptIds?: readonly string[] },
  ): AsyncIterable<{ id: string; source: string }[]>;
  /** Stored vectors of chunks with these embedding keys (one per key found). */
  vectorsByKey(collection: string, keys: string[]): Promise<Map<string, number[]>>;
  /** Every part of the pieces of the given chunks, in no particular order. */
  partsOf(
    collection: string,
    chunks: { id: string; source: string; position: number; part: number }[],
  ): Promise<{ source: string; position: number; part: number; text: string }[]>;
  upsert(collection: string, rows: StoredChunk[]): Promise<void>;
  deleteIds(collection: string, ids: string[]): Promise<void>;
  count(collection: string): Promise<number>;
  /** One ranked list, best first: inner product for dense, BM25 score for bm25 (higher is better). */
  search(collection: string, query: ListQuery, opts: ListOptions): Promise<SearchHit[]>;
  close(): Promise<void>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  text: string;
  model: string;
  usage: ChatUsage | null;
}

export interface ChatModel {
  readonly model: string;
  /** Ask the model; with onToken the answer is streamed and each piece passed on as it arrives. */
  complete(
    messages: ChatMessage[],
    opts?: { onToken?: (piece: string) => void; signal?: AbortSignal },
  ): Promise<ChatResult>;
}
