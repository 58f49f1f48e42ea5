// End to end: the LLM key and the Milvus token never appear in rag's output, on every error path, with or without --verbose.

import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { startLlmServer, type LlmServer } from '../helpers/llm-server.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { closedPort } from '../helpers/procs.js';

const KEY = 'sk-SECRET-llm-key-4f9a2c';
const TOKEN = 'root:SECRET-milvus-token-77d1';

interface Case {
  name: string;
  args: () => string[];
  env?: () => Record<string, string>;
  code: number;
  /** The first stderr line (without --verbose), where the secret's place shows as ***. */
  line: RegExp;
  /** Where the *** is expected without --verbose: stderr (default), stdout, or nowhere (the message leaves the secret out). */
  masked?: 'stderr' | 'stdout' | 'none';
}

describe('secrets never printed, whatever fails', () => {
  let cwd: string;
  let llm: LlmServer;
  let port: number;
  const env = (): Record<string, string> => ({ RAG_MODEL_PATH: testModel() });

  before(async () => {
    cwd = workdir('rag-secrets-');
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    writeFileSync(path.join(cwd, 'q.jsonl'), '{"question": "How do bees make honey?", "expect": ["honey"]}\n');
    const r = await rag(['ingest', 'docs'], { cwd, env: env() });
    assert.equal(r.code, 0, r.stderr);
    port = await closedPort();
    llm = await startLlmServer({
      behavior: {
        kind: 'status',
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${KEY}`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      },
    });
  });
  after(async () => {
    await llm?.close();
  });

  const milvusAt = (): string[] => ['--milvus-uri', `http://127.0.0.1:${port}/${TOKEN}`, '--milvus-token', TOKEN];
  const cases: Case[] = [
    {
      name: 'usage error: an LLM base URL that holds the key (flag)',
      args: () => ['ask', 'How do bees make honey?', '--llm-api-key', KEY, '--llm-base-url', `http://h st/${KEY}`],
      code: 2,
      line: /^error: invalid LLM base URL: http:\/\/h st\/\*\*\* \(hint: /,
    },
    {
      name: 'usage error: an LLM base URL that holds the key (environment)',
      args: () => ['ask', 'How do bees make honey?'],
      env: () => ({ LEPTONAI_TOKEN: KEY, RAG_LLM_BASE_URL: `http://h st/${KEY}` }),
      code: 2,
      line: /^error: invalid LLM base URL: http:\/\/h st\/\*\*\* \(hint: /,
    },
    {
      name: 'Milvus unreachable: rag ingest',
      args: () => ['ingest', 'docs', ...milvusAt()],
      code: 1,
      line: /^error: cannot reach Milvus at http:\/\/127\.0\.0\.1:\d+\/\*\*\* /,
    },
    {
      name: 'Milvus unreachable: rag ask',
      args: () => ['ask', 'How do bees make honey?', '--llm-api-key', KEY, ...milvusAt()],
      code: 1,
      line: /^error: cannot reach Milvus at http:\/\/127\.0\.0\.1:\d+\/\*\*\* /,
    },
    {
      name: 'Milvus unreachable: rag eval',
      args: () => ['eval', 'q.jsonl', ...milvusAt()],
      code: 1,
      line: /^error: cannot reach Milvus at http:\/\/127\.0\.0\.1:\d+\/\*\*\* /,
    },
    {
      name: 'LLM refuses the key (HTTP 401, the key echoed in its message)',
      args: () => [
        'ask',
        'How do bees make honey?',
        '--llm-api-key',
        KEY,
        '--llm-base-url',
        llm.url,
        '--llm-retries',
        '0',
      ],
      code: 1,
      line: /^error: the LLM endpoint rejected the API key \(HTTP 401\) \(hint: /,
      masked: 'none',
    },
    {
      name: 'LLM unreachable, the key in its URL',
      args: () => [
        'ask',
        'How do bees make honey?',
        '--llm-api-key',
        KEY,
        '--llm-base-url',
        `http://127.0.0.1:${port}/${KEY}/v1`,
        '--llm-retries',
        '0',
      ],
      code: 1,
      line: /^error: .*127\.0\.0\.1:\d+\/\*\*\*\/v1.*\(hint: /,
    },
    {
      name: 'rag config --check: every check fails, the settings listed',
      args: () => [
        'config',
        '--check',
        '--llm-api-key',
        KEY,
        '--llm-base-url',
        `http://127.0.0.1:${port}/${KEY}/v1`,
        ...milvusAt(),
      ],
      code: 1,
      line: /^error: \d of \d checks failed: .*milvus.*llm.* \(hint: /,
      masked: 'stdout',
    },
  ];

  function assertNoSecret(r: RunResult, what: string): void {
    for (const secret of [KEY, TOKEN]) {
      assert.ok(!r.stdout.includes(secret), `${what}: a secret on stdout:\n${r.stdout}`);
      assert.ok(!r.stderr.includes(secret), `${what}: a secret on stderr:\n${r.stderr}`);
    }
  }

  for (const c of cases) {
    test(c.name, { timeout: 120_000 }, async () => {
      const plain = await rag(c.args(), { cwd, env: { ...env(), ...c.env?.() }, timeoutMs: 90_000 });
      assertNoSecret(plain, 'plain');
      assert.equal(plain.code, c.code, plain.stderr);
      const lines = plain.stderr.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, `one error line:\n${plain.stderr}`);
      assert.match(lines[0] ?? '', c.line);
      // The secret was there to hide: its place shows as ***.
      if (c.masked !== 'none') assert.match(c.masked === 'stdout' ? plain.stdout : plain.stderr, /\*\*\*/);

      const verbose = await rag([...c.args(), '--verbose'], {
        cwd,
        env: { ...env(), ...c.env?.() },
        timeoutMs: 90_000,
      });
      assertNoSecret(verbose, '--verbose');
      assert.equal(verbose.code, c.code, verbose.stderr);
      if (c.masked !== 'none') assert.match(c.masked === 'stdout' ? verbose.stdout : verbose.stderr, /\*\*\*/);
    });
  }
});
