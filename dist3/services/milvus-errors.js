// Milvus SDK failures as one readable line: thrown Errors, thrown status objects, {error_code, reason} results, gRPC errors.
const MAX = 400;
function oneLine(text) {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
function str(v) {
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
/**
 * The server's reason for a failure, on one line, whatever the SDK threw or returned: an Error (gRPC errors
 * carry `details`), a status `{error_code, reason, code, detail}`, a result `{status: {...}}`, a string.
 * Never "[object Object]".
 */
export function milvusReason(err, depth = 0) {
    if (err === null || err === undefined)
        return 'no reason given';
    if (typeof err === 'string')
        return oneLine(err) || 'no reason given';
    if (typeof err !== 'object')
        return oneLine(String(err));
    const o = err;
    if (err instanceof Error) {
        const message = str(err.message);
        if (message && message !== '[object Object]')
            return oneLine(message);
        const details = str(o.details);
        if (details)
            return oneLine(details);
        if (depth < 3 && err.cause !== undefined)
            return milvusReason(err.cause, depth + 1);
        return oneLine(err.name || 'unknown error');
    }
    if (depth < 3 && o.status && typeof o.status === 'object')
        return milvusReason(o.status, depth + 1);
    const reason = str(o.reason) ?? str(o.detail) ?? str(o.details) ?? str(o.message);
    const code = o.error_code ?? o.code;
    if (reason)
        return oneLine(reason);
    if (code !== undefined && code !== null && code !== '')
        return `error code ${String(code)}`;
    try {
        const json = JSON.stringify(err);
        if (json && json !== '{}')
            return oneLine(json);
    }
    catch {
        // circular: fall through
    }
    return 'unknown error';
}
/** The connection failed (server down, wrong address, timeout) rather than the request. */
export function isUnreachable(reason) {
    return /UNAVAILABLE|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|DEADLINE_EXCEEDED|No connection established|failed to connect|connection refused|empty grpc client|getaddrinfo|Connection dropped|socket hang up|server is stopping/i.test(reason);
}
/** The server refused the credentials. */
export function isAuthFailure(reason) {
    return /UNAUTHENTICATED|auth check fail|authenticat|PERMISSION_DENIED|invalid token|credential|privilege/i.test(reason);
}
/** A Milvus version string (v2.3.5, v2.5.4-lite, milvus_lite-3.2.2) → does it have BM25 full-text search? null: unknown. */
export function bm25Support(version) {
    const lite = /milvus[_-]lite[-_ v]*(\d+)\.(\d+)/i.exec(version);
    if (lite)
        return Number(lite[1]) >= 3 || (Number(lite[1]) === 2 && Number(lite[2]) >= 5);
    const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
    if (!m)
        return null;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    return major > 2 || (major === 2 && minor >= 5);
}
//# sourceMappingURL=milvus-errors.js.map