// End to end: `rag config` (settings, sources, masked secrets) and `rag config --check` against real services.

import assert from 'node:assert/strict';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { startLlmServer, type LlmServer } from '../helpers/llm-server.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { closedPort, noServerLeft } from '../helpers/procs.js';

const KEY = 'sk-e2e-cfg-7HqSECRET-41b2';
const OTHER_KEY = 'lepton-e2e-Kd0SECRET-99';
const MILVUS_SECRET = 'root:Milvus-dotenv-Secret-3';

function noSecrets(r: RunResult): void {
  const all = `${r.stdout}${r.stderr}`;
  for (const s of [KEY, OTHER_KEY, MILVUS_SECRET]) assert.ok(!all.includes(s), `a secret leaked:\n${all}`);
}

/** The `key  value  (source)` line of one setting in the text output. */
function line(stdout: string, key: string): string {
  const found = stdout.split('\n').find((l) => l.startsWith(`${key} `));
  assert.ok(found, `no line for ${key} in:\n${stdout}`);
  return found.replace(/\s{2,}/g, '  ').trim();
}

describe('rag config: settings and where they come from', () => {
  test('flags > environment > .env > defaults, secrets masked, nothing started', async () => {
    const cwd = workdir('rag-e2e-config-');
    writeFileSync(
      path.join(cwd, '.env'),
      `RAG_TOP_K=5\nRAG_LLM_MODEL=from-dotenv\nMILVUS_TOKEN=${MILVUS_SECRET}\nRAG_COLLECTION=from_dotenv\n`,
    );
    const r = await rag(['config', '--collection', 'from_flag'], {
      cwd,
      env: { RAG_LLM_API_KEY: KEY, LEPTONAI_TOKEN: OTHER_KEY, RAG_LLM_MODEL: 'from-env' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    noSecrets(r);
    assert.equal(line(r.stdout, 'collection'), 'collection  from_flag  (flag)');
    assert.equal(line(r.stdout, 'llmModel'), 'llmModel  from-env  (env RAG_LLM_MODEL)');
    assert.equal(line(r.stdout, 'topK'), 'topK  5  (.env RAG_TOP_K)');
    assert.equal(line(r.stdout, 'milvusUri'), 'milvusUri  ./milvus.db  (default)');
    assert.equal(line(r.stdout, 'llmBaseUrl'), 'llmBaseUrl  https://mistral-7b.lepton.run/api/v1/  (default)');
    assert.match(line(r.stdout, 'llmApiKey'), /^llmApiKey {2}\*{4} \(set\) {2}\(env RAG_LLM_API_KEY\)$/);
    assert.match(line(r.stdout, 'milvusToken'), /^milvusToken {2}\*{4} \(set\) {2}\(\.env MILVUS_TOKEN\)$/);
    assert.ok(!existsSync(path.join(cwd, 'milvus.db')), 'plain `rag config` starts nothing');
  });

  test('--json: the API key from LEPTONAI_TOKEN, OPENAI_BASE_URL honoured; keys masked', async () => {
    const cwd = workdir('rag-e2e-config-');
    const r = await rag(['config', '--json'], {
      cwd,
      env: { LEPTONAI_TOKEN: OTHER_KEY, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
    });
    assert.equal(r.code, 0, r.stderr);
    noSecrets(r);
    const res = JSON.parse(r.stdout) as {
      settings: Record<string, { value: string; source: string }>;
      checks: unknown[];
    };
    assert.deepEqual(res.settings.llmApiKey, { value: '**** (set)', source: 'env LEPTONAI_TOKEN' });
    assert.deepEqual(res.settings.llmBaseUrl, { value: 'http://127.0.0.1:1/v1', source: 'env OPENAI_BASE_URL' });
    assert.deepEqual(res.settings.search?.source, 'default');
    assert.deepEqual(res.checks, []);
  });

  test('--llm-api-key on the command line is masked too', async () => {
    const r = await rag(['config', '--llm-api-key', KEY], { cwd: workdir('rag-e2e-config-') });
    assert.equal(r.code, 0, r.stderr);
    noSecrets(r);
    assert.match(line(r.stdout, 'llmApiKey'), /^llmApiKey {2}\*{4} \(set\) {2}\(flag\)$/);
  });
});

describe('rag config: effective values and --check hints', () => {
  test('python and cacheDir show the values in use, not "(not set)"', async () => {
    const cwd = workdir('rag-e2e-config-');
    const r = await rag(['config', '--json'], { cwd, env: { XDG_CACHE_HOME: path.join(cwd, 'xdg') } });
    assert.equal(r.code, 0, r.stderr);
    const s = (JSON.parse(r.stdout) as { settings: Record<string, { value: string; source: string }> }).settings;
    assert.deepEqual(s.cacheDir, { value: path.join(cwd, 'xdg', 'rag'), source: 'default' });
    assert.match(s.python?.value ?? '', /\.venv\/bin\/python$|^python3$/);
    assert.equal(s.python?.source, 'default');
  });

  test('--check on a missing Milvus Lite folder: FAIL milvus with a hint, and no folder created', async () => {
    const cwd = workdir('rag-e2e-config-');
    const r = await rag(['config', '--check', '--milvus-uri', './none.db', '--model-path', testModel()], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^FAIL milvus: no Milvus Lite data at .*none\.db \(hint: run `rag ingest <path>` first.*\)$/m,
    );
    assert.match(r.stdout, /^FAIL llm: no API key for the LLM endpoint \(hint: set LEPTONAI_TOKEN/m);
    assert.ok(!existsSync(path.join(cwd, 'none.db')));
  });
});

describe('rag config --check with Milvus Lite, the test model and the local LLM server', () => {
  let cwd: string;
  let llm: LlmServer;
  let env: Record<string, string>;

  before(async () => {
    cwd = workdir('rag-e2e-config-check-');
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    llm = await startLlmServer();
    env = { RAG_MODEL_PATH: testModel(), RAG_LLM_API_KEY: KEY };
    const r = await rag(['ingest', 'docs'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await llm?.close();
  });

  test('every service answers: three ok lines, exit 0; the LLM check is a one-token chat completion, as ask sends it, with the key as a bearer token', async () => {
    const start = llm.requests.length;
    const r = await rag(['config', '--check', '--llm-base-url', llm.url], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    noSecrets(r);
    const checks = r.stdout.split('\n').filter((l) => /^(ok|FAIL)\b/.test(l));
    assert.equal(checks.length, 3, r.stdout);
    assert.match(
      checks[0] ?? '',
      /^ok +milvus: Milvus Lite at \.\/milvus\.db: collection "my_rag_collection" has 12 chunks \(local:test-model, 768 dims/,
    );
    assert.match(checks[1] ?? '', /^ok +model: local:test-model: 768 dims/);
    assert.equal(checks[2], `ok   llm: ${llm.url} answers (model mistral-7b)`);
    const reqs = llm.requests.slice(start);
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0]?.method, 'POST');
    assert.equal(reqs[0]?.path, '/v1/chat/completions');
    assert.equal((reqs[0]?.body as { max_tokens?: number }).max_tokens, 1);
    assert.equal(reqs[0]?.headers.authorization, `Bearer ${KEY}`);
    noServerLeft(path.join(cwd, 'milvus.db'));
  });

  test('a wrong LLM URL (closed port): FAIL llm with the reason, one error line on stderr, exit 1', async () => {
    const port = await closedPort();
    const r = await rag(['config', '--check', '--llm-base-url', `http://127.0.0.1:${port}/v1`], { cwd, env });
    assert.equal(r.code, 1, r.stderr);
    noSecrets(r);
    assert.match(r.stdout, /^ok +milvus: /m);
    assert.match(r.stdout, /^ok +model: /m);
    // The same message as `rag ask` gives (one error mapper), with its hint.
    assert.match(
      r.stdout,
      new RegExp(
        `^FAIL llm: cannot reach the LLM endpoint at http://127\\.0\\.0\\.1:${port}/v1 \\(ECONNREFUSED\\) \\(hint: check --llm-base-url .+\\)$`,
        'm',
      ),
    );
    assert.match(r.stderr, /^error: 1 of 3 checks failed: llm \(hint: .+\)\n$/);
    noServerLeft(path.join(cwd, 'milvus.db'));
  });

  test('a key the endpoint refuses (401): FAIL llm, exit 1, the key not shown', async () => {
    llm.setBehavior({
      kind: 'status',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${KEY}` } },
    });
    try {
      const r = await rag(['config', '--check', '--llm-base-url', llm.url], { cwd, env });
      assert.equal(r.code, 1, r.stderr);
      noSecrets(r);
      assert.match(r.stdout, /^FAIL llm: .*rejected the API key \(HTTP 401\) \(hint: .+\)$/m);
    } finally {
      llm.setBehavior({ kind: 'ok' });
    }
  });
});
