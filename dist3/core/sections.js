// From the splitter's pieces to chunks (pure): front matter, the title and heading path, and parts that fit the model.
/**
 * Version of the splitting rules and chunk ids: bump it whenever a change would give other chunks or other ids for the
 * same file (the split cache is keyed by it). 2: ids hold the context, split pieces get consecutive part ids.
 */
export const SPLIT_VERSION = 2;
export const SPLIT_MODES = ['tutorial', 'sections'];
/** The text given to the embedding model (and to BM25) for a chunk. */
export function indexText(context, text) {
    return context ? `${context}\n\n${text}` : text;
}
const FRONT = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/;
/** Key/value lines of a YAML front matter block (flat `key: value` only), or null when the text does not start with one. */
export function parseFrontMatter(text) {
    const m = FRONT.exec(text);
    if (!m)
        return null;
    const out = {};
    for (const line of (m[1] ?? '').split(/\r?\n/)) {
        const kv = /^([A-Za-z_][\w-]*):[ \t]*(.*?)[ \t]*$/.exec(line);
        if (!kv?.[1])
            continue;
        let value = kv[2] ?? '';
        if (/^(['"]).*\1$/.test(value))
            value = value.slice(1, -1);
        out[kv[1].toLowerCase()] = value;
    }
    return out;
}
/** First line of a piece, without Markdown emphasis or trailing '#' markers: the heading text. */
export function headingOf(text) {
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return line
        .replace(/#+\s*$/, '')
        .replace(/[*_`]/g, '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200);
}
/** Boundaries tried in order: paragraphs, lines, sentences, words. */
const BOUNDARIES = [/(?<=\n[ \t]*\n)/, /(?<=\n)/, /(?<=[.!?;:])(?=\s)/, /(?<=\s)/];
/** `text` in units no longer than `budget` tokens, at the coarsest boundary that works; a unit is never empty. */
function units(text, budget, count, level = 0) {
    const out = [];
    const parts = level < BOUNDARIES.length ? text.split(BOUNDARIES[level]) : hardSplit(text, budget, count);
    for (const p of parts) {
        if (p === '')
            continue;
        const tokens = count(p);
        if (tokens <= budget || p.length <= 1)
            out.push({ text: p, tokens });
        else if (level < BOUNDARIES.length)
            out.push(...units(p, budget, count, level + 1));
        else
            out.push({ text: p, tokens });
    }
    return out;
}
/** Last resort for a run without spaces (a long URL, base64): cut by characters, about `budget` tokens each. */
function hardSplit(text, budget, count) {
    const out = [];
    let size = Math.max(1, budget * 2);
    let rest = text;
    for (let guard = 0; rest !== '' && guard < 100_000; guard++) {
        let head = rest.slice(0, size);
        while (head.length > 1 && count(head) > budget)
            head = head.slice(0, Math.floor(head.length / 2));
        out.push(head);
        rest = rest.slice(head.length);
        size = Math.max(head.length, 1);
    }
    return out;
}
/**
 * A piece longer than `budget` tokens split into parts that fit, packed greedily from paragraphs, then lines, then
 * sentences; every part after the first starts with the piece's first line (its heading) so that it keeps its context.
 */
export function splitToFit(text, budget, count) {
    if (count(text) <= budget)
        return [text];
    const nl = text.indexOf('\n');
    let head = nl === -1 ? '' : text.slice(0, nl + 1);
    let body = nl === -1 ? text : text.slice(nl + 1);
    // A heading that takes a good share of the window is not repeated.
    let headTokens = head ? count(head) : 0;
    if (headTokens > budget / 4) {
        head = '';
        headTokens = 0;
        body = text;
    }
    const room = Math.max(1, budget - headTokens);
    const parts = [];
    let cur = '';
    let curTokens = 0;
    const flush = () => {
        if (cur.trim() === '')
            return;
        parts.push(head + cur);
        cur = '';
        curTokens = 0;
    };
    for (const u of units(body, room, count)) {
        // Tokens of a concatenation are about the sum of its units' (whitespace is not a token): +1 of slack per unit.
        if (cur !== '' && curTokens + u.tokens + 1 > room)
            flush();
        cur += u.text;
        curTokens += u.tokens + 1;
    }
    flush();
    // The sum was an estimate: a part that is still too long is split again at its middle.
    return parts.flatMap((p) => (count(p) <= budget || p.length < 2 ? [p] : halves(p, budget, count, head)));
}
function halves(text, budget, count, head) {
    const body = head && text.startsWith(head) ? text.slice(head.length) : text;
    const mid = body.lastIndexOf(' ', Math.floor(body.length / 2));
    const cut = mid > 0 ? mid + 1 : Math.floor(body.length / 2);
    return [head + body.slice(0, cut), head + body.slice(cut)].flatMap((p) => count(p) <= budget || p.length < 2 + head.length ? [p] : halves(p, budget, count, head));
}
/** Turns one file's pieces, in order, into sections; keeps the title and heading path between pieces. */
export class Sectioner {
    opts;
    position = 0;
    title = '';
    /** Open headings, outermost first. */
    path = [];
    contextTokens = new Map();
    constructor(opts) {
        this.opts = opts;
    }
    /** The file's title: the front matter's `title`, else its first level-1 heading. */
    get pageTitle() {
        return this.title;
    }
    *push(piece) {
        const position = this.position++;
        const sections = this.opts.mode === 'sections';
        if (position === 0 && piece.level === 0) {
            const front = parseFrontMatter(piece.text);
            if (front) {
                this.title = front.title ?? '';
                if (sections)
                    return;
                yield* this.parts(position, piece, '', true);
                return;
            }
        }
        let context = '';
        if (piece.level > 0) {
            const heading = headingOf(piece.text);
            if (!this.title && piece.level === 1)
                this.title = heading;
            while (this.path.length > 0 && (this.path[this.path.length - 1]?.level ?? 0) >= piece.level)
                this.path.pop();
            context = this.contextFor(this.path.map((h) => h.text), heading);
            this.path.push({ level: piece.level, text: heading });
        }
        else {
            context = this.contextFor(this.path.map((h) => h.text), '');
        }
        yield* this.parts(position, piece, sections ? context : '', false);
    }
    /** Title, then the enclosing headings; neither repeats the chunk's own heading nor each other. */
    contextFor(enclosing, own) {
        const names = [];
        for (const n of [this.title, ...enclosing]) {
            if (n && n !== own && names[names.length - 1] !== n)
                names.push(n);
        }
        return names.join(' > ');
    }
    *parts(position, piece, context, front) {
        let overhead = 0;
        if (context) {
            overhead = this.contextTokens.get(context) ?? this.opts.countTokens(indexText(context, ''));
            this.contextTokens.set(context, overhead);
            // A context that leaves less than half the window is dropped rather than crowding out the text.
            if (overhead > this.opts.maxTokens / 2) {
                context = '';
                overhead = 0;
            }
        }
        const texts = splitToFit(piece.text, Math.max(8, this.opts.maxTokens - overhead), this.opts.countTokens);
        for (const [part, text] of texts.entries())
            yield { position, part, text, context, front, cut: piece.cut };
    }
}
//# sourceMappingURL=sections.js.map