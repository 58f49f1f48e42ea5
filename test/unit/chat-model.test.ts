// Unit tests of src/services/chat-model.ts against the local OpenAI-compatible test server.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createChatModel, type ChatModelOptions } from '../../src/services/chat-model.js';
import { RagError } from '../../src/core/errors.js';
import type { ChatMessage } from '../../src/core/types.js';
import { DEFAULT_ANSWER, splitAnswer, startLlmServer, type Behavior, type LlmServer } from '../helpers/llm-server.js';
import { closedPort } from '../helpers/procs.js';

const KEY = 'sk-test-Zq8pSECRET-7f3a';
const MODEL = 'meta-llama/test-model-7b';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: '\nHuman: You are an AI assistant.\n' },
  { role: 'user', content: 'How is data stored in milvus?' },
];

async function withServer(behavior: Behavior[] | Behavior, fn: (s: LlmServer) => Promise<void>): Promise<void> {
  const server = await startLlmServer({ behavior });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function model(url: string, over: Partial<ChatModelOptions> = {}) {
  return createChatModel({ baseURL: url, apiKey: KEY, model: MODEL, timeoutMs: 5000, maxRetries: 2, ...over });
}

/** The RagError a promise rejects with; asserts that the key appears nowhere in it. */
async function failure(p: Promise<unknown>): Promise<RagError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RagError, `expected a RagError, got ${String(err)}`);
    for (const text of [
      err.message,
      err.hint ?? '',
      String(err.stack),
      err.cause === undefined ? '' : String(err.cause),
    ]) {
      assert.ok(!text.includes(KEY), `the API key leaked into: ${text}`);
    }
    assert.ok(!err.message.includes('\n'), `message is not one line: ${err.message}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('createChatModel: requests and answers', () => {
  it('sends the exact messages, model and bearer token (not streamed)', async () => {
    await withServer({ kind: 'ok' }, async (s) => {
      const res = await model(s.url, { temperature: 0.2, maxTokens: 300 }).complete(MESSAGES);
      assert.equal(s.requests.length, 1);
      const req = s.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/v1/chat/completions');
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      const body = req.body as Record<string, unknown>;
      assert.deepEqual(body.messages, MESSAGES);
      assert.equal(body.model, MODEL);
      assert.equal(body.temperature, 0.2);
      assert.equal(body.max_tokens, 300);
      assert.notEqual(body.stream, true);
      assert.equal(res.text, DEFAULT_ANSWER);
      assert.equal(res.model, MODEL);
    });
  });

  it('leaves temperature and max_tokens out unless given', async () => {
    await withServer({ kind: 'ok' }, async (s) => {
      await model(s.url).complete(MESSAGES);
      const body = s.requests[0]!.body as Record<string, unknown>;
      assert.ok(!('temperature' in body));
      assert.ok(!('max_tokens' in body));
    });
  });

  it('non-streamed: returns text, model and usage', async () => {
    await withServer(
      { kind: 'ok', answer: 'Forty two.', usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } },
      async (s) => {
        const res = await model(s.url).complete(MESSAGES);
        assert.deepEqual(res, {
          text: 'Forty two.',
          model: MODEL,
          usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 },
        });
      },
    );
  });

  it('streamed: passes each piece to onToken in order, returns full text and usage', async () => {
    await withServer({ kind: 'ok' }, async (s) => {
      const pieces: string[] = [];
      const res = await model(s.url).complete(MESSAGES, { onToken: (p) => pieces.push(p) });
      const expected = splitAnswer(DEFAULT_ANSWER);
      assert.ok(expected.length > 3);
      assert.deepEqual(pieces, expected); // the empty role chunk is not passed on
      assert.equal(res.text, DEFAULT_ANSWER);
      assert.equal(res.model, MODEL);
      assert.ok(res.usage);
      assert.equal(res.usage.completionTokens, expected.length);
      assert.equal(res.usage.totalTokens, res.usage.promptTokens + res.usage.completionTokens);
      const body = s.requests[0]!.body as Record<string, unknown>;
      assert.equal(body.stream, true);
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.deepEqual(body.messages, MESSAGES);
      assert.equal(s.requests[0]!.headers.authorization, `Bearer ${KEY}`);
    });
  });

  it('usage is null when the server reports none (streamed and not)', async () => {
    await withServer({ kind: 'ok', usage: null }, async (s) => {
      const m = model(s.url);
      assert.equal((await m.complete(MESSAGES)).usage, null);
      const streamed = await m.complete(MESSAGES, { onToken: () => {} });
      assert.equal(streamed.usage, null);
      assert.equal(streamed.text, DEFAULT_ANSWER);
    });
  });

  it('does not forward OPENAI_ORG_ID / OPENAI_PROJECT_ID to the endpoint', async () => {
    const saved = { org: process.env.OPENAI_ORG_ID, project: process.env.OPENAI_PROJECT_ID };
    process.env.OPENAI_ORG_ID = 'org-should-not-leak';
    process.env.OPENAI_PROJECT_ID = 'proj-should-not-leak';
    try {
      await withServer({ kind: 'ok' }, async (s) => {
        const m = model(s.url);
        await m.complete(MESSAGES);
        const headers = s.requests[0]!.headers;
        assert.equal(headers['openai-organization'], undefined);
        assert.equal(headers['openai-project'], undefined);
      });
    } finally {
      for (const [name, value] of [
        ['OPENAI_ORG_ID', saved.org],
        ['OPENAI_PROJECT_ID', saved.project],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('an empty API key is a usage error', () => {
    assert.throws(
      () =>
        createChatModel({ baseURL: 'http://127.0.0.1:1/v1', apiKey: '', model: MODEL, timeoutMs: 1000, maxRetries: 0 }),
      (err: unknown) => err instanceof RagError && err.exitCode === 2 && /LEPTONAI_TOKEN/.test(err.hint ?? ''),
    );
  });
});

describe('createChatModel: failures', () => {
  for (const status of [401, 403] as const) {
    it(`${status} → rejected API key, with a hint, no retry`, async () => {
      await withServer({ kind: 'status', status }, async (s) => {
        const err = await failure(model(s.url).complete(MESSAGES));
        assert.equal(err.message, `the LLM endpoint rejected the API key (HTTP ${status})`);
        assert.equal(err.exitCode, 1);
        assert.match(err.hint ?? '', /LEPTONAI_TOKEN/);
        assert.match(err.hint ?? '', /RAG_LLM_API_KEY/);
        assert.match(err.hint ?? '', /--llm-api-key/);
        assert.equal(s.requests.length, 1);
      });
    });
  }

  it('a server message echoing the key is scrubbed', async () => {
    const body = { error: { message: `Model not found for key ${KEY}` } };
    await withServer({ kind: 'status', status: 404, body }, async (s) => {
      const err = await failure(model(s.url).complete(MESSAGES, { onToken: () => {} }));
      assert.match(err.message, /\*\*\*/);
      assert.equal(err.cause, undefined);
    });
    await withServer({ kind: 'status', status: 500, body }, async (s) => {
      const err = await failure(model(s.url, { maxRetries: 0 }).complete(MESSAGES));
      assert.match(err.message, /HTTP 500.*\*\*\*/);
    });
  });

  it('404 → model or URL not found, hint names base URL and model', async () => {
    await withServer({ kind: 'status', status: 404 }, async (s) => {
      const err = await failure(model(s.url).complete(MESSAGES));
      assert.match(err.message, /not found/);
      assert.match(err.message, /HTTP 404/);
      assert.ok(err.hint?.includes(s.url), err.hint);
      assert.ok(err.hint?.includes(MODEL), err.hint);
      assert.match(err.hint ?? '', /--llm-base-url/);
      assert.match(err.hint ?? '', /--llm-model/);
      assert.equal(s.requests.length, 1);
    });
  });

  it('429 then ok succeeds through the client retries (retry-after-ms honoured)', async () => {
    await withServer([{ kind: 'status', status: 429 }, { kind: 'ok' }], async (s) => {
      const t0 = Date.now();
      const res = await model(s.url).complete(MESSAGES);
      assert.equal(res.text, DEFAULT_ANSWER);
      assert.equal(s.requests.length, 2);
      assert.equal(s.requests[1]!.headers['x-stainless-retry-count'], '1');
      assert.ok(Date.now() - t0 < 2000);
    });
  });

  it('503 then ok succeeds when streaming too', async () => {
    await withServer([{ kind: 'status', status: 503 }, { kind: 'ok' }], async (s) => {
      const pieces: string[] = [];
      const res = await model(s.url).complete(MESSAGES, { onToken: (p) => pieces.push(p) });
      assert.equal(res.text, DEFAULT_ANSWER);
      assert.equal(pieces.join(''), DEFAULT_ANSWER);
      assert.equal(s.requests.length, 2);
    });
  });

  it('429 forever → rate limited error after the retries', async () => {
    await withServer({ kind: 'status', status: 429 }, async (s) => {
      const err = await failure(model(s.url, { maxRetries: 1 }).complete(MESSAGES));
      assert.match(err.message, /rate limit/);
      assert.match(err.message, /HTTP 429/);
      assert.match(err.hint ?? '', /--llm-retries/);
      assert.equal(s.requests.length, 2);
    });
  });

  it('500 forever with maxRetries 2 → server error after exactly 3 requests', async () => {
    await withServer({ kind: 'status', status: 500 }, async (s) => {
      const t0 = Date.now();
      const err = await failure(model(s.url, { maxRetries: 2 }).complete(MESSAGES));
      const elapsed = Date.now() - t0;
      assert.match(err.message, /HTTP 500/);
      assert.match(err.message, /server error/);
      assert.equal(err.exitCode, 1);
      assert.equal(s.requests.length, 3);
      // Without retry-after-ms the default backoff would wait ≥ 1.1 s here.
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    });
  });

  it('hang with timeoutMs 300 and maxRetries 0 → timeout error quickly', async () => {
    await withServer({ kind: 'hang' }, async (s) => {
      const t0 = Date.now();
      const err = await failure(model(s.url, { timeoutMs: 300, maxRetries: 0 }).complete(MESSAGES));
      const elapsed = Date.now() - t0;
      assert.match(err.message, /^no answer from the LLM endpoint within 0\.3 s/);
      assert.match(err.hint ?? '', /--llm-timeout/);
      assert.ok(elapsed >= 250 && elapsed < 3000, `took ${elapsed} ms`);
      assert.equal(s.requests.length, 1);
    });
  });

  it('a stream that goes silent → timeout error, the pieces before it were passed on', async () => {
    await withServer({ kind: 'stall', afterChunks: 1 }, async (s) => {
      const pieces: string[] = [];
      const t0 = Date.now();
      const err = await failure(
        model(s.url, { timeoutMs: 300, maxRetries: 0 }).complete(MESSAGES, { onToken: (p) => pieces.push(p) }),
      );
      assert.match(err.message, /^no answer from the LLM endpoint within 0\.3 s/);
      assert.deepEqual(pieces, splitAnswer(DEFAULT_ANSWER).slice(0, 1));
      assert.ok(Date.now() - t0 < 3000);
    });
  });

  it('connection refused → cannot reach the endpoint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const err = await failure(model(url, { maxRetries: 0 }).complete(MESSAGES));
    assert.equal(err.message, `cannot reach the LLM endpoint at ${url} (ECONNREFUSED)`);
    assert.match(err.hint ?? '', /--llm-base-url/);
    const streamed = await failure(model(url, { maxRetries: 0 }).complete(MESSAGES, { onToken: () => {} }));
    assert.equal(streamed.message, err.message);
  });

  it('a dropped connection is retried, then reported', async () => {
    await withServer({ kind: 'drop' }, async (s) => {
      const err = await failure(model(s.url, { maxRetries: 1 }).complete(MESSAGES));
      assert.ok(err.message.includes(s.url), err.message);
      assert.equal(s.requests.length, 2);
    });
  });

  it('a dropped connection then ok succeeds', async () => {
    await withServer([{ kind: 'drop' }, { kind: 'ok' }], async (s) => {
      const res = await model(s.url, { maxRetries: 1 }).complete(MESSAGES, { onToken: () => {} });
      assert.equal(res.text, DEFAULT_ANSWER);
      assert.equal(s.requests.length, 2);
    });
  });
});

describe('createChatModel: interruption', () => {
  it('an already aborted signal → interrupted, nothing sent', async () => {
    await withServer({ kind: 'ok' }, async (s) => {
      const ac = new AbortController();
      ac.abort();
      const err = await failure(model(s.url).complete(MESSAGES, { signal: ac.signal }));
      assert.equal(err.message, 'interrupted');
      assert.equal(s.requests.length, 0);
    });
  });

  it('abort while waiting for the server → interrupted promptly', async () => {
    await withServer({ kind: 'hang' }, async (s) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      const err = await failure(
        model(s.url, { timeoutMs: 10_000 }).complete(MESSAGES, { signal: ac.signal, onToken: () => {} }),
      );
      assert.equal(err.message, 'interrupted');
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(s.requests.length, 1);
    });
  });

  it('abort in the middle of a stream → interrupted, no more pieces', async () => {
    await withServer({ kind: 'ok' }, async (s) => {
      const ac = new AbortController();
      const pieces: string[] = [];
      const err = await failure(
        model(s.url).complete(MESSAGES, {
          signal: ac.signal,
          onToken: (p) => {
            pieces.push(p);
            ac.abort();
          },
        }),
      );
      assert.equal(err.message, 'interrupted');
      assert.equal(pieces.length, 1);
    });
  });
});

describe('test server', () => {
  it('serves GET /v1/models and records headers; close() returns with a hung request open', async () => {
    const s = await startLlmServer();
    const res = await fetch(`${s.url}/models`, { headers: { authorization: 'Bearer x' } });
    const body = (await res.json()) as { data: { id: string }[] };
    assert.equal(body.data[0]?.id, 'test-model');
    assert.equal(s.requests[0]?.headers.authorization, 'Bearer x');
    s.setBehavior({ kind: 'hang' });
    const hung = fetch(`${s.url}/chat/completions`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    for (let i = 0; i < 400 && s.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.requests.length, 2);
    await s.close();
    assert.ok((await hung) instanceof Error);
  });
});
