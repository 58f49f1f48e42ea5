// End to end: what the user's environment must not break (MILVUS_URI, .env, proxies) and rough edges of input (issue 12).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rag, workdir, type RunResult } from '../helpers/cli.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { testModel } from '../helpers/model.js';
import { FIXTURES } from '../helpers/paths.js';
import { closedPort, noServerLeft } from '../helpers/procs.js';

const folders: string[] = [];
function tmp(prefix: string): string {
  const dir = workdir(prefix);
  folders.push(dir);
  return dir;
}
after(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function oneErrorLine(r: RunResult, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? '', /^error: .+ \(hint: .+\)$/);
  assert.match(lines[0] ?? '', message);
}

describe('the Milvus Lite child ignores MILVUS_URI, .env and the working folder (issue 12 item 1)', () => {
  const docs = path.join(FIXTURES, 'docs');
  const cases: {
    name: string;
    env?: (cwd: string) => Record<string, string>;
    dotenv?: Buffer;
    args?: string[];
    data: string;
  }[] = [
    {
      name: 'MILVUS_URI in the environment (an absolute path)',
      env: (cwd) => ({ MILVUS_URI: path.join(cwd, 'x.db') }),
      data: 'x.db',
    },
    {
      name: 'MILVUS_URI set and --milvus-uri given',
      env: (cwd) => ({ MILVUS_URI: path.join(cwd, 'x.db') }),
      args: ['--milvus-uri', 'flag.db'],
      data: 'flag.db',
    },
    { name: "the README's MILVUS_URI=./milvus.db", env: () => ({ MILVUS_URI: './milvus.db' }), data: 'milvus.db' },
    { name: 'a .env line MILVUS_URI=./dotenv.db', dotenv: Buffer.from('MILVUS_URI=./dotenv.db\n'), data: 'dotenv.db' },
    {
      name: 'a non-UTF-8 byte in a .env comment',
      dotenv: Buffer.from([...Buffer.from('# caf'), 0xe9, ...Buffer.from('\nRAG_COLLECTION=latin\n')]),
      data: 'milvus.db',
    },
  ];
  for (const c of cases) {
    test(`ingest works with ${c.name}`, async () => {
      const cwd = tmp('rag-e2e-env-');
      if (c.dotenv) writeFileSync(path.join(cwd, '.env'), c.dotenv);
      const r = await rag(['ingest', docs, '--model-path', testModel(), '--json', ...(c.args ?? [])], {
        cwd,
        env: c.env?.(cwd) ?? {},
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok(existsSync(path.join(cwd, c.data)), `data in ${c.data}`);
      noServerLeft(path.join(cwd, c.data));
    });
  }
});

/** A forwarding proxy on 127.0.0.1: CONNECT tunnels and absolute-form requests, every host mapped to `target`. */
function startProxy(target: () => number): Promise<{ port: number; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/');
    const up = httpRequest(
      { host: '127.0.0.1', port: target(), path: url.pathname + url.search, method: req.method, headers: req.headers },
      (r: IncomingMessage) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const up = net.connect(target(), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, seen, server })),
  );
}

describe('proxies: loopback is never proxied, model downloads go through HTTPS_PROXY (issue 12 item 2)', () => {
  test('lower-case https_proxy / http_proxy pointing nowhere: ingest and ask still reach the embedded Milvus, nothing on stderr', async () => {
    const cwd = tmp('rag-e2e-proxy-');
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const env = {
      https_proxy: dead,
      http_proxy: dead,
      grpc_proxy: dead,
      HTTPS_PROXY: dead,
      RAG_MODEL_PATH: testModel(),
    };
    const r = await rag(['ingest', path.join(FIXTURES, 'docs')], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const a = await rag(['ask', '--no-llm', '--json', 'How do bees make honey?'], { cwd, env });
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stderr, /proxy|^E /im);
  });

  const hasOpenssl = ((): boolean => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  describe(
    'a model hub behind a proxy',
    { skip: hasOpenssl ? false : 'openssl is needed to make the test certificate' },
    () => {
      let dir: string;
      let hub: HttpsServer;
      let hubPort = 0;
      let proxy: Awaited<ReturnType<typeof startProxy>>;
      const requests: string[] = [];
      const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
      before(async () => {
        dir = tmp('rag-e2e-hub-');
        // A certificate for hub.test, trusted by rag through NODE_EXTRA_CA_CERTS.
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            path.join(dir, 'key.pem'),
            '-out',
            path.join(dir, 'cert.pem'),
            '-days',
            '1',
            '-subj',
            '/CN=hub.test',
            '-addext',
            'subjectAltName=DNS:hub.test',
          ],
          { stdio: 'ignore' },
        );
        const model = testModel();
        hub = createHttpsServer(
          { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
          (req, res) => {
            requests.push(`${req.method} ${req.url}`);
            const m = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(req.url ?? '');
            const file = m && m[1] === MODEL_ID ? path.join(model, decodeURIComponent(m[2] ?? '')) : '';
            if (file && file.startsWith(model) && existsSync(file)) {
              const body = readFileSync(file);
              res.writeHead(200, { 'content-length': body.length });
              res.end(req.method === 'HEAD' ? undefined : body);
            } else res.writeHead(404).end('not found');
          },
        );
        await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', () => resolve()));
        hubPort = (hub.address() as AddressInfo).port;
        proxy = await startProxy(() => hubPort);
      });
      after(async () => {
        await new Promise<void>((resolve) => hub.close(() => resolve()));
        await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      });

      for (const name of ['HTTPS_PROXY', 'https_proxy']) {
        test(`${name}: the download of https://hub.test/… goes through the proxy (hub.test resolves nowhere else)`, async () => {
          const cwd = tmp('rag-e2e-proxy-dl-');
          mkdirSync(path.join(cwd, 'cache'));
          const before = proxy.seen.length;
          const env = {
            HF_ENDPOINT: 'https://hub.test/',
            RAG_CACHE_DIR: path.join(cwd, 'cache'),
            NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
            [name]: `http://127.0.0.1:${proxy.port}`,
          };
          const r = await rag(['ingest', path.join(FIXTURES, 'docs'), '--model', MODEL_ID, '--json'], { cwd, env });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stderr, '', 'no warning (e.g. an experimental-API warning) on stderr');
          assert.ok(
            proxy.seen.slice(before).some((s) => s.startsWith('CONNECT hub.test:443')),
            proxy.seen.join('\n'),
          );
          assert.ok(
            requests.some((q) => q.includes('/onnx/model.onnx')),
            requests.join('\n'),
          );
        });
      }

      test('a hub that cannot be reached: the error names the host and the reason, and the test model', async () => {
        const cwd = tmp('rag-e2e-proxy-none-');
        const port = await closedPort();
        const r = await rag(['ingest', path.join(FIXTURES, 'docs'), '--model', MODEL_ID], {
          cwd,
          env: { HF_ENDPOINT: `http://127.0.0.1:${port}/`, RAG_CACHE_DIR: path.join(cwd, 'cache') },
        });
        oneErrorLine(
          r,
          1,
          new RegExp(
            `cannot load embedding model ${MODEL_ID}: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}.*hint: .*HTTPS_PROXY.*npm run make-test-model`,
          ),
        );
      });
    },
  );
});

describe('waiting for the data-folder lock (issue 12 item 6)', () => {
  test('a 7 s wait leaks no listener: no MaxListenersExceededWarning, one error line', async () => {
    const cwd = tmp('rag-e2e-lock-');
    const held = await startTestMilvus(path.join(cwd, 'milvus.db'));
    try {
      const r = await rag(['ask', '--no-llm', '--lock-timeout', '7', 'anything'], {
        cwd,
        env: { RAG_MODEL_PATH: testModel() },
        timeoutMs: 60_000,
      });
      assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning|Warning/);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.match(lines[0] ?? '', /^waiting for another process to release /);
      assert.match(lines[1] ?? '', /^error: another process is using the Milvus Lite data folder/);
      assert.equal(lines.length, 2, r.stderr);
    } finally {
      await held.stop();
    }
  });
});

