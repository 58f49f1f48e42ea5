import type { Piece } from './chunk.js';
/**
 * How files are chunked.
 * - `tutorial`: the reference tutorial's pieces as they are (front matter included); each piece is embedded alone.
 * - `sections`: the same pieces, but the front matter is page metadata (not a chunk) and each chunk is embedded and
 *   indexed with its page title and heading path in front of it; the stored text stays the tutorial's piece.
 * Both split a piece longer than the model's window into parts that fit (nothing is truncated).
 */
export type SplitMode = 'tutorial' | 'sections';
/**
 * Version of the splitting rules and chunk ids: bump it whenever a change would give other chunks or other ids for the
 * same file (the split cache is keyed by it). 2: ids hold the context, split pieces get consecutive part ids.
 */
export declare const SPLIT_VERSION = 2;
export declare const SPLIT_MODES: readonly SplitMode[];
export interface Section {
    /** Index of the piece among the file's non-blank pieces (the tutorial's numbering). */
    position: number;
    /** Index of the part when the piece was split to fit the model's window; 0 otherwise. */
    part: number;
    /** The stored text: the piece, or one part of it (which repeats the piece's first line). */
    text: string;
    /** Title and heading path put before the text for embedding and BM25 ('' when none). */
    context: string;
    /** The piece is the file's YAML front matter (stored only in tutorial mode). */
    front: boolean;
    /** The piece was cut to fit Milvus's text limit. */
    cut: boolean;
}
export interface SectionOptions {
    mode: SplitMode;
    /** Tokens available to one chunk's embedded text (context, separator and text), special tokens excluded. */
    maxTokens: number;
    /** Tokens of a text, special tokens excluded. */
    countTokens: (text: string) => number;
}
/** The text given to the embedding model (and to BM25) for a chunk. */
export declare function indexText(context: string, text: string): string;
/** Key/value lines of a YAML front matter block (flat `key: value` only), or null when the text does not start with one. */
export declare function parseFrontMatter(text: string): Record<string, string> | null;
/** First line of a piece, without Markdown emphasis or trailing '#' markers: the heading text. */
export declare function headingOf(text: string): string;
/**
 * A piece longer than `budget` tokens split into parts that fit, packed greedily from paragraphs, then lines, then
 * sentences; every part after the first starts with the piece's first line (its heading) so that it keeps its context.
 */
export declare function splitToFit(text: string, budget: number, count: (t: string) => number): string[];
/** Turns one file's pieces, in order, into sections; keeps the title and heading path between pieces. */
export declare class Sectioner {
    private readonly opts;
    private position;
    private title;
    /** Open headings, outermost first. */
    private path;
    private readonly contextTokens;
    constructor(opts: SectionOptions);
    /** The file's title: the front matter's `title`, else its first level-1 heading. */
    get pageTitle(): string;
    push(piece: Piece): Iterable<Section>;
    /** Title, then the enclosing headings; neither repeats the chunk's own heading nor each other. */
    private contextFor;
    private parts;
}
