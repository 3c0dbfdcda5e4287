/**
 * Policy files for the helper when no folder can hold them (a user with no home and no writable temporary
 * folder): the content goes into an anonymous memory file (memfd) this process keeps open, and the helper opens
 * it as `/proc/<pid>/fd/<n>` — the same user may open another of its processes' descriptors there. The memfd is
 * close-on-exec, so no other child inherits it; one per content, kept for the process's life (a few KiB each).
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { MFD_CLOEXEC, errno, errnoName, memfd_create } from '../../native/bindings/libc';

const files = new Map<string, string>();

/** The path of a memory file holding `content` (the same path for the same name and content). */
export function memoryFile(name: string, content: Buffer | string): string {
  const key = `${name}\0${createHash('sha256').update(content).digest('hex')}`;
  const known = files.get(key);
  if (known) return known;
  const fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw new Error(`memfd_create("${name}"): ${errnoName(errno())} — no folder to write the sandbox policy to, and no memory file either`);
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  const file = `/proc/${process.pid}/fd/${fd}`;
  files.set(key, file);
  return file;
}
