/**
 * The filesystem as the configuration features see it (server and CLI side only): read a referenced
 * profile, list a directory for path completion. Tests inject their own `ValidationContext` instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystemPathKind } from '../pathKind';
import type { PathKind, ValidationContext } from '../validationContext';

/** Referenced profiles larger than this are not read (a profile is kilobytes; Docker's is 20 KB). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Path completion looks at no more entries than this per directory. */
const MAX_ENTRIES = 2000;

export function fileSystemReadFile(absolutePath: string): string | undefined {
  try {
    if (fs.statSync(absolutePath).size > MAX_FILE_BYTES) return undefined;
    return fs.readFileSync(absolutePath, 'utf8');
  } catch {
    return undefined; // Unreadable: the caller reports what it can (pathKind says whether it exists).
  }
}

export function fileSystemListDirectory(absolutePath: string): { name: string; kind: PathKind }[] {
  try {
    return fs
      .readdirSync(absolutePath, { withFileTypes: true })
      .slice(0, MAX_ENTRIES)
      .map((e) => ({ name: e.name, kind: e.isDirectory() ? 'directory' : e.isFile() ? 'file' : e.isSymbolicLink() ? fileSystemPathKind(path.join(absolutePath, e.name)) : 'other' }));
  } catch {
    return []; // An unreadable directory offers nothing to complete.
  }
}

/** Every file access the validators know, on the real filesystem (the server's and `phantom check`'s context). */
export function fileSystemContext(): ValidationContext {
  return { pathKind: fileSystemPathKind, readFile: fileSystemReadFile, listDirectory: fileSystemListDirectory };
}

/** The directory of a `file:` document uri, or undefined for other schemes (untitled documents). */
export function documentDirectory(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.dirname(fileURLToPath(uri));
  } catch {
    return undefined; // A malformed uri: no filesystem features for it.
  }
}
