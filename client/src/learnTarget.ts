/**
 * Where a new learned profile goes for a profile of phantom-fragment.yaml that has none yet: the folder the
 * configuration's other profile files live in (the examples keep them in `profiles/`), not the workspace root.
 * Pure: the configuration's text in, a path relative to the configuration's folder out.
 */
import path from 'node:path';

/** The `seccomp:` and `landlock:` file references of a configuration's text (block YAML, plain or quoted values). */
export function referencedProfileFiles(configText: string): string[] {
  const out: string[] = [];
  for (const m of configText.matchAll(/^\s+(?:seccomp|landlock):\s*["']?([^"'#\s{[][^"'#\s]*)["']?\s*(?:#.*)?$/gm)) out.push(m[1]);
  return out;
}

/**
 * The file to learn `profile` into: `<folder>/<profile>.<kind>.json` where `<folder>` is the folder most of the
 * other references use, else `profiles/` when `hasProfilesFolder` says it exists, else beside the configuration.
 */
export function proposedProfileFile(configText: string, profile: string, hasProfilesFolder: boolean, kind: 'seccomp' | 'landlock' = 'seccomp'): string {
  const name = `${profile.replace(/[^A-Za-z0-9_.-]/g, '-')}.${kind}.json`;
  const counts = new Map<string, number>();
  for (const ref of referencedProfileFiles(configText)) {
    if (path.isAbsolute(ref) || path.posix.normalize(ref.split(path.sep).join('/')).startsWith('..')) continue; // outside the project (`x/../../…` too): not a place to put new files
    const dir = path.posix.dirname(ref.split(path.sep).join('/'));
    counts.set(dir, (counts.get(dir) ?? 0) + 1);
  }
  const [folder] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [hasProfilesFolder ? 'profiles' : '.'];
  return folder === '.' ? name : `${folder}/${name}`;
}

/** Whether `file` (absolute) lies inside `folder` once `..` is resolved. */
export function insideFolder(file: string, folder: string): boolean {
  const relative = path.relative(folder, path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
