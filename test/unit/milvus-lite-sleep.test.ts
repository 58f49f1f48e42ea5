// sleep() of the Milvus Lite launcher, used while waiting for the data-folder lock: no abort listener is left behind (issue 12 item 6).

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { sleep } from '../../src/services/milvus-lite.js';

describe('sleep while waiting for the lock', () => {
  test('30 waits on one signal leave no abort listener (no MaxListenersExceededWarning)', async () => {
    const ac = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 30; i++) await sleep(1, ac.signal);
      assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('an abort ends the wait at once and removes the listener', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const waiting = sleep(10_000, ac.signal);
    ac.abort();
    await waiting;
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    await sleep(10_000, ac.signal); // already aborted: returns at once
  });
});
