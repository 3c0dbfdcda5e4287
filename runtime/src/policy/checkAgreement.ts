/**
 * `phantom check` and `phantom run` accept and refuse the same files (the configuration, its seccomp and Landlock
 * files): before one is used, the
 * model loads it (model/src/loadFiles.ts: the one parser and validator of each format, the diagnostics `phantom
 * check` prints), and any error refuses the run with check's own message, file and place. The runtime's loaders
 * then only turn an accepted file into what the compilers need. Memoized by content.
 */
import { loadConfig, loadLandlockProfile, loadSeccompProfile } from '../../../model';
import { parsedOnce } from './parseMemo';
import { ProfileLoadError } from './seccompProfileLoader';

/**
 * Throws ProfileLoadError with check's first error when `phantom check` would report one for this text.
 * `dependsOn`: the state of whatever else check reads for this verdict (a configuration's referenced files): the
 * verdict is reused only while the text and that state are unchanged.
 */
export function refuseWhatCheckRefuses(file: string, text: string, kind: 'config' | 'seccomp' | 'landlock', dependsOn = ''): void {
  const first = parsedOnce(`check\0${kind}\0${file}`, `${text}\0${dependsOn}`, () => {
    const load = { config: loadConfig, seccomp: loadSeccompProfile, landlock: loadLandlockProfile }[kind];
    const errors = load(file, text).errors();
    return errors.length ? { line: errors[0].range.start.line + 1, column: errors[0].range.start.character + 1, message: errors[0].message, code: errors[0].code, more: errors.length - 1 } : null;
  });
  if (first) {
    throw new ProfileLoadError(`${file}:${first.line}:${first.column}: ${first.message} [${String(first.code)}]${first.more ? ` (and ${first.more} more)` : ''} — 'phantom check ${file}' lists every problem`);
  }
}
