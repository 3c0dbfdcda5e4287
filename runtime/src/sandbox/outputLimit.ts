/**
 * The output limit of a run: stdout and stderr together pass at most `limitBytes`; the byte that would pass it
 * stops the run (SIGKILL to the helper, which takes the whole sandbox with it) and the rest is dropped. The exit says
 * so (`outputLimited` and a note), so a cut run is never mistaken for one that ended by itself.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { SandboxExit } from './sandboxSpawn';

interface Limitable<E extends SandboxExit> {
  stdout: Readable;
  stderr: Readable;
  exited: Promise<E>;
  kill(signal?: NodeJS.Signals): void;
}

export type LimitedExit<E> = E & { outputLimited?: number };

export function limitOutput<E extends SandboxExit, T extends Limitable<E>>(sandbox: T, limitBytes: number): Omit<T, 'stdout' | 'stderr' | 'exited'> & { stdout: Readable; stderr: Readable; exited: Promise<LimitedExit<E>> } {
  let passed = 0;
  let cut = false;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const forward = (from: Readable, to: PassThrough) => {
    from.on('data', (chunk: Buffer) => {
      if (cut) return; // drained and dropped: the sandbox is being killed
      const room = limitBytes - passed;
      if (chunk.length <= room) {
        passed += chunk.length;
        to.write(chunk);
        return;
      }
      if (room > 0) to.write(chunk.subarray(0, room));
      passed = limitBytes;
      cut = true;
      sandbox.kill('SIGKILL');
    });
    from.once('end', () => to.end());
    from.once('close', () => to.end());
  };
  forward(sandbox.stdout, stdout);
  forward(sandbox.stderr, stderr);
  const exited = sandbox.exited.then((exit): LimitedExit<E> => {
    if (!cut) return exit;
    return { ...exit, outputLimited: limitBytes, notes: [...exit.notes, `output limit of ${limitBytes} bytes reached: the run was stopped and the rest of its output dropped (limits.output)`] };
  });
  return { ...sandbox, stdout, stderr, exited };
}
