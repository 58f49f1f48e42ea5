// The `rag serve` server: keeps Milvus (Lite) and embedding models open, answers the socket protocol, hands the Lite folder over, exits when idle.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { RagError, errorMessage } from '../core/errors.js';
import {
  SERVE_PROTOCOL,
  type ModelSettings,
  type Replies,
  type Request,
  type ServeInfo,
  type ServeStatus,
  type WireError,
} from '../core/serve-protocol.js';
import type { Embedder, VectorStore } from '../core/types.js';
import { ServeConnection, ensurePrivateDir, pidAlive, readInfo, type ServePaths } from './serve-client.js';

export interface Opened<T> {
  value: T;
  close(): Promise<void>;
  /** How the process behind it ended, if it ended on its own (an embedded Milvus Lite killed or crashed). */
  lost?(): string | undefined;
}

export interface WarmDeps {
  /** Lite data folder (true) or Milvus server (false): only a Lite folder is handed over. */
  lite: boolean;
  /** Open Milvus; afterHandOver: do not wait for the data folder's lock (the caller falls back instead). */
  openStore(afterHandOver: boolean): Promise<Opened<VectorStore>>;
  openEmbedder(settings: ModelSettings): Promise<Opened<Embedder>>;
  log(message: string): void;
}

export interface WarmOptions {
  /** Minutes without a request before exiting; 0 = never. */
  idleMinutes: number;
  /** Settings of the model to load before the first request, given the open store (undefined: none). */
  preload?: ((store: VectorStore) => Promise<ModelSettings | undefined>) | undefined;
}

/** Models kept loaded at once (the configured one and one more, e.g. a collection built by another model). */
const MAX_MODELS = 2;
/** How long a hand-over waits for requests in flight before closing Milvus Lite under them. */
const RELEASE_WAIT_MS = 10_000;
const MAX_LINE = 4 * 1024 * 1024;

const busy = (message: string): WireError => ({
  message,
  code: 'busy',
  hint: 'the data folder is in use by another rag process',
});

