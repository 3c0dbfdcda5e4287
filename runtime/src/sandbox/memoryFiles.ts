/**
 * Policy files for the helper (the compiled seccomp program, the Landlock rule list) as SEALED anonymous memory
 * files: the content goes into a memfd this process keeps open, then `F_ADD_SEALS` with F_SEAL_WRITE |
 * F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL makes it immutable for everyone, this process included. The helper
 * opens it as `/proc/<pid>/fd/<n>` (the same user may open another of its processes' descriptors there) and
 * checks the seals (native/src/landlock.c read_policy_file). No sandbox can reach it: a sandbox has its own pid
 * namespace and /proc, and nothing on disk is read between the runtime's compile and the helper's install — a
 * cache folder a sandbox could write changes nothing the helper trusts.
 *
 * The memfd is close-on-exec, so no other child inherits it; one per content, kept for the process's life (a few
 * KiB each), so warm zygotes receive their policies ahead of time at no per-run cost.
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import {
  F_ADD_SEALS, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE, MFD_ALLOW_SEALING, MFD_CLOEXEC, errno, errnoName, fcntl, memfd_create,
} from '../../../native/bindings/libc';

/** Every seal: no write, no size change, no further fcntl on the seals. */
export const POLICY_SEALS = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

const files = new Map<string, string>();

/** The path of a sealed memory file holding `content` (the same path for the same name and content). */
export function memoryFile(name: string, content: Buffer | string): string {
  const key = `${name}\0${createHash('sha256').update(content).digest('hex')}`;
  const known = files.get(key);
  if (known) return known;
  const fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw new Error(`memfd_create("${name}", MFD_CLOEXEC|MFD_ALLOW_SEALING): ${errnoName(errno())} — the sandbox policy cannot be handed to the helper`);
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  if (fcntl(fd, F_ADD_SEALS, 'int', POLICY_SEALS) < 0)
    throw new Error(`fcntl("${name}" memfd, F_ADD_SEALS, WRITE|SHRINK|GROW|SEAL): ${errnoName(errno())} — the policy could not be made immutable`);
  const file = `/proc/${process.pid}/fd/${fd}`;
  files.set(key, file);
  return file;
}
