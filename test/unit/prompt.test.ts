// Unit tests of src/core/prompt.ts: the tutorial's prompt strings, message building and template validation.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_USER_TEMPLATE,
  buildMessages,
  validateTemplate,
} from '../../src/core/prompt.js';
import { RagError } from '../../src/core/errors.js';

describe('default prompts', () => {
  it('system prompt is the tutorial string, with its leading and trailing newline', () => {
    assert.equal(
      DEFAULT_SYSTEM_PROMPT,
      '\nHuman: You are an AI assistant. You are able to find answers to the questions from the contextual passage snippets provided.\n',
    );
  });

  it('the default user prompt for a context and question is exactly the tutorial text', () => {
    const [system, user] = buildMessages({
      question: 'How is data stored in milvus?',
      contexts: ['Milvus stores data in object storage.', 'Second passage.'],
    });
    assert.deepEqual(system, { role: 'system', content: DEFAULT_SYSTEM_PROMPT });
    assert.deepEqual(user, {
      role: 'user',
      content: `
Use the following pieces of information enclosed in <context> tags to provide an answer to the question enclosed in <question> tags.
<context>
Milvus stores data in object storage.
Second passage.
</context>
<question>
How is data stored in milvus?
</question>
`,
    });
  });

  it('the template has both placeholders and passes its own validation', () => {
    assert.ok(DEFAULT_USER_TEMPLATE.includes('{context}'));
    assert.ok(DEFAULT_USER_TEMPLATE.includes('{question}'));
    assert.ok(DEFAULT_USER_TEMPLATE.startsWith('\nUse the following'));
    assert.ok(DEFAULT_USER_TEMPLATE.endsWith('</question>\n'));
    validateTemplate(DEFAULT_USER_TEMPLATE);
  });
});

describe('buildMessages', () => {
  const cases: {
    name: string;
    input: Parameters<typeof buildMessages>[0];
    system: string;
    user: string;
  }[] = [
    {
      name: 'contexts joined with a newline, in order',
      input: { question: 'q', contexts: ['a', 'b', 'c'], userTemplate: '[{context}]({question})' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: '[a\nb\nc](q)',
    },
    {
      name: 'no contexts gives an empty context',
      input: { question: 'q', contexts: [], userTemplate: '<{context}>{question}' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: '<>q',
    },
    {
      name: 'custom system prompt',
      input: { question: 'q', contexts: ['c'], systemPrompt: 'Be brief.', userTemplate: '{context}|{question}' },
      system: 'Be brief.',
      user: 'c|q',
    },
    {
      name: 'placeholders inside values are not substituted again',
      input: { question: 'why {context}?', contexts: ['see {question}'], userTemplate: '{context}|{question}' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: 'see {question}|why {context}?',
    },
    {
      name: 'replacement patterns ($&, $1, $$, $`) in values are literal',
      input: { question: "cost $& $1 $$ $` $'", contexts: ['$&'], userTemplate: '{context}|{question}' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: "$&|cost $& $1 $$ $` $'",
    },
    {
      name: 'a placeholder may appear several times',
      input: { question: 'q', contexts: ['c'], userTemplate: '{question} {context} {question}' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: 'q c q',
    },
    {
      name: 'other braces are left alone',
      input: { question: 'q', contexts: ['c'], userTemplate: '{ctx} {context} {{question}} {Question}' },
      system: DEFAULT_SYSTEM_PROMPT,
      user: '{ctx} c {q} {Question}',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(buildMessages(c.input), [
        { role: 'system', content: c.system },
        { role: 'user', content: c.user },
      ]);
    });
  }

  it('the default template with tricky values matches the Python f-string result', () => {
    const [, user] = buildMessages({ question: 'What? {context}', contexts: ['a {question}', 'b $&'] });
    assert.equal(
      user?.content,
      '\nUse the following pieces of information enclosed in <context> tags to provide an answer to the question enclosed in <question> tags.\n<context>\na {question}\nb $&\n</context>\n<question>\nWhat? {context}\n</question>\n',
    );
  });

  it('rejects a custom template without {question}', () => {
    assert.throws(
      () => buildMessages({ question: 'q', contexts: [], userTemplate: 'only {context}' }),
      (err: unknown) => err instanceof RagError && err.exitCode === 2 && err.message.includes('{question}'),
    );
  });
});

describe('validateTemplate', () => {
  const cases: { template: string; missing: string[] }[] = [
    { template: '{context} {question}', missing: [] },
    { template: '{question}{context}', missing: [] },
    { template: 'Context: {context}', missing: ['{question}'] },
    { template: 'Q: {question}', missing: ['{context}'] },
    { template: 'nothing here', missing: ['{context}', '{question}'] },
    { template: '{Question} {CONTEXT}', missing: ['{context}', '{question}'] },
    { template: '', missing: ['{context}', '{question}'] },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.template)} → ${c.missing.length === 0 ? 'ok' : `missing ${c.missing.join(', ')}`}`, () => {
      if (c.missing.length === 0) {
        validateTemplate(c.template);
        return;
      }
      assert.throws(
        () => validateTemplate(c.template),
        (err: unknown) => {
          assert.ok(err instanceof RagError);
          assert.equal(err.exitCode, 2);
          for (const m of c.missing) assert.ok(err.message.includes(m), err.message);
          for (const p of ['{context}', '{question}']) {
            if (!c.missing.includes(p)) assert.ok(!err.message.includes(p), err.message);
          }
          assert.ok(err.hint);
          return true;
        },
      );
    });
  }
});
