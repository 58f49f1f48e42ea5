import { type Resolved, type SettingFlags } from '../core/config.js';
import { type ServePaths } from '../services/serve-client.js';
import type { WarmServer } from '../services/warm-server.js';
import { type Lifecycle } from './runtime.js';
import type { CommonFlags } from './main.js';
export interface ServeFlags extends CommonFlags, SettingFlags {
    detach?: boolean;
    stop?: boolean;
    status?: boolean;
    idle?: string;
}
declare function idleMinutes(raw: string | undefined): number;
/** Start a warm server for this target on its socket (listening at once; whenReady() once Milvus and the model are loaded). */
export declare function startServer(resolved: Resolved, p: ServePaths, idle: number, life: Lifecycle, log: (m: string) => void): Promise<WarmServer>;
export { idleMinutes };
export declare function runServe(flags: ServeFlags): Promise<number>;
