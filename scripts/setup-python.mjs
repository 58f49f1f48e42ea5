#!/usr/bin/env node
// Creates a project-local Python venv from a pinned requirements file; does nothing when it is up to date.
//   node scripts/setup-python.mjs                                   .venv from requirements.txt (Milvus Lite)
//   node scripts/setup-python.mjs .venv-bench bench/requirements.txt the reference embedder for bench/ and tests
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [venvArg = '.venv', reqArg = 'requirements.txt'] = process.argv.slice(2);
const venv = path.resolve(root, venvArg);
const python =
  process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
const stamp = path.join(venv, '.requirements.sha256');
const requirements = path.resolve(root, reqArg);
const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');

if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) process.exit(0);

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, `${want}\n`);
  process.stderr.write(
    `setup: ${path.relative(root, requirements)} installed in ${path.relative(process.cwd(), venv) || venv}\n`,
  );
} catch (e) {
  process.stderr.write(
    `error: could not install ${path.relative(root, requirements)} into ${venvArg}: ${e.message.split('\n')[0]} (hint: needs Python 3.10+ with venv and pip, e.g. apt-get install python3-venv)\n`,
  );
  process.exit(1);
}
