// The error of a model that cannot be loaded: names the cause (host and reason of a failed download) and what to do.
import { RagError } from '../core/errors.js';
const DEFAULT_HUB = 'https://huggingface.co/';
/** "ENOTFOUND huggingface.co", "ECONNREFUSED 127.0.0.1:1", "HTTP 404"…: the cause of a fetch failure, if known. */
export function downloadCause(err, fallbackHost) {
    let e = err;
    for (let i = 0; i < 8 && typeof e === 'object' && e !== null; i++) {
        const x = e;
        if (typeof x.code === 'string' && /^E[A-Z_]+$/.test(x.code) && x.code !== 'ERR_INVALID_STATE') {
            const host = typeof x.hostname === 'string'
                ? x.hostname
                : typeof x.address === 'string'
                    ? `${x.address}${typeof x.port === 'number' ? `:${x.port}` : ''}`
                    : fallbackHost;
            return `${x.code} ${host}`;
        }
        // AggregateError (e.g. IPv4 and IPv6 both refused): look at the first.
        e = x.cause ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
    }
    return undefined;
}
function hostOf(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return url;
    }
}
/** The RagError for a model `what` that failed to load with `err`. */
export function modelLoadError(what, err, ctx) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    const host = hostOf(ctx.remoteHost ?? DEFAULT_HUB);
    const cause = ctx.modelPath || ctx.offline ? undefined : downloadCause(err, host);
    const reason = cause && !first.includes(cause) ? `${first} (${cause})` : first;
    const hint = ctx.modelPath
        ? 'the folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (or the file of the chosen --dtype); `npm run make-test-model -- DIR` writes a small one'
        : ctx.offline
            ? `RAG_OFFLINE is set and the model is not in the cache (${ctx.cacheDir}): run once online, or use --model-path DIR with a local copy`
            : cause
                ? `the model hub ${host} cannot be reached: check the network, HTTPS_PROXY or HF_ENDPOINT; or download the model elsewhere and use --model-path DIR (RAG_MODEL_PATH); to try rag offline, \`npm run make-test-model -- DIR\` writes a small test model`
                : 'check the model id (and HF_ENDPOINT), or download the model elsewhere and use --model-path DIR (RAG_MODEL_PATH); `npm run make-test-model -- DIR` writes a small test model for trying rag offline';
    return new RagError(`cannot load embedding model ${what}: ${reason}`, { hint, cause: err });
}
//# sourceMappingURL=model-errors.js.map