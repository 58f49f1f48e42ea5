// Embedder over transformers.js (@huggingface/transformers), lazy-loaded: local folders or the hub with a cache.
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RagError } from '../core/errors.js';
import { modelProfile } from '../core/model-profiles.js';
import { modelLoadError } from './model-errors.js';
/** transformers.js file name of each dtype in onnx/. */
const DTYPE_FILES = {
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
 * (436 MB for a base model), and no memory arena keeps the largest batch's buffers after it ran.
 */
async function openLocalModel(file, threads) {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        enableCpuMemArena: false,
        graphOptimizationLevel: 'all',
        ...JSON.parse(process.env.X_ORT_OPTS || '{}'),
    });
    const needsTypes = session.inputNames.includes('token_type_ids');
    return {
        async run(ids, mask, dims) {
            const feeds = {
                input_ids: new ort.Tensor('int64', ids, dims),
                attention_mask: new ort.Tensor('int64', mask, dims),
            };
            if (needsTypes)
                feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
            const out = await session.run(feeds);
            const hidden = out.last_hidden_state ?? Object.values(out)[0];
            return { data: hidden?.data, dims: [...(hidden?.dims ?? [])] };
        },
        dispose: () => session.release(),
    };
}
const MAX_TOKENS_CAP = 8192;
export const DEFAULT_BATCH_TOKENS = 1024;
function readJson(file) {
    try {
        return JSON.parse(readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
/**
 * What a sentence-transformers folder says about itself: pooling (1_Pooling/config.json) and the sequence length the
 * model was trained with (sentence_bert_config.json), which can be shorter than the tokenizer's limit.
 */
export function sentenceTransformersInfo(folder) {
    if (!folder)
        return {};
    const out = {};
    const modules = readJson(path.join(folder, 'modules.json'));
    const poolingDir = Array.isArray(modules)
        ? String(modules.find((m) => /Pooling/.test(m.type ?? ''))?.path ?? '1_Pooling')
        : '1_Pooling';
    const pooling = readJson(path.join(folder, poolingDir, 'config.json'));
    if (pooling?.pooling_mode_cls_token === true)
        out.pooling = 'cls';
    else if (pooling?.pooling_mode_mean_tokens === true)
        out.pooling = 'mean';
    const st = readJson(path.join(folder, 'sentence_bert_config.json'));
    if (typeof st?.max_seq_length === 'number' && st.max_seq_length > 0)
        out.maxSeqLength = st.max_seq_length;
    return out;
}
/** Batches of `order` (indexes sorted by length) whose padded size (count × longest) stays within the budget. */
export function tokenBatches(order, lengths, maxCount, maxTokens) {
    const out = [];
    let cur = [];
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
    if (cur.length > 0)
        out.push(cur);
    return out;
}
/** Load the model (downloading it into the cache on first use) and probe its dimension. */
export async function createEmbedder(opts) {
    let name = opts.model;
    let local;
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
    const loadError = (e) => modelLoadError(local ? (opts.modelPath ?? name) : name, e, opts);
    // Lazy: a local folder whose config.json gives the dimension is described from its JSON files alone; transformers.js,
    // the tokenizer and the model are loaded when first needed (an unchanged re-ingest needs none of them).
    const config = local ? readJson(path.join(local, 'config.json')) : undefined;
    const hidden = config?.hidden_size;
    const lazyDim = opts.lazy && file && typeof hidden === 'number' && hidden > 0 ? hidden : undefined;
    if (file && !existsSync(file))
        throw loadError(new Error(`${path.relative(local ?? '', file)} not found for --dtype ${opts.dtype}`));
    const common = {
        local_files_only: !!local,
        progress_callback: (p) => {
            if (p.status === 'progress' && p.file)
                opts.onDownload?.({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
        },
    };
    let tf;
    const transformers = async () => {
        if (tf)
            return tf;
        tf = await import('@huggingface/transformers');
        const env = tf.env;
        // A folder is loaded by its absolute path. A hub id comes from the cache, else the hub; offline, the cache
        // folder itself is the "local" model folder (same layout), so nothing is looked up under node_modules.
        env.allowLocalModels = !!local || opts.offline;
        env.allowRemoteModels = !local && !opts.offline;
        env.cacheDir = opts.cacheDir;
        env.localModelPath = local ? '/' : opts.cacheDir;
        if (opts.remoteHost)
            env.remoteHost = opts.remoteHost.endsWith('/') ? opts.remoteHost : `${opts.remoteHost}/`;
        return tf;
    };
    const loadTokenizer = async () => (await (await transformers()).AutoTokenizer.from_pretrained(name, common));
    const openModel = async () => {
        if (file)
            return openLocalModel(file, threads);
        const t = await transformers();
        const m = (await t.AutoModel.from_pretrained(name, {
            ...common,
            dtype: opts.dtype,
            session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
        }));
        return {
            async run(ids, mask, dims) {
                const out = await m({
                    input_ids: new t.Tensor('int64', ids, dims),
                    attention_mask: new t.Tensor('int64', mask, dims),
                });
                const hidden = out.last_hidden_state ?? Object.values(out)[0];
                return { data: hidden?.data, dims: hidden?.dims ?? [] };
            },
            dispose: () => m.dispose(),
        };
    };
    let tokenizer;
    let opened;
    if (lazyDim === undefined) {
        try {
            const [t, m] = await Promise.all([loadTokenizer(), openModel()]);
            tokenizer = t;
            opened = Promise.resolve(m);
        }
        catch (e) {
            throw loadError(e);
        }
    }
    let loadingTokenizer;
    const ensureTokenizer = async () => tokenizer ??
        (tokenizer = await (loadingTokenizer ??= loadTokenizer().catch((e) => Promise.reject(loadError(e)))));
    const model = () => (opened ??= openModel().catch((e) => Promise.reject(loadError(e))));
    const tok = () => {
        if (!tokenizer)
            throw new Error('the tokenizer is not loaded: call prepare() first');
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
    const encode = (text) => {
        const ids = tok().encode(text);
        if (ids.length <= maxTokens)
            return { ids, truncated: false };
        return { ids: [...ids.slice(0, maxTokens - 1), ids[ids.length - 1] ?? 0], truncated: true };
    };
    /** One forward pass over already tokenized texts; pooled and normalised vectors in the same order. */
    const run = async (seqs) => {
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
        if (!hidden.data)
            throw new RagError('the embedding model returned no output', { hint: 'choose another --model' });
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
                for (let d = 0; d < dim; d++)
                    v[d] = (v[d] ?? 0) + (data[base + d] ?? 0);
            }
            let norm = 0;
            for (let d = 0; d < dim; d++)
                norm += (v[d] ?? 0) ** 2;
            norm = Math.sqrt(norm) || 1;
            return Array.from(v, (x) => x / norm);
        });
    };
    const dim = lazyDim ?? (await run([encode('dimension probe').ids]))[0]?.length ?? 0;
    if (dim === 0)
        throw new RagError(`embedding model ${folder ?? name} returned an empty vector`, {
            hint: 'choose another --model',
        });
    const info = {
        model: folder ? `local:${folder}` : opts.model,
        dim,
        queryPrefix: profile.queryPrefix,
        docPrefix: profile.docPrefix,
        pooling,
        dtype: opts.dtype,
        maxTokens,
    };
    let budget;
    return {
        info,
        async prepare() {
            await ensureTokenizer();
        },
        /** Tokens the text takes, without the special tokens the model adds. */
        countTokens(text) {
            return tok().encode(text, { add_special_tokens: false }).length;
        },
        /** Tokens of a document's text that fit the window once the prefix and special tokens are in. */
        get docTokenBudget() {
            const t = tok();
            return (budget ??=
                maxTokens -
                    t.encode('').length -
                    (profile.docPrefix ? t.encode(profile.docPrefix, { add_special_tokens: false }).length : 0));
        },
        async embedDocs(texts) {
            await ensureTokenizer();
            const vectors = new Array(texts.length);
            const truncatedAt = [];
            let tokens = 0;
            let padded = 0;
            const seqs = texts.map((t, i) => {
                const e = encode(profile.docPrefix + t);
                if (e.truncated)
                    truncatedAt.push(i);
                tokens += e.ids.length;
                return e.ids;
            });
            const lengths = seqs.map((s) => s.length);
            // Length-sorted batches pad less; each is bounded by count and by padded tokens; results go back to input order.
            const order = lengths
                .map((n, i) => [n, i])
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
        async embedQuery(text) {
            await ensureTokenizer();
            const [v] = await run([encode(profile.queryPrefix + text).ids]);
            return v ?? [];
        },
        async close() {
            await (await opened?.catch(() => undefined))?.dispose();
        },
    };
}
/** Default model cache when no --cache-dir / RAG_CACHE_DIR is given: $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export function defaultCacheDir(env) {
    return env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'rag') : path.join(os.homedir(), '.cache', 'rag');
}
//# sourceMappingURL=embedder.js.map