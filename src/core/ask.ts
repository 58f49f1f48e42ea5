// Ask and retrieve: check the collection against the embedder, search it, build the prompt, ask the chat model.

import { RagError, usageError } from './errors.js';
import { buildMessages } from './prompt.js';
import type { ChatModel, ChatUsage, CollectionMeta, Embedder, EmbedderInfo, SearchHit, SearchMode, VectorStore } from './types.js';

export const DEFAULT_CANDIDATES = 20;

export interface RetrieveOptions {
  store: VectorStore;
  embedder: Embedder;
  collection: string;
  topK: number;
  mode: SearchMode;
  rrfK: number;
  /** Hybrid: candidates per search for the fusion (default 20). */
  candidates?: number | undefined;
}

export interface Retrieval {
  hits: SearchHit[];
  /** Seconds. */
  embed: number;
  search: number;
}

/** The collection's metadata; a clear error when it is missing, empty or built by another model. */
export async function openCollection(store: VectorStore, collection: string): Promise<CollectionMeta> {
  const meta = await store.describe(collection);
  if (!meta) {
    throw new RagError(`collection "${collection}" does not exist`, { hint: 'run `rag ingest <path>` first (or pick the collection with --collection)' });
  }
  if ((await store.count(collection)) === 0) {
    throw new RagError(`collection "${collection}" is empty`, { hint: 'run `rag ingest <path>` first' });
  }
  return meta;
}

export function checkModel(meta: CollectionMeta, info: EmbedderInfo, collection: string): void {
  if (meta.foreign && meta.dim !== info.dim) {
    throw new RagError(`collection "${collection}" (not built by rag) has ${meta.dim}-dim vectors but ${info.model} makes ${info.dim}`, {
      hint: 'pass the model that embedded it with --model or --model-path',
    });
  }
  if (meta.foreign) return;
  if (meta.model !== info.model || meta.dim !== info.dim) {
    throw new RagError(
      `collection "${collection}" was built with ${meta.model} (${meta.dim} dims) but the question would be embedded with ${info.model} (${info.dim} dims)`,
      { hint: `use --model ${meta.model.startsWith('local:') ? '/ --model-path with that model' : meta.model}, or rebuild with \`rag ingest --recreate <path>\`` },
    );
  }
}

/** The mode to search with: the chosen one, but dense when the mode is only the default and the collection has no BM25 field. */
export function searchModeFor(meta: CollectionMeta, mode: SearchMode, chosen: boolean): SearchMode {
  return !chosen && !meta.bm25 ? 'dense' : mode;
}

export function checkMode(meta: CollectionMeta, mode: SearchMode, collection: string): void {
  if (mode !== 'dense' && !meta.bm25) {
    throw new RagError(`collection "${collection}" has no BM25 field, so --search ${mode} is unavailable`, {
      hint: 'use --search dense, or rebuild it with `rag ingest --recreate <path>` on a Milvus with full-text search (Milvus Lite 3, Milvus 2.5+)',
    });
  }
}

/** Embed the question with the query side of the model and search; exactly what ask and eval share. */
export async function retrieve(question: string, opts: RetrieveOptions): Promise<Retrieval> {
  const t0 = performance.now();
  const vector = await opts.embedder.embedQuery(question);
  const t1 = performance.now();
  const hits = await opts.store.search(opts.collection, vector, { topK: opts.topK, mode: opts.mode, text: question, rrfK: opts.rrfK, candidates: opts.candidates ?? DEFAULT_CANDIDATES });
  const t2 = performance.now();
  return { hits, embed: (t1 - t0) / 1000, search: (t2 - t1) / 1000 };
}

export interface AskOptions extends RetrieveOptions {
  question: string;
  /** null: retrieval only. */
  chat: ChatModel | null;
  systemPrompt?: string | undefined;
  userTemplate?: string | undefined;
  onToken?: ((piece: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Called once the chunks are retrieved, before the chat model: the store may be released here. */
  afterRetrieval?: (() => Promise<void>) | undefined;
}

export interface AskResult {
  question: string;
  answer: string | null;
  model: string | null;
  search: SearchMode;
  sources: { text: string; score: number; file: string; position: number }[];
  timings: { embed: number; search: number; llm: number };
  usage: ChatUsage | null;
}

export function validateQuestion(question: string): string {
  const q = question.trim();
  if (q === '') throw usageError('the question is empty', 'ask something: rag ask "How is data stored in milvus?"');
  return q;
}

export async function ask(opts: AskOptions): Promise<AskResult> {
  const question = validateQuestion(opts.question);
  const r = await retrieve(question, opts);
  await opts.afterRetrieval?.();
  const sources = r.hits.map((h) => ({ text: h.text, score: h.score, file: h.source, position: h.position }));
  const result: AskResult = {
    question,
    answer: null,
    model: null,
    search: opts.mode,
    sources,
    timings: { embed: r.embed, search: r.search, llm: 0 },
    usage: null,
  };
  if (!opts.chat) return result;
  const messages = buildMessages({ question, contexts: r.hits.map((h) => h.text), systemPrompt: opts.systemPrompt, userTemplate: opts.userTemplate });
  const t0 = performance.now();
  const reply = await opts.chat.complete(messages, { onToken: opts.onToken, signal: opts.signal });
  result.timings.llm = (performance.now() - t0) / 1000;
  result.answer = reply.text;
  result.model = reply.model;
  result.usage = reply.usage;
  return result;
}
