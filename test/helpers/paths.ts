// Paths shared by the tests: repo root, built binary, ../shared corpora (with a clear message when missing).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Tests run from .test-build/test/…; the repo root is the folder that holds package.json. */
export const REPO_ROOT = (() => {
  let dir = here;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`package.json not found above ${here}`);
})();

export const RAG_BIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const FAQ = path.join(SHARED, 'corpora', 'milvus_docs', 'en', 'faq');
export const DOCS_EN = path.join(SHARED, 'corpora', 'milvus_docs', 'en');
export const DEV_SET = path.join(SHARED, 'eval', 'milvus_faq.dev.jsonl');
export const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** Skip reason for tests that need ../shared: says clearly what is missing (CI always has it). */
export function needShared(p: string): string | false {
  return existsSync(p) ? false : `../shared is missing here: ${p} not found (CI provides it)`;
}
