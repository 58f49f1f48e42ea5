// A real Milvus standalone server for the server tier: the PyPI `milvus` package (.venv-server) on free 127.0.0.1 ports, own data folder.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export const SERVER_PYTHON = path.join(REPO_ROOT, '.venv-server', 'bin', 'python');
/** The root user's default password on a Milvus server with authentication enabled. */
export const ROOT_TOKEN = 'root:Milvus';

// The package's own config code writes configs/milvus.yaml (free ports from its defaults, the proxy on the port given,
// authentication on) and unpacks the server binary into the data folder; the server itself is then run from Node,
// so that the tests can kill it (mid-ingest) and start it again on the same data.
const PREPARE = `
import json, sys
import milvus
from milvus import MilvusServerConfig, _initialize_data_files
data_dir, port, auth = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
config = MilvusServerConfig(data_dir=data_dir, proxy_port=port)
config.set("authorization_enabled", auth)
# Every component on loopback (by default they take the machine's first address).
for role in ("rootCoord", "proxy", "queryCoord", "queryNode", "indexNode", "dataCoord", "dataNode"):
    config.set(role + ".ip", "127.0.0.1")
config.resolve()
_initialize_data_files(config.base_data_dir)
metrics, sock = config.resolve_port(9091)
sock.close()
print(json.dumps({"version": milvus.__version__, "base": config.base_data_dir, "metrics": metrics, "port": int(config.get("proxy_port"))}))
`;

export interface MilvusServerHandle {
  /** http://127.0.0.1:PORT */
  uri: string;
  /** 127.0.0.1:PORT for the Node SDK */
  address: string;
  /** Version of the PyPI package (= the server's). */
  version: string;
  dataDir: string;
  /** Seconds from start to healthy, first start. */
  startSeconds: number;
  /** Stop the server: SIGTERM (as `systemctl stop` would), or SIGKILL (a crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same data and ports; waits until healthy. */
  restart(): Promise<number>;
  /** Stop it and remove its data folder; safe to call more than once. */
  cleanup(): Promise<void>;
  /** The end of the server's log, for failure messages. */
  logTail(): string;
}

/** Why the server tier cannot run here, or false when it can be tried. */
export function serverUnavailable(): string | false {
  if (process.platform !== 'linux' && process.platform !== 'darwin')
    return `the milvus package has no server for ${process.platform}`;
  if (!existsSync(SERVER_PYTHON))
    return `${path.relative(REPO_ROOT, SERVER_PYTHON)} is missing: run \`node scripts/setup-milvus-server.mjs\` (installs the pinned PyPI milvus package)`;
  return false;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
/** Whatever way the test process ends, no server outlives it and no data folder stays behind. */
function reap(): void {
  for (const p of live) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', reap);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    reap();
    process.kill(process.pid, sig);
  });
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function healthy(metrics: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`the server exited (${proc.exitCode ?? proc.signalCode}) before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${metrics}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok && (await res.text()).includes('OK')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not healthy within ${timeoutMs / 1000} s`);
}

export async function startMilvusServer(
  opts: { auth?: boolean; startTimeoutMs?: number } = {},
): Promise<MilvusServerHandle> {
  const why = serverUnavailable();
  if (why) throw new Error(why);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rag-milvus-server-'));
  dirs.add(dataDir);
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  let proc: ChildProcess | undefined;
  let cleaned = false;
  try {
    const port = await freePort();
    const out = execFileSync(SERVER_PYTHON, ['-c', PREPARE, dataDir, String(port), opts.auth ? '1' : '0'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const info = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      version: string;
      base: string;
      metrics: number;
      port: number;
    };
    const exe = path.join(info.base, 'bin', 'milvus');
    const logFile = path.join(info.base, 'logs', 'milvus-run.log');

    const launch = async (): Promise<number> => {
      const t0 = performance.now();
      const fd = openSync(logFile, 'a');
      proc = spawn(exe, ['run', 'standalone'], {
        cwd: info.base,
        env: {
          ...process.env,
          DEPLOY_MODE: 'STANDALONE',
          METRICS_PORT: String(info.metrics),
          MILVUS_RUN_DIR: path.join(info.base, 'run'),
          LD_LIBRARY_PATH: [path.dirname(exe), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
          DYLD_LIBRARY_PATH: [path.dirname(exe), process.env.DYLD_LIBRARY_PATH].filter(Boolean).join(':'),
        },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      live.add(proc);
      const p = proc;
      p.on('exit', () => live.delete(p));
      await healthy(info.metrics, p, timeoutMs);
      return (performance.now() - t0) / 1000;
    };

    const stopProc = async (signal: NodeJS.Signals): Promise<void> => {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
      p.kill(signal);
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };

    const startSeconds = await launch();
    return {
      uri: `http://127.0.0.1:${info.port}`,
      address: `127.0.0.1:${info.port}`,
      version: info.version,
      dataDir,
      startSeconds,
      kill: (signal = 'SIGTERM') => stopProc(signal),
      restart: launch,
      async cleanup() {
        if (cleaned) return;
        cleaned = true;
        await stopProc('SIGTERM');
        rmSync(dataDir, { recursive: true, force: true });
        dirs.delete(dataDir);
      },
      logTail() {
        try {
          return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
        } catch {
          return '';
        }
      },
    };
  } catch (e) {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    dirs.delete(dataDir);
    throw e;
  }
}
