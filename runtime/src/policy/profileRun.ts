/**
 * A run under a profile of phantom-fragment.yaml: the configuration is read, the profile's effective policy
 * computed by the ONE merge the editor shows (model/src/config/effectivePolicy.ts), and turned into what the
 * sandbox needs — command, network, paths, environment, limits, the seccomp filter and the Landlock rules.
 * Whatever the runtime cannot enforce fails the run with a message (unless the profile asks for best effort,
 * and then it is reported): a sandbox is never weaker than its profile says.
 */
import path from 'node:path';
import { CONFIG_VARIABLES, landlockProfileOf, loadConfig, loadLandlockProfile, loadSeccompProfile, ProfileLoadError, seccompProfileOf, substituteVariables, type LandlockConfig, type PhantomConfig, type PolicySource, type SeccompProfile, type SeccompRule, effectivePolicy, type EffectivePolicy, decidesFilesystem, didYouMean } from '../../../model';
import { refuseWhatCheckRefuses } from './checkAgreement';
import { parseSize } from '../cli/cliArgs';
import { DEFAULT_SECCOMP_PROFILE, allowKeepingConditions } from './defaultProfile';
import type { NetworkMode } from '../protocol';
import { kernelLandlockAbi } from '../sandbox/sandboxPolicy';
import type { SandboxSpec } from '../sandbox/sandboxSpawn';
import { derivedOnce, parsedOnce } from './parseMemo';
import { readRegularText } from '../sandbox/untrustedFile';

/** A configuration or profile file is kilobytes (Docker's profile is 20 KB); larger ones are refused unread. */
const POLICY_FILE_MAX_BYTES = 4 * 1024 * 1024;

export interface ProfileChoice {
  name: string;
  description?: string;
  /** true when one of the profile's `match` globs fits the file. */
  matches: boolean;
  /** true when the profile has a default command (`run`). */
  hasRun: boolean;
  /** The profile's warm-pool bounds (`pool`, the schema's defaults filled in). */
  pool: { min: number; max: number };
}

/** What a profile contributes to a run; explicit request fields still narrow or override it. */
export interface ProfileRun {
  profile: string;
  /** The profile's `run`, variables substituted (undefined when it has none); throws when a variable has no
   * value, so only a run that uses it needs e.g. a file. */
  run(): string[] | undefined;
  network: NetworkMode;
  readOnly: string[];
  readWrite: string[];
  hidden: string[];
  env: Record<string, string>;
  timeoutSeconds?: number;
  /** Warm zygotes kept for this profile. */
  pool: { min: number; max: number };
  policy: Pick<SandboxSpec, 'memoryBytes' | 'pids' | 'cpuSeconds' | 'bestEffort' | 'seccompPolicy' | 'landlockPolicy' | 'landlockExtra' | 'landlockView'>;
  /** The profile's `limits.output` in bytes, when set. */
  outputBytes?: number;
  notes: string[];
  /** Absolute path of the configuration. */
  config: string;
  /** The configuration and every file the profile references, as read for this run: what an approval is bound to,
   * and what stays read-only in the sandbox (protectedPaths.ts). */
  files: { path: string; content: string }[];
  /** Protected paths the profile unprotects (`unprotect:`), as host paths. */
  unprotect: string[];
  /** The profile decides the workspace's access itself (it is composed from fragments, or names the workspace
   * read-only): unless a read-write path covers the run's folder, it is mounted read-only. */
  ownFilesystem: boolean;
}

export interface ProfileRunRequest {
  /** Absolute path of phantom-fragment.yaml. */
  config: string;
  /** The profile; absent: the only one whose `match` fits `file`. */
  profile?: string;
  /** The file the run is for (`${file}`); relative paths are taken from the configuration's folder. */
  file?: string;
  /** `${workspaceFolder}`; default: the configuration's folder. */
  workspaceFolder?: string;
}

export function readConfigFile(file: string): PhantomConfig {
  return readConfigSource(file).config;
}

/** The configuration and the text it was read from. */
export function readConfigSource(file: string): { config: PhantomConfig; text: string } {
  let text: string;
  try {
    text = readRegularText(file, POLICY_FILE_MAX_BYTES);
  } catch (error) {
    throw new ProfileLoadError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}) — check the --config path`);
  }
  const config = parsedOnce(`config\0${file}`, text, () => {
    // The model's parser, the one `phantom check` and the editor use (model/src/loadFiles.ts).
    const loaded = loadConfig(file, text);
    if (loaded.syntaxError) {
      const { line, column, message } = loaded.syntaxError;
      throw new ProfileLoadError(`${file}:${line}:${column}: not valid YAML: ${message} — fix the syntax there`);
    }
    return loaded.config;
  });
  return { config, text };
}

/** The profiles of a configuration, and which of them `match` a file. */
export function profileChoices(config: PhantomConfig, configFile: string, file?: string, workspaceFolder?: string): ProfileChoice[] {
  const root = workspaceFolder ?? path.dirname(configFile);
  const relative = file ? path.relative(root, path.resolve(path.dirname(configFile), file)).split(path.sep).join('/') : undefined;
  return Object.entries(config.profiles).map(([name, spec]) => ({
    name,
    description: spec.description,
    matches: relative !== undefined && !relative.startsWith('../') && (spec.match ?? []).some((glob) => globToRegExp(glob).test(relative)),
    hasRun: (spec.run ?? []).length > 0,
    // The schema's defaults (effectivePolicy.ts): the metrics show a pool's bounds before its first run.
    pool: { min: spec.pool?.min ?? 0, max: spec.pool?.max ?? 2 },
  }));
}

/** Globs of `match`: `**` any folders, `*` and `?` within a name, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map(escapeRegExp).join('|')})`;
        i = close;
      }
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function resolveProfileRun(request: ProfileRunRequest): ProfileRun {
  const configFile = path.resolve(request.config);
  const configDir = path.dirname(configFile);
  const { config, text: configText } = readConfigSource(configFile);
  // Whatever `phantom check` reports as an error in the configuration refuses the run too (checkAgreement.ts):
  // check and run judge the same file the same way (test/integration/checkRunAgreementConfig.test.ts).
  refuseWhatCheckRefuses(configFile, configText, 'config', referencedState(config, configDir));
  const files = [{ path: configFile, content: configText }];
  const name = request.profile ?? pickProfile(config, configFile, request);
  const policy = effectivePolicy(config, name);
  if (!policy) {
    const names = Object.keys(config.profiles);
    throw new ProfileLoadError(
      `${configFile}: no profile '${name}'.${didYouMean(name, names) || (names.length ? ` Profiles: ${names.join(', ')}.` : ' It declares no profiles.')}`,
    );
  }
  const errors = policy.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new ProfileLoadError(`${configFile}: profile '${name}': ${errors[0].message} (at ${errors[0].path.join('.')}) — 'phantom check ${configFile}' lists every problem`);
  }
  const file = request.file ? path.resolve(configDir, request.file) : undefined;
  const variables: Partial<Record<(typeof CONFIG_VARIABLES)[number], string>> = {
    workspaceFolder: request.workspaceFolder ?? configDir,
    ...(file ? { file, fileDirname: path.dirname(file) } : {}),
  };
  const where = `${configFile}: profile '${name}'`;
  const substitute = (text: string, field: string) => {
    const value = substituteVariables(text, variables);
    const left = /\$\{([^}]*)\}/.exec(value);
    if (left) throw new ProfileLoadError(`${where}: ${field} uses \${${left[1]}}, which has no value for this run${left[1] === 'file' || left[1] === 'fileDirname' ? ' — run it on a file' : ''}`);
    return value;
  };
  const hostPath = (p: string, field: string) => path.resolve(configDir, substitute(p, field));
  const notes: string[] = [];

  if (!policy.filesystem.privateTmp) notes.push('privateTmp: false asks for the host /tmp; the sandbox keeps a private /tmp (stricter)');

  return {
    profile: name,
    run: () => policy.run?.map((a, i) => substitute(a, `run[${i}]`)),
    network: policy.network.mode,
    readOnly: policy.filesystem.readOnly.map((p, i) => hostPath(p, `filesystem.readOnly[${i}]`)),
    readWrite: policy.filesystem.readWrite.map((p, i) => hostPath(p, `filesystem.readWrite[${i}]`)),
    hidden: policy.filesystem.hidden.map((p, i) => hostPath(p, `filesystem.hidden[${i}]`)),
    env: Object.fromEntries(Object.entries(policy.env).map(([k, v]) => [k, substitute(v, `env.${k}`)])),
    timeoutSeconds: policy.limits.timeout,
    pool: policy.pool,
    outputBytes: policy.limits.output ? sizeOf(policy.limits.output, `${where}: limits.output`) : undefined,
    policy: {
      memoryBytes: policy.limits.memory ? sizeOf(policy.limits.memory, `${where}: limits.memory`) : undefined,
      pids: policy.limits.pids,
      cpuSeconds: policy.limits.cpu !== undefined ? Math.ceil(policy.limits.cpu) : undefined,
      bestEffort: policy.bestEffort,
      seccompPolicy: seccompOf(policy, configDir, where, files),
      ...landlockOf(policy, configDir, where, substitute, files),
    },
    notes,
    config: configFile,
    files,
    unprotect: policy.unprotect.map((p, i) => hostPath(p, `unprotect[${i}]`)),
    // The one rule the editor shows too (layeredAccess.ts): the workspace is read-only unless a grant makes it writable.
    ownFilesystem: decidesFilesystem(policy),
  };
}

/**
 * What check's verdict on a configuration depends on besides its text: the seccomp and Landlock files its profiles
 * name (their content, or why they cannot be read). A long-lived runtime thus sees a referenced file fixed or broken.
 */
function referencedState(config: PhantomConfig, configDir: string): string {
  const files = new Set<string>();
  for (const spec of Object.values(config.profiles)) {
    for (const source of [spec.seccomp, spec.landlock]) if (source && 'file' in source) files.add(path.resolve(configDir, source.file));
  }
  return [...files].map((file) => {
    try {
      return `${file}\0${readRegularText(file, POLICY_FILE_MAX_BYTES)}`;
    } catch (error) {
      return `${file}\0unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
  }).join('\0');
}

/** true when `inner` is `outer` or beneath it. */
export function covers(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}

function pickProfile(config: PhantomConfig, configFile: string, request: ProfileRunRequest): string {
  const choices = profileChoices(config, configFile, request.file, request.workspaceFolder);
  const matching = choices.filter((c) => c.matches);
  if (matching.length === 1) return matching[0].name;
  const names = choices.map((c) => c.name).join(', ') || 'none';
  throw new ProfileLoadError(
    matching.length === 0
      ? `${configFile}: no profile's match fits ${request.file ?? 'this run'} — name one with --profile (profiles: ${names})`
      : `${configFile}: several profiles match ${request.file}: ${matching.map((c) => c.name).join(', ')} — name one with --profile`,
  );
}

function sizeOf(text: string, where: string): number {
  try {
    return parseSize(text, 'memory');
  } catch {
    throw new ProfileLoadError(`${where}: '${text}' is not a size — write e.g. 256M or 1G`);
  }
}

/** A policy's text. `checked`: check's verdict on it was taken here (a file); an inline policy is checked when its model is made. */
function sourceText(source: PolicySource, configDir: string, kind: string, where: string, files: ProfileRun['files']): { text: string; file: string; checked: boolean } {
  if ('inline' in source) return { text: JSON.stringify(source.inline), file: `${where}: inline ${kind} policy.json`, checked: false };
  const file = path.resolve(configDir, source.file);
  let text: string;
  try {
    text = readRegularText(file, POLICY_FILE_MAX_BYTES); // the repository may name /dev/zero or a FIFO
  } catch (error) {
    throw new ProfileLoadError(`${where}: ${kind} file ${source.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}) — fix the path (relative to phantom-fragment.yaml)`);
  }
  files.push({ path: file, content: text });
  refuseWhatCheckRefuses(file, text, kind === 'seccomp' ? 'seccomp' : 'landlock');
  return { text, file, checked: true };
}

/**
 * The seccomp filter of a profile: its own policy with the fragments' syscalls allowed in addition; fragments
 * alone make an allowlist (default ERRNO) of what they grant; neither leaves the built-in default profile.
 */
function seccompOf(policy: EffectivePolicy, configDir: string, where: string, files: ProfileRun['files']): SandboxSpec['seccompPolicy'] {
  const granted = policy.syscalls.map((s) => s.name);
  if (policy.seccomp) {
    const { text, file, checked } = sourceText(policy.seccomp, configDir, 'seccomp', where, files);
    // The model's typed profile; a file check accepted above is not validated twice.
    const base = parsedOnce(`seccomp\0${file}`, text, () => {
      const loaded = loadSeccompProfile(file, text);
      return checked ? seccompProfileOf(loaded.parsed.root, text) : loaded.profile();
    });
    if (granted.length === 0) return { profile: base, source: file };
    const fragments = policy.fragments.join(', ');
    const profile = derivedOnce(base, `${fragments}\0${granted.join(',')}`, (): SeccompProfile => {
      // The fragments' grants come with the built-in profile's conditions; names the file rules on stay its own.
      const decided = new Set((base.syscalls ?? []).flatMap((r) => r.names));
      return { ...base, syscalls: [...(base.syscalls ?? []), ...fragmentRules(granted, decided)] };
    });
    return { profile, source: `${file} + fragments ${fragments}` };
  }
  // A profile composed from fragments gets exactly what they grant, even when that is nothing.
  if (policy.fragments.length === 0) return undefined;
  return { profile: derivedOnce(DEFAULT_SECCOMP_PROFILE, granted.join(','), () => fragmentAllowlist(granted)), source: `${where}: fragments ${policy.fragments.join(', ')}` };
}

/**
 * An allowlist of the fragments' syscalls, built on the default profile's shape: same architectures and
 * default action, and its safeguards kept (fragmentRules).
 */
export function fragmentAllowlist(names: string[]): SeccompProfile {
  return { ...DEFAULT_SECCOMP_PROFILE, syscalls: fragmentRules(names) };
}

/**
 * The rules that grant the fragments' syscalls, with the built-in profile's conditions kept
 * (allowKeepingConditions: ioctl without TIOCSTI, socket without AF_ALG/AF_VSOCK, modes without set-id bits, clone
 * without namespace flags, …): a fragment asking for `socket` means what the default means by it. `clone3` always
 * answers ENOSYS (glibc then falls back to `clone`); `exit` and `exit_group` are always allowed. `except`: names a
 * seccomp file of the profile already decides (its own rules win).
 */
export function fragmentRules(names: string[], except: ReadonlySet<string> = new Set()): SeccompRule[] {
  const wanted = [...new Set([...names, 'clone3'])].filter((n) => !except.has(n) && n !== 'exit' && n !== 'exit_group');
  const ending = ['exit', 'exit_group'].filter((n) => !except.has(n));
  return [
    ...allowKeepingConditions(wanted, 'granted by the profile\u2019s fragments'),
    // Ending is no capability (a process can always be killed): without it a refused call loops into a crash.
    ...(ending.length ? [{ names: ending, action: 'SCMP_ACT_ALLOW', comment: 'a process may always end' }] : []),
  ];
}

function landlockOf(
  policy: EffectivePolicy,
  configDir: string,
  where: string,
  substitute: (text: string, field: string) => string,
  files: ProfileRun['files'],
): Pick<SandboxSpec, 'landlockPolicy' | 'landlockExtra' | 'landlockView'> {
  // A profile composed from fragments gets their filesystem access only; a Landlock policy of its own is a second
  // layer on top of that (sandboxPolicy.ts, landlockLayers): it narrows, never widens.
  const out: Pick<SandboxSpec, 'landlockPolicy' | 'landlockExtra' | 'landlockView'> = policy.fragments.length > 0 ? { landlockView: 'fragments' } : {};
  if (policy.landlock.base) {
    const { text, file, checked } = sourceText(policy.landlock.base, configDir, 'landlock', where, files);
    // Inline policies are written in the YAML file: camelCase keys, given here as JSON (their name ends in .json).
    const config = parsedOnce(`landlock\0${file}`, text, () => {
      const loaded = loadLandlockProfile(file, text);
      return checked ? landlockProfileOf(loaded.parsed.root) : loaded.profile();
    });
    out.landlockPolicy = { config, source: file };
  }
  const { pathBeneath, netPort } = policy.landlock;
  if (pathBeneath.length > 0 || netPort.length > 0) {
    const config: LandlockConfig = {
      // Fragment rules may use the abi.* groups: they mean the running kernel's rights.
      abi: Math.max(1, kernelLandlockAbi()),
      variable: [],
      ruleset: [],
      pathBeneath: pathBeneath.map((r, i) => ({
        allowedAccess: r.allowedAccess,
        parent: r.parent.map((p, j) => path.resolve(configDir, substitute(p, `landlock rule ${i} (from ${r.from}) parent[${j}]`))),
      })),
      netPort: netPort.map((r) => ({ allowedAccess: r.allowedAccess, port: r.port })),
    };
    out.landlockExtra = { config, source: `${where}: Landlock rules of fragments ${[...new Set([...pathBeneath, ...netPort].map((r) => r.from))].join(', ')}` };
  }
  return out;
}
