// Embedder over transformers.js (@huggingface/transformers), lazy-loaded: local folders or the hub with a cache.

import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RagError } from '../core/errors.js';
import { lengthOrder, modelProfile } from '../core/model-profiles.js';
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
  /** Texts per forward pass. */
  batchSize: number;
  threads?: number;
  onDownload?: (event: { file: string; loaded: number; total: number }) => void;
}

// transformers.js types are heavy; the few calls used here are typed loosely on purpose.
type Extractor = ((texts: string[], opts: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ tolist(): number[][] }>) & {
  tokenizer: { encode(text: string): number[]; model_max_length?: number };
  dispose(): Promise<void>;
};

const MAX_TOKENS_CAP = 8192;

/** Load the model (downloading it into the cache on first use) and probe its dimension. */
export async function createEmbedder(opts: EmbedderOptions): Promise<Embedder> {
  let name = opts.model;
  let local: string | undefined;
  if (opts.modelPath) {
    local = path.resolve(opts.modelPath);
    if (!existsSync(local) || !statSync(local).isDirectory()) {
      throw new RagError(`model folder ${opts.modelPath} does not exist`, { hint: 'point --model-path / RAG_MODEL_PATH at a folder with config.json, tokenizer.json and onnx/' });
    }
    name = local;
  }

  const tf = await import('@huggingface/transformers');
  const env = tf.env;
  // A folder is loaded by its absolute path. A hub id comes from the cache, else the hub; offline, the cache
  // folder itself is the "local" model folder (same layout), so nothing is looked up under node_modules.
  env.allowLocalModels = !!local || opts.offline;
  env.allowRemoteModels = !local && !opts.offline;
  env.cacheDir = opts.cacheDir;
  env.localModelPath = local ? '/' : opts.cacheDir;
  if (opts.remoteHost) env.remoteHost = opts.remoteHost.endsWith('/') ? opts.remoteHost : `${opts.remoteHost}/`;

  let extractor: Extractor;
  try {
    extractor = (await tf.pipeline('feature-extraction', name, {
      dtype: opts.dtype as 'fp32',
      local_files_only: !!local,
      session_options: { intraOpNumThreads: opts.threads ?? os.availableParallelism(), interOpNumThreads: 1 },
      progress_callback: (p: { status: string; file?: string; loaded?: number; total?: number }) => {
        if (p.status === 'progress' && p.file) opts.onDownload?.({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
      },
    } as Record<string, unknown>)) as unknown as Extractor;
  } catch (e) {
    throw modelLoadError(local ? opts.modelPath ?? name : name, e, opts);
  }

  const folder = local ? path.basename(local) : undefined;
  const profile = modelProfile(folder ?? opts.model, { queryPrefix: opts.queryPrefix, docPrefix: opts.docPrefix });
  const rawMax = extractor.tokenizer.model_max_length;
  const maxTokens = typeof rawMax === 'number' && rawMax > 0 && rawMax < MAX_TOKENS_CAP ? rawMax : 512;

  const run = async (texts: string[]): Promise<number[][]> => {
    const out = await extractor(texts, { pooling: profile.pooling, normalize: true });
    return out.tolist();
  };

  const probe = await run(['dimension probe']);
  const dim = probe[0]?.length ?? 0;
  if (dim === 0) throw new RagError(`embedding model ${folder ?? name} returned an empty vector`, { hint: 'choose another --model' });

  const info: EmbedderInfo = {
    model: folder ? `local:${folder}` : opts.model,
    dim,
    queryPrefix: profile.queryPrefix,
    docPrefix: profile.docPrefix,
    pooling: profile.pooling,
    dtype: opts.dtype,
    maxTokens,
  };

  return {
    info,
    async embedDocs(texts: string[]): Promise<DocEmbeddings> {
      const vectors: number[][] = new Array<number[]>(texts.length);
      let truncated = 0;
      const truncatedAt: number[] = [];
      let tokens = 0;
      const inputs = texts.map((t) => profile.docPrefix + t);
      for (const [i, t] of inputs.entries()) {
        const n = extractor.tokenizer.encode(t).length;
        if (n > maxTokens) {
          truncated++;
          truncatedAt.push(i);
        }
        tokens += Math.min(n, maxTokens);
      }
      // Length-sorted batches pad less; results go back to input order.
      const order = lengthOrder(inputs);
      for (let i = 0; i < order.length; i += opts.batchSize) {
        const idx = order.slice(i, i + opts.batchSize);
        const out = await run(idx.map((j) => inputs[j] ?? ''));
        idx.forEach((j, k) => { vectors[j] = out[k] ?? []; });
      }
      return { vectors, truncated, truncatedAt, tokens };
    },
    async embedQuery(text: string): Promise<number[]> {
      const [v] = await run([profile.queryPrefix + text]);
      return v ?? [];
    },
    async close(): Promise<void> {
      await extractor.dispose();
    },
  };
}

/** Default model cache when no --cache-dir / RAG_CACHE_DIR is given: $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  return env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'rag') : path.join(os.homedir(), '.cache', 'rag');
}