describe('rough edges (issue 12 item 7)', () => {
  let cwd: string;
  let env: Record<string, string>;
  before(async () => {
    cwd = tmp('rag-e2e-edges-');
    env = { RAG_MODEL_PATH: testModel() };
    cpSync(path.join(FIXTURES, 'docs'), path.join(cwd, 'docs'), { recursive: true });
    // A file with old-Mac (CR-only) line ends.
    writeFileSync(
      path.join(cwd, 'docs', 'cr.md'),
      '# Carriage returns\rOld Mac files end lines with CR only.\rZebras sleep standing.\r',
    );
    const r = await rag(['ingest', 'docs'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
  });

  for (const cmd of ['ask', 'eval'] as const) {
    test(`${cmd} on a mistyped --milvus-uri creates no data folder and says so`, async () => {
      writeFileSync(path.join(cwd, 'q.jsonl'), '{"question": "bees?", "expect": ["bees"]}\n');
      const args = cmd === 'ask' ? ['ask', '--no-llm', 'How do bees make honey?'] : ['eval', 'q.jsonl'];
      const r = await rag([...args, '--milvus-uri', './milvsu.db'], { cwd, env });
      oneErrorLine(r, 1, /^error: no Milvus Lite data at .*milvsu\.db \(hint: run `rag ingest <path>` first/);
      assert.ok(!existsSync(path.join(cwd, 'milvsu.db')), 'no folder created');
    });
  }

  test('a .env value with an unterminated quote: a usage error naming the file and line', async () => {
    const dir = tmp('rag-e2e-dotenv-');
    writeFileSync(path.join(dir, '.env'), '# settings\nRAG_TOP_K=3\nRAG_COLLECTION="unterminated\nRAG_SEARCH=dense\n');
    const r = await rag(['config'], { cwd: dir });
    oneErrorLine(r, 2, /\.env line 3: the value of RAG_COLLECTION opens a quote that is never closed/);
    const alone = tmp('rag-e2e-dotenv-');
    writeFileSync(path.join(alone, '.env'), "RAG_COLLECTION='x\n");
    oneErrorLine(await rag(['config'], { cwd: alone }), 2, /\.env line 1: the value of RAG_COLLECTION/);
    // Closed quotes are fine.
    writeFileSync(path.join(alone, '.env'), 'RAG_COLLECTION="quoted"\n');
    const ok = await rag(['config', '--json'], { cwd: alone });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(
      (JSON.parse(ok.stdout) as { settings: { collection: { value: string } } }).settings.collection.value,
      'quoted',
    );
  });

  test('CR-only line ends are shown as new lines; --json keeps the stored text as is', async () => {
    const r = await rag(['ask', '--no-llm', 'Why do zebras sleep standing in old Mac files?'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Old Mac files end lines with CR only\.\nZebras sleep standing\./);
    assert.ok(!r.stdout.includes('\r'), 'no raw \\r in the text output');
    const j = await rag(['ask', '--no-llm', '--json', 'Why do zebras sleep standing in old Mac files?'], { cwd, env });
    const texts = (JSON.parse(j.stdout) as { sources: { text: string }[] }).sources.map((s) => s.text);
    assert.ok(
      texts.some((t) => t.includes('CR only.\rZebras')),
      texts.join('\n---\n'),
    );
  });

  test('an unquoted question: exit 2, suggests quoting it', async () => {
    const r = await rag(['ask', 'How', 'is', 'data', 'stored'], { cwd, env });
    oneErrorLine(
      r,
      2,
      /^error: the question must be one argument, got 4 words \(hint: quote it: rag ask "How is data stored"\)$/,
    );
  });

  test('a Python without Milvus Lite: the hint names `npm run setup` (issue 15)', async () => {
    const dir = tmp('rag-e2e-nopython-');
    const r = await rag(['ingest', 'docs', '--milvus-uri', path.join(dir, 'm.db')], {
      cwd,
      env: { ...env, RAG_PYTHON: path.join(dir, 'no-python') },
    });
    oneErrorLine(
      r,
      1,
      /^error: Milvus Lite is not installed for .*no-python .*\(hint: run `npm run setup` in the rag folder/,
    );
  });

  test('rag eval nope.jsonl: says that the file does not exist', async () => {
    const r = await rag(['eval', 'nope.jsonl'], { cwd, env });
    oneErrorLine(r, 2, /^error: the questions file nope\.jsonl does not exist \(hint: check the path/);
  });
});
