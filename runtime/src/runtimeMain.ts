/**
 * The runtime process: serves the protocol of protocol.ts over stdio to the extension. Everything it starts
 * dies with it (runs are killed on exit; the helper also sets a parent-death signal).
 */
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { probeKernelFeatures } from './kernel/kernelProbe';
import { PsiService } from './psi/psiService';
import { StartupMetrics } from './runs/startupMetrics';
import {
  KernelFeaturesRequest,
  MetricsSnapshotRequest,
  PressureNotification,
  PressureSampleRequest,
  PressureSubscribeRequest,
  PressureUnsubscribeRequest,
  RecentRunsRequest,
  RunDeferredNotification,
  SetPressureRulesRequest,
  PressureRulesRequest,
  PingRequest,
  ProfilesRequest,
  RunCancelRequest,
  RunExitNotification,
  RunStartedNotification,
  RunOutputNotification,
  RunStartRequest,
  RunStdinNotification,
} from './protocol';
import { DEFAULT_PRESSURE_RULES, resolvePressureRules } from './psi/admission';
import { profileChoices, readConfigFile } from './policy/profileRun';
import { RunManager } from './runs/runManager';
import { ApprovalStatusRequest, ApproveRequest, LearnProfileRequest, LearnProgressNotification } from './protocol';
import { sandboxSpecFor } from './sandbox/sandboxSpec';
import { learnForEditor } from './learn/learnService';
import { ZygoteManager } from './zygote/zygoteManager';
import { RUNTIME_VERSION } from './version';

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
// stdout carries the protocol: anything else printed there would corrupt it.
console.log = console.error;
console.info = console.error;

const metrics = new StartupMetrics();
const psi = new PsiService((sample) => void connection.sendNotification(PressureNotification, sample));
/** Warm zygote pools (docs/zygotes.md); PHANTOM_ZYGOTES=0 turns them off (every run cold). */
const zygotes =
  process.env.PHANTOM_ZYGOTES === '0'
    ? undefined
    : new ZygoteManager({ mayRefill: () => psi.poolsMayRefill(), onPoolEvent: (profile, event) => metrics.countPool(profile, event) });
if (zygotes) metrics.setPoolSource(() => zygotes.snapshot());
const runs = new RunManager(
  {
    output: (output) => void connection.sendNotification(RunOutputNotification, output),
    exit: (exit) => void connection.sendNotification(RunExitNotification, exit),
    started: (started) => void connection.sendNotification(RunStartedNotification, started),
    deferred: (deferred) => void connection.sendNotification(RunDeferredNotification, deferred),
  },
  metrics,
  zygotes,
  psi,
);

connection.onRequest(ProfilesRequest, ({ config, file, workspaceFolder }) => {
  try {
    return { profiles: profileChoices(readConfigFile(config), config, file, workspaceFolder) };
  } catch (error) {
    return { profiles: [], error: error instanceof Error ? error.message : String(error) };
  }
});
// Approval (approvalGate.ts): what a run's configuration asks beyond the defaults, and the editor's "Always".
// Anything else wrong with the request is the run's to report, so the status is then null.
connection.onRequest(ApprovalStatusRequest, (params) => {
  try {
    return sandboxSpecFor(params, {}, 'status').approval ?? null;
  } catch {
    return null;
  }
});
connection.onRequest(ApproveRequest, ({ run, hash }) => {
  const prepared = sandboxSpecFor({ ...run, approvedOnce: undefined }, {}, 'status');
  if (!prepared.approval) throw new Error('this run asks for nothing beyond the defaults: there is nothing to approve');
  // Only what the user saw: a configuration changed since the dialog is not approved blindly.
  if (prepared.approval.hash !== hash) return prepared.approval;
  prepared.approve?.();
  return { ...prepared.approval, approved: true };
});
connection.onRequest(PingRequest, () => ({ version: RUNTIME_VERSION, pid: process.pid }));
connection.onRequest(KernelFeaturesRequest, () => probeKernelFeatures());
connection.onRequest(RunStartRequest, async (params) => {
  // The whole lifecycle (admission under pressure, the sandbox, the exit report) is the RunManager's.
  await runs.submit(params);
  return { runId: params.runId };
});
connection.onRequest(RunCancelRequest, ({ runId }) => ({ cancelled: runs.cancel(runId) }));
connection.onRequest(PressureSampleRequest, () => psi.current());
connection.onRequest(PressureSubscribeRequest, ({ intervalMs }) => psi.subscribe(intervalMs));
connection.onRequest(PressureUnsubscribeRequest, () => psi.unsubscribe());
connection.onRequest(SetPressureRulesRequest, ({ rules, maxDeferMs }) => psi.setRules(rules, maxDeferMs));
connection.onRequest(PressureRulesRequest, ({ config }) => {
  if (!config) return { rules: DEFAULT_PRESSURE_RULES, source: 'defaults' };
  try {
    return { rules: resolvePressureRules(readConfigFile(config).pressure), source: config };
  } catch (error) {
    return { rules: DEFAULT_PRESSURE_RULES, source: 'defaults', error: error instanceof Error ? error.message : String(error) };
  }
});
connection.onRequest(MetricsSnapshotRequest, () => metrics.snapshot());
connection.onRequest(RecentRunsRequest, ({ limit }) => metrics.recentRuns(limit));
connection.onRequest(LearnProfileRequest, (params, token) => {
  // Counted when it starts: a learn run that fails or is cancelled still ran the workload.
  metrics.countLearnRun(params.profile ?? 'default');
  return learnForEditor(params, token, (message) => void connection.sendNotification(LearnProgressNotification, { learnId: params.learnId, message }));
});
connection.onNotification(RunStdinNotification, ({ runId, data, eof }) => runs.stdin(runId, data, eof));

function shutdown(code: number): never {
  runs.disposeAll();
  zygotes?.dispose(); // every waiting zygote; their helpers would also see end of file on their control socket
  void psi.dispose(); // the process exits next: the trigger poll thread goes with it
  process.exit(code);
}
connection.onClose(() => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.stdin.on('end', () => shutdown(0));
connection.listen();
