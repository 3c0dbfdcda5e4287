/**
 * The runtime's PSI service: one monitor shared by the protocol (current sample, the 1 s stream with triggers)
 * and the admission gate. Opens the monitor lazily; a kernel without PSI gives `available: false` and a
 * reason, never an exception. Transport-independent: runtimeMain passes the sink.
 */
import { poolsMayRefill, resolvePressureRules, waitForAdmission, MAX_DEFER_MS, type AdmissionOutcome, type PressureRules, type ResolvedPressureRules } from './admission';
import { DEFAULT_INTERVAL_MS, openPsiMonitor, type PsiMonitor } from './psiMonitor';
import { headline, PSI_RESOURCES, type PsiResource, type PsiTriggerSpec } from './psiParser';
import type { PressureSample, PressureSubscription } from '../protocol';

/** The PSI trigger window: 2 s, the shortest a process without CAP_SYS_RESOURCE may use: the kernel answers EINVAL to a smaller window unless the writer has CAP_SYS_RESOURCE. */
export const TRIGGER_WINDOW_MS = 2000;

/** Triggers at each resource's warning threshold: a crossing shows at once, not at the next tick. */
export function triggerSpecsFor(rules: ResolvedPressureRules): PsiTriggerSpec[] {
  return PSI_RESOURCES.filter((r) => rules[r].warning > 0 && rules[r].warning <= 100).map((resource) => ({ resource, kind: 'some', percent: rules[resource].warning, windowMs: TRIGGER_WINDOW_MS }));
}

export class PsiService {
  private monitor: PsiMonitor | undefined;
  private unavailableReason: string | undefined;
  private rules = resolvePressureRules();
  private maxDeferMs = MAX_DEFER_MS;
  private subscription: PressureSubscription | undefined;

  constructor(private readonly send: (sample: PressureSample) => void) {}

  private open(): PsiMonitor | undefined {
    if (this.monitor || this.unavailableReason) return this.monitor;
    const opened = openPsiMonitor();
    if ('monitor' in opened) this.monitor = opened.monitor;
    else this.unavailableReason = opened.reason;
    return this.monitor;
  }

  current(): PressureSample {
    const monitor = this.open();
    if (!monitor) return { available: false, reason: this.unavailableReason ?? 'PSI unavailable' };
    try {
      const { at, system } = monitor.sample();
      return { available: true, at, system };
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
  }

  /** Starts (or restarts with a new interval) the stream of samples, with triggers at the warning thresholds. */
  subscribe(intervalMs = DEFAULT_INTERVAL_MS): PressureSubscription {
    const monitor = this.open();
    if (!monitor) return { available: false, reason: this.unavailableReason, intervalMs, triggers: [] };
    monitor.start(intervalMs, (sample) => this.send({ available: true, ...sample }), (error) => this.send({ available: false, reason: error.message }));
    this.subscription = { available: true, intervalMs, ...this.arm(monitor) };
    return this.subscription;
  }

  unsubscribe(): void {
    this.monitor?.stop();
    void this.monitor?.disarmTriggers();
    this.subscription = undefined;
  }

  setRules(rules: PressureRules, maxDeferMs?: number): void {
    this.rules = resolvePressureRules(rules);
    if (maxDeferMs !== undefined && maxDeferMs >= 0) this.maxDeferMs = maxDeferMs;
    if (this.subscription && this.monitor) this.subscription = { ...this.subscription, ...this.arm(this.monitor) };
  }

  /** Decides (and waits, bounded) for a new spawn. Runs everything when PSI is unavailable. */
  admit(onDefer: (reason: string, maxWaitMs: number) => void, rules: ResolvedPressureRules = this.rules): Promise<AdmissionOutcome> {
    const monitor = this.open();
    const figures = (): Record<PsiResource, number> | null => {
      try {
        return monitor ? headline(monitor.read()) : null;
      } catch {
        return null; // a read failure must not block spawns: admit as if PSI were absent
      }
    };
    return waitForAdmission(figures, rules, { now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, {
      maxDeferMs: this.maxDeferMs,
      onDefer: (decision, max) => onDefer(decision.reason, max),
    });
  }

  /** Whether zygote pools may grow now (admission.ts poolsMayRefill: memory below its warning level); true without PSI. */
  poolsMayRefill(): boolean {
    const monitor = this.open();
    try {
      return monitor ? poolsMayRefill(headline(monitor.read()), this.rules) : true;
    } catch {
      return true; // a read failure must not turn warm starts off: refill as if PSI were absent
    }
  }

  private arm(monitor: PsiMonitor): { triggers: string[]; triggerError?: string } {
    try {
      monitor.armTriggers(triggerSpecsFor(this.rules));
      return { triggers: monitor.triggers };
    } catch (error) {
      // Sampling still works without triggers: crossings show at the next tick instead of at once.
      const message = (error as Error).message;
      console.error(`psi: ${message}`);
      return { triggers: [], triggerError: message };
    }
  }

  dispose(): Promise<void> {
    const done = this.monitor?.dispose() ?? Promise.resolve();
    this.monitor = undefined;
    return done;
  }
}
