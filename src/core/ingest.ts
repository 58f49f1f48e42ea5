// Ingest: discover → plan against the store in bulk → read each file once → embed what is new → upsert; prune the rest.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { embedKey, MAX_TEXT_BYTES, pieceIds, type Splitter } from './chunk.js';
import { discover, type Discovery, type FoundFile, type Scope } from './discover.js';
import { RagError } from './errors.js';
import { indexText, Sectioner, SPLIT_VERSION, type SplitMode } from './sections.js';
import {
  SCHEMA_VERSION,
  type Chunk,
  type CollectionMeta,
  type Embedder,
  type FileSplit,
  type SplitCache,
  type StoredChunk,
  type VectorStore,
} from './types.js';

/** Batches embedded per window (memory: WINDOW_BATCHES × batch size chunks and their vectors). */
export const WINDOW_BATCHES = 8;
/** Vectors of recent texts kept in memory, so that a text repeated within a run is embedded once. */
const RECENT_VECTORS = 4096;

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

export type IngestEvent =
  | { kind: 'scan'; files: number; done: number }
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

/**
 * A file's bytes in pieces of 64 KiB, read synchronously: per file, Node's asynchronous reads cost about 0.7 ms in
 * thread-pool round trips, which on 5,000 small files is seconds of an unchanged re-run; a piece at a time keeps
 * memory bounded whatever the file's size.
 */
function* bytesOf(abs: string): Generator<Buffer> {
  const fd = openSync(abs, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 16);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a file as UTF-8, in pieces; rejects binary and invalid UTF-8. Feeds the bytes to `hash` on the way. */
async function* readText(abs: string, hash?: Hash): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const buf of bytesOf(abs)) {
    if (buf.includes(0)) throw new SkipError('binary file (contains NUL bytes)');
    hash?.update(buf);
    yield decoder.decode(buf, { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

class SkipError extends Error {}

/** sha256 of a file's bytes; an unreadable file hashes as empty (it is then read in full, which reports why). */
function hashFile(abs: string): Hash {
  const hash = createHash('sha256');
  try {
    for (const buf of bytesOf(abs)) hash.update(buf);
  } catch {
    return createHash('sha256');
  }
  return hash;
}

/** Split-cache key of a file: its path and bytes, and everything that decides how it is split into chunks. */
function splitKey(opts: IngestOptions, source: string, bytes: Hash): string {
  const { info } = opts.embedder;
  const settings = [SPLIT_VERSION, opts.split, info.model, opts.modelPath ?? '', info.docPrefix, info.maxTokens];
  return createHash('sha256')
    .update(JSON.stringify([...settings, MAX_TEXT_BYTES, source]))
    .update(bytes.digest())
    .digest('base64url');
}

/** The same ids, in any order. */
function sameIds(ids: readonly string[], stored: ReadonlySet<string>): boolean {
  return ids.length === stored.size && ids.every((id) => stored.has(id));
}

/** Why a file cannot be read, and whether it is gone; rethrows anything else. */
function skipReason(err: unknown): { reason: string; gone: boolean } {
  if (err instanceof SkipError) return { reason: err.message, gone: false };
  if (err instanceof TypeError && /encoded data was not valid|decode/i.test(err.message))
    return { reason: 'not valid UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)', gone: false };
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission denied', gone: false };
  if (code === 'EISDIR') return { reason: 'is a folder', gone: false };
  if (code === 'ENOENT') return { reason: 'it no longer exists', gone: true };
  throw err;
}

/** The chunks of one file, read once, in order. */
async function* chunksOf(
  file: FoundFile,
  opts: IngestOptions,
  counts: { cut: number; parts: number },
  hash?: Hash,
): AsyncIterable<Chunk> {
  const { embedder } = opts;
  const sectioner = new Sectioner({
    mode: opts.split,
    maxTokens: embedder.docTokenBudget,
    countTokens: (t) => embedder.countTokens(t),
  });
  for await (const piece of opts.splitter.split(readText(file.abs, hash))) {
    const sections = [...sectioner.push(piece)];
    const first = sections[0];
    if (!first) continue;
    const fits = (s: { context: string; text: string }): boolean =>
      Buffer.byteLength(indexText(s.context, s.text)) <= MAX_TEXT_BYTES;
    // A context that fits no part's text limit is left out of the index texts, and so of the ids.
    const ids = pieceIds(
      file.source,
      first.position,
      sections.map((s) => s.text),
      sections.some(fits) ? first.context : '',
    );
    for (const [i, s] of sections.entries()) {
      if (s.cut) counts.cut++;
      if (s.part > 0 || (s.part === 0 && s.text !== piece.text)) counts.parts++;
      const idx = fits(s) ? indexText(s.context, s.text) : s.text;
      yield {
        id: ids[i] ?? '',
        source: file.source,
        position: s.position,
        part: s.part,
        text: s.text,
        indexText: idx,
        front: s.front,
        key: embedKey(embedder.info.docPrefix + idx),
      };
    }
  }
}

function interrupted(): RagError {
  return new RagError('interrupted: the chunks stored so far are complete', {
    hint: 'run the same command again to finish the ingest',
  });
}

/** Open or create the collection; refuses one built by another model or split. */
async function prepare(
  opts: IngestOptions,
  warn: (m: string) => void,
): Promise<{ meta: CollectionMeta; created: boolean }> {
  const { store, collection, embedder } = opts;
  const info = embedder.info;
  const wanted: CollectionMeta = {
    schema: SCHEMA_VERSION,
    model: info.model,
    dim: info.dim,
    queryPrefix: info.queryPrefix,
    docPrefix: info.docPrefix,
    bm25: true,
    split: opts.split,
    partIds: true,
    ...(opts.modelPath ? { modelPath: opts.modelPath } : {}),
  };
  if (opts.recreate) {
    await store.drop(collection);
  } else {
    const meta = await store.describe(collection);
    if (meta?.foreign) {
      throw new RagError(
        `collection "${collection}" was not built by rag: rag only reads it (ask, eval) and never changes it`,
        { hint: 'ingest into another --collection' },
      );
    }
    if (meta) {
      if (meta.model !== info.model || meta.dim !== info.dim || meta.docPrefix !== info.docPrefix) {
        throw new RagError(
          `collection "${collection}" was built with ${meta.model} (${meta.dim} dims, document prefix ${JSON.stringify(meta.docPrefix)}), not ${info.model} (${info.dim} dims, ${JSON.stringify(info.docPrefix)})`,
          { hint: 'use the same --model/--model-path, another --collection, or --recreate to rebuild it' },
        );
      }
      if ((meta.split ?? 'tutorial') !== opts.split) {
        throw new RagError(
          `collection "${collection}" was built with --split ${meta.split ?? 'tutorial'}, not ${opts.split}`,
          {
            hint: `use --split ${meta.split ?? 'tutorial'}, another --collection, or --recreate to rebuild it`,
          },
        );
      }
      return { meta, created: false };
    }
  }
  const features = await store.features();
  if (!features.bm25) {
    wanted.bm25 = false;
    warn(
      `Milvus ${features.version} has no BM25 full-text search: the collection is dense-only (bm25 and hybrid search need Milvus >= 2.5 or Milvus Lite 3)`,
    );
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
  return { meta: wanted, created: true };
}

/** Adds stored rows to ids by source, keeping those of the run's files and scopes. */
function keeper(
  bySource: Map<string, Set<string>>,
  scopes: Scope[],
  files: FoundFile[],
): (rows: { id: string; source: string }[]) => void {
  const wanted = new Set(files.map((f) => f.source));
  return (rows) => {
    for (const row of rows) {
      if (!wanted.has(row.source) && !scopes.some((s) => s.matches(row.source))) continue;
      let ids = bySource.get(row.source);
      if (!ids) bySource.set(row.source, (ids = new Set()));
      ids.add(row.id);
    }
  };
}

/** Fewer stored chunks outside the known ids than this (one query page): the shortcut of storedFromKnown lists them. */
const OTHERS_LISTED = 16_384;
/** Most known ids the shortcut puts in one filter expression (about 20 bytes each). */
const KNOWN_LISTED = 100_000;

/**
 * Stored chunk ids by source, without listing the scope, from the ids the split cache gives for the files' current
 * bytes (`known`, per file): only the stored chunks that are none of those ids are listed (none, when the collection
 * holds exactly them), and the collection's count shows that every known id is stored (count − others = known); the
 * count and the listing run together (a Milvus server answers each strongly consistent read after ~0.2 s).
 * undefined when that cannot be shown cheaply (more other chunks than a page, a known chunk missing): the caller lists
 * the scope. Milvus Lite reads every field of each row a query returns, so listing 6,500 ids costs ~0.4 s; this ~0.1 s.
 */
async function storedFromKnown(
  store: VectorStore,
  collection: string,
  found: Discovery,
  known: (FileSplit | undefined)[],
): Promise<{ bySource: Map<string, Set<string>>; total: number } | undefined> {
  const bySource = new Map<string, Set<string>>();
  const ids = new Set<string>();
  for (const [i, f] of found.files.entries()) {
    const split = known[i];
    if (!split) continue;
    bySource.set(f.source, new Set(split.ids));
    for (const id of split.ids) ids.add(id);
  }
  if (ids.size === 0 || ids.size > KNOWN_LISTED) return undefined;
  const keep = keeper(bySource, found.scopes, found.files);
  const listOthers = async (): Promise<number | undefined> => {
    let listed = 0;
    for await (const page of store.listChunks(collection, { exceptIds: [...ids] })) {
      listed += page.length;
      if (listed >= OTHERS_LISTED) return undefined;
      keep(page);
    }
    return listed;
  };
  // A server that refuses so long a filter: the scope is listed instead (which reports a real failure).
  const [total, others] = await Promise.all([store.count(collection), listOthers().catch(() => undefined)]);
  return others !== undefined && total - others === ids.size ? { bySource, total } : undefined;
}

/**
 * Stored chunk ids by source, for every source the run may touch: one paged scan per scope (by source prefix) instead
 * of a query per file, plus a lookup for files that lie outside their scope's prefix (a linked file).
 */
async function storedBySource(
  store: VectorStore,
  collection: string,
  scopes: Scope[],
  files: FoundFile[],
): Promise<Map<string, Set<string>>> {
  const bySource = new Map<string, Set<string>>();
  const keep = keeper(bySource, scopes, files);
  // A scope whose prefix lies inside another's is covered by that one's scan.
  const prefixes = [...new Set(scopes.map((s) => s.prefix))].sort();
  const roots = prefixes.filter((p, i) => !prefixes.slice(0, i).some((q) => p.startsWith(q)));
  for (const prefix of roots) {
    for await (const page of store.listChunks(collection, { prefix })) keep(page);
  }
  for (const f of files) {
    if (roots.some((p) => f.source.startsWith(p))) continue;
    for await (const page of store.listChunks(collection, { source: f.source })) keep(page);
  }
  return bySource;
}

/** Embeds and stores chunks a window at a time; storing overlaps the next window's embedding. */
class Writer {
  queued = 0;
  embedded = 0;
  reused = 0;
  stored = 0;
  truncated = 0;
  tokens = 0;
  embedSeconds = 0;
  private window: Chunk[] = [];
  private inflight: Promise<void> = Promise.resolve();
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly opts: IngestOptions,
    private readonly fresh: boolean,
    private readonly emit: (e: IngestEvent) => void,
    private readonly check: () => void,
  ) {}

  async add(chunk: Chunk): Promise<void> {
    this.window.push(chunk);
    this.queued++;
    if (this.window.length >= this.opts.batchSize * WINDOW_BATCHES) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.inflight;
  }

  private remember(key: string, vector: number[]): void {
    this.recent.delete(key);
    this.recent.set(key, vector);
    if (this.recent.size > RECENT_VECTORS) this.recent.delete(this.recent.keys().next().value as string);
  }

  private async flush(): Promise<void> {
    const batch = this.window;
    this.window = [];
    if (batch.length === 0) return;
    const { store, collection, embedder } = this.opts;
    // Vectors this window needs, taken before the cache changes: evicting while adding must not lose one in use.
    const vectors = new Map<string, number[]>();
    for (const c of batch) {
      const v = this.recent.get(c.key);
      if (v) vectors.set(c.key, v);
    }
    const unknown = [...new Set(batch.map((c) => c.key).filter((k) => !vectors.has(k)))];
    // Identical texts already stored (another path, a copied folder) keep their vector: same model, same prefix.
    if (!this.fresh && unknown.length > 0) {
      for (const [k, v] of await store.vectorsByKey(collection, unknown)) vectors.set(k, v);
    }
    const missing = unknown.filter((k) => !vectors.has(k));
    if (missing.length > 0) {
      const texts = missing.map((k) => batch.find((c) => c.key === k)?.indexText ?? '');
      const t0 = performance.now();
      const out = await embedder.embedDocs(texts);
      this.embedSeconds += (performance.now() - t0) / 1000;
      this.tokens += out.tokens;
      missing.forEach((k, i) => vectors.set(k, out.vectors[i] ?? []));
      this.truncated += out.truncated;
    }
    const computed = new Set(missing);
    const rows: StoredChunk[] = batch.map((c) => {
      const vector = vectors.get(c.key);
      if (!vector || vector.length === 0)
        throw new RagError(`no embedding for ${c.source} #${c.position}`, {
          hint: 'run with --verbose and report this',
        });
      if (computed.has(c.key)) computed.delete(c.key);
      else this.reused++;
      this.remember(c.key, vector);
      return { ...c, vector };
    });
    this.embedded += batch.length;
    this.emit({ kind: 'embedded', done: this.embedded, total: this.queued });
    await this.inflight;
    this.check();
    this.inflight = (async () => {
      for (let i = 0; i < rows.length; i += this.opts.batchSize) {
        const part = rows.slice(i, i + this.opts.batchSize);
        await store.upsert(collection, part);
        this.stored += part.length;
        this.emit({ kind: 'stored', done: this.stored, total: this.queued });
      }
    })();
    this.inflight.catch(() => undefined);
  }
}

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { store, collection } = opts;
  const emit = opts.onProgress ?? (() => undefined);
  const warn = (message: string): void => emit({ kind: 'warning', message });
  const check = (): void => {
    if (opts.signal?.aborted) throw interrupted();
  };

  const found = opts.found ?? (await discover(opts.paths, opts.cwd, opts.signal));
  for (const w of found.warnings) warn(w);
  const { meta, created } = await prepare(opts, warn);
  const cache = opts.splitCache;
  // What splitting each file's current bytes gave before, if the cache remembers (then it need not be read again).
  const known = cache && !created ? found.files.map((f) => cache.get(splitKey(opts, f.source, hashFile(f.abs)))) : [];
  const planned = created ? undefined : await storedFromKnown(store, collection, found, known);
  const stored = created
    ? new Map<string, Set<string>>()
    : (planned?.bySource ?? (await storedBySource(store, collection, found.scopes, found.files)));

  // One read of each file: what it holds now is compared with what is stored, and the same read is written.
  const writer = new Writer(opts, created, emit, check);
  const stale: string[] = [];
  const skipped: SkippedFile[] = [];
  const counts = { cut: 0, parts: 0 };
  let chunks = 0;
  let read = 0;
  for (const [i, file] of found.files.entries()) {
    check();
    const existing = stored.get(file.source) ?? new Set<string>();
    stored.delete(file.source);
    // Same bytes as a file split before, and exactly the chunks that split gave are stored: nothing to read or write.
    const split = known[i];
    if (split && existing.size > 0 && sameIds(split.ids, existing)) {
      chunks += split.ids.length;
      counts.parts += split.parts;
      counts.cut += split.cut;
      emit({ kind: 'scan', files: found.files.length, done: i + 1 });
      continue;
    }
    await opts.embedder.prepare?.();
    const seen = new Set<string>();
    const hash = cache ? createHash('sha256') : undefined;
    const before = { ...counts };
    try {
      for await (const c of chunksOf(file, opts, counts, hash)) {
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        if (!existing.has(c.id)) await writer.add(c);
      }
      if (seen.size === 0) warn(`${file.display} has no text to store (it is empty or only "# " markers)`);
      for (const id of existing) if (!seen.has(id)) stale.push(id);
      chunks += seen.size;
      read++;
      if (cache && hash && seen.size > 0)
        cache.set(splitKey(opts, file.source, hash), {
          ids: [...seen],
          parts: counts.parts - before.parts,
          cut: counts.cut - before.cut,
        });
    } catch (e) {
      if (e instanceof RagError) throw e;
      const { reason, gone } = skipReason(e);
      skipped.push({ source: file.display, reason });
      const kept = [...existing].filter((id) => !seen.has(id));
      if (gone && seen.size === 0) {
        // The file vanished during the run: like a deleted file, it keeps nothing in the store.
        stale.push(...kept);
        warn(
          `skipped ${file.display}: ${reason}${kept.length ? `; its ${kept.length} stored chunk(s) are removed` : ''}`,
        );
      } else {
        chunks += seen.size + kept.length;
        warn(
          `skipped ${file.display}: ${reason}${kept.length ? `; its ${kept.length} stored chunk(s) are kept until it can be read` : ''}`,
        );
      }
    }
    emit({ kind: 'scan', files: found.files.length, done: i + 1 });
  }
  await writer.finish();
  await cache?.save();

  // Stored chunks in scope whose file is gone.
  for (const ids of stored.values()) stale.push(...ids);
  for (let i = 0; i < stale.length; i += 1000) {
    check();
    await store.deleteIds(collection, stale.slice(i, i + 1000));
  }

  // Nothing written or removed: the count taken while planning is still the total.
  const total = planned && writer.queued === 0 && stale.length === 0 ? planned.total : await store.count(collection);
  if (writer.truncated > 0)
    warn(
      `${writer.truncated} chunk(s) were longer than the model's ${opts.embedder.info.maxTokens} tokens and were embedded from their beginning only`,
    );
  if (counts.cut > 0)
    warn(`${counts.cut} chunk(s) came from pieces longer than Milvus's 65,535-byte text limit and were cut to fit`);

  return {
    collection,
    model: meta.model,
    dim: meta.dim,
    split: meta.split ?? opts.split,
    files: found.files.length - skipped.length,
    read,
    skipped,
    chunks,
    added: writer.embedded,
    reused: writer.reused,
    unchanged: chunks - writer.embedded,
    removed: stale.length,
    parts: counts.parts,
    truncated: writer.truncated,
    cut: counts.cut,
    tokens: writer.tokens,
    embedSeconds: writer.embedSeconds,
    total,
    recreated: opts.recreate,
    bm25: meta.bm25,
    seconds: (performance.now() - started) / 1000,
  };
}
