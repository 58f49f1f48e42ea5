// Ranking arithmetic (pure): weighted reciprocal-rank fusion, document-order ties, and collapsing identical texts.
function compareIds(a, b) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
}
/** Document order: source, position, part, id. Ties in score are put in this order, so results never depend on chance. */
export function documentOrder(a, b) {
    return ((a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
        a.position - b.position ||
        a.part - b.part ||
        compareIds(a.id, b.id));
}
/** Scores closer than this (relative) are a tie: identical texts score alike up to the store's float arithmetic. */
export const TIE_EPSILON = 1e-6;
const tied = (a, b) => Math.abs(a - b) <= TIE_EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
/**
 * One ranked list (best first) with each run of equal scores (within TIE_EPSILON of the run's first) put in document
 * order; everything else keeps its place. Identical texts score alike, and a store returns such ties in its own
 * order (or a float's last bits apart): this makes the order ours.
 */
export function tiesInDocumentOrder(list) {
    const out = [];
    for (let i = 0; i < list.length;) {
        const first = list[i]?.score ?? 0;
        let j = i + 1;
        while (j < list.length && tied(list[j]?.score ?? 0, first))
            j++;
        out.push(...list.slice(i, j).sort(documentOrder));
        i = j;
    }
    return out;
}
/** The key under which identical texts are one (boilerplate repeated across pages). */
export const textKey = (h) => h.text.trim();
/**
 * Reciprocal-rank fusion of ranked lists (best first): the union, by fused score, ties in document order.
 * With `key`, hits that share a key are one entry: in each list it counts at the best rank of any of them (so copies
 * do not take ranks from other hits), it is shown as the copy with the best fused score of its own (ties in document
 * order), and the other copies' sources go to `alsoIn`.
 */
export function fuse(lists, opts) {
    const own = new Map(); // by id: each hit with its own fused score
    const groups = new Map(); // by key
    lists.forEach((list, l) => {
        const w = opts.weights?.[l] ?? 1;
        const seenIds = new Set();
        const seenKeys = new Set();
        list.forEach((hit, i) => {
            const add = w / (opts.k + i + 1);
            if (!seenIds.has(hit.id)) {
                seenIds.add(hit.id);
                const prev = own.get(hit.id);
                own.set(hit.id, { ...(prev ?? hit), score: (prev?.score ?? 0) + add });
            }
            if (!opts.key)
                return;
            const key = opts.key(hit);
            const g = groups.get(key) ?? { score: 0, ids: new Set() };
            groups.set(key, g);
            g.ids.add(hit.id);
            if (seenKeys.has(key))
                return;
            seenKeys.add(key);
            g.score += add;
        });
    });
    const byScore = (a, b) => b.score - a.score || documentOrder(a, b);
    if (!opts.key)
        return [...own.values()].sort(byScore);
    const out = [];
    for (const g of groups.values()) {
        const copies = [...g.ids].map((id) => own.get(id)).sort(byScore);
        const [first, ...rest] = copies;
        const alsoIn = [];
        for (const src of [...(first.alsoIn ?? []), ...rest.flatMap((h) => [h.source, ...(h.alsoIn ?? [])])])
            if (src !== first.source && !alsoIn.includes(src))
                alsoIn.push(src);
        out.push({ ...first, score: g.score, ...(alsoIn.length > 0 ? { alsoIn } : {}) });
    }
    return out.sort(byScore);
}
/**
 * Identical texts (boilerplate repeated across pages) keep one slot: the best-ranked one, with the other places
 * listed in `alsoIn`. Order is kept otherwise.
 */
export function collapseIdentical(hits) {
    const out = [];
    const byText = new Map();
    for (const h of hits) {
        const key = textKey(h);
        const first = byText.get(key);
        if (first) {
            for (const src of [h.source, ...(h.alsoIn ?? [])])
                if (src !== first.source && !(first.alsoIn ?? []).includes(src))
                    first.alsoIn = [...(first.alsoIn ?? []), src];
            continue;
        }
        const copy = { ...h };
        byText.set(key, copy);
        out.push(copy);
    }
    return out;
}
//# sourceMappingURL=fusion.js.map