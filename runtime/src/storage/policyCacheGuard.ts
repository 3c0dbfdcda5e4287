/**
 * The compiled-policy cache folder must never be writable from a sandbox: a run that could rewrite a cached
 * program would choose the filter of the next run (a `.bpf` rewritten to "allow" everything). The folders a
 * sandbox can write are its working directory (the workspace) and every read-write grant; the cache may be
 * neither inside one of them nor contain one. Such a run is refused (exit 125) with the folder named and the fix.
 * The private /tmp of a sandbox is its own: the fallback cache under the host's temporary folder is not in it.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ProfileLoadError } from '../../../model';

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p); // not there (yet): compared as written
  }
}

const within = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);

/** Throws ProfileLoadError when `cacheRoot` and a folder the sandbox can write overlap. */
export function assertCacheOutsideSandbox(cacheRoot: string | null, writable: string[]): void {
  if (cacheRoot === null) return; // policies in memory only: nothing on disk to protect
  const cache = real(cacheRoot);
  for (const w of writable) {
    const folder = real(w);
    if (within(cache, folder) || within(folder, cache)) {
      throw new ProfileLoadError(
        `the policy cache folder ${cache} is ${within(cache, folder) ? 'inside' : 'around'} ${folder}, which this sandbox can write: ` +
          'a run could rewrite the compiled policy of the next one, so none is started — set XDG_CACHE_HOME to a folder outside ' +
          'every workspace and read-write path (e.g. ~/.cache when you work elsewhere), or run from a folder that does not contain it',
      );
    }
  }
}
