// reportError: a RagError is one line with its hint; anything else is reported as a bug, with the stack under --verbose.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RagError } from '../../src/core/errors.js';
import { reportError } from '../../src/cli/render.js';

function capture(fn: () => number): { code: number; stderr: string } {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: fn(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('reportError', () => {
  test('a RagError: its message and hint, its exit code, no stack', () => {
    const r = capture(() =>
      reportError(new RagError('collection "x" is empty', { hint: 'run `rag ingest <path>` first' }), false),
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: collection "x" is empty (hint: run `rag ingest <path>` first)\n');
  });

  test('an unexpected error says it is a bug and where to report it; the stack only with --verbose', () => {
    const plain = capture(() => reportError(new TypeError("Cannot read properties of undefined (reading 'x')"), false));
    assert.equal(plain.code, 1);
    const lines = plain.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^error: unexpected error \(a bug in rag\): Cannot read properties .*\(hint: run again with --verbose for the stack trace, and report it .*Reporting bugs\)\)$/,
    );
    const verbose = capture(() => reportError(new TypeError('boom'), true));
    assert.match(verbose.stderr, /TypeError: boom\n\s+at /);
    assert.match(verbose.stderr, /error: unexpected error \(a bug in rag\): boom \(hint: report it/);
  });
});
