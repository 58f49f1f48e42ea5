// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-small.md).

import { test } from 'node:test';

test.todo('mutants-small: filled in by the mutation-testing round');
