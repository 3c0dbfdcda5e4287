/** The runtime's own error, as the user reads it (client/src/runtimeFailure.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeErrorSummary, runtimeExitText } from '../../client/src/runtimeFailure';

const koffi = `/ext/dist/runtime.js:1234
    throw new Error('Cannot find the native Koffi module; did you bundle it correctly?');
    ^

Error: Cannot find the native Koffi module; did you bundle it correctly?
    at init (/ext/dist/runtime.js:1234:11)
    at Object.<anonymous> (/ext/dist/runtime.js:2000:1)

Node.js v20.19.0
`;

test("the runtime's error line, not the source line or stack", () => {
  // Before: the terminal said "Pending response rejected since connection got disposed".
  assert.equal(runtimeErrorSummary(koffi), 'Error: Cannot find the native Koffi module; did you bundle it correctly?');
  assert.equal(
    runtimeExitText(1, null, koffi),
    'the Phantom runtime exited with code 1:\nError: Cannot find the native Koffi module; did you bundle it correctly?',
  );
});

test('other shapes: a plain message, nothing at all, a signal', () => {
  assert.equal(runtimeErrorSummary('phantom: cannot open /dev/null\n'), 'phantom: cannot open /dev/null');
  assert.equal(runtimeErrorSummary('something odd\nand more\n'), 'something odd\nand more');
  assert.equal(runtimeErrorSummary('\n\n'), undefined);
  assert.equal(runtimeExitText(null, 'SIGSEGV', ''), 'the Phantom runtime was killed by SIGSEGV (it printed nothing)');
});
