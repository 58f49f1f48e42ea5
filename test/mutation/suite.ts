// The unit tests that `npm run mutate` (stryker.config.mjs) runs against each mutant, in one process (node FILE, no --test: no child processes).

import './env.js';
import '../unit/chunk.test.js';
import '../unit/prompt.test.js';
import '../unit/config.test.js';
import '../unit/eval.test.js';
import '../unit/core-pins.test.js';
import '../unit/scopes.test.js';
import '../unit/sections.test.js';
import '../unit/fusion.test.js';
import '../unit/mutants-sections.test.js';
import '../unit/mutants-eval.test.js';
import '../unit/mutants-config.test.js';
import '../unit/mutants-small.test.js';
