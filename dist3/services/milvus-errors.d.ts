/**
 * The server's reason for a failure, on one line, whatever the SDK threw or returned: an Error (gRPC errors
 * carry `details`), a status `{error_code, reason, code, detail}`, a result `{status: {...}}`, a string.
 * Never "[object Object]".
 */
export declare function milvusReason(err: unknown, depth?: number): string;
/** The connection failed (server down, wrong address, timeout) rather than the request. */
export declare function isUnreachable(reason: string): boolean;
/** The server refused the credentials. */
export declare function isAuthFailure(reason: string): boolean;
/** A Milvus version string (v2.3.5, v2.5.4-lite, milvus_lite-3.2.2) → does it have BM25 full-text search? null: unknown. */
export declare function bm25Support(version: string): boolean | null;
