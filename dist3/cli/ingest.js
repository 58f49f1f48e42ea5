// `rag ingest PATHS…`: flags → IngestOptions, progress bars, summary (text or --json).
import path from 'node:path';
import { HeadingSplitter, MAX_TEXT_BYTES } from '../core/chunk.js';
import { discover } from '../core/discover.js';
import { ingest } from '../core/ingest.js';
import { openSplitCache, splitCacheFile } from '../services/split-cache.js';
import { effectiveCacheDir, lifecycle, loadConfig, milvusTarget, openEmbedder, openStore } from './runtime.js';
import { json, out, progressBars, warn } from './render.js';
import { handOver } from './warm.js';
export function summaryLine(s) {
    const parts = [
        `${s.files} file${s.files === 1 ? '' : 's'}`,
        `${s.chunks} chunks`,
        `${s.added} added`,
        `${s.unchanged} unchanged`,
        `${s.removed} removed`,
    ];
    if (s.skipped.length)
        parts.push(`${s.skipped.length} skipped`);
    if (s.reused)
        parts.push(`${s.reused} reused`);
    if (s.truncated)
        parts.push(`${s.truncated} truncated`);
    if (s.cut)
        parts.push(`${s.cut} cut`);
    return `ingested ${parts.join(', ')} into "${s.collection}" (${s.total} stored) in ${s.seconds.toFixed(1)} s`;
}
export async function runIngest(paths, flags) {
    const resolved = loadConfig(flags);
    const life = lifecycle();
    const bars = await progressBars(flags.progress !== false && !flags.json);
    try {
        // Bad paths fail before Milvus starts: nothing is created, not even the data folder.
        const found = await discover(paths, process.cwd(), life.signal);
        await handOver(resolved); // a `rag serve` holding the Lite data folder lets go of it while this ingest runs
        // Milvus starts while the tokenizer loads; the model itself is opened only when something is to be embedded.
        const [store, embedder, splitCache] = await Promise.all([
            openStore(resolved, life),
            openEmbedder(resolved, life, (e) => bars.update('model', e.loaded, e.total), true),
            effectiveCacheDir(resolved.config).then((dir) => openSplitCache(splitCacheFile(dir, milvusTarget(resolved.config.milvusUri), resolved.config.collection))),
        ]);
        const summary = await ingest({
            paths,
            cwd: process.cwd(),
            found,
            collection: resolved.config.collection,
            recreate: !!flags.recreate,
            batchSize: resolved.config.batchSize,
            splitter: new HeadingSplitter(MAX_TEXT_BYTES),
            split: resolved.config.split,
            modelPath: resolved.config.modelPath ? path.resolve(resolved.config.modelPath) : undefined,
            embedder,
            store,
            splitCache,
            signal: life.signal,
            onProgress: (e) => {
                if (e.kind === 'warning') {
                    if (process.stderr.isTTY && flags.progress !== false && !flags.json)
                        bars.log(`warning: ${e.message}`);
                    else
                        warn(e.message);
                }
                else if (e.kind === 'embedded')
                    bars.update('embed', e.done, e.total);
                else if (e.kind === 'stored')
                    bars.update('insert', e.done, e.total);
                else if (e.kind === 'scan')
                    bars.update('scan', e.done, e.files);
            },
        });
        bars.stop();
        if (flags.json)
            json({
                ...summary,
                seconds: Math.round(summary.seconds * 1000) / 1000,
                embedSeconds: Math.round(summary.embedSeconds * 1000) / 1000,
            });
        else
            out(summaryLine(summary));
        return 0;
    }
    finally {
        bars.stop();
        await life.close();
    }
}
//# sourceMappingURL=ingest.js.map