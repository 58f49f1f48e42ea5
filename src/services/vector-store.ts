// VectorStore over Milvus (server, Zilliz Cloud or Milvus Lite) with the Node SDK.

import { setTimeout as sleep } from 'node:timers/promises';
import { DataType, FunctionType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { RagError } from '../core/errors.js';
import { MAX_TEXT_BYTES } from '../core/chunk.js';
import { bm25Support, isAuthFailure, isUnreachable, milvusReason } from './milvus-errors.js';
import {
  SCHEMA_VERSION,
  type CollectionMeta,
  type ListOptions,
  type ListQuery,
  type SearchHit,
  type StoreFeatures,
  type StoredChunk,
  type VectorStore,
} from '../core/types.js';

const MAX_SOURCE_BYTES = 4_096;
const KEY_BYTES = 64;
/** Fields read back by searches. */
const HIT_FIELDS = ['id', 'text', 'source', 'position', 'part'];
const META_KEY = 'rag.meta';
const PAGE = 1_000;
/** Milvus's largest offset + limit of a query. */
const MAX_QUERY_WINDOW = 16_384;
/** How long a collection may take to load on a Milvus server. */
const LOAD_WAIT_MS = 30 * 60_000;

interface Status {
  error_code?: string | number;
  code?: number;
  reason?: string;
}

export interface MilvusStoreOptions {
  /** host:port or http(s)://host:port */
  address: string;
  token?: string;
  /** Shown in errors instead of the address (e.g. the Milvus Lite data folder). */
  label: string;
  timeoutMs: number;
  /** Build the client now (~0.4 s of protocol definitions) but connect only when connect() is called. */
  deferConnect?: boolean;
  /** Rows per query when listing stored ids (default: Milvus's whole query window, the fewest round trips). */
  listPage?: number;
}

function ok(status: Status | undefined): boolean {
  return !!status && (status.error_code === 'Success' || status.error_code === 0) && (status.code ?? 0) === 0;
}

/** Turns an SDK or gRPC failure into one line for the user. */
function fail(what: string, label: string, err: unknown): RagError {
  const msg = milvusReason(err);
  if (isUnreachable(msg)) {
    return new RagError(`cannot reach Milvus at ${label} (${what})`, {
      hint: 'check --milvus-uri / MILVUS_URI and that the server is running; a re-run finishes an interrupted ingest',
      cause: err,
    });
  }
  if (isAuthFailure(msg)) {
    return new RagError(`Milvus at ${label} rejected the credentials (${what}: ${msg})`, {
      hint: 'check --milvus-token / MILVUS_TOKEN (user:password, or an API key)',
      cause: err,
    });
  }
  return new RagError(`Milvus ${what} failed: ${msg}`, { hint: 'run with --verbose for details', cause: err });
}

function parseMeta(props: { key: string; value: string | number }[] | undefined): CollectionMeta | null {
  const raw = props?.find((p) => p.key === META_KEY)?.value;
  if (!raw) return null;
  try {
    return JSON.parse(String(raw)) as CollectionMeta;
  } catch {
    return null;
  }
}

interface SchemaField {
  name: string;
  data_type: string | number;
  is_primary_key?: boolean;
  type_params?: { key: string; value: unknown }[];
  dim?: unknown;
}

/**
 * A collection rag did not build but can search read-only, dense: the tutorial's pymilvus layout — a primary key
 * "id", a FloatVector "vector" and the text in a "text" field or the dynamic field. null for anything else.
 */
function foreignMeta(schema: { fields: SchemaField[]; enable_dynamic_field?: boolean }): CollectionMeta | null {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const vector = byName.get('vector');
  const isFloatVector = (t: string | number): boolean => t === 'FloatVector' || t === DataType.FloatVector;
  if (!vector || !isFloatVector(vector.data_type)) return null;
  if (!schema.fields.some((f) => f.is_primary_key)) return null;
  const text = byName.get('text');
  if (!(text ? text.data_type === 'VarChar' || text.data_type === DataType.VarChar : schema.enable_dynamic_field))
    return null;
  const dim = Number(vector.type_params?.find((p) => p.key === 'dim')?.value ?? vector.dim);
  if (!Number.isInteger(dim) || dim <= 0) return null;
  return { schema: SCHEMA_VERSION, model: 'unknown', dim, queryPrefix: '', docPrefix: '', bm25: false, foreign: true };
}

/** A quoted string literal for a Milvus filter expression. */
export function milvusString(value: string): string {
  return JSON.stringify(value);
}

export class MilvusStore implements VectorStore {
  private readonly client: MilvusClient;
  /** Collections loaded, or being loaded, by this client (calls that run together share one load). */
  private readonly loaded = new Map<string, Promise<void>>();
  /** Collections not built by rag (seen by describe): never written to. */
  private readonly foreign = new Set<string>();
  /** Collections whose split pieces have consecutive part ids (seen by describe). */
  private readonly partIds = new Set<string>();
  private feats: StoreFeatures | undefined;

  constructor(private readonly opts: MilvusStoreOptions) {
    this.client = new MilvusClient({
      address: opts.address,
      token: opts.token,
      timeout: opts.timeoutMs,
      maxRetries: 2,
      retryDelay: 200,
      logLevel: 'error',
      // No keepalive pings while idle (e.g. during a long embedding batch or LLM answer): servers reject
      // too frequent pings with "excess pings" and drop the connection.
      // The SDK's 10 s keepalive also pings during one long call (loading a large collection can take minutes on a
      // busy machine), and Milvus then closes the connection for "excess pings" (RESOURCE_EXHAUSTED).
      channelOptions: {
        'grpc.keepalive_permit_without_calls': 0,
        'grpc.keepalive_time_ms': 300_000,
        'grpc.keepalive_timeout_ms': 60_000,
      },
      __SKIP_CONNECT__: !!opts.deferConnect,
    });
    // The SDK connects in the background and no call awaits that promise: unhandled, its rejection on an
    // unreachable server would crash the process; the first call reports the failure instead.
    if (!opts.deferConnect) this.client.connectPromise.catch(() => undefined);
  }

  /** The address this store talks to. */
  get address(): string {
    return this.opts.address;
  }

  /** Connects a store built with deferConnect (the server now answers). */
  connect(): void {
    this.client.connect(MilvusClient.sdkInfo.version);
    this.client.connectPromise.catch(() => undefined);
  }

  private async call<T extends { status?: Status } | Status>(
    what: string,
    fn: () => Promise<T>,
    statusOf?: (r: T) => Status | undefined,
  ): Promise<T> {
    let res: T;
    try {
      res = await fn();
    } catch (e) {
      throw fail(what, this.opts.label, e);
    }
    const status = statusOf
      ? statusOf(res)
      : res && typeof res === 'object' && 'status' in res
        ? res.status
        : (res as Status);
    if (!ok(status)) {
      const reason = milvusReason(status);
      const disk = /No space left|Read-only file system|Errno (28|30)\b/.test(reason);
      // A server going down answers with the failure of its own parts: the same as not reaching it.
      if (isUnreachable(reason)) throw fail(what, this.opts.label, new Error(reason));
      if (isAuthFailure(reason)) {
        throw new RagError(`Milvus at ${this.opts.label} rejected the credentials (${what}: ${reason})`, {
          hint: 'check --milvus-token / MILVUS_TOKEN (user:password, or an API key)',
        });
      }
      throw new RagError(`Milvus ${what} failed: ${reason}`, {
        hint: disk
          ? `free some disk space (or make it writable) where Milvus keeps its data (${this.opts.label}), then run the same command again`
          : 'run with --verbose for details',
      });
    }
    return res;
  }

  async features(): Promise<StoreFeatures> {
    if (this.feats) return this.feats;
    let version = 'unknown';
    try {
      const res = (await this.client.getVersion()) as { status?: Status; version?: string };
      if (ok(res.status) && res.version) version = res.version;
      else if (isAuthFailure(milvusReason(res.status))) throw new Error(milvusReason(res.status));
    } catch (e) {
      const reason = milvusReason(e);
      // An old server without GetVersion: unknown, creating the collection finds out.
      if (isUnreachable(reason) || isAuthFailure(reason)) throw fail('get_version', this.opts.label, e);
    }
    this.feats = { version, bm25: bm25Support(version) ?? true };
    return this.feats;
  }

  async describe(collection: string): Promise<CollectionMeta | null> {
    const has = await this.call('has_collection', () => this.client.hasCollection({ collection_name: collection }));
    if (!has.value) return null;
    const d = await this.call('describe_collection', () =>
      this.client.describeCollection({ collection_name: collection }),
    );
    const meta = parseMeta(d.properties);
    const names = d.schema.fields
      .map((f) => f.name)
      .sort()
      .join(',');
    if (!meta) {
      const foreign = foreignMeta(d.schema);
      if (foreign) {
        this.foreign.add(collection);
        return foreign;
      }
    }
    const expected = [
      'front',
      'id',
      'index_text',
      'key',
      'part',
      'position',
      'source',
      'text',
      'vector',
      ...(meta?.bm25 ? ['sparse'] : []),
    ]
      .sort()
      .join(',');
    if (meta && meta.schema < SCHEMA_VERSION) {
      throw new RagError(
        `collection "${collection}" was built by an older version of rag (layout ${meta.schema}; this one needs ${SCHEMA_VERSION}: files are now identified by their real path, and long pieces are split)`,
        {
          hint: 'rebuild it once with `rag ingest --recreate <path>` (or use another --collection)',
        },
      );
    }
    if (!meta || meta.schema !== SCHEMA_VERSION || names !== expected) {
      throw new RagError(`collection "${collection}" was not built by this version of rag (fields: ${names})`, {
        hint: 'use another --collection, or rebuild it with `rag ingest --recreate <path>`',
      });
    }
    if (meta.partIds) this.partIds.add(collection);
    if (meta.bm25 && !(await this.features()).bm25) {
      // Left half-made by an older rag on a server without BM25: loading it can crash such a server.
      throw new RagError(
        `collection "${collection}" has a BM25 field that Milvus ${this.feats?.version ?? ''} cannot serve (left half-made by an older rag)`,
        {
          hint: 'rebuild it with `rag ingest --recreate <path>` (a dense-only collection)',
        },
      );
    }
    return meta;
  }

  async create(collection: string, meta: CollectionMeta): Promise<void> {
    if (meta.partIds) this.partIds.add(collection);
    const fields = [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'vector', data_type: DataType.FloatVector, dim: meta.dim },
      { name: 'text', data_type: DataType.VarChar, max_length: MAX_TEXT_BYTES },
      {
        name: 'index_text',
        data_type: DataType.VarChar,
        max_length: MAX_TEXT_BYTES,
        ...(meta.bm25 ? { enable_analyzer: true } : {}),
      },
      ...(meta.bm25 ? [{ name: 'sparse', data_type: DataType.SparseFloatVector }] : []),
      { name: 'source', data_type: DataType.VarChar, max_length: MAX_SOURCE_BYTES },
      { name: 'position', data_type: DataType.Int64 },
      { name: 'part', data_type: DataType.Int64 },
      { name: 'front', data_type: DataType.Bool },
      { name: 'key', data_type: DataType.VarChar, max_length: KEY_BYTES },
    ];
    const indexes = [
      { field_name: 'vector', index_type: 'AUTOINDEX', metric_type: 'IP' },
      ...(meta.bm25 ? [{ field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }] : []),
    ];
    // Step by step (collection, each index, metadata, load), each status checked: the SDK's all-in-one create
    // throws a bare status object when an index fails, and leaves the collection behind.
    await this.call('create_collection', () =>
      this.client.createCollection({
        collection_name: collection,
        consistency_level: 'Strong',
        fields,
        ...(meta.bm25
          ? {
              functions: [
                {
                  name: 'text_bm25',
                  type: FunctionType.BM25,
                  input_field_names: ['index_text'],
                  output_field_names: ['sparse'],
                  params: {},
                },
              ],
            }
          : {}),
        properties: { [META_KEY]: JSON.stringify(meta) },
      }),
    );
    try {
      for (const index of indexes) {
        await this.call(`create_index on "${index.field_name}"`, () =>
          this.client.createIndex({ collection_name: collection, ...index }),
        );
      }
      // Some servers ignore properties at creation: set them again so that the collection always says what built it.
      await this.call('alter_collection', () =>
        this.client.alterCollectionProperties({
          collection_name: collection,
          properties: { [META_KEY]: JSON.stringify(meta) },
        }),
      );
      await this.load(collection);
    } catch (e) {
      // Never leave a half-made collection: a server may even crash later trying to load it.
      const reason = e instanceof RagError ? e.message : milvusReason(e);
      try {
        await this.client.dropCollection({ collection_name: collection });
      } catch {
        // reported below: the collection may be left
      }
      this.loaded.delete(collection);
      if (e instanceof RagError && /^cannot reach|rejected the credentials/.test(e.message)) throw e;
      throw new RagError(
        `cannot create collection "${collection}" on Milvus at ${this.opts.label}: ${reason.replace(/^Milvus /, '')}; nothing was kept`,
        {
          hint: 'run with --verbose for details; the server log has more',
          cause: e,
        },
      );
    }
  }

  async drop(collection: string): Promise<void> {
    const has = await this.call('has_collection', () => this.client.hasCollection({ collection_name: collection }));
    if (has.value) {
      // A collection in the tutorial's layout holds a user's data that rag can read: never dropped.
      const d = await this.call('describe_collection', () =>
        this.client.describeCollection({ collection_name: collection }),
      );
      if (!parseMeta(d.properties) && foreignMeta(d.schema)) {
        throw new RagError(`collection "${collection}" was not built by rag: rag does not drop it`, {
          hint: 'pick another --collection for rag, or drop it yourself (e.g. pymilvus MilvusClient.drop_collection) if you really mean to',
        });
      }
      await this.call('drop_collection', () => this.client.dropCollection({ collection_name: collection }));
    }
    this.loaded.delete(collection);
  }

  /**
   * Loads a collection. The SDK's loadCollection waits 400 ms after each progress check, even when the load was done
   * at once (Milvus Lite loads synchronously; a loaded collection): rag asks for the load and checks the progress
   * with waits that grow from 20 to 400 ms, for at most LOAD_WAIT_MS.
   */
  private load(collection: string): Promise<void> {
    let loading = this.loaded.get(collection);
    if (!loading) {
      loading = this.loadNow(collection);
      this.loaded.set(collection, loading);
      loading.catch(() => this.loaded.delete(collection));
    }
    return loading;
  }

  private async loadNow(collection: string): Promise<void> {
    await this.call('load_collection', () => this.client.loadCollectionAsync({ collection_name: collection }));
    const deadline = Date.now() + LOAD_WAIT_MS;
    for (let i = 0; ; i++) {
      const res = await this.call('get_loading_progress', () =>
        this.client.getLoadingProgress({ collection_name: collection }),
      );
      if (Number(res.progress) >= 100) break;
      if (Date.now() >= deadline) {
        throw new RagError(
          `Milvus did not finish loading collection "${collection}" within ${LOAD_WAIT_MS / 60_000} minutes (${String(res.progress)}% loaded)`,
          { hint: 'check the Milvus server (its query nodes and their memory), then run the same command again' },
        );
      }
      await sleep(Math.min(400, 20 * 2 ** i));
    }
  }

  async *listChunks(
    collection: string,
    where: { source?: string; prefix?: string; exceptIds?: readonly string[] },
  ): AsyncIterable<{ id: string; source: string }[]> {
    await this.load(collection);
    // Page through by primary key so that memory stays bounded whatever the collection's size. Milvus Lite answers a
    // query at a cost per row plus ~0.15 s per call, so pages are as large as a query may be.
    const size = this.opts.listPage ?? MAX_QUERY_WINDOW;
    let last: string | null = null;
    for (let page = 0; page < 1_000_000; page++) {
      const parts: string[] = [];
      if (last !== null) parts.push(`id > ${last}`);
      if (where.source !== undefined) parts.push(`source == ${milvusString(where.source)}`);
      // LIKE's wildcards (% and _) may over-match: rows are checked against the prefix below.
      else if (where.prefix) parts.push(`source like ${milvusString(`${where.prefix}%`)}`);
      // Ids are int64 numbers in decimal: nothing to quote.
      if (where.exceptIds?.length) parts.push(`id not in [${where.exceptIds.join(',')}]`);
      const filter = parts.join(' and ') || 'id >= -9223372036854775808';
      const res = await this.call('query', () =>
        this.client.query({
          collection_name: collection,
          filter,
          output_fields: ['id', 'source'],
          limit: size,
          // Without these a query with a limit returns *some* matching rows, not the lowest ids (Milvus Lite does
          // not sort), and paging by `id > last` skips the rest: what pymilvus's query_iterator asks for.
          params: { iterator: 'True', reduce_stop_for_best: 'True' },
        }),
      );
      const all = (res.data as { id: string | number; source: string }[]).map((r) => ({
        id: String(r.id),
        source: r.source,
      }));
      if (all.length === 0) return;
      all.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const rows = all.filter((r) =>
        where.source !== undefined ? r.source === where.source : r.source.startsWith(where.prefix ?? ''),
      );
      yield rows;
      if (all.length < size) return;
      last = all[all.length - 1]?.id ?? null;
    }
  }

  /** Refuses to write to a collection rag did not build. */
  private writable(collection: string): void {
    if (this.foreign.has(collection)) {
      throw new RagError(
        `collection "${collection}" was not built by rag: rag only reads it (ask, eval) and never changes it`,
        {
          hint: 'ingest into another --collection',
        },
      );
    }
  }

  async vectorsByKey(collection: string, keys: string[]): Promise<Map<string, number[]>> {
    const found = new Map<string, number[]>();
    if (keys.length === 0) return found;
    await this.load(collection);
    for (let i = 0; i < keys.length; i += PAGE) {
      const part = [...new Set(keys.slice(i, i + PAGE))];
      const res = await this.call('query', () =>
        this.client.query({
          collection_name: collection,
          filter: `key in [${part.map(milvusString).join(',')}]`,
          output_fields: ['key', 'vector'],
          // One text may be stored many times (boilerplate): room for copies, at Milvus's largest query window.
          limit: MAX_QUERY_WINDOW,
        }),
      );
      for (const r of res.data as { key: string; vector: number[] }[])
        if (!found.has(r.key) && r.vector?.length) found.set(r.key, r.vector);
    }
    return found;
  }

  async upsert(collection: string, rows: StoredChunk[]): Promise<void> {
    this.writable(collection);
    if (rows.length === 0) return;
    await this.call('upsert', () =>
      this.client.upsert({
        collection_name: collection,
        data: rows.map((r) => ({
          id: r.id,
          vector: r.vector,
          text: r.text,
          index_text: r.indexText,
          source: r.source,
          position: r.position,
          part: r.part,
          front: r.front,
          key: r.key,
        })),
      }),
    );
  }

  async deleteIds(collection: string, ids: string[]): Promise<void> {
    this.writable(collection);
    for (let i = 0; i < ids.length; i += PAGE) {
      const part = ids.slice(i, i + PAGE);
      await this.call('delete', () =>
        this.client.delete({ collection_name: collection, filter: `id in [${part.join(',')}]` }),
      );
    }
  }

  async partsOf(
    collection: string,
    pieces: { id: string; source: string; position: number; part: number }[],
  ): Promise<{ source: string; position: number; part: number; text: string }[]> {
    if (pieces.length === 0) return [];
    await this.load(collection);
    if (this.partIds.has(collection)) return this.partsById(collection, pieces);
    // An older collection: its parts' ids are unrelated, so they are found by a filter (a scan of the collection).
    const filter = pieces
      .map((p) => `(source == ${milvusString(p.source)} and position == ${Math.trunc(p.position)})`)
      .join(' or ');
    const res = await this.call('query', () =>
      this.client.query({
        collection_name: collection,
        filter,
        output_fields: ['source', 'position', 'part', 'text'],
        limit: PAGE,
      }),
    );
    return (res.data as Record<string, unknown>[]).map((r) => ({
      source: String(r.source),
      position: Number(r.position),
      part: Number(r.part ?? 0),
      text: String(r.text ?? ''),
    }));
  }

  /**
   * Parts by primary key: a piece's parts are ids base … base + n − 1 (base = id − part), asked 16 at a time until a
   * piece has no more; a piece stored whole answers with itself only. A few milliseconds where a filter scans.
   */
  private async partsById(
    collection: string,
    pieces: { id: string; source: string; position: number; part: number }[],
  ): Promise<{ source: string; position: number; part: number; text: string }[]> {
    const STEP = 16n;
    const out: { source: string; position: number; part: number; text: string }[] = [];
    let open = pieces.map((p) => ({ ...p, base: BigInt(p.id) - BigInt(p.part), next: 0n }));
    for (let round = 0; open.length > 0 && round < 1024; round++) {
      const ids = open.flatMap((p) =>
        Array.from({ length: Number(STEP) }, (_, i) => (p.base + p.next + BigInt(i)).toString()),
      );
      const res = await this.call('query', () =>
        this.client.query({
          collection_name: collection,
          filter: `id in [${ids.join(',')}]`,
          output_fields: ['id', 'source', 'position', 'part', 'text'],
          limit: ids.length,
        }),
      );
      const rows = (res.data as Record<string, unknown>[]).map((r) => ({
        id: BigInt(String(r.id)),
        source: String(r.source),
        position: Number(r.position),
        part: Number(r.part ?? 0),
        text: String(r.text ?? ''),
      }));
      const more: typeof open = [];
      for (const p of open) {
        // Rows of this piece: its source and position, and its id range (ids are checked, not just assumed).
        const mine = rows.filter(
          (r) =>
            r.source === p.source &&
            r.position === p.position &&
            r.id >= p.base + p.next &&
            r.id < p.base + p.next + STEP &&
            r.id - p.base === BigInt(r.part),
        );
        out.push(...mine.map(({ source, position, part, text }) => ({ source, position, part, text })));
        if (mine.length === Number(STEP)) more.push({ ...p, next: p.next + STEP });
      }
      open = more;
    }
    return out;
  }

  async count(collection: string): Promise<number> {
    await this.load(collection);
    const res = await this.call('count', () => this.client.count({ collection_name: collection }));
    return Number(res.data);
  }

  async search(collection: string, query: ListQuery, opts: ListOptions): Promise<SearchHit[]> {
    await this.load(collection);
    type Results = { status: Status; results: unknown };
    const filter = opts.skipFront ? 'front == false' : '';
    const res = await this.call(`${query.kind} search`, (): Promise<Results> =>
      query.kind === 'dense'
        ? this.client.search({
            collection_name: collection,
            data: [query.vector],
            anns_field: 'vector',
            metric_type: 'IP',
            limit: opts.limit,
            filter,
            output_fields: HIT_FIELDS,
          })
        : this.client.search({
            collection_name: collection,
            data: [query.text],
            anns_field: 'sparse',
            metric_type: 'BM25',
            limit: opts.limit,
            filter,
            output_fields: HIT_FIELDS,
          }),
    );
    return (res.results as unknown as Record<string, unknown>[]).map((r) => ({
      id: String(r.id),
      text: String(r.text ?? ''),
      source: String(r.source ?? ''),
      position: Number(r.position ?? 0),
      part: Number(r.part ?? 0),
      // Milvus Lite reports BM25 scores negated (a distance); rag reports higher = better in every mode.
      score: query.kind === 'bm25' ? Math.abs(Number(r.score)) : Number(r.score),
    }));
  }

  async close(): Promise<void> {
    try {
      await this.client.closeConnection();
    } catch {
      // already closed
    }
  }
}
