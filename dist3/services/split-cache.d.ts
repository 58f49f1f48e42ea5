import type { SplitCache } from '../core/types.js';
/** Entries kept; the least recently used go first (about 60 bytes plus 20 per chunk each). */
export declare const MAX_ENTRIES = 100000;
/**
 * The cache file of one collection (`<cacheDir>/splits/<hash>.json`): a run reads only what concerns its target, so
 * the file of a small corpus stays small whatever else was ingested on the machine.
 * `target` is the Milvus Lite data folder (absolute) or the server's URI, never a token.
 */
export declare function splitCacheFile(cacheDir: string, target: string, collection: string): string;
/** Opens the cache file (a missing, unreadable or malformed one is an empty cache). */
export declare function openSplitCache(file: string, maxEntries?: number): Promise<SplitCache>;
