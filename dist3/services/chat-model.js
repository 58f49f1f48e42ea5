// ChatModel over any OpenAI-compatible chat-completions endpoint (Lepton AI, OpenAI, vLLM…), via the openai client.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { checkLlmBaseUrl, redactUrl } from '../core/config.js';
import { RagError, errorMessage, usageError } from '../core/errors.js';
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
export function createChatModel(opts) {
    if (opts.apiKey === '') {
        throw usageError('no API key for the LLM endpoint', 'set LEPTONAI_TOKEN or RAG_LLM_API_KEY, or pass --llm-api-key (any value if the server needs none)');
    }
    checkLlmBaseUrl(opts.baseURL);
    const timeoutMs = Math.max(1, Math.round(opts.timeoutMs));
    const maxRetries = Math.max(0, Math.floor(opts.maxRetries));
    const client = new OpenAI({
        baseURL: opts.baseURL,
        apiKey: opts.apiKey,
        timeout: timeoutMs,
        maxRetries,
        // Not read from OPENAI_* variables: nothing but the key goes to a third-party endpoint.
        organization: null,
        project: null,
    });
    const fail = (err, signal) => scrub(toRagError(err, { ...opts, timeoutMs, maxRetries }, signal), opts.apiKey);
    return {
        model: opts.model,
        async complete(messages, { onToken, signal } = {}) {
            const params = {
                model: opts.model,
                messages,
                ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
                ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
            };
            if (signal?.aborted)
                throw new RagError('interrupted');
            if (!onToken) {
                try {
                    const res = await client.chat.completions.create({ ...params, stream: false }, { signal });
                    return {
                        text: res.choices[0]?.message.content ?? '',
                        model: res.model || opts.model,
                        usage: mapUsage(res.usage),
                    };
                }
                catch (err) {
                    throw fail(err, signal);
                }
            }
            // The client's timeout stops at the response headers; a watchdog covers silences inside the stream.
            const ac = new AbortController();
            const onAbort = () => ac.abort();
            signal?.addEventListener('abort', onAbort, { once: true });
            let timer;
            let stalled = false;
            const arm = () => {
                clearTimeout(timer);
                timer = setTimeout(() => ((stalled = true), ac.abort()), timeoutMs);
            };
            try {
                const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, { signal: ac.signal });
                let text = '';
                let model = opts.model;
                let usage = null;
                arm();
                for await (const chunk of stream) {
                    arm();
                    if (chunk.model)
                        model = chunk.model;
                    if (chunk.usage)
                        usage = mapUsage(chunk.usage);
                    const piece = chunk.choices?.[0]?.delta?.content; // some servers omit choices in the usage chunk
                    if (piece) {
                        text += piece;
                        onToken(piece);
                    }
                }
                // An abort ends the openai stream quietly: look at why it ended.
                if (signal?.aborted)
                    throw new RagError('interrupted');
                if (stalled)
                    throw new APIConnectionTimeoutError();
                return { text, model, usage };
            }
            catch (err) {
                throw fail(err, signal);
            }
            finally {
                clearTimeout(timer);
                signal?.removeEventListener('abort', onAbort);
            }
        },
    };
}
/**
 * `rag config --check`: a one-token chat completion, through the same client, request and error mapping as
 * `rag ask`, so that the check and ask cannot disagree (GET /models is missing on some servers). No retries.
 */
export async function checkChatModel(opts, signal) {
    const chat = createChatModel({ ...opts, maxRetries: 0, maxTokens: 1 });
    const reply = await chat.complete([{ role: 'user', content: 'Say OK.' }], { signal });
    return `${redactUrl(opts.baseURL)} answers (model ${reply.model || opts.model})`;
}
function mapUsage(u) {
    if (!u)
        return null;
    return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens };
}
function toRagError(err, opts, signal) {
    if (err instanceof RagError)
        return err;
    if (signal?.aborted || err instanceof APIUserAbortError)
        return new RagError('interrupted', { cause: err });
    const url = redactUrl(opts.baseURL);
    const retries = opts.maxRetries > 0 ? ` after ${opts.maxRetries} ${opts.maxRetries === 1 ? 'retry' : 'retries'}` : '';
    if (err instanceof APIConnectionTimeoutError) {
        return new RagError(`no answer from the LLM endpoint within ${opts.timeoutMs / 1000} s${retries}`, {
            hint: `check that ${url} is up, or allow more time with --llm-timeout`,
            cause: err,
        });
    }
    if (err instanceof APIConnectionError) {
        const code = causeCode(err);
        const detail = code ? ` (${code})` : '';
        const hint = `check --llm-base-url and that the server is running and reachable`;
        return code === undefined || UNREACHABLE.has(code)
            ? new RagError(`cannot reach the LLM endpoint at ${url}${detail}`, { hint, cause: err })
            : new RagError(`lost the connection to the LLM endpoint at ${url}${detail}`, { hint, cause: err });
    }
    if (err instanceof APIError && typeof err.status === 'number') {
        const status = err.status;
        const detail = serverDetail(err);
        if (status === 401 || status === 403) {
            return new RagError(`the LLM endpoint rejected the API key (HTTP ${status})`, {
                hint: 'check LEPTONAI_TOKEN / RAG_LLM_API_KEY or --llm-api-key',
                cause: err,
            });
        }
        if (status === 404) {
            return new RagError(`model or URL not found at the LLM endpoint (HTTP 404)${detail}`, {
                hint: `check the base URL (${url}) and the model (${opts.model}): --llm-base-url / --llm-model`,
                cause: err,
            });
        }
        if (status === 429) {
            return new RagError(`the LLM endpoint is rate limiting requests (HTTP 429${retries})`, {
                hint: 'retry later, or raise --llm-retries',
                cause: err,
            });
        }
        if (status >= 500) {
            return new RagError(`the LLM endpoint failed with a server error (HTTP ${status}${retries})${detail}`, {
                hint: 'a problem on the server side: retry later, or raise --llm-retries',
                cause: err,
            });
        }
        return new RagError(`the LLM endpoint refused the request (HTTP ${status})${detail}`, {
            hint: `check the model (${opts.model}) and that the question and passages fit its context window`,
            cause: err,
        });
    }
    return new RagError(`the LLM request failed: ${oneLine(errorMessage(err))}`, {
        hint: `LLM endpoint: ${url}`,
        cause: err,
    });
}
/** ": <server message>" in one short line, or "" when the server said nothing useful. */
function serverDetail(err) {
    const msg = oneLine(err.message.replace(/^\d{3}\s+/, ''));
    return msg === '' || msg === 'status code (no body)' ? '' : `: ${msg.length > 200 ? `${msg.slice(0, 199)}…` : msg}`;
}
function oneLine(s) {
    return s.replace(/\s+/g, ' ').trim();
}
/** The system error code (ECONNREFUSED…) somewhere down the cause chain of a fetch failure. */
function causeCode(err) {
    let e = err;
    for (let i = 0; i < 6 && typeof e === 'object' && e !== null; i++) {
        const code = e.code;
        if (typeof code === 'string')
            return code;
        e = e.cause;
    }
    return undefined;
}
/** Replace the key wherever a server echoed it; then drop the cause, which may hold it too. */
function scrub(err, apiKey) {
    const clean = (s) => s.split(apiKey).join('***');
    const texts = [err.message, err.hint ?? '', err.cause === undefined ? '' : errorMessage(err.cause)];
    if (!texts.some((t) => t.includes(apiKey)))
        return err;
    return new RagError(clean(err.message), {
        ...(err.hint !== undefined ? { hint: clean(err.hint) } : {}),
        exitCode: err.exitCode,
    });
}
//# sourceMappingURL=chat-model.js.map