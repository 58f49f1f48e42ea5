// The `rag serve` wire protocol (pure types): one JSON object a line over a Unix socket, a token in the first request.
/** Bumped when a request or a reply changes shape; a client that speaks another version falls back to in-process. */
export const SERVE_PROTOCOL = 1;
/** Default minutes without a request after which `rag serve` exits by itself. */
export const DEFAULT_IDLE_MINUTES = 30;
//# sourceMappingURL=serve-protocol.js.map