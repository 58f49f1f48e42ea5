// The embedded Milvus Lite server: a `milvus-lite server` child process on 127.0.0.1, started and stopped by rag.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { RagError } from '../core/errors.js';

export interface MilvusLiteOptions {
  /** The data folder (a `.db` path, as pymilvus's MilvusClient("./x.db") uses). */
  dataDir: string;
  /** Python interpreter with milvus-lite installed. */
  python: string;
  /** How long to wait for another process to release the data folder. */
  lockWaitMs: number;
  /** How long to wait for the server to answer once started. */
  startTimeoutMs: number;
  /** Called when rag has to wait for another process holding the data folder. */
  onWait?: (message: string) => void;
  signal?: AbortSignal;
}

export interface MilvusLiteServer {
  /** host:port to give the Milvus SDK. */
  address: string;
  pid: number;
  /** Stop with SIGINT (the server closes its write-ahead log and releases the lock) and wait for the exit. */
  stop(): Promise<void>;
  /** How the server ended if it ended before stop() was called (killed, crashed); undefined otherwise. */
  lost(): string | undefined;
}

// Runs `milvus-lite server …` through its own entry point, plus a watchdog: when rag's end of stdin
// closes (rag exited, even by SIGKILL), the server gets SIGINT and shuts down cleanly.
// The watchdog reads the raw fd: a daemon thread inside sys.stdin.buffer holds its lock, and the interpreter
// then stalls 1 s at exit and aborts ("could not acquire lock for <stdin>"). Once main() has returned the
// server has closed its data folder, so os._exit skips the slow interpreter teardown (~0.4 s).
const LAUNCHER = `
import os, signal, sys, threading
def _watch():
    try:
        while os.read(0, 65536):
            pass
    finally:
        os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=_watch, daemon=True).start()
try:
    from milvus_lite.cmdline import main
except ImportError as e:
    sys.stderr.write("RAG_MILVUS_LITE_MISSING: %s\\n" % e)
    sys.exit(3)
code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.flush()
os._exit(code or 0)
`;

const LOCKED = /DataDirLockedError|holds the lock/;
const MISSING = /RAG_MILVUS_LITE_MISSING|No module named/;
const live = new Set<ChildProcess>();

// A server must never outlive rag: whatever way the process ends, signal what is still running.
process.once('exit', () => {
  for (const child of live) child.kill('SIGINT');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

type Attempt = { kind: 'ready'; server: MilvusLiteServer } | { kind: 'locked' } | { kind: 'port' };

function attempt(opts: MilvusLiteOptions, port: number): Promise<Attempt> {
  const args = ['-u', '-c', LAUNCHER, 'server', '--data-dir', opts.dataDir, '--host', '127.0.0.1', '--port', String(port)];
  // Its own process group: a terminal's Ctrl-C reaches rag only, and rag stops the server in order.
  const child = spawn(opts.python, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let out = '';
  let err = '';
  let stopping = false;
  let lostHow: string | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, sig) => {
    live.delete(child);
    if (!stopping) lostHow = sig ? `killed by ${sig}` : `exited with code ${code}${lastLine(err) ? `: ${lastLine(err)}` : ''}`;
    resolve(code);
  }));

  return new Promise<Attempt>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const stop = async (): Promise<void> => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    };
    const timer = setTimeout(() => {
      finish(() => {
        void stop();
        reject(new RagError(`Milvus Lite did not start within ${opts.startTimeoutMs / 1000} s`, {
          hint: 'run with --verbose to see its output, or use a Milvus server with --milvus-uri http://HOST:19530',
        }));
      });
    }, opts.startTimeoutMs);

    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() => reject(missing(opts.python, e.code === 'ENOENT' ? `${opts.python} not found` : e.message)));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) {
        finish(() => resolve({ kind: 'ready', server: { address: `127.0.0.1:${port}`, pid: child.pid ?? -1, stop, lost: () => lostHow } }));
      }
    });
    child.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8192); });
    void exited.then((code) => {
      finish(() => {
        if (LOCKED.test(err)) resolve({ kind: 'locked' });
        else if (MISSING.test(err) || code === 3) reject(missing(opts.python, lastLine(err)));
        else if (/address already in use|Failed to bind|bind/i.test(err)) resolve({ kind: 'port' });
        else if (/Read-only file system|Permission denied|No space left|Errno (13|28|30)\b/.test(err)) {
          reject(new RagError(`Milvus Lite cannot write to its data folder ${opts.dataDir}: ${lastLine(err).replace(/^\w*Error: /, '')}`, {
            hint: 'make the folder writable or free some space, or choose another folder with --milvus-uri PATH',
          }));
        } else reject(new RagError(`Milvus Lite exited before it was ready (code ${code}): ${lastLine(err) || 'no output'}`, {
          hint: `check that ${opts.dataDir} is a writable folder with free space, or use --milvus-uri http://HOST:19530`,
        }));
      });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim();
}

function missing(python: string, detail: string): RagError {
  return new RagError(`Milvus Lite is not installed for ${python} (${detail})`, {
    hint: 'install it with `python3 -m pip install -r requirements.txt` (milvus-lite + pymilvus), set RAG_PYTHON to a Python that has it, or use a Milvus server with --milvus-uri http://HOST:19530',
  });
}

function checkDataDir(dataDir: string): void {
  if (existsSync(dataDir)) {
    if (!statSync(dataDir).isDirectory()) {
      throw new RagError(`${dataDir} exists and is not a Milvus Lite data folder`, {
        hint: 'Milvus Lite 3 keeps its data in a folder; an old single-file .db from milvus-lite 2.x cannot be opened: choose another --milvus-uri path',
      });
    }
    return;
  }
  try {
    mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of its path is a file, not a folder' : (e as Error).message;
    throw new RagError(`cannot create the folder for ${dataDir}: ${why}`, { hint: 'choose a writable --milvus-uri path' });
  }
}

/** Start Milvus Lite on a free loopback port; waits while another process holds the data folder. */
export async function startMilvusLite(opts: MilvusLiteOptions): Promise<MilvusLiteServer> {
  checkDataDir(opts.dataDir);
  const deadline = Date.now() + opts.lockWaitMs;
  let told = false;
  for (let i = 0; i < 10_000; i++) {
    if (opts.signal?.aborted) throw new RagError('interrupted', { hint: 'run the command again to finish' });
    const res = await attempt(opts, await freePort());
    if (res.kind === 'ready') return res.server;
    if (res.kind === 'port') continue;
    if (Date.now() >= deadline) {
      throw new RagError(`another process is using the Milvus Lite data folder ${opts.dataDir}`, {
        hint: 'wait for the other rag (or pymilvus) process to finish, raise --lock-timeout, or use a Milvus server for concurrent access',
      });
    }
    if (!told) {
      opts.onWait?.(`waiting for another process to release ${opts.dataDir} (up to ${Math.round(opts.lockWaitMs / 1000)} s)`);
      told = true;
    }
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())), opts.signal);
  }
  throw new RagError('Milvus Lite could not be started', { hint: 'run with --verbose' });
}
