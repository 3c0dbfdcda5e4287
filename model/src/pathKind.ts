/** What an absolute path names on this machine, for the path checks of Landlock profiles (server side only). */
import fs from 'node:fs';
import type { PathKind } from './validationContext';

export function fileSystemPathKind(absolutePath: string): PathKind {
  try {
    const stat = fs.statSync(absolutePath);
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    // EACCES and the like: the path may well exist for the sandboxed process; say nothing.
    return 'other';
  }
}
