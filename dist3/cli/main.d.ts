#!/usr/bin/env node
import { Command } from 'commander';
/** Flags every command has. */
export interface CommonFlags {
    json?: boolean;
    verbose?: boolean;
}
export declare function buildProgram(): Command;
export declare function main(argv: string[]): Promise<number>;
