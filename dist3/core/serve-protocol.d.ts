import type { CollectionMeta, EmbedderInfo, ListOptions, ListQuery, SearchHit } from './types.js';
/** Bumped when a request or a reply changes shape; a client that speaks another version falls back to in-process. */
export declare const SERVE_PROTOCOL = 1;
/** Default minutes without a request after which `rag serve` exits by itself. */
export declare const DEFAULT_IDLE_MINUTES = 30;
/** The embedding settings of a request: what `openEmbedder` needs, paths already absolute. */
export interface ModelSettings {
    model: string;
    modelPath: string | undefined;
    cacheDir: string | undefined;
    hfEndpoint: string | undefined;
    offline: boolean;
    dtype: string;
    queryPrefix: string | undefined;
    docPrefix: string | undefined;
    batchSize: number;
}
/** What the server writes next to its socket (mode 0600): how to reach it and prove who you are. */
export interface ServeInfo {
    protocol: number;
    pid: number;
    socket: string;
    /** Lite data folder (absolute) or server URI. */
    target: string;
    token: string;
    started: string;
}
export interface ServeStatus {
    pid: number;
    socket: string;
    target: string;
    protocol: number;
    ready: boolean;
    /** Milvus (Lite) is open now; false after a hand-over until the next request. */
    milvusOpen: boolean;
    /** Pid of the process the Lite data folder was handed over to, while it runs. */
    handedOverTo: number | null;
    models: string[];
    requests: number;
    sessions: number;
    idleMinutes: number;
    uptime: number;
    rss: number;
    /** Medians over the last requests, in seconds, measured inside the server. */
    embedMedian: number | null;
    searchMedian: number | null;
}
export type Request = {
    op: 'hello';
    token: string;
    pid: number;
    protocol: number;
    acquire: boolean;
} | {
    op: 'describe';
    collection: string;
} | {
    op: 'count';
    collection: string;
} | {
    op: 'embedder';
    settings: ModelSettings;
} | {
    op: 'embedQuery';
    model: string;
    text: string;
} | {
    op: 'search';
    collection: string;
    query: ListQuery;
    opts: ListOptions;
} | {
    op: 'partsOf';
    collection: string;
    pieces: {
        id: string;
        source: string;
        position: number;
        part: number;
    }[];
} | {
    op: 'status';
} | {
    op: 'release';
    pid: number;
} | {
    op: 'stop';
};
export interface Replies {
    hello: {
        protocol: number;
        target: string;
    };
    describe: CollectionMeta | null;
    count: number;
    embedder: {
        model: string;
        info: EmbedderInfo;
    };
    embedQuery: number[];
    search: SearchHit[];
    partsOf: {
        source: string;
        position: number;
        part: number;
        text: string;
    }[];
    status: ServeStatus;
    release: {
        released: boolean;
    };
    stop: {
        stopping: boolean;
    };
}
/** A failure carried back to the client, which rethrows it as the same RagError. */
export interface WireError {
    message: string;
    hint?: string | undefined;
    exitCode?: number | undefined;
    /** 'busy': the data folder is handed over or locked; 'unauthorized': bad token; 'protocol': other version. */
    code?: 'busy' | 'unauthorized' | 'protocol' | undefined;
}
export type Reply = {
    id: number;
    ok: true;
    result: unknown;
} | {
    id: number;
    ok: false;
    error: WireError;
};
