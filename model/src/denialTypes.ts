/**
 * A refusal of a sandboxed run as the runtime reports it (runtime/src/denials/denials.ts, docs/sandbox.md "Denials"),
 * and the change that would allow it. Defined once here: the runtime protocol sends them, the language server turns
 * them into Problems and quick fixes, the client passes them through. Types only, from type-only modules (the
 * metrics webview's browser type-check follows them).
 */
import type { NetworkMode } from './config/configModel';

/** One distinct refusal of a run, explained. */
export interface Denial {
  kind: 'seccomp' | 'landlock' | 'network';
  syscall?: string;
  path?: string;
  /** Landlock right names. */
  access?: string[];
  /** "host:port" */
  address?: string;
  count: number;
  /** Deduced (an --explain replay), not observed. */
  inferred?: boolean;
  /** A refusal libraries expect and handle (a probe for a newer syscall): never a problem. */
  expected?: boolean;
  /** The errno the workload got (EPERM, ENOSYS …), or the signal that killed it. */
  result?: string;
  /** The decisive argument, named (AF_VSOCK, TIOCSTI, CLONE_NEWUSER …) or in hex. */
  argument?: string;
  source?: { file: string; line?: number; fragment?: string; reason?: string };
  fix?: string;
  /**
   * The fix as a structured change, for the editor to turn into one reviewed, undoable edit (the language server
   * computes the text edit from the file as it is then). Absent when the fix is words only.
   */
  edit?: DenialEdit;
}

/** A change that would allow a denial, in terms of the file that decided it. `file` is absolute. */
export type DenialEdit =
  /** Add `syscall` to the allow rule at `line` of a seccomp profile (or a new allow rule when `line` is absent). */
  | { kind: 'seccompAllow'; file: string; line?: number; syscall: string }
  /** Add fragment `fragment` to profile `profile` of a phantom-fragment.yaml. */
  | { kind: 'addFragment'; file: string; profile: string; fragment: string }
  /** Add a Landlock `pathBeneath` rule granting `access` on `path` (a landlockconfig file). */
  | { kind: 'landlockPath'; file: string; path: string; access: string[] }
  /** Add `path` to a profile's `filesystem.readOnly` / `readWrite` list in a phantom-fragment.yaml. */
  | { kind: 'filesystemPath'; file: string; profile: string; list: 'readOnly' | 'readWrite'; path: string }
  /** Set a profile's `network:` of a phantom-fragment.yaml to `mode`. */
  | { kind: 'network'; file: string; profile: string; mode: NetworkMode };
