// The split cache: a JSON file per collection of what splitting each file gave (chunk ids): unchanged files are not read twice.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileSplit, SplitCache } from '../core/types.js';

const VERSION = 1;
/** Entries kept; the least recently used go first (about 60 bytes plus 20 per chunk each). */
export const MAX_ENTRIES = 100_000;

interface Stored {
  version: number;
  entries: Record<string, FileSplit>;
}

/** Chunk ids are int64 numbers in decimal (they go into Milvus filter expressions as they are). */
const INT64 = /^-?\d{1,19}$/;

function valid(v: unknown): v is FileSplit {
  const s = v as FileSplit;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(s.ids) &&
    s.ids.every((id) => typeof id === 'string' && INT64.test(id)) &&
    Number.isInteger(s.parts) &&
    Number.isInteger(s.cut)
  );
}

/**
 * The cache file of one collection (`<cacheDir>/splits/<hash>.json`): a run reads only what concerns its target, so
 * the file of a small corpus stays small whatever else was ingested on the machine.
 * `target` is the Milvus Lite data folder (absolute) or the server's URI, never a token.
 */
export function splitCacheFile(cacheDir: string, target: string, collection: string): string {
  const key = createHash('sha256')
    .update(JSON.stringify([target, collection]))
    .digest('hex')
    .slice(0, 24);
  return path.join(cacheDir, 'splits', `${key}.json`);
}

/** Opens the cache file (a missing, unreadable or malformed one is an empty cache). */
export async function openSplitCache(file: string, maxEntries = MAX_ENTRIES): Promise<SplitCache> {
  const entries = new Map<string, FileSplit>();
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Stored;
    if (data.version === VERSION && typeof data.entries === 'object' && data.entries !== null)
      for (const [k, v] of Object.entries(data.entries)) if (valid(v)) entries.set(k, v);
  } catch {
    // no cache yet, or one that cannot be used: every file is split
  }
  let changed = false;
  return {
    get(key) {
      const v = entries.get(key);
      if (v) {
        // used now: moves to the back of the eviction order, written with the next change (a run that only reads
        // does not rewrite the file)
        entries.delete(key);
        entries.set(key, v);
      }
      return v;
    },
    set(key, split) {
      entries.delete(key);
      entries.set(key, split);
      for (const k of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(k);
      }
      changed = true;
    },
    async save() {
      if (!changed) return;
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(tmp, JSON.stringify({ version: VERSION, entries: Object.fromEntries(entries) }));
        await rename(tmp, file);
        changed = false;
      } catch {
        // a read-only cache folder only costs the next run a re-split
        await rm(tmp, { force: true }).catch(() => undefined);
      }
    },
  };
}
