export interface Piece {
    text: string;
    /** The piece was cut out of a longer one to fit the byte limit. */
    cut: boolean;
    /** Markdown heading level when the piece starts a heading line ("## X" → 2); 0 otherwise (inline "# ", code comments). */
    level: number;
}
/** A splitter turns a stream of text into non-empty pieces, in order. */
export interface Splitter {
    readonly name: string;
    split(text: AsyncIterable<string> | Iterable<string>): AsyncIterable<Piece>;
}
/** Milvus's VARCHAR limit, in bytes: longer pieces are cut to fit. */
export declare const MAX_TEXT_BYTES = 65535;
/** Cut `text` at most `maxBytes` UTF-8 bytes in, preferring the last line break or space in the second half. */
export declare function cutAt(text: string, maxBytes: number): [string, string];
/**
 * Python's `file_text.split("# ")` as in the tutorial, without empty or whitespace-only pieces.
 * Streams: memory stays within a few times `maxBytes`, whatever the input size.
 */
export declare class HeadingSplitter implements Splitter {
    private readonly maxBytes;
    private readonly separator;
    readonly name = "heading";
    constructor(maxBytes: number, separator?: string);
    split(text: AsyncIterable<string> | Iterable<string>): AsyncIterable<Piece>;
    private emit;
}
/**
 * Primary key of a chunk: 63 bits of sha256(source, position, part, text[, context]), as a decimal string (a positive
 * int64). `source` is the file's canonical path, so the same file gets the same ids from any folder or path spelling.
 * `context` (the title and heading path embedded with the text) is part of the identity, so a renamed page or heading
 * re-embeds its chunks; an empty context hashes as before it existed (tutorial-split ids are unchanged).
 */
export declare function chunkId(source: string, position: number, part: number, text: string, context?: string): string;
/** Low bits of a split piece's ids that number its parts: the parts of one piece have consecutive ids. */
export declare const PART_BITS = 12;
/**
 * Ids of one piece's chunks, in part order. A piece stored whole keeps chunkId(…, 0, text, context). The parts of a
 * split piece get consecutive ids, base + part, where the base hashes all the parts' texts with the source, position
 * and context (its low PART_BITS cleared): any change to the piece or to how it was split changes every part's id,
 * and a hit on one part finds its siblings by primary key (ids base … base + n − 1), not by a scan of the collection.
 */
export declare function pieceIds(source: string, position: number, texts: readonly string[], context?: string): string[];
/** Hash of the exact text given to the embedding model: stored chunks with the same one share their vector. */
export declare function embedKey(input: string): string;
