import { type SettingFlags } from '../core/config.js';
import type { CommonFlags } from './main.js';
export interface AskFlags extends CommonFlags, SettingFlags {
    llm?: boolean;
    quiet?: boolean;
    systemPrompt?: string;
    promptFile?: string;
    /** false with --no-server. */
    server?: boolean;
}
/** The question is one argument: several words mean it was not quoted (and `?` may have been expanded by the shell). */
export declare function oneQuestion(words: readonly string[]): string;
export declare function runAsk(words: string[], flags: AskFlags): Promise<number>;
