import { RagError } from '../core/errors.js';
export interface ModelErrorContext {
    modelPath?: string | undefined;
    offline: boolean;
    cacheDir: string;
    /** Hub address or mirror (HF_ENDPOINT); default https://huggingface.co/. */
    remoteHost?: string | undefined;
}
/** "ENOTFOUND huggingface.co", "ECONNREFUSED 127.0.0.1:1", "HTTP 404"…: the cause of a fetch failure, if known. */
export declare function downloadCause(err: unknown, fallbackHost: string): string | undefined;
/** The RagError for a model `what` that failed to load with `err`. */
export declare function modelLoadError(what: string, err: unknown, ctx: ModelErrorContext): RagError;
