// Runtime of a command: config from flags/env/.env, the lifecycle (signals, cleanups), Milvus and the embedder.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { checkMode, checkModel, openCollection, searchModeFor } from '../core/retrieve.js';
import { SETTINGS, isServerUri, resolveConfig, type Config, type Resolved, type SettingFlags } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import type { CollectionMeta, Embedder, SearchMode, VectorStore } from '../core/types.js';
import type { MilvusLiteServer } from '../services/milvus-lite.js';
import { registerSecret, say } from './render.js';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Lifecycle {
  signal: AbortSignal;
  /** Name of the signal that interrupted the command, if any. */
  interruptedBy(): NodeJS.Signals | undefined;
  defer(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

let caught: NodeJS.Signals | undefined;
const liteServers: MilvusLiteServer[] = [];

/** How an embedded Milvus Lite started by this process ended, if it ended on its own (killed, crashed). */
export function lostMilvusLite(): string | undefined {
  return liteServers.map((s) => s.lost()).find((how) => how !== undefined);
}

/** The signal that interrupted this process, if any (exit code 130 for SIGINT, 143 for SIGTERM). */
export function caughtSignal(): NodeJS.Signals | undefined {
  return caught;
}

async function runAll(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const fn of cleanups.splice(0)) {
    try {
      await fn();
    } catch {
      // cleanup is best effort; the process exit hook stops what is left
    }
  }
}

/** Ctrl-C / SIGTERM abort the command gracefully; a second one stops at once (cleanup still runs on exit). */
export function lifecycle(): Lifecycle {
  const controller = new AbortController();
  const cleanups: (() => Promise<void>)[] = [];
  const onSignal = (sig: NodeJS.Signals): void => {
    if (caught) {
      // The exit hook of milvus-lite.ts signals the server, which then shuts down on its own.
      say(`error: stopped at once by ${sig} (hint: run the same command again to finish)`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    caught = sig;
    // On a terminal, say at once that the stop has begun; scripts get the one error line at the end.
    if (process.stderr.isTTY)
      say(
        `\n${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping after the current batch (again to stop at once)`,
      );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let closed = false;
  return {
    signal: controller.signal,
    interruptedBy: () => caught,
    // Something that finished opening after the command ended (it failed while the other started) is closed at once.
    defer: (fn) => {
      if (closed) void runAll([fn]);
      else cleanups.unshift(fn);
    },
    async close() {
      closed = true;
      await runAll(cleanups);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** A child of a lifecycle whose cleanups can run early (close()); otherwise they run with the parent's. */
export function scope(parent: Lifecycle): Lifecycle {
  const cleanups: (() => Promise<void>)[] = [];
  const child: Lifecycle = {
    signal: parent.signal,
    interruptedBy: () => parent.interruptedBy(),
    defer: (fn) => {
      cleanups.unshift(fn);
    },
    close: () => runAll(cleanups),
  };
  parent.defer(() => child.close());
  return child;
}

const RAG_ENV_NAMES = new Set(SETTINGS.flatMap((s) => s.env));

/** ./.env as name → value; a quote left open is an error naming its line (parseEnv would swallow what follows). */
export function readDotenv(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RagError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'fix or remove the .env file',
    });
  }
  const values = parseEnv(text) as Record<string, string>;
  const lines = text.split(/\r\n|\r|\n/);
  for (const [name, value] of Object.entries(values)) {
    // Closed quotes are removed by parseEnv. A value that still starts with its quote, or a rag setting that
    // runs over several lines, had its quote left open.
    const opened = /^["'`]/.test(value) || (RAG_ENV_NAMES.has(name) && /[\r\n]/.test(value));
    if (!opened) continue;
    const at = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=\\s*["'\`]`).test(l));
    if (at < 0) continue;
    throw usageError(
      `${file} line ${at + 1}: the value of ${name} opens a quote that is never closed`,
      'close the quote on the same line, or remove it',
    );
  }
  return values;
}

/** Flags over environment over ./.env over defaults; secrets are registered so that no output shows them. */
export function loadConfig(flags: SettingFlags, cwd = process.cwd()): Resolved {
  const file = path.join(cwd, '.env');
  const dotenv = existsSync(file) ? readDotenv(file) : {};
  const resolved = resolveConfig({ flags, env: process.env, dotenv });
  // Whatever fails later, these never reach the output (reportError scrubs them).
  registerSecret(resolved.config.milvusToken);
  registerSecret(resolved.config.llmApiKey);
  return resolved;
}

/** The Python that runs Milvus Lite: RAG_PYTHON, else the project .venv, else python3. */
export function effectivePython(config: Config): string {
  if (config.python) return config.python;
  const venv =
    process.platform === 'win32'
      ? path.join(PACKAGE_ROOT, '.venv', 'Scripts', 'python.exe')
      : path.join(PACKAGE_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** The model cache: --cache-dir / RAG_CACHE_DIR, else $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export async function effectiveCacheDir(config: Config): Promise<string> {
  if (config.cacheDir) return config.cacheDir;
  const { defaultCacheDir } = await import('../services/embedder.js');
  return defaultCacheDir(process.env);
}

export interface StoreOptions {
  /** ask, eval, config --check: never create a Milvus Lite data folder (a mistyped path is an error). */
  readOnly?: boolean;
  /** Filled with the seconds spent starting Milvus Lite (0 for a server). */
  timings?: { milvusStart: number };
  /** Filled with how the embedded Milvus Lite ended if it ended on its own (killed, crashed); not set for a server. */
  lite?: { lost?: () => string | undefined };
}

/** The error of a read-only command on a Milvus Lite folder that does not exist. */
export function noDataError(dataDir: string): RagError {
  return new RagError(`no Milvus Lite data at ${dataDir}`, {
    hint: 'run `rag ingest <path>` first, or point --milvus-uri (MILVUS_URI) at the data folder',
  });
}

/** What a Milvus URI points at: the server's URI, or the Milvus Lite data folder as an absolute path. */
export function milvusTarget(uri: string): string {
  return isServerUri(uri) ? uri : path.resolve(uri);
}

/** Connects to the Milvus server, or starts Milvus Lite on the data folder; closes both with the lifecycle. */
export async function openStore(resolved: Resolved, life: Lifecycle, opts: StoreOptions = {}): Promise<VectorStore> {
  const { config } = resolved;
  const timeoutMs = config.milvusTimeout * 1000;
  // The Milvus SDK's gRPC client reads lower-case proxy variables: loopback (Milvus Lite) must never use them.
  const { keepLoopbackOffGrpcProxy } = await import('../services/proxy.js');
  keepLoopbackOffGrpcProxy();
  if (isServerUri(config.milvusUri)) {
    const { MilvusStore } = await import('../services/vector-store.js');
    const store = new MilvusStore({
      address: config.milvusUri,
      token: config.milvusToken,
      label: config.milvusUri,
      timeoutMs,
    });
    life.defer(() => store.close());
    return store;
  }
  const dataDir = milvusTarget(config.milvusUri);
  if (opts.readOnly && !existsSync(dataDir)) throw noDataError(dataDir);
  const { startMilvusLite } = await import('../services/milvus-lite.js');
  const t0 = performance.now();
  let spawned: string | undefined;
  const starting = startMilvusLite({
    onSpawn: (address) => {
      spawned = address;
    },
    dataDir,
    python: effectivePython(config),
    lockWaitMs: config.lockTimeout * 1000,
    startTimeoutMs: 60_000,
    signal: life.signal,
    onWait: (m) => say(m),
  });
  starting.catch(() => undefined); // awaited below; the Milvus SDK (~0.3 s to load) loads while the process starts
  const { MilvusStore } = await import('../services/vector-store.js');
  // The client's protocol definitions (~0.4 s) are built while the Python process starts, on the other core.
  const build = (address: string): InstanceType<typeof MilvusStore> =>
    new MilvusStore({ address, label: config.milvusUri, timeoutMs, deferConnect: true });
  const early = spawned ? build(spawned) : undefined;
  let server: Awaited<typeof starting>;
  try {
    server = await starting;
  } catch (e) {
    await early?.close();
    throw e;
  }
  liteServers.push(server);
  life.defer(() => server.stop());
  if (opts.lite) opts.lite.lost = () => server.lost();
  if (opts.timings) opts.timings.milvusStart = (performance.now() - t0) / 1000;
  let store = early;
  if (store?.address !== server.address) {
    await store?.close();
    store = build(server.address);
  }
  store.connect();
  const opened = store;
  life.defer(() => opened.close());
  return store;
}

export async function openEmbedder(
  resolved: Resolved,
  life: Lifecycle,
  onDownload?: (e: { file: string; loaded: number; total: number }) => void,
  lazy = false,
): Promise<Embedder> {
  const { config } = resolved;
  // Model downloads honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (Node's fetch does not on its own).
  const { useProxyFromEnv } = await import('../services/proxy.js');
  await useProxyFromEnv();
  const { createEmbedder } = await import('../services/embedder.js');
  const embedder = await createEmbedder({
    model: config.model,
    modelPath: config.modelPath,
    cacheDir: await effectiveCacheDir(config),
    remoteHost: config.hfEndpoint,
    offline: config.offline,
    dtype: config.dtype,
    queryPrefix: config.queryPrefix,
    docPrefix: config.docPrefix,
    batchSize: config.batchSize,
    batchTokens: config.batchTokens,
    lazy,
    onDownload,
  });
  life.defer(() => embedder.close());
  return embedder;
}

/** The local model folder recorded at ingest, when it is still there: the same model, found without --model-path. */
export function recordedModelFolder(meta: CollectionMeta): string | undefined {
  return meta.model.startsWith('local:') && meta.modelPath && existsSync(path.join(meta.modelPath, 'config.json'))
    ? meta.modelPath
    : undefined;
}

/** Loads the configured model, or the one that built the collection when none was chosen. */
export async function embedderFor(
  resolved: Resolved,
  meta: CollectionMeta,
  life: Lifecycle,
  loading: Promise<Embedder>,
  open = openEmbedder,
): Promise<Embedder> {
  const chosen = resolved.sources.model.from !== 'default' || resolved.sources.modelPath.from !== 'default';
  if (!chosen && meta.foreign) {
    throw new RagError(
      `collection "${resolved.config.collection}" was not built by rag, so which model embedded it is unknown`,
      {
        hint: 'pass that model with --model or --model-path (rag searches it read-only, dense)',
      },
    );
  }
  if (!chosen && meta.model.startsWith('local:')) {
    const recorded = recordedModelFolder(meta);
    if (recorded) {
      await loading.then(
        (e) => e.close(),
        () => undefined,
      );
      return open({ ...resolved, config: { ...resolved.config, modelPath: recorded } }, life);
    }
    throw new RagError(
      `collection "${resolved.config.collection}" was built with the local model folder "${meta.model.slice('local:'.length)}"`,
      {
        hint: 'pass the same folder with --model-path (RAG_MODEL_PATH)',
      },
    );
  }
  if (!chosen && !meta.model.startsWith('local:') && meta.model !== resolved.config.model) {
    await loading.then(
      (e) => e.close(),
      () => undefined,
    );
    return open({ ...resolved, config: { ...resolved.config, model: meta.model } }, life);
  }
  return loading;
}

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
export async function openRetriever(
  resolved: Resolved,
  life: Lifecycle,
  opts: RetrieverOptions = {},
): Promise<Retriever> {
  const { config, sources } = resolved;
  // Milvus gets its own scope: it can be released as soon as the chunks are retrieved, not held through a long
  // LLM answer (an idle gRPC channel would also get "excess pings" errors).
  const storeScope = scope(life);
  // A running `rag serve` for this target, unless --no-server; else everything in this process.
  const { chooseOpeners } = await import('./warm.js');
  const via = await chooseOpeners(resolved, opts.useServer !== false, life);
  const timings: OpenTimings = { milvusStart: 0, connect: 0, modelLoad: 0, collection: 0 };
  const tm = performance.now();
  opts.status?.('starting Milvus and loading the model…');
  const started = { milvusStart: 0 };
  const storing = via.openStore(resolved, storeScope, { readOnly: true, timings: started });
  storing.catch(() => undefined);
  let first: Embedder | undefined;
  const loading = via.openEmbedder(resolved, life).then((e) => {
    timings.modelLoad = (performance.now() - tm) / 1000;
    first = e;
    return e;
  });
  loading.catch(() => undefined);
  const store = await storing;
  const tc = performance.now();
  timings.milvusStart = started.milvusStart;
  timings.connect = Math.max(0, (tc - tm) / 1000 - started.milvusStart);
  const meta = await openCollection(store, config.collection);
  timings.collection = (performance.now() - tc) / 1000;
  // The default mode falls back to dense on a collection without BM25.
  const modes = opts.compare ?? [searchModeFor(meta, config.search, sources.search.from !== 'default')];
  for (const mode of modes) checkMode(meta, mode, config.collection);
  if (!first) opts.status?.('loading the model…');
  const tw = performance.now();
  const embedder = await embedderFor(resolved, meta, life, loading, via.openEmbedder);
  if (embedder !== first) timings.modelLoad += (performance.now() - tw) / 1000; // reloaded: the model that built the collection
  checkModel(meta, embedder.info, config.collection);
  return { store, embedder, meta, modes, timings, path: via.path, releaseStore: () => storeScope.close() };
}
