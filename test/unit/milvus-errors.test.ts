// Milvus SDK failures as one readable line: every shape the SDK throws or returns; BM25 support from version strings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bm25Support, isAuthFailure, isUnreachable, milvusReason } from '../../src/services/milvus-errors.js';

const grpcError = Object.assign(
  new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1'),
  {
    code: 14,
    details: 'No connection established',
    metadata: {},
  },
);
const bareGrpc = Object.assign(new Error(''), {
  code: 16,
  details: 'auth check failure, please check username and password are correct',
});

const REASONS: [string, unknown, string][] = [
  // What @zilliz/milvus2-sdk-node's createCollection throws when an index fails: the status object itself.
  [
    'thrown status object',
    {
      error_code: 'IllegalArgument',
      reason: 'create index on 104 field is not supported: invalid parameter',
      code: 1100,
      retriable: false,
      detail: '',
    },
    'create index on 104 field is not supported: invalid parameter',
  ],
  [
    'result with status',
    { status: { error_code: 'UnexpectedError', reason: 'collection not found[collection=x]', code: 100 }, data: [] },
    'collection not found[collection=x]',
  ],
  [
    'status with detail only',
    { error_code: 'UnexpectedError', reason: '', detail: 'the detail', code: 5 },
    'the detail',
  ],
  ['status with a code only', { error_code: 'RateLimit', reason: '' }, 'error code RateLimit'],
  ['gRPC error', grpcError, '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1'],
  ['gRPC error without message', bareGrpc, 'auth check failure, please check username and password are correct'],
  [
    'Error wrapping an object message',
    new Error('[object Object]', { cause: { reason: 'inner reason' } }),
    'inner reason',
  ],
  ['multi-line message', new Error('first line\n   second line'), 'first line second line'],
  ['string', 'plain text', 'plain text'],
  ['null', null, 'no reason given'],
  ['number', 42, '42'],
  ['unknown object', { foo: 1 }, '{"foo":1}'],
  ['empty object', {}, 'unknown error'],
];

for (const [name, input, expected] of REASONS) {
  test(`milvusReason: ${name}`, () => {
    const reason = milvusReason(input);
    assert.equal(reason, expected);
    assert.doesNotMatch(reason, /\[object Object\]/);
    assert.doesNotMatch(reason, /\n/);
  });
}

test('milvusReason: a circular object and a very long reason still make one bounded line', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.equal(milvusReason(circular), 'unknown error');
  const long = milvusReason({ reason: 'x'.repeat(5_000) });
  assert.ok(long.length <= 400, String(long.length));
});

test("isUnreachable / isAuthFailure classify the server's reasons", () => {
  assert.equal(isUnreachable(milvusReason(grpcError)), true);
  assert.equal(isUnreachable('empty grpc client: failed to connect 127.0.0.1:53100, reason: connection refused'), true);
  assert.equal(isUnreachable('4 DEADLINE_EXCEEDED: Deadline exceeded after 30.001s'), true);
  assert.equal(isUnreachable('create index on 104 field is not supported'), false);
  assert.equal(
    isAuthFailure('16 UNAUTHENTICATED: auth check failure, please check username and password are correct'),
    true,
  );
  assert.equal(isAuthFailure('collection not found'), false);
});

const VERSIONS: [string, boolean | null][] = [
  ['v2.3.5-lite', false], // PyPI milvus 2.3.5 (standalone server)
  ['v2.3.5', false],
  ['v2.4.15', false],
  ['v2.5.0', true],
  ['v2.6.1', true],
  ['3.0.0', true],
  ['milvus_lite-3.2.2', true], // Milvus Lite 3 (milvus-lite PyPI)
  ['milvus_lite-2.4.12', false],
  ['', null],
  ['unknown', null],
];
for (const [version, expected] of VERSIONS) {
  test(`bm25Support(${JSON.stringify(version)}) = ${String(expected)}`, () =>
    assert.equal(bm25Support(version), expected));
}
