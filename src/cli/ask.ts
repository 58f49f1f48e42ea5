// `rag ask QUESTION`: retrieve from Milvus, answer with the chat model; text (streamed on a TTY) or --json.

import { readFileSync } from 'node:fs';
import { ask, checkMode, checkModel, openCollection, validateQuestion, type AskResult } from '../core/ask.js';
import type { Resolved } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import { validateTemplate } from '../core/prompt.js';
import type { ChatModel, CollectionMeta, Embedder } from '../core/types.js';
import { lifecycle, loadConfig, openEmbedder, openStore, type Lifecycle } from './context.js';
import { json, out, registerSecret } from './render.js';
import type { CommonFlags } from './main.js';

export interface AskFlags extends CommonFlags {
  llm?: boolean;
  quiet?: boolean;
  systemPrompt?: string;
  promptFile?: string;
}

function readTemplate(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw usageError(`cannot read the prompt file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'give a text file with {context} and {question}');
  }
  validateTemplate(text);
  return text;
}

/** Loads the configured model, or the one that built the collection when none was chosen. */
async function embedderFor(resolved: Resolved, meta: CollectionMeta, life: Lifecycle, loading: Promise<Embedder>): Promise<Embedder> {
  const chosen = resolved.sources.model.from !== 'default' || resolved.sources.modelPath.from !== 'default';
  if (!chosen && !meta.model.startsWith('local:') && meta.model !== resolved.config.model) {
    await loading.then((e) => e.close(), () => undefined);
    return openEmbedder({ ...resolved, config: { ...resolved.config, model: meta.model } }, life);
  }
  return loading;
}

function renderSources(result: AskResult): string {
  return result.sources.map((s, i) => `[${i + 1}] ${s.file} #${s.position}  score ${s.score.toFixed(4)}`).join('\n');
}

function renderChunks(result: AskResult): string {
  return result.sources
    .map((s, i) => `[${i + 1}] ${s.file} #${s.position}  score ${s.score.toFixed(4)}\n${s.text.trim()}\n`)
    .join('\n');
}

export async function runAsk(question: string, flags: AskFlags): Promise<number> {
  const t0 = performance.now();
  const q = validateQuestion(question);
  const resolved = loadConfig(flags);
  const { config } = resolved;
  registerSecret(config.llmApiKey);
  registerSecret(config.milvusToken);
  const userTemplate = readTemplate(flags.promptFile);
  const wantLlm = flags.llm !== false;
  let chat: ChatModel | null = null;
  if (wantLlm && config.llmApiKey) {
    const { createChatModel } = await import('../services/chat-model.js');
    chat = createChatModel({ baseURL: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel, timeoutMs: config.llmTimeout * 1000, maxRetries: config.llmRetries });
  }
  const life = lifecycle();
  try {
    const timings = { milvusStart: 0 };
    const startup = (performance.now() - t0) / 1000;
    const tm = performance.now();
    // Milvus Lite starts while the model loads.
    const loading = openEmbedder(resolved, life);
    loading.catch(() => undefined);
    const store = await openStore(resolved, life, timings);
    const meta = await openCollection(store, config.collection);
    checkMode(meta, config.search, config.collection);
    const embedder = await embedderFor(resolved, meta, life, loading);
    const modelLoad = (performance.now() - tm) / 1000;
    checkModel(meta, embedder.info, config.collection);

    const stream = !flags.json && process.stdout.isTTY === true && chat !== null;
    const result = await ask({
      question: q,
      store,
      embedder,
      collection: config.collection,
      topK: config.topK,
      mode: config.search,
      rrfK: config.rrfK,
      chat,
      systemPrompt: flags.systemPrompt,
      userTemplate,
      onToken: stream ? (piece) => process.stdout.write(piece) : undefined,
      signal: life.signal,
    });

    if (flags.json) {
      json({ ...result, timings: { startup, modelLoad, milvusStart: timings.milvusStart, ...result.timings, total: (performance.now() - t0) / 1000 } });
    } else if (result.answer !== null) {
      if (stream) out('');
      else out(result.answer);
      if (!flags.quiet && process.stdout.isTTY) out(`\nSources:\n${renderSources(result)}`);
    } else if (!flags.quiet || !wantLlm) {
      out(renderChunks(result));
    }
    if (!wantLlm) return 0;
    if (!chat) {
      throw new RagError('no API key for the LLM endpoint: printed the retrieved chunks only', {
        hint: 'set LEPTONAI_TOKEN (or RAG_LLM_API_KEY / --llm-api-key), or pass --no-llm for retrieval only',
      });
    }
    return 0;
  } finally {
    await life.close();
  }
}
