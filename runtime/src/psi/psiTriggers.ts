/**
 * PSI triggers: the kernel wakes a poller (POLLPRI) as soon as a resource's stall time crosses a threshold
 * within a window, instead of us noticing at the next sample.
 *
 * How: each trigger is its own fd on the pressure file (O_RDWR), armed by writing e.g. `some 300000 2000000`
 * followed by a NUL — the kernel replaces the LAST byte written with a NUL, so without one the window loses its
 * last digit (2000000 → 200000) and the write fails with EINVAL. Node cannot poll an fd for POLLPRI, so one
 * poll() over all trigger fds plus an eventfd (to wake it for dispose) runs on a libuv thread-pool thread
 * through koffi (native/bindings/poll.ts). That costs one pool thread while armed and no CPU: the poll sleeps
 * in the kernel. A C helper mode would need a second process; a worker thread would need its own bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EFD_CLOEXEC, EFD_NONBLOCK, errno, eventfd, POLLERR, POLLIN, POLLNVAL, POLLPRI, pollAsync } from '../../../native/bindings/poll';
import { triggerLine, type PsiTriggerSpec } from './psiParser';

export interface PsiTriggerEvent {
  spec: PsiTriggerSpec;
  /** The line the trigger was armed with, e.g. `some 300000 2000000`. */
  line: string;
  /** Milliseconds since the epoch when the poll returned. */
  at: number;
}

/** Why a trigger write failed, with the kernel rule behind the errno. */
export function triggerWriteError(file: string, line: string, error: NodeJS.ErrnoException): Error {
  const code = error.code ?? error.message;
  const hints: Record<string, string> = {
    EINVAL:
      'the kernel refused the trigger: the window must be 500 ms–10 s and, without CAP_SYS_RESOURCE, a multiple of 2 s ' +
      '(e.g. "some 300000 2000000"); the stall must be above 0 and at most the window',
    EACCES: 'permission denied: writing triggers needs root or a kernel that allows unprivileged triggers (6.x, file mode 0666)',
    EPERM: 'operation not permitted: writing triggers needs root or a kernel that allows unprivileged triggers (6.x)',
    EBUSY: 'this fd already carries a trigger',
    EOPNOTSUPP: 'PSI is disabled on this kernel (boot with psi=1)',
  };
  return new Error(`write("${line}") to ${file}: ${code} — ${hints[code] ?? 'the kernel refused the trigger'}`, { cause: error });
}

/** Arms the triggers and reports each firing until disposed. The constructor throws when a trigger cannot be armed. */
export class PsiTriggerWaiter {
  private readonly armed: { fd: number; spec: PsiTriggerSpec; line: string }[] = [];
  private readonly wakeFd: number;
  private disposed = false;
  /** Resolves when the poll loop has ended and every fd is closed. */
  readonly done: Promise<void>;

  constructor(
    root: string,
    specs: PsiTriggerSpec[],
    private readonly onTrigger: (event: PsiTriggerEvent) => void,
    private readonly onError: (error: Error) => void = (error) => console.error(`psi triggers: ${error.message}`),
  ) {
    try {
      for (const spec of specs) {
        const line = triggerLine(spec);
        const file = path.join(root, spec.resource);
        const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
        this.armed.push({ fd, spec, line });
        try {
          fs.writeSync(fd, `${line}\0`);
        } catch (error) {
          throw triggerWriteError(file, line, error as NodeJS.ErrnoException);
        }
      }
      this.wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (this.wakeFd < 0) throw new Error(`eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK): errno ${errno()} — cannot make the wake-up fd for the trigger poll`);
    } catch (error) {
      for (const { fd } of this.armed) fs.closeSync(fd);
      throw error;
    }
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const live = [...this.armed];
    try {
      while (!this.disposed && live.length > 0) {
        const { result, revents } = await pollAsync([...live.map((a) => ({ fd: a.fd, events: POLLPRI })), { fd: this.wakeFd, events: POLLIN }], -1);
        if (this.disposed) break;
        if (result < 0) continue; // EINTR: poll again
        const at = Date.now();
        for (let i = live.length - 1; i >= 0; i--) {
          const r = revents[i];
          if (r & (POLLERR | POLLNVAL)) {
            // The file went away (a removed cgroup) or the trigger broke: stop waiting on it, say so once.
            this.onError(new Error(`${live[i].spec.resource} trigger "${live[i].line}": poll reported ${r & POLLNVAL ? 'POLLNVAL' : 'POLLERR'}; the trigger is dropped`));
            live.splice(i, 1);
          } else if (r & POLLPRI) {
            this.onTrigger({ spec: live[i].spec, line: live[i].line, at });
          }
        }
      }
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      for (const { fd } of this.armed) fs.closeSync(fd);
      fs.closeSync(this.wakeFd);
    }
  }

  get lines(): string[] {
    return this.armed.map((a) => `${a.spec.resource}: ${a.line}`);
  }

  /** Wakes the poll and closes the fds once it has returned (never while the other thread still polls them). */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      const one = Buffer.alloc(8);
      one.writeBigUInt64LE(1n);
      fs.writeSync(this.wakeFd, one);
    }
    return this.done;
  }
}
