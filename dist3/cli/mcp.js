// `rag mcp`: a Model Context Protocol server over stdio (tools search, ask, status), warm through a `rag serve` server of its own or a running one.
import { ask, checkMode, checkModel, displayPath, openCollection, retrievalOptions, retrieve, searchModeFor, } from '../core/retrieve.js';
import { isServerUri } from '../core/config.js';
import { RagError, errorMessage } from '../core/errors.js';
import { attach, servePaths } from '../services/serve-client.js';
import { embedderFor } from './runtime.js';
import { lifecycle, loadConfig } from './runtime.js';
import { registerSecret, say, scrub } from './render.js';
import { startServer } from './serve.js';
import { chooseOpeners } from './warm.js';
const NO_KEY_HINT = 'set LEPTONAI_TOKEN (or RAG_LLM_API_KEY / OPENAI_API_KEY) in the environment of `rag mcp`, or use the search tool for retrieval only';
/** The CLI's one-line error, as the text of an MCP tool error. */
function errorLine(err) {
    const rag = err instanceof RagError ? err : undefined;
    const hint = rag?.hint ?? 'run `rag mcp --verbose` and see its stderr';
    return scrub(`error: ${errorMessage(err).replace(/\s*\n\s*/g, ' ')} (hint: ${hint.replace(/\s*\n\s*/g, ' ')})`);
}
/** A call's Milvus session: through the warm server, or in-process when it is busy; closed when the call ends. */
class Engine {
    resolved;
    life;
    own;
    starting;
    constructor(resolved, life) {
        this.resolved = resolved;
        this.life = life;
    }
    /** Lazily: a server for this target, ours unless one already runs; stays warm between calls. */
    async ensureServer() {
        const p = servePaths(this.resolved.config.milvusUri, this.resolved.config.milvusToken);
        const running = await attach(p, false, 5000).catch(() => null);
        if (running) {
            running.conn.close();
            return;
        }
        if (this.own)
            await this.own.stop('replaced');
        this.own = await startServer(this.resolved, p, 0, this.life, (m) => say(`rag mcp: ${m}`));
        await this.own.whenReady();
    }
    async session(fn) {
        this.starting ??= this.ensureServer().finally(() => {
            this.starting = undefined;
        });
        await this.starting.catch((e) => say(`rag mcp: ${errorLine(e)}`));
        const s = lifecycle();
        try {
            const via = await chooseOpeners(this.resolved, true, s);
            return await fn(s, via);
        }
        finally {
            await s.close();
        }
    }
    async close() {
        await this.own?.stop('stdin closed');
    }
}
async function prepare(resolved, s, via, mode) {
    const { config } = resolved;
    const loading = via.openEmbedder(resolved, s);
    loading.catch(() => undefined);
    const store = await via.openStore(resolved, s);
    const meta = await openCollection(store, config.collection);
    const chosen = mode ?? config.search;
    const searchMode = searchModeFor(meta, chosen, mode !== undefined || resolved.sources.search.from !== 'default');
    checkMode(meta, searchMode, config.collection);
    const embedder = await embedderFor(resolved, meta, s, loading, via.openEmbedder);
    checkModel(meta, embedder.info, config.collection);
    return { store, embedder, mode: searchMode };
}
export async function runMcp(flags) {
    const resolved = loadConfig(flags);
    const { config } = resolved;
    registerSecret(config.llmApiKey);
    registerSecret(config.milvusToken);
    // stdout carries the protocol: anything a library prints goes to stderr.
    console.log = console.error;
    console.info = console.error;
    const [{ McpServer }, { StdioServerTransport }, z] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/mcp.js'),
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('zod'),
    ]);
    const pkgVersion = '0.1.0';
    const life = lifecycle();
    const engine = new Engine(resolved, life);
    const mcp = new McpServer({ name: 'rag', version: pkgVersion });
    const text = (value) => ({ content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] });
    const guard = async (fn) => {
        try {
            return await fn();
        }
        catch (e) {
            say(`rag mcp: ${errorLine(e)}`);
            return { isError: true, content: [{ type: 'text', text: errorLine(e) }] };
        }
    };
    mcp.registerTool('search', {
        description: `Search the "${config.collection}" collection (Markdown chunks) for passages relevant to a query. Returns chunks with text, source file, position and score, best first.`,
        inputSchema: {
            query: z.string().min(1).describe('what to look for, in natural language'),
            top_k: z.number().int().min(1).max(100).optional().describe(`chunks to return (default ${config.topK})`),
            mode: z
                .enum(['dense', 'bm25', 'hybrid'])
                .optional()
                .describe(`retrieval mode (default ${config.search}; dense on a collection without BM25)`),
        },
    }, ({ query, top_k, mode }) => guard(() => engine.session(async (s, via) => {
        const q = query.trim();
        if (q === '')
            throw new RagError('the query is empty', { hint: 'give a question or keywords' });
        const p = await prepare(resolved, s, via, mode);
        const r = await retrieve(q, {
            store: p.store,
            embedder: p.embedder,
            collection: config.collection,
            ...retrievalOptions(config),
            topK: top_k ?? config.topK,
            mode: p.mode,
        });
        return text({
            query: q,
            mode: p.mode,
            // Sources relative to the working folder, as the CLI shows them.
            chunks: r.hits.map((h) => ({
                text: h.text,
                source: displayPath(h.source, process.cwd()),
                position: h.position,
                ...(h.positions ? { positions: h.positions } : {}),
                score: h.score,
            })),
        });
    })));
    mcp.registerTool('ask', {
        description: `Answer a question from the "${config.collection}" collection with the configured LLM (retrieval + generation). Returns the answer and its sources.`,
        inputSchema: { question: z.string().min(1).describe('the question') },
    }, ({ question }) => guard(async () => {
        if (!config.llmApiKey)
            throw new RagError('no API key for the LLM endpoint', { hint: NO_KEY_HINT });
        return engine.session(async (s, via) => {
            const p = await prepare(resolved, s, via, undefined);
            const { createChatModel } = await import('../services/chat-model.js');
            const chat = createChatModel({
                baseURL: config.llmBaseUrl,
                apiKey: config.llmApiKey ?? '',
                model: config.llmModel,
                timeoutMs: config.llmTimeout * 1000,
                maxRetries: config.llmRetries,
            });
            const result = await ask({
                question,
                store: p.store,
                embedder: p.embedder,
                collection: config.collection,
                ...retrievalOptions(config),
                mode: p.mode,
                chat,
                signal: s.signal,
                displayFrom: process.cwd(),
            });
            return text({
                answer: result.answer,
                model: result.model,
                sources: result.sources.map((h) => ({
                    source: h.file,
                    position: h.position,
                    score: h.score,
                    text: h.text,
                })),
            });
        });
    }));
    mcp.registerTool('status', {
        description: 'The collection rag searches: its name, embedding model, chunk count and Milvus target.',
        inputSchema: {},
    }, () => guard(() => engine.session(async (s, via) => {
        const store = await via.openStore(resolved, s);
        const meta = await store.describe(config.collection);
        const chunks = meta ? await store.count(config.collection) : 0;
        return text({
            collection: config.collection,
            exists: meta !== null,
            model: meta?.model ?? null,
            dim: meta?.dim ?? null,
            bm25: meta?.bm25 ?? null,
            chunks,
            milvus: isServerUri(config.milvusUri) ? config.milvusUri : servePaths(config.milvusUri, undefined).target,
            warm: via.path === 'server',
        });
    })));
    const transport = new StdioServerTransport();
    const done = new Promise((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
        process.stdin.once('close', () => resolve());
        life.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await mcp.connect(transport);
    say(`rag mcp: ready on stdio (collection "${config.collection}", Milvus ${isServerUri(config.milvusUri) ? config.milvusUri : config.milvusUri})`);
    try {
        await done;
    }
    finally {
        await mcp.close().catch(() => undefined);
        await engine.close();
        await life.close();
    }
    return 0;
}
//# sourceMappingURL=mcp.js.map