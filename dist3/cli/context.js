// Wiring for commands: resolves config from flags/env/.env, opens Milvus (starting Milvus Lite) and the embedder.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { isServerUri, resolveConfig } from '../core/config.js';
import { RagError } from '../core/errors.js';
import { registerSecret, say } from './render.js';
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let caught;
const liteServers = [];
/** How an embedded Milvus Lite started by this process ended, if it ended on its own (killed, crashed). */
export function lostMilvusLite() {
    return liteServers.map((s) => s.lost()).find((how) => how !== undefined);
}
/** The signal that interrupted this process, if any (exit code 130 for SIGINT, 143 for SIGTERM). */
export function caughtSignal() {
    return caught;
}
/** Ctrl-C / SIGTERM abort the command gracefully; a second one stops at once (cleanup still runs on exit). */
export function lifecycle() {
    const controller = new AbortController();
    const cleanups = [];
    const onSignal = (sig) => {
        if (caught) {
            // The exit hook of milvus-lite.ts signals the server, which then shuts down on its own.
            say(`error: stopped at once by ${sig} (hint: run the same command again to finish)`);
            process.exit(sig === 'SIGINT' ? 130 : 143);
        }
        caught = sig;
        // On a terminal, say at once that the stop has begun; scripts get the one error line at the end.
        if (process.stderr.isTTY)
            say(`\n${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping after the current batch (again to stop at once)`);
        controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
        signal: controller.signal,
        interruptedBy: () => caught,
        defer: (fn) => { cleanups.unshift(fn); },
        async close() {
            for (const fn of cleanups.splice(0)) {
                try {
                    await fn();
                }
                catch {
                    // cleanup is best effort; the process exit hook stops what is left
                }
            }
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        },
    };
}
/** Flags over environment over ./.env over defaults. */
export function loadConfig(flags, cwd = process.cwd()) {
    const file = path.join(cwd, '.env');
    let dotenv = {};
    if (existsSync(file)) {
        try {
            dotenv = parseEnv(readFileSync(file, 'utf8'));
        }
        catch (e) {
            throw new RagError(`cannot read ${file}: ${e.message}`, { hint: 'fix or remove the .env file' });
        }
    }
    const resolved = resolveConfig({ flags, env: process.env, dotenv });
    // Whatever fails later, these never reach the output (reportError scrubs them).
    registerSecret(resolved.config.milvusToken);
    registerSecret(resolved.config.llmApiKey);
    return resolved;
}
function defaultPython(configured) {
    if (configured)
        return configured;
    const venv = process.platform === 'win32' ? path.join(PACKAGE_ROOT, '.venv', 'Scripts', 'python.exe') : path.join(PACKAGE_ROOT, '.venv', 'bin', 'python');
    return existsSync(venv) ? venv : 'python3';
}
/** Connects to the Milvus server, or starts Milvus Lite on the data folder; closes both with the lifecycle. */
export async function openStore(resolved, life, timings) {
    const { config } = resolved;
    const timeoutMs = config.milvusTimeout * 1000;
    if (isServerUri(config.milvusUri)) {
        const { MilvusStore } = await import('../services/vector-store.js');
        const store = new MilvusStore({ address: config.milvusUri, token: config.milvusToken, label: config.milvusUri, timeoutMs });
        life.defer(() => store.close());
        return store;
    }
    const { startMilvusLite } = await import('../services/milvus-lite.js');
    const dataDir = path.resolve(config.milvusUri);
    const t0 = performance.now();
    const starting = startMilvusLite({
        dataDir,
        python: defaultPython(config.python),
        lockWaitMs: config.lockTimeout * 1000,
        startTimeoutMs: 60_000,
        signal: life.signal,
        onWait: (m) => say(m),
    });
    starting.catch(() => undefined); // awaited below; the Milvus SDK (~0.3 s to load) loads while the process starts
    const { MilvusStore } = await import('../services/vector-store.js');
    const server = await starting;
    liteServers.push(server);
    life.defer(() => server.stop());
    if (timings)
        timings.milvusStart = (performance.now() - t0) / 1000;
    const store = new MilvusStore({ address: server.address, label: config.milvusUri, timeoutMs });
    life.defer(() => store.close());
    return store;
}
export async function openEmbedder(resolved, life, onDownload) {
    const { config } = resolved;
    const { createEmbedder, defaultCacheDir } = await import('../services/embedder.js');
    const embedder = await createEmbedder({
        model: config.model,
        modelPath: config.modelPath,
        cacheDir: config.cacheDir ?? defaultCacheDir(process.env),
        remoteHost: config.hfEndpoint,
        offline: config.offline,
        dtype: config.dtype,
        queryPrefix: config.queryPrefix,
        docPrefix: config.docPrefix,
        batchSize: config.batchSize,
        batchTokens: config.batchTokens,
        onDownload,
    });
    life.defer(() => embedder.close());
    return embedder;
}
//# sourceMappingURL=context.js.map