/**
 * The PSI monitor: keeps /proc/pressure/{cpu,memory,io} open and re-reads them with pread (about 1 µs each
 * measured on the reference VM) every interval, plus PSI triggers (psiTriggers.ts) so a threshold crossing is reported at once
 * instead of at the next tick. Whoever opens a monitor disposes of it (it closes the fds and the waiter).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parsePressureFile, PSI_RESOURCES, PsiParseError, type PsiResource, type PsiSnapshot, type PsiTriggerSpec } from './psiParser';
import { PsiTriggerWaiter, type PsiTriggerEvent } from './psiTriggers';

export const PROC_PRESSURE = '/proc/pressure';
export const DEFAULT_INTERVAL_MS = 1000;

/** One reading with the time it was taken. */
export interface PsiSample {
  /** Milliseconds since the epoch. */
  at: number;
  system: PsiSnapshot;
  /** Resources whose trigger fired since the previous sample (the sample was taken because of it when set). */
  triggered?: PsiResource[];
}

/** PSI is missing or unreadable: `reason` says why and what to do, for people. */
export class PsiUnavailableError extends Error {}

/** Why PSI cannot be read at `root`, in words that name the fix. */
function unavailable(file: string, error: NodeJS.ErrnoException): PsiUnavailableError {
  const hints: Record<string, string> = {
    ENOENT: 'this kernel has no pressure stall information (PSI): it needs CONFIG_PSI=y (Linux 4.20 or later)',
    EOPNOTSUPP: 'PSI is built into this kernel but disabled: boot with psi=1 on the kernel command line',
    EACCES: 'permission denied: the pressure files are normally world-readable; check the mount of /proc',
  };
  const hint = hints[error.code ?? ''] ?? 'the file could not be read';
  return new PsiUnavailableError(`PSI unavailable: ${file}: ${error.code ?? error.message} — ${hint}`);
}

export class PsiMonitor {
  private readonly fds: Record<PsiResource, number>;
  private readonly buffer = Buffer.alloc(512);
  private timer: NodeJS.Timeout | undefined;
  private waiter: PsiTriggerWaiter | undefined;
  private pendingTriggers = new Set<PsiResource>();
  private disposed = false;

  /**
   * Opens the three pressure files and reads them once (so a kernel with the files but PSI disabled fails
   * here, not later). Throws PsiUnavailableError with the reason when PSI cannot be read.
   */
  constructor(readonly root = PROC_PRESSURE) {
    const opened: Partial<Record<PsiResource, number>> = {};
    try {
      for (const resource of PSI_RESOURCES) {
        const file = path.join(root, resource);
        try {
          // Node (libuv) opens every fd with O_CLOEXEC: sandboxes spawned later do not inherit these.
          opened[resource] = fs.openSync(file, fs.constants.O_RDONLY);
        } catch (error) {
          throw unavailable(file, error as NodeJS.ErrnoException);
        }
      }
      this.fds = opened as Record<PsiResource, number>;
      this.read();
    } catch (error) {
      for (const fd of Object.values(opened)) fs.closeSync(fd);
      throw error;
    }
  }

  /** Reads the three files now (pread at offset 0 on the kept fds). */
  read(): PsiSnapshot {
    if (this.disposed) throw new Error('PsiMonitor.read: the monitor is disposed');
    const snapshot = {} as PsiSnapshot;
    for (const resource of PSI_RESOURCES) snapshot[resource] = this.readOne(resource);
    return snapshot;
  }

  /** A timestamped reading; carries the triggers that fired since the last sample. */
  sample(): PsiSample {
    const sample: PsiSample = { at: Date.now(), system: this.read() };
    if (this.pendingTriggers.size > 0) {
      sample.triggered = [...this.pendingTriggers];
      this.pendingTriggers.clear();
    }
    return sample;
  }

  /**
   * Calls `onSample` every `intervalMs` and, when triggers are armed, at once when one fires.
   * A read error after a good start (e.g. the kernel changed under us) is passed to `onError`, sampling goes on.
   */
  start(intervalMs: number, onSample: (sample: PsiSample) => void, onError: (error: Error) => void = () => undefined): void {
    this.stop();
    const tick = () => {
      try {
        onSample(this.sample());
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    };
    this.timer = setInterval(tick, Math.max(100, intervalMs));
    this.onTriggerSample = tick;
  }

  /** Stops periodic sampling (triggers stay armed until dispose or disarmTriggers). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.onTriggerSample = undefined;
  }

  get sampling(): boolean {
    return this.timer !== undefined;
  }

  private onTriggerSample: (() => void) | undefined;

  /**
   * Arms PSI triggers (one per resource and kind; re-arming replaces the previous set). Each firing calls
   * `onTrigger` and, while sampling, takes a sample at once. Throws with the kernel's rule when one cannot
   * be armed (e.g. EINVAL for a window that is not a multiple of 2 s without CAP_SYS_RESOURCE).
   */
  armTriggers(specs: PsiTriggerSpec[], onTrigger: (event: PsiTriggerEvent) => void = () => undefined): void {
    void this.disarmTriggers();
    if (specs.length === 0) return;
    this.waiter = new PsiTriggerWaiter(this.root, specs, (event) => {
      this.pendingTriggers.add(event.spec.resource);
      onTrigger(event);
      this.onTriggerSample?.();
    });
  }

  /** The armed trigger lines, e.g. `cpu: some 200000 2000000`. */
  get triggers(): string[] {
    return this.waiter?.lines ?? [];
  }

  /** Resolves when the trigger poll has returned and its fds are closed. */
  disarmTriggers(): Promise<void> {
    const waiter = this.waiter;
    this.waiter = undefined;
    return waiter ? waiter.dispose() : Promise.resolve();
  }

  /** Closes everything; the promise resolves once the trigger poll thread has let go of its fds. */
  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.stop();
    const triggersClosed = this.disarmTriggers();
    this.disposed = true;
    for (const fd of Object.values(this.fds)) fs.closeSync(fd);
    return triggersClosed;
  }

  private readOne(resource: PsiResource): ReturnType<typeof parsePressureFile> {
    const file = path.join(this.root, resource);
    let length: number;
    try {
      length = fs.readSync(this.fds[resource], this.buffer, 0, this.buffer.length, 0);
    } catch (error) {
      throw unavailable(file, error as NodeJS.ErrnoException);
    }
    try {
      return parsePressureFile(this.buffer.toString('latin1', 0, length), file);
    } catch (error) {
      if (error instanceof PsiParseError) throw new PsiUnavailableError(`PSI unreadable: ${error.message}`);
      throw error;
    }
  }
}

/** Opens a monitor, or returns the reason PSI is unavailable (never throws for a missing PSI). */
export function openPsiMonitor(root = PROC_PRESSURE): { monitor: PsiMonitor } | { reason: string } {
  try {
    return { monitor: new PsiMonitor(root) };
  } catch (error) {
    if (error instanceof PsiUnavailableError) return { reason: error.message };
    throw error;
  }
}
