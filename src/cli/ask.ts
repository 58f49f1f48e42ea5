// `rag ask QUESTION`: retrieve from Milvus, answer with the chat model; text (streamed on a TTY) or --json.

import { readFileSync } from 'node:fs';
import { ask, checkMode, checkModel, openCollection, searchModeFor, validateQuestion, type AskResult } from '../core/ask.js';
import type { Resolved } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import { validateTemplate } from '../core/prompt.js';
import type { ChatModel, CollectionMeta, Embedder } from '../core/types.js';
import { lifecycle, loadConfig, openEmbedder, openStore, type Lifecycle } from './context.js';
import { json, out, registerSecret, say } from './render.js';
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
export async function embedderFor(resolved: Resolved, meta: CollectionMeta, life: Lifecycle, loading: Promise<Embedder>): Promise<Embedder> {
  const chosen = resolved.sources.model.from !== 'default' || resolved.sources.modelPath.from !== 'default';
  if (!chosen && meta.foreign) {
    throw new RagError(`collection "${resolved.config.collection}" was not built by rag, so which model embedded it is unknown`, {
      hint: 'pass that model with --model or --model-path (rag searches it read-only, dense)',
    });
  }
  if (!chosen && meta.model.startsWith('local:')) {
    throw new RagError(`collection "${resolved.config.collection}" was built with the local model folder "${meta.model.slice('local:'.length)}"`, {
      hint: 'pass the same folder with --model-path (RAG_MODEL_PATH)',
    });
  }
  if (!chosen && !meta.model.startsWith('local:') && meta.model !== resolved.config.model) {
    await loading.then((e) => e.close(), () => undefined);
    return openEmbedder({ ...resolved, config: { ...resolved.config, model: meta.model } }, life);
  }
  return loading;
}

/** A child of the command's lifecycle whose cleanups can run early; on an error they run with the parent's. */
function scope(parent: Lifecycle): Lifecycle {
  const cleanups: (() => Promise<void>)[] = [];
  const child: Lifecycle = {
    signal: parent.signal,
    interruptedBy: () => parent.interruptedBy(),
    defer: (fn) => {
      cleanups.unshift(fn);
    },
    async close() {
      for (const fn of cleanups.splice(0)) {
        try {
          await fn();
        } catch {
          // best effort, as in the parent
        }
      }
    },
  };
  parent.defer(() => child.close());
  return child;
}

function checkBaseUrl(url: string): void {
  try {
    new URL(url);
  } catch {
    throw usageError(`invalid LLM base URL: ${url}`, 'pass a full URL such as https://host/api/v1 with --llm-base-url');
  }
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
  // performance.now() counts from the start of the process: node itself, rag's modules, parsing the flags.
  const startup = performance.now() / 1000;
  const q = validateQuestion(question);
  const resolved = loadConfig(flags);
  const { config } = resolved;
  registerSecret(config.llmApiKey);
  registerSecret(config.milvusToken);
  const userTemplate = readTemplate(flags.promptFile);
  const wantLlm = flags.llm !== false;
  // The chat model (and the openai package) is loaded after retrieval, off the start-up path; its URL is checked now.
  if (wantLlm && config.llmApiKey) checkBaseUrl(config.llmBaseUrl);
  const life = lifecycle();
  try {
    const timings = { milvusStart: 0 };
    // Milvus Lite (a separate process) starts first; the model loads meanwhile and while the collection is checked.
    // Milvus (and Milvus Lite's lock on the data folder) is released as soon as the chunks are retrieved,
    // not held through a long LLM answer (an idle gRPC channel would also get "excess pings" errors).
    const storeScope = scope(life);
    const tm = performance.now();
    const storing = openStore(resolved, storeScope, timings);
    storing.catch(() => undefined);
    let modelLoad = 0;
    let first: Embedder | undefined;
    const loading = openEmbedder(resolved, life).then((e) => {
      modelLoad = (performance.now() - tm) / 1000;
      first = e;
      return e;
    });
    loading.catch(() => undefined);
    const store = await storing;
    const tc = performance.now();
    // Loading the Milvus SDK (when Milvus Lite was quicker) and building its client (it parses the protobuf definitions).
    const connect = Math.max(0, (tc - tm) / 1000 - timings.milvusStart);
    const meta = await openCollection(store, config.collection);
    const collection = (performance.now() - tc) / 1000;
    const mode = searchModeFor(meta, config.search, resolved.sources.search.from !== 'default');
    checkMode(meta, mode, config.collection);
    const tw = performance.now();
    const embedder = await embedderFor(resolved, meta, life, loading);
    if (embedder !== first) modelLoad += (performance.now() - tw) / 1000; // reloaded: the model that built the collection
    checkModel(meta, embedder.info, config.collection);

    let chat: ChatModel | null = null;
    if (wantLlm && config.llmApiKey) {
      const { createChatModel } = await import('../services/chat-model.js');
      chat = createChatModel({ baseURL: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel, timeoutMs: config.llmTimeout * 1000, maxRetries: config.llmRetries });
    }
    const stream = !flags.json && process.stdout.isTTY === true && chat !== null;
    const result = await ask({
      question: q,
      store,
      embedder,
      collection: config.collection,
      topK: config.topK,
      mode,
      rrfK: config.rrfK,
      candidates: config.candidates,
      chat,
      systemPrompt: flags.systemPrompt,
      userTemplate,
      onToken: stream ? (piece) => process.stdout.write(piece) : undefined,
      signal: life.signal,
      afterRetrieval: () => storeScope.close(),
    });

    if (flags.json) {
      // Seconds. In order: startup, milvusStart + connect (modelLoad runs meanwhile), collection (describe, load, count),
      // embed, search, llm; total counts from the start of the process (stopping Milvus Lite, ~0.05 s, comes after).
      const t = { startup, milvusStart: timings.milvusStart, connect, modelLoad, collection, ...result.timings, total: performance.now() / 1000 };
      json({ ...result, timings: t });
    } else if (result.answer !== null) {
      if (stream) out('');
      else out(result.answer);
      if (!flags.quiet && process.stdout.isTTY) out(`\nSources:\n${renderSources(result)}`);
    } else if (!flags.quiet || !wantLlm) {
      out(renderChunks(result));
    }
    if (!wantLlm) {
      if (!config.llmApiKey) say('note: retrieval only; for answers, set LEPTONAI_TOKEN (or RAG_LLM_API_KEY / --llm-api-key) and drop --no-llm');
      return 0;
    }
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
