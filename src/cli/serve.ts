// `rag serve`: a warm server for one Milvus target (foreground, --detach, --stop, --status, --idle minutes).

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { isServerUri, type Resolved, type SettingFlags } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import { DEFAULT_IDLE_MINUTES, type ModelSettings, type ServeStatus } from '../core/serve-protocol.js';
import type { VectorStore } from '../core/types.js';
import { attach, ensurePrivateDir, pidAlive, servePaths, type ServePaths } from '../services/serve-client.js';
import type { WarmServer } from '../services/warm-server.js';
import {
  lifecycle,
  loadConfig,
  openEmbedder,
  openStore,
  recordedModelFolder,
  scope,
  type Lifecycle,
} from './runtime.js';
import { json, out, say } from './render.js';
import { modelSettings } from './warm.js';
import type { CommonFlags } from './main.js';

export interface ServeFlags extends CommonFlags, SettingFlags {
  detach?: boolean;
  stop?: boolean;
  status?: boolean;
  idle?: string;
}

function idleMinutes(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_IDLE_MINUTES;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw usageError(
      `--idle must be a number of minutes ≥ 0, got "${raw}"`,
      'e.g. --idle 30; 0 = never stop by itself',
    );
  return n;
}

/** The model to load at start: the configured one, or the one that built the collection when none was chosen. */
async function preloadFor(resolved: Resolved, store: VectorStore): Promise<ModelSettings | undefined> {
  // Describing and counting the configured collection loads it into memory before the first question.
  const meta = await store.describe(resolved.config.collection).catch(() => null);
  if (meta) await store.count(resolved.config.collection).catch(() => 0);
  const chosen = resolved.sources.model.from !== 'default' || resolved.sources.modelPath.from !== 'default';
  if (chosen) return modelSettings(resolved);
  const recorded = meta ? recordedModelFolder(meta) : undefined;
  if (recorded) return modelSettings({ ...resolved, config: { ...resolved.config, modelPath: recorded } });
  if (!meta || meta.model.startsWith('local:')) return undefined;
  return modelSettings({ ...resolved, config: { ...resolved.config, model: meta.model } });
}

function notRunning(p: ServePaths): RagError {
  return new RagError(`no rag serve is running for ${p.target}`, {
    hint: 'start one with `rag serve --detach` (same --milvus-uri)',
  });
}

/** Start a warm server for this target on its socket (listening at once; whenReady() once Milvus and the model are loaded). */
export async function startServer(
  resolved: Resolved,
  p: ServePaths,
  idle: number,
  life: Lifecycle,
  log: (m: string) => void,
): Promise<WarmServer> {
  const { WarmServer } = await import('../services/warm-server.js');
  const server = new WarmServer(
    p,
    {
      lite: !isServerUri(resolved.config.milvusUri),
      async openStore(afterHandOver) {
        const s = scope(life);
        const r = afterHandOver ? { ...resolved, config: { ...resolved.config, lockTimeout: 0 } } : resolved;
        const lite: { lost?: () => string | undefined } = {};
        try {
          const store = await openStore(r, s, { lite });
          return { value: store, close: () => s.close(), lost: () => lite.lost?.() };
        } catch (e) {
          await s.close();
          throw e;
        }
      },
      async openEmbedder(settings) {
        const s = scope(life);
        try {
          const t0 = performance.now();
          const embedder = await openEmbedder({ ...resolved, config: { ...resolved.config, ...settings } }, s);
          log(`loaded ${embedder.info.model} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          return { value: embedder, close: () => s.close() };
        } catch (e) {
          await s.close();
          throw e;
        }
      },
      log,
    },
    { idleMinutes: idle, preload: (store) => preloadFor(resolved, store) },
  );
  await server.start();
  life.signal.addEventListener('abort', () => void server.stop(`signal ${life.interruptedBy() ?? ''}`.trim()), {
    once: true,
  });
  return server;
}

async function foreground(resolved: Resolved, p: ServePaths, idle: number): Promise<number> {
  const life = lifecycle();
  const log = (m: string): void => say(`rag serve: ${m}`);
  let server: WarmServer | undefined;
  try {
    server = await startServer(resolved, p, idle, life, log);
    log(
      `listening on ${p.socket} for ${p.target} (pid ${process.pid}; ${idle > 0 ? `stops after ${idle} min without a request` : 'no idle stop'})`,
    );
    const t0 = performance.now();
    try {
      await server.whenReady();
    } catch (e) {
      await server.stop('start-up failed');
      throw e;
    }
    log(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await server.closed;
    return 0;
  } finally {
    await server?.stop('exit');
    await life.close();
  }
}

function lastLogLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    return lines.reverse().find((l) => l.startsWith('error:')) ?? lines[0] ?? '';
  } catch {
    return '';
  }
}

async function detach(p: ServePaths, flags: ServeFlags): Promise<number> {
  ensurePrivateDir(p.dir);
  const running = await attach(p, false, 5000);
  if (running) {
    running.conn.close();
    throw new RagError(`rag serve is already running for ${p.target} (pid ${running.info.pid}) at ${p.socket}`, {
      hint: 'use it, or stop it first with `rag serve --stop`',
    });
  }
  const args = process.argv.slice(2).filter((a) => a !== '--detach');
  const fd = openSync(p.log, 'w', 0o600);
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  child.unref();
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const pid = child.pid ?? -1;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (exited !== undefined) {
      const line = lastLogLine(p.log).replace(/^error: /, '');
      throw new RagError(
        `rag serve stopped while starting: ${line.replace(/ \(hint: .*\)$/, '') || `exit code ${exited}`}`,
        {
          hint: /\(hint: (.*)\)$/.exec(line)?.[1] ?? `see ${p.log}`,
        },
      );
    }
    const a = await attach(p, false, 5000);
    if (!a) continue;
    const status = await a.conn.call({ op: 'status' }).finally(() => a.conn.close());
    if (status.pid !== pid || !status.ready) continue;
    if (flags.json) json({ socket: p.socket, pid, target: p.target, log: p.log, idleMinutes: status.idleMinutes });
    else out(`listening on ${p.socket} (pid ${pid}, log ${p.log})`);
    return 0;
  }
  if (pidAlive(pid)) process.kill(pid, 'SIGTERM');
  throw new RagError('rag serve did not become ready within 300 s', { hint: `see ${p.log}` });
}

function renderStatus(s: ServeStatus): string {
  const ms = (v: number | null): string => (v === null ? '-' : `${(v * 1000).toFixed(1)} ms`);
  return [
    `pid         ${s.pid}`,
    `socket      ${s.socket}`,
    `target      ${s.target}`,
    `ready       ${s.ready ? 'yes' : 'no'}`,
    `milvus      ${s.milvusOpen ? 'open' : s.handedOverTo ? `handed over to pid ${s.handedOverTo}` : 'closed (reopens on the next request)'}`,
    `models      ${s.models.join(', ') || '-'}`,
    `requests    ${s.requests}`,
    `uptime      ${s.uptime.toFixed(0)} s`,
    `idle stop   ${s.idleMinutes > 0 ? `${s.idleMinutes} min` : 'never'}`,
    `rss         ${(s.rss / 1024 / 1024).toFixed(0)} MB`,
    `embed       ${ms(s.embedMedian)} (median, in the server)`,
    `search      ${ms(s.searchMedian)} (median, in the server)`,
  ].join('\n');
}

async function stop(p: ServePaths): Promise<number> {
  const a = await attach(p, false, 5000);
  if (!a) {
    say(`no rag serve is running for ${p.target}`);
    return 0;
  }
  const pid = a.info.pid;
  await a.conn
    .call({ op: 'stop' }, 10_000)
    .catch(() => undefined)
    .finally(() => a.conn.close());
  const deadline = Date.now() + 30_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (pidAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    throw new RagError(`rag serve (pid ${pid}) did not stop within 30 s; sent SIGTERM`, {
      hint: `check with rag serve --status, or kill ${pid}`,
    });
  }
  say(`stopped rag serve (pid ${pid})`);
  return 0;
}

export { idleMinutes };

export async function runServe(flags: ServeFlags): Promise<number> {
  const modes = [flags.detach, flags.stop, flags.status].filter(Boolean).length;
  if (modes > 1)
    throw usageError(
      'give one of --detach, --stop and --status',
      'rag serve --detach starts it; --status and --stop manage it',
    );
  const idle = idleMinutes(flags.idle);
  const resolved = loadConfig(flags);
  const p = servePaths(resolved.config.milvusUri, resolved.config.milvusToken);
  if (flags.stop) return stop(p);
  if (flags.status) {
    if (!existsSync(p.info)) throw notRunning(p);
    const a = await attach(p, false, 5000);
    if (!a) throw notRunning(p);
    const s = await a.conn.call({ op: 'status' }, 10_000).finally(() => a.conn.close());
    if (flags.json) json(s);
    else out(renderStatus(s));
    return 0;
  }
  if (flags.detach) return detach(p, flags);
  return foreground(resolved, p, idle);
}
