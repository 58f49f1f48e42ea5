// Client side of warm mode for ask/eval/ingest: use a running `rag serve` for this target, else open in-process (asking the server to hand the Lite folder over).
import path from 'node:path';
import { isServerUri } from '../core/config.js';
import { attach, servePaths } from '../services/serve-client.js';
import { openEmbedder, openStore } from './runtime.js';
/** The embedding settings of a resolved configuration, paths made absolute (the server runs elsewhere). */
export function modelSettings(resolved, cwd = process.cwd()) {
    const c = resolved.config;
    return {
        model: c.model,
        modelPath: c.modelPath === undefined ? undefined : path.resolve(cwd, c.modelPath),
        cacheDir: c.cacheDir === undefined ? undefined : path.resolve(cwd, c.cacheDir),
        hfEndpoint: c.hfEndpoint,
        offline: c.offline,
        dtype: c.dtype,
        queryPrefix: c.queryPrefix,
        docPrefix: c.docPrefix,
        batchSize: c.batchSize,
    };
}
function unsupported(what) {
    throw new Error(`${what} is not available through rag serve`);
}
/** The server's Milvus seen as a VectorStore: the searches ask and eval make. Closing ends this client's session. */
class RemoteStore {
    conn;
    constructor(conn) {
        this.conn = conn;
    }
    describe(collection) {
        return this.conn.call({ op: 'describe', collection });
    }
    count(collection) {
        return this.conn.call({ op: 'count', collection });
    }
    search(collection, query, opts) {
        return this.conn.call({ op: 'search', collection, query, opts });
    }
    vectorsByKey() {
        return unsupported('vectorsByKey');
    }
    features() {
        return unsupported('features');
    }
    partsOf(collection, pieces) {
        return this.conn.call({ op: 'partsOf', collection, pieces });
    }
    create() {
        return unsupported('create');
    }
    drop() {
        return unsupported('drop');
    }
    listChunks() {
        return unsupported('listChunks');
    }
    upsert() {
        return unsupported('upsert');
    }
    deleteIds() {
        return unsupported('deleteIds');
    }
    async close() {
        this.conn.close();
    }
}
async function remoteEmbedder(conn, settings) {
    const { model, info } = await conn.call({ op: 'embedder', settings });
    return {
        info,
        embedQuery: (text) => conn.call({ op: 'embedQuery', model, text }),
        embedDocs: () => unsupported('embedDocs'),
        countTokens: () => unsupported('countTokens'),
        docTokenBudget: info.maxTokens,
        close: async () => undefined, // the model stays loaded in the server
    };
}
function inProcess(resolved) {
    return {
        path: 'in-process',
        async openStore(r, life, opts) {
            await handOver(resolved);
            return openStore(r, life, opts);
        },
        openEmbedder,
    };
}
/** A running server for this target when there is one (and useServer), else the in-process openers. Never fails. */
export async function chooseOpeners(resolved, useServer, life) {
    if (!useServer)
        return inProcess(resolved);
    let attached = null;
    try {
        attached = await attach(servePaths(resolved.config.milvusUri, resolved.config.milvusToken), true);
    }
    catch {
        attached = null;
    }
    if (!attached)
        return inProcess(resolved);
    const { conn } = attached;
    life.defer(async () => conn.close());
    return {
        path: 'server',
        // Closing the store (ask does it right after retrieval) ends the session: a hand-over need not wait for the LLM.
        openStore: async (_r, l) => {
            const store = new RemoteStore(conn);
            l.defer(() => store.close());
            return store;
        },
        openEmbedder: (r) => remoteEmbedder(conn, modelSettings(r)),
    };
}
/**
 * Before this process opens a Lite data folder itself: ask the server holding it (if any) to hand it over.
 * The server finishes what it is doing, stops Milvus Lite and stays away while this process runs. Never fails.
 */
export async function handOver(resolved) {
    if (isServerUri(resolved.config.milvusUri))
        return;
    let attached = null;
    try {
        attached = await attach(servePaths(resolved.config.milvusUri, resolved.config.milvusToken), false, 5000);
        if (attached)
            await attached.conn.call({ op: 'release', pid: process.pid }, 60_000);
    }
    catch {
        // The in-process path then waits for the folder as it always does.
    }
    finally {
        attached?.conn.close();
    }
}
//# sourceMappingURL=warm.js.map