// `rag config`: the resolved settings with their sources (secrets masked) and, with --check, whether each service answers.

import { SETTINGS, mask, isServerUri, type Resolved, type Source } from '../core/config.js';
import { RagError, errorMessage } from '../core/errors.js';
import { lifecycle, loadConfig, openEmbedder, openStore } from './context.js';
import { json, out, registerSecret, scrub } from './render.js';
import type { CommonFlags } from './main.js';

export interface ConfigFlags extends CommonFlags {
  check?: boolean;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function describeSource(s: Source): string {
  if (s.from === 'env') return `env ${s.name}`;
  if (s.from === '.env') return `.env ${s.name}`;
  return s.from;
}

function rows(resolved: Resolved): { key: string; value: string; source: string }[] {
  return SETTINGS.map((s) => {
    const raw = resolved.config[s.key];
    const value = s.secret ? mask(raw as string | undefined) : raw === undefined ? '(not set)' : scrub(String(raw)); // a key inside a URL too
    return { key: s.key, value, source: describeSource(resolved.sources[s.key]) };
  });
}

async function timed(name: string, fn: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (e) {
    return { name, ok: false, detail: scrub(errorMessage(e)) };
  }
}

/** GET {base}/models with the key: the endpoint answers and does not refuse the key (no tokens spent). */
async function checkLlm(baseUrl: string, model: string, apiKey: string | undefined, timeoutSeconds: number): Promise<string> {
  if (!apiKey) throw new Error('no API key (set LEPTONAI_TOKEN or RAG_LLM_API_KEY, or pass --llm-api-key)');
  let url: string;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/models`).href;
  } catch {
    throw new Error(`invalid base URL ${baseUrl}`);
  }
  const shown = redact(url);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (e) {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) throw new Error(`no answer from ${shown} within ${timeoutSeconds} s`);
    const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
    throw new Error(`cannot reach ${shown}${why ? ` (${why})` : ''}`);
  }
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403) throw new Error(`${shown} rejected the API key (HTTP ${res.status})`);
  if (!res.ok) throw new Error(`${shown} answered HTTP ${res.status}`);
  return `${redact(baseUrl)} answers (model ${model})`;
}

function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

async function checks(resolved: Resolved): Promise<Check[]> {
  const { config } = resolved;
  const life = lifecycle();
  try {
    const results: Check[] = [];
    results.push(await timed('milvus', async () => {
      const store = await openStore(resolved, life);
      const meta = await store.describe(config.collection);
      const where = isServerUri(config.milvusUri) ? config.milvusUri : `Milvus Lite at ${config.milvusUri}`;
      return meta ? `${where}: collection "${config.collection}" has ${await store.count(config.collection)} chunks (${meta.model}, ${meta.dim} dims${meta.bm25 ? ', BM25' : ''})` : `${where}: collection "${config.collection}" does not exist yet`;
    }));
    results.push(await timed('model', async () => {
      const e = await openEmbedder(resolved, life);
      return `${e.info.model}: ${e.info.dim} dims, ${e.info.pooling} pooling, ${e.info.dtype}, max ${e.info.maxTokens} tokens`;
    }));
    results.push(await timed('llm', () => checkLlm(config.llmBaseUrl, config.llmModel, config.llmApiKey, config.llmTimeout)));
    return results;
  } finally {
    await life.close();
  }
}

export async function runConfig(flags: ConfigFlags): Promise<number> {
  const resolved = loadConfig(flags);
  registerSecret(resolved.config.llmApiKey);
  registerSecret(resolved.config.milvusToken);
  const settings = rows(resolved);
  const results = flags.check ? await checks(resolved) : [];
  if (flags.json) {
    json({ settings: Object.fromEntries(settings.map((r) => [r.key, { value: r.value, source: r.source }])), checks: results });
  } else {
    const width = Math.max(...settings.map((r) => r.key.length));
    out(settings.map((r) => `${r.key.padEnd(width)}  ${r.value}  (${r.source})`).join('\n'));
    if (results.length) out(`\n${results.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n')}`);
  }
  const failed = results.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new RagError(`${failed.length} of ${results.length} checks failed: ${failed.map((c) => c.name).join(', ')}`, {
      hint: 'see the FAIL lines on stdout; rag config lists where each setting comes from',
    });
  }
  return 0;
}
