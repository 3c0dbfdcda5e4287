/**
 * A parsed `phantom-fragment.yaml` as the configuration features share it: its model (memoized per
 * document version) and where the files it references are.
 */
import path from 'node:path';
import type { ParsedDocument } from '../parsedDocument';
import type { PathSegment } from '../sourceTree';
import { readConfig, type PhantomConfig } from './configModel';
import { documentDirectory } from './fileAccess';

export function configOf(doc: ParsedDocument): PhantomConfig {
  let config = doc.memo.get('config.model') as PhantomConfig | undefined;
  if (!config) {
    config = readConfig(doc.value());
    doc.memo.set('config.model', config);
  }
  return config;
}

/** A reference to a profile file, relative to the configuration file (absolute paths stay as written). */
export function resolveReference(doc: ParsedDocument, reference: string): string | undefined {
  if (path.isAbsolute(reference)) return path.normalize(reference);
  const dir = documentDirectory(doc.document.uri);
  return dir === undefined ? undefined : path.resolve(dir, reference);
}

/** `profiles.<name>.seccomp|landlock` as a string value: which policy kind it references. */
export function referenceKind(path: readonly PathSegment[]): 'seccomp' | 'landlock' | undefined {
  if (path.length !== 3 || path[0] !== 'profiles') return undefined;
  return path[2] === 'seccomp' || path[2] === 'landlock' ? path[2] : undefined;
}

/** Whether `path` is an item of a `fragments` list (of a profile or of a declared fragment). */
export function isFragmentReference(path: readonly PathSegment[]): boolean {
  return path.length === 4 && (path[0] === 'profiles' || path[0] === 'fragments') && path[2] === 'fragments' && typeof path[3] === 'number';
}
