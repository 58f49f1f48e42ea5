// Ask and retrieve: check the collection against the embedder, search it, build the prompt, ask the chat model.
import path from 'node:path';
import { RagError, usageError } from './errors.js';
import { collapseIdentical, fuse, textKey, tiesInDocumentOrder } from './fusion.js';
import { buildMessages } from './prompt.js';
/** The collection's metadata; a clear error when it is missing, empty or built by another model. */
export async function openCollection(store, collection) {
    const meta = await store.describe(collection);
    if (!meta) {
        throw new RagError(`collection "${collection}" does not exist`, {
            hint: 'run `rag ingest <path>` first (or pick the collection with --collection)',
        });
    }
    if ((await store.count(collection)) === 0) {
        throw new RagError(`collection "${collection}" is empty`, { hint: 'run `rag ingest <path>` first' });
    }
    return meta;
}
export function checkModel(meta, info, collection) {
    if (meta.foreign && meta.dim !== info.dim) {
        throw new RagError(`collection "${collection}" (not built by rag) has ${meta.dim}-dim vectors but ${info.model} makes ${info.dim}`, {
            hint: 'pass the model that embedded it with --model or --model-path',
        });
    }
    if (meta.foreign)
        return;
    if (meta.model !== info.model || meta.dim !== info.dim) {
        throw new RagError(`collection "${collection}" was built with ${meta.model} (${meta.dim} dims) but the question would be embedded with ${info.model} (${info.dim} dims)`, {
            hint: `use --model ${meta.model.startsWith('local:') ? '/ --model-path with that model' : meta.model}, or rebuild with \`rag ingest --recreate <path>\``,
        });
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
    const collapseLists = opts.collapseLists ?? true;
    const { store, collection } = opts;
    // Fusion and collapsing look deeper than the answer: a chunk ranked 5th by both searches can beat one ranked 1st by one.
    let limit = Math.max(opts.topK, opts.mode === 'hybrid' || collapse ? opts.candidates : opts.topK);
    let hits = [];
    // Identical texts and the parts of one long piece take one slot each: when they leave fewer than topK results,
    // look deeper (at most twice, 16 × the candidates, and never past the end of the lists).
    for (let round = 0; round < 3; round++) {
        const list = { limit, skipFront: opts.skipFront ?? false };
        let ranked;
        let full;
        if (opts.mode === 'dense' || opts.mode === 'bm25') {
            const query = opts.mode === 'dense' ? { kind: 'dense', vector } : { kind: 'bm25', text: question };
            ranked = tiesInDocumentOrder(await store.search(collection, query, list));
            full = ranked.length >= limit;
        }
        else {
            const [dense, bm25] = await Promise.all([
                store.search(collection, { kind: 'dense', vector }, list),
                store.search(collection, { kind: 'bm25', text: question }, list),
            ]);
            // Copies of one text (boilerplate) would take several ranks of each list and push other chunks down: with
            // collapse, the fusion counts each text once per list, at its best rank.
            ranked = fuse([tiesInDocumentOrder(dense), tiesInDocumentOrder(bm25)], {
                k: opts.rrfK,
                weights: opts.weights,
                ...(collapse && collapseLists ? { key: textKey } : {}),
            });
            full = dense.length >= limit || bm25.length >= limit;
        }
        hits = collapse ? collapseIdentical(ranked) : ranked;
        if (opts.wholePieces)
            hits = onePerPiece(hits);
        const slots = opts.perFile ? byFile(hits, opts.perFile).length : hits.length;
        if (slots >= opts.topK || !full || !(collapse || opts.wholePieces || opts.perFile))
            break;
        limit = Math.min(limit * 4, 4096);
    }
    if (opts.perFile) {
        const groups = byFile(hits, opts.perFile).slice(0, opts.topK);
        const members = groups.flat();
        const whole = opts.wholePieces ? await wholePieces(store, collection, members) : members;
        const texts = new Map(members.map((m, i) => [m, whole[i] ?? m]));
        hits = groups.map((g) => slot(g.map((m) => texts.get(m) ?? m), opts.slotChars ?? DEFAULT_SLOT_CHARS));
    }
    else {
        hits = hits.slice(0, opts.topK);
        if (opts.wholePieces)
            hits = await wholePieces(store, collection, hits);
    }
    const t2 = performance.now();
    return { hits, embed: (t1 - t0) / 1000, search: (t2 - t1) / 1000 };
}
/**
 * The retrieval options of a configuration, as ask, eval and the MCP server use them: identical texts collapsed, split
 * pieces returned whole, BM25 weighted against the dense list in hybrid fusion, and the best pieces of a file sharing
 * one slot (chosen by measurement, README).
 */
export function retrievalOptions(c) {
    return {
        topK: c.topK,
        rrfK: c.rrfK,
        candidates: c.candidates,
        weights: [1, c.bm25Weight],
        collapse: true,
        wholePieces: true,
        perFile: c.perFile,
        slotChars: c.slotChars,
    };
}
export const DEFAULT_SLOT_CHARS = 4000;
/**
 * Ranked hits grouped by file, in the order of each file's best hit; a group keeps the file's first `perFile` hits. A
 * hit without a source (a collection not built by rag) is a group of its own.
 */
export function byFile(hits, perFile) {
    const groups = new Map();
    for (const h of hits) {
        const key = h.source === '' ? `id:${h.id}` : h.source;
        const g = groups.get(key);
        if (!g)
            groups.set(key, [h]);
        else if (g.length < perFile)
            g.push(h);
    }
    return [...groups.values()];
}
/**
 * One slot of a file's ranked pieces: the best first, then the next ones while the text stays within `maxChars`,
 * shown in document order and joined by a blank line. Score, id and position are the best piece's; `positions` lists
 * the pieces when there are several.
 */
export function slot(ranked, maxChars) {
    const [best, ...rest] = ranked;
    if (!best)
        throw new Error('an empty slot');
    const kept = [best];
    let chars = best.text.length;
    for (const h of rest) {
        if (chars + h.text.length > maxChars)
            continue;
        kept.push(h);
        chars += h.text.length;
    }
    if (kept.length === 1)
        return best;
    kept.sort((a, b) => a.position - b.position || a.part - b.part);
    const alsoIn = [...new Set(kept.flatMap((h) => h.alsoIn ?? []))].filter((s) => s !== best.source);
    return {
        ...best,
        text: kept.map((h) => h.text).join('\n\n'),
        positions: kept.map((h) => h.position),
        ...(alsoIn.length ? { alsoIn } : {}),
    };
}
/** The best-ranked hit of each piece (source, position): the parts of one piece take one slot. */
export function onePerPiece(hits) {
    const seen = new Set();
    return hits.filter((h) => {
        // A collection not built by rag (the tutorial's) has no source or position: each hit is its own piece.
        const key = h.source === '' ? `id:${h.id}` : `${h.source}\0${h.position}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
/**
 * Joins the parts of a split piece back into the piece: part 0 as stored, then each later part without the heading
 * line it repeats. Parts are given in any order.
 */
export function joinParts(parts) {
    const sorted = [...parts].sort((a, b) => a.part - b.part);
    const first = sorted[0]?.text ?? '';
    const nl = first.indexOf('\n');
    const head = nl === -1 ? '' : first.slice(0, nl + 1);
    return sorted.map((p, i) => (i > 0 && head && p.text.startsWith(head) ? p.text.slice(head.length) : p.text)).join('');
}
async function wholePieces(store, collection, hits) {
    const known = hits.filter((h) => h.source !== '');
    if (known.length === 0)
        return hits;
    const rows = await store.partsOf(collection, known.map((h) => ({ id: h.id, source: h.source, position: h.position, part: h.part })));
    return hits.map((h) => {
        const parts = rows.filter((r) => r.source === h.source && r.position === h.position);
        return parts.length > 1 ? { ...h, text: joinParts(parts) } : h;
    });
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
        text: h.text,
        score: h.score,
        file: show(h.source),
        path: h.source,
        position: h.position,
        part: h.part,
        ...(h.positions ? { positions: h.positions } : {}),
        ...(h.alsoIn ? { alsoIn: h.alsoIn.map(show) } : {}),
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
    const messages = buildMessages({
        question,
        contexts: r.hits.map((h) => h.text),
        systemPrompt: opts.systemPrompt,
        userTemplate: opts.userTemplate,
    });
    const t0 = performance.now();
    const reply = await opts.chat.complete(messages, { onToken: opts.onToken, signal: opts.signal });
    result.timings.llm = (performance.now() - t0) / 1000;
    result.answer = reply.text;
    result.model = reply.model;
    result.usage = reply.usage;
    return result;
}
//# sourceMappingURL=retrieve.js.map