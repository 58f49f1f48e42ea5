// A real Milvus Lite server for tests, started through the production launcher on a free loopback port.

import path from 'node:path';
import { startMilvusLite, type MilvusLiteServer } from '../../src/services/milvus-lite.js';
import { MilvusStore } from '../../src/services/vector-store.js';
import { VENV_PYTHON } from './paths.js';
import { tempDir } from './tmp.js';

export interface TestMilvus {
  server: MilvusLiteServer;
  store: MilvusStore;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestMilvus(dataDir = path.join(tempDir('milvus-'), 'milvus.db')): Promise<TestMilvus> {
  const server = await startMilvusLite({ dataDir, python: VENV_PYTHON, lockWaitMs: 0, startTimeoutMs: 60_000 });
  const store = new MilvusStore({ address: server.address, label: dataDir, timeoutMs: 30_000 });
  return {
    server,
    store,
    dataDir,
    async stop() {
      await store.close();
      await server.stop();
    },
  };
}
