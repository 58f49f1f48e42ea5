// `rag config`: the effective settings with their sources (secrets masked) and, with --check, whether each service answers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS, mask, isServerUri, } from '../core/config.js';
import { RagError, errorMessage } from '../core/errors.js';
import { effectiveCacheDir, effectivePython, lifecycle, loadConfig, noDataError, openEmbedder, openStore, } from './runtime.js';
import { json, out, scrub } from './render.js';
function describeSource(s) {
    if (s.from === 'env')
        return `env ${s.name}`;
    if (s.from === '.env')
        return `.env ${s.name}`;
    return s.from;
}
/** Every setting with its effective value: computed defaults (python, cacheDir) are shown as they are used. */
async function rows(resolved) {
    const effective = {
        python: effectivePython(resolved.config),
        cacheDir: await effectiveCacheDir(resolved.config),
    };
    return SETTINGS.map((s) => {
        const raw = resolved.config[s.key] ?? effective[s.key];
        const value = s.secret
            ? mask(raw)
            : raw === undefined
                ? `(not set${s.defaultText ? `: ${s.defaultText}` : ''})`
                : scrub(String(raw)); // a key inside a URL too
        return { key: s.key, value, source: describeSource(resolved.sources[s.key]) };
    });
}
/** Runs one check; a failure keeps the error's message and hint (secrets scrubbed). */
async function runCheck(name, fn) {
    try {
        return { name, ok: true, detail: await fn() };
    }
    catch (e) {
        return {
            name,
            ok: false,
            detail: scrub(errorMessage(e)),
            ...(e instanceof RagError && e.hint ? { hint: scrub(e.hint) } : {}),
        };
    }
}
async function checks(resolved) {
    const { config } = resolved;
    const life = lifecycle();
    try {
        const results = [];
        results.push(await runCheck('milvus', async () => {
            const lite = !isServerUri(config.milvusUri);
            // Read-only, like ask: a missing Milvus Lite folder is reported, not created.
            if (lite && !existsSync(path.resolve(config.milvusUri)))
                throw noDataError(path.resolve(config.milvusUri));
            const store = await openStore(resolved, life, { readOnly: true });
            const meta = await store.describe(config.collection);
            const where = lite ? `Milvus Lite at ${config.milvusUri}` : config.milvusUri;
            if (!meta)
                throw new RagError(`${where}: collection "${config.collection}" does not exist`, {
                    hint: 'run `rag ingest <path>` first (or pick the collection with --collection)',
                });
            return `${where}: collection "${config.collection}" has ${await store.count(config.collection)} chunks (${meta.model}, ${meta.dim} dims${meta.bm25 ? ', BM25' : ''})`;
        }));
        results.push(await runCheck('model', async () => {
            const e = await openEmbedder(resolved, life);
            return `${e.info.model}: ${e.info.dim} dims, ${e.info.pooling} pooling, ${e.info.dtype}, max ${e.info.maxTokens} tokens`;
        }));
        results.push(await runCheck('llm', async () => {
            if (!config.llmApiKey)
                throw new RagError('no API key for the LLM endpoint', {
                    hint: 'set LEPTONAI_TOKEN or RAG_LLM_API_KEY, or pass --llm-api-key',
                });
            const { checkChatModel } = await import('../services/chat-model.js');
            return checkChatModel({
                baseURL: config.llmBaseUrl,
                apiKey: config.llmApiKey,
                model: config.llmModel,
                timeoutMs: config.llmTimeout * 1000,
            }, life.signal);
        }));
        return results;
    }
    finally {
        await life.close();
    }
}
export async function runConfig(flags) {
    const resolved = loadConfig(flags);
    const settings = await rows(resolved);
    const results = flags.check ? await checks(resolved) : [];
    if (flags.json) {
        json({
            settings: Object.fromEntries(settings.map((r) => [r.key, { value: r.value, source: r.source }])),
            checks: results,
        });
    }
    else {
        const width = Math.max(...settings.map((r) => r.key.length));
        out(settings.map((r) => `${r.key.padEnd(width)}  ${r.value}  (${r.source})`).join('\n'));
        if (results.length)
            out(`\n${results.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}${c.hint ? ` (hint: ${c.hint})` : ''}`).join('\n')}`);
    }
    const failed = results.filter((c) => !c.ok);
    if (failed.length > 0) {
        throw new RagError(`${failed.length} of ${results.length} checks failed: ${failed.map((c) => c.name).join(', ')}`, {
            hint: 'see the FAIL lines on stdout; rag config lists where each setting comes from',
        });
    }
    return 0;
}
//# sourceMappingURL=config.js.map