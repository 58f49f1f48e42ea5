// Config resolution (pure): flags > environment > .env file > defaults, with validation and provenance.

import { usageError } from './errors.js';
import { SPLIT_MODES, type SplitMode } from './sections.js';
import type { SearchMode } from './types.js';

export const DEFAULT_MODEL = 'Xenova/all-mpnet-base-v2';
export const DEFAULT_LLM_BASE_URL = 'https://mistral-7b.lepton.run/api/v1/';
export const DEFAULT_LLM_MODEL = 'mistral-7b';
export const DEFAULT_COLLECTION = 'my_rag_collection';
export const DEFAULT_MILVUS_URI = './milvus.db';

export interface Config {
  milvusUri: string;
  milvusToken: string | undefined;
  collection: string;
  model: string;
  modelPath: string | undefined;
  cacheDir: string | undefined;
  hfEndpoint: string | undefined;
  offline: boolean;
  dtype: string;
  queryPrefix: string | undefined;
  docPrefix: string | undefined;
  batchSize: number;
  batchTokens: number;
  split: SplitMode;
  topK: number;
  search: SearchMode;
  rrfK: number;
  candidates: number;
  llmBaseUrl: string;
  llmModel: string;
  llmApiKey: string | undefined;
  llmTimeout: number;
  llmRetries: number;
  python: string | undefined;
  lockTimeout: number;
  milvusTimeout: number;
}

type Kind = 'string' | 'int' | 'number' | 'bool' | 'mode' | 'split';

interface Setting {
  key: keyof Config;
  /** Commander's camel-cased flag name. */
  flag?: string;
  /** Environment variables, highest priority first. */
  env: string[];
  kind: Kind;
  default?: string | number | boolean;
  min?: number;
  secret?: boolean;
  /** Shown by `rag config` and in .env.example. */
  doc: string;
}

export const SETTINGS: readonly Setting[] = [
  { key: 'milvusUri', flag: 'milvusUri', env: ['MILVUS_URI'], kind: 'string', default: DEFAULT_MILVUS_URI, doc: 'a local path (embedded Milvus Lite data folder) or http(s)://host:port of a Milvus server / Zilliz Cloud' },
  { key: 'milvusToken', flag: 'milvusToken', env: ['MILVUS_TOKEN'], kind: 'string', secret: true, doc: 'Milvus token ("user:password") or Zilliz Cloud API key' },
  { key: 'collection', flag: 'collection', env: ['RAG_COLLECTION'], kind: 'string', default: DEFAULT_COLLECTION, doc: 'collection name' },
  { key: 'model', flag: 'model', env: ['RAG_EMBED_MODEL'], kind: 'string', default: DEFAULT_MODEL, doc: 'embedding model id (Hugging Face hub, loaded by transformers.js)' },
  { key: 'modelPath', flag: 'modelPath', env: ['RAG_MODEL_PATH'], kind: 'string', doc: 'load the embedding model from this local folder instead (no network)' },
  { key: 'cacheDir', flag: 'cacheDir', env: ['RAG_CACHE_DIR'], kind: 'string', doc: 'model download cache (default: $XDG_CACHE_HOME/rag or ~/.cache/rag)' },
  { key: 'hfEndpoint', env: ['HF_ENDPOINT'], kind: 'string', doc: 'Hugging Face hub address or mirror for model downloads (default https://huggingface.co/)' },
  { key: 'offline', flag: 'offline', env: ['RAG_OFFLINE'], kind: 'bool', default: false, doc: '1 = never touch the network for models' },
  { key: 'dtype', flag: 'dtype', env: ['RAG_DTYPE'], kind: 'string', default: 'fp32', doc: 'model precision: fp32, fp16, q8, int8, uint8, q4, bnb4, q4f16' },
  { key: 'queryPrefix', flag: 'queryPrefix', env: ['RAG_QUERY_PREFIX'], kind: 'string', doc: 'text put before questions (default: from the model table)' },
  { key: 'docPrefix', flag: 'docPrefix', env: ['RAG_DOC_PREFIX'], kind: 'string', doc: 'text put before documents (default: from the model table)' },
  { key: 'batchSize', flag: 'batchSize', env: ['RAG_BATCH_SIZE'], kind: 'int', default: 32, min: 1, doc: 'most chunks per embedding pass and per insert' },
  { key: 'batchTokens', flag: 'batchTokens', env: ['RAG_BATCH_TOKENS'], kind: 'int', default: 4096, min: 1, doc: 'most padded tokens per embedding pass (texts × longest): bounds the model\'s memory' },
  { key: 'split', flag: 'split', env: ['RAG_SPLIT'], kind: 'split', default: 'sections', doc: 'chunking: sections (front matter as page metadata; title and headings indexed with each chunk) or tutorial (the tutorial\'s pieces as they are)' },
  { key: 'topK', flag: 'topK', env: ['RAG_TOP_K'], kind: 'int', default: 3, min: 1, doc: 'chunks retrieved per question' },
  { key: 'search', flag: 'search', env: ['RAG_SEARCH'], kind: 'mode', default: 'hybrid', doc: 'retrieval mode: dense, bm25 or hybrid' },
  { key: 'candidates', flag: 'candidates', env: ['RAG_CANDIDATES'], kind: 'int', default: 20, min: 1, doc: 'hybrid search: candidates each search (dense, BM25) contributes to the fusion' },
  { key: 'rrfK', flag: 'rrfK', env: ['RAG_RRF_K'], kind: 'int', default: 60, min: 1, doc: 'reciprocal-rank-fusion constant for hybrid search' },
  { key: 'llmBaseUrl', flag: 'llmBaseUrl', env: ['RAG_LLM_BASE_URL', 'OPENAI_BASE_URL'], kind: 'string', default: DEFAULT_LLM_BASE_URL, doc: 'OpenAI-compatible endpoint' },
  { key: 'llmModel', flag: 'llmModel', env: ['RAG_LLM_MODEL'], kind: 'string', default: DEFAULT_LLM_MODEL, doc: 'chat model name' },
  { key: 'llmApiKey', flag: 'llmApiKey', env: ['RAG_LLM_API_KEY', 'LEPTONAI_TOKEN', 'OPENAI_API_KEY'], kind: 'string', secret: true, doc: 'API key of the endpoint' },
  { key: 'llmTimeout', flag: 'llmTimeout', env: ['RAG_LLM_TIMEOUT'], kind: 'number', default: 60, min: 0.001, doc: 'seconds to wait for the LLM per attempt' },
  { key: 'llmRetries', flag: 'llmRetries', env: ['RAG_LLM_RETRIES'], kind: 'int', default: 3, min: 0, doc: 'retries on 429, 5xx and connection errors (with backoff)' },
  { key: 'python', env: ['RAG_PYTHON'], kind: 'string', doc: 'Python that has milvus-lite (default: the project .venv, then python3)' },
  { key: 'lockTimeout', flag: 'lockTimeout', env: ['RAG_LOCK_TIMEOUT'], kind: 'number', default: 60, min: 0, doc: 'seconds to wait for another process using the same Milvus Lite folder' },
  { key: 'milvusTimeout', env: ['RAG_MILVUS_TIMEOUT'], kind: 'number', default: 30, min: 0.001, doc: 'seconds to wait for a Milvus call' },
];

export type Source = { from: 'flag' } | { from: 'env' | '.env'; name: string } | { from: 'default' };

export interface Resolved {
  config: Config;
  sources: Record<keyof Config, Source>;
}

export interface ConfigInput {
  /** Values from the command line (commander's option names); undefined = not given. */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  dotenv: Record<string, string>;
}

const MODES: readonly SearchMode[] = ['dense', 'bm25', 'hybrid'];

function convert(s: Setting, raw: unknown, where: string): unknown {
  if (typeof raw === 'boolean' || typeof raw === 'number') return raw;
  const text = String(raw).trim();
  switch (s.kind) {
    case 'string':
      return String(raw);
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off|)$/i.test(text)) return false;
      throw usageError(`${where} must be 1 or 0, got "${text}"`);
    case 'mode':
      if ((MODES as readonly string[]).includes(text)) return text;
      throw usageError(`${where} must be one of ${MODES.join(', ')}, got "${text}"`);
    case 'split':
      if ((SPLIT_MODES as readonly string[]).includes(text)) return text;
      throw usageError(`${where} must be one of ${SPLIT_MODES.join(', ')}, got "${text}"`);
    case 'int':
    case 'number': {
      const n = Number(text);
      const bad = text === '' || !Number.isFinite(n) || (s.kind === 'int' && !Number.isInteger(n)) || (s.min !== undefined && n < s.min);
      if (bad) {
        const what = s.kind === 'int' ? 'a whole number' : 'a number';
        throw usageError(`${where} must be ${what}${s.min !== undefined ? ` ≥ ${s.min}` : ''}, got "${text}"`);
      }
      return n;
    }
  }
}

function flagName(s: Setting): string {
  return `--${(s.flag ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Resolve every setting; throws a usage RagError (exit 2) on a bad value, naming where it came from. */
export function resolveConfig(input: ConfigInput): Resolved {
  const config: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const s of SETTINGS) {
    let value: unknown;
    let source: Source = { from: 'default' };
    const fromFlag = s.flag ? input.flags[s.flag] : undefined;
    if (fromFlag !== undefined) {
      value = convert(s, fromFlag, flagName(s));
      source = { from: 'flag' };
    } else {
      const envName = s.env.find((n) => input.env[n] !== undefined && input.env[n] !== '');
      const dotName = s.env.find((n) => input.dotenv[n] !== undefined && input.dotenv[n] !== '');
      if (envName) {
        value = convert(s, input.env[envName], envName);
        source = { from: 'env', name: envName };
      } else if (dotName) {
        value = convert(s, input.dotenv[dotName], `${dotName} in .env`);
        source = { from: '.env', name: dotName };
      } else {
        value = s.default;
      }
    }
    config[s.key] = value;
    sources[s.key] = source;
  }
  return { config: config as unknown as Config, sources: sources as Record<keyof Config, Source> };
}

/** A secret shown safely: never the value, only that it is set and its length class. */
export function mask(value: string | undefined): string {
  if (!value) return '(not set)';
  return '**** (set)';
}

/** True when the Milvus URI names a server rather than a Milvus Lite data folder. */
export function isServerUri(uri: string): boolean {
  return /^(https?|tcp|grpc):\/\//i.test(uri);
}
