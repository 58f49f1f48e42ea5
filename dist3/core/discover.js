// File discovery: folders, files and globs into Markdown files, plus the scopes that re-ingest may prune.
import { realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { RagError, usageError } from './errors.js';
const SKIP_DIRS = new Set(['node_modules', '.git']);
/** Deep enough for real trees; a symlink loop is cut earlier, as each real folder is walked once. */
const MAX_DEPTH = 40;
export function toSource(cwd, abs) {
    return path.relative(cwd, abs).split(path.sep).join('/');
}
/** A path with forward slashes (the form stored in `source`). */
function slashed(p) {
    return p.split(path.sep).join('/');
}
/** The canonical form of a path: absolute, links resolved as far as the path exists. */
export function canonical(abs) {
    let head = abs;
    const rest = [];
    for (let i = 0; i < 4096; i++) {
        try {
            return slashed(path.join(realpathSync(head), ...rest.reverse()));
        }
        catch {
            const parent = path.dirname(head);
            if (parent === head)
                break;
            rest.push(path.basename(head));
            head = parent;
        }
    }
    return slashed(abs);
}
/** What a glob covers, on canonical paths: its literal base is resolved, the pattern part kept. */
export function globScope(absPattern) {
    const { base, glob } = picomatch.scan(slashed(absPattern));
    const root = canonical(base || '/');
    const pattern = `${root === '/' ? '' : root}/${glob}`;
    const isMatch = picomatch(pattern, { dot: false });
    return { prefix: `${root === '/' ? '' : root}/`, matches: (s) => isMatch(s) };
}
/** What `rag ingest FOLDER` covers: every *.md below it, outside hidden folders and node_modules. */
export function folderScope(dir) {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return {
        prefix,
        matches: (s) => s.startsWith(prefix) &&
            s.endsWith('.md') &&
            !s
                .slice(prefix.length)
                .split('/')
                .some((seg) => seg.startsWith('.') || SKIP_DIRS.has(seg)),
    };
}
function interrupted() {
    return new RagError('interrupted while looking for files: nothing was written', {
        hint: 'run the same command again',
    });
}
/**
 * Every file below `root` (following symbolic links), sorted. fast-glob lists each real folder tree without
 * following links; links are resolved here, so that each real folder is walked once and a link to a folder
 * that contains it (a loop) is passed over with a warning. Unreadable folders and dangling links are passed over.
 */
async function walk(root, cwd, opts, warnings) {
    const files = [];
    const seen = new Set();
    const ignore = [...SKIP_DIRS].flatMap((d) => [`**/${d}`, `**/${d}/**`]);
    const visit = async (dir, depth) => {
        if (opts.signal?.aborted)
            throw interrupted();
        let real;
        try {
            real = await realpath(dir);
        }
        catch {
            return;
        }
        if (seen.has(real))
            return;
        seen.add(real);
        const entries = await fg('**', {
            cwd: dir,
            dot: !opts.hidden,
            onlyFiles: false,
            followSymbolicLinks: false,
            deep: opts.depth - depth + 1,
            ignore,
            objectMode: true,
            suppressErrors: true,
        });
        for (const entry of entries.sort((a, b) => (a.path < b.path ? -1 : 1))) {
            const abs = path.join(dir, entry.path);
            if (entry.dirent.isFile()) {
                files.push(abs);
                continue;
            }
            if (!entry.dirent.isSymbolicLink())
                continue;
            let st;
            try {
                st = await stat(abs);
            }
            catch {
                continue; // dangling link, or gone meanwhile
            }
            if (st.isFile()) {
                files.push(abs);
            }
            else if (st.isDirectory()) {
                const levels = entry.path.split('/').length;
                if (depth + levels > opts.depth)
                    continue;
                const [target, home] = await Promise.all([realpath(abs), realpath(path.dirname(abs))]).catch(() => ['', '']);
                if (target === '' || home === target || home.startsWith(`${target}${path.sep}`)) {
                    warnings.push(`skipped ${toSource(cwd, abs) || '.'}: symbolic link loop (it points to a folder that contains it)`);
                    continue;
                }
                await visit(abs, depth + levels);
            }
        }
    };
    await visit(root, 0);
    return files.sort();
}
/** Resolve the command-line paths; fails with exit code 2 on a path that does not exist. */
export async function discover(args, cwd, signal) {
    const byReal = new Map();
    const scopes = [];
    const warnings = [];
    const add = (abs) => {
        let real;
        try {
            real = realpathSync(abs);
            if (!statSync(real).isFile())
                return;
        }
        catch {
            return; // dangling symlink
        }
        if (!byReal.has(real))
            byReal.set(real, { abs, source: slashed(real), display: toSource(cwd, abs) });
    };
    for (const arg of args) {
        const abs = path.resolve(cwd, arg);
        let st;
        try {
            st = statSync(abs);
        }
        catch {
            st = undefined;
        }
        if (st?.isDirectory()) {
            const scope = folderScope(canonical(abs));
            const found = await walk(abs, cwd, { depth: MAX_DEPTH, hidden: true, signal }, warnings);
            found.filter((f) => f.endsWith('.md')).forEach(add);
            scopes.push(scope);
        }
        else if (st?.isFile()) {
            add(abs);
            const source = canonical(abs);
            scopes.push({ prefix: source, matches: (s) => s === source });
        }
        else if (picomatch.scan(arg).isGlob) {
            const scope = globScope(path.resolve(cwd, arg));
            const { base, glob } = picomatch.scan(arg);
            const depth = glob.includes('**') ? MAX_DEPTH : glob.split('/').length - 1;
            // Hidden folders are entered only when the pattern names one (".github/**/*.md").
            const hidden = !/(^|\/)\./.test(glob);
            const found = (await walk(path.resolve(cwd, base || '.'), cwd, { depth, hidden, signal }, warnings)).filter((f) => scope.matches(`${canonical(path.dirname(f))}/${path.basename(f)}`));
            if (found.length === 0) {
                throw new RagError(`no files match ${arg}`, {
                    hint: 'check the pattern; quote it so that the shell does not expand it first',
                });
            }
            found.forEach(add);
            scopes.push(scope);
        }
        else {
            throw usageError(`${arg}: no such file or folder`, 'give a folder, a Markdown file or a glob such as "docs/**/*.md"');
        }
    }
    const files = [...byReal.values()];
    if (files.length === 0) {
        throw new RagError(`no Markdown files found in ${args.join(', ')}`, {
            hint: 'a folder is searched for **/*.md; name other files or globs explicitly',
        });
    }
    return { files, scopes, warnings };
}
//# sourceMappingURL=discover.js.map