// File discovery: folders, files and globs into Markdown files, plus the scopes that re-ingest may prune.

import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { RagError, usageError } from './errors.js';

export interface FoundFile {
  /** Absolute path. */
  abs: string;
  /** Path relative to the working directory, with forward slashes: the chunk's `source`. */
  source: string;
}

/** The sources an argument covers: stored chunks in scope whose file is gone get removed. */
export interface Scope {
  /** Literal start shared by every source in scope, for a prefix query. */
  prefix: string;
  matches(source: string): boolean;
}

export interface Discovery {
  files: FoundFile[];
  scopes: Scope[];
}

const IGNORE = ['**/node_modules/**', '**/.git/**'];
/** Deep enough for real trees; bounds a walk through a symlink loop. */
const MAX_DEPTH = 40;

export function toSource(cwd: string, abs: string): string {
  return path.relative(cwd, abs).split(path.sep).join('/');
}

function globScope(pattern: string): Scope {
  const isMatch = picomatch(pattern, { dot: false });
  return { prefix: picomatch.scan(pattern).base.replace(/^\.\/?/, '').replace(/(.)$/, '$1/').replace(/^\/$/, ''), matches: (s) => isMatch(s) };
}

/** Resolve the command-line paths; fails with exit code 2 on a path that does not exist. */
export async function discover(args: string[], cwd: string): Promise<Discovery> {
  const byReal = new Map<string, FoundFile>();
  const scopes: Scope[] = [];
  const add = (abs: string): void => {
    let real: string;
    try {
      real = realpathSync(abs);
      if (!statSync(real).isFile()) return;
    } catch {
      return; // dangling symlink
    }
    if (!byReal.has(real)) byReal.set(real, { abs, source: toSource(cwd, abs) });
  };

  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(abs);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const rel = toSource(cwd, abs);
      const pattern = `${rel === '' ? '' : `${fg.escapePath(rel)}/`}**/*.md`;
      const found = await fg('**/*.md', { cwd: abs, absolute: true, ignore: IGNORE, followSymbolicLinks: true, deep: MAX_DEPTH, suppressErrors: true, dot: false });
      found.sort().forEach(add);
      scopes.push(globScope(pattern));
    } else if (stat?.isFile()) {
      add(abs);
      const source = toSource(cwd, abs);
      scopes.push({ prefix: source, matches: (s) => s === source });
    } else if (fg.isDynamicPattern(arg)) {
      const pattern = toSource(cwd, path.resolve(cwd, arg)) || arg;
      const found = await fg(arg, { cwd, absolute: true, ignore: IGNORE, followSymbolicLinks: true, deep: MAX_DEPTH, suppressErrors: true, onlyFiles: true });
      if (found.length === 0) {
        throw new RagError(`no files match ${arg}`, { hint: 'check the pattern; quote it so that the shell does not expand it first' });
      }
      found.sort().forEach(add);
      scopes.push(globScope(pattern));
    } else {
      throw usageError(`${arg}: no such file or folder`, 'give a folder, a Markdown file or a glob such as "docs/**/*.md"');
    }
  }
  const files = [...byReal.values()];
  if (files.length === 0) {
    throw new RagError(`no Markdown files found in ${args.join(', ')}`, { hint: 'a folder is searched for **/*.md; name other files or globs explicitly' });
  }
  return { files, scopes };
}
