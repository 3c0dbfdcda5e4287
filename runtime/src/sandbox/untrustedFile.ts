/**
 * Reading a small file the repository or an earlier sandboxed run may have planted (a `.python-version`, a
 * `.gitmodules`): on the runtime's side, where a blocking or endless read would stall every run. A FIFO would block
 * `readFileSync` forever, a link to `/dev/zero` would fill the runtime's memory: only a regular file is read
 * (opened with O_NONBLOCK, checked with fstat on the same descriptor), and at most `maxBytes` of it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export interface UntrustedReadOptions {
  /** Most bytes read (the rest is ignored). */
  maxBytes: number;
  /** Refuse a symbolic link as the last component (O_NOFOLLOW), as git does for `.gitmodules`. */
  noFollow?: boolean;
}

/** The first `maxBytes` of `file` as UTF-8 when it is a regular file, else null (absent, a FIFO, a device, …). */
export function readUntrustedText(file: string, options: UntrustedReadOptions): string | null {
  const head = readUntrustedHead(file, options);
  return head === null ? null : head.toString('utf8');
}

/** The first `maxBytes` of `file` when it is a regular file, else null. */
export function readUntrustedHead(file: string, options: UntrustedReadOptions): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (options.noFollow ? constants.O_NOFOLLOW : 0));
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(options.maxBytes);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The whole text of a configuration or profile file the repository names (it may name `/dev/zero`, or a FIFO it
 * left): throws, with `code` saying why, unless it is a regular file of at most `maxBytes`.
 */
export function readRegularText(file: string, maxBytes: number): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'not a regular file' });
    const buf = Buffer.alloc(maxBytes + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    if (got > maxBytes) throw Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: `larger than ${maxBytes} bytes` });
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
