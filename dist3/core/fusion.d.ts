import type { SearchHit } from './types.js';
export interface FusionOptions {
    /** RRF constant: a hit at rank r (from 1) adds weight / (k + r). */
    k: number;
    /** Weight of each list, in order (default 1 each). */
    weights?: readonly number[];
    /** Fuse hits that share this key as one (see fuse); by id when absent. */
    key?: ((h: SearchHit) => string) | undefined;
}
/** Document order: source, position, part, id. Ties in score are put in this order, so results never depend on chance. */
export declare function documentOrder(a: SearchHit, b: SearchHit): number;
/** Scores closer than this (relative) are a tie: identical texts score alike up to the store's float arithmetic. */
export declare const TIE_EPSILON = 0.000001;
/**
 * One ranked list (best first) with each run of equal scores (within TIE_EPSILON of the run's first) put in document
 * order; everything else keeps its place. Identical texts score alike, and a store returns such ties in its own
 * order (or a float's last bits apart): this makes the order ours.
 */
export declare function tiesInDocumentOrder(list: readonly SearchHit[]): SearchHit[];
/** The key under which identical texts are one (boilerplate repeated across pages). */
export declare const textKey: (h: SearchHit) => string;
/**
 * Reciprocal-rank fusion of ranked lists (best first): the union, by fused score, ties in document order.
 * With `key`, hits that share a key are one entry: in each list it counts at the best rank of any of them (so copies
 * do not take ranks from other hits), it is shown as the copy with the best fused score of its own (ties in document
 * order), and the other copies' sources go to `alsoIn`.
 */
export declare function fuse(lists: readonly SearchHit[][], opts: FusionOptions): SearchHit[];
/**
 * Identical texts (boilerplate repeated across pages) keep one slot: the best-ranked one, with the other places
 * listed in `alsoIn`. Order is kept otherwise.
 */
export declare function collapseIdentical(hits: readonly SearchHit[]): SearchHit[];
