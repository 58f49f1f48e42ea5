// Runs the built `rag` binary as a subprocess, as a user would; captures stdout, stderr, exit code.

import { spawn, type ChildProcess } from 'node:child_process';
import { RAG_BIN } from './paths.js';
import { tempDir } from './tmp.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called once the process is spawned (to send signals). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Environment for a test run: no user config leaks in (keys, URIs), the project venv's Python is used. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(RAG_|MILVUS_|LEPTONAI_|OPENAI_)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function rag(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAG_BIN, ...args], {
      cwd: opts.cwd,
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
    opts.onSpawn?.(child);
  });
}

/** A fresh working folder for one test. */
export function workdir(prefix = 'rag-e2e-'): string {
  return tempDir(prefix);
}
