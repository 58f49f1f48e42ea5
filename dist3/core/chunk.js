// Splitters: the reference tutorial's "# " split, streamed, with pieces capped to Milvus's VARCHAR size.
import { createHash } from 'node:crypto';
/** Milvus's VARCHAR limit, in bytes: longer pieces are cut to fit. */
export const MAX_TEXT_BYTES = 65_535;
const CONTINUATION = 0b1100_0000;
/** Cut `text` at most `maxBytes` UTF-8 bytes in, preferring the last line break or space in the second half. */
export function cutAt(text, maxBytes) {
    const buf = Buffer.from(text, 'utf8');
    if (buf.length <= maxBytes)
        return [text, ''];
    let end = maxBytes;
    while (end > 0 && ((buf[end] ?? 0) & CONTINUATION) === 0b1000_0000)
        end--;
    let head = buf.subarray(0, end).toString('utf8');
    const brk = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    if (brk > head.length / 2)
        head = head.slice(0, brk + 1);
    return [head, text.slice(head.length)];
}
function isBlank(text) {
    return text.trim() === '';
}
/**
 * Python's `file_text.split("# ")` as in the tutorial, without empty or whitespace-only pieces.
 * Streams: memory stays within a few times `maxBytes`, whatever the input size.
 */
export class HeadingSplitter {
    maxBytes;
    separator;
    name = 'heading';
    constructor(maxBytes, separator = '# ') {
        this.maxBytes = maxBytes;
        this.separator = separator;
    }
    async *split(text) {
        let buf = '';
        let carried = false;
        let level = 0;
        /** No separator seen yet: a separator then starts the file's first line. */
        let first = true;
        for await (const part of text) {
            buf += part;
            let from = 0;
            for (let at = buf.indexOf(this.separator); at !== -1; at = buf.indexOf(this.separator, from)) {
                const piece = buf.slice(from, at);
                yield* this.emit(piece, carried, level);
                // The separator's own '#' plus the ones just before it give the level, when they start a line.
                const hashes = /#*$/.exec(piece)?.[0].length ?? 0;
                const before = piece.slice(0, piece.length - hashes);
                level = /\n[ \t]*$/.test(before) || (first && /^[ \t]*$/.test(before)) ? hashes + 1 : 0;
                first = false;
                carried = false;
                from = at + this.separator.length;
            }
            buf = buf.slice(from);
            // No separator in sight: cut what already exceeds the limit, keeping the tail (it may start a separator).
            while (buf.length > this.maxBytes / 4 && Buffer.byteLength(buf) > this.maxBytes + this.separator.length) {
                const [head, rest] = cutAt(buf.slice(0, buf.length - this.separator.length), this.maxBytes);
                if (!isBlank(head))
                    yield { text: head, cut: true, level };
                level = 0;
                buf = rest + buf.slice(buf.length - this.separator.length);
                carried = true;
            }
        }
        yield* this.emit(buf, carried, level);
    }
    *emit(piece, carried, level) {
        let rest = piece;
        let cut = carried;
        let lvl = level;
        while (Buffer.byteLength(rest) > this.maxBytes) {
            const [head, tail] = cutAt(rest, this.maxBytes);
            if (!isBlank(head))
                yield { text: head, cut: true, level: lvl };
            lvl = 0;
            rest = tail;
            cut = true;
        }
        if (!isBlank(rest))
            yield { text: rest, cut, level: lvl };
    }
}
/**
 * Primary key of a chunk: 63 bits of sha256(source, position, part, text[, context]), as a decimal string (a positive
 * int64). `source` is the file's canonical path, so the same file gets the same ids from any folder or path spelling.
 * `context` (the title and heading path embedded with the text) is part of the identity, so a renamed page or heading
 * re-embeds its chunks; an empty context hashes as before it existed (tutorial-split ids are unchanged).
 */
export function chunkId(source, position, part, text, context = '') {
    const hash = createHash('sha256').update(source).update('\0').update(`${position}.${part}`).update('\0').update(text);
    if (context)
        hash.update('\0').update(context);
    const digest = hash.digest();
    return (digest.readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}
/** Low bits of a split piece's ids that number its parts: the parts of one piece have consecutive ids. */
export const PART_BITS = 12;
/**
 * Ids of one piece's chunks, in part order. A piece stored whole keeps chunkId(…, 0, text, context). The parts of a
 * split piece get consecutive ids, base + part, where the base hashes all the parts' texts with the source, position
 * and context (its low PART_BITS cleared): any change to the piece or to how it was split changes every part's id,
 * and a hit on one part finds its siblings by primary key (ids base … base + n − 1), not by a scan of the collection.
 */
export function pieceIds(source, position, texts, context = '') {
    if (texts.length === 1)
        return [chunkId(source, position, 0, texts[0] ?? '', context)];
    const hash = createHash('sha256').update(source).update('\0').update(`${position}.split`);
    for (const t of texts)
        hash.update('\0').update(t);
    if (context)
        hash.update('\0\0').update(context);
    const mask = (1n << 63n) - 1n - ((1n << BigInt(PART_BITS)) - 1n);
    const base = hash.digest().readBigUInt64BE(0) & mask;
    return texts.map((_, part) => (base + BigInt(part)).toString());
}
/** Hash of the exact text given to the embedding model: stored chunks with the same one share their vector. */
export function embedKey(input) {
    return createHash('sha256').update(input).digest('base64url').slice(0, 27);
}
//# sourceMappingURL=chunk.js.map