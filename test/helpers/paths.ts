// Paths shared by the tests: repo root, built binary, ../shared corpora (with a clear message when missing).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
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

/** Running in CI (CI=true, as CI services set it): missing inputs that would drop coverage fail the run instead of skipping. */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/**
 * Skip reason for a suite that needs `what` (missing: a sentence saying so), for `describe(name, { skip }, …)`.
 * A skipped describe does not add to the runner's skipped count, so this also registers one test in the current
 * suite: skipped (counted) when `what` is missing, or failing in CI, where the coverage must not vanish quietly.
 */
export function requireInput(missing: string | false): string | false {
  if (missing === false) return false;
  if (IN_CI) {
    test(`required input is present: ${missing}`, () => {
      throw new Error(`${missing}; CI must provide it (CI=${process.env.CI ?? ''})`);
    });
  } else {
    test(`required input is present: ${missing}`, { skip: missing }, () => undefined);
  }
  return missing;
}

/** Skip reason for tests that need ../shared: says clearly what is missing (and fails in CI, see requireInput). */
export function needShared(...paths: string[]): string | false {
  const absent = paths.find((p) => !existsSync(p));
  return requireInput(absent === undefined ? false : `../shared is missing here: ${absent} not found (CI provides it)`);
}
