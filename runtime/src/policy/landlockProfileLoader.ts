/**
 * Landlock profile files (landlockconfig's data model: JSON/YAML camelCase, TOML snake_case) → the typed profile the
 * compiler takes. The model reads them (model/src/loadFiles.ts: the one parser and validator of the format, the
 * diagnostics `phantom check` prints); this file only reads the file from disk and refuses what check refuses, with
 * check's message.
 */
import { readFileSync } from 'node:fs';
import { loadLandlockProfile as loadModel, ProfileLoadError, type LandlockConfig } from '../../../model';

export function loadLandlockProfile(file: string): LandlockConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileLoadError(`${file}: cannot read the Landlock profile (${(e as NodeJS.ErrnoException).code ?? String(e)}) — check the path given to --landlock`);
  }
  return loadModel(file, text).profile();
}
