/** Hosts that are always reached directly: the embedded Milvus Lite, local LLM servers, local hubs. */
export declare const LOOPBACK_HOSTS: readonly ["127.0.0.1", "localhost", "::1"];
/** The user's NO_PROXY list (no_proxy wins, as in curl) plus the loopback hosts. */
export declare function noProxyList(env: NodeJS.ProcessEnv): string;
/** The proxy fetch() would use, if any: HTTPS_PROXY or HTTP_PROXY, lower or upper case. */
export declare function proxyFromEnv(env: NodeJS.ProcessEnv): string | undefined;
/**
 * The Milvus SDK's gRPC client (grpc-js) reads grpc_proxy / https_proxy / http_proxy (lower case) and then
 * no_grpc_proxy, else no_proxy: loopback addresses are added to no_grpc_proxy so that the embedded Milvus Lite
 * (and a server on localhost) is always reached directly.
 */
export declare function keepLoopbackOffGrpcProxy(env?: NodeJS.ProcessEnv): void;
/**
 * Node's fetch() ignores proxy variables: when one is set, route fetch() (model downloads, the LLM client)
 * through undici's EnvHttpProxyAgent, which follows HTTP(S)_PROXY and NO_PROXY; loopback stays direct.
 * Returns the proxy in use, or undefined.
 */
export declare function useProxyFromEnv(env?: NodeJS.ProcessEnv): Promise<string | undefined>;
