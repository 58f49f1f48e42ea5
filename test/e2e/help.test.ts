// End to end: --help teaches (examples, option groups, every default and environment variable), from the one settings table (issue 15).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SETTINGS, settingName } from '../../src/core/config.js';
import { rag, workdir } from '../helpers/cli.js';

const GROUPS: Record<string, string[]> = {
  ingest: ['Embedding model options:', 'Milvus options:', 'Output:'],
  ask: ['Retrieval options:', 'Embedding model options:', 'Milvus options:', 'LLM options:', 'Output:'],
  eval: ['Retrieval options:', 'Embedding model options:', 'Milvus options:', 'Output:'],
  config: ['Retrieval options:', 'Embedding model options:', 'Milvus options:', 'LLM options:', 'Output:'],
};

describe('rag <command> --help', () => {
  const cwd = workdir('rag-e2e-help-');
  for (const [cmd, groups] of Object.entries(GROUPS)) {
    test(`${cmd}: 2-4 examples, grouped options, each setting with its environment variable and default`, async () => {
      const r = await rag([cmd, '--help'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      // Commander wraps descriptions at 80 columns off a terminal: join the continuation lines.
      const help = r.stdout.replace(/\n {20,}/g, ' ');
      const examples = help
        .slice(help.indexOf('Examples:\n') + 'Examples:\n'.length)
        .split('\n')
        .filter((l) => l.startsWith(`  rag ${cmd}`));
      assert.ok(help.includes('Examples:\n') && examples.length >= 2 && examples.length <= 4, help);
      let at = -1;
      for (const g of groups) {
        const i = help.indexOf(`\n${g}\n`);
        assert.ok(i > at, `group ${g} in order in:\n${help}`);
        at = i;
      }
      for (const s of SETTINGS) {
        if (!s.option) continue;
        const name = settingName(s);
        const line = help
          .split('\n')
          .find((l) => l.includes(name) && l.trim().startsWith(s.option?.startsWith('-k') ? '-k' : name));
        if (!line) continue; // not an option of this command
        for (const e of s.env) assert.ok(line.includes(e), `${cmd} ${name} names ${e}: ${line}`);
        if (s.default !== undefined && s.default !== false)
          assert.ok(line.includes(`default: ${String(s.default)}`), `${cmd} ${name} shows its default: ${line}`);
        if (s.defaultText)
          assert.ok(line.includes(`default: ${s.defaultText}`), `${cmd} ${name} shows its default: ${line}`);
      }
    });
  }

  test('the LLM options of ask and config show their defaults and environment variables', async () => {
    for (const cmd of ['ask', 'config']) {
      const r = await rag([cmd, '--help'], { cwd });
      const help = r.stdout.replace(/\n {20,}/g, ' ');
      assert.match(
        help,
        /--llm-base-url <url> .*default: https:\/\/mistral-7b\.lepton\.run\/api\/v1\/; env: RAG_LLM_BASE_URL, OPENAI_BASE_URL/,
      );
      assert.match(help, /--cache-dir <dir> .*default: \$XDG_CACHE_HOME\/rag or ~\/\.cache\/rag; env: RAG_CACHE_DIR/);
    }
  });

  test('eval: one name for the cut-off (--cutoff); the old --k is hidden but accepted', async () => {
    const r = await rag(['eval', '--help'], { cwd });
    assert.match(r.stdout, /--cutoff <n>/);
    assert.doesNotMatch(r.stdout, /--k <n>/);
    assert.match(r.stdout, /-k, --top-k <n>/);
  });

  test('top-level help: examples, exit codes, environment variables, the README', async () => {
    const r = await rag(['--help'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 failure, 2 usage error, 130\/143/);
    for (const e of ['MILVUS_URI', 'RAG_TOP_K', 'LEPTONAI_TOKEN', 'HTTPS_PROXY']) assert.ok(r.stdout.includes(e), e);
    assert.match(r.stdout, /README/);
    assert.match(r.stdout, /Examples:\n {2}rag ingest/);
  });
});
