/**
 * V8 settings that keep the server's resident memory near its live data. Set at run time because the server
 * is started as `node dist/server.js` by any client, with no Node options. Measured with
 * `phantom bench --lsp` (docs/performance.md): a 20,000-line profile leaves the server at ~69 MiB instead of
 * ~88 MiB, with no visible cost in its timings.
 *
 * - Semi-space growth factor 1: V8 doubles the young generation (up to 2 × 16 MiB) whenever many objects
 *   survive a scavenge — exactly what building the tree of a large profile does — and keeps it. At factor 1
 *   it stays at its initial size; the cost is a few more scavenges while a large document is parsed.
 * - No inlining in the optimising compiler: the larger graphs of inlined code take memory that the C
 *   allocator keeps once the compile is over (~3 MiB here); the hot loops are the parser's own.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--no-turbo-inlining');
