// Tests that kill the surviving mutants of npm run mutate in src/core (see notes/mutants-sections.md).

import { test } from 'node:test';

test.todo('mutants-sections: filled in by the mutation-testing round');
