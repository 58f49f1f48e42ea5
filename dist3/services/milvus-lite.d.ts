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
/** Waits ms, or less when the signal aborts; the abort listener is removed either way (no listener leak). */
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
/**
 * The Milvus Lite child's environment: only what Python needs, nothing pymilvus reads as settings (MILVUS_*),
 * no proxy variables, and loopback excluded from any proxy (the server only talks to 127.0.0.1).
 */
export declare function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
/** Start Milvus Lite on a free loopback port; waits while another process holds the data folder. */
export declare function startMilvusLite(options: MilvusLiteOptions): Promise<MilvusLiteServer>;
