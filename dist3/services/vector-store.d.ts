import { type CollectionMeta, type ListOptions, type ListQuery, type SearchHit, type StoreFeatures, type StoredChunk, type VectorStore } from '../core/types.js';
export interface MilvusStoreOptions {
    /** host:port or http(s)://host:port */
    address: string;
    token?: string;
    /** Shown in errors instead of the address (e.g. the Milvus Lite data folder). */
    label: string;
    timeoutMs: number;
    /** Build the client now (~0.4 s of protocol definitions) but connect only when connect() is called. */
    deferConnect?: boolean;
    /** Rows per query when listing stored ids (default: Milvus's whole query window, the fewest round trips). */
    listPage?: number;
}
/** A quoted string literal for a Milvus filter expression. */
export declare function milvusString(value: string): string;
export declare class MilvusStore implements VectorStore {
    private readonly opts;
    private readonly client;
    private readonly loaded;
    /** Collections not built by rag (seen by describe): never written to. */
    private readonly foreign;
    /** Collections whose split pieces have consecutive part ids (seen by describe). */
    private readonly partIds;
    private feats;
    constructor(opts: MilvusStoreOptions);
    /** The address this store talks to. */
    get address(): string;
    /** Connects a store built with deferConnect (the server now answers). */
    connect(): void;
    private call;
    features(): Promise<StoreFeatures>;
    describe(collection: string): Promise<CollectionMeta | null>;
    create(collection: string, meta: CollectionMeta): Promise<void>;
    drop(collection: string): Promise<void>;
    /**
     * Loads a collection. The SDK's loadCollection waits 400 ms after each progress check, even when the load was done
     * at once (Milvus Lite loads synchronously; a loaded collection): rag asks for the load and checks the progress
     * with waits that grow from 20 to 400 ms, for at most LOAD_WAIT_MS.
     */
    private load;
    listChunks(collection: string, where: {
        source?: string;
        prefix?: string;
        exceptIds?: readonly string[];
    }): AsyncIterable<{
        id: string;
        source: string;
    }[]>;
    /** Refuses to write to a collection rag did not build. */
    private writable;
    vectorsByKey(collection: string, keys: string[]): Promise<Map<string, number[]>>;
    upsert(collection: string, rows: StoredChunk[]): Promise<void>;
    deleteIds(collection: string, ids: string[]): Promise<void>;
    partsOf(collection: string, pieces: {
        id: string;
        source: string;
        position: number;
        part: number;
    }[]): Promise<{
        source: string;
        position: number;
        part: number;
        text: string;
    }[]>;
    /**
     * Parts by primary key: a piece's parts are ids base … base + n − 1 (base = id − part), asked 16 at a time until a
     * piece has no more; a piece stored whole answers with itself only. A few milliseconds where a filter scans.
     */
    private partsById;
    count(collection: string): Promise<number>;
    search(collection: string, query: ListQuery, opts: ListOptions): Promise<SearchHit[]>;
    close(): Promise<void>;
}
