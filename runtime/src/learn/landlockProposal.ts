/**
 * The Landlock proposal of a learn recording (pure): a landlockconfig profile (JSON, YAML or TOML) that allows
 * what the recorded runs used and handles everything else its ABI can refuse. The generalisation rule
 * (docs/learn-mode.md, "The Landlock proposal") is deterministic: the same usage gives the same bytes.
 *
 *  1. beneath the workspace: ONE rule on `${workspaceFolder}` (literal ".", the folder the sandbox runs in)
 *     with the rights used anywhere beneath it; beneath /tmp: one rule on /tmp likewise;
 *  2. read/execute beneath a system tree (/usr, /bin, /sbin, /lib, /lib32, /lib64, /libx32): that tree as a
 *     read-execute parent (execute, read_file, read_dir); /proc likewise with the rights used (its per-process
 *     folders cannot be named in advance);
 *  3. beneath /etc and /dev (secrets and devices live side by side there): each path used, exactly;
 *  4. anything else: the narrowest folder covering what was used, merged with its neighbours only while the
 *     common folder stays at least two levels deep (three under /home: never `/`, `/home`, a home folder);
 *     what cannot be placed that way (an access on `/` or a home folder itself) is NOT granted and is listed
 *     in the header — the replay then fails and names it;
 *  5. a netPort rule per TCP port used, with the rights used on it.
 * `abi` is the lowest ABI that knows every right used; handledAccessFs/Net are everything that ABI handles.
 */
import path from 'node:path';
import { documentFormat } from '../../../model';
import { FS_RIGHTS, NET_RIGHTS, rightNames, type PathUsage } from './learnPaths';

export type LandlockFormat = 'json' | 'yaml' | 'toml';

export interface ProposedRule {
  parent: string;
  access: number;
  comment: string;
}

export interface LandlockProposal {
  abi: number;
  handledFs: number;
  handledNet: number;
  rules: ProposedRule[];
  ports: { port: number; access: number; comment: string }[];
  /** Accesses the rule above refuses to generalise (on `/` or a home folder): not granted. */
  refused: string[];
  runs: number;
}

const SYSTEM_TREES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const EXACT_TREES = ['/etc', '/dev'];
const RIGHT = Object.fromEntries(FS_RIGHTS.map((r) => [r.name, r.value])) as Record<string, number>;
const READ_EXECUTE = RIGHT.execute | RIGHT.read_file | RIGHT.read_dir;
/** Rights only a directory can carry (the others apply to a file too). */
const DIR_ONLY = FS_RIGHTS.filter((r) => !['execute', 'write_file', 'read_file', 'truncate', 'ioctl_dev'].includes(r.name)).reduce((m, r) => m | r.value, 0);
export const WORKSPACE_VARIABLE = 'workspaceFolder';
const WORKSPACE_PARENT = `\${${WORKSPACE_VARIABLE}}`;

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

function depth(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}

/** The shallowest folder a rule may name for `p`: 2 levels, 3 under /home (a home folder is /home/NAME), 2 under /root. */
function minDepth(p: string): number {
  return under(p, '/home') ? 3 : 2;
}

function commonDir(a: string, b: string): string {
  const x = a.split('/');
  const y = b.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('/') || '/';
}

function countNote(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export function proposeLandlock(usage: PathUsage, workspace: string): LandlockProposal {
  const groups = new Map<string, { access: number; n: number; kind: string; first: string }>();
  const add = (parent: string, access: number, kind: string, used: string) => {
    const g = groups.get(parent);
    if (g) {
      g.access |= access;
      g.n++;
    } else groups.set(parent, { access, n: 1, kind, first: used });
  };
  const others: { dir: string; access: number; first: string; n: number }[] = [];
  const refused: string[] = [];
  const paths = Object.entries(usage.paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [p, mask] of paths) {
    if (!mask) continue;
    if (under(p, workspace)) {
      add(WORKSPACE_PARENT, mask, 'the workspace (as the sandbox grants it)', path.relative(workspace, p) || '.');
      continue;
    }
    if (under(p, '/tmp')) {
      add('/tmp', mask, '/tmp (as the sandbox grants it)', p);
      continue;
    }
    const system = SYSTEM_TREES.find((t) => under(p, t));
    if (system && (mask & ~READ_EXECUTE) === 0) {
      add(system, READ_EXECUTE, 'system tree, read-execute parent', p);
      continue;
    }
    // /proc itself too: listing it (the processes in the sandbox's own PID namespace) is a common, harmless read.
    if (under(p, '/proc')) {
      add('/proc', mask, 'procfs (per-process folders cannot be named in advance)', p);
      continue;
    }
    if (EXACT_TREES.some((t) => under(p, t))) {
      add(p, mask, 'exactly this path (secrets and devices live beside it)', p);
      continue;
    }
    // A path with directory rights, or listed, is a folder; a file is covered by its folder.
    const dir = mask & (DIR_ONLY | RIGHT.read_dir) ? p : path.posix.dirname(p);
    if (depth(dir) >= minDepth(dir)) others.push({ dir, access: mask, first: p, n: 1 });
    else if (depth(p) >= minDepth(p)) add(p, mask, 'exactly this path (its folder is too wide to grant)', p);
    else refused.push(`${rightNames(mask, 'fs').join('+')} ${p}`);
  }
  // Narrowest covering folders: sorted, each merged into the first group whose common folder stays deep enough.
  const merged: typeof others = [];
  for (const o of others.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))) {
    const g = merged.find((m) => {
      const c = commonDir(m.dir, o.dir);
      return depth(c) >= minDepth(c);
    });
    if (g) {
      g.dir = commonDir(g.dir, o.dir);
      g.access |= o.access;
      g.n++;
    } else merged.push({ ...o });
  }
  for (const m of merged) add(m.dir, m.access, 'the narrowest folder covering what was used', m.first);
  // The merged entries were added once each; their counts are the paths they cover.
  for (const m of merged) groups.get(m.dir)!.n = m.n;

  const rules: ProposedRule[] = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([parent, g]) => ({
      // A recorded path is literal: its `$` is written `$$`, or `${…}` in it would be expanded as a variable.
      parent: parent === WORKSPACE_PARENT ? parent : parent.replaceAll('$', '$$$$'), access: g.access,
      comment: `${g.kind}: ${countNote(g.n, 'path')} used${g.n > 1 || g.first !== parent ? `, e.g. ${g.first}` : ''}`,
    }));
  const ports = Object.entries(usage.ports).map(([port, access]) => ({
    port: Number(port), access, comment: `${rightNames(access, 'net').join(' and ')} used by the workload`,
  })).sort((a, b) => a.port - b.port);

  const usedFs = rules.reduce((m, r) => m | r.access, 0);
  const usedNet = ports.reduce((m, r) => m | r.access, 0);
  const abi = Math.max(1, ...FS_RIGHTS.filter((r) => usedFs & r.value).map((r) => r.abi), ...NET_RIGHTS.filter((r) => usedNet & r.value).map((r) => r.abi));
  const handledFs = FS_RIGHTS.filter((r) => r.abi <= abi).reduce((m, r) => m | r.value, 0);
  const handledNet = NET_RIGHTS.filter((r) => r.abi <= abi).reduce((m, r) => m | r.value, 0);
  return { abi, handledFs, handledNet, rules, ports, refused, runs: usage.runs };
}

/** The format of a `--landlock-out` file name. */
export function landlockFormatOf(file: string): LandlockFormat | undefined {
  const format = documentFormat(file);
  return format?.kind === 'landlock' ? format.syntax : undefined;
}

function header(p: LandlockProposal, usesWorkspace: boolean): string[] {
  const usedFs = p.rules.reduce((m, r) => m | r.access, 0);
  const usedNet = p.ports.reduce((m, r) => m | r.access, 0);
  const why = [...FS_RIGHTS.filter((r) => usedFs & r.value), ...NET_RIGHTS.filter((r) => usedNet & r.value)].filter((r) => r.abi === p.abi);
  const lines = [
    `Landlock profile learned by \`phantom learn\` from ${countNote(p.runs, 'recorded run')} (landlockconfig format).`,
    `abi ${p.abi}: the lowest ABI that knows every right used${why.length ? ` (${why.map((r) => r.name).join(', ')})` : ''}; everything it can handle is handled, so what was not used is refused.`,
  ];
  if (usesWorkspace) lines.push(`${WORKSPACE_VARIABLE} is ".": the folder the sandbox runs in (relative parents are taken from it).`);
  if (p.refused.length) lines.push(`NOT granted (on / or a home folder itself; write a rule by hand if it is needed): ${p.refused.join('; ')}`);
  return lines;
}

const q = (s: string) => JSON.stringify(s);
/** A comment line never ends early: the paths in it are the workload's, and a newline there would start YAML or TOML. */
// eslint-disable-next-line no-control-regex
const comment = (s: string) => `# ${s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;

export function renderLandlock(p: LandlockProposal, format: LandlockFormat): string {
  const fsNames = rightNames(p.handledFs, 'fs');
  // Declared only when a rule uses it (an unused variable is a finding of `phantom check`).
  const usesWorkspace = p.rules.some((r) => r.parent.includes(`\${${WORKSPACE_VARIABLE}}`));
  const netNames = rightNames(p.handledNet, 'net');
  if (format === 'json') {
    // JSON has no comments: the rules' reasons are in the YAML and TOML forms only.
    const doc: Record<string, unknown> = {
      abi: p.abi,
      ...(usesWorkspace ? { variable: [{ name: WORKSPACE_VARIABLE, literal: ['.'] }] } : {}),
      ruleset: [{ handledAccessFs: fsNames, ...(netNames.length ? { handledAccessNet: netNames } : {}) }],
      ...(p.rules.length ? { pathBeneath: p.rules.map((r) => ({ allowedAccess: rightNames(r.access, 'fs'), parent: [r.parent] })) } : {}),
      ...(p.ports.length ? { netPort: p.ports.map((r) => ({ allowedAccess: rightNames(r.access, 'net'), port: [r.port] })) } : {}),
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const out = header(p, usesWorkspace).map(comment);
  if (format === 'yaml') {
    out.push(`abi: ${p.abi}`);
    if (usesWorkspace) out.push('variable:', `  - name: ${WORKSPACE_VARIABLE}`, '    literal: ["."]');
    out.push('ruleset:', `  - handledAccessFs: ${list(fsNames)}`);
    if (netNames.length) out.push(`    handledAccessNet: ${list(netNames)}`);
    if (p.rules.length) out.push('pathBeneath:');
    for (const r of p.rules) out.push(`  ${comment(r.comment)}`, `  - allowedAccess: ${list(rightNames(r.access, 'fs'))}`, `    parent: ${list([r.parent])}`);
    if (p.ports.length) out.push('netPort:');
    for (const r of p.ports) out.push(`  ${comment(r.comment)}`, `  - allowedAccess: ${list(rightNames(r.access, 'net'))}`, `    port: [${r.port}]`);
    return `${out.join('\n')}\n`;
  }
  out.push(`abi = ${p.abi}`);
  if (usesWorkspace) out.push('', '[[variable]]', `name = ${q(WORKSPACE_VARIABLE)}`, 'literal = ["."]');
  out.push('', '[[ruleset]]', `handled_access_fs = ${list(fsNames)}`);
  if (netNames.length) out.push(`handled_access_net = ${list(netNames)}`);
  for (const r of p.rules) out.push('', comment(r.comment), '[[path_beneath]]', `allowed_access = ${list(rightNames(r.access, 'fs'))}`, `parent = ${list([r.parent])}`);
  for (const r of p.ports) out.push('', comment(r.comment), '[[net_port]]', `allowed_access = ${list(rightNames(r.access, 'net'))}`, `port = [${r.port}]`);
  return `${out.join('\n')}\n`;
}

/** Rules ("right,right parent" / "right port N") proposed from some of the runs but not from all (sorted). */
export function varyingRules(runs: PathUsage[], workspace: string): string[] {
  if (runs.length < 2) return [];
  const sets = runs.map((u) => {
    const p = proposeLandlock(u, workspace);
    return new Set([...p.rules.map((r) => `${rightNames(r.access, 'fs').join(',')} ${r.parent}`), ...p.ports.map((r) => `${rightNames(r.access, 'net').join(',')} port ${r.port}`)]);
  });
  const all = new Set(sets.flatMap((s) => [...s]));
  return [...all].filter((r) => !sets.every((s) => s.has(r))).sort();
}
