/**
 * Landlock policy → the helper's rule list (`--landlock-rules FILE`, format in native/src/landlock.c):
 * handled rights, scopes, (path, rights) and (port, rights) pairs. Groups and variables are expanded here;
 * the helper only opens the paths inside the sandbox's final view and calls the three Landlock syscalls.
 * Also builds the default ruleset that mirrors the built-in filesystem view.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { landlockData, closest } from '../../../model';
import { ProfileLoadError } from '../../../model';
import type { LandlockConfig } from '../../../model';
import { memoryFile } from '../sandbox/memoryFiles';

export interface LandlockPlan {
  /** ABI the masks were computed for. */
  abi: number;
  handledFs: number;
  handledNet: number;
  scoped: number;
  rules: { path?: string; port?: number; access: number }[];
  /** Drop (and report) what the kernel lacks instead of failing the run. */
  bestEffort: boolean;
}

type Kind = 'fs' | 'net' | 'scope';
interface Right { name: string; value: number; abi: number }
const RIGHTS: Record<Kind, Right[]> = { fs: landlockData.accessFs, net: landlockData.accessNet, scope: landlockData.scopes };
const GROUPS = landlockData.groupsByAbi as Record<string, Record<Kind, Record<string, string[]>>>;
export const MAX_KNOWN_ABI: number = landlockData.maxKnownAbi;

/** Bitmask of every right of `kind` that ABI `abi` knows. */
export function rightsOfAbi(kind: Kind, abi: number): number {
  return RIGHTS[kind].filter((r) => r.abi <= abi).reduce((m, r) => m | r.value, 0);
}

function maskOf(names: string[], kind: Kind, abi: number | undefined, where: string): number {
  let mask = 0;
  for (const name of names) {
    if (name.startsWith('abi.')) {
      if (abi === undefined) throw new ProfileLoadError(`${where}: group ${name} needs the profile's abi — add e.g. abi = 4 (variable 'abi' not found)`);
      const expanded = GROUPS[String(Math.min(abi, MAX_KNOWN_ABI))]?.[kind]?.[name];
      if (!expanded) throw new ProfileLoadError(`${where}: ${name} is not a group for ${kind === 'fs' ? 'filesystem' : kind === 'net' ? 'network' : 'scope'} rights — use abi.all${kind === 'fs' ? ', abi.read_execute or abi.read_write' : ''}`);
      mask |= maskOf(expanded, kind, abi, where);
      continue;
    }
    const right = RIGHTS[kind].find((r) => r.name === name);
    if (!right) {
      const names = RIGHTS[kind].map((r) => r.name);
      const near = closest(name, names);
      throw new ProfileLoadError(`${where}: unknown right '${name}' — ${near ? `did you mean '${near}'?` : `use one of ${names.join(', ')}`}`);
    }
    mask |= right.value;
  }
  return mask;
}

/** "${name}" → each literal in turn (every combination for several variables); "$$" → "$". */
function expandVariables(text: string, vars: Map<string, string[]>, where: string): string[] {
  const m = /\$\{([A-Za-z][A-Za-z0-9_]*)\}|\$\$/.exec(text);
  if (!m) return [text];
  const head = text.slice(0, m.index);
  const tail = text.slice(m.index + m[0].length);
  if (m[0] === '$$') return expandVariables(tail, vars, where).map((t) => `${head}$${t}`);
  const values = vars.get(m[1]);
  if (!values) throw new ProfileLoadError(`${where}: variable '${m[1]}' is not defined — add it under variable, or write $$ for a literal $`);
  return values.flatMap((v) => expandVariables(tail, vars, where).map((t) => head + v + t));
}

/** Compiles a loaded profile; relative parents are taken from `cwd` (the sandbox shows the cwd at its own path). */
export function compileLandlock(config: LandlockConfig, source: string, cwd: string, bestEffort = false): LandlockPlan {
  const abi = config.abi;
  // Places are named as the file spells its keys: snake_case in TOML, camelCase in JSON/YAML.
  const toml = source.endsWith('.toml');
  const pathBeneath = toml ? 'path_beneath' : 'pathBeneath';
  const netPort = toml ? 'net_port' : 'netPort';
  const vars = new Map<string, string[]>();
  for (const v of config.variable) vars.set(v.name, [...new Set([...(vars.get(v.name) ?? []), ...v.literal])]);
  const plan: LandlockPlan = { abi: abi ?? MAX_KNOWN_ABI, handledFs: 0, handledNet: 0, scoped: 0, rules: [], bestEffort };
  config.ruleset.forEach((r, i) => {
    plan.handledFs |= maskOf(r.handledAccessFs, 'fs', abi, `${source}: ruleset[${i}]`);
    plan.handledNet |= maskOf(r.handledAccessNet, 'net', abi, `${source}: ruleset[${i}]`);
    plan.scoped |= maskOf(r.scoped, 'scope', abi, `${source}: ruleset[${i}].scoped`);
  });
  config.pathBeneath.forEach((r, i) => {
    const where = `${source}: ${pathBeneath}[${i}]`;
    const access = maskOf(r.allowedAccess, 'fs', abi, where);
    plan.handledFs |= access; // landlockconfig adds rule rights to the handled set
    for (const parent of r.parent) {
      for (const p of expandVariables(parent, vars, `${where}.parent`)) {
        if (p.includes('\n')) throw new ProfileLoadError(`${where}.parent: a path with a newline is not supported — rename it`);
        plan.rules.push({ path: path.resolve(cwd, p), access });
      }
    }
  });
  config.netPort.forEach((r, i) => {
    const access = maskOf(r.allowedAccess, 'net', abi, `${source}: ${netPort}[${i}]`);
    plan.handledNet |= access;
    for (const port of r.port) plan.rules.push({ port, access });
  });
  if (plan.rules.length > 512) throw new ProfileLoadError(`${source}: ${plan.rules.length} rules after expansion; the helper takes at most 512 — merge parents`);
  return plan;
}

