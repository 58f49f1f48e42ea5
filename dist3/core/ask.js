// Ask and retrieve: check the collection against the embedder, search it, build the prompt, ask the chat model.
import path from 'node:path';
import { RagError, usageError } from './errors.js';
import { collapseIdentical, fuse } from './fusion.js';
import { buildMessages } from './prompt.js';
export const DEFAULT_CANDIDATES = 20;
/** The collection's metadata; a clear error when it is missing, empty or built by another model. */
export async function openCollection(store, collection) {
    const meta = await store.describe(collection);
    if (!meta) {
        throw new RagError(`collection "${collection}" does not exist`, { hint: 'run `rag ingest <path>` first (or pick the collection with --collection)' });
    }
    if ((await store.count(collection)) === 0) {
        throw new RagError(`collection "${collection}" is empty`, { hint: 'run `rag ingest <path>` first' });
    }
    return meta;
}
export function checkModel(meta, info, collection) {
    if (meta.model !== info.model || meta.dim !== info.dim) {
        throw new RagError(`collection "${collection}" was built with ${meta.model} (${meta.dim} dims) but the question would be embedded with ${info.model} (${info.dim} dims)`, { hint: `use --model ${meta.model.startsWith('local:') ? '/ --model-path with that model' : meta.model}, or rebuild with \`rag ingest --recreate <path>\`` });
    }
}
/** The mode to search with: the chosen one, but dense when the mode is only the default and the collection has no BM25 field. */
export function searchModeFor(meta, mode, chosen) {
    return !chosen && !meta.bm25 ? 'dense' : mode;
}
export function checkMode(meta, mode, collection) {
    if (mode !== 'dense' && !meta.bm25) {
        throw new RagError(`collection "${collection}" has no BM25 field, so --search ${mode} is unavailable`, {
            hint: 'use --search dense, or rebuild it with `rag ingest --recreate <path>` on a Milvus with full-text search (Milvus Lite 3, Milvus 2.5+)',
        });
    }
}
/** Embed the question with the query side of the model and search; exactly what ask and eval share. */
export async function retrieve(question, opts) {
    const t0 = performance.now();
    const vector = opts.mode === 'bm25' ? [] : await opts.embedder.embedQuery(question);
    const t1 = performance.now();
    const collapse = opts.collapse ?? true;
    // Fusion and collapsing look deeper than the answer: a chunk ranked 5th by both searches can beat one ranked 1st by one.
    const limit = Math.max(opts.topK, opts.mode === 'hybrid' || collapse ? opts.candidates ?? DEFAULT_CANDIDATES : opts.topK);
    const list = { limit, skipFront: opts.skipFront ?? false };
    const { store, collection } = opts;
    let ranked;
    if (opts.mode === 'dense')
        ranked = await store.search(collection, { kind: 'dense', vector }, list);
    else if (opts.mode === 'bm25')
        ranked = await store.search(collection, { kind: 'bm25', text: question }, list);
    else {
        const [dense, bm25] = await Promise.all([
            store.search(collection, { kind: 'dense', vector }, list),
            store.search(collection, { kind: 'bm25', text: question }, list),
        ]);
        ranked = fuse([dense, bm25], { k: opts.rrfK, weights: opts.weights });
    }
    const hits = (collapse ? collapseIdentical(ranked) : ranked).slice(0, opts.topK);
    const t2 = performance.now();
    return { hits, embed: (t1 - t0) / 1000, search: (t2 - t1) / 1000 };
}
/** A stored source for display: relative to `from` when given and the source is absolute. */
export function displayPath(source, from) {
    if (!from || !path.isAbsolute(source))
        return source;
    return path.relative(from, source).split(path.sep).join('/') || '.';
}
export function validateQuestion(question) {
    const q = question.trim();
    if (q === '')
        throw usageError('the question is empty', 'ask something: rag ask "How is data stored in milvus?"');
    return q;
}
export async function ask(opts) {
    const question = validateQuestion(opts.question);
    const r = await retrieve(question, opts);
    await opts.afterRetrieval?.();
    const show = (p) => displayPath(p, opts.displayFrom);
    const sources = r.hits.map((h) => ({
        text: h.text, score: h.score, file: show(h.source), path: h.source, position: h.position, part: h.part, ...(h.alsoIn ? { alsoIn: h.alsoIn.map(show) } : {}),
    }));
    const result = {
        question,
        answer: null,
        model: null,
        search: opts.mode,
        sources,
        timings: { embed: r.embed, search: r.search, llm: 0 },
        usage: null,
    };
    if (!opts.chat)
        return result;
    const messages = buildMessages({ question, contexts: r.hits.map((h) => h.text), systemPrompt: opts.systemPrompt, userTemplate: opts.userTemplate });
    const t0 = performance.now();
    const reply = await opts.chat.complete(messages, { onToken: opts.onToken, signal: opts.signal });
    result.timings.llm = (performance.now() - t0) / 1000;
    result.answer = reply.text;
    result.model = reply.model;
    result.usage = reply.usage;
    return result;
}
//# sourceMappingURL=ask.js.map