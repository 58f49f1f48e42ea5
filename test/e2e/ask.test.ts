// End to end: `rag ask` through the built binary, real Milvus Lite, the generated test model and the local LLM server.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, rag, workdir, type RunResult } from '../helpers/cli.js';
import { DEFAULT_ANSWER, startLlmServer, type LlmServer, type RecordedRequest } from '../helpers/llm-server.js';
import { testModel } from '../helpers/model.js';
import { FAQ, FIXTURES, RAG_BIN, needShared } from '../helpers/paths.js';
import { closedPort, noServerLeft } from '../helpers/procs.js';

const KEY = 'sk-e2e-Wq93SECRETkey-5c1d';
const QUESTION = 'How do bees make honey?';

// The Milvus tutorial's prompts, written out here independently of src/core/prompt.ts.
const TUTORIAL_SYSTEM =
  '\nHuman: You are an AI assistant. You are able to find answers to the questions from the contextual passage snippets provided.\n';
function tutorialUser(context: string, question: string): string {
  return (
    '\nUse the following pieces of information enclosed in <context> tags to provide an answer to the question enclosed in <question> tags.\n' +
    `<context>\n${context}\n</context>\n<question>\n${question}\n</question>\n`
  );
}

const RESULT_KEYS = ['answer', 'model', 'question', 'search', 'sources', 'timings', 'usage'];
const SOURCE_KEYS = ['file', 'part', 'path', 'position', 'score', 'text'];
const TIMING_KEYS = [
  'collection',
  'connect',
  'embed',
  'llm',
  'milvusStart',
  'modelLoad',
  'path',
  'search',
  'startup',
  'total',
];

interface Source {
  text: string;
  score: number;
  file: string;
  position: number;
}
interface AskJson {
  question: string;
  answer: string | null;
  model: string | null;
  search: string;
  sources: Source[];
  timings: Record<string, number>;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
}

function parse(r: RunResult): AskJson {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AskJson;
}

/** Exit 1, one `error: … (hint: …)` line on stderr, no stack trace, and the key nowhere in the output. */
function failsCleanly(r: RunResult, message: RegExp): string {
  assert.ok(!`${r.stdout}${r.stderr}`.includes(KEY), `the API key leaked:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^error: .+ \(hint: .+\)$/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.match(line, message);
  return line;
}

function hasScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs rag under util-linux `script`, so that its stdout and stderr are a terminal; returns what the terminal showed. */
function inTerminal(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, RAG_BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd,
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end();
  });
}

describe('rag ask on fixtures/docs, with Milvus Lite and the local LLM server', () => {
  let cwd: string;
  let dataDir: string;
  let model: string;
  let llm: LlmServer;
  /** The chunk texts `rag ask --no-llm --json` retrieves for QUESTION, best first. */
  let retrieved: string[] = [];

  // The chunks are worked out per piece: a slot per piece (a file's pieces sharing one is in levers.test.ts).
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    RAG_MODEL_PATH: model,
    RAG_PER_FILE: '0',
    RAG_LLM_BASE_URL: llm.url,
    ...extra,
  });
  /** Requests the server received from now on. */
  const since = (): (() => RecordedRequest[]) => {
    const start = llm.requests.length;
    return () => llm.requests.slice(start);
  };

  before(async () => {
    cwd = workdir('rag-e2e-ask-');
    dataDir = path.join(cwd, 'milvus.db');
    model = testModel();
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    llm = await startLlmServer();
    const r = await rag(['ingest', 'docs', '--json'], { cwd, env: { RAG_MODEL_PATH: model } });
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await llm?.close();
  });

  test('--no-llm --json: the top 3 chunks with scores, and no request reaches the LLM server (even with a key)', async () => {
    const reqs = since();
    const res = parse(await rag(['ask', '--no-llm', '--json', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) }));
    assert.deepEqual(Object.keys(res).sort(), RESULT_KEYS);
    assert.equal(res.question, QUESTION);
    assert.equal(res.answer, null);
    assert.equal(res.model, null);
    assert.equal(res.usage, null);
    assert.equal(res.sources.length, 3);
    for (const s of res.sources) assert.deepEqual(Object.keys(s).sort(), SOURCE_KEYS);
    const scores = res.sources.map((s) => s.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      'best first',
    );
    // The piece under the heading that is the question itself comes first, even with the test model.
    assert.equal(res.sources[0]?.file, 'docs/bees.md');
    assert.equal(res.sources[0]?.position, 1);
    assert.match(res.sources[0]?.text ?? '', /^How do bees make honey\?\n\nWorkers collect nectar/);
    assert.deepEqual(Object.keys(res.timings).sort(), TIMING_KEYS);
    assert.equal(res.timings.llm, 0);
    assert.deepEqual(reqs(), []);
    retrieved = res.sources.map((s) => s.text);
  });

  test('--no-llm (text): the chunks with file, position and score on stdout, exit 0, nothing on stderr', async () => {
    const reqs = since();
    const r = await rag(['ask', '--no-llm', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^\[1\] docs\/bees\.md #1 {2}score 0\.\d{4}\nHow do bees make honey\?\n/);
    assert.match(r.stdout, /\n\[3\] \S+ #\d+ {2}score -?\d\.\d{4}\n/);
    assert.ok(!r.stdout.includes('[4]'));
    assert.deepEqual(reqs(), []);
  });

  test('sends the tutorial prompts with the 3 chunks joined by "\\n", model mistral-7b and the bearer key; in a pipe, stdout is the answer then the sources', async () => {
    assert.equal(retrieved.length, 3, 'needs the --no-llm test');
    llm.setBehavior({ kind: 'ok' });
    const reqs = since();
    const r = await rag(['ask', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
    assert.equal(r.code, 0, r.stderr);
    // The content does not depend on the terminal: the answer, then the sources, in plain text.
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), [DEFAULT_ANSWER, '', 'Sources:'], r.stdout);
    assert.match(lines[3] ?? '', /^\[1\] docs\/bees\.md #1 {2}score \d\.\d{4}$/);
    assert.equal(lines.length, 7, r.stdout);
    assert.equal(r.stderr, '', 'no status line when stderr is not a terminal');
    const quiet = await rag(['ask', '--quiet', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
    assert.equal(quiet.stdout, `${DEFAULT_ANSWER}\n`, '--quiet: the answer alone');
    const [req, ...more] = reqs();
    assert.equal(more.length, 1, 'one request per run');
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    const body = req.body as { model: string; messages: unknown; stream?: boolean };
    assert.equal(body.model, 'mistral-7b');
    assert.deepEqual(body.messages, [
      { role: 'system', content: TUTORIAL_SYSTEM },
      { role: 'user', content: tutorialUser(retrieved.join('\n'), QUESTION) },
    ]);
    assert.notEqual(body.stream, true, 'not streamed when stdout is not a terminal');
  });

  test('--json --llm-model: one object with the answer, the other model, the same sources, timings and the reported usage', async () => {
    const usage = { prompt_tokens: 121, completion_tokens: 6, total_tokens: 127 };
    llm.setBehavior({ kind: 'ok', answer: 'Bees fan nectar into honey.', usage });
    const reqs = since();
    const res = parse(
      await rag(['ask', '--json', '--llm-model', 'acme/chat-13b', QUESTION], {
        cwd,
        env: env({ RAG_LLM_API_KEY: KEY }),
      }),
    );
    assert.deepEqual(Object.keys(res).sort(), RESULT_KEYS);
    assert.equal(res.question, QUESTION);
    assert.equal(res.answer, 'Bees fan nectar into honey.');
    assert.equal(res.model, 'acme/chat-13b');
    assert.deepEqual(res.usage, { promptTokens: 121, completionTokens: 6, totalTokens: 127 });
    assert.deepEqual(
      res.sources.map((s) => s.text),
      retrieved,
    );
    for (const s of res.sources) {
      assert.deepEqual(Object.keys(s).sort(), SOURCE_KEYS);
      assert.equal(typeof s.score, 'number');
      assert.match(s.file, /^docs\/\w+\.md$/);
      assert.ok(Number.isInteger(s.position));
    }
    assert.deepEqual(Object.keys(res.timings).sort(), TIMING_KEYS);
    const { path: via, ...seconds } = res.timings as Record<string, unknown>;
    assert.equal(via, 'in-process', 'no rag serve runs: everything in this process');
    for (const [k, v] of Object.entries(seconds)) assert.ok(typeof v === 'number' && v >= 0, `timings.${k} = ${v}`);
    // Rounded to ms: seconds with at most 3 decimals.
    for (const [k, v] of Object.entries(seconds))
      assert.equal(Math.round((v as number) * 1000) / 1000, v, `timings.${k} = ${v} is rounded to ms`);
    assert.ok(res.timings.embed! > 0 && res.timings.search! > 0 && res.timings.llm! > 0);
    assert.ok(res.timings.total! >= res.timings.llm!);
    const [req, ...more] = reqs();
    assert.equal(more.length, 0);
    assert.equal((req?.body as { model: string }).model, 'acme/chat-13b');
    assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
  });

  test('--json: usage is null when the server reports none; the key set stays the same', async () => {
    llm.setBehavior({ kind: 'ok', usage: null });
    const res = parse(await rag(['ask', '--json', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) }));
    assert.deepEqual(Object.keys(res).sort(), RESULT_KEYS);
    assert.equal(res.answer, DEFAULT_ANSWER);
    assert.equal(res.model, 'mistral-7b');
    assert.equal(res.usage, null);
  });

  test('no API key and no --no-llm: the chunks on stdout, one error line naming LEPTONAI_TOKEN, exit 1', async () => {
    const reqs = since();
    const r = await rag(['ask', QUESTION], { cwd, env: env() });
    failsCleanly(r, /LEPTONAI_TOKEN/);
    assert.match(r.stderr, /--no-llm/);
    assert.match(r.stdout, /^\[1\] docs\/bees\.md #1 {2}score /);
    assert.equal(r.stdout.match(/^\[\d\] /gm)?.length, 3);
    assert.deepEqual(reqs(), []);
    noServerLeft(dataDir);
  });

  test('a question in Chinese with emoji is embedded, searched and sent as is', async () => {
    llm.setBehavior({ kind: 'ok', answer: '蜜蜂扇动翅膀让花蜜变稠。🐝' });
    const q = '蜜蜂是怎么酿蜜的？🐝🍯 (how do bees make honey?)';
    const reqs = since();
    const res = parse(await rag(['ask', '--json', q], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) }));
    assert.equal(res.question, q);
    assert.equal(res.answer, '蜜蜂扇动翅膀让花蜜变稠。🐝');
    assert.equal(res.sources.length, 3);
    const user = (reqs()[0]?.body as { messages: { content: string }[] }).messages[1]?.content ?? '';
    assert.ok(user.endsWith(`<question>\n${q}\n</question>\n`), user);
  });

  test('--prompt-file and --system-prompt replace the prompts verbatim', async () => {
    llm.setBehavior({ kind: 'ok' });
    // $& and $1 must stay literal; {other} is not a placeholder.
    const template = 'Passages:\n{context}\n---\nQ: {question}\nAnswer briefly ($& $1 {other}).';
    writeFileSync(path.join(cwd, 'prompt.txt'), template);
    const system = 'You answer in one sentence.';
    const reqs = since();
    const r = await rag(['ask', '--prompt-file', 'prompt.txt', '--system-prompt', system, QUESTION], {
      cwd,
      env: env({ LEPTONAI_TOKEN: KEY }),
    });
    assert.equal(r.code, 0, r.stderr);
    const expected = `Passages:\n${retrieved.join('\n')}\n---\nQ: ${QUESTION}\nAnswer briefly ($& $1 {other}).`;
    assert.deepEqual((reqs()[0]?.body as { messages: unknown }).messages, [
      { role: 'system', content: system },
      { role: 'user', content: expected },
    ]);
  });

  test(
    'on a terminal: a status line while waiting, then the answer is streamed, then the sources; --quiet prints the answer alone',
    { skip: hasScript() ? false : 'util-linux `script` (to give rag a terminal) is not installed' },
    async () => {
      llm.setBehavior({ kind: 'ok' });
      const reqs = since();
      const r = await inTerminal(['ask', QUESTION], cwd, env({ LEPTONAI_TOKEN: KEY }));
      assert.equal(r.code, 0, r.output);
      // Status lines on stderr ("searching…"), each erased by the next and the last before the answer.
      const CLEAR = '\r\x1b[2K';
      assert.ok(r.output.startsWith(`${CLEAR}starting Milvus and loading the model…`), JSON.stringify(r.output));
      assert.ok(r.output.includes(`${CLEAR}searching…`), JSON.stringify(r.output));
      const shown = r.output.slice(r.output.lastIndexOf(CLEAR) + CLEAR.length);
      // A terminal turns "\n" into "\r\n"; stdout and stderr share it.
      const lines = shown.split('\r\n');
      assert.deepEqual(lines.slice(0, 3), [DEFAULT_ANSWER, '', 'Sources:'], r.output);
      assert.match(lines[3] ?? '', /^\[1\] docs\/bees\.md #1 {2}score \d\.\d{4}$/);
      assert.match(lines[4] ?? '', /^\[2\] docs\/\w+\.md #\d+ {2}score \d\.\d{4}$/);
      assert.match(lines[5] ?? '', /^\[3\] docs\/\w+\.md #\d+ {2}score \d\.\d{4}$/);
      assert.deepEqual(lines.slice(6), [''], r.output);
      const body = reqs()[0]?.body as { stream?: boolean; stream_options?: unknown };
      assert.equal(body.stream, true);
      assert.deepEqual(body.stream_options, { include_usage: true });
      const quiet = await inTerminal(['ask', '--quiet', QUESTION], cwd, env({ LEPTONAI_TOKEN: KEY }));
      assert.equal(quiet.code, 0, quiet.output);
      assert.equal(quiet.output.slice(quiet.output.lastIndexOf(CLEAR) + CLEAR.length), `${DEFAULT_ANSWER}\r\n`);
    },
  );

  test('usage errors exit 2 before anything starts: a template without {question}, an empty question', async () => {
    writeFileSync(path.join(cwd, 'no-question.txt'), 'Context: {context}\n');
    const reqs = since();
    const bad = await rag(['ask', '--prompt-file', 'no-question.txt', QUESTION], {
      cwd,
      env: env({ LEPTONAI_TOKEN: KEY }),
    });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^error: .*\{question\}.*\(hint: .+\)\n$/);
    assert.equal(bad.stdout, '');
    for (const q of ['', '   ']) {
      const r = await rag(['ask', q], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: the question is empty \(hint: .+\)\n$/);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(reqs(), []);
  });

  describe('LLM failures: one line with a hint, exit 1, no key in the output, no Milvus Lite left', () => {
    test('401 (the server echoes the key in its message)', async () => {
      llm.setBehavior({
        kind: 'status',
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error' } },
      });
      const reqs = since();
      const r = await rag(['ask', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
      const line = failsCleanly(r, /rejected the API key \(HTTP 401\)/);
      assert.match(line, /hint: .*LEPTONAI_TOKEN/);
      assert.equal(r.stdout, '');
      assert.equal(reqs().length, 1, 'a 401 is not retried');
      noServerLeft(dataDir);
    });

    test('404: names the model (key given with --llm-api-key)', async () => {
      llm.setBehavior({ kind: 'status', status: 404 });
      const reqs = since();
      const r = await rag(['ask', '--llm-api-key', KEY, '--llm-model', 'no-such-model', QUESTION], { cwd, env: env() });
      const line = failsCleanly(r, /not found .*HTTP 404/);
      assert.match(line, /hint: .*no-such-model/);
      assert.equal(reqs().length, 1);
      noServerLeft(dataDir);
    });

    test('429 then success: retried, the answer arrives, exit 0', async () => {
      llm.setBehavior([{ kind: 'status', status: 429 }, { kind: 'ok' }]);
      const reqs = since();
      const r = await rag(['ask', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith(`${DEFAULT_ANSWER}\n\nSources:\n`), r.stdout);
      assert.equal(reqs().length, 2);
      noServerLeft(dataDir);
    });

    test('500 forever: the default 3 retries, then a clear error', async () => {
      llm.setBehavior({ kind: 'status', status: 500 });
      const reqs = since();
      const r = await rag(['ask', QUESTION], { cwd, env: env({ LEPTONAI_TOKEN: KEY }) });
      failsCleanly(r, /server error \(HTTP 500 after 3 retries\)/);
      assert.equal(reqs().length, 4, '1 attempt + 3 retries');
      noServerLeft(dataDir);
    });

    test('a server that never answers, with --llm-timeout 2 --llm-retries 1; Milvus Lite is stopped while rag waits', async () => {
      llm.setBehavior({ kind: 'hang' });
      const reqs = since();
      const t0 = performance.now();
      const running = rag(['ask', '--llm-timeout', '2', '--llm-retries', '1', QUESTION], {
        cwd,
        env: env({ LEPTONAI_TOKEN: KEY }),
      });
      for (let i = 0; i < 300 && reqs().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(reqs().length, 1, 'the request arrived');
      noServerLeft(dataDir); // the chunks are retrieved: Milvus Lite is not kept through the LLM call
      const r = await running;
      const seconds = (performance.now() - t0) / 1000;
      const line = failsCleanly(r, /no answer from the LLM endpoint within 2 s after 1 retry/);
      assert.match(line, /--llm-timeout/);
      assert.equal(reqs().length, 2);
      assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`);
      noServerLeft(dataDir);
    });

    test('connection refused (a closed port)', async () => {
      const port = await closedPort();
      const r = await rag(['ask', '--llm-base-url', `http://127.0.0.1:${port}/v1`, '--llm-retries', '1', QUESTION], {
        cwd,
        env: env({ LEPTONAI_TOKEN: KEY }),
      });
      const line = failsCleanly(
        r,
        new RegExp(`cannot reach the LLM endpoint at http://127\\.0\\.0\\.1:${port}/v1 \\(ECONNREFUSED\\)`),
      );
      assert.match(line, /--llm-base-url/);
      noServerLeft(dataDir);
    });
  });

  describe('Milvus and collection failures', () => {
    test('Milvus unreachable: one clear line, exit 1, within 15 s', async () => {
      const port = await closedPort();
      const t0 = performance.now();
      const r = await rag(['ask', '--milvus-uri', `http://127.0.0.1:${port}`, QUESTION], {
        cwd,
        env: env({ LEPTONAI_TOKEN: KEY }),
      });
      const seconds = (performance.now() - t0) / 1000;
      failsCleanly(r, new RegExp(`cannot reach Milvus at http://127\\.0\\.0\\.1:${port}`));
      assert.ok(seconds < 15, `took ${seconds.toFixed(1)} s`);
    });

    test('no data yet: "run `rag ingest <path>` first", and no data folder is created', async () => {
      const fresh = workdir('rag-e2e-ask-empty-');
      const r = await rag(['ask', '--no-llm', QUESTION], { cwd: fresh, env: env() });
      failsCleanly(r, /no Milvus Lite data at .*milvus\.db.*run `rag ingest <path>` first/);
      assert.ok(!existsSync(path.join(fresh, 'milvus.db')));
      assert.equal(r.stdout, '');
      noServerLeft(path.join(fresh, 'milvus.db'));
    });

    test('a collection built with another model: a clear error naming both', async () => {
      const other = path.join(workdir('rag-e2e-other-model-'), 'other-model');
      cpSync(model, other, { recursive: true });
      const r = await rag(['ask', '--no-llm', QUESTION], { cwd, env: env({ RAG_MODEL_PATH: other }) });
      failsCleanly(r, /built with local:test-model \(768 dims\).*embedded with local:other-model \(768 dims\)/);
      assert.equal(r.stdout, '');
      noServerLeft(dataDir);
    });
  });
});

describe('rag ask on the tutorial corpus (../shared/corpora/milvus_docs/en/faq)', { skip: needShared(FAQ) }, () => {
  test('"How is data stored in milvus?" retrieves "Where does Milvus store data?" among the top 3 (default search mode)', async () => {
    const cwd = workdir('rag-e2e-ask-faq-');
    const env = { RAG_MODEL_PATH: testModel() };
    const ing = await rag(['ingest', FAQ], { cwd, env });
    assert.equal(ing.code, 0, ing.stderr);
    const res = parse(await rag(['ask', '--no-llm', '--json', 'How is data stored in milvus?'], { cwd, env }));
    assert.equal(res.sources.length, 3);
    const starts = res.sources.map((s) => s.text.slice(0, 40));
    // The piece comes from "####  Where does…": after the split on "# " it starts with a space.
    assert.ok(
      res.sources.some((s) => s.text.trimStart().startsWith('Where does Milvus store data?')),
      `search mode ${res.search}: the top 3 start with ${JSON.stringify(starts)}`,
    );
  });
});
