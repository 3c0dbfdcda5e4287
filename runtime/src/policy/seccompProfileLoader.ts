/**
 * Seccomp profile files → the typed profile the compiler takes. The model reads them (model/src/loadFiles.ts: the
 * one parser and validator of the format, the diagnostics `phantom check` prints); this file only reads the file from
 * disk, refuses what check refuses with check's message, and keeps the model of identical text.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadSeccompProfile as loadModel, ProfileLoadError, type SeccompProfile } from '../../../model';

export { ProfileLoadError };

/** Reads a profile file and gives its typed profile; errors are ProfileLoadError with the file named. `unreadableHint`
 * names the argument the file came from, for the message when it cannot be read. */
export function loadSeccompProfile(file: string, unreadableHint = 'check the path given to --seccomp'): { profile: SeccompProfile; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ProfileLoadError(`${file}: cannot read the seccomp profile (${code}) — ${unreadableHint}`);
  }
  // Validating Docker's profile costs milliseconds: a run reuses the model of identical text.
  const key = `${file}\0${createHash('sha256').update(text).digest('hex')}`;
  let profile = parsed.get(key);
  if (!profile) {
    profile = loadModel(file, text).profile(); // refuses what `phantom check` refuses, with its message
    if (parsed.size > 64) parsed.clear();
    parsed.set(key, profile);
  }
  return { profile, text };
}

const parsed = new Map<string, SeccompProfile>();