function settingsKey(s: ModelSettings): string {
  return JSON.stringify([
    s.model,
    s.modelPath,
    s.cacheDir,
    s.hfEndpoint,
    s.offline,
    s.dtype,
    s.queryPrefix,
    s.docPrefix,
    s.batchSize,
  ]);
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? null) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export class WarmServer {
  private readonly token = randomBytes(32).toString('hex');
  private readonly tokenBuf = Buffer.from(this.token);
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private store: Promise<Opened<VectorStore>> | undefined;
  private readonly models = new Map<string, Promise<Opened<Embedder>>>();
  private handedOverTo: number | undefined;
  private sessions = 0;
  private requests = 0;
  private readonly embedTimes: number[] = [];
  private readonly searchTimes: number[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private handOverTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly started = Date.now();
  private ready: Promise<void> = Promise.resolve();
  private isReady = false;
  private resolveClosed!: (reason: string) => void;
  /** Resolves with the reason (idle, request, signal) once the server has stopped and removed its files. */
  readonly closed = new Promise<string>((resolve) => {
    this.resolveClosed = resolve;
  });

  constructor(
    private readonly paths: ServePaths,
    private readonly deps: WarmDeps,
    private readonly opts: WarmOptions,
  ) {}

  /** Listen (refusing when a live server already does), write the info file, then warm up in the background. */
  async start(): Promise<void> {
    const p = this.paths;
    ensurePrivateDir(p.dir);
    const existing = readInfo(p.info);
    try {
      const conn = await ServeConnection.open(p.socket, 1000);
      conn.close();
      throw new RagError(
        `rag serve is already running for ${p.target}${existing ? ` (pid ${existing.pid})` : ''} at ${p.socket}`,
        {
          hint: 'use it, or stop it first with `rag serve --stop`',
        },
      );
    } catch (e) {
      if (e instanceof RagError) throw e;
      // Nobody listens: whatever files are left are stale (a killed server).
      rmSync(p.socket, { force: true });
      rmSync(p.info, { force: true });
    }
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(p.socket, 0o600);
    const info: ServeInfo = {
      protocol: SERVE_PROTOCOL,
      pid: process.pid,
      socket: p.socket,
      target: p.target,
      token: this.token,
      started: new Date(this.started).toISOString(),
    };
    writeFileSync(p.info, `${JSON.stringify(info)}\n`, { mode: 0o600, flag: 'wx' });
    this.armIdle();
    this.ready = (async () => {
      const store = await this.acquire(process.pid);
      const settings = await this.opts.preload?.(store);
      if (settings) await this.embedder(settings);
      this.isReady = true;
    })();
    // A failed warm-up is reported by whoever awaits ready(); requests see the same error.
    this.ready.catch(() => undefined);
  }

  /** Resolves once Milvus and the configured model are loaded; rejects with why they could not be. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.opts.idleMinutes <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.sessions > 0) this.armIdle();
      else void this.stop('idle');
    }, this.opts.idleMinutes * 60_000);
    this.idleTimer.unref();
  }

  /** Milvus, reopened after a hand-over once the process it went to has finished, or when Milvus Lite died. */
  private async acquire(pid: number): Promise<VectorStore> {
    // A Milvus Lite that ended on its own is replaced: otherwise every later request fails with "cannot reach Milvus".
    // Checked first, so that no await separates the hand-over check below from the opening.
    const current = this.store;
    const opened = await current?.catch(() => undefined);
    const how = opened?.lost?.();
    if (how && this.store === current) {
      this.store = undefined;
      this.deps.log(`Milvus Lite stopped unexpectedly (${how}): reopening it`);
      void opened?.close().catch(() => undefined);
    }
    let afterHandOver = false;
    if (this.handedOverTo !== undefined) {
      if (this.handedOverTo !== pid && pidAlive(this.handedOverTo))
        throw busy(`the Milvus Lite data folder is handed over to pid ${this.handedOverTo}`);
      this.handedOverTo = undefined;
      afterHandOver = true;
    }
    if (!this.store) {
      const opening = this.deps.openStore(afterHandOver);
      this.store = opening;
      opening.catch(() => {
        if (this.store === opening) this.store = undefined;
      });
      if (afterHandOver) this.deps.log('reopening Milvus Lite');
    }
    try {
      return (await this.store).value;
    } catch (e) {
      if (afterHandOver) throw busy(`Milvus Lite could not be reopened: ${errorMessage(e)}`);
      throw e;
    }
  }

  private async openedStore(): Promise<VectorStore> {
    if (!this.store) throw busy('Milvus is not open (handed over)');
    return (await this.store).value;
  }

  private async embedder(settings: ModelSettings): Promise<{ key: string; embedder: Embedder }> {
    const key = settingsKey(settings);
    let loading = this.models.get(key);
    if (!loading) {
      loading = this.deps.openEmbedder(settings);
      this.models.set(key, loading);
      loading.catch(() => {
        if (this.models.get(key) === loading) this.models.delete(key);
      });
      // Least recently loaded goes first.
      while (this.models.size > MAX_MODELS) {
        const [oldKey, old] = this.models.entries().next().value as [string, Promise<Opened<Embedder>>];
        this.models.delete(oldKey);
        void old.then(
          (o) => o.close(),
          () => undefined,
        );
      }
    } else {
      this.models.delete(key);
      this.models.set(key, loading);
    }
    return { key, embedder: (await loading).value };
  }

  /** Hand the Lite data folder over to pid: finish requests in flight, stop Milvus Lite, stay closed while pid runs. */
  private async release(pid: number): Promise<boolean> {
    if (!this.deps.lite) return false;
    this.handedOverTo = pid;
    this.watchHandOver();
    const deadline = Date.now() + RELEASE_WAIT_MS;
    while (this.sessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const store = this.store;
    this.store = undefined;
    if (store) {
      await store.then(
        (s) => s.close(),
        () => undefined,
      );
      this.deps.log(`handed the Milvus Lite data folder over to pid ${pid}`);
    }
    return true;
  }

  /** Once the process the folder went to has exited, reopen Milvus Lite in the background (no lock wait; else lazily later). */
  private watchHandOver(): void {
    clearInterval(this.handOverTimer);
    this.handOverTimer = setInterval(() => {
      const pid = this.handedOverTo;
      if (pid !== undefined && pidAlive(pid)) return;
      clearInterval(this.handOverTimer);
      if (pid !== undefined && !this.stopping) this.acquire(process.pid).catch(() => undefined);
    }, 250);
    this.handOverTimer.unref();
  }

  status(): ServeStatus {
    return {
      pid: process.pid,
      socket: this.paths.socket,
      target: this.paths.target,
      protocol: SERVE_PROTOCOL,
      ready: this.isReady,
      milvusOpen: this.store !== undefined,
      handedOverTo: this.handedOverTo !== undefined && pidAlive(this.handedOverTo) ? this.handedOverTo : null,
      models: [...this.models.keys()].map((k) => {
        const [model, modelPath] = JSON.parse(k) as [string, string | null];
        return modelPath ? `local:${modelPath}` : model;
      }),
      requests: this.requests,
      sessions: this.sessions,
      idleMinutes: this.opts.idleMinutes,
      uptime: (Date.now() - this.started) / 1000,
      rss: process.memoryUsage.rss(),
      embedMedian: median(this.embedTimes),
      searchMedian: median(this.searchTimes),
    };
  }

  private record(list: number[], seconds: number): void {
    list.push(seconds);
    if (list.length > 200) list.shift();
  }

  private onConnection(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    let authed = false;
    let acquired = false;
    let buffer = '';
    const reply = (id: number, r: { ok: true; result: unknown } | { ok: false; error: WireError }): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify({ id, ...r })}\n`);
    };
    socket.on('data', (d: string) => {
      buffer += d;
      if (buffer.length > MAX_LINE) {
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let req: Request & { id: number };
        try {
          req = JSON.parse(line) as Request & { id: number };
        } catch {
          socket.destroy();
          return;
        }
        const id = typeof req.id === 'number' ? req.id : 0;
        if (!authed) {
          // The first request must be hello with the token; anything else ends the connection.
          const given = req.op === 'hello' && typeof req.token === 'string' ? Buffer.from(req.token) : Buffer.alloc(0);
          if (given.length !== this.tokenBuf.length || !timingSafeEqual(given, this.tokenBuf)) {
            reply(id, {
              ok: false,
              error: {
                message: 'rag serve refused the request: missing or wrong token',
                code: 'unauthorized',
                hint: 'clients read the token from the 0600 file next to the socket',
              },
            });
            socket.end();
            return;
          }
          authed = true;
        }
        this.requests++;
        this.armIdle();
        this.handle(req, () => {
          if (!acquired) {
            acquired = true;
            this.sessions++;
          }
        }).then(
          (result) => reply(id, { ok: true, result }),
          (e: unknown) => {
            const err: WireError =
              e instanceof RagError
                ? { message: e.message, hint: e.hint, exitCode: e.exitCode }
                : e &&
                    typeof e === 'object' &&
                    'message' in e &&
                    'code' in e &&
                    typeof (e as WireError).code === 'string'
                  ? (e as WireError)
                  : { message: errorMessage(e) };
            reply(id, { ok: false, error: err });
          },
        );
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (acquired) this.sessions--;
      this.armIdle();
    });
  }

  private async handle(req: Request, onAcquired: () => void): Promise<Replies[Request['op']]> {
    switch (req.op) {
      case 'hello': {
        if (req.protocol !== SERVE_PROTOCOL)
          throw {
            message: `rag serve speaks protocol ${SERVE_PROTOCOL}, the client ${req.protocol}`,
            code: 'protocol',
          } satisfies WireError;
        if (req.acquire) {
          await this.ready.catch(() => undefined);
          await this.acquire(req.pid);
          onAcquired();
        }
        return { protocol: SERVE_PROTOCOL, target: this.paths.target };
      }
      case 'describe':
        return (await this.openedStore()).describe(req.collection);
      case 'count':
        return (await this.openedStore()).count(req.collection);
      case 'embedder': {
        const { key, embedder } = await this.embedder(req.settings);
        return { model: key, info: embedder.info };
      }
      case 'embedQuery': {
        const loading = this.models.get(req.model);
        if (!loading) throw new RagError('the embedding model was unloaded', { hint: 'run the command again' });
        const embedder = (await loading).value;
        const t0 = performance.now();
        const vector = await embedder.embedQuery(req.text);
        this.record(this.embedTimes, (performance.now() - t0) / 1000);
        return vector;
      }
      case 'search': {
        const store = await this.openedStore();
        const t0 = performance.now();
        const hits = await store.search(req.collection, req.query, req.opts);
        this.record(this.searchTimes, (performance.now() - t0) / 1000);
        return hits;
      }
      case 'partsOf':
        return (await this.openedStore()).partsOf(req.collection, req.pieces);
      case 'status':
        return this.status();
      case 'release':
        return { released: await this.release(req.pid) };
      case 'stop':
        setImmediate(() => void this.stop('request'));
        return { stopping: true };
      default:
        throw new RagError(`unknown request ${(req as { op: string }).op}`);
    }
  }

  /** Stop listening, close Milvus (Lite) and the models, remove the socket and info files. */
  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.idleTimer);
      clearInterval(this.handOverTimer);
      this.deps.log(`stopping (${reason})`);
      this.server?.close();
      for (const s of this.sockets) s.destroy();
      const info = readInfo(this.paths.info);
      if (info?.pid === process.pid) {
        rmSync(this.paths.info, { force: true });
        rmSync(this.paths.socket, { force: true });
      }
      const store = this.store;
      this.store = undefined;
      await store?.then(
        (s) => s.close(),
        () => undefined,
      );
      for (const m of this.models.values())
        await m.then(
          (o) => o.close(),
          () => undefined,
        );
      this.models.clear();
      this.resolveClosed(reason);
    })();
    return this.stopping;
  }
}
