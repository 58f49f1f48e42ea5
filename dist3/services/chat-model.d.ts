import type { ChatModel } from '../core/types.js';
export interface ChatModelOptions {
    baseURL: string;
    apiKey: string;
    model: string;
    /** Per attempt: until the response headers arrive, and the longest silence between streamed pieces. */
    timeoutMs: number;
    /** Retries of 408/409/429/5xx answers and connection failures, by the openai client (with backoff). */
    maxRetries: number;
    temperature?: number;
    maxTokens?: number;
}
export declare function createChatModel(opts: ChatModelOptions): ChatModel;
/**
 * `rag config --check`: a one-token chat completion, through the same client, request and error mapping as
 * `rag ask`, so that the check and ask cannot disagree (GET /models is missing on some servers). No retries.
 */
export declare function checkChatModel(opts: Omit<ChatModelOptions, 'maxRetries' | 'maxTokens'>, signal?: AbortSignal): Promise<string>;
