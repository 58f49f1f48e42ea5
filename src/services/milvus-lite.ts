// The embedded Milvus Lite server: a `milvus-lite server` child process on 127.0.0.1, started and stopped by rag.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
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
  /** Called with the address as soon as the server process is started, before it answers (to prepare a client). */
  onSpawn?: (address: string) => void;
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
// pymilvus runs load_dotenv() and parses MILVUS_URI when it is imported: the launcher turns load_dotenv off, and
// the child gets a clean environment (childEnv) and an empty private working folder, so nothing of the user's
// environment, .env or working folder can break the server.
// The server needs only pymilvus.grpc_gen (the protocol), but importing it runs pymilvus's __init__, which imports
// the whole Python client (pandas, requests: ~0.4 s of a ~1 s start). The launcher registers the package without
// running __init__; the first read of any of its attributes runs it, so code that needs more of pymilvus gets it.
// pandas is not a dependency of milvus-lite (only of the pymilvus client), but pyarrow imports it when it is
// installed (~0.25 s, when the first collection is opened) just to check whether values are pandas objects: the
// launcher runs the server as if pandas were not installed, until something needs the whole pymilvus client.
// gRPC servers bind with SO_REUSEPORT by default on Linux: a second Milvus Lite (another rag, another data folder) given
// the same port by the race between freePort() and the bind would share it, and the kernel would spread rag's
// connections over both servers. The launcher turns it off, so such a bind fails and rag retries on another port.
export const LAUNCHER = `
import importlib.util, os, signal, sys, threading, types
try:
    import dotenv
    dotenv.load_dotenv = lambda *a, **k: False
except Exception:
    pass
def _lazy_package(name):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        return
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    class _Lazy(types.ModuleType):
        def __getattr__(self, attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            if _no_pandas in sys.meta_path:
                sys.meta_path.remove(_no_pandas)
            self.__class__ = types.ModuleType
            spec.loader.exec_module(self)
            return getattr(self, attr)
    mod = _Lazy(name)
    mod.__spec__, mod.__loader__, mod.__file__ = spec, spec.loader, spec.origin
    mod.__path__, mod.__package__ = list(spec.submodule_search_locations), name
    sys.modules[name] = mod
class _NoPandas:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by Milvus Lite")
        return None
_no_pandas = _NoPandas()
sys.meta_path.insert(0, _no_pandas)
_lazy_package("pymilvus")
def _own_port():
    try:
        import grpc
    except Exception:
        return
    _server = grpc.server
    def server(*args, **kwargs):
        if len(args) > 3:
            args = args[:3] + (list(args[3] or ()) + [("grpc.so_reuseport", 0)],) + args[4:]
        else:
            kwargs["options"] = list(kwargs.get("options") or ()) + [("grpc.so_reuseport", 0)]
        return _server(*args, **kwargs)
    grpc.server = server
_own_port()
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
const workFolders = new Set<string>();

// A server must never outlive rag: whatever way the process ends, signal what is still running.
process.once('exit', () => {
  for (const child of live) child.kill('SIGINT');
  for (const dir of workFolders) rmSync(dir, { recursive: true, force: true });
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

/** Waits ms, or less when the signal aborts; the abort listener is removed either way (no listener leak). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Variables the Python interpreter and its libraries need (locale, home, temp folder, library paths, Windows basics). */
const KEEP_ENV =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TMP|TEMP|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|PYTHONHOME|PYTHONPATH|VIRTUAL_ENV|CONDA_PREFIX|SYSTEMROOT|SystemRoot|WINDIR|COMSPEC|PATHEXT|USERPROFILE|APPDATA|LOCALAPPDATA)$/;

/**
 * The Milvus Lite child's environment: only what Python needs, nothing pymilvus reads as settings (MILVUS_*),
 * no proxy variables, and loopback excluded from any proxy (the server only talks to 127.0.0.1).
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && KEEP_ENV.test(k)) clean[k] = v;
  clean.NO_PROXY = clean.no_proxy = clean.no_grpc_proxy = '127.0.0.1,localhost,::1';
  clean.PYTHONDONTWRITEBYTECODE = '1';
  return clean;
}

type Attempt = { kind: 'ready'; server: MilvusLiteServer } | { kind: 'locked' } | { kind: 'port' };

function attempt(opts: MilvusLiteOptions, port: number): Promise<Attempt> {
  const args = [
    '-u',
    '-c',
    LAUNCHER,
    'server',
    '--data-dir',
    opts.dataDir,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  // Its own process group: a terminal's Ctrl-C reaches rag only, and rag stops the server in order.
  // A private empty working folder: nothing there for python-dotenv or a relative path to pick up.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'rag-milvus-lite-'));
  workFolders.add(cwd);
  const removeCwd = (): void => {
    workFolders.delete(cwd);
    rmSync(cwd, { recursive: true, force: true });
  };
  let child: ChildProcess;
  try {
    child = spawn(opts.python, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      cwd,
      env: childEnv(process.env),
    });
    opts.onSpawn?.(`127.0.0.1:${port}`);
  } catch (e) {
    removeCwd();
    throw e;
  }
  live.add(child);
  child.once('close', removeCwd);
  child.once('error', removeCwd);
  let out = '';
  let err = '';
  let stopping = false;
  let lostHow: string | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, sig) => {
      live.delete(child);
      if (!stopping)
        lostHow = sig ? `killed by ${sig}` : `exited with code ${code}${lastLine(err) ? `: ${lastLine(err)}` : ''}`;
      resolve(code);
    }),
  );

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
        reject(
          new RagError(`Milvus Lite did not start within ${opts.startTimeoutMs / 1000} s`, {
            hint: 'run with --verbose to see its output, or use a Milvus server with --milvus-uri http://HOST:19530',
          }),
        );
      });
    }, opts.startTimeoutMs);

    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() => reject(missing(opts.python, e.code === 'ENOENT' ? `${opts.python} not found` : e.message)));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) {
        finish(() =>
          resolve({
            kind: 'ready',
            server: { address: `127.0.0.1:${port}`, pid: child.pid ?? -1, stop, lost: () => lostHow },
          }),
        );
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-8192);
    });
    void exited.then((code) => {
      finish(() => {
        if (LOCKED.test(err)) resolve({ kind: 'locked' });
        else if (MISSING.test(err) || code === 3) reject(missing(opts.python, lastLine(err)));
        else if (/address already in use|Failed to bind|bind/i.test(err)) resolve({ kind: 'port' });
        else if (/Read-only file system|Permission denied|No space left|Errno (13|28|30)\b/.test(err)) {
          reject(
            new RagError(
              `Milvus Lite cannot write to its data folder ${opts.dataDir}: ${lastLine(err).replace(/^\w*Error: /, '')}`,
              {
                hint: 'make the folder writable or free some space, or choose another folder with --milvus-uri PATH',
              },
            ),
          );
        } else
          reject(
            new RagError(`Milvus Lite exited before it was ready (code ${code}): ${lastLine(err) || 'no output'}`, {
              hint: `check that ${opts.dataDir} is a writable folder with free space, or use --milvus-uri http://HOST:19530`,
            }),
          );
      });
    });
  });
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim();
}

function missing(python: string, detail: string): RagError {
  return new RagError(`Milvus Lite is not installed for ${python} (${detail})`, {
    hint: 'run `npm run setup` in the rag folder (it installs Milvus Lite into .venv), set RAG_PYTHON to a Python that has milvus-lite, or use a Milvus server with --milvus-uri http://HOST:19530',
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
    const why =
      code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of its path is a file, not a folder' : (e as Error).message;
    throw new RagError(`cannot create the folder for ${dataDir}: ${why}`, {
      hint: 'choose a writable --milvus-uri path',
    });
  }
}

/** Start Milvus Lite on a free loopback port; waits while another process holds the data folder. */
export async function startMilvusLite(options: MilvusLiteOptions): Promise<MilvusLiteServer> {
  // The child runs in another folder: it gets an absolute path.
  const opts = { ...options, dataDir: path.resolve(options.dataDir) };
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
      opts.onWait?.(
        `waiting for another process to release ${opts.dataDir} (up to ${Math.round(opts.lockWaitMs / 1000)} s)`,
      );
      told = true;
    }
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())), opts.signal);
  }
  throw new RagError('Milvus Lite could not be started', { hint: 'run with --verbose' });
}
