import { type SettingFlags } from '../core/config.js';
import type { CommonFlags } from './main.js';
export declare function runMcp(flags: CommonFlags & SettingFlags): Promise<number>;
