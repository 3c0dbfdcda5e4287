/**
 * What validation may know beyond the text: facts about the machine, given by the server (which gets
 * them from the client and the filesystem). Every field is optional: without it the checks that need it
 * are skipped, so validation stays a pure function in tests.
 */
export type PathKind = 'file' | 'directory' | 'other' | 'missing';

export interface ValidationContext {
  /** The Landlock ABI of the running kernel, as the runtime probed it (0: Landlock unavailable). */
  kernelLandlockAbi?: number;
  /** What an absolute path names on this machine. */
  pathKind?: (absolutePath: string) => PathKind;
  /** The text of a file (absolute path), or undefined when it cannot be read (files referenced by phantom-fragment.yaml). */
  readFile?: (absolutePath: string) => string | undefined;
  /** The entries of a directory (absolute path) with their kind; [] when it cannot be read (path completion). */
  listDirectory?: (absolutePath: string) => { name: string; kind: PathKind }[];
}
