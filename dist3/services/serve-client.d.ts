import { RagError } from '../core/errors.js';
import { type Replies, type Request, type ServeInfo, type WireError } from '../core/serve-protocol.js';
export interface ServePaths {
    dir: string;
    /** Lite data folder (absolute, real path) or server URI. */
    target: string;
    socket: string;
    info: string;
    log: string;
}
/** The per-user folder of the servers' sockets: RAG_SERVE_DIR, else $XDG_RUNTIME_DIR/rag, else <tmp>/rag-<uid>. */
export declare function serveDir(env?: Record<string, string | undefined>): string;
/** The target a server is keyed by: the Lite folder's real path (so ./a.db and /x/a.db meet), or the server URI. */
export declare function serveTarget(milvusUri: string): string;
export declare function servePaths(milvusUri: string, milvusToken: string | undefined, env?: Record<string, string | undefined>): ServePaths;
/** Is the folder ours alone (a real folder, owned by this user, mode 0700)? */
export declare function dirIsPrivate(dir: string): boolean;
/** Create the socket folder 0700, or tighten one of ours; refuse a folder that others own or can reach. */
export declare function ensurePrivateDir(dir: string): void;
export declare function readInfo(file: string): ServeInfo | null;
export declare function pidAlive(pid: number): boolean;
/** Remove the socket and info files of a server that is gone (killed, crashed); not those of a live one. */
export declare function cleanStale(p: ServePaths, info: ServeInfo | null): void;
export declare class ServeError extends RagError {
    readonly code: WireError['code'];
    constructor(e: WireError);
}
/** One connection to a server: requests are numbered and may overlap; replies come back by number. */
export declare class ServeConnection {
    private readonly socket;
    private nextId;
    private buffer;
    private readonly pending;
    private closed;
    private constructor();
    /** Connects within timeoutMs; rejects with the socket error (ENOENT, ECONNREFUSED…) or a timeout. */
    static open(socketPath: string, timeoutMs: number): Promise<ServeConnection>;
    private onData;
    call<O extends Request['op']>(req: Extract<Request, {
        op: O;
    }>, timeoutMs?: number): Promise<Replies[O]>;
    close(): void;
}
export interface Attached {
    conn: ServeConnection;
    info: ServeInfo;
    paths: ServePaths;
}
/**
 * Connect to the server for this target and say hello with its token; null when none answers (no files, a stale socket,
 * another protocol version, or it is busy because the data folder is handed over). Stale files are removed here.
 */
export declare function attach(p: ServePaths, acquire: boolean, helloTimeoutMs?: number): Promise<Attached | null>;
