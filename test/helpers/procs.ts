// Process and port checks shared by the tests: no Milvus Lite outlives rag; a loopback port nobody listens on.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';

/** Fails when a process whose command line names dataDir (a Milvus Lite server) is still running. */
export function noServerLeft(dataDir: string): void {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-f', '--', dataDir], { encoding: 'utf8' });
  } catch {
    out = ''; // pgrep exits 1 when nothing matches
  }
  assert.equal(out.trim(), '', `a Milvus Lite process for ${dataDir} outlived rag`);
}

/** A port on 127.0.0.1 that was free a moment ago: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
