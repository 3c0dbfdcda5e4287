/**
 * Where the runtime may write: its policy cache and its scratch directories (learn recordings, replays).
 * Each is private to the user (mode 0700, owned by us), never a shared, guessable path where another user could
 * plant a permissive filter. A user without a home (nobody) or with an unwritable $TMPDIR still gets one: the
 * candidates are tried in order, and when none works the error names each with its reason and the fix.
 */
import { accessSync, constants, lstatSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Directories for temporary files, best first: $TMPDIR (os.tmpdir()), then the system's. */
export function scratchParents(): string[] {
  return [...new Set([os.tmpdir(), '/tmp', '/dev/shm'])];
}

export class NoWritableDirectoryError extends Error {}

function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

function failure(what: string, tried: string[]): NoWritableDirectoryError {
  return new NoWritableDirectoryError(
    `no private directory for ${what} could be made (${tried.join('; ')}): set TMPDIR or XDG_CACHE_HOME to a directory you can write`,
  );
}

/** A fresh private directory `<parent>/<prefix>XXXXXX` in the first parent that allows it. */
export function makeScratchDir(prefix: string, what = 'temporary files'): string {
  const tried: string[] = [];
  for (const parent of scratchParents()) {
    try {
      return mkdtempSync(path.join(parent, prefix));
    } catch (err) {
      tried.push(`${parent}: ${reason(err)}`);
    }
  }
  throw failure(what, tried);
}

/** `dir` when it is (or can be made) a real directory of ours, closed to others, that we can write now. */
function trustedDir(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // already there (or not creatable): trusted only if it passes the checks below
  }
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) return false;
    accessSync(dir, constants.W_OK); // a read-only mount says EROFS here
    return true;
  } catch {
    return false;
  }
}

/**
 * A private directory named `name` that later runs of the same user find again (a cache), in the first scratch
 * parent that allows it; when the stable name is taken by someone else, a fresh one for this process.
 */
export function stablePrivateDir(name: string, what: string): string {
  const tried: string[] = [];
  for (const parent of scratchParents()) {
    const dir = path.join(parent, name);
    if (trustedDir(dir)) return dir;
    try {
      return mkdtempSync(`${dir}-`);
    } catch (err) {
      tried.push(`${parent}: ${reason(err)}`);
    }
  }
  throw failure(what, tried);
}
