// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-config.md).

import { test } from 'node:test';

test.todo('mutants-config: filled in by the mutation-testing round');
