/**
 * Shown = enforced: what the sandbox of a profile really gives each path, with every layer applied. Pure.
 *
 * The layers, each of which can only narrow (docs/configuration.md, "Layers"):
 * 1. The mount view: the fragments' and the profile's `filesystem` paths; the workspace is a read-only mount when
 *    the profile decides its filesystem itself (it is composed from fragments, or names the workspace read-only)
 *    and nothing grants it read-write.
 * 2. The fragments' Landlock layer (a profile composed from fragments): their paths and rules.
 * 3. The profile's own Landlock policy (file or inline): a Landlock layer of its own, on top.
 *
 * `pathAccess` lists each path the sandbox sees with its access and the settings that decided it (`phantom explain
 * --json`); `uselessGrants` finds the grants of the profile's own Landlock policy that a lower layer makes useless,
 * for a diagnostic on the line that writes them.
 */
import type { JsonValue } from '../sourceTree';
import type { EffectivePolicy } from './effectivePolicy';

export const WORKSPACE = '${workspaceFolder}';

export type Access = 'read-write' | 'read-only' | 'hidden' | 'none';

export interface PathClaim {
  /** As written in the configuration (`${workspaceFolder}` unsubstituted). */
  path: string;
  access: Access;
  /** The settings that decided it, e.g. "fragment workspace-read: filesystem.readOnly". */
  decidedBy: string[];
}

/** Landlock filesystem rights that change something (everything but execute, read_file, read_dir). */
const WRITE_RIGHTS = new Set(['write_file', 'remove_dir', 'remove_file', 'make_char', 'make_dir', 'make_reg', 'make_sock', 'make_fifo', 'make_block', 'make_sym', 'refer', 'truncate', 'abi.read_write', 'abi.all']);

/** true when `inner` is `outer` or beneath it (both as written). */
export function beneath(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}

/** The profile decides the workspace's access itself (the runtime mounts it read-only unless it grants write). */
export function decidesFilesystem(policy: EffectivePolicy): boolean {
  return policy.fragments.length > 0 || policy.filesystem.readOnly.some((p) => beneath(WORKSPACE, p));
}

/** Who granted a path (a fragment, or the profile), from the effective policy's lists. */
function grantOf(policy: EffectivePolicy, list: 'readOnly' | 'readWrite', p: string): string {
  return `${policy.pathsFrom[p] ?? `profile ${policy.profile}`}: filesystem.${list} ${p}`;
}

/** The workspace's access through the mount view and the fragments' layer (layers 1 and 2). */
export function workspaceAccess(policy: EffectivePolicy): PathClaim {
  const fs = policy.filesystem;
  const rw = fs.readWrite.find((p) => beneath(WORKSPACE, p));
  if (rw) return { path: WORKSPACE, access: 'read-write', decidedBy: [grantOf(policy, 'readWrite', rw)] };
  if (!decidesFilesystem(policy)) return { path: WORKSPACE, access: 'read-write', decidedBy: ['default: the run\u2019s folder is read-write (a profile without fragments or filesystem paths of its own)'] };
  const ro = fs.readOnly.find((p) => beneath(WORKSPACE, p));
  if (ro) return { path: WORKSPACE, access: 'read-only', decidedBy: [grantOf(policy, 'readOnly', ro), 'no read-write grant: a read-only mount'] };
  return { path: WORKSPACE, access: 'none', decidedBy: [`fragments ${policy.fragments.join(', ')}: none grants the workspace (a read-only mount Landlock gives no access to)`] };
}

interface OwnRule {
  rights: string[];
  parents: string[];
}

/** The path rules of a profile's own Landlock policy (landlockconfig JSON as parsed), parents as written. */
export function ownLandlockRules(value: JsonValue | undefined): OwnRule[] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, JsonValue>;
  const rules = o.pathBeneath ?? o.path_beneath;
  if (!Array.isArray(rules)) return [];
  return rules.map((r) => {
    const o = r && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, JsonValue>) : {};
    const strings = (v: JsonValue | undefined) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { rights: strings(o.allowedAccess ?? o.allowed_access), parents: strings(o.parent) };
  });
}

/** A parent of the profile's own Landlock file as the sandbox sees it: `.` is the run's folder (the workspace). */
function asWritten(parent: string): string {
  if (parent === '.' || parent === './') return WORKSPACE;
  if (parent.startsWith('./')) return `${WORKSPACE}/${parent.slice(2)}`;
  return parent;
}

