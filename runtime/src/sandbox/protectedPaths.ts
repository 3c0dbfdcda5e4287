/**
 * Protected paths: what host programs trust, kept read-only inside every sandbox however its folder is granted
 * (docs/sandbox.md, "Protected paths"). The ONE list: runs pass it to the helper (`--protect`, `--protect-dir`), and
 * approval (`phantom trust`) reads the unprotected entries from here — an unprotected path is a widening.
 *
 * Why each is here (a sandbox that could write it would act on the host after the run):
 *   .git          `core.fsmonitor`, `core.hooksPath`, hooks: run by the next `git status` (editors run it by themselves)
 *   .gitmodules   submodule URLs and update commands
 *   .vscode, .idea   workspace settings and tasks the editor applies or runs
 *   .envrc        direnv's per-folder shell code
 *   shell startup files, .gitconfig, .ssh   when a writable folder is a home folder
 *   the configuration in force and every profile file it names: a run would widen its own next sandbox
 *   phantom-fragment.yaml/.yml at a writable folder's top: would become the configuration of the next run
 *   the runtime's own files (its bundle and helper, its node_modules, the policy cache) when they lie in a writable
 *   folder — e.g. running from this repository: the next run executes them as the runtime's user
 * Absent folders among .git, .vscode and .idea hold an empty read-only placeholder during the sandbox's life (made and
 * removed by the helper): the sandbox cannot create them either. Absent files are not held (an empty `.bashrc` or
 * `.envrc` would change what host tools do); what the sandbox writes there is then only as trusted as any file of
 * the workspace — docs/sandbox.md says so.
 */
