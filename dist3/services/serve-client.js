// Light client of `rag serve` (node:net only, never the Milvus SDK or transformers.js): where a server listens, the socket RPC, stale-file cleanup.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, chmodSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isServerUri } from '../core/config.js';
import { RagError } from '../core/errors.js';
import { SERVE_PROTOCOL, } from '../core/serve-protocol.js';
/** The per-user folder of the servers' sockets: RAG_SERVE_DIR, else $XDG_RUNTIME_DIR/rag, else <tmp>/rag-<uid>. */
export function serveDir(env = process.env) {
    if (env.RAG_SERVE_DIR)
        return path.resolve(env.RAG_SERVE_DIR);
    if (env.XDG_RUNTIME_DIR)
        return path.join(env.XDG_RUNTIME_DIR, 'rag');
    return path.join(os.tmpdir(), `rag-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}
/** The target a server is keyed by: the Lite folder's real path (so ./a.db and /x/a.db meet), or the server URI. */
export function serveTarget(milvusUri) {
    if (isServerUri(milvusUri))
        return milvusUri.replace(/\/+$/, '');
    const abs = path.resolve(milvusUri);
    try {
        return realpathSync(abs);
    }
    catch {
        return abs;
    }
}
export function servePaths(milvusUri, milvusToken, env = process.env) {
    const dir = serveDir(env);
    const target = serveTarget(milvusUri);
    // The Milvus token is part of the key (hashed): a server opened with one token never serves a client with another.
    const key = createHash('sha256')
        .update(`${target}\0${milvusToken ?? ''}`)
        .digest('hex')
        .slice(0, 16);
    return {
        dir,
        target,
        socket: path.join(dir, `${key}.sock`),
        info: path.join(dir, `${key}.json`),
        log: path.join(dir, `${key}.log`),
    };
}
/** Is the folder ours alone (a real folder, owned by this user, mode 0700)? */
export function dirIsPrivate(dir) {
    try {
        const st = lstatSync(dir);
        const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
        return st.isDirectory() && !st.isSymbolicLink() && st.uid === uid && (st.mode & 0o077) === 0;
    }
    catch {
        return false;
    }
}
/** Create the socket folder 0700, or tighten one of ours; refuse a folder that others own or can reach. */
export function ensurePrivateDir(dir) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== uid) {
        throw new RagError(`the rag serve folder ${dir} is not a folder owned by this user`, {
            hint: 'remove it, or choose another with RAG_SERVE_DIR',
        });
    }
    if ((st.mode & 0o077) !== 0)
        chmodSync(dir, 0o700);
}
export function readInfo(file) {
    try {
        const info = JSON.parse(readFileSync(file, 'utf8'));
        return typeof info.token === 'string' && typeof info.socket === 'string' && typeof info.pid === 'number'
            ? info
            : null;
    }
    catch {
        return null;
    }
}
export function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
/** Remove the socket and info files of a server that is gone (killed, crashed); not those of a live one. */
export function cleanStale(p, info) {
    if (info && info.pid !== process.pid && pidAlive(info.pid))
        return;
    rmSync(p.socket, { force: true });
    rmSync(p.info, { force: true });
}
export class ServeError extends RagError {
    code;
    constructor(e) {
        super(e.message, { hint: e.hint, exitCode: (e.exitCode ?? 1) });
        this.code = e.code;
    }
}
/** One connection to a server: requests are numbered and may overlap; replies come back by number. */
export class ServeConnection {
    socket;
    nextId = 1;
    buffer = '';
    pending = new Map();
    closed;
    constructor(socket) {
        this.socket = socket;
        socket.setEncoding('utf8');
        socket.on('data', (d) => this.onData(d));
        const fail = (err) => {
            this.closed ??=
                err ?? new RagError('rag serve closed the connection', { hint: 'run the command again, or pass --no-server' });
            for (const p of this.pending.values())
                p.reject(this.closed);
            this.pending.clear();
        };
        socket.on('error', (e) => fail(new RagError(`lost the connection to rag serve: ${e.message}`, {
            hint: 'run the command again, or pass --no-server',
        })));
        socket.on('close', () => fail());
    }
    /** Connects within timeoutMs; rejects with the socket error (ENOENT, ECONNREFUSED…) or a timeout. */
    static open(socketPath, timeoutMs) {
        return new Promise((resolve, reject) => {
            const socket = connect(socketPath);
            const timer = setTimeout(() => {
                socket.destroy();
                reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
            }, timeoutMs);
            socket.once('error', (e) => {
                clearTimeout(timer);
                reject(e);
            });
            socket.once('connect', () => {
                clearTimeout(timer);
                socket.removeAllListeners('error');
                resolve(new ServeConnection(socket));
            });
        });
    }
    onData(d) {
        this.buffer += d;
        let nl;
        while ((nl = this.buffer.indexOf('\n')) >= 0) {
            const line = this.buffer.slice(0, nl);
            this.buffer = this.buffer.slice(nl + 1);
            let reply;
            try {
                reply = JSON.parse(line);
            }
            catch {
                continue;
            }
            const p = this.pending.get(reply.id);
            if (!p)
                continue;
            this.pending.delete(reply.id);
            if (reply.ok)
                p.resolve(reply.result);
            else
                p.reject(new ServeError(reply.error));
        }
    }
    call(req, timeoutMs = 0) {
        if (this.closed)
            return Promise.reject(this.closed);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            let timer;
            if (timeoutMs > 0) {
                timer = setTimeout(() => {
                    this.pending.delete(id);
                    reject(new RagError(`rag serve did not answer within ${timeoutMs / 1000} s`, {
                        hint: 'stop it with `rag serve --stop`, or pass --no-server',
                    }));
                }, timeoutMs);
                timer.unref();
            }
            this.pending.set(id, {
                resolve: (v) => {
                    clearTimeout(timer);
                    resolve(v);
                },
                reject: (e) => {
                    clearTimeout(timer);
                    reject(e);
                },
            });
            this.socket.write(`${JSON.stringify({ id, ...req })}\n`);
        });
    }
    close() {
        this.closed ??= new RagError('connection closed');
        this.socket.end();
        this.socket.destroy();
    }
}
/**
 * Connect to the server for this target and say hello with its token; null when none answers (no files, a stale socket,
 * another protocol version, or it is busy because the data folder is handed over). Stale files are removed here.
 */
export async function attach(p, acquire, helloTimeoutMs = 120_000) {
    if (!dirIsPrivate(p.dir))
        return null;
    const info = readInfo(p.info);
    if (!info)
        return null;
    let conn;
    try {
        conn = await ServeConnection.open(p.socket, 2000);
    }
    catch (e) {
        // Nobody listens on the socket: the server was killed. Its files go (a live pid with no socket file is left alone).
        const code = e.code;
        if (code === 'ECONNREFUSED')
            cleanStale(p, null);
        else if (code === 'ENOENT')
            cleanStale(p, info);
        return null;
    }
    try {
        await conn.call({ op: 'hello', token: info.token, pid: process.pid, protocol: SERVE_PROTOCOL, acquire }, helloTimeoutMs);
        return { conn, info, paths: p };
    }
    catch {
        // Busy (handed over), another protocol, a bad token, or the server stopping right now: run in-process.
        conn.close();
        return null;
    }
}
//# sourceMappingURL=serve-client.js.map