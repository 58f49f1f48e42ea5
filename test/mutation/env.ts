// Imported first by the mutation suite: tells the tests they run under `npm run mutate` (slow external checks are left out).

process.env.RAG_MUTATION = '1';
