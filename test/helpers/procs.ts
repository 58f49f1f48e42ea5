// Process and port checks shared by the tests: no Milvus Lite outlives rag; a loopback port nobody listens on.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

/**
 * Pids of the processes (other than this one) whose command line contains `needle`, read from /proc.
 * Throws when /proc cannot be read: a check that cannot look must not pass.
 */
export function pidsMatching(needle: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch (e) {
    throw new Error(`cannot list processes: /proc is not readable (${String(e)})`);
  }
  const pids: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.split('\0').join(' ').includes(needle)) pids.push(pid);
  }
  if (!entries.includes('self')) throw new Error('cannot list processes: /proc is not a procfs');
  return pids;
}

/** Fails when a process whose command line names dataDir (a Milvus Lite server) is still running. */
export function noServerLeft(dataDir: string): void {
  const left = pidsMatching(dataDir);
  assert.deepEqual(left, [], `a Milvus Lite process for ${dataDir} outlived rag: ${left.join(', ')}`);
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
