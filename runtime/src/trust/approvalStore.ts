/**
 * The user's approvals of configurations wider than the defaults (`phantom trust`, the editor's "Always"), like
 * `direnv allow`: one record per (configuration, profile), bound to a hash of the configuration and every file its
 * profile references, with the widenings the user read. Kept in the user's state folder
 * (`$XDG_STATE_HOME/phantom-fragment/approvals.json`, default `~/.local/state/…`) — never in a repository, and
 * never where a sandbox could write (the runtime refuses a run that could, naming the folder). A store owned by
 * someone else or writable by others is not trusted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isWithin } from './policyWidenings';
import { ProfileLoadError } from '../../../model';

export interface ApprovalRecord {
  /** Absolute path of the phantom-fragment.yaml. */
  config: string;
  profile: string;
  /** sha256 over the configuration's path and text and each referenced file's path and content (subjectHash). */
  subject: string;
  /** The widenings, in plain words, as the user approved them: a run whose list has any other needs approval again. */
  widenings: string[];
  approvedAt: string;
}

interface StoreFile {
  version: 1;
  approvals: ApprovalRecord[];
}

/** The folder of the store (not created here). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'phantom-fragment');
}

export function storeFile(dir = stateDir()): string {
  return path.join(dir, 'approvals.json');
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for paths not made yet). */
export function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realOrResolved(parent), path.basename(abs));
  }
}

/**
 * Refuses (ProfileLoadError, exit 125) when a sandbox that may write `writable` could reach the store: it could
 * approve its own configuration for the next run. Checked for every run.
 */
export function assertStoreOutside(writable: string[], dir = stateDir()): void {
  const store = realOrResolved(dir);
  for (const w of writable) {
    const real = realOrResolved(w);
    if (isWithin(store, real) || isWithin(real, store)) {
      throw new ProfileLoadError(
        `the approval store ${store} is inside ${real}, which this run may write: a sandboxed program could approve its own configuration — ` +
          'set XDG_STATE_HOME to a folder outside it, or run from another folder',
      );
    }
  }
}

/** sha256 over the configuration's path, the profile and each file (path and content), in order. */
export function subjectHash(config: string, profile: string, files: { path: string; content: string | Buffer }[]): string {
  const h = createHash('sha256').update(`phantom-trust 1\0${config}\0${profile}\0`);
  for (const f of files) h.update(`${f.path}\0${createHash('sha256').update(f.content).digest('hex')}\0`);
  return h.digest('hex');
}

/** The hash a one-time approval names: the subject and the exact widenings. */
export function policyHash(subject: string, widenings: string[]): string {
  return createHash('sha256').update(`${subject}\0${widenings.join('\n')}`).digest('hex');
}

/** Why the store cannot be trusted, or undefined. */
function untrusted(file: string, stat: fs.Stats): string | undefined {
  if (stat.isSymbolicLink()) return `${file} is a symbolic link`;
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid) return `${file} belongs to uid ${stat.uid}, not you (${uid})`;
  if (stat.mode & 0o022) return `${file} is writable by others (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}

/** The records; an absent store is empty. Throws ProfileLoadError for a store that cannot be trusted or read. */
export function readApprovals(dir = stateDir()): ApprovalRecord[] {
  const file = storeFile(dir);
  let text: string;
  try {
    for (const p of [dir, file]) {
      const problem = untrusted(p, fs.lstatSync(p));
      if (problem) throw new ProfileLoadError(`approval store not trusted: ${problem} — remove it (phantom trust recreates it)`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const data = JSON.parse(text) as StoreFile;
    return Array.isArray(data.approvals) ? data.approvals.filter((r) => r && typeof r.subject === 'string' && Array.isArray(r.widenings)) : [];
  } catch {
    throw new ProfileLoadError(`${file}: not valid JSON — remove it, then approve again with phantom trust`);
  }
}

/** The record approving exactly this subject and these widenings, if any. */
export function findApproval(records: ApprovalRecord[], config: string, profile: string, subject: string, widenings: string[]): ApprovalRecord | undefined {
  return records.find((r) => r.config === config && r.profile === profile && r.subject === subject && widenings.every((w) => r.widenings.includes(w)));
}

function writeApprovals(records: ApprovalRecord[], dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = untrusted(dir, fs.lstatSync(dir));
  if (problem) throw new ProfileLoadError(`approval store not trusted: ${problem} — fix its owner and mode (0700)`);
  const file = storeFile(dir);
  // A temporary file in the same folder, renamed over the store: never written through a link, never half-written.
  const tmp = path.join(dir, `.approvals.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify({ version: 1, approvals: records } satisfies StoreFile, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Records an approval. It replaces the earlier ones of the same configuration and profile — unless those were for
 * the same files, when the widenings add up (a profile whose paths depend on `${file}` approved for two files).
 */
export function recordApproval(record: Omit<ApprovalRecord, 'approvedAt'>, dir = stateDir()): ApprovalRecord {
  const all = readApprovals(dir);
  const mine = (r: ApprovalRecord) => r.config === record.config && r.profile === record.profile;
  const earlier = all.filter((r) => mine(r) && r.subject === record.subject).flatMap((r) => r.widenings);
  const full: ApprovalRecord = { ...record, widenings: [...new Set([...earlier, ...record.widenings])], approvedAt: new Date().toISOString() };
  const others = all.filter((r) => !mine(r));
  writeApprovals([...others, full], dir);
  return full;
}

/** Removes the approvals of a configuration (of one profile when given); returns how many went. */
export function revokeApprovals(config: string, profile: string | undefined, dir = stateDir()): number {
  const all = readApprovals(dir);
  const kept = all.filter((r) => !(r.config === config && (profile === undefined || r.profile === profile)));
  if (kept.length !== all.length) writeApprovals(kept, dir);
  return all.length - kept.length;
}
