#!/usr/bin/env node
// Creates the project-local Python venv (.venv) with the pinned Milvus Lite from requirements.txt; does nothing when up to date.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venv = path.join(root, '.venv');
const python = process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
const stamp = path.join(venv, '.requirements.sha256');
const requirements = path.join(root, 'requirements.txt');
const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');

if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) process.exit(0);

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, `${want}\n`);
  process.stderr.write(`setup: Milvus Lite installed in ${path.relative(process.cwd(), venv) || venv}\n`);
} catch (e) {
  process.stderr.write(`error: could not install Milvus Lite into .venv: ${e.message.split('\n')[0]} (hint: needs Python 3.10+ with venv and pip, e.g. apt-get install python3-venv)\n`);
  process.exit(1);
}