import { existsSync, lstatSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { nativeFolder } from './sandboxSpawn';
import { policyCacheRoot } from '../policy/seccompCompiler';
import { readUntrustedText } from './untrustedFile';

/** Folders held by a placeholder when absent. */
export const PROTECTED_FOLDERS = ['.git', '.vscode', '.idea'] as const;
/** Names protected at the top of every writable folder when present. */
export const PROTECTED_NAMES = [
  '.gitmodules', '.envrc', 'phantom-fragment.yaml', 'phantom-fragment.yml',
  '.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zshenv', '.zprofile', '.zlogin',
  '.zlogout', '.inputrc', '.gitconfig', '.ssh', '.config/git', '.config/fish',
] as const;

export interface ProtectedPath {
  /** Absolute host path. */
  path: string;
  /** Held by an empty read-only placeholder folder while the sandbox lives, when absent. */
  placeholder: boolean;
  /** Why it is protected, in plain words (effective policy, `phantom trust`). */
  why: string;
  /** The profile's `unprotect` names it: left writable (a widening that needs approval). Never for the runtime's own files. */
  unprotected: boolean;
}

export interface ProtectedPathOptions {
  /** Folders the sandbox may write besides the workspace (the profile's readWrite). */
  writable?: string[];
  /** The profile's `unprotect` entries: names relative to the workspace (".vscode"), or absolute paths. */
  unprotect?: string[];
}

function inside(p: string, folder: string): boolean {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The runtime's own folders: the bundle with the helper, the package's node_modules, the policy cache. */
export function runtimeFolders(): { path: string; why: string }[] {
  const bundle = path.dirname(nativeFolder()); // dist/native -> dist
  const out = [
    { path: bundle, why: "the runtime's bundle and sandbox helper" },
    { path: path.join(path.dirname(bundle), 'node_modules'), why: "the runtime's node modules (its native bindings)" },
  ];
  const cache = policyCacheRoot();
  if (cache) out.push({ path: cache, why: 'the compiled-policy cache' });
  return out;
}

/**
 * Every protected path of a run in `workspace` under `configFile` (absent: no configuration) whose policy names
 * `profileFiles`, for the writable folders (the workspace and `options.writable`). Paths outside every writable
 * folder are left out: the sandbox cannot write them anyway.
 */
export function protectedPaths(workspace: string, configFile?: string, profileFiles: string[] = [], options: ProtectedPathOptions = {}): ProtectedPath[] {
  const roots = [...new Set([workspace, ...(options.writable ?? [])].map((p) => path.resolve(p)))];
  const unprotect = new Set((options.unprotect ?? []).map((u) => path.resolve(workspace, u)));
  const out = new Map<string, ProtectedPath>();
  const add = (p: string, why: string, placeholder: boolean, mayUnprotect = true) => {
    const abs = path.resolve(p);
    if (!roots.some((r) => inside(abs, r)) || out.has(abs)) return;
    out.set(abs, { path: abs, placeholder, why, unprotected: mayUnprotect && unprotect.has(abs) });
  };
  for (const root of roots) {
    for (const name of PROTECTED_FOLDERS) add(path.join(root, name), whyOf(name), true);
    for (const nested of nestedRepositories(root)) add(nested, NESTED_WHY, false);
    const present = entriesOf(root);
    for (const name of PROTECTED_NAMES) {
      const top = name.split('/')[0];
      if (present.has(top) && (top === name || existsSync(path.join(root, name)))) add(path.join(root, name), whyOf(name), false);
    }
  }
  if (configFile) add(configFile, 'the sandbox configuration in force', false);
  for (const f of profileFiles) add(f, 'a profile file the configuration names', false);
  ownFolders ??= runtimeFolders().filter((own) => existsSync(own.path)); // fixed for the runtime's life
  for (const own of ownFolders) add(own.path, own.why, false, false);
  return [...out.values()];
}

/**
 * The names at a folder's top, read once (one readdir instead of a stat per protected name) and kept for
 * ENTRIES_TTL_MS: a run's list is computed before every spawn, warm ones included. Staleness is harmless either way:
 * a name that appeared since is unprotected only as an absent file always is (it could have been created from
 * inside), and one that vanished is skipped by the helper.
 */
const ENTRIES_TTL_MS = 1000;
const entryCache = new Map<string, { at: number; names: Set<string> }>();

function entriesOf(folder: string): Set<string> {
  const now = performance.now();
  const cached = entryCache.get(folder);
  if (cached && now - cached.at < ENTRIES_TTL_MS) return cached.names;
  let names: Set<string>;
  try {
    names = new Set(readdirSync(folder));
  } catch {
    names = new Set(); // unreadable or gone: the helper reports what matters about it
  }
  if (entryCache.size > 256) entryCache.clear();
  entryCache.set(folder, { at: now, names });
  return names;
}

let ownFolders: { path: string; why: string }[] | undefined;

/**
 * Nested repositories below a writable folder: a `.git` folder, or the `gitdir:` file of a submodule or worktree, in
 * a subfolder up to NESTED_DEPTH levels down (reading at most NESTED_BUDGET folders), and every submodule path the
 * folder's `.gitmodules` names. Host git runs their `core.fsmonitor` and hooks as well: `git status` in the
 * superproject visits submodules, and editors open repositories in subfolders by themselves (VS Code's
 * `git.repositoryScanMaxDepth`, 1 by default). Links are not followed (a link to a folder is not scanned, a `.git`
 * that is a link is not held). A nested repository made during the run cannot be held: docs/sandbox.md says so.
 */
const NESTED_DEPTH = 3;
const NESTED_BUDGET = 2000;
const NESTED_WHY = "a nested repository's configuration and hooks (run by the next git command in it or in its superproject)";
const nestedCache = new Map<string, { at: number; found: string[] }>();

export function nestedRepositories(root: string): string[] {
  const now = performance.now();
  const cached = nestedCache.get(root);
  if (cached && now - cached.at < ENTRIES_TTL_MS) return cached.found;
  const found = new Set<string>();
  const isGitEntry = (p: string) => {
    try {
      const st = lstatSync(p);
      return st.isDirectory() || st.isFile();
    } catch {
      return false;
    }
  };
  for (const sub of submodulePaths(root)) if (isGitEntry(path.join(root, sub, '.git'))) found.add(path.join(root, sub, '.git'));
  let budget = NESTED_BUDGET;
  let level = [root];
  for (let depth = 0; depth <= NESTED_DEPTH && level.length && budget > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (budget-- <= 0) break;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (e.name === '.git') {
          if (depth > 0 && (e.isDirectory() || e.isFile())) found.add(path.join(dir, e.name));
        } else if (e.isDirectory() && depth < NESTED_DEPTH) next.push(path.join(dir, e.name));
      }
    }
    level = next;
  }
  if (nestedCache.size > 256) nestedCache.clear();
  const list = [...found];
  nestedCache.set(root, { at: now, found: list });
  return list;
}

/** The `path = …` entries of a folder's `.gitmodules` that stay inside it. */
function submodulePaths(root: string): string[] {
  // Planted by an earlier run, maybe: a FIFO would block the runtime, a link to /dev/zero fill it (untrustedFile.ts).
  const text = readUntrustedText(path.join(root, '.gitmodules'), { maxBytes: 64 * 1024, noFollow: true });
  if (text === null) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
    const rel = m[1].replace(/^"(.*)"$/, '$1');
    if (rel && !path.isAbsolute(rel) && inside(path.join(root, rel), root)) out.push(rel);
  }
  return out;
}

function whyOf(name: string): string {
  if (name === '.git') return "git's configuration and hooks (run by the next git command)";
  if (name === '.gitmodules') return 'submodule URLs and update commands';
  if (name === '.vscode' || name === '.idea') return 'editor settings and tasks';
  if (name === '.envrc') return "direnv's per-folder shell code";
  if (name.startsWith('phantom-fragment')) return 'a sandbox configuration the next run would use';
  return 'a startup file of shells and tools';
}

/** The helper's options for them: --protect-dir for placeholders, --protect otherwise; unprotected ones are left out. */
export function protectArguments(paths: ProtectedPath[]): string[] {
  return paths.filter((p) => !p.unprotected).flatMap((p) => [p.placeholder ? '--protect-dir' : '--protect', p.path]);
}
