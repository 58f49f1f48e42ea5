import type { Embedder } from '../core/types.js';
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
    onDownload?: (event: {
        file: string;
        loaded: number;
        total: number;
    }) => void;
}
export declare const DEFAULT_BATCH_TOKENS = 1024;
/**
 * What a sentence-transformers folder says about itself: pooling (1_Pooling/config.json) and the sequence length the
 * model was trained with (sentence_bert_config.json), which can be shorter than the tokenizer's limit.
 */
export declare function sentenceTransformersInfo(folder: string | undefined): {
    pooling?: 'mean' | 'cls';
    maxSeqLength?: number;
};
/** Batches of `order` (indexes sorted by length) whose padded size (count × longest) stays within the budget. */
export declare function tokenBatches(order: number[], lengths: number[], maxCount: number, maxTokens: number): number[][];
/** Load the model (downloading it into the cache on first use) and probe its dimension. */
export declare function createEmbedder(opts: EmbedderOptions): Promise<Embedder>;
/** Default model cache when no --cache-dir / RAG_CACHE_DIR is given: $XDG_CACHE_HOME/rag, else ~/.cache/rag. */
export declare function defaultCacheDir(env: Record<string, string | undefined>): string;
