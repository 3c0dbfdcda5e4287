/**
 * The runtime process: serves the protocol of protocol.ts over stdio to the extension. Everything it starts
 * dies with it (runs are killed on exit; the helper also sets a parent-death signal).
 */
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { probeKernelFeatures } from './kernelProbe';
import {
  KernelFeaturesRequest,
  PingRequest,
  RunCancelRequest,
  RunExitNotification,
  RunOutputNotification,
  RunStartRequest,
  RunStdinNotification,
} from './protocol';
import { RunManager } from './runManager';
import { RUNTIME_VERSION } from './version';

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
// stdout carries the protocol: anything else printed there would corrupt it.
console.log = console.error;
console.info = console.error;

const runs = new RunManager({
  output: (output) => void connection.sendNotification(RunOutputNotification, output),
  exit: (exit) => void connection.sendNotification(RunExitNotification, exit),
});

connection.onRequest(PingRequest, () => ({ version: RUNTIME_VERSION, pid: process.pid }));
connection.onRequest(KernelFeaturesRequest, () => probeKernelFeatures());
connection.onRequest(RunStartRequest, (params) => {
  runs.start(params);
  return { runId: params.runId };
});
connection.onRequest(RunCancelRequest, ({ runId }) => ({ cancelled: runs.cancel(runId) }));
connection.onNotification(RunStdinNotification, ({ runId, data, eof }) => runs.stdin(runId, data, eof));

function shutdown(code: number): never {
  runs.disposeAll();
  process.exit(code);
}
connection.onClose(() => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.stdin.on('end', () => shutdown(0));
connection.listen();
