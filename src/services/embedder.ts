// Embedder over transformers.js (@huggingface/transformers), lazy-loaded: local folders or the hub with a cache.

import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RagError } from '../core/errors.js';
import { modelProfile } from '../core/model-profiles.js';
import { modelLoadError } from './model-errors.js';
import type { DocEmbeddings, Embedder, EmbedderInfo } from '../core/types.js';

export interface EmbedderOptions {
  /** Hub model id; ignored when modelPath is set. */
  model: string;
  /** Local folder with config.json, tokenizer.json and onnx/. */
  modelPath?: string | undefined;
  cacheDir: string;
  /** Hub address or mirror (HF_ENDPOINT). */
  remoteHost?: string | undefined;
  offline: boolean;
  dtype: string;
  queryPrefix?: string | undefined;
  docPrefix?: string | undefined;
  /** Most texts per forward pass. */
  batchSize: number;
  /** Most padded tokens per forward pass (texts × longest text): bounds the model's working memory. */
  batchTokens?: number | undefined;
  threads?: number;
  /**
   * Open the model on the first embedding instead of now (the dimension is read from config.json): a run that embeds
   * nothing, such as an unchanged re-ingest, never pays for it. Ignored for hub models and configs without hidden_size.
   */
  lazy?: boolean;
  onDownload?: (event: { file: string; loaded: number; total: number }) => void;
}

// transformers.js types are heavy; the few calls used here are typed loosely on purpose.
interface Tokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  model_max_length?: number;
  pad_token_id?: number;
}
interface TensorLike {
  data: Float32Array;
  dims: number[];
}
/** One forward pass: int64 input ids and attention mask of shape dims → the model's last hidden state. */
interface Model {
  run(ids: BigInt64Array, mask: BigInt64Array, dims: number[]): Promise<TensorLike>;
  dispose(): Promise<unknown>;
}

/** A transformers.js model (hub ids): called with its input tensors. */
type HubModel = ((feeds: Record<string, unknown>) => Promise<Record<string, TensorLike>>) & {
  dispose(): Promise<unknown>;
};

/** transformers.js file name of each dtype in onnx/. */
const DTYPE_FILES: Record<string, string> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  bnb4: 'model_bnb4.onnx',
};

/**
 * A local ONNX file opened by onnxruntime itself, by path: the weights are not first read into a JavaScript buffer
 * (436 MB for a base model).
 * Working memory: onnxruntime's own arena, with the weights outside it (use_device_allocator_for_initializers). Without
 * the arena every batch's buffers go through malloc, and glibc keeps what the batches of varying shapes leave
 * fragmented among rag's other allocations: a peak that grew with the run (900 MB to 1.3 GB); with the weights inside
 * it, the arena's power-of-two growth costs ~250 MB more. Measured on en/getstarted with the real model: 915–935 MB
 * without the arena, 981–985 MB with it, 737–741 MB with this setting, at the same speed.
 */
const SESSION_MEMORY = {
  enableCpuMemArena: true,
  extra: { session: { use_device_allocator_for_initializers: '1' } },
};

async function openLocalModel(file: string, threads: number): Promise<Model> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    ...SESSION_MEMORY,
  });
  const needsTypes = session.inputNames.includes('token_type_ids');
  return {
    async run(ids, mask, dims) {
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', mask, dims),
      };
      if (needsTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
      const out = await session.run(feeds);
      const hidden = out.last_hidden_state ?? Object.values(out)[0];
      return { data: hidden?.data as Float32Array, dims: [...(hidden?.dims ?? [])] };
    },
    dispose: () => session.release(),
  };
}

const MAX_TOKENS_CAP = 8192;
export const DEFAULT_BATCH_TOKENS = 1024;

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * What a sentence-transformers folder says about itself: pooling (1_Pooling/config.json) and the sequence length the
 * model was trained with (sentence_bert_config.json), which can be shorter than the tokenizer's limit.
 */
export function sentenceTransformersInfo(folder: string | undefined): {
  pooling?: 'mean' | 'cls';
  maxSeqLength?: number;
} {
  if (!folder) return {};
  const out: { pooling?: 'mean' | 'cls'; maxSeqLength?: number } = {};
  const modules = readJson(path.join(folder, 'modules.json'));
  const poolingDir = Array.isArray(modules)
    ? String(
        (modules as { type?: string; path?: string }[]).find((m) => /Pooling/.test(m.type ?? ''))?.path ?? '1_Pooling',
      )
    : '1_Pooling';
  const pooling = readJson(path.join(folder, poolingDir, 'config.json'));
  if (pooling?.pooling_mode_cls_token === true) out.pooling = 'cls';
  else if (pooling?.pooling_mode_mean_tokens === true) out.pooling = 'mean';
  const st = readJson(path.join(folder, 'sentence_bert_config.json'));
  if (typeof st?.max_seq_length === 'number' && st.max_seq_length > 0) out.maxSeqLength = st.max_seq_length;
  return out;
}

/** Batches of `order` (indexes sorted by length) whose padded size (count × longest) stays within the budget. */
export function tokenBatches(order: number[], lengths: number[], maxCount: number, maxTokens: number): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let longest = 0;
  for (const i of order) {
    const n = lengths[i] ?? 0;
    const widest = Math.max(longest, n);
    if (cur.length > 0 && (cur.length >= maxCount || (cur.length + 1) * widest > maxTokens)) {
      out.push(cur);
      cur = [];
      longest = 0;
    }
    cur.push(i);
    longest = Math.max(longest, n);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Load the model (downloading it into the cache on first use) and probe its dimension. */
export async function createEmbedder(opts: EmbedderOptions): Promise<Embedder> {
  let name = opts.model;
  let local: string | undefined;
  if (opts.modelPath) {
    local = path.resolve(opts.modelPath);
    if (!existsSync(local) || !statSync(local).isDirectory()) {
      throw new RagError(`model folder ${opts.modelPath} does not exist`, {
        hint: 'point --model-path / RAG_MODEL_PATH at a folder with config.json, tokenizer.json and onnx/',
      });
    }
    name = local;
  }

  const threads = opts.threads ?? os.availableParallelism();
  const file = local ? path.join(local, 'onnx', DTYPE_FILES[opts.dtype] ?? `model_${opts.dtype}.onnx`) : undefined;
  const loadError = (e: unknown): RagError => modelLoadError(local ? (opts.modelPath ?? name) : name, e, opts);
  // Lazy: a local folder whose config.json gives the dimension is described from its JSON files alone; transformers.js,
  // the tokenizer and the model are loaded when first needed (an unchanged re-ingest needs none of them).
  const config = local ? readJson(path.join(local, 'config.json')) : undefined;
  const hidden = config?.hidden_size;
  const lazyDim = opts.lazy && file && typeof hidden === 'number' && hidden > 0 ? hidden : undefined;
  if (file && !existsSync(file))
    throw loadError(new Error(`${path.relative(local ?? '', file)} not found for --dtype ${opts.dtype}`));
  const common = {
    local_files_only: !!local,
    progress_callback: (p: { status: string; file?: string; loaded?: number; total?: number }) => {
      if (p.status === 'progress' && p.file)
        opts.onDownload?.({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
    },
  };

  let tf: typeof import('@huggingface/transformers') | undefined;
  const transformers = async (): Promise<typeof import('@huggingface/transformers')> => {
    if (tf) return tf;
    tf = await import('@huggingface/transformers');
    const env = tf.env;
    // A folder is loaded by its absolute path. A hub id comes from the cache, else the hub; offline, the cache
    // folder itself is the "local" model folder (same layout), so nothing is looked up under node_modules.
    env.allowLocalModels = !!local || opts.offline;
    env.allowRemoteModels = !local && !opts.offline;
    env.cacheDir = opts.cacheDir;
    env.localModelPath = local ? '/' : opts.cacheDir;
    if (opts.remoteHost) env.remoteHost = opts.remoteHost.endsWith('/') ? opts.remoteHost : `${opts.remoteHost}/`;
    return tf;
  };
  const loadTokenizer = async (): Promise<Tokenizer> =>
    (await (await transformers()).AutoTokenizer.from_pretrained(name, common)) as unknown as Tokenizer;
  const openModel = async (): Promise<Model> => {
    if (file) return openLocalModel(file, threads);
    const t = await transformers();
    const m = (await t.AutoModel.from_pretrained(name, {
      ...common,
      dtype: opts.dtype as 'fp32',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, ...SESSION_MEMORY },
    } as Record<string, unknown>)) as unknown as HubModel;
    return {
      async run(ids: BigInt64Array, mask: BigInt64Array, dims: number[]): Promise<TensorLike> {
        const out = await m({
          input_ids: new t.Tensor('int64', ids, dims),
          attention_mask: new t.Tensor('int64', mask, dims),
        });
        const hidden = out.last_hidden_state ?? Object.values(out)[0];
        return { data: hidden?.data as Float32Array, dims: hidden?.dims ?? [] };
      },
      dispose: () => m.dispose(),
    };
  };

  let tokenizer: Tokenizer | undefined;
  let opened: Promise<Model> | undefined;
  if (lazyDim === undefined) {
    try {
      const [t, m] = await Promise.all([loadTokenizer(), openModel()]);
      tokenizer = t;
      opened = Promise.resolve(m);
    } catch (e) {
      throw loadError(e);
    }
  }
  let loadingTokenizer: Promise<Tokenizer> | undefined;
  const ensureTokenizer = async (): Promise<Tokenizer> =>
    tokenizer ??
    (tokenizer = await (loadingTokenizer ??= loadTokenizer().catch((e: unknown) => Promise.reject(loadError(e)))));
  const model = (): Promise<Model> => (opened ??= openModel().catch((e: unknown) => Promise.reject(loadError(e))));
  const tok = (): Tokenizer => {
    if (!tokenizer) throw new Error('the tokenizer is not loaded: call prepare() first');
    return tokenizer;
  };

  const folder = local ? path.basename(local) : undefined;
  const st = sentenceTransformersInfo(local ?? (opts.offline ? path.join(opts.cacheDir, opts.model) : undefined));
  const profile = modelProfile(folder ?? opts.model, { queryPrefix: opts.queryPrefix, docPrefix: opts.docPrefix });
  const pooling = st.pooling ?? profile.pooling;
  // transformers.js takes model_max_length from tokenizer_config.json; read there directly while the tokenizer waits.
  const rawMax = tokenizer
    ? tokenizer.model_max_length
    : local
      ? readJson(path.join(local, 'tokenizer_config.json'))?.model_max_length
      : undefined;
  const tokenizerMax = typeof rawMax === 'number' && rawMax > 0 && rawMax < MAX_TOKENS_CAP ? rawMax : 512;
  const maxTokens = Math.min(tokenizerMax, st.maxSeqLength ?? profile.maxSeqLength ?? tokenizerMax);
  const batchTokens = Math.max(maxTokens, opts.batchTokens ?? DEFAULT_BATCH_TOKENS);

  /** Token ids with the special tokens, cut at the model's window (the end token kept). */
  const encode = (text: string): { ids: number[]; truncated: boolean } => {
    const ids = tok().encode(text);
    if (ids.length <= maxTokens) return { ids, truncated: false };
    return { ids: [...ids.slice(0, maxTokens - 1), ids[ids.length - 1] ?? 0], truncated: true };
  };

  /** One forward pass over already tokenized texts; pooled and normalised vectors in the same order. */
  const run = async (seqs: number[][]): Promise<number[][]> => {
    const width = Math.max(1, ...seqs.map((s) => s.length));
    const ids = new BigInt64Array(seqs.length * width).fill(BigInt(tok().pad_token_id ?? 0));
    const mask = new BigInt64Array(seqs.length * width);
    seqs.forEach((s, r) => {
      for (let j = 0; j < s.length; j++) {
        ids[r * width + j] = BigInt(s[j] ?? 0);
        mask[r * width + j] = 1n;
      }
    });
    const dims = [seqs.length, width];
    const hidden = await (await model()).run(ids, mask, dims);
    if (!hidden.data) throw new RagError('the embedding model returned no output', { hint: 'choose another --model' });
    const dim = hidden.dims[2] ?? 0;
    if (lazyDim !== undefined && dim !== lazyDim)
      throw new RagError(`embedding model ${name} returned ${dim}-dim vectors, but its config.json says ${lazyDim}`, {
        hint: 'fix hidden_size in config.json, or choose another --model-path',
      });
    const data = hidden.data;
    return seqs.map((s, r) => {
      const v = new Float64Array(dim);
      const rows = pooling === 'cls' ? 1 : s.length;
      for (let j = 0; j < rows; j++) {
        const base = (r * width + j) * dim;
        for (let d = 0; d < dim; d++) v[d] = (v[d] ?? 0) + (data[base + d] ?? 0);
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += (v[d] ?? 0) ** 2;
      norm = Math.sqrt(norm) || 1;
      return Array.from(v, (x) => x / norm);
    });
  };

  const dim = lazyDim ?? (await run([encode('dimension probe').ids]))[0]?.length ?? 0;
  if (dim === 0)
    throw new RagError(`embedding model ${folder ?? name} returned an empty vector`, {
      hint: 'choose another --model',
    });

  const info: EmbedderInfo = {
    model: folder ? `local:${folder}` : opts.model,
    dim,
    queryPrefix: profile.queryPrefix,
    docPrefix: profile.docPrefix,
    pooling,
    dtype: opts.dtype,
    maxTokens,
  };

  let budget: number | undefined;
  return {
    info,
    async prepare(): Promise<void> {
      await ensureTokenizer();
    },
    /** Tokens the text takes, without the special tokens the model adds. */
    countTokens(text: string): number {
      return tok().encode(text, { add_special_tokens: false }).length;
    },
    /** Tokens of a document's text that fit the window once the prefix and special tokens are in. */
    get docTokenBudget(): number {
      const t = tok();
      return (budget ??=
        maxTokens -
        t.encode('').length -
        (profile.docPrefix ? t.encode(profile.docPrefix, { add_special_tokens: false }).length : 0));
    },
    async embedDocs(texts: string[]): Promise<DocEmbeddings> {
      await ensureTokenizer();
      const vectors: number[][] = new Array<number[]>(texts.length);
      const truncatedAt: number[] = [];
      let tokens = 0;
      let padded = 0;
      const seqs = texts.map((t, i) => {
        const e = encode(profile.docPrefix + t);
        if (e.truncated) truncatedAt.push(i);
        tokens += e.ids.length;
        return e.ids;
      });
      const lengths = seqs.map((s) => s.length);
      // Length-sorted batches pad less; each is bounded by count and by padded tokens; results go back to input order.
      const order = lengths
        .map((n, i) => [n, i] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(([, i]) => i);
      for (const idx of tokenBatches(order, lengths, opts.batchSize, batchTokens)) {
        const out = await run(idx.map((j) => seqs[j] ?? []));
        padded += idx.length * Math.max(...idx.map((j) => lengths[j] ?? 0));
        idx.forEach((j, k) => {
          vectors[j] = out[k] ?? [];
        });
      }
      return { vectors, truncated: truncatedAt.length, truncatedAt, tokens, padded };
    },
    async embedQuery(text: string): Promise<number[]> {
      await ensureTokenizer();
      const [v] = await run([encode(profile.queryPrefix + text).ids]);
      return v ?? [];
    },
    async close(): Promise<void> {
      await (await opened?.catch(() => undefined))?.dispose();
    },
  };
}

/** Default model cache when no --cache-dir / RAG_CACHE_DIR is given: $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  return env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'rag') : path.join(os.homedir(), '.cache', 'rag');
}
