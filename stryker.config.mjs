// Mutation testing of the pure core (npm run mutate): StrykerJS with its command runner over the unit tests.
// @ts-check

/**
 * What is mutated. Edit this list when the core moves; `file:from-to` limits a file to a line range.
 * discover.ts: only the scopes (toSource, globScope, folderScope, the single-file scope), not the folder walk.
 */
export const MUTATE = [
  'src/core/chunk.ts', // splitting, cutting and chunk ids
  'src/core/prompt.ts',
  'src/core/config.ts',
  'src/core/eval.ts',
  'src/core/discover.ts:37-85', // toSource, canonical, globScope, folderScope
  'src/core/discover.ts:194-195', // the scope of a single file argument
  'src/core/sections.ts', // front matter, heading path, splitting long pieces to fit
  'src/core/fusion.ts', // reciprocal-rank fusion, document-order ties, collapsing identical texts
];

/** The unit tests that cover MUTATE: test/mutation/suite.ts imports them; every mutant runs all of them, in one process. */
export const SUITE = '.test-build/test/mutation/suite.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `node --test-reporter=dot ${SUITE}` },
  // Runs once in the sandbox, on the instrumented sources (all mutants in, switched by an environment variable).
  buildCommand: 'npx tsc -p tsconfig.test.json',
  mutate: MUTATE,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['dist', '.test-build', '.venv*', '.cache', 'reports', 'bench/results', 'notes', 'fixtures'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
  // A mutant that loops forever (the splitter's scan) is stopped after 1.25 × the normal run + 10 s, and counted as
  // detected. 10 s, not 3 s as before: on a loaded 2-core machine a normal run of the suite took over 5 s, and every such
  // run counted as a kill (a whole file's mutants "timed out" in one helper's run), inflating the score.
  timeoutMS: 10_000,
  timeoutFactor: 1.25,
  thresholds: { high: 90, low: 85, break: null },
};
