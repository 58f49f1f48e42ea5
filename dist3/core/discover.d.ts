export interface FoundFile {
    /** Absolute path, as found (through links). */
    abs: string;
    /** Canonical path (absolute, links resolved, forward slashes): the chunk's `source`, the same from any folder. */
    source: string;
    /** Path relative to the working directory, for messages. */
    display: string;
}
/** The sources an argument covers: stored chunks in scope whose file is gone get removed. */
export interface Scope {
    /** Literal start shared by every source in scope, for a prefix query. */
    prefix: string;
    matches(source: string): boolean;
}
export interface Discovery {
    files: FoundFile[];
    scopes: Scope[];
    /** Things passed over that the user should hear about (symbolic link loops). */
    warnings: string[];
}
export declare function toSource(cwd: string, abs: string): string;
/** The canonical form of a path: absolute, links resolved as far as the path exists. */
export declare function canonical(abs: string): string;
/** What a glob covers, on canonical paths: its literal base is resolved, the pattern part kept. */
export declare function globScope(absPattern: string): Scope;
/** What `rag ingest FOLDER` covers: every *.md below it, outside hidden folders and node_modules. */
export declare function folderScope(dir: string): Scope;
/** Resolve the command-line paths; fails with exit code 2 on a path that does not exist. */
export declare function discover(args: string[], cwd: string, signal?: AbortSignal): Promise<Discovery>;
