// Config resolution (pure): flags > environment > .env file > defaults, with validation and provenance.
import { usageError } from './errors.js';
import { SPLIT_MODES } from './sections.js';
export const DEFAULT_MODEL = 'Xenova/all-mpnet-base-v2';
export const DEFAULT_LLM_BASE_URL = 'https://mistral-7b.lepton.run/api/v1/';
export const DEFAULT_LLM_MODEL = 'mistral-7b';
export const DEFAULT_COLLECTION = 'my_rag_collection';
export const DEFAULT_MILVUS_URI = './milvus.db';
/** The search modes, in the order they are listed in help and errors. */
export const SEARCH_MODES = ['dense', 'bm25', 'hybrid'];
export const GROUPS = ['Retrieval', 'Embedding model', 'Milvus', 'LLM'];
/** The one table of settings: --help, environment names, defaults, parsing and `rag config` all come from it. */
export const SETTINGS = [
    {
        key: 'milvusUri',
        option: '--milvus-uri <uri>',
        env: ['MILVUS_URI'],
        kind: 'string',
        default: DEFAULT_MILVUS_URI,
        group: 'Milvus',
        doc: 'Milvus Lite data folder (a local path) or http(s)://host:port of a Milvus server / Zilliz Cloud',
    },
    {
        key: 'milvusToken',
        option: '--milvus-token <token>',
        env: ['MILVUS_TOKEN'],
        kind: 'string',
        secret: true,
        group: 'Milvus',
        doc: 'Milvus token ("user:password") or Zilliz Cloud API key',
    },
    {
        key: 'collection',
        option: '--collection <name>',
        env: ['RAG_COLLECTION'],
        kind: 'string',
        default: DEFAULT_COLLECTION,
        group: 'Milvus',
        doc: 'collection name',
    },
    {
        key: 'lockTimeout',
        option: '--lock-timeout <seconds>',
        env: ['RAG_LOCK_TIMEOUT'],
        kind: 'number',
        default: 60,
        min: 0,
        group: 'Milvus',
        doc: 'seconds to wait for another process using the same Milvus Lite folder',
    },
    {
        key: 'milvusTimeout',
        env: ['RAG_MILVUS_TIMEOUT'],
        kind: 'number',
        default: 30,
        min: 0.001,
        group: 'Milvus',
        doc: 'seconds to wait for a Milvus call',
    },
    {
        key: 'python',
        env: ['RAG_PYTHON'],
        kind: 'string',
        defaultText: "the project's .venv, else python3",
        group: 'Milvus',
        doc: 'Python that has milvus-lite (runs the embedded Milvus Lite)',
    },
    {
        key: 'model',
        option: '--model <id>',
        env: ['RAG_EMBED_MODEL'],
        kind: 'string',
        default: DEFAULT_MODEL,
        group: 'Embedding model',
        doc: 'embedding model id (Hugging Face hub, loaded by transformers.js)',
    },
    {
        key: 'modelPath',
        option: '--model-path <dir>',
        env: ['RAG_MODEL_PATH'],
        kind: 'string',
        conflicts: 'model',
        group: 'Embedding model',
        doc: 'load the embedding model from this local folder instead (no network)',
    },
    {
        key: 'cacheDir',
        option: '--cache-dir <dir>',
        env: ['RAG_CACHE_DIR'],
        kind: 'string',
        defaultText: '$XDG_CACHE_HOME/rag or ~/.cache/rag',
        group: 'Embedding model',
        doc: 'model download cache',
    },
    {
        key: 'hfEndpoint',
        env: ['HF_ENDPOINT'],
        kind: 'string',
        defaultText: 'https://huggingface.co/',
        group: 'Embedding model',
        doc: 'Hugging Face hub address or mirror for model downloads (HTTPS_PROXY/NO_PROXY are honoured)',
    },
    {
        key: 'offline',
        option: '--offline',
        env: ['RAG_OFFLINE'],
        kind: 'bool',
        default: false,
        group: 'Embedding model',
        doc: 'never touch the network for models',
    },
    {
        key: 'dtype',
        option: '--dtype <dtype>',
        env: ['RAG_DTYPE'],
        kind: 'string',
        default: 'fp32',
        group: 'Embedding model',
        doc: 'model precision: fp32, fp16, q8, int8, uint8, q4, bnb4, q4f16',
    },
    {
        key: 'queryPrefix',
        option: '--query-prefix <text>',
        env: ['RAG_QUERY_PREFIX'],
        kind: 'string',
        defaultText: 'from the model table',
        group: 'Embedding model',
        doc: 'text put before questions',
    },
    {
        key: 'docPrefix',
        option: '--doc-prefix <text>',
        env: ['RAG_DOC_PREFIX'],
        kind: 'string',
        defaultText: 'from the model table',
        group: 'Embedding model',
        doc: 'text put before documents',
    },
    {
        key: 'batchSize',
        option: '--batch-size <n>',
        env: ['RAG_BATCH_SIZE'],
        kind: 'int',
        default: 32,
        min: 1,
        group: 'Embedding model',
        doc: 'most chunks per embedding pass and per insert',
    },
    {
        key: 'batchTokens',
        option: '--batch-tokens <n>',
        env: ['RAG_BATCH_TOKENS'],
        kind: 'int',
        default: 1024,
        min: 1,
        group: 'Embedding model',
        doc: "most padded tokens per embedding pass (texts × longest): bounds the model's memory",
    },
    {
        key: 'split',
        option: '--split <mode>',
        env: ['RAG_SPLIT'],
        kind: 'split',
        default: 'sections',
        group: 'Embedding model',
        doc: "chunking (ingest): sections (front matter as page metadata; title and headings indexed with each chunk) or tutorial (the tutorial's pieces as they are)",
    },
    {
        key: 'topK',
        option: '-k, --top-k <n>',
        env: ['RAG_TOP_K'],
        kind: 'int',
        default: 3,
        min: 1,
        group: 'Retrieval',
        doc: 'chunks retrieved per question',
    },
    {
        key: 'search',
        option: '--search <mode>',
        env: ['RAG_SEARCH'],
        kind: 'mode',
        default: 'hybrid',
        group: 'Retrieval',
        doc: `retrieval mode: ${SEARCH_MODES.join(', ')} (the default falls back to dense on a collection without BM25)`,
    },
    {
        key: 'candidates',
        option: '--candidates <n>',
        env: ['RAG_CANDIDATES'],
        kind: 'int',
        default: 20,
        min: 1,
        group: 'Retrieval',
        doc: 'hybrid: candidates each search (dense, BM25) contributes to the fusion',
    },
    {
        key: 'rrfK',
        option: '--rrf-k <n>',
        env: ['RAG_RRF_K'],
        kind: 'int',
        default: 60,
        min: 1,
        group: 'Retrieval',
        doc: 'hybrid: reciprocal-rank-fusion constant',
    },
    {
        key: 'bm25Weight',
        option: '--bm25-weight <w>',
        env: ['RAG_BM25_WEIGHT'],
        kind: 'number',
        default: 0.5,
        min: 0,
        group: 'Retrieval',
        doc: 'hybrid: weight of the BM25 list in the fusion (the dense list weighs 1)',
    },
    {
        key: 'perFile',
        option: '--per-file <n>',
        env: ['RAG_PER_FILE'],
        kind: 'int',
        default: 3,
        min: 0,
        group: 'Retrieval',
        doc: 'a file takes one result slot, holding up to n of its best pieces in document order (0: a slot per piece)',
    },
    {
        key: 'slotChars',
        option: '--slot-chars <n>',
        env: ['RAG_SLOT_CHARS'],
        kind: 'int',
        default: 4000,
        min: 1,
        group: 'Retrieval',
        doc: "most characters of one result slot's pieces (its best piece always goes in)",
    },
    {
        key: 'llmBaseUrl',
        option: '--llm-base-url <url>',
        env: ['RAG_LLM_BASE_URL', 'OPENAI_BASE_URL'],
        kind: 'string',
        default: DEFAULT_LLM_BASE_URL,
        group: 'LLM',
        doc: 'OpenAI-compatible endpoint',
    },
    {
        key: 'llmModel',
        option: '--llm-model <name>',
        env: ['RAG_LLM_MODEL'],
        kind: 'string',
        default: DEFAULT_LLM_MODEL,
        group: 'LLM',
        doc: 'chat model name',
    },
    {
        key: 'llmApiKey',
        option: '--llm-api-key <key>',
        env: ['RAG_LLM_API_KEY', 'LEPTONAI_TOKEN', 'OPENAI_API_KEY'],
        kind: 'string',
        secret: true,
        group: 'LLM',
        doc: 'API key of the endpoint (never printed)',
    },
    {
        key: 'llmTimeout',
        option: '--llm-timeout <seconds>',
        env: ['RAG_LLM_TIMEOUT'],
        kind: 'number',
        default: 60,
        min: 0.001,
        group: 'LLM',
        doc: 'seconds to wait for the LLM per attempt',
    },
    {
        key: 'llmRetries',
        option: '--llm-retries <n>',
        env: ['RAG_LLM_RETRIES'],
        kind: 'int',
        default: 3,
        min: 0,
        group: 'LLM',
        doc: 'retries on 429, 5xx and connection errors (with backoff)',
    },
];
/** The long option name of a setting (--top-k), or its first environment variable for an environment-only one. */
export function settingName(s) {
    return s.option ? (/--[a-z0-9-]+/.exec(s.option)?.[0] ?? s.key) : (s.env[0] ?? s.key);
}
/** "default: 3; env: RAG_TOP_K" — what --help shows after a setting's description. */
export function settingHelp(s) {
    const parts = [];
    const shown = s.defaultText ?? (s.default === undefined || s.default === false ? undefined : String(s.default));
    if (shown !== undefined)
        parts.push(`default: ${shown}`);
    parts.push(`env: ${s.kind === 'bool' ? s.env.map((e) => `${e}=1`).join(', ') : s.env.join(', ')}`);
    return `${s.doc} (${parts.join('; ')})`;
}
function convert(s, raw, where) {
    // Every value is parsed from its text, so a typed value from code is validated too (true → "true" → true).
    const text = String(raw).trim();
    switch (s.kind) {
        case 'string':
            return String(raw);
        case 'bool':
            if (/^(1|true|yes|on)$/i.test(text))
                return true;
            if (/^(0|false|no|off|)$/i.test(text))
                return false;
            throw usageError(`${where} must be 1 or 0, got "${text}"`);
        case 'mode':
            if (SEARCH_MODES.includes(text))
                return text;
            throw usageError(`${where} must be one of ${SEARCH_MODES.join(', ')}, got "${text}"`);
        case 'split':
            if (SPLIT_MODES.includes(text))
                return text;
            throw usageError(`${where} must be one of ${SPLIT_MODES.join(', ')}, got "${text}"`);
        case 'int':
        case 'number': {
            const n = Number(text);
            const bad = text === '' ||
                !Number.isFinite(n) ||
                (s.kind === 'int' && !Number.isInteger(n)) ||
                (s.min !== undefined && n < s.min);
            if (bad) {
                const what = s.kind === 'int' ? 'a whole number' : 'a number';
                throw usageError(`${where} must be ${what}${s.min !== undefined ? ` ≥ ${s.min}` : ''}, got "${text}"`);
            }
            return n;
        }
    }
}
/** Resolve every setting; throws a usage RagError (exit 2) on a bad value, naming where it came from. */
export function resolveConfig(input) {
    const config = {};
    const sources = {};
    for (const s of SETTINGS) {
        let value;
        let source = { from: 'default' };
        const fromFlag = s.option ? input.flags[s.key] : undefined;
        if (fromFlag !== undefined) {
            value = convert(s, fromFlag, settingName(s));
            source = { from: 'flag' };
        }
        else {
            const envName = s.env.find((n) => input.env[n] !== undefined && input.env[n] !== '');
            const dotName = s.env.find((n) => input.dotenv[n] !== undefined && input.dotenv[n] !== '');
            if (envName) {
                value = convert(s, input.env[envName], envName);
                source = { from: 'env', name: envName };
            }
            else if (dotName) {
                value = convert(s, input.dotenv[dotName], `${dotName} in .env`);
                source = { from: '.env', name: dotName };
            }
            else {
                value = s.default;
            }
        }
        config[s.key] = value;
        sources[s.key] = source;
    }
    return { config: config, sources: sources };
}
/** A secret shown safely: never the value (nor its length), only whether it is set. */
export function mask(value) {
    if (!value)
        return '(not set)';
    return '**** (set)';
}
/** True when the Milvus URI names a server rather than a Milvus Lite data folder. */
export function isServerUri(uri) {
    return /^(https?|tcp|grpc):\/\//i.test(uri);
}
/** A URL without its user:password part, for messages. */
export function redactUrl(url) {
    return url.replace(/\/\/[^/@]*@/, '//***@');
}
/** The LLM base URL must be a full http(s) URL; checked before anything starts (usage error, exit 2). */
export function checkLlmBaseUrl(url) {
    let ok = false;
    try {
        ok = /^https?:$/.test(new URL(url).protocol);
    }
    catch {
        ok = false;
    }
    if (!ok)
        throw usageError(`invalid LLM base URL: ${redactUrl(url)}`, 'pass a full URL such as https://host/api/v1 with --llm-base-url');
}
//# sourceMappingURL=config.js.map