import { type SplitMode } from './sections.js';
import type { SearchMode } from './types.js';
export declare const DEFAULT_MODEL = "Xenova/all-mpnet-base-v2";
export declare const DEFAULT_LLM_BASE_URL = "https://mistral-7b.lepton.run/api/v1/";
export declare const DEFAULT_LLM_MODEL = "mistral-7b";
export declare const DEFAULT_COLLECTION = "my_rag_collection";
export declare const DEFAULT_MILVUS_URI = "./milvus.db";
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
    bm25Weight: number;
    candidates: number;
    perFile: number;
    slotChars: number;
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
/** The search modes, in the order they are listed in help and errors. */
export declare const SEARCH_MODES: readonly SearchMode[];
/** Help groups of the command-line options (commander help groups). */
export type Group = 'Milvus' | 'Embedding model' | 'Retrieval' | 'LLM';
export declare const GROUPS: readonly Group[];
export interface Setting {
    key: keyof Config;
    /** The command-line option in commander syntax, e.g. '-k, --top-k <n>'; none: environment (or .env) only. */
    option?: string;
    /** Environment variables, highest priority first; also read from ./.env. */
    env: string[];
    kind: Kind;
    default?: string | number | boolean;
    /** How a default computed at run time is shown in help (e.g. a folder that depends on $XDG_CACHE_HOME). */
    defaultText?: string;
    min?: number;
    secret?: boolean;
    /** A setting this option cannot be combined with on the command line. */
    conflicts?: keyof Config;
    group: Group;
    /** One line, used in --help, in `rag config` and in .env.example. */
    doc: string;
}
/** The one table of settings: --help, environment names, defaults, parsing and `rag config` all come from it. */
export declare const SETTINGS: readonly Setting[];
/** Values of the setting options as commander gives them (strings; booleans for switches); undefined = not given. */
export type SettingFlags = {
    [K in keyof Config]?: string | boolean;
};
/** The long option name of a setting (--top-k), or its first environment variable for an environment-only one. */
export declare function settingName(s: Setting): string;
/** "default: 3; env: RAG_TOP_K" — what --help shows after a setting's description. */
export declare function settingHelp(s: Setting): string;
export type Source = {
    from: 'flag';
} | {
    from: 'env' | '.env';
    name: string;
} | {
    from: 'default';
};
export interface Resolved {
    config: Config;
    sources: Record<keyof Config, Source>;
}
export interface ConfigInput {
    /** Values from the command line; undefined = not given. */
    flags: SettingFlags;
    env: Record<string, string | undefined>;
    dotenv: Record<string, string>;
}
/** Resolve every setting; throws a usage RagError (exit 2) on a bad value, naming where it came from. */
export declare function resolveConfig(input: ConfigInput): Resolved;
/** A secret shown safely: never the value (nor its length), only whether it is set. */
export declare function mask(value: string | undefined): string;
/** True when the Milvus URI names a server rather than a Milvus Lite data folder. */
export declare function isServerUri(uri: string): boolean;
/** A URL without its user:password part, for messages. */
export declare function redactUrl(url: string): string;
/** The LLM base URL must be a full http(s) URL; checked before anything starts (usage error, exit 2). */
export declare function checkLlmBaseUrl(url: string): void;
export {};
