// `rag ask QUESTION`: flags → ask options; renders the answer and its sources (text, streamed on a TTY, or --json).
import { readFileSync } from 'node:fs';
import { ask, retrievalOptions, validateQuestion } from '../core/retrieve.js';
import { checkLlmBaseUrl } from '../core/config.js';
import { RagError, usageError } from '../core/errors.js';
import { validateTemplate } from '../core/prompt.js';
import { lifecycle, loadConfig, openRetriever } from './runtime.js';
import { displayText, json, out, roundTimings, say, status } from './render.js';
function readTemplate(file) {
    if (file === undefined)
        return undefined;
    let text;
    try {
        text = readFileSync(file, 'utf8');
    }
    catch (e) {
        throw usageError(`cannot read the prompt file ${file}: ${e.code ?? e.message}`, 'give a text file with {context} and {question}');
    }
    validateTemplate(text);
    return text;
}
/** The question is one argument: several words mean it was not quoted (and `?` may have been expanded by the shell). */
export function oneQuestion(words) {
    if (words.length > 1) {
        const joined = words.join(' ');
        throw usageError(`the question must be one argument, got ${words.length} words`, `quote it: rag ask "${joined.length > 60 ? `${joined.slice(0, 59)}…` : joined}"`);
    }
    return validateQuestion(words[0] ?? '');
}
const sourceLine = (s, i) => `[${i + 1}] ${s.file} #${(s.positions ?? [s.position]).join(', #')}  score ${s.score.toFixed(4)}${s.alsoIn?.length ? `  (also in ${s.alsoIn.join(', ')})` : ''}`;
function renderSources(result) {
    return result.sources.map(sourceLine).join('\n');
}
function renderChunks(result) {
    return result.sources.map((s, i) => `${sourceLine(s, i)}\n${displayText(s.text).trim()}\n`).join('\n');
}
export async function runAsk(words, flags) {
    // performance.now() counts from the start of the process: node itself, rag's modules, parsing the flags.
    const startup = performance.now() / 1000;
    const q = oneQuestion(words);
    const resolved = loadConfig(flags);
    const { config } = resolved;
    const userTemplate = readTemplate(flags.promptFile);
    const wantLlm = flags.llm !== false;
    // The chat model (and the openai package) is loaded after retrieval, off the start-up path; its URL is checked now.
    if (wantLlm && config.llmApiKey)
        checkLlmBaseUrl(config.llmBaseUrl);
    const life = lifecycle();
    const show = status();
    try {
        const r = await openRetriever(resolved, life, { status: show.set, useServer: flags.server !== false });
        let chat = null;
        if (wantLlm && config.llmApiKey) {
            const { createChatModel } = await import('../services/chat-model.js');
            chat = createChatModel({
                baseURL: config.llmBaseUrl,
                apiKey: config.llmApiKey,
                model: config.llmModel,
                timeoutMs: config.llmTimeout * 1000,
                maxRetries: config.llmRetries,
            });
        }
        // Only the formatting depends on the terminal: the answer is streamed there, printed whole elsewhere.
        const stream = !flags.json && process.stdout.isTTY === true && chat !== null;
        show.set('searching…');
        const result = await ask({
            question: q,
            store: r.store,
            embedder: r.embedder,
            collection: config.collection,
            ...retrievalOptions(config),
            mode: r.modes[0] ?? config.search,
            chat,
            systemPrompt: flags.systemPrompt,
            userTemplate,
            onToken: stream
                ? (piece) => {
                    show.clear();
                    process.stdout.write(piece);
                }
                : undefined,
            signal: life.signal,
            displayFrom: process.cwd(),
            afterRetrieval: async () => {
                await r.releaseStore();
                if (chat)
                    show.set(`waiting for ${config.llmModel}…`);
            },
        });
        show.clear();
        if (flags.json) {
            // Seconds, rounded to ms. startup: node, rag's modules and the flags; milvusStart + connect, with modelLoad
            // meanwhile (the phases overlap and do not add up to total); collection; embed, search, llm; total counts
            // from the start of the process (stopping Milvus Lite, ~0.05 s, comes after).
            const t = { startup, ...r.timings, ...result.timings, total: performance.now() / 1000 };
            json({ ...result, timings: { path: r.path, ...roundTimings(t) } });
        }
        else if (result.answer !== null) {
            if (stream)
                out('');
            else
                out(result.answer);
            if (!flags.quiet)
                out(`\nSources:\n${renderSources(result)}`);
        }
        else if (!flags.quiet || !wantLlm) {
            out(renderChunks(result));
        }
        if (!wantLlm) {
            if (!config.llmApiKey)
                say('note: retrieval only; for answers, set LEPTONAI_TOKEN (or RAG_LLM_API_KEY / --llm-api-key) and drop --no-llm');
            return 0;
        }
        if (!chat) {
            throw new RagError('no API key for the LLM endpoint: printed the retrieved chunks only', {
                hint: 'set LEPTONAI_TOKEN (or RAG_LLM_API_KEY / --llm-api-key), or pass --no-llm for retrieval only',
            });
        }
        return 0;
    }
    finally {
        show.clear();
        await life.close();
    }
}
//# sourceMappingURL=ask.js.map