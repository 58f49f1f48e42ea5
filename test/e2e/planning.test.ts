// Bulk planning on more chunks than one page of stored ids (1,000): a re-run adds nothing, deleted files lose exactly their chunks.

import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { rag, workdir } from '../helpers/cli.js';
import { testModel } from '../helpers/model.js';
import { MilvusStore } from '../../src/services/vector-store.js';
import { startTestMilvus } from '../helpers/milvus.js';
import { COLLECTION, storedRows } from '../helpers/reliability-kit.js';

const FILES = 2_500; // two and a half pages of 1,000 ids
const name = (i: number): string => `f${String(i).padStart(5, '0')}.md`;

interface Summary {
  chunks: number;
  added: number;
  unchanged: number;
  removed: number;
  total: number;
}

describe(`bulk planning over ${FILES} one-chunk files`, () => {
  let cwd: string;
  let env: Record<string, string>;
  const ingest = async (): Promise<Summary> => {
    const r = await rag(['ingest', 'many', '--json', '--no-progress'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Summary;
  };

  before(() => {
    cwd = workdir('rag-planning-');
    env = { RAG_MODEL_PATH: testModel() };
    mkdirSync(path.join(cwd, 'many'));
    for (let i = 0; i < FILES; i++)
      writeFileSync(path.join(cwd, 'many', name(i)), `# Note ${i}\n\nThe body of note ${i}.\n`);
  });

  test('fresh, unchanged re-run, 10 files deleted: exact counts, every chunk stored once', async () => {
    const fresh = await ingest();
    assert.deepEqual([fresh.chunks, fresh.added, fresh.removed, fresh.total], [FILES, FILES, 0, FILES]);

    // Every stored id is seen by the plan: nothing is written again.
    const again = await ingest();
    assert.deepEqual([again.added, again.unchanged, again.removed, again.total], [0, FILES, 0, FILES]);

    const gone = Array.from({ length: 10 }, (_, k) => k * 241 + 3);
    for (const i of gone) rmSync(path.join(cwd, 'many', name(i)));
    const pruned = await ingest();
    assert.deepEqual([pruned.added, pruned.removed, pruned.total], [0, 10, FILES - 10]);

    const rows = await storedRows(path.join(cwd, 'milvus.db'));
    assert.equal(rows.length, FILES - 10);
    assert.equal(new Set(rows.map((r) => r.id)).size, FILES - 10, 'no id twice');
    const texts = new Set(rows.map((r) => r.text));
    for (const i of gone)
      assert.ok(!texts.has(`# Note ${i}\n\nThe body of note ${i}.\n`.slice(2)), `note ${i} removed`);
    assert.ok(texts.has('Note 0\n\nThe body of note 0.\n'), 'the others stay');

    // rag lists stored ids in pages of Milvus's whole query window (16,384); with small pages the listing is the same.
    const m = await startTestMilvus(path.join(cwd, 'milvus.db'));
    const store = new MilvusStore({ address: m.server.address, label: 'test', timeoutMs: 60_000, listPage: 700 });
    try {
      const listed: string[] = [];
      let pages = 0;
      for await (const page of store.listChunks(COLLECTION, { prefix: `${realpathSync(cwd)}/many/` })) {
        listed.push(...page.map((r) => r.id));
        pages++;
      }
      assert.equal(pages, Math.ceil((FILES - 10) / 700));
      assert.deepEqual(listed.sort(), rows.map((r) => r.id).sort());
    } finally {
      await store.close();
      await m.stop();
    }
  });
});
