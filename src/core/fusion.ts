// Ranking arithmetic (pure): weighted reciprocal-rank fusion, document-order ties, and collapsing identical texts.

import type { SearchHit } from './types.js';

export interface FusionOptions {
  /** RRF constant: a hit at rank r (from 1) adds weight / (k + r). */
  k: number;
  /** Weight of each list, in order (default 1 each). */
  weights?: readonly number[];
}

function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Document order: source, position, part, id. Ties in score are put in this order, so results never depend on chance. */
export function documentOrder(a: SearchHit, b: SearchHit): number {
  return (
    (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
    a.position - b.position ||
    a.part - b.part ||
    compareIds(a.id, b.id)
  );
}

/** Reciprocal-rank fusion of ranked lists (best first): the union, by fused score, ties in document order. */
export function fuse(lists: readonly SearchHit[][], opts: FusionOptions): SearchHit[] {
  const byId = new Map<string, SearchHit>();
  lists.forEach((list, l) => {
    const w = opts.weights?.[l] ?? 1;
    const seen = new Set<string>();
    list.forEach((hit, i) => {
      if (seen.has(hit.id)) return;
      seen.add(hit.id);
      const add = w / (opts.k + i + 1);
      const prev = byId.get(hit.id);
      byId.set(hit.id, { ...(prev ?? hit), score: (prev?.score ?? 0) + add });
    });
  });
  return [...byId.values()].sort((a, b) => b.score - a.score || documentOrder(a, b));
}

/**
 * Identical texts (boilerplate repeated across pages) keep one slot: the best-ranked one, with the other places
 * listed in `alsoIn`. Order is kept otherwise.
 */
export function collapseIdentical(hits: readonly SearchHit[]): SearchHit[] {
  const out: SearchHit[] = [];
  const byText = new Map<string, SearchHit>();
  for (const h of hits) {
    const key = h.text.trim();
    const first = byText.get(key);
    if (first) {
      if (h.source !== first.source && !(first.alsoIn ?? []).includes(h.source))
        first.alsoIn = [...(first.alsoIn ?? []), h.source];
      continue;
    }
    const copy = { ...h };
    byText.set(key, copy);
    out.push(copy);
  }
  return out;
}