/** What the profile's own layer lets through at `p`: 'read-write', 'read-only' or 'none' (the nearest rules). */
function ownLayerAccess(rules: OwnRule[], p: string): { access: Access; by: string[] } {
  let write = false;
  let read = false;
  const by: string[] = [];
  rules.forEach((r, i) => {
    for (const parent of r.parents.map(asWritten)) {
      if (!beneath(p, parent)) continue;
      if (r.rights.some((x) => WRITE_RIGHTS.has(x))) write = true;
      if (r.rights.some((x) => x === 'read_file' || x === 'read_dir' || x.startsWith('abi.'))) read = true;
      by.push(`the profile's Landlock layer: pathBeneath[${i}] ${r.rights.join(', ')} on ${parent}`);
    }
  });
  return { access: write ? 'read-write' : read ? 'read-only' : 'none', by: by.length ? by : ['the profile\u2019s Landlock layer: no rule for it'] };
}

function narrower(a: Access, b: Access): Access {
  const rank: Record<Access, number> = { hidden: -1, none: 0, 'read-only': 1, 'read-write': 2 };
  return rank[a] <= rank[b] ? a : b;
}

/**
 * Each path the sandbox of the profile sees (the workspace, the filesystem paths of its fragments and its own,
 * hidden paths), with its access after every layer and the settings that decided it. `ownLandlock`: the profile's
 * own Landlock policy when it is known (inline, or a file the caller read); without it that layer is not applied.
 */
export function pathAccess(policy: EffectivePolicy, ownLandlock?: JsonValue): PathClaim[] {
  const fs = policy.filesystem;
  const claims: PathClaim[] = [workspaceAccess(policy)];
  for (const p of fs.readWrite) if (p !== WORKSPACE) claims.push({ path: p, access: 'read-write', decidedBy: [grantOf(policy, 'readWrite', p)] });
  for (const p of fs.readOnly) if (p !== WORKSPACE) claims.push({ path: p, access: 'read-only', decidedBy: [grantOf(policy, 'readOnly', p)] });
  const rules = ownLandlockRules(ownLandlock);
  const layered = rules
    ? claims.map((c) => {
      const own = ownLayerAccess(rules, c.path);
      const access = narrower(c.access, own.access);
      return access === c.access ? { ...c, decidedBy: [...c.decidedBy, ...own.by] } : { path: c.path, access, decidedBy: [...own.by, `narrows ${c.access} (${c.decidedBy.join('; ')})`] };
    })
    : claims;
  for (const p of fs.hidden) layered.push({ path: p, access: 'hidden', decidedBy: ['filesystem.hidden: covered by an empty read-only mount'] });
  return layered;
}

export interface UselessGrant {
  /** Index of the pathBeneath rule and of the parent in it. */
  rule: number;
  parent: number;
  message: string;
}

/**
 * Grants of the profile's own Landlock policy that a lower layer makes useless: write on a path the profile keeps
 * read-only (or does not grant at all). Only for profiles composed from fragments (their own layer is on top of the
 * fragments' one); /dev and /proc are left alone (the fragments' layer has its own device rules).
 */
export function uselessGrants(policy: EffectivePolicy, ownLandlock: JsonValue | undefined): UselessGrant[] {
  if (policy.fragments.length === 0) return [];
  const rules = ownLandlockRules(ownLandlock) ?? [];
  const out: UselessGrant[] = [];
  const fs = policy.filesystem;
  rules.forEach((r, i) => {
    if (!r.rights.some((x) => WRITE_RIGHTS.has(x))) return;
    r.parents.forEach((raw, j) => {
      const p = asWritten(raw);
      if (!p.startsWith('/') && !p.startsWith(WORKSPACE)) return;
      if (beneath(p, '/dev') || beneath(p, '/proc')) return;
      // Useful where a read-write grant meets it: on p itself, or on a folder beneath p (a learned proposal writes
      // one rule on the workspace for a profile whose fragments grant only `${workspaceFolder}/cache` read-write).
      if (fs.readWrite.some((w) => beneath(p, w) || beneath(w, p))) return;
      const what = p === WORKSPACE ? 'the workspace' : beneath(p, WORKSPACE) ? `${raw} (in the workspace)` : raw;
      const ro = fs.readOnly.some((w) => beneath(p, w));
      out.push({
        rule: i,
        parent: j,
        message: ro
          ? `grants write on ${what}, but profile '${policy.profile}' keeps it read-only: this has no effect (the Landlock policy is a layer on top of the fragments' and can only narrow).`
          : `grants write on ${what}, but no fragment of profile '${policy.profile}' grants it read-write: this has no effect (the Landlock policy is a layer on top of the fragments' and can only narrow).`,
      });
    });
  });
  return out;
}
