// Shared by the reliability e2e tests (input, faults, signals): corpora, stored rows, process polling, error-line checks.

import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { RunResult } from './cli.js';
import { startTestMilvus } from './milvus.js';
import { pidsMatching } from './procs.js';

export const COLLECTION = 'my_rag_collection';

export interface Row {
  id: string;
  source: string;
  position: number;
  /** The part of a piece split to fit the model's window (0 otherwise). */
  part?: number;
  text: string;
}

/** The tutorial's split: Python's file_text.split("# "), without empty or whitespace-only pieces. */
export function pieces(text: string): string[] {
  return text.split('# ').filter((p) => p.trim() !== '');
}

/**
 * `files` Markdown files of `sections` short sections each under `dir` (relative to `cwd`); returns the expected
 * (source, position, text) rows.
 */
export function makeCorpus(cwd: string, dir: string, files: number, sections: number): Omit<Row, 'id'>[] {
  mkdirSync(path.join(cwd, dir), { recursive: true });
  const expected: Omit<Row, 'id'>[] = [];
  for (let f = 0; f < files; f++) {
    let text = '';
    for (let s = 0; s < sections; s++) {
      text += `# Topic ${f} part ${s}\n\nFile ${f} section ${s} is about bees, bread and lighthouses, note ${f * 31 + s}.\n\n`;
    }
    const source = `${dir}/f${String(f).padStart(4, '0')}.md`;
    writeFileSync(path.join(cwd, source), text);
    pieces(text).forEach((t, position) => expected.push({ source, position, text: t }));
  }
  return expected;
}

/**
 * rag stores a file's real path; the tests write files relative to the folder that holds the data folder (their
 * working folder), so stored sources are compared in that form.
 */
function relativeTo(dataDir: string): (source: string) => string {
  const base = realpathSync(path.dirname(path.resolve(dataDir)));
  return (source) => (path.isAbsolute(source) ? path.relative(base, source).split(path.sep).join('/') : source);
}

/** Every stored row, read back page by page with the Node SDK once rag has exited; sources relative to the working folder. */
export async function storedRows(dataDir: string, collection = COLLECTION, cwd?: string): Promise<Row[]> {
  const relative = relativeTo(cwd ? path.join(cwd, 'milvus.db') : dataDir);
  const m = await startTestMilvus(dataDir);
  const client = new MilvusClient({ address: m.server.address });
  try {
    await client.loadCollection({ collection_name: collection });
    const rows: Row[] = [];
    let last = '-1';
    for (let page = 0; page < 1000; page++) {
      const res = await client.query({
        collection_name: collection,
        filter: `id > ${last}`,
        output_fields: ['id', 'source', 'position', 'part', 'text'],
        limit: 1000,
        // The lowest ids first (pymilvus's query_iterator asks the same): else Milvus Lite returns any 1,000 rows.
        params: { iterator: 'True', reduce_stop_for_best: 'True' },
      });
      const data = (res.data as { id: string; source: string; position: string; part: string; text: string }[])
        .map((r) => ({
          id: String(r.id),
          source: relative(r.source),
          position: Number(r.position),
          part: Number(r.part ?? 0),
          text: r.text,
        }))
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      rows.push(...data);
      if (data.length < 1000) break;
      last = data[data.length - 1]?.id ?? last;
    }
    return rows.sort(
      (a, b) => a.source.localeCompare(b.source) || a.position - b.position || (a.part ?? 0) - (b.part ?? 0),
    );
  } finally {
    await client.closeConnection();
    await m.stop();
  }
}

/** Rows without ids, sorted like storedRows, for deepEqual with an expected list. */
export function contents(rows: Omit<Row, 'id'>[]): Omit<Row, 'id'>[] {
  return rows
    .map(({ source, position, text }) => ({ source, position, text }))
    .sort((a, b) => a.source.localeCompare(b.source) || a.position - b.position);
}

/** Every chunk exactly once: no (source, position) twice, and exactly the expected rows. */
export function assertExactlyOnce(rows: Row[], expected: Omit<Row, 'id'>[]): void {
  const keys = rows.map((r) => `${r.source}#${r.position}.${r.part ?? 0}`);
  assert.equal(new Set(keys).size, keys.length, 'a (source, position, part) is stored twice');
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'an id is stored twice');
  assert.equal(rows.length, expected.length, 'stored chunk count');
  assert.deepEqual(contents(rows), contents(expected));
}

/** Pids of the processes whose command line mentions `needle` (the Milvus Lite server of a data folder). */
export function pids(needle: string): number[] {
  return pidsMatching(needle);
}

/**
 * Pids holding a flock on `{dataDir}/LOCK` (what Milvus Lite takes while it has the folder open), from /proc/locks;
 * [] while the file does not exist. Throws when /proc/locks cannot be read.
 */
export function lockHolders(dataDir: string): number[] {
  let ino: number;
  try {
    ino = statSync(path.join(dataDir, 'LOCK')).ino;
  } catch {
    return [];
  }
  const holders: number[] = [];
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiting requests ("1: -> FLOCK …") are left out.
    const m = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (m && Number(m[2]) === ino) holders.push(Number(m[1]));
  }
  return holders;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `cond` every `everyMs` until it holds; false when `timeoutMs` passes first. */
export async function waitFor(cond: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    if (cond()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return false;
}

/** No Milvus Lite process for the data folder is left (polled: the server may be finishing its shutdown). */
export async function assertNoServerLeft(dataDir: string, timeoutMs = 15_000): Promise<void> {
  const gone = await waitFor(() => pids(dataDir).length === 0, timeoutMs, 100);
  assert.ok(gone, `a Milvus Lite process for ${dataDir} outlived rag: ${pids(dataDir).join(', ')}`);
}

/** Bytes of every file below `dir` (0 when it does not exist). */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return 0;
  }
  for (const e of entries) {
    try {
      const st = statSync(path.join(dir, e));
      if (st.isFile()) total += st.size;
    } catch {
      // removed meanwhile (a write-ahead log rolled over)
    }
  }
  return total;
}

const STACK = /^\s+at |node:internal|Error: .*\n\s+at |^\w*Error:/m;

/** The run failed with `code` and stderr is exactly one `error: … (hint: …)` line matching `pattern`, no stack trace. */
export function assertOneErrorLine(r: RunResult, code: number, pattern: RegExp): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(r.code, code, `exit code ${r.code} (expected ${code}); stderr:\n${r.stderr}`);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^error: .+ \(hint: .+\)$/, 'one line: error: what happened (hint: what to do)');
  assert.match(line, pattern);
  assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
  return line;
}

/** Peak resident memory (VmHWM, kB) of a running process, polled until it exits; 0 when unreadable. */
export function watchPeakRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = 0;
  const read = (): void => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
