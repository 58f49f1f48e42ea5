// Output helpers: data to stdout, messages to stderr, progress bars on a TTY only, one-line errors.

import { RagError, EXIT_FAILURE, EXIT_USAGE } from '../core/errors.js';

/** A message for the user (stderr). */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function warn(message: string): void {
  say(`warning: ${message}`);
}

/** Data (stdout). */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Secrets known to this process; replaced by *** in anything rag prints about an error. */
const secrets = new Set<string>();
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}
export function scrub(text: string): string {
  let result = text;
  for (const s of secrets) result = result.split(s).join('***');
  return result;
}

const COMMANDS = ['ingest', 'ask', 'eval', 'config'];

/** The hint of an error that has none: the command's help for a usage error, else --verbose. */
function defaultHint(rag: RagError | undefined): string {
  if (rag?.exitCode !== EXIT_USAGE) return 'run again with --verbose for details';
  const cmd = process.argv.slice(2).find((a) => COMMANDS.includes(a));
  return `see rag ${cmd ? `${cmd} ` : ''}--help`;
}

/** Print an error as one line on stderr (plus the stack with --verbose) and return its exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  const rag = err instanceof RagError ? err : undefined;
  const message = rag ? rag.message : err instanceof Error ? err.message : String(err);
  const line = `error: ${message.replace(/\s*\n\s*/g, ' ')} (hint: ${(rag?.hint ?? defaultHint(rag)).replace(/\s*\n\s*/g, ' ')})`;
  if (verbose && err instanceof Error) {
    let e: unknown = err;
    while (e instanceof Error) {
      say(scrub(e.stack ?? e.message));
      e = e.cause;
    }
  }
  say(scrub(line));
  return rag ? rag.exitCode : EXIT_FAILURE;
}

export { EXIT_USAGE };

export interface Bars {
  update(name: string, value: number, total: number): void;
  log(message: string): void;
  stop(): void;
}

/** cli-progress bars on stderr when it is a TTY; otherwise nothing (logs still go to stderr). */
export async function progressBars(enabled: boolean): Promise<Bars> {
  if (!enabled || !process.stderr.isTTY) {
    return { update: () => undefined, log: (m) => say(m), stop: () => undefined };
  }
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar({
    stream: process.stderr,
    clearOnComplete: false,
    hideCursor: true,
    format: '{name} [{bar}] {value}/{total} {percentage}% {eta_formatted}',
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, ReturnType<typeof multi.create>>();
  return {
    update(name, value, total) {
      let bar = bars.get(name);
      if (!bar) {
        bar = multi.create(total, 0, { name: name.padEnd(7) });
        bars.set(name, bar);
      }
      bar.setTotal(total);
      bar.update(value, { name: name.padEnd(7) });
    },
    log(message) {
      multi.log(`${message}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
