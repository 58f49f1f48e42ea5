// Ingest: discover → split → plan against the store → embed new chunks → upsert; prune what changed or vanished.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chunkId, type Splitter } from './chunk.js';
import { discover, type Discovery, type FoundFile } from './discover.js';
import { RagError, errorMessage } from './errors.js';
import { SCHEMA_VERSION, type Chunk, type CollectionMeta, type Embedder, type StoredChunk, type VectorStore } from './types.js';

/** Batches embedded per window (memory: WINDOW_BATCHES × batch size chunks and their vectors). */
export const WINDOW_BATCHES = 8;

export interface IngestOptions {
  paths: string[];
  cwd: string;
  /** The files of `paths`, when already looked up (so that bad paths fail before Milvus starts). */
  found?: Discovery;
  collection: string;
  recreate: boolean;
  batchSize: number;
  splitter: Splitter;
  embedder: Embedder;
  store: VectorStore;
  onProgress?: (event: IngestEvent) => void;
  signal?: AbortSignal;
}

export type IngestEvent =
  | { kind: 'scan'; files: number; done: number }
  | { kind: 'plan'; toEmbed: number; toRemove: number }
  | { kind: 'embedded'; done: number; total: number }
  | { kind: 'stored'; done: number; total: number }
  | { kind: 'warning'; message: string };

export interface SkippedFile {
  source: string;
  reason: string;
}

export interface IngestSummary {
  collection: string;
  model: string;
  dim: number;
  /** Files read and stored. */
  files: number;
  skipped: SkippedFile[];
  /** Chunks of the files, stored after this run. */
  chunks: number;
  /** Chunks embedded and inserted by this run. */
  added: number;
  /** Chunks already stored, neither embedded nor written. */
  unchanged: number;
  /** Chunks removed: their file changed or disappeared. */
  removed: number;
  /** Chunks longer than the model's token limit (embedded from their beginning only). */
  truncated: number;
  /** Chunks that were cut out of a piece longer than Milvus's VARCHAR limit. */
  cut: number;
  /** Rows in the collection at the end. */
  total: number;
  recreated: boolean;
  bm25: boolean;
  seconds: number;
}

interface FilePlan {
  file: FoundFile;
  chunks: number;
  toEmbed: number;
  stale: string[];
}

