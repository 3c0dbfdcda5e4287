/**
 * Resolves a command on the HOST before the sandbox hides things: the sandbox shows only the system
 * directories (SANDBOX_SYSTEM_DIRS), the working directory and explicit grants, and has no PATH lookup of
 * its own. A command that lives elsewhere — a pyenv shim, nvm's node, a conda or ~/.local install — gets
 * its install prefix granted read-only, with a note saying so; an unresolvable one gets a clear error.
 *
 * The decisions are pure functions of data (unit tested); `nodeResolutionHost` is the thin edge to the
 * real filesystem.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readUntrustedHead, readUntrustedText } from './untrustedFile';

/** Most bytes of a `.python-version` file read (pyenv's are one line). */
const VERSION_FILE_MAX_BYTES = 4096;

/** Host directories every sandbox shows read-only at the same path (native/src/filesystem.c). */
export const SANDBOX_SYSTEM_DIRS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/etc'];

export interface ResolvedCommand {
  /** The absolute path to execute (the same path inside the sandbox and on the host). */
  path: string;
  /** Folders to show read-only so the command can run (its install prefix, its interpreter's). */
  readOnly: string[];
  /** Folders to put first on the sandbox PATH (the command's own bin folder when it is not a system one). */
  pathDirs: string[];
  /** What was granted or changed and why, for the user. */
  notes: string[];
}

export interface ResolveOptions {
  /** Where relative commands and pyenv's .python-version files are looked up (default: process.cwd()). */
  cwd?: string;
  /** Folders the sandbox shows anyway besides the system dirs (its cwd, --ro and --rw paths): no grant needed. */
  visible?: readonly string[];
  /** The host's filesystem and environment (default: the real one, process.env). */
  host?: ResolutionHost;
  /**
   * Folders whose files the repository controls (the run's folder, the configuration's). A command that is such a
   * file does not choose host folders to show: a link of the repository's to `~/.cargo/bin/rustc`, or a script
   * whose `#!` names it, would show `~/.cargo` (tokens and all) to the very program it runs. Such a command runs
   * when what it needs is shown already (system folders, the profile's own grants), else it is refused (125).
   */
  repository?: readonly string[];
  /** The command was written by the repository (a profile's `run`, a command sent with a configuration, a tasks.json
   * task's): a path it names is the repository's choice too, wherever it points. A bare name is looked up on the
   * user's PATH, which the user decides. */
  repositoryNamed?: boolean;
}

export class CommandResolutionError extends Error {
  override name = 'CommandResolutionError';
  /** The exit status a shell gives: 127 not found, 126 found but not executable; 125 refused (no sandbox made). */
  constructor(message: string, readonly exitCode: 125 | 126 | 127 = 127) {
    super(message);
  }
}

/** The host facts resolution needs; injectable so the decisions can be tested without a filesystem. */
export interface ResolutionHost {
  env: Record<string, string | undefined>;
  isExecutableFile(p: string): boolean;
  /** realpath, or null when the path does not exist. */
  realpath(p: string): string | null;
  /** File contents (utf8), or null when unreadable. */
  readText(p: string): string | null;
  /** Up to n first bytes, or null when unreadable. */
  readHead(p: string, n: number): Buffer | null;
  /** `pyenv which NAME` output, or null; the last resort for pyenv setups the version files do not explain. */
  pyenvWhich(name: string, cwd: string): string | null;
}

export function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** True when p is visible in a sandbox that shows the system dirs plus `visible`. */
export function isVisibleInSandbox(p: string, visible: readonly string[]): boolean {
  return [...SANDBOX_SYSTEM_DIRS, ...visible].some((d) => isUnder(p, d));
}

/** First executable NAME on a PATH string, like execvp; empty entries mean the current directory. */
export function findOnPath(name: string, pathVar: string, cwd: string, isExecutable: (p: string) => boolean): string | null {
  for (const dir of pathVar.split(':')) {
    const candidate = path.resolve(cwd, dir || '.', name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The folder that holds an installation: the parent of its `bin` folder, else the executable's folder. */
export function installPrefix(executable: string): string {
  const dir = path.dirname(executable);
  return path.basename(dir) === 'bin' ? path.dirname(dir) : dir;
}

/** The interpreter of a `#!` line, or null. */
export function parseShebang(head: Buffer): { interpreter: string; arg?: string } | null {
  if (head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return null;
  const line = head.subarray(2).toString('utf8').split('\n')[0].trim();
  if (!line) return null;
  const [interpreter, ...rest] = line.split(/\s+/);
  return rest.length ? { interpreter, arg: rest.join(' ') } : { interpreter };
}

export function isPyenvShim(executable: string, pyenvRoot: string): boolean {
  return path.dirname(executable) === path.join(pyenvRoot, 'shims');
}

/**
 * The pyenv version(s) in effect, as pyenv decides: PYENV_VERSION, else the nearest .python-version from
 * cwd upwards, else $PYENV_ROOT/version, else "system". Returns the versions and where they came from.
 */
export function pyenvVersions(
  env: Record<string, string | undefined>,
  cwd: string,
  pyenvRoot: string,
  readText: (p: string) => string | null,
): { versions: string[]; source: string } {
  // A version is a folder name under versions/ (conda envs: `miniconda3-latest/envs/x`); one that climbs out of it
  // (`../../..`, as pyenv refuses since CVE-2022-35861) would pick, and grant, any folder with a bin/python3.
  const parse = (text: string) => text.replace(/#.*$/gm, '').split(/[\s:]+/).filter((v) => v && !path.isAbsolute(v) && !v.split('/').includes('..'));
  if (env.PYENV_VERSION) return { versions: parse(env.PYENV_VERSION), source: 'PYENV_VERSION' };
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const file = path.join(dir, '.python-version');
    const text = readText(file);
    if (text !== null) return { versions: parse(text), source: file };
    if (dir === '/') break;
  }
  const global = path.join(pyenvRoot, 'version');
  const text = readText(global);
  if (text !== null) return { versions: parse(text), source: global };
  return { versions: ['system'], source: 'default' };
}

function resolvePyenvShim(name: string, shim: string, cwd: string, host: ResolutionHost, notes: string[]): string {
  const root = host.env.PYENV_ROOT || path.dirname(path.dirname(shim));
  const { versions, source } = pyenvVersions(host.env, cwd, root, (p) => host.readText(p));
  for (const version of versions) {
    if (version === 'system') {
      const pathWithoutShims = (host.env.PATH ?? '').split(':').filter((d) => path.resolve(cwd, d || '.') !== path.dirname(shim)).join(':');
      const system = findOnPath(name, pathWithoutShims, cwd, (p) => host.isExecutableFile(p));
      if (system) {
        notes.push(`${name} is a pyenv shim for the system version (${source}): runs ${system}`);
        return system;
      }
      continue;
    }
    const candidate = path.join(root, 'versions', version, 'bin', name);
    if (host.isExecutableFile(candidate)) {
      notes.push(`${name} is a pyenv shim: runs ${candidate} (version ${version} from ${source})`);
      return candidate;
    }
  }
  const which = host.pyenvWhich(name, cwd);
  if (which && host.isExecutableFile(which)) {
    notes.push(`${name} is a pyenv shim: runs ${which} (from \`pyenv which ${name}\`)`);
    return which;
  }
  throw new CommandResolutionError(
    `${name} is a pyenv shim (${shim}) but pyenv version ${versions.join(':')} (from ${source}) has no ${name}: ` +
      `install it with \`pyenv install\` or choose another version with \`pyenv local\``,
  );
}

/**
 * Resolves a command (a name looked up on the host PATH, or a path) on the host; anything it needs outside
 * the system dirs and `options.visible` is granted read-only. Throws CommandResolutionError with a message
 * for the user when it cannot be found or run.
 */
export function resolveCommand(command: string, options: ResolveOptions = {}): ResolvedCommand {
  const name = command;
  const cwd = options.cwd ?? process.cwd();
  const visible = options.visible ?? [];
  const host = options.host ?? nodeResolutionHost();
  if (!name) throw new CommandResolutionError('no command given: the command name is empty');
  const notes: string[] = [];
  const readOnly: string[] = [];
  const pathDirs: string[] = [];
  const shown = [...visible];
  let ownedBy: string | undefined; // the repository's file the command is, when it is one
  const grant = (folder: string, why: string) => {
    if (isVisibleInSandbox(folder, shown)) return;
    if (ownedBy !== undefined) {
      throw new CommandResolutionError(
        `${ownedBy} is the repository's choice of command, and running it would show ${folder} to the sandbox (for ${why}): a repository's file does not choose which host folders the sandbox sees. ` +
          `Add ${folder} to the profile's filesystem.readOnly (the profile then asks for your approval once), or run the interpreter by name (e.g. python3 ${name})`,
        125,
      );
    }
    readOnly.push(folder);
    shown.push(folder);
    notes.push(`made ${folder} read-only visible for ${why}`);
  };

  let executable: string;
  if (name.includes('/')) {
    executable = path.resolve(cwd, name);
    if (!host.isExecutableFile(executable)) {
      const exists = host.realpath(executable) !== null;
      if (!exists) throw new CommandResolutionError(`${executable} does not exist on the host`);
      throw new CommandResolutionError(`cannot execute ${executable}: it is not an executable file — give it execute permission (chmod +x), or run it through its interpreter (e.g. sh ${name})`, 126);
    }
  } else {
    const pathVar = host.env.PATH ?? '';
    const found = findOnPath(name, pathVar, cwd, (p) => host.isExecutableFile(p));
    if (!found) {
      throw new CommandResolutionError(
        `command "${name}" not found on the host PATH (${pathVar || 'empty'}): install it or give its full path`,
      );
    }
    executable = found;
    const pyenvRoot = host.env.PYENV_ROOT || path.dirname(path.dirname(found));
    // A shims folder next to a versions folder is pyenv's: the shim is a bash script that would need all
    // of pyenv inside the sandbox, so run the version it would pick instead.
    if (isPyenvShim(found, pyenvRoot) && host.realpath(path.join(pyenvRoot, 'versions')) !== null) {
      executable = resolvePyenvShim(name, found, cwd, host, notes);
    }
  }

  // Compared as written and as real paths: a workspace opened through a link, with the real spelling on PATH, is
  // still the repository's.
  const realDir = host.realpath(path.dirname(executable));
  const inRepository = (options.repository ?? []).some((folder) => {
    const realFolder = host.realpath(folder);
    return isUnder(executable, folder) || (realDir !== null && realFolder !== null && isUnder(realDir, realFolder));
  });
  if (inRepository || (options.repositoryNamed && name.includes('/'))) ownedBy = executable;
  const real = host.realpath(executable) ?? executable;
  if (!isVisibleInSandbox(executable, shown)) {
    grant(installPrefix(executable), name);
    pathDirs.push(path.dirname(executable));
  }
  if (!isVisibleInSandbox(real, shown)) grant(installPrefix(real), name);

  // A script's interpreter must be visible too (e.g. ~/.local/bin/black -> #!/root/.pyenv/.../python3.11).
  const head = host.readHead(real, 256);
  const shebang = head ? parseShebang(head) : null;
  if (shebang && path.isAbsolute(shebang.interpreter)) {
    const interpreter = host.realpath(shebang.interpreter);
    if (!interpreter) throw new CommandResolutionError(`${real} names the interpreter ${shebang.interpreter} in its #! line, which does not exist on the host`);
    if (!isVisibleInSandbox(shebang.interpreter, shown)) grant(installPrefix(shebang.interpreter), `the interpreter of ${name}`);
    if (!isVisibleInSandbox(interpreter, shown)) grant(installPrefix(interpreter), `the interpreter of ${name}`);
  }
  return { path: executable, readOnly, pathDirs, notes };
}

/** The real host. */
export function nodeResolutionHost(env: Record<string, string | undefined> = process.env): ResolutionHost {
  return {
    env,
    isExecutableFile(p) {
      try {
        if (!statSync(p).isFile()) return false;
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    realpath(p) {
      try {
        return realpathSync(p);
      } catch {
        return null;
      }
    },
    // `.python-version` files and scripts may have been planted in the workspace (a FIFO, a link to /dev/zero):
    // only regular files are read, and only their start.
    readText(p) {
      return readUntrustedText(p, { maxBytes: VERSION_FILE_MAX_BYTES });
    },
    readHead(p, n) {
      return readUntrustedHead(p, { maxBytes: n });
    },
    pyenvWhich(name, cwd) {
      const r = spawnSync('pyenv', ['which', name], { cwd, env: { ...env } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 5000 });
      return r.status === 0 ? r.stdout.trim() || null : null;
    },
  };
}
