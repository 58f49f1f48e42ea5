// End to end: `rag mcp` driven by the MCP SDK's own client over stdio, on real Milvus Lite: tools, search, errors, ask, shutdown.

import assert from 'node:assert/strict';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cleanEnv, rag, workdir } from '../helpers/cli.js';
import { DEFAULT_ANSWER, startLlmServer, type LlmServer } from '../helpers/llm-server.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES, RAG_BIN } from '../helpers/paths.js';
import { noServerLeft } from '../helpers/procs.js';

const QUESTION = 'How do bees make honey?';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

function body(r: ToolResult): string {
  assert.equal(r.content.length, 1);
  assert.equal(r.content[0]?.type, 'text');
  return r.content[0]?.text ?? '';
}

describe('rag mcp over stdio with the SDK client', () => {
  let cwd: string;
  let model: string;
  let llm: LlmServer;
  const dataDir = (): string => path.join(cwd, 'milvus.db');
  // A slot per piece, as in ask.test.ts (a file's pieces sharing one is in levers.test.ts).
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    RAG_MODEL_PATH: model,
    RAG_PER_FILE: '0',
    RAG_SERVE_DIR: path.join(cwd, 'run'),
    ...extra,
  });

  async function connect(
    args: string[] = [],
    extra: Record<string, string> = {},
  ): Promise<{ client: Client; transport: StdioClientTransport }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [RAG_BIN, 'mcp', ...args],
      cwd,
      env: cleanEnv(env(extra)),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'rag-e2e', version: '1.0.0' });
    await client.connect(transport);
    transport.stderr?.on('data', () => undefined); // drained, so that its log never blocks it
    return { client, transport };
  }

  before(async () => {
    cwd = workdir('rag-e2e-mcp-');
    model = testModel();
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    llm = await startLlmServer();
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env: env() });
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await llm?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  test('lazy: tools, status, search (same chunks as rag ask), tool errors, then stdin close stops it and its Milvus Lite', async () => {
    const { client, transport } = await connect();
    const pid = transport.pid ?? -1;
    assert.ok(pid > 0);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['ask', 'search', 'status']);
      const search = tools.find((t) => t.name === 'search');
      assert.deepEqual(Object.keys(search?.inputSchema.properties ?? {}).sort(), ['mode', 'query', 'top_k']);
      assert.deepEqual(search?.inputSchema.required, ['query']);
      // Lazy: listing the tools starts nothing; Milvus Lite and the model load on the first tool call.
      noServerLeft(dataDir());

      const status = JSON.parse(
        body((await client.callTool({ name: 'status', arguments: {} })) as ToolResult),
      ) as Record<string, unknown>;
      assert.equal(status.collection, 'my_rag_collection');
      assert.equal(status.chunks, 12);
      assert.equal(status.exists, true);
      assert.match(String(status.model), /^local:/);
      assert.equal(status.milvus, dataDir());
      assert.equal(status.warm, true);

      const res = (await client.callTool({
        name: 'search',
        arguments: { query: QUESTION, top_k: 4, mode: 'hybrid' },
      })) as ToolResult;
      assert.ok(!res.isError, body(res));
      const found = JSON.parse(body(res)) as {
        mode: string;
        chunks: { text: string; source: string; position: number; score: number }[];
      };
      assert.equal(found.mode, 'hybrid');
      assert.equal(found.chunks.length, 4);
      assert.deepEqual(Object.keys(found.chunks[0] ?? {}).sort(), ['position', 'score', 'source', 'text']);
      assert.equal(found.chunks[0]?.source, 'docs/bees.md');
      assert.equal(found.chunks[0]?.position, 1);
      // The CLI (in-process, handing the folder over and back) returns the same chunks with the same scores.
      const cli = await rag(['ask', '--no-llm', '--json', '--no-server', '-k', '4', '--search', 'hybrid', QUESTION], {
        cwd,
        env: env(),
      });
      assert.equal(cli.code, 0, cli.stderr);
      const sources = (
        JSON.parse(cli.stdout) as { sources: { text: string; file: string; position: number; score: number }[] }
      ).sources;
      assert.deepEqual(
        found.chunks,
        sources.map((s) => ({ text: s.text, source: s.file, position: s.position, score: s.score })),
      );

      // Warm between calls: a second search after the hand-over still works.
      const again = (await client.callTool({
        name: 'search',
        arguments: { query: 'lighthouse keeper' },
      })) as ToolResult;
      assert.ok(!again.isError, body(again));

      // ask without LLM settings: a tool error with the CLI's one-line format.
      const noKey = (await client.callTool({ name: 'ask', arguments: { question: QUESTION } })) as ToolResult;
      assert.equal(noKey.isError, true);
      assert.match(body(noKey), /^error: no API key for the LLM endpoint \(hint: set LEPTONAI_TOKEN .+\)$/);
    } finally {
      await client.close();
    }
    assert.ok(await until(() => !alive(pid), 15_000), 'rag mcp exited when stdin closed');
    noServerLeft(dataDir());
    assert.deepEqual(
      readdirSync(path.join(cwd, 'run')).filter((f) => !f.endsWith('.log')),
      [],
      'its socket and info file are gone',
    );
  });

  test('a tool error carries the same one-line message as the CLI (missing collection); SIGTERM stops it and Milvus Lite', async () => {
    const cli = await rag(['ask', '--no-llm', '--collection', 'nope', QUESTION], { cwd, env: env() });
    assert.equal(cli.code, 1);
    const { client, transport } = await connect(['--collection', 'nope']);
    const pid = transport.pid ?? -1;
    try {
      const res = (await client.callTool({ name: 'search', arguments: { query: QUESTION } })) as ToolResult;
      assert.equal(res.isError, true);
      assert.equal(body(res), cli.stderr.trim());
      assert.match(body(res), /^error: collection "nope" does not exist \(hint: .+\)$/);
      process.kill(pid, 'SIGTERM');
      assert.ok(await until(() => !alive(pid), 15_000), 'rag mcp exited on SIGTERM');
    } finally {
      await client.close().catch(() => undefined);
    }
    noServerLeft(dataDir());
  });

  test('ask with the LLM settings: the answer and its sources', async () => {
    const { client } = await connect([], { RAG_LLM_BASE_URL: llm.url, RAG_LLM_API_KEY: 'sk-mcp-test-key-1234' });
    try {
      const res = (await client.callTool({ name: 'ask', arguments: { question: QUESTION } })) as ToolResult;
      assert.ok(!res.isError, body(res));
      const out = JSON.parse(body(res)) as { answer: string; sources: { source: string; position: number }[] };
      assert.equal(out.answer, DEFAULT_ANSWER);
      assert.equal(out.sources[0]?.source, 'docs/bees.md');
      assert.ok(!body(res).includes('sk-mcp-test-key-1234'));
      assert.equal(llm.requests.length, 1);
    } finally {
      await client.close();
    }
    noServerLeft(dataDir());
  });
});
