// Peak memory of a running process tree, from /proc: VmHWM (peak RSS) of a pid and each of its descendants.

import { readFileSync, readdirSync } from 'node:fs';

/** Peak resident set size of a live process in kB (VmHWM), or undefined once it is gone. */
export function vmHwmKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of a process: /proc/<pid>/task/<tid>/children lists them per thread. */
export function childrenOf(pid) {
  const kids = [];
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kids;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return kids;
}

/** A short label for a process: its program name, marked when it is a Milvus Lite server. */
function label(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const name = (argv[0] ?? '').split('/').pop() ?? '';
    return argv.includes('server') && argv.includes('--data-dir') ? `${name} (milvus-lite server)` : name;
  } catch {
    return '';
  }
}

/**
 * Poll the peak RSS of `pid` and of every descendant until stop().
 * VmHWM only grows, so the last reading before a process exits is its peak, give or take one interval.
 */
export function watchPeaks(pid, intervalMs = 100) {
  const peaks = new Map(); // pid -> { kb, cmd }
  const tick = () => {
    const queue = [pid];
    for (let n = 0; queue.length > 0 && n < 256; n++) {
      const p = queue.shift();
      const kb = vmHwmKb(p);
      if (kb === undefined) continue;
      const seen = peaks.get(p);
      if (seen) seen.kb = Math.max(seen.kb, kb);
      else peaks.set(p, { kb, cmd: p === pid ? '' : label(p) });
      queue.push(...childrenOf(p));
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    tick,
    /** Peaks in MB: the process itself, and the sum over its descendants (the Milvus Lite server for rag). */
    stop() {
      clearInterval(timer);
      const own = peaks.get(pid)?.kb;
      const others = [...peaks.entries()].filter(([p]) => p !== pid);
      return {
        selfMB: own === undefined ? undefined : own / 1024,
        childrenMB: others.length ? others.reduce((s, [, v]) => s + v.kb, 0) / 1024 : undefined,
        children: others.map(([p, v]) => ({ pid: p, peakMB: Math.round(v.kb / 102.4) / 10, cmd: v.cmd })),
      };
    },
  };
}
