// Temporary folders of one test process: all below one root that is removed when the process exits.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let root: string | undefined;

/** The root of this process's temporary folders, made on first use and removed at exit (a crash of the runner aside). */
export function tempRoot(): string {
  if (root) return root;
  const made = mkdtempSync(path.join(os.tmpdir(), 'rag-test-'));
  root = made;
  process.once('exit', () => {
    try {
      // Milvus Lite may still be finishing its shutdown in a folder below: retry a few times.
      rmSync(made, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      process.stderr.write(`warning: could not remove the test folder ${made}: ${String(e)}\n`);
    }
  });
  return made;
}

/** A fresh temporary folder (`prefix` + random), removed with the root at exit. */
export function tempDir(prefix = 'tmp-'): string {
  mkdirSync(tempRoot(), { recursive: true });
  return mkdtempSync(path.join(tempRoot(), prefix));
}
