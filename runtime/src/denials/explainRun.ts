/**
 * `phantom run --explain` (and RunParams.explain): Landlock refusals, inferred (docs/sandbox.md, "Denials"). The run
 * is the same run — same filters, same Landlock layers, same namespaces — with the denial supervisor also reading
 * the path of every path syscall the profile allows (`--explain FILE`: native/src/denials_net.h, learn_paths.c) and
 * letting it run as the ALLOW would. Afterwards the run's own Landlock layers (sourcedLandlockLayers: the same
 * computation as the run's) are evaluated on the recorded accesses; each access a layer refuses is a denial
 * `kind: 'landlock', inferred: true` with the layer's source and the fix in words and as an edit.
 */
import os from 'node:os';
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Denial, DenialEdit } from '../protocol';
import { lineOfKey, type RunOrigin } from './denialSources';
import { rightNames } from '../learn/learnPaths';
import { makeScratchDir } from '../storage/privateDirs';
import { sourcedLandlockLayers, type LandlockLayer } from '../sandbox/sandboxPolicy';
import type { SandboxSpec } from '../sandbox/sandboxSpawn';
import { readRegularText } from '../sandbox/untrustedFile';

/** What --explain needs from before the run to after it. */
export interface ExplainContext {
  /** The spec to spawn: the run's own, plus the recording file. */
  spec: SandboxSpec;
  layers: { layer: LandlockLayer; text?: string }[];
  run?: RunOrigin;
  file: string;
  dispose: () => void;
}

interface RawExplain {
  phantomExplain?: number;
  attached?: boolean;
  pathsMany?: boolean;
  paths?: { path: string; access: number; count: number }[];
  ports?: { port: number; access: number; count: number }[];
}

const LAYER_TEXT_MAX = 4 * 1024 * 1024;
/** Rights that change the filesystem: a path that needs one goes to `readWrite`, else to `readOnly`. */
const WRITING = new Set(['write_file', 'remove_dir', 'remove_file', 'make_char', 'make_dir', 'make_reg', 'make_sock', 'make_fifo', 'make_block', 'make_sym', 'refer', 'truncate']);

/**
 * Before the run: the recording file (in a private scratch folder, outside every sandbox) and the Landlock layers
 * with the text of their files — read now, as the run may rewrite the workspace.
 */
