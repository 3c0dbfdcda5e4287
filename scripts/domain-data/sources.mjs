// Reading the inputs: libseccomp (koffi), its syscalls.csv, strace's syscallent tables. One step of scripts/gen-domain-data.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import koffi from 'koffi';
import { LIBSECCOMP_SRC, LIBSECCOMP_TAG, STRACE_SRC, STRACE_REV, ARCHES } from './common.mjs';

// ---------------------------------------------------------------------------------------------
// Source helpers: a path may be a checkout (read the file) or a git dir (git show rev:file).
// ---------------------------------------------------------------------------------------------
export function readSource(root, rev, file) {
  if (!root || !fs.existsSync(root)) return null;
  const direct = path.join(root, file);
  if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return fs.readFileSync(direct, 'utf8');
  try {
    return execFileSync('git', ['--git-dir', root, 'show', `${rev}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch {
    return null;
  }
}
export function gitRev(root, rev) {
  try {
    return execFileSync('git', ['--git-dir', root, 'rev-parse', '--short=12', rev], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
export function dpkgVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 1. libseccomp (installed)
// ---------------------------------------------------------------------------------------------
export function readLibseccomp() {
  const lib = koffi.load('libseccomp.so.2');
  const HeapStr = koffi.disposable('HeapStr', 'str'); // resolve_num returns malloc()ed memory
  const resolveNum = lib.func('seccomp_syscall_resolve_num_arch', HeapStr, ['uint32_t', 'int']);
  const resolveName = lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)');
  const archResolve = lib.func('uint32_t seccomp_arch_resolve_name(const char *name)');
  const versionFn = lib.func('const void *seccomp_version(void)');
  const v = koffi.decode(versionFn(), koffi.array('uint', 3));
  const version = `${v[0]}.${v[1]}.${v[2]}`;

  const known = new Set(); // arch ids libseccomp knows
  const names = new Set();
  for (const a of ARCHES) {
    const tok = archResolve(a.lib);
    if (tok === 0) continue;
    if (tok !== a.audit) throw new Error(`${a.lib}: libseccomp token 0x${tok.toString(16)} != 0x${a.audit.toString(16)}`);
    known.add(a.id);
    // Syscall numbers live in small ranges above a per-ABI base (MIPS 4000/5000/6000, the x32
    // bit, ARM's private 0x0f0000 range). Scanning collects the names; numbers come from
    // resolve_name below (the canonical form libseccomp uses in filters).
    for (const base of [0, 4000, 5000, 6000, 0x0f0000, 0x40000000]) {
      for (let n = base; n < base + 1100; n++) {
        const s = resolveNum(tok, n);
        if (s) names.add(s);
      }
    }
  }
  const nr = new Map(); // name -> {archId: number}
  const mux = new Map(); // name -> {archId: 'socketcall' | 'ipc'}
  const hasMux = (a, m) => known.has(a.id) && resolveName(a.audit, m) >= 0;
  for (const name of [...names].sort()) {
    const m = {};
    const x = {};
    for (const a of ARCHES) {
      if (!known.has(a.id)) continue;
      const n = resolveName(a.audit, name);
      if (n >= 0) m[a.id] = n;
      // Negative = pseudo-syscall. -100..-199 / -200..-299 are libseccomp's socketcall / ipc
      // multiplexed calls (__PNR_socket = -101, __PNR_semget = -202, ...): the arch has (or had)
      // them only behind socketcall(2)/ipc(2), and libseccomp filters both forms. Other negative
      // values: the syscall does not exist on this arch.
      else if (n <= -100 && n > -200 && hasMux(a, 'socketcall')) x[a.id] = 'socketcall';
      else if (n <= -200 && n > -300 && hasMux(a, 'ipc')) x[a.id] = 'ipc';
    }
    nr.set(name, m);
    if (Object.keys(x).length) mux.set(name, x);
  }
  return { version, known, nr, mux };
}

// ---------------------------------------------------------------------------------------------
// 2. libseccomp's syscalls.csv (newer release; optional)
// ---------------------------------------------------------------------------------------------
export function readLibseccompCsv() {
  const text = readSource(LIBSECCOMP_SRC, LIBSECCOMP_TAG, 'src/syscalls.csv');
  if (!text) return null;
  const lines = text.split('\n').filter(Boolean);
  const header = lines[0].replace(/^#/, '').split(',');
  const kernelTable = /\((v[^ )]+)/.exec(header[0])?.[1] ?? 'unknown';
  const col = new Map(header.map((h, i) => [h, i]));
  const rows = new Map();
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const f = line.split(',');
    const m = {};
    for (const a of ARCHES) {
      const i = col.get(a.csv ?? a.lib);
      if (i === undefined) continue;
      const v = f[i];
      if (v && v !== 'PNR') m[a.id] = Number(v) + a.csvBase;
    }
    rows.set(f[0], m);
  }
  return { rows, kernelTable, rev: gitRev(LIBSECCOMP_SRC, LIBSECCOMP_TAG) };
}

// ---------------------------------------------------------------------------------------------
// 3. strace syscallent tables: kernel argument counts (optional)
// ---------------------------------------------------------------------------------------------
export function readStrace() {
  const cache = new Map();
  const byArch = new Map();
  let found = false;
  for (const a of ARCHES) {
    const m = new Map();
    for (const f of a.strace) {
      if (!cache.has(f)) cache.set(f, readSource(STRACE_SRC, STRACE_REV, `src/linux/${f}`));
      const text = cache.get(f);
      if (!text) continue;
      found = true;
      const re = /^\s*\[[^\]]+\]\s*=\s*\{\s*(\d+|MA)\s*,[^"\n]*"([^"]+)"\s*\}/gm;
      for (let r; (r = re.exec(text)); ) {
        const name = r[2];
        const argc = r[1] === 'MA' ? 6 : Number(r[1]);
        if (!m.has(name)) m.set(name, argc);
      }
    }
    byArch.set(a.id, m);
  }
  if (!found) return null;
  const desc = execFileSyncSafe(['--git-dir', STRACE_SRC, 'describe', '--tags', STRACE_REV]);
  return { byArch, rev: desc ?? gitRev(STRACE_SRC, STRACE_REV) };
}
export function execFileSyncSafe(args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
