/**
 * `phantom check` and `phantom run` accept and refuse the same files (the configuration, its seccomp and Landlock
 * files): before one is used, the
 * model loads it (model/src/loadFiles.ts: the one parser and validator of each format, the diagnostics `phantom
 * check` prints), and any error refuses the run with check's own message, file and place. The typed profiles the
 * compilers take come from the same model (loadSeccompProfile(...).profile()). Memoized by content.
 */
import { firstErrorOf, loadConfig, loadLandlockProfile, loadSeccompProfile, ProfileLoadError, refusalMessage } from '../../../model';
import { parsedOnce } from './parseMemo';

/**
 * Throws ProfileLoadError with check's first error when `phantom check` would report one for this text.
 * `dependsOn`: the state of whatever else check reads for this verdict (a configuration's referenced files): the
 * verdict is reused only while the text and that state are unchanged.
 */
export function refuseWhatCheckRefuses(file: string, text: string, kind: 'config' | 'seccomp' | 'landlock', dependsOn = ''): void {
  const first = parsedOnce(`check\0${kind}\0${file}`, `${text}\0${dependsOn}`, () => {
    const load = { config: loadConfig, seccomp: loadSeccompProfile, landlock: loadLandlockProfile }[kind];
    return firstErrorOf(load(file, text).errors());
  });
  if (first) throw new ProfileLoadError(refusalMessage(file, first));
}
