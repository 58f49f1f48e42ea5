#!/usr/bin/env node
// Creates .venv-server with the pinned Milvus standalone server (PyPI `milvus`, requirements-server.txt) for the real-server test tier; does nothing when up to date.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venv = path.join(root, '.venv-server');
const python = path.join(venv, 'bin', 'python');
const stamp = path.join(venv, '.requirements.sha256');
const requirements = path.join(root, 'requirements-server.txt');
const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');

if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) process.exit(0);

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  if (process.platform !== 'linux' && process.platform !== 'darwin')
    throw new Error(`the milvus package has no server binary for ${process.platform}`);
  if (!existsSync(python)) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, `${want}\n`);
  process.stderr.write(`setup: Milvus standalone server installed in ${path.relative(process.cwd(), venv) || venv}\n`);
} catch (e) {
  process.stderr.write(
    `error: could not install the Milvus server into .venv-server: ${e.message.split('\n')[0]} (hint: needs Python 3.8+ with venv and pip, on Linux or macOS)\n`,
  );
  process.exit(1);
}
