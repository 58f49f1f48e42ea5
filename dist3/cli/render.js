// Output helpers: data to stdout, messages to stderr, progress bars on a TTY only, one-line errors.
import { RagError, EXIT_FAILURE, EXIT_USAGE } from '../core/errors.js';
/** Where to report a bug (an error that is not a RagError). */
export const BUG_REPORT = 'report it to the rag maintainers with the command and the output of --verbose (see README, Reporting bugs)';
/** A message for the user (stderr). */
export function say(message) {
    process.stderr.write(`${message}\n`);
}
export function warn(message) {
    say(`warning: ${message}`);
}
/** Data (stdout). */
export function out(text) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
export function json(value) {
    out(JSON.stringify(value, null, 2));
}
/** Stored text for a terminal: CR-only and CRLF line ends become \n (a lone \r would overwrite the line). */
export function displayText(text) {
    return text.replace(/\r\n?/g, '\n');
}
/** Seconds rounded to ms, for --json timings. */
export function roundTimings(t) {
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
}
/** A one-line status on stderr ("loading model…") while the user waits; nothing when stderr is not a terminal. */
export function status(enabled = process.stderr.isTTY === true) {
    let shown = false;
    return {
        set(message) {
            if (!enabled)
                return;
            process.stderr.write(`\r\x1b[2K${message}`);
            shown = true;
        },
        clear() {
            if (!shown)
                return;
            process.stderr.write('\r\x1b[2K');
            shown = false;
        },
    };
}
/** Secrets known to this process; replaced by *** in anything rag prints about an error. */
const secrets = new Set();
export function registerSecret(value) {
    if (value && value.length >= 4)
        secrets.add(value);
}
export function scrub(text) {
    let result = text;
    for (const s of secrets)
        result = result.split(s).join('***');
    return result;
}
const COMMANDS = ['ingest', 'ask', 'eval', 'config'];
/** The hint of an error that has none: the command's help for a usage error, else --verbose. */
function defaultHint(rag) {
    if (rag?.exitCode !== EXIT_USAGE)
        return 'run again with --verbose for details';
    const cmd = process.argv.slice(2).find((a) => COMMANDS.includes(a));
    return `see rag ${cmd ? `${cmd} ` : ''}--help`;
}
/**
 * Print an error as one line on stderr (plus the stack with --verbose) and return its exit code.
 * An error that is not a RagError was not foreseen: the line says it is a bug and where to report it.
 */
export function reportError(err, verbose) {
    const rag = err instanceof RagError ? err : undefined;
    const message = rag
        ? rag.message
        : `unexpected error (a bug in rag): ${err instanceof Error ? err.message : String(err)}`;
    const hint = rag
        ? (rag.hint ?? defaultHint(rag))
        : `${verbose ? '' : 'run again with --verbose for the stack trace, and '}${BUG_REPORT}`;
    const line = `error: ${message.replace(/\s*\n\s*/g, ' ')} (hint: ${hint.replace(/\s*\n\s*/g, ' ')})`;
    if (verbose && err instanceof Error) {
        let e = err;
        while (e instanceof Error) {
            say(scrub(e.stack ?? e.message));
            e = e.cause;
        }
    }
    say(scrub(line));
    return rag ? rag.exitCode : EXIT_FAILURE;
}
/** cli-progress bars on stderr when it is a TTY; otherwise nothing (logs still go to stderr). */
export async function progressBars(enabled) {
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
    const bars = new Map();
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
//# sourceMappingURL=render.js.map