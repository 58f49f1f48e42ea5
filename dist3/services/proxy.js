// Proxies: model downloads honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case); loopback never uses a proxy.
/** Hosts that are always reached directly: the embedded Milvus Lite, local LLM servers, local hubs. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
function list(value) {
    return (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
/** The user's NO_PROXY list (no_proxy wins, as in curl) plus the loopback hosts. */
export function noProxyList(env) {
    const hosts = list(env.no_proxy ?? env.NO_PROXY);
    for (const h of LOOPBACK_HOSTS)
        if (!hosts.includes(h) && !hosts.includes('*'))
            hosts.push(h);
    return hosts.join(',');
}
/** The proxy fetch() would use, if any: HTTPS_PROXY or HTTP_PROXY, lower or upper case. */
export function proxyFromEnv(env) {
    return [env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY].find((v) => v !== undefined && v.trim() !== '');
}
/**
 * The Milvus SDK's gRPC client (grpc-js) reads grpc_proxy / https_proxy / http_proxy (lower case) and then
 * no_grpc_proxy, else no_proxy: loopback addresses are added to no_grpc_proxy so that the embedded Milvus Lite
 * (and a server on localhost) is always reached directly.
 */
export function keepLoopbackOffGrpcProxy(env = process.env) {
    const hosts = list(env.no_grpc_proxy ?? env.no_proxy ?? env.NO_PROXY);
    for (const h of LOOPBACK_HOSTS)
        if (!hosts.includes(h) && !hosts.includes('*'))
            hosts.push(h);
    env.no_grpc_proxy = hosts.join(',');
}
let installed = false;
/**
 * Node's fetch() ignores proxy variables: when one is set, route fetch() (model downloads, the LLM client)
 * through undici's EnvHttpProxyAgent, which follows HTTP(S)_PROXY and NO_PROXY; loopback stays direct.
 * Returns the proxy in use, or undefined.
 */
export async function useProxyFromEnv(env = process.env) {
    const proxy = proxyFromEnv(env);
    if (proxy === undefined)
        return undefined;
    if (!installed) {
        const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
        const httpsProxy = [env.https_proxy, env.HTTPS_PROXY].find((v) => v !== undefined && v.trim() !== '');
        const httpProxy = [env.http_proxy, env.HTTP_PROXY].find((v) => v !== undefined && v.trim() !== '');
        // undici flags EnvHttpProxyAgent as experimental with a process warning: rag's stderr stays one line.
        const emitWarning = process.emitWarning;
        process.emitWarning = (() => undefined);
        try {
            setGlobalDispatcher(new EnvHttpProxyAgent({
                ...(httpProxy ? { httpProxy } : {}),
                // As curl does: HTTPS_PROXY for https, falling back to HTTP_PROXY.
                ...((httpsProxy ?? httpProxy) ? { httpsProxy: httpsProxy ?? httpProxy } : {}),
                noProxy: noProxyList(env),
            }));
        }
        finally {
            process.emitWarning = emitWarning;
        }
        installed = true;
    }
    return proxy;
}
//# sourceMappingURL=proxy.js.map