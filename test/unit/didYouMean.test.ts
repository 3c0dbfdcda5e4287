import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../../model/src/didYouMean';

test('edit distance counts transpositions as one edit', () => {
  assert.equal(editDistance('netwrok', 'network'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closest suggests near misses only', () => {
  assert.equal(closest('openatt', ['open', 'openat', 'close']), 'openat');
  assert.equal(closest('NETWRK', ['network', 'limits']), 'network');
  assert.equal(closest('zzzz', ['network', 'limits']), undefined);
});
