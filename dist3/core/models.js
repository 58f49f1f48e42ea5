// The per-model table (pure): query/document prefixes and pooling that each known embedding model wants.
const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';
/** First match wins; patterns are tested against the lower-cased model id or folder name. */
export const MODEL_TABLE = [
    { pattern: /bge-(small|base|large)-en-v1\.5/, profile: { queryPrefix: BGE_QUERY, docPrefix: '', pooling: 'cls' } },
    { pattern: /bge-(small|base|large)-en($|[^-])/, profile: { queryPrefix: BGE_QUERY, docPrefix: '', pooling: 'cls' } },
    { pattern: /bge-m3/, profile: { queryPrefix: '', docPrefix: '', pooling: 'cls' } },
    { pattern: /snowflake-arctic-embed/, profile: { queryPrefix: BGE_QUERY, docPrefix: '', pooling: 'cls' } },
    { pattern: /(^|\/)(multilingual-)?e5-/, profile: { queryPrefix: 'query: ', docPrefix: 'passage: ', pooling: 'mean' } },
    { pattern: /nomic-embed-text/, profile: { queryPrefix: 'search_query: ', docPrefix: 'search_document: ', pooling: 'mean' } },
    { pattern: /mxbai-embed-large/, profile: { queryPrefix: BGE_QUERY, docPrefix: '', pooling: 'cls' } },
    { pattern: /all-mpnet-base-v2/, profile: { queryPrefix: '', docPrefix: '', pooling: 'mean', maxSeqLength: 384 } },
    { pattern: /all-minilm-l(6|12)-v2/, profile: { queryPrefix: '', docPrefix: '', pooling: 'mean', maxSeqLength: 256 } },
];
const GENERIC = { queryPrefix: '', docPrefix: '', pooling: 'mean' };
/** The profile of a model, with user overrides of the prefixes applied. */
export function modelProfile(model, overrides = {}) {
    const id = model.toLowerCase();
    const base = MODEL_TABLE.find((m) => m.pattern.test(id))?.profile ?? GENERIC;
    return {
        pooling: base.pooling,
        queryPrefix: overrides.queryPrefix ?? base.queryPrefix,
        docPrefix: overrides.docPrefix ?? base.docPrefix,
        ...(base.maxSeqLength ? { maxSeqLength: base.maxSeqLength } : {}),
    };
}
/** Indexes of `texts` sorted by length, so that each batch pads to similar lengths. */
export function lengthOrder(texts) {
    return texts.map((t, i) => [t.length, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
}
//# sourceMappingURL=models.js.map