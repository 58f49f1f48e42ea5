// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-eval.md).

import { test } from 'node:test';

test.todo('mutants-eval: filled in by the mutation-testing round');