/** Reads a file as UTF-8, in pieces; rejects binary and invalid UTF-8. */
async function* readText(abs: string): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const buf of createReadStream(abs, { highWaterMark: 1 << 16 })) {
    if ((buf as Buffer).includes(0)) throw new SkipError('binary file (contains NUL bytes)');
    yield decoder.decode(buf as Buffer, { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

class SkipError extends Error {}

/** Why a file cannot be read; rethrows anything else. */
function skipReason(err: unknown): string {
  if (err instanceof SkipError) return err.message;
  if (err instanceof TypeError && /encoded data was not valid|decode/i.test(err.message)) return 'not valid UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)';
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'ENOENT') return 'no longer exists';
  throw err;
}

async function* chunksOf(file: FoundFile, splitter: Splitter, cut: { count: number }): AsyncIterable<Chunk> {
  let position = 0;
  for await (const piece of splitter.split(readText(file.abs))) {
    if (piece.cut) cut.count++;
    yield { id: chunkId(file.source, position, piece.text), source: file.source, position, text: piece.text };
    position++;
  }
}

async function storedIds(store: VectorStore, collection: string, source: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const page of store.listChunks(collection, { source })) {
    for (const row of page) if (row.source === source) ids.add(row.id);
  }
  return ids;
}

function interrupted(): RagError {
  return new RagError('interrupted: the chunks stored so far are complete', { hint: 'run the same command again to finish the ingest' });
}

/** Open or create the collection; refuses one built by another model. */
async function prepare(opts: IngestOptions, warn: (m: string) => void): Promise<{ meta: CollectionMeta; recreated: boolean }> {
  const { store, collection, embedder } = opts;
  const info = embedder.info;
  const wanted: CollectionMeta = { schema: SCHEMA_VERSION, model: info.model, dim: info.dim, queryPrefix: info.queryPrefix, docPrefix: info.docPrefix, bm25: true };
  if (opts.recreate) {
    await store.drop(collection);
  } else {
    const meta = await store.describe(collection);
    if (meta?.foreign) {
      throw new RagError(`collection "${collection}" was not built by rag: rag only reads it (ask, eval) and never changes it`, { hint: 'ingest into another --collection' });
    }
    if (meta) {
      if (meta.model !== info.model || meta.dim !== info.dim || meta.docPrefix !== info.docPrefix) {
        throw new RagError(
          `collection "${collection}" was built with ${meta.model} (${meta.dim} dims, document prefix ${JSON.stringify(meta.docPrefix)}), not ${info.model} (${info.dim} dims, ${JSON.stringify(info.docPrefix)})`,
          { hint: 'use the same --model/--model-path, another --collection, or --recreate to rebuild it' },
        );
      }
      return { meta, recreated: false };
    }
  }
  const features = await store.features();
  if (!features.bm25) {
    wanted.bm25 = false;
    warn(`Milvus ${features.version} has no BM25 full-text search: the collection is dense-only (bm25 and hybrid search need Milvus >= 2.5 or Milvus Lite 3)`);
  }
  try {
    await store.create(collection, wanted);
  } catch (e) {
    if (!wanted.bm25) throw e;
    if (!/function|bm25|analyzer|sparse/i.test((e as Error).message)) throw e;
    warn(`this Milvus has no BM25 full-text search (${(e as Error).message}); the collection is dense-only`);
    await store.drop(collection);
    wanted.bm25 = false;
    await store.create(collection, wanted);
  }
  return { meta: wanted, recreated: opts.recreate };
}

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { store, collection, embedder, splitter } = opts;
  const emit = opts.onProgress ?? (() => undefined);
  const warn = (message: string): void => emit({ kind: 'warning', message });
  const check = (): void => { if (opts.signal?.aborted) throw interrupted(); };

  const found = opts.found ?? await discover(opts.paths, opts.cwd, opts.signal);
  for (const w of found.warnings) warn(w);
  const { meta, recreated } = await prepare(opts, warn);
  const fresh = recreated;

  // Pass 1: split every file and compare with what is stored; keeps counts and stale ids only.
  const plans: FilePlan[] = [];
  const skipped: SkippedFile[] = [];
  const cut = { count: 0 };
  let chunks = 0;
  for (const [i, file] of found.files.entries()) {
    check();
    const existing = fresh ? new Set<string>() : await storedIds(store, collection, file.source);
    const plan: FilePlan = { file, chunks: 0, toEmbed: 0, stale: [] };
    try {
      const seen = new Set<string>();
      for await (const c of chunksOf(file, splitter, cut)) {
        seen.add(c.id);
        plan.chunks++;
        if (!existing.has(c.id)) plan.toEmbed++;
      }
      for (const id of existing) if (!seen.has(id)) plan.stale.push(id);
      if (plan.chunks === 0) warn(`${file.source} has no text to store (it is empty or only "# " markers)`);
      plans.push(plan);
      chunks += plan.chunks;
    } catch (e) {
      skipped.push({ source: file.source, reason: skipReason(e) });
      // A file that can no longer be read keeps nothing stale in the store.
      plan.stale = [...existing];
      plans.push({ ...plan, chunks: 0, toEmbed: 0 });
    }
    emit({ kind: 'scan', files: found.files.length, done: i + 1 });
  }
  for (const s of skipped) warn(`skipped ${s.source}: ${s.reason}`);

  // Stored chunks in scope whose file is gone.
  const gone: string[] = [];
  if (!fresh) {
    const planned = new Set(plans.map((p) => p.file.source));
    const checked = new Set<string>();
    for (const scope of found.scopes) {
      for await (const page of store.listChunks(collection, { prefix: scope.prefix })) {
        for (const row of page) {
          if (!planned.has(row.source) && !checked.has(row.id) && scope.matches(row.source)) {
            gone.push(row.id);
            checked.add(row.id);
          }
        }
      }
    }
  }

  const toEmbed = plans.reduce((n, p) => n + p.toEmbed, 0);
  const stale = plans.flatMap((p) => p.stale).concat(gone);
  emit({ kind: 'plan', toEmbed, toRemove: stale.length });

  // Pass 2: embed and store what is new, a batch at a time; storing overlaps the next batch's embedding.
  let embedded = 0;
  let stored = 0;
  let truncated = 0;
  let inflight: Promise<void> = Promise.resolve();
  // Vectors of recent texts: a text repeated across chunks is embedded once (and counted as truncated each time).
  const cache = new Map<string, { vector: number[]; truncated: boolean }>();
  const textKey = (t: string): string => createHash('sha1').update(t).digest('base64');

  const flush = async (batch: Chunk[]): Promise<void> => {
    if (batch.length === 0) return;
    const keys = batch.map((c) => textKey(c.text));
    // What this window needs, taken before the cache changes: evicting while adding must not lose a vector in use.
    const entries = new Map<string, { vector: number[]; truncated: boolean }>();
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const hit = cache.get(k);
      if (hit) entries.set(k, hit);
      else if (!entries.has(k) && !missing.some((j) => keys[j] === k)) missing.push(i);
    });
    // embedDocs sorts the window by length and runs it in batches of batchSize: far less padding than one batch.
    const out = await embedder.embedDocs(missing.map((i) => batch[i]?.text ?? ''));
    const long = new Set(out.truncatedAt ?? (out.truncated === missing.length ? missing.map((_, k) => k) : []));
    missing.forEach((i, k) => {
      const entry = { vector: out.vectors[k] ?? [], truncated: long.has(k) };
      entries.set(keys[i] ?? '', entry);
      cache.set(keys[i] ?? '', entry);
      if (cache.size > 2048) cache.delete(cache.keys().next().value as string);
    });
    const rows: StoredChunk[] = batch.map((c, i) => {
      const entry = entries.get(keys[i] ?? '');
      if (!entry || entry.vector.length === 0) throw new RagError(`no embedding for ${c.source} #${c.position}`, { hint: 'run with --verbose and report this' });
      if (entry.truncated) truncated++;
      return { ...c, vector: entry.vector };
    });
    embedded += batch.length;
    emit({ kind: 'embedded', done: embedded, total: toEmbed });
    await inflight;
    check();
    inflight = (async () => {
      for (let i = 0; i < rows.length; i += opts.batchSize) {
        const part = rows.slice(i, i + opts.batchSize);
        await store.upsert(collection, part);
        stored += part.length;
        emit({ kind: 'stored', done: stored, total: toEmbed });
      }
    })();
    inflight.catch(() => undefined);
  };
  /** Chunks embedded together: several batches, so that sorting by length can group similar lengths. */
  const window = opts.batchSize * WINDOW_BATCHES;

  let batch: Chunk[] = [];
  for (const plan of plans) {
    if (plan.toEmbed === 0) continue;
    check();
    const existing = fresh ? new Set<string>() : await storedIds(store, collection, plan.file.source);
    const pieces = chunksOf(plan.file, splitter, { count: 0 })[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Chunk>;
        try {
          next = await pieces.next();
        } catch (e) {
          // Only reading the file: failures of the store (flush below) keep their own message.
          let reason: string;
          try {
            reason = skipReason(e);
          } catch {
            reason = errorMessage(e);
          }
          throw new RagError(`${plan.file.source} changed or became unreadable while it was being ingested (${reason})`, { hint: 'run the same command again' });
        }
        if (next.done) break;
        const c = next.value;
        if (existing.has(c.id)) continue;
        batch.push(c);
        if (batch.length >= window) {
          await flush(batch);
          batch = [];
        }
      }
    } finally {
      await pieces.return?.();
    }
  }
  await flush(batch);
  await inflight;

  for (let i = 0; i < stale.length; i += 1000) {
    check();
    await store.deleteIds(collection, stale.slice(i, i + 1000));
  }

  const total = await store.count(collection);
  if (truncated > 0) warn(`${truncated} chunk(s) were longer than the model's ${embedder.info.maxTokens} tokens and were embedded from their beginning only; a finer splitter would keep all of their text searchable`);
  if (cut.count > 0) warn(`${cut.count} chunk(s) came from pieces longer than Milvus's 65,535-byte text limit and were cut to fit`);

  return {
    collection,
    model: meta.model,
    dim: meta.dim,
    files: plans.length - skipped.length,
    skipped,
    chunks,
    added: embedded,
    unchanged: chunks - embedded,
    removed: stale.length,
    truncated,
    cut: cut.count,
    total,
    recreated,
    bm25: meta.bm25,
    seconds: (performance.now() - started) / 1000,
  };
}
