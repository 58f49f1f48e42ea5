// Test helper: a local OpenAI-compatible chat-completions server (node:http) with scripted behaviours.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type Behavior =
  /** Answer; streamed in `chunks` (default: the answer split after each word). usage null: report none. */
  | { kind: 'ok'; answer?: string; chunks?: string[]; usage?: Usage | null }
  /** An error status with an OpenAI-style JSON body (or `body`); 429/5xx carry `retry-after-ms`. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answer (until close). */
  | { kind: 'hang' }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Streamed requests: send the headers and the first `afterChunks` pieces (default 1), then go silent. */
  | { kind: 'stall'; afterChunks?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body; the raw text when it is not JSON; null when empty. */
  body: unknown;
}

export interface LlmServerOptions {
  behavior?: Behavior[] | Behavior;
  /** Value of `retry-after-ms` on 429/5xx answers (default 10, so that the client retries fast). */
  retryAfterMs?: number;
}

export interface LlmServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  requests: RecordedRequest[];
  setBehavior(b: Behavior[] | Behavior): void;
  close(): Promise<void>;
}

export const DEFAULT_ANSWER = 'Milvus stores data in object storage.';
const MAX_BODY = 10 * 1024 * 1024;

/** Split after each run of whitespace: "a b c" → ["a ", "b ", "c"]. */
export function splitAnswer(answer: string): string[] {
  return answer.match(/\S+\s*|\s+/g) ?? [];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** A made-up but deterministic usage: words of the prompt, pieces of the answer. */
function defaultUsage(body: unknown, pieces: number): Usage {
  const messages = field(body, 'messages');
  let words = 0;
  if (Array.isArray(messages)) {
    for (const m of messages) {
      const content = field(m, 'content');
      if (typeof content === 'string') words += content.split(/\s+/).filter(Boolean).length;
    }
  }
  return { prompt_tokens: words, completion_tokens: pieces, total_tokens: words + pieces };
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Incorrect API key provided.',
  403: 'Forbidden.',
  404: 'The model does not exist.',
  429: 'Rate limit reached.',
  500: 'The server had an error while processing your request.',
  503: 'The server is overloaded.',
};

export async function startLlmServer(opts: LlmServerOptions = {}): Promise<LlmServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const retryAfterMs = opts.retryAfterMs ?? 10;
  let queue: Behavior[] = [];
  let closing = false;

  const setBehavior = (b: Behavior[] | Behavior): void => {
    queue = Array.isArray(b) ? [...b] : [b];
  };
  setBehavior(opts.behavior ?? []);

  /** One behaviour per request, in order; the last one repeats; none at all means ok. */
  const next = (): Behavior => (queue.length > 1 ? queue.shift() : queue[0]) ?? { kind: 'ok' };

  const sendJson = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const body = parseBody(raw);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    requests.push({ method, path, headers: req.headers, body });
    const behavior = next();

    if (behavior.kind === 'hang') return; // the socket is destroyed by close()
    if (behavior.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (behavior.kind === 'status') {
      const status = behavior.status;
      const retryable = status === 429 || status >= 500;
      const errBody = behavior.body ?? {
        error: { message: STATUS_TEXT[status] ?? `HTTP ${status}`, type: 'test_error', code: String(status) },
      };
      sendJson(res, status, errBody, {
        ...(retryable ? { 'retry-after-ms': String(retryAfterMs) } : {}),
        ...behavior.headers,
      });
      return;
    }

    if (method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'test' }],
      });
      return;
    }
    if (method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route ${method} ${path}`, type: 'not_found' } });
      return;
    }

    const model = typeof field(body, 'model') === 'string' ? (field(body, 'model') as string) : 'test-model';
    const ok: Extract<Behavior, { kind: 'ok' }> = behavior.kind === 'ok' ? behavior : { kind: 'ok' };
    const answer = ok.answer ?? DEFAULT_ANSWER;
    const pieces = ok.chunks ?? splitAnswer(answer);
    const usage = ok.usage === undefined ? defaultUsage(body, pieces.length) : ok.usage;
    const id = `chatcmpl-test-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);

    if (field(body, 'stream') !== true) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop', logprobs: null },
        ],
        ...(usage ? { usage } : {}),
      });
      return;
    }

    const includeUsage = field(field(body, 'stream_options'), 'include_usage') === true;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null): unknown[] => [
      { index: 0, delta: d, finish_reason: finish, logprobs: null },
    ];

    const events = [
      chunk(delta({ role: 'assistant', content: '' })),
      ...pieces.map((p) => chunk(delta({ content: p }))),
    ];
    const stallAt = behavior.kind === 'stall' ? 1 + (behavior.afterChunks ?? 1) : Infinity;
    for (let i = 0; i < events.length; i++) {
      if (i >= stallAt) return; // go silent; close() destroys the socket
      if (closing || res.destroyed) return;
      res.write(events[i]);
      await new Promise((r) => setImmediate(r));
    }
    if (behavior.kind === 'stall') return;
    if (closing || res.destroyed) return;
    res.write(chunk(delta({}, 'stop')));
    if (includeUsage) res.write(chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: { message: String(err) } });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      sockets.clear();
    });
    return closed;
  };

  return { url: `http://127.0.0.1:${port}/v1`, requests, setBehavior, close };
}
