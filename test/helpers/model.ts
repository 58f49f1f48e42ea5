// The generated test embedding model (scripts/make-test-model.mjs), made once per test process.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './tmp.js';

let dir: string | undefined;

/** Folder of the test model, loaded by rag through the production path (--model-path). */
export function testModel(): string {
  if (dir && existsSync(path.join(dir, 'onnx', 'model.onnx'))) return dir;
  dir = path.join(tempDir('test-model-'), 'test-model');
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'make-test-model.mjs'), dir], { stdio: 'ignore' });
  return dir;
}
