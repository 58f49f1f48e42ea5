// Unit tests of the ingest scopes (src/core/discover.ts): which stored sources an argument covers, and its prefix.
// Sources are canonical absolute paths: each expected source below is written relative to the working folder and
// mapped through A() (the cases themselves are those of the cwd-relative design).

import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { discover, toSource, type Scope } from '../../src/core/discover.js';
import { tempDir } from '../helpers/tmp.js';

let cwd: string;

/** A source written relative to the working folder, as stored: absolute, links resolved; a folder prefix keeps its slash. */
function A(rel: string): string {
  const root = realpathSync(cwd);
  if (rel === '') return `${root}/`;
  return path.resolve(root, rel) + (rel.endsWith('/') ? '/' : '');
}

async function scopeOf(arg: string): Promise<Scope> {
  const d = await discover([arg], cwd);
  assert.equal(d.scopes.length, 1);
  return d.scopes[0] as Scope;
}

function check(scope: Scope, inside: string[], outside: string[]): void {
  for (const s of inside) assert.equal(scope.matches(A(s)), true, `${s} is in scope`);
  for (const s of outside) assert.equal(scope.matches(A(s)), false, `${s} is out of scope`);
}

describe('ingest scopes', () => {
  before(() => {
    cwd = tempDir('scopes-');
    for (const f of ['a.md', 'docs/a.md', 'docs/sub/x.md', 'docs/guide.md', 'docs/notes.txt']) {
      mkdirSync(path.dirname(path.join(cwd, f)), { recursive: true });
      writeFileSync(path.join(cwd, f), '# x\n');
    }
  });

  test('toSource: relative to the working folder, with forward slashes', () => {
    assert.equal(toSource('/w', '/w/docs/a.md'), 'docs/a.md');
    assert.equal(toSource('/w', '/w'), '');
    assert.equal(toSource('/w/docs', '/w/a.md'), '../a.md');
  });

  test('folder: every *.md below it, outside hidden folders and node_modules/.git', async () => {
    const scope = await scopeOf('docs');
    assert.equal(scope.prefix, A('docs/'));
    check(
      scope,
      ['docs/a.md', 'docs/sub/x.md', 'docs/sub/deep/er/y.md', 'docs/z.md', 'docs/sub/a.b/c.md'],
      [
        'docs',
        'docs/notes.txt',
        'docs/a.md.txt',
        'docs/.hidden/a.md',
        'docs/sub/.drafts/d.md',
        'docs/.a.md',
        'docs/node_modules/m.md',
        'docs/sub/node_modules/m.md',
        'docs/.git/x.md',
        'docsx/a.md',
        'a.md',
        'other/docs/a.md',
        '../docs/a.md',
      ],
    );
  });

  test('folder: a trailing slash, ./ or the full path give the same scope', async () => {
    for (const arg of ['docs/', './docs', path.join(cwd, 'docs')])
      assert.equal((await scopeOf(arg)).prefix, A('docs/'), arg);
  });

  test('folder: the working folder itself covers every visible *.md', async () => {
    const scope = await scopeOf('.');
    assert.equal(scope.prefix, A(''));
    check(scope, ['a.md', 'docs/sub/x.md'], ['.hidden/a.md', 'node_modules/x.md', 'notes.txt', 'sub/.x.md']);
  });

  test('folder: a sub-folder covers only itself', async () => {
    const scope = await scopeOf('docs/sub');
    assert.equal(scope.prefix, A('docs/sub/'));
    check(scope, ['docs/sub/x.md'], ['docs/a.md', 'docs/subx/x.md', 'docs/sub.md']);
  });

  test('glob: what the pattern matches, hidden files only when named; prefix = the literal folder', async () => {
    const one = await scopeOf('docs/*.md');
    assert.equal(one.prefix, A('docs/'));
    check(
      one,
      ['docs/a.md', 'docs/guide.md', 'docs/new.md'],
      ['docs/sub/x.md', 'docs/.a.md', 'docs/notes.txt', 'a.md', 'docsx/a.md'],
    );

    const deep = await scopeOf('docs/**/*.md');
    assert.equal(deep.prefix, A('docs/'));
    check(deep, ['docs/a.md', 'docs/sub/x.md', 'docs/sub/deep/y.md'], ['docs/notes.txt', 'docs/.hidden/a.md', 'a.md']);

    const sub = await scopeOf('./docs/sub/*.md');
    assert.equal(sub.prefix, A('docs/sub/'));
    check(sub, ['docs/sub/x.md'], ['docs/a.md', 'docs/sub/deep/y.md']);

    const top = await scopeOf('*.md');
    assert.equal(top.prefix, A(''));
    check(top, ['a.md', 'b.md'], ['docs/a.md', '.a.md', 'a.txt']);

    const any = await scopeOf('**/*.md');
    assert.equal(any.prefix, A(''));
    check(any, ['a.md', 'docs/sub/x.md'], ['docs/notes.txt']);

    const named = await scopeOf('docs/gui*.md');
    assert.equal(named.prefix, A('docs/'));
    check(named, ['docs/guide.md', 'docs/guidance.md'], ['docs/a.md', 'docs/guide.md.txt']);
  });

  // Was a bug (issue 12, item 4): globScope stripped the dot of ".github" and of "../", so the prefix query of a
  // re-ingest missed those stored rows and deleted files there were never pruned. Globs now resolve to absolute paths.
  test('glob: a pattern that starts with a hidden folder or leaves the working folder keeps that start in its prefix', async () => {
    mkdirSync(path.join(cwd, '.github'), { recursive: true });
    writeFileSync(path.join(cwd, '.github', 'a.md'), '# x\n');
    const hidden = await scopeOf('.github/*.md');
    assert.equal(hidden.prefix, A('.github/'));
    check(hidden, ['.github/a.md'], ['github/a.md']);
    const outside = tempDir('scopes-out-');
    mkdirSync(path.join(outside, 'work'));
    mkdirSync(path.join(outside, 'other'));
    writeFileSync(path.join(outside, 'other', 'b.md'), '# x\n');
    const other = realpathSync(outside);
    const d = await discover(['../other/*.md'], path.join(outside, 'work'));
    assert.equal(d.scopes[0]?.prefix, `${other}/other/`);
    assert.deepEqual(
      d.files.map((f) => f.source),
      [`${other}/other/b.md`],
    );
    assert.equal(d.scopes[0]?.matches(`${other}/other/b.md`), true);
  });

  test('file: exactly that file, also when it is not Markdown; prefix = the file itself', async () => {
    const md = await scopeOf('docs/guide.md');
    assert.equal(md.prefix, A('docs/guide.md'));
    check(md, ['docs/guide.md'], ['docs/guide.md-old.md', 'docs/guide.mdx', 'docs/a.md', 'guide.md']);
    const txt = await scopeOf('./docs/notes.txt');
    assert.equal(txt.prefix, A('docs/notes.txt'));
    check(txt, ['docs/notes.txt'], ['docs/notes.txt.md']);
  });

  test('several arguments give one scope each, in order', async () => {
    const d = await discover(['docs/sub', 'a.md', 'docs/*.md'], cwd);
    assert.deepEqual(
      d.scopes.map((s) => s.prefix),
      ['docs/sub/', 'a.md', 'docs/'].map(A),
    );
    assert.deepEqual(
      d.files.map((f) => f.source),
      ['docs/sub/x.md', 'a.md', 'docs/a.md', 'docs/guide.md'].map(A),
    );
  });
});
