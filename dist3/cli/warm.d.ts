import { type Resolved } from '../core/config.js';
import type { ModelSettings } from '../core/serve-protocol.js';
import type { Embedder, VectorStore } from '../core/types.js';
import { type Lifecycle, type StoreOptions } from './runtime.js';
export interface Openers {
    /** Which path runs: a warm `rag serve`, or everything in this process. */
    path: 'server' | 'in-process';
    openStore(resolved: Resolved, life: Lifecycle, opts?: StoreOptions): Promise<VectorStore>;
    openEmbedder(resolved: Resolved, life: Lifecycle): Promise<Embedder>;
}
/** The embedding settings of a resolved configuration, paths made absolute (the server runs elsewhere). */
export declare function modelSettings(resolved: Resolved, cwd?: string): ModelSettings;
/** A running server for this target when there is one (and useServer), else the in-process openers. Never fails. */
export declare function chooseOpeners(resolved: Resolved, useServer: boolean, life: Lifecycle): Promise<Openers>;
/**
 * Before this process opens a Lite data folder itself: ask the server holding it (if any) to hand it over.
 * The server finishes what it is doing, stops Milvus Lite and stays away while this process runs. Never fails.
 */
export declare function handOver(resolved: Resolved): Promise<void>;