export function prepareExplain(spec: SandboxSpec, run?: RunOrigin): ExplainContext {
  const dir = makeScratchDir('phantom-explain-', 'the --explain recording');
  const file = path.join(dir, 'paths.json');
  const layers = layersWithText(spec);
  return { spec: { ...spec, explainRecording: file }, layers, ...(run ? { run } : {}), file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The run's Landlock layers, each with the text of its file (for the line a fix goes to). */
export function layersWithText(spec: SandboxSpec): ExplainContext['layers'] {
  try {
    return sourcedLandlockLayers({ ...spec }).map((layer) => {
      if (layer.kind !== 'file' || !path.isAbsolute(layer.source)) return { layer };
      try {
        return { layer, text: readRegularText(layer.source, LAYER_TEXT_MAX) };
      } catch {
        return { layer }; // the run itself fails on the profile and says why
      }
    });
  } catch {
    return []; // idem
  }
}

/** The helper's mark on a path that did not exist in the sandbox (learn_paths.c, LL_MISSING): not a right. */
const MISSING = 2 ** 31;
const RIGHTS_MASK = 0x7fffffff;
const VIRTUAL = /^\/(proc|sys|dev)(\/|$)/;

function existsOnHost(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A path the filesystem view does not show (ENOENT in the sandbox): the filesystem settings decide. */
function viewDenial(p: string, count: number, rights: string[], ctx: ExplainContext): Denial {
  const list = rights.some((r) => WRITING.has(r)) ? 'readWrite' : 'readOnly';
  const denial: Denial = { kind: 'landlock', path: p, access: rights, count, inferred: true, result: 'ENOENT' };
  const reason = 'not in the sandbox\u2019s filesystem view (it shows the system folders, the workspace, /tmp and what filesystem grants)';
  const run = ctx.run;
  if (run?.config && run.profile) {
    const at = lineOfKey(run.configText, run.config, ['profiles', run.profile, 'filesystem', list]) ?? lineOfKey(run.configText, run.config, ['profiles', run.profile]);
    denial.source = { file: run.config, ...(at ? { line: at.line } : {}), reason };
    denial.fix = `add \`${p}\` to filesystem.${list} of profile '${run.profile}' (a path outside the workspace asks for approval)`;
    // A folder the program wanted to create something in: the whole folder read-write is more than the one file the
    // program named, so that grant is the user's to write, never one click.
    if (rights.some((r) => r.startsWith('make_'))) denial.fix += ' — the program wanted to create a file in it: grant the folder only if it must write there (no quick fix)';
    else guarded(denial, p, { kind: 'filesystemPath', file: run.config, profile: run.profile, list, path: p });
  } else {
    denial.source = { file: 'filesystem view', reason };
    denial.fix = `run with \`${list === 'readWrite' ? '--rw' : '--ro'} ${p}\`${sensitiveGrant(p) ?? ''}`;
  }
  return denial;
}

/**
 * Where credentials live. The program in the sandbox chooses which paths it fails to open: a report that offered a
 * one-click grant of `~/.ssh/id_ed25519` would be its way of asking the user for the key. Such paths get the fix in
 * words with a warning, never an edit (and a grant outside the workspace still needs approval: approvalGate.ts).
 */
const SECRET = /\/(\.ssh|\.gnupg|\.aws|\.azure|\.kube|\.docker|\.password-store|\.netrc|\.git-credentials|\.pgpass|\.config\/gcloud|\.config\/gh)(\/|$)/;

const CREDENTIALS = ' — it holds credentials: grant it only if you know the program must read it';

/**
 * Why a grant of `p` gets no one-click edit, or undefined. Beside where credentials live (SECRET): a home folder or a
 * folder holding home folders (a grant there covers `~/.ssh`), anything in a home folder's dot-entries (startup
 * files, autostart folders, `~/.local/bin`, tool settings: a write there runs the program's code at the next login),
 * and the kernel's and the session's folders (`/run` holds agent and container sockets, a read-only bind still lets
 * a program connect to them).
 */
export function sensitiveGrant(p: string, home = os.homedir()): string | undefined {
  if (SECRET.test(p)) return CREDENTIALS;
  const homes = ['/root', ...(home && home !== '/' ? [home.replace(/\/+$/, '')] : [])];
  if (p === '/' || p === '/home' || /^\/home\/[^/]+$/.test(p) || homes.some((h) => h === p || h.startsWith(`${p}/`)))
    return ' — it is a home folder or holds one (and with it ~/.ssh and the startup files): grant the one file or folder the program needs';
  if (/^\/home\/[^/]+\/\./.test(p) || homes.some((h) => p.startsWith(`${h}/.`)))
    return ' — it is among a home folder\u2019s startup files and settings, where a write runs code at the next login: grant it only if you know the program must use it';
  if (/^\/(run|var\/run|proc|sys|dev|boot)(\/|$)/.test(p))
    return ' — it is a system or session folder (sockets of agents and daemons live in /run): grant it only if you know the program must use it';
  return undefined;
}

/** The edit, unless the grant is sensitive (sensitiveGrant); then the fix says why there is none. */
function guarded(denial: Denial, p: string, edit: DenialEdit): void {
  const why = sensitiveGrant(p);
  if (why) denial.fix = `${denial.fix}${why} (no quick fix)`;
  else denial.edit = edit;
}

function beneath(p: string, parent: string): boolean {
  return parent === '/' || p === parent || p.startsWith(`${parent}/`);
}

/** The line a fix goes to in a Landlock file: its pathBeneath list (path_beneath in TOML). */
function landlockLine(text: string | undefined, file: string): number | undefined {
  if (text === undefined) return undefined;
  if (file.endsWith('.toml')) {
    const i = text.split('\n').findIndex((l) => /^\s*\[\[\s*path_beneath\s*\]\]/.test(l));
    return i >= 0 ? i + 1 : undefined;
  }
  return lineOfKey(text, file, ['pathBeneath'])?.line ?? lineOfKey(text, file, ['ruleset'])?.line;
}

/** Which layer refuses `access` on `p` (the first that does) and the rights it refuses, or undefined. */
export function refusingLayer(layers: ExplainContext['layers'], p: string, access: number): { at: ExplainContext['layers'][number]; refused: number } | undefined {
  for (const at of layers) {
    const { plan } = at.layer;
    let allowed = 0;
    for (const r of plan.rules) if (r.path !== undefined && beneath(p, r.path)) allowed |= r.access;
    const refused = access & plan.handledFs & ~allowed;
    if (refused) return { at, refused };
  }
  return undefined;
}

/** A path access a layer refuses, explained: its source (file and line, or the filesystem setting) and the fix. */
export function fsDenial(p: string, count: number, refused: string[], at: { layer: LandlockLayer; text?: string }, run: RunOrigin | undefined): Denial {
  const { layer, text } = at;
  const denial: Denial = { kind: 'landlock', path: p, access: refused, count, inferred: true, result: 'EACCES' };
  const rights = refused.join(', ');
  if (layer.kind === 'file') {
    const file = path.isAbsolute(layer.source) && text !== undefined ? layer.source : undefined;
    const line = file ? landlockLine(text, file) : undefined;
    denial.source = { file: layer.source, ...(line ? { line } : {}), reason: `no ${file?.endsWith('.toml') ? 'path_beneath' : 'pathBeneath'} rule grants ${rights} on ${p}` };
    denial.fix = `add a pathBeneath for \`${p}\` with ${rights}${file ? ` to ${file}` : ''}`;
    if (file) guarded(denial, p, { kind: 'landlockPath', file, path: p, access: refused });
    return denial;
  }
  // The default ruleset (the filesystem view) or a fragments layer: the filesystem settings decide.
  const list = refused.some((r) => WRITING.has(r)) ? 'readWrite' : 'readOnly';
  const flag = list === 'readWrite' ? '--rw' : '--ro';
  const reason = layer.kind === 'fragments'
    ? `the profile's fragments${layer.extra ? ` (${layer.extra.replace(/^.*Landlock rules of /, '')})` : ''} grant no ${rights} on ${p}`
    : `the default Landlock ruleset follows the filesystem view (system folders read-only, the workspace, /tmp): no ${rights} on ${p}`;
  if (run?.config && run.profile) {
    const at = lineOfKey(run.configText, run.config, ['profiles', run.profile, 'filesystem', list]) ?? lineOfKey(run.configText, run.config, ['profiles', run.profile]);
    denial.source = { file: run.config, ...(at ? { line: at.line } : {}), reason };
    denial.fix = `add \`${p}\` to filesystem.${list} of profile '${run.profile}'${list === 'readWrite' ? ' (asks for approval when outside the workspace)' : ''}`;
    guarded(denial, p, { kind: 'filesystemPath', file: run.config, profile: run.profile, list, path: p });
  } else {
    denial.source = { file: layer.source, reason };
    denial.fix = `run with \`${flag} ${p}\`${sensitiveGrant(p) ?? ''}`;
  }
  return denial;
}

/** After the run: the recorded accesses the run's Landlock layers refuse, each once (the first layer that refuses). */
export function explainLandlock(ctx: ExplainContext, notes: string[]): Denial[] {
  let raw: RawExplain;
  try {
    raw = JSON.parse(readFileSync(ctx.file, 'utf8')) as RawExplain;
  } catch {
    notes.push('--explain: the sandbox wrote no path recording (the run did not start, or its profile refuses what hands the supervisor its listener)');
    return [];
  }
  if (raw.phantomExplain !== 1 || !raw.attached) {
    notes.push('--explain: the supervisor was not attached to this run: no paths were recorded');
    return [];
  }
  if (raw.pathsMany) notes.push('--explain: more paths than the recording keeps: some refusals may be missing');
  const out: Denial[] = [];
  for (const { path: p, access: recorded, count } of raw.paths ?? []) {
    if (typeof p !== 'string' || !p.startsWith('/')) continue;
    const access = recorded & RIGHTS_MASK;
    if (recorded >= MISSING) {
      // Not in the sandbox when it was asked for. On the host it exists: the filesystem view hides it (the first
      // surprise of every sandbox: "No such file" for a file the user sees). /proc, /sys, /dev are the sandbox's own.
      if (!VIRTUAL.test(p) && existsOnHost(p)) out.push(viewDenial(p, count, rightNames(access, 'fs'), ctx));
      continue;
    }
    const refusing = refusingLayer(ctx.layers, p, access);
    if (refusing) out.push(fsDenial(p, count, rightNames(refusing.refused, 'fs'), refusing.at, ctx.run));
  }
  for (const { port, access, count } of raw.ports ?? []) {
    for (const { layer, text } of ctx.layers) {
      let allowed = 0;
      for (const r of layer.plan.rules) if (r.port === port) allowed |= r.access;
      const refused = access & layer.plan.handledNet & ~allowed;
      if (!refused) continue;
      const names = rightNames(refused, 'net');
      const file = layer.kind === 'file' && text !== undefined ? layer.source : undefined;
      const line = file ? lineOfKey(text, file, ['netPort'])?.line : undefined;
      out.push({
        kind: 'landlock', address: `*:${port}`, access: names, count, inferred: true, result: 'EACCES',
        source: { file: layer.source, ...(line ? { line } : {}), reason: `no netPort rule grants ${names.join(', ')} on port ${port}` },
        fix: `add a netPort for port ${port} with ${names.join(', ')}${file ? ` to ${file}` : ''}`,
      });
      break;
    }
  }
  return out;
}