export interface DefaultViewPaths {
  cwd: string;
  readOnly: string[];
  readWrite: string[];
}

/** The host folders every sandbox shows read-only (bind_system_dirs in native/src/filesystem.c). */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/etc'];
// No /dev/tty: the workload has no controlling terminal (docs/sandbox.md, terminal injection).
const DEVICES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom'];

/** Which of the host paths the default ruleset names exist now: the plan changes exactly when this does. */
export function defaultLayoutStamp(): string {
  let stamp = '';
  for (const p of SYSTEM_DIRS) stamp += existsSync(p) ? '1' : '0';
  for (const p of DEVICES) stamp += existsSync(p) ? '1' : '0';
  return stamp;
}

/**
 * The second layer under the built-in profile: Landlock rules that match the filesystem view, so that a path
 * the view shows by accident (a parent folder of a bind, a future mount) is still unreadable.
 */
export interface DefaultLayerOptions {
  /**
   * false for a profile composed from fragments: the working directory and /tmp get no rights of their own —
   * only what the fragments grant (workspace-read, workspace-write, tmp-write) and the command file itself.
   */
  workspaceAndTmp?: boolean;
  /** Files made readable and executable (the command a fragments layer must still be able to start). */
  commands?: string[];
}

export function defaultLandlockPlan(view: DefaultViewPaths, kernelAbi: number, options: DefaultLayerOptions = {}): LandlockPlan {
  const workspaceAndTmp = options.workspaceAndTmp ?? true;
  const abi = Math.min(kernelAbi, MAX_KNOWN_ABI);
  const r = (n: string[]) => maskOf(n, 'fs', abi, 'default Landlock ruleset');
  const all = rightsOfAbi('fs', abi);
  const readExec = r(['execute', 'read_file', 'read_dir']);
  // O_TRUNC opens (`> /dev/null`) need truncate from ABI 3; terminal ioctls need ioctl_dev from ABI 5.
  const device = r(['read_file', 'write_file']) | (all & r(abi >= 3 ? ['truncate'] : [])) | (abi >= 5 ? r(['ioctl_dev']) : 0);
  const rules: LandlockPlan['rules'] = [
    // Only those the host has: the sandbox binds exactly these, and a missing one would only add a note.
    ...SYSTEM_DIRS.filter((p) => existsSync(p)).map((p) => ({ path: p, access: readExec })),
    ...view.readOnly.map((p) => ({ path: p, access: readExec })),
    { path: '/proc', access: r(['read_file', 'read_dir']) },
    { path: '/dev', access: r(['read_dir']) },
    ...DEVICES.filter((p) => existsSync(p)).map((p) => ({ path: p, access: device })),
    { path: '/dev/pts', access: device | r(['read_dir']) },
    { path: '/dev/shm', access: all },
    ...(workspaceAndTmp ? [{ path: '/tmp', access: all }, { path: view.cwd, access: all }] : []),
    // Directory-only rights are dropped for file rules by the helper (landlock_add_rule would refuse them).
    ...(options.commands ?? []).map((p) => ({ path: p, access: r(['execute', 'read_file']) })),
    ...view.readWrite.map((p) => ({ path: p, access: all })),
  ];
  return {
    abi,
    handledFs: all,
    handledNet: 0, // the network mode decides: none has no route out; loopback/host were asked for
    // Scopes (ABI 6): no signals to, and no abstract unix sockets of, processes outside the sandbox's domain.
    scoped: rightsOfAbi('scope', abi),
    rules,
    // The default layer follows the kernel's ABI, so nothing it asks for is missing.
    bestEffort: false,
  };
}

export function landlockRulesText(plan: LandlockPlan): string {
  const hex = (n: number) => (n >>> 0).toString(16);
  const lines = ['phantom-landlock 1', `abi ${plan.abi}`, `best_effort ${plan.bestEffort ? 1 : 0}`,
    `handled_fs ${hex(plan.handledFs)}`, `handled_net ${hex(plan.handledNet)}`, `scoped ${hex(plan.scoped)}`];
  for (const rule of plan.rules) lines.push(rule.path !== undefined ? `path ${hex(rule.access)} ${rule.path}` : `port ${hex(rule.access)} ${rule.port}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The rule list as a sealed memory file (memoryFiles.ts): made in memory from the plan each time it changes, so no
 * file a sandbox could have rewritten is ever read back.
 */
export function landlockRulesFile(plan: LandlockPlan): string {
  return memoryFile('phantom-landlock-rules', landlockRulesText(plan));
}
