import { type SettingFlags } from '../core/config.js';
import type { CommonFlags } from './main.js';
export interface ConfigFlags extends CommonFlags, SettingFlags {
    check?: boolean;
}
export declare function runConfig(flags: ConfigFlags): Promise<number>;
