// RagError: the one error type; carries the exit code and a hint for the user.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export class RagError extends Error {
    hint;
    exitCode;
    constructor(message, opts = {}) {
        super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
        this.name = 'RagError';
        this.hint = opts.hint;
        this.exitCode = opts.exitCode ?? EXIT_FAILURE;
    }
}
/** A usage error: bad flags or arguments (exit code 2). */
export function usageError(message, hint) {
    return new RagError(message, { hint, exitCode: EXIT_USAGE });
}
/** Message of any thrown value, without a stack. */
export function errorMessage(err) {
    if (err instanceof Error)
        return err.message;
    return String(err);
}
//# sourceMappingURL=errors.js.map