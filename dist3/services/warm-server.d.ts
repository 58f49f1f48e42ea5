import { type ModelSettings, type ServeStatus } from '../core/serve-protocol.js';
import type { Embedder, VectorStore } from '../core/types.js';
import { type ServePaths } from './serve-client.js';
export interface Opened<T> {
    value: T;
    close(): Promise<void>;
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
export declare class WarmServer {
    private readonly paths;
    private readonly deps;
    private readonly opts;
    private readonly token;
    private readonly tokenBuf;
    private server;
    private readonly sockets;
    private store;
    private readonly models;
    private handedOverTo;
    private sessions;
    private requests;
    private readonly embedTimes;
    private readonly searchTimes;
    private idleTimer;
    private handOverTimer;
    private stopping;
    private readonly started;
    private ready;
    private isReady;
    private resolveClosed;
    /** Resolves with the reason (idle, request, signal) once the server has stopped and removed its files. */
    readonly closed: Promise<string>;
    constructor(paths: ServePaths, deps: WarmDeps, opts: WarmOptions);
    /** Listen (refusing when a live server already does), write the info file, then warm up in the background. */
    start(): Promise<void>;
    /** Resolves once Milvus and the configured model are loaded; rejects with why they could not be. */
    whenReady(): Promise<void>;
    private armIdle;
    /** Milvus, reopened after a hand-over once the process it went to has finished. */
    private acquire;
    private openedStore;
    private embedder;
    /** Hand the Lite data folder over to pid: finish requests in flight, stop Milvus Lite, stay closed while pid runs. */
    private release;
    /** Once the process the folder went to has exited, reopen Milvus Lite in the background (no lock wait; else lazily later). */
    private watchHandOver;
    status(): ServeStatus;
    private record;
    private onConnection;
    private handle;
    /** Stop listening, close Milvus (Lite) and the models, remove the socket and info files. */
    stop(reason: string): Promise<void>;
}
