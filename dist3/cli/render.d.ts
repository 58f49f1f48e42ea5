/** Where to report a bug (an error that is not a RagError). */
export declare const BUG_REPORT = "report it to the rag maintainers with the command and the output of --verbose (see README, Reporting bugs)";
/** A message for the user (stderr). */
export declare function say(message: string): void;
export declare function warn(message: string): void;
/** Data (stdout). */
export declare function out(text: string): void;
export declare function json(value: unknown): void;
/** Stored text for a terminal: CR-only and CRLF line ends become \n (a lone \r would overwrite the line). */
export declare function displayText(text: string): string;
/** Seconds rounded to ms, for --json timings. */
export declare function roundTimings<T extends Record<string, number>>(t: T): T;
export interface Status {
    /** Replaces the status line (stderr on a TTY only). */
    set(message: string): void;
    clear(): void;
}
/** A one-line status on stderr ("loading model…") while the user waits; nothing when stderr is not a terminal. */
export declare function status(enabled?: boolean): Status;
export declare function registerSecret(value: string | undefined): void;
export declare function scrub(text: string): string;
/**
 * Print an error as one line on stderr (plus the stack with --verbose) and return its exit code.
 * An error that is not a RagError was not foreseen: the line says it is a bug and where to report it.
 */
export declare function reportError(err: unknown, verbose: boolean): number;
export interface Bars {
    update(name: string, value: number, total: number): void;
    log(message: string): void;
    stop(): void;
}
/** cli-progress bars on stderr when it is a TTY; otherwise nothing (logs still go to stderr). */
export declare function progressBars(enabled: boolean): Promise<Bars>;
