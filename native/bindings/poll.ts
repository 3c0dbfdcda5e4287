/**
 * Raw poll(2) and eventfd(2) bindings through koffi, kept 1:1 with the C names. Node cannot poll an arbitrary
 * fd for POLLPRI (what a PSI trigger raises), so the PSI monitor calls poll() here.
 *
 * `poll` is called with koffi's `.async`: the call blocks on one libuv thread-pool thread, not on the event
 * loop. The pollfd array lives in koffi().alloc() memory (stable while the other thread uses it), freed when
 * the call returns. An eventfd in the set lets the caller wake a poll that waits forever.
 * Loaded on first use, so importing this module costs nothing.
 */
import { koffi } from './koffi';
import { libcHandle } from './libc';

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export interface PollFd {
  fd: number;
  events: number;
}

export interface PollResult {
  /** poll()'s return value: the number of fds with events, 0 on timeout, -1 on error. */
  result: number;
  /** revents per fd, in the order given. */
  revents: number[];
}

type AsyncFn = { async: (...args: unknown[]) => void };

interface LibPoll {
  poll: AsyncFn & ((...args: unknown[]) => number);
  eventfd: (initval: number, flags: number) => number;
}

/** sizeof(struct pollfd) on Linux: int fd; short events; short revents. */
const POLLFD_SIZE = 8;

let loaded: LibPoll | undefined;

function lib(): LibPoll {
  if (loaded) return loaded;
  const handle = libcHandle();
  loaded = {
    poll: handle.func('int poll(void *fds, unsigned long nfds, int timeout)') as LibPoll['poll'],
    eventfd: handle.func('int eventfd(unsigned int initval, int flags)') as LibPoll['eventfd'],
  };
  return loaded;
}

/** int poll(struct pollfd *fds, nfds_t nfds, int timeout), run on a thread-pool thread. */
export function pollAsync(fds: PollFd[], timeoutMs: number): Promise<PollResult> {
  const { poll } = lib();
  const memory = koffi().alloc('uint8_t', fds.length * POLLFD_SIZE) as unknown;
  const bytes = Buffer.alloc(fds.length * POLLFD_SIZE);
  fds.forEach((f, i) => {
    bytes.writeInt32LE(f.fd, i * POLLFD_SIZE);
    bytes.writeInt16LE(f.events, i * POLLFD_SIZE + 4);
  });
  koffi().encode(memory, 'uint8_t', [...bytes], bytes.length);
  return new Promise((resolve, reject) => {
    poll.async(memory, fds.length, timeoutMs, (error: unknown, result: number) => {
      try {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const out = Buffer.from(koffi().decode(memory, 'uint8_t', fds.length * POLLFD_SIZE) as number[]);
        resolve({ result, revents: fds.map((_, i) => out.readUInt16LE(i * POLLFD_SIZE + 6)) });
      } finally {
        koffi().free(memory);
      }
    });
  });
}

/** int eventfd(unsigned int initval, int flags); -1 on failure. */
export function eventfd(initval: number, flags: number): number {
  return lib().eventfd(initval, flags);
}

/** koffi's errno of the calling thread (valid right after a synchronous call). */
export function errno(): number {
  return koffi().errno();
}
