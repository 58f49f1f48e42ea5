// End to end: a narrower ingest after a wider one prunes only what the narrower argument covers, for each kind of scope.

import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { storedRows } from '../helpers/reliability-kit.js';

/** One file per entry (relative path → one-piece Markdown whose text names the file), so stored texts say which files are in. */
const FILES = [
  'docs/a.md',
  'docs/guide.md',
  'docs/guide.md-old.md', // starts with the name of docs/guide.md: a prefix query for that file finds it too
  'docs/sub/x.md',
  'docs/sub/notes.txt', // not Markdown: in only when named explicitly
  'docs/sub/.drafts/d.md', // hidden folder: in only through a glob that names it
];

function text(file: string): string {
  return `Note\n\nThis is the text of ${file}.\n`;
}

function makeTree(cwd: string): void {
  for (const f of FILES) {
    mkdirSync(path.dirname(path.join(cwd, f)), { recursive: true });
    writeFileSync(path.join(cwd, f), `# ${text(f)}`);
  }
}

/** Which files have their chunk stored, from the stored texts (not the `source` strings, whose form may change). */
async function storedFiles(cwd: string): Promise<string[]> {
  const rows = await storedRows(path.join(cwd, 'milvus.db'));
  return FILES.filter((f) => rows.some((r) => r.text === text(f)));
}

describe('a narrower ingest after a wider one keeps what it does not cover', () => {
  let env: Record<string, string>;
  before(() => {
    env = { RAG_MODEL_PATH: testModel() };
  });

  async function ingest(cwd: string, args: string[]): Promise<{ added: number; removed: number; total: number }> {
    const r = await rag(['ingest', ...args, '--json'], { cwd, env });
    assert.equal(r.code, 0, `rag ingest ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { added: number; removed: number; total: number };
  }

  /** Ingest `wide` (everything), then `narrow`: nothing is removed, every file is still stored. */
  async function narrowAfterWide(narrow: string[]): Promise<void> {
    const cwd = workdir('rag-scopes-');
    makeTree(cwd);
    const wide = await ingest(cwd, ['docs', 'docs/sub/notes.txt', 'docs/sub/.drafts/*.md']);
    assert.deepEqual([wide.added, wide.total], [FILES.length, FILES.length], 'the wide ingest stored every file');
    const s = await ingest(cwd, narrow);
    assert.equal(s.removed, 0, `rag ingest ${narrow.join(' ')} removed chunks it does not cover`);
    assert.equal(s.total, FILES.length);
    assert.deepEqual(await storedFiles(cwd), FILES);
  }

  test('folder: docs/sub keeps docs/*.md, and in docs/sub the non-Markdown and hidden-folder files', async () => {
    await narrowAfterWide(['docs/sub']);
  });

  test('glob: "docs/*.md" keeps docs/sub/x.md (and the rest)', async () => {
    await narrowAfterWide(['docs/*.md']);
  });

  test('glob: "docs/**/x.md" keeps the other files below docs', async () => {
    await narrowAfterWide(['docs/**/x.md']);
  });

  test('file: docs/guide.md keeps docs/guide.md-old.md, whose name starts with it', async () => {
    await narrowAfterWide(['docs/guide.md']);
  });

  test('folder and glob scopes still prune what they cover: deleted files in scope go, the rest stays', async () => {
    const cwd = workdir('rag-scopes-');
    makeTree(cwd);
    await ingest(cwd, ['docs', 'docs/sub/notes.txt', 'docs/sub/.drafts/*.md']);
    // (A file argument covers only itself, and a file that is gone cannot be named: it has nothing to prune.)
    const cases: [string, string[]][] = [
      ['docs/sub/x.md', ['docs/sub', 'docs/a.md']], // folder scope (docs/sub has no visible Markdown left)
      ['docs/a.md', ['docs/*.md']], // glob scope
    ];
    const gone: string[] = [];
    for (const [file, args] of cases) {
      rmSync(path.join(cwd, file));
      gone.push(file);
      const s = await ingest(
        cwd,
        args.filter((a) => a !== file),
      );
      assert.equal(s.removed, 1, `rag ingest ${args.join(' ')}: the deleted ${file}`);
      assert.deepEqual(
        await storedFiles(cwd),
        FILES.filter((f) => !gone.includes(f)),
        `after deleting ${file}`,
      );
    }
  });
});
