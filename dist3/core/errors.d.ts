export declare const EXIT_OK = 0;
export declare const EXIT_FAILURE = 1;
export declare const EXIT_USAGE = 2;
export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILURE | typeof EXIT_USAGE;
export declare class RagError extends Error {
    readonly hint: string | undefined;
    readonly exitCode: ExitCode;
    constructor(message: string, opts?: {
        hint?: string;
        exitCode?: ExitCode;
        cause?: unknown;
    });
}
/** A usage error: bad flags or arguments (exit code 2). */
export declare function usageError(message: string, hint?: string): RagError;
/** Message of any thrown value, without a stack. */
export declare function errorMessage(err: unknown): string;
