// Shared types and the interfaces of the outside services (Embedder, VectorStore, ChatModel).

/** A piece of a source file, before embedding. */
export interface Chunk {
  /** Primary key: int64 as a decimal string (JavaScript numbers hold only 53 bits). */
  id: string;
  /** Source file, relative to the working directory, with forward slashes. */
  source: string;
  /** 0-based index of the piece among the file's non-empty pieces. */
  position: number;
  text: string;
}

export interface StoredChunk extends Chunk {
  vector: number[];
}

export type SearchMode = 'dense' | 'bm25' | 'hybrid';

export interface SearchHit {
  id: string;
  source: string;
  position: number;
  text: string;
  /** Inner product for dense search, BM25 score for bm25, fused score for hybrid. */
  score: number;
}

/** Version of the collection layout rag creates (fields, rag.meta); a collection with another one is refused. */
export const SCHEMA_VERSION = 1;

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
  /** Maximum tokens per text; longer texts are truncated by the tokenizer. */
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
}

export interface Embedder {
  readonly info: EmbedderInfo;
  embedDocs(texts: string[]): Promise<DocEmbeddings>;
  embedQuery(text: string): Promise<number[]>;
  close(): Promise<void>;
}

export interface SearchOptions {
  topK: number;
  mode: SearchMode;
  /** Query text, for bm25 and hybrid. */
  text: string;
  /** Reciprocal-rank-fusion constant for hybrid search. */
  rrfK: number;
  /** Hybrid search: how many candidates each search contributes to the fusion (at least topK). */
  candidates: number;
}

export interface VectorStore {
  /** Metadata of an existing collection, null when it does not exist. */
  describe(collection: string): Promise<CollectionMeta | null>;
  /** The server's version and features (asked once). */
  features(): Promise<StoreFeatures>;
  /** Create the collection and load it; on failure nothing is left behind. */
  create(collection: string, meta: CollectionMeta): Promise<void>;
  drop(collection: string): Promise<void>;
  /** Ids and sources of the stored chunks of one source, or of the sources under a prefix; streamed in pages. */
  listChunks(collection: string, where: { source?: string; prefix?: string }): AsyncIterable<{ id: string; source: string }[]>;
  upsert(collection: string, rows: StoredChunk[]): Promise<void>;
  deleteIds(collection: string, ids: string[]): Promise<void>;
  count(collection: string): Promise<number>;
  search(collection: string, vector: number[], opts: SearchOptions): Promise<SearchHit[]>;
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
  complete(messages: ChatMessage[], opts?: { onToken?: (piece: string) => void; signal?: AbortSignal }): Promise<ChatResult>;
}
