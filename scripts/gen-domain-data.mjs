#!/usr/bin/env node
// Generates the domain tables the language server reads (no native code at run time):
//
//   model/data/syscalls.json            every syscall name with its number per architecture,
//                                        a one-line description, C prototype and argument count
//   model/data/seccomp.json             seccomp actions, comparison operators, filter flags,
//                                        architectures (with compat siblings), capabilities
//   model/data/landlock.json            Landlock rights, scopes, ABI table, landlockconfig groups
//   schemas/landlock.toml.schema.json    the snake_case (TOML) twin of schemas/landlock.schema.json
//
// Inputs
//   * libseccomp.so.2 (loaded with koffi): the syscall names and numbers it resolves per architecture.
//   * /usr/share/man/man2/*.2.gz (Debian manpages-dev): NAME line and SYNOPSIS prototype.
//   * optional: a libseccomp source tree or git dir ($LIBSECCOMP_SRC; without it the data it supplied is reused) whose
//     src/syscalls.csv (tag $LIBSECCOMP_TAG, default v2.6.1) supplies what the installed library does
//     not know: SCMP_ARCH_LOONGARCH64 numbers and syscalls added after it was built.
//   * optional: a strace source tree or git dir ($STRACE_SRC) whose per-architecture syscallent tables
//     give the kernel-level argument count of every syscall.
//   When an optional input is missing, the values it supplied are taken over from the existing
//   model/data/syscalls.json, so the script can be re-run anywhere libseccomp and man pages exist.
//
// Usage: node scripts/gen-domain-data.mjs [--check]
//   --check  generate in memory and fail (exit 1) if a committed file differs.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = {
  syscalls: path.join(ROOT, 'model/data/syscalls.json'),
  seccomp: path.join(ROOT, 'model/data/seccomp.json'),
  landlock: path.join(ROOT, 'model/data/landlock.json'),
  landlockSchema: path.join(ROOT, 'schemas/landlock.schema.json'),
  landlockTomlSchema: path.join(ROOT, 'schemas/landlock.toml.schema.json'),
  seccompSchema: path.join(ROOT, 'schemas/seccomp.schema.json'),
};
const CHECK = process.argv.includes('--check');
const MAN2 = process.env.MAN2_DIR || '/usr/share/man/man2';
const MAN7 = process.env.MAN7_DIR || '/usr/share/man/man7';
const LIBSECCOMP_SRC = process.env.LIBSECCOMP_SRC || '';
const LIBSECCOMP_TAG = process.env.LIBSECCOMP_TAG || 'v2.6.1';
const STRACE_SRC = process.env.STRACE_SRC || '';
const STRACE_REV = process.env.STRACE_REV || 'HEAD';

const warn = (...a) => console.error('gen-domain-data:', ...a);
const readJsonIfExists = (p) => (fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : null);
const previous = readJsonIfExists(OUT.syscalls);

// ---------------------------------------------------------------------------------------------
// Architectures. Order = column order in the data. `audit` is the AUDIT_ARCH_* token libseccomp
// uses; `lib` the libseccomp name; `csv` the column in libseccomp's syscalls.csv; `csvBase` what
// libseccomp adds to the csv number (x32 flag bit, MIPS ABI bases); `strace` the syscallent files.
// ---------------------------------------------------------------------------------------------
const ARCHES = [
  { id: 'SCMP_ARCH_X86_64', lib: 'x86_64', audit: 0xc000003e, csvBase: 0, strace: ['x86_64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_X86', lib: 'x86', audit: 0x40000003, csvBase: 0, strace: ['i386/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_X32', lib: 'x32', audit: 0x4000003e, csvBase: 0x40000000, strace: ['x32/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_AARCH64', lib: 'aarch64', audit: 0xc00000b7, csvBase: 0, strace: ['aarch64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_ARM', lib: 'arm', audit: 0x40000028, csvBase: 0, strace: ['arm/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_RISCV64', lib: 'riscv64', audit: 0xc00000f3, csvBase: 0, strace: ['riscv64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_LOONGARCH64', lib: 'loongarch64', audit: 0xc0000102, csvBase: 0, strace: ['loongarch64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_S390X', lib: 's390x', audit: 0x80000016, csvBase: 0, strace: ['s390x/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_S390', lib: 's390', audit: 0x00000016, csvBase: 0, strace: ['s390/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC64LE', lib: 'ppc64le', audit: 0xc0000015, csv: 'ppc64', csvBase: 0, strace: ['powerpc64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC64', lib: 'ppc64', audit: 0x80000015, csvBase: 0, strace: ['powerpc64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC', lib: 'ppc', audit: 0x00000014, csvBase: 0, strace: ['powerpc/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS', lib: 'mips', audit: 0x00000008, csv: 'mips', csvBase: 4000, strace: ['mips/syscallent-o32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL', lib: 'mipsel', audit: 0x40000008, csv: 'mips', csvBase: 4000, strace: ['mips/syscallent-o32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS64', lib: 'mips64', audit: 0x80000008, csvBase: 5000, strace: ['mips/syscallent-n64.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL64', lib: 'mipsel64', audit: 0xc0000008, csv: 'mips64', csvBase: 5000, strace: ['mips/syscallent-n64.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS64N32', lib: 'mips64n32', audit: 0xa0000008, csvBase: 6000, strace: ['mips/syscallent-n32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL64N32', lib: 'mipsel64n32', audit: 0xe0000008, csv: 'mips64n32', csvBase: 6000, strace: ['mips/syscallent-n32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PARISC', lib: 'parisc', audit: 0x0000000f, csvBase: 0, strace: ['hppa/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PARISC64', lib: 'parisc64', audit: 0x8000000f, csv: 'parisc64', csvBase: 0, strace: ['hppa/syscallent.h', 'generic/syscallent-common.h'] },
];
// Kernel-level argument counts are quoted for this architecture first (64-bit, no register pairs).
const ARGC_PREFERENCE = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_X86', 'SCMP_ARCH_ARM', 'SCMP_ARCH_S390', 'SCMP_ARCH_PPC', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_PARISC'];

// ---------------------------------------------------------------------------------------------
// Source helpers: a path may be a checkout (read the file) or a git dir (git show rev:file).
// ---------------------------------------------------------------------------------------------
function readSource(root, rev, file) {
  if (!root || !fs.existsSync(root)) return null;
  const direct = path.join(root, file);
  if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return fs.readFileSync(direct, 'utf8');
  try {
    return execFileSync('git', ['--git-dir', root, 'show', `${rev}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch {
    return null;
  }
}
function gitRev(root, rev) {
  try {
    return execFileSync('git', ['--git-dir', root, 'rev-parse', '--short=12', rev], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
function dpkgVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 1. libseccomp (installed)
// ---------------------------------------------------------------------------------------------
function readLibseccomp() {
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
function readLibseccompCsv() {
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
function readStrace() {
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
function execFileSyncSafe(args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Manual pages (section 2)
// ---------------------------------------------------------------------------------------------
function roffUnescape(s) {
  return s
    .replace(/\\f(\[[^\]]*\]|\([A-Za-z]{2}|[A-Za-z0-9])/g, '')
    .replace(/\\\[ti\]/g, '~')
    .replace(/\\\[(em|\(em)\]|\\\(em/g, '\u2014')
    .replace(/\\\[(en)\]|\\\(en/g, '\u2013')
    .replace(/\\\[dq\]/g, '"')
    .replace(/\\\[aq\]/g, "'")
    .replace(/\\\[rs\]|\\e/g, '\\')
    .replace(/\\\[bu\]/g, '\u2022')
    .replace(/\\\[[a-z]+\]/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\[~ 0]/g, ' ')
    .replace(/\\[&,/:|^%]/g, '')
    .replace(/\\\*\((lq|rq)/g, '"');
}
function roffArgs(rest) {
  const args = [];
  let i = 0;
  while (i < rest.length) {
    while (rest[i] === ' ' || rest[i] === '\t') i++;
    if (i >= rest.length) break;
    if (rest[i] === '"') {
      let s = '';
      i++;
      while (i < rest.length) {
        if (rest[i] === '"') {
          if (rest[i + 1] === '"') { s += '"'; i += 2; continue; }
          i++;
          break;
        }
        s += rest[i++];
      }
      args.push(s);
    } else {
      let s = '';
      while (i < rest.length && rest[i] !== ' ' && rest[i] !== '\t') s += rest[i++];
      args.push(s);
    }
  }
  return args;
}
function roffLines(src) {
  // join continuation lines (a trailing single backslash)
  const raw = src.split('\n');
  const out = [];
  let acc = null;
  for (const line of raw) {
    const cont = /(^|[^\\])\\$/.test(line);
    const piece = cont ? line.slice(0, -1) : line;
    acc = acc === null ? piece : acc + ' ' + piece.replace(/^\s+/, '');
    if (!cont) { out.push(acc); acc = null; }
  }
  if (acc !== null) out.push(acc);
  return out;
}
function roffText(line) {
  if (/^[.'][\\]"/.test(line)) return null; // comment
  const m = /^\.([A-Za-z]+)\s*(.*)$/.exec(line);
  if (!m) return roffUnescape(line);
  const [, macro, rest] = m;
  if (['B', 'I', 'SM', 'SB'].includes(macro)) return roffUnescape(roffArgs(rest).join(' '));
  if (['BI', 'BR', 'IB', 'IR', 'RB', 'RI'].includes(macro)) return roffUnescape(roffArgs(rest).join(''));
  return null;
}
function sections(src) {
  const secs = new Map();
  let cur = null;
  for (const line of roffLines(src)) {
    const h = /^\.SH\s+"?([^"]*)"?\s*$/.exec(line);
    if (h) { cur = h[1].trim().toUpperCase(); secs.set(cur, []); continue; }
    if (cur) secs.get(cur).push(line);
  }
  return secs;
}

const manCache = new Map();
function readManPage(file) {
  if (manCache.has(file)) return manCache.get(file);
  let result = null;
  let p = path.join(MAN2, file);
  for (let hops = 0; hops < 5 && fs.existsSync(p); hops++) {
    const real = fs.realpathSync(p); // Debian turns .so pages into symlinks
    let src = zlib.gunzipSync(fs.readFileSync(real)).toString('utf8');
    const so = /^\.so\s+(?:man2\/)?(\S+)\s*$/m.exec(src);
    if (so && src.split('\n').filter((l) => l && !l.startsWith('.\\"')).length <= 2) {
      p = path.join(MAN2, path.basename(so[1]) + '.gz');
      continue;
    }
    const th = /^\.TH\s+(\S+)\s+(\S+)\s+(\S+)\s+"([^"]*)"/m.exec(src);
    const secs = sections(src);
    const nameText = (secs.get('NAME') ?? []).map(roffText).filter((x) => x !== null).join(' ').replace(/\s+/g, ' ').trim();
    const dash = nameText.indexOf(' - ');
    const pageNames = (dash >= 0 ? nameText.slice(0, dash) : nameText).split(',').map((s) => s.trim()).filter(Boolean);
    const summary = dash >= 0 ? nameText.slice(dash + 3).trim() : '';
    // SYNOPSIS: the .nf/.fi blocks before the feature-test-macro part.
    // (A few pages put the prototype outside .nf: `all` keeps every line as a fallback.)
    const syn = [];
    const all = [];
    let inNf = false;
    for (const line of secs.get('SYNOPSIS') ?? []) {
      if (/Feature Test Macro/i.test(line)) break;
      if (/^\.nf\b/.test(line)) { inNf = true; continue; }
      if (/^\.fi\b/.test(line)) { inNf = false; continue; }
      const t = roffText(line);
      if (t === null) continue;
      all.push(t);
      if (inNf) syn.push(t);
    }
    result = {
      page: `${path.basename(real, '.2.gz')}(2)`,
      title: th ? th[4] : '',
      pageNames,
      summary,
      prototypes: prototypes(syn),
      looseProtos: prototypes(all),
    };
    break;
  }
  manCache.set(file, result);
  return result;
}
function prototypes(lines) {
  const body = lines
    .filter((l) => !/^\s*#/.test(l))
    .filter((l) => !/^\s*\/\*.*\*\/\s*$/.test(l))
    .join('\n');
  return body
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /\(/.test(s))
    .map((s) =>
      s
        .replace(/^(\s*\/\*[\s\S]*?\*\/)+\s*/, '') // a comment before the prototype
        .replace(/\b_Nullable\b|\b_Nonnull\b/g, '')
        .replace(/\s+/g, ' ')
        .replace(/ \* +/g, ' *')
        .replace(/\s+([,)\]])/g, '$1')
        .replace(/\(\s+/g, '(')
        .trim(),
    );
}
function splitParams(inner) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
// Returns {sig, params, viaSyscall, fn} for `name` in a prototype list, or null.
function findPrototype(protos, name) {
  let best = null;
  for (const p of protos) {
    const esc = name.replace(/[$]/g, '\\$');
    let m = new RegExp(`^(.*?)\\bsyscall\\(\\s*SYS_${esc}\\s*(?:,\\s*(.*))?\\)\\s*$`).exec(p);
    let cand;
    if (m) {
      const ret = m[1].trim();
      const params = m[2] ? splitParams(m[2]) : [];
      cand = { sig: `${ret} ${name}(${params.length ? params.join(', ') : 'void'});`, params, viaSyscall: true, fn: name };
    } else {
      m = new RegExp(`^(.*?[\\s*])${esc}\\s*\\((.*)\\)\\s*$`).exec(p);
      if (!m || /\bsyscall\(/.test(m[1])) continue;
      const inner = m[2].trim();
      const params = inner === 'void' || inner === '' ? [] : splitParams(inner);
      cand = { sig: `${p};`, params, viaSyscall: false, fn: name };
    }
    if (!best || cand.params.length > best.params.length) best = cand;
  }
  return best;
}
function stems(name) {
  const out = [name];
  const add = (s) => { if (s && !out.includes(s)) out.push(s); };
  for (const s of [...out]) add(s.replace(/^_+/, ''));
  for (const s of [...out]) add(s.replace(/^rt_/, ''));
  for (const s of [...out]) add(s.replace(/^(new|old|u)/, ''));
  for (const s of [...out]) add(s.replace(/(_time64|64_64|64|32|_time32)$/, ''));
  for (const s of [...out]) add(s.replace(/[0-9]+$/, ''));
  return out;
}

// Pages whose file name differs from the syscall and that Debian does not link.
const MAN_ALIAS = {
  io_pgetevents: 'io_getevents.2.gz',
  arm_sync_file_range: 'sync_file_range.2.gz',
  sync_file_range2: 'sync_file_range.2.gz',
  fadvise64_64: 'posix_fadvise.2.gz',
  arm_fadvise64_64: 'posix_fadvise.2.gz',
  fstatat64: 'fstatat.2.gz',
  newfstatat: 'fstatat.2.gz',
  oldfstat: 'stat.2.gz',
  oldlstat: 'stat.2.gz',
  oldstat: 'stat.2.gz',
  oldolduname: 'uname.2.gz',
  olduname: 'uname.2.gz',
  oldumount: 'umount.2.gz',
  _sysctl: 'sysctl.2.gz',
  ugetrlimit: 'getrlimit.2.gz',
  sendfile64: 'sendfile.2.gz',
  waitpid: 'wait.2.gz',
  recv: 'recv.2.gz',
  send: 'send.2.gz',
  epoll_wait_old: 'epoll_wait.2.gz',
  epoll_ctl_old: 'epoll_ctl.2.gz',
  clock_gettime64: 'clock_gettime.2.gz',
  clock_settime64: 'clock_settime.2.gz',
  clock_getres_time64: 'clock_getres.2.gz',
  clock_nanosleep_time64: 'clock_nanosleep.2.gz',
  clock_adjtime64: 'clock_adjtime.2.gz',
  timer_gettime64: 'timer_gettime.2.gz',
  timer_settime64: 'timer_settime.2.gz',
  timerfd_gettime64: 'timerfd_gettime.2.gz',
  timerfd_settime64: 'timerfd_settime.2.gz',
  utimensat_time64: 'utimensat.2.gz',
  pselect6_time64: 'pselect6.2.gz',
  ppoll_time64: 'ppoll.2.gz',
  io_pgetevents_time64: 'io_getevents.2.gz',
  recvmmsg_time64: 'recvmmsg.2.gz',
  mq_timedsend_time64: 'mq_timedsend.2.gz',
  mq_timedreceive_time64: 'mq_timedreceive.2.gz',
  semtimedop_time64: 'semtimedop.2.gz',
  rt_sigtimedwait_time64: 'rt_sigtimedwait.2.gz',
  futex_time64: 'futex.2.gz',
  sched_rr_get_interval_time64: 'sched_rr_get_interval.2.gz',
  rt_sigsuspend: 'sigsuspend.2.gz',
  rt_sigpending: 'sigpending.2.gz',
  rt_sigprocmask: 'sigprocmask.2.gz',
  rt_sigtimedwait: 'sigwaitinfo.2.gz',
  cacheflush: 'cacheflush.2.gz',
  fanotify_init: 'fanotify_init.2.gz',
  s390_guarded_storage: 's390_guarded_storage.2.gz',
  s390_pci_mmio_read: 's390_pci_mmio_write.2.gz',
  riscv_flush_icache: 'riscv_flush_icache.2.gz',
  spu_create: 'spu_create.2.gz',
  newuname: 'uname.2.gz',
  mmap2: 'mmap2.2.gz',
  signalfd4: 'signalfd.2.gz',
  eventfd2: 'eventfd.2.gz',
  pipe2: 'pipe.2.gz',
  dup3: 'dup.2.gz',
  inotify_init1: 'inotify_init.2.gz',
  epoll_create1: 'epoll_create.2.gz',
  accept4: 'accept.2.gz',
  faccessat2: 'faccessat.2.gz',
  umount2: 'umount.2.gz',
  renameat2: 'rename.2.gz',
  wait4: 'wait4.2.gz',
  getdents64: 'getdents.2.gz',
  preadv2: 'readv.2.gz',
  pwritev2: 'readv.2.gz',
  clone3: 'clone.2.gz',
  mlock2: 'mlock.2.gz',
  epoll_pwait2: 'epoll_wait.2.gz',
};

// Syscalls documented under the glibc function they implement, when the name does not say so.
const PROTO_ALIAS = {
  exit: '_exit',
  fadvise64: 'posix_fadvise',
  fadvise64_64: 'posix_fadvise',
  arm_fadvise64_64: 'posix_fadvise',
  arm_sync_file_range: 'sync_file_range',
  io_pgetevents_time64: 'io_pgetevents',
};
// Argument counts strace's tables do not give under these names (ARM register pairs for 64-bit args).
const ARGC_OVERRIDE = {
  arm_fadvise64_64: 6, // fd, advice, offset (2 registers), len (2 registers)
  arm_sync_file_range: 6, // fd, flags, offset (2 registers), nbytes (2 registers)
};

// Hand-written descriptions and prototypes for syscalls manpages-dev 6.03 does not document.
// Prototypes follow the kernel's SYSCALL_DEFINE / the later man-pages where they exist.
const NO_MAN = {
  cachestat: ['query the page cache statistics of a file range', 'int cachestat(unsigned int fd, struct cachestat_range *cstat_range, struct cachestat *cstat, unsigned int flags);'],
  fchmodat2: ['change permissions of a file relative to a directory fd, with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)', 'int fchmodat2(int dirfd, const char *pathname, mode_t mode, unsigned int flags);'],
  map_shadow_stack: ['allocate a new shadow stack (x86 CET user shadow stacks)', 'void *map_shadow_stack(unsigned long addr, unsigned long size, unsigned int flags);'],
  futex_wake: ['wake waiters on a futex (futex2 interface)', 'long futex_wake(void *uaddr, unsigned long mask, int nr, unsigned int flags);'],
  futex_wait: ['wait on a futex (futex2 interface)', 'long futex_wait(void *uaddr, unsigned long val, unsigned long mask, unsigned int flags, struct __kernel_timespec *timeout, clockid_t clockid);'],
  futex_requeue: ['wake waiters on one futex and requeue others to a second futex (futex2 interface)', 'long futex_requeue(struct futex_waitv *waiters, unsigned int flags, int nr_wake, int nr_requeue);'],
  futex_waitv: ['wait on several futexes at once', 'long futex_waitv(struct futex_waitv *waiters, unsigned int nr_futexes, unsigned int flags, struct __kernel_timespec *timeout, clockid_t clockid);'],
  statmount: ['get information about a mount by its unique mount ID', 'int statmount(const struct mnt_id_req *req, struct statmount *buf, size_t bufsize, unsigned int flags);'],
  listmount: ['list the mount IDs beneath a mount', 'ssize_t listmount(const struct mnt_id_req *req, uint64_t *mnt_ids, size_t nr_mnt_ids, unsigned int flags);'],
  lsm_get_self_attr: ['get an attribute of the calling process from the Linux security modules', 'int lsm_get_self_attr(unsigned int attr, struct lsm_ctx *ctx, uint32_t *size, uint32_t flags);'],
  lsm_set_self_attr: ['set an attribute of the calling process in a Linux security module', 'int lsm_set_self_attr(unsigned int attr, struct lsm_ctx *ctx, uint32_t size, uint32_t flags);'],
  lsm_list_modules: ['list the Linux security modules active on the system', 'int lsm_list_modules(uint64_t *ids, uint32_t *size, uint32_t flags);'],
  mseal: ['seal a range of virtual memory against further changes (mprotect, munmap, mremap, ...)', 'int mseal(void *addr, size_t len, unsigned long flags);'],
  setxattrat: ['set an extended attribute of a file relative to a directory fd', 'int setxattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name, const struct xattr_args *args, size_t size);'],
  getxattrat: ['get an extended attribute of a file relative to a directory fd', 'ssize_t getxattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name, struct xattr_args *args, size_t size);'],
  listxattrat: ['list the extended attribute names of a file relative to a directory fd', 'ssize_t listxattrat(int dirfd, const char *pathname, unsigned int at_flags, char *list, size_t size);'],
  removexattrat: ['remove an extended attribute of a file relative to a directory fd', 'int removexattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name);'],
  open_tree_attr: ['open_tree() that also applies mount attributes to the new detached mount', 'int open_tree_attr(int dirfd, const char *pathname, unsigned int flags, struct mount_attr *attr, size_t size);'],
  file_getattr: ['get inode attributes (fsxattr: flags, extent size, project ID) of a file', 'int file_getattr(int dirfd, const char *pathname, struct file_attr *attr, size_t size, unsigned int at_flags);'],
  file_setattr: ['set inode attributes (fsxattr: flags, extent size, project ID) of a file', 'int file_setattr(int dirfd, const char *pathname, struct file_attr *attr, size_t size, unsigned int at_flags);'],
  listns: ['list namespaces visible to the caller', 'ssize_t listns(const struct ns_id_req *req, uint64_t *ns_ids, size_t nr_ns_ids, unsigned int flags);'],
  rseq_slice_yield: ['yield the CPU at the end of an rseq time-slice extension', 'int rseq_slice_yield(void);'],
  uprobe: ['internal: trampoline of x86-64 uprobes (returns ENXIO when called from elsewhere)', 'long uprobe(void);'],
  uretprobe: ['internal: trampoline of x86-64 return uprobes (returns ENXIO when called from elsewhere)', 'long uretprobe(void);'],
  riscv_hwprobe: ['query RISC-V hardware capabilities (extensions, CPU properties)', 'int riscv_hwprobe(struct riscv_hwprobe *pairs, size_t pair_count, size_t cpusetsize, cpu_set_t *cpus, unsigned int flags);'],
  riscv_flush_icache: ['synchronize the instruction cache with the data cache (RISC-V)', 'int riscv_flush_icache(void *start, void *end, unsigned long flags);'],
  io_pgetevents: ['read asynchronous I/O events from the completion queue, with a signal mask', 'int io_pgetevents(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events, struct timespec *timeout, const struct __aio_sigset *usig);'],
  memfd_secret: ['create an anonymous RAM-based file whose memory is removed from the kernel direct map', 'int memfd_secret(unsigned int flags);'],
  process_mrelease: ['release the memory of a dying process early', 'int process_mrelease(int pidfd, unsigned int flags);'],
  set_mempolicy_home_node: ['set the home NUMA node of a memory range', 'long set_mempolicy_home_node(unsigned long start, unsigned long len, unsigned long home_node, unsigned long flags);'],
  quotactl_fd: ['manipulate disk quotas of the filesystem an open fd is on', 'int quotactl_fd(unsigned int fd, unsigned int cmd, qid_t id, void *addr);'],
  landlock_create_ruleset: ['create a new Landlock ruleset', 'int landlock_create_ruleset(const struct landlock_ruleset_attr *attr, size_t size, uint32_t flags);'],
  landlock_add_rule: ['add a new Landlock rule to a ruleset', 'int landlock_add_rule(int ruleset_fd, enum landlock_rule_type rule_type, const void *rule_attr, uint32_t flags);'],
  landlock_restrict_self: ['enforce a Landlock ruleset on the calling thread', 'int landlock_restrict_self(int ruleset_fd, uint32_t flags);'],
  epoll_pwait2: ['wait for an I/O event on an epoll fd, with a nanosecond timeout and signal mask', 'int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents, const struct timespec *timeout, const sigset_t *sigmask, size_t sigsetsize);'],
  io_uring_setup: ['set up an io_uring submission and completion queue', 'int io_uring_setup(uint32_t entries, struct io_uring_params *p);'],
  io_uring_enter: ['submit io_uring requests and/or wait for completions', 'int io_uring_enter(unsigned int fd, unsigned int to_submit, unsigned int min_complete, unsigned int flags, const void *argp, size_t argsz);'],
  io_uring_register: ['register files, buffers or other resources with an io_uring instance', 'int io_uring_register(unsigned int fd, unsigned int opcode, void *arg, unsigned int nr_args);'],
  fsopen: ['open a filesystem context to configure a new mount (new mount API)', 'int fsopen(const char *fsname, unsigned int flags);'],
  fsconfig: ['configure a filesystem context (new mount API)', 'int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);'],
  fsmount: ['create a detached mount from a configured filesystem context (new mount API)', 'int fsmount(int fsfd, unsigned int flags, unsigned int attr_flags);'],
  fspick: ['open a filesystem context for reconfiguring an existing mount (new mount API)', 'int fspick(int dirfd, const char *pathname, unsigned int flags);'],
  move_mount: ['move or attach a mount (new mount API)', 'int move_mount(int from_dirfd, const char *from_pathname, int to_dirfd, const char *to_pathname, unsigned int flags);'],
  open_tree: ['open a mount or clone a mount tree as a detached mount (new mount API)', 'int open_tree(int dirfd, const char *pathname, unsigned int flags);'],
  rseq: ['register or unregister a restartable sequences area for the calling thread', 'int rseq(struct rseq *rseq, uint32_t rseq_len, int flags, uint32_t sig);'],
  io_pgetevents_time64: ['read asynchronous I/O events, with a signal mask (64-bit time_t variant for 32-bit ABIs)', 'int io_pgetevents_time64(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events, struct __kernel_timespec *timeout, const struct __aio_sigset *usig);'],
  process_madvise: ['give advice about the use of memory to another process', 'ssize_t process_madvise(int pidfd, const struct iovec *iovec, size_t vlen, int advice, unsigned int flags);'],
};
// Terse descriptions for syscalls with a page but a NAME line that does not describe them.
const DESC_OVERRIDE = {
  get_tls: 'get the thread pointer (ARM private syscall)',
  set_tls: 'set the thread pointer (ARM private syscall)',
  breakpoint: 'raise a breakpoint trap (ARM private syscall)',
  usr26: 'switch to 26-bit user mode (ARM private syscall, obsolete)',
  usr32: 'switch to 32-bit user mode (ARM private syscall, obsolete)',
  cachectl: 'control the instruction/data caches (MIPS)',
  sysmips: 'MIPS-specific machine operations (obsolete)',
  multiplexer: 'reserved PowerPC syscall slot (not implemented)',
  rtas: 'call the firmware Run-Time Abstraction Services (PowerPC)',
  swapcontext: 'switch user contexts in the kernel (PowerPC)',
  switch_endian: 'switch the endianness of the calling thread (PowerPC)',
  sys_debug_setcontext: 'set the user context with debug settings (PowerPC)',
  timerfd: 'first timerfd interface (Linux 2.6.22 only), superseded by timerfd_create',
  ftime: 'reserved syscall slot, not implemented by Linux (ftime(3) is a library function)',
  profil: 'reserved syscall slot, not implemented by Linux (profil(3) is a library function)',
  ulimit: 'reserved syscall slot, not implemented by Linux (ulimit(3) is a library function)',
};

function manInfo(name) {
  const files = [`${name}.2.gz`];
  if (MAN_ALIAS[name]) files.push(MAN_ALIAS[name]);
  for (const s of stems(name).slice(1)) files.push(`${s}.2.gz`);
  for (const f of files) {
    const pg = readManPage(f);
    if (!pg) continue;
    let proto = null;
    const fns = PROTO_ALIAS[name] ? [name, PROTO_ALIAS[name]] : stems(name);
    for (const list of [pg.prototypes, pg.looseProtos]) {
      for (const s of fns) {
        proto = findPrototype(list, s);
        if (proto) { proto.fn = s; break; }
      }
      if (proto) break;
    }
    return { page: pg.page, summary: pg.summary, proto };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// syscalls.json
// ---------------------------------------------------------------------------------------------
function buildSyscalls() {
  const lib = readLibseccomp();
  const csv = readLibseccompCsv();
  const strace = readStrace();
  const prevByName = new Map((previous?.syscalls ?? []).map((s) => [s.name, s]));
  if (!csv) warn(`no libseccomp syscalls.csv at ${LIBSECCOMP_SRC || "(set $LIBSECCOMP_SRC to a libseccomp source tree)"} (${LIBSECCOMP_TAG}); reusing previous data for what it supplied`);
  if (!strace) warn(`no strace tables at ${STRACE_SRC || "(set $STRACE_SRC to a strace source tree)"}; reusing previous argument counts`);

  const entries = new Map();
  const fromCsvOnlyArches = ARCHES.filter((a) => !lib.known.has(a.id)).map((a) => a.id);
  // (a) everything the installed libseccomp resolves
  for (const [name, nr] of lib.nr) entries.set(name, { name, nr: { ...nr }, inLibseccomp: true, mux: lib.mux.get(name) });
  // (b) arches the installed libseccomp lacks (loongarch64), and newer syscalls, from the csv
  const mismatches = [];
  if (csv) {
    for (const [name, m] of csv.rows) {
      let e = entries.get(name);
      if (!e) {
        const onKnown = Object.keys(m).filter((id) => ARCHES.some((a) => a.id === id));
        if (onKnown.length === 0) continue; // e.g. m68k-only syscalls
        e = { name, nr: {}, inLibseccomp: false };
        entries.set(name, e);
      }
      for (const [id, n] of Object.entries(m)) {
        // direct number of a multiplexed socket/IPC call (e.g. socket on x86 = 359 since Linux 4.3)
        if (e.mux?.[id] && e.nr[id] === undefined) e.nr[id] = n;
        else if (!e.inLibseccomp || fromCsvOnlyArches.includes(id)) e.nr[id] = n;
        else if (e.nr[id] !== undefined && e.nr[id] !== n) mismatches.push(`${name}/${id}: lib ${e.nr[id]} csv ${n}`);
      }
    }
    if (mismatches.length) warn(`libseccomp ${lib.version} and syscalls.csv disagree on ${mismatches.length} numbers (kept the installed library's):`, mismatches.slice(0, 20).join('; '));
  } else if (previous) {
    for (const p of previous.syscalls) {
      let e = entries.get(p.name);
      if (!e && p.inLibseccomp === false) { e = { name: p.name, nr: { ...p.nr }, inLibseccomp: false }; entries.set(p.name, e); continue; }
      if (!e) continue;
      for (const id of fromCsvOnlyArches) if (p.nr?.[id] !== undefined) e.nr[id] = p.nr[id];
      for (const id of Object.keys(e.mux ?? {})) if (p.nr?.[id] !== undefined && e.nr[id] === undefined) e.nr[id] = p.nr[id];
    }
  }

  const missingMan = [];
  const out = [];
  for (const e of [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // argument counts
    let argc;
    let argcByArch;
    if (strace) {
      const counts = {};
      for (const a of ARCHES) {
        if (e.nr[a.id] === undefined) continue;
        const c = strace.byArch.get(a.id)?.get(e.name);
        if (c !== undefined) counts[a.id] = c;
      }
      const pref = ARGC_PREFERENCE.find((id) => counts[id] !== undefined) ?? Object.keys(counts)[0];
      if (pref) {
        argc = counts[pref];
        const diff = Object.fromEntries(Object.entries(counts).filter(([, c]) => c !== argc));
        if (Object.keys(diff).length) argcByArch = diff;
      }
    } else {
      const p = prevByName.get(e.name);
      if (p) { argc = p.argc; argcByArch = p.argcByArch; }
    }
    // manual page
    const info = manInfo(e.name);
    let desc;
    let sig;
    let man;
    let wrapper;
    let sigOf;
    if (NO_MAN[e.name] && (!info || !info.proto || info.proto.fn !== e.name)) {
      [desc, sig] = NO_MAN[e.name];
      if (info) man = info.page;
    } else if (info) {
      desc = info.summary || 'no manual page';
      man = info.page;
      if (info.proto) {
        sig = info.proto.sig;
        if (info.proto.viaSyscall) wrapper = false;
        if (info.proto.fn !== e.name) sigOf = info.proto.fn;
      }
    } else {
      desc = 'no manual page';
    }
    if (!man && !NO_MAN[e.name] && !DESC_OVERRIDE[e.name]) missingMan.push(e.name);
    if (DESC_OVERRIDE[e.name]) desc = DESC_OVERRIDE[e.name];
    if (ARGC_OVERRIDE[e.name] !== undefined && argc === undefined) argc = ARGC_OVERRIDE[e.name];
    if (argc === undefined && sig) {
      const inner = /\((.*)\)\s*;?$/.exec(sig)?.[1] ?? '';
      argc = inner.trim() === 'void' || inner.trim() === '' ? 0 : splitParams(inner).length;
    }
    const rec = { name: e.name, desc };
    if (sig) rec.sig = sig;
    if (sigOf) rec.sigOf = sigOf;
    if (wrapper === false) rec.wrapper = false;
    if (argc !== undefined) rec.argc = argc;
    if (argcByArch) rec.argcByArch = argcByArch;
    if (man) rec.man = man;
    if (!e.inLibseccomp) rec.inLibseccomp = false;
    if (e.mux) rec.mux = e.mux;
    rec.nr = Object.fromEntries(ARCHES.filter((a) => e.nr[a.id] !== undefined).map((a) => [a.id, e.nr[a.id]]));
    out.push(rec);
  }

  const counts = Object.fromEntries(ARCHES.map((a) => [a.id, out.filter((s) => s.nr[a.id] !== undefined).length]));
  const manVersion = dpkgVersion('manpages-dev');
  const libVersion = dpkgVersion('libseccomp2');
  // Where the optional inputs were missing, their provenance is carried over with their data,
  // so a re-run without them produces the same file.
  const prevFrom = previous?.generatedFrom ?? {};
  const csvFrom = csv ? `${LIBSECCOMP_TAG} src/syscalls.csv (git ${csv.rev}, kernel table ${csv.kernelTable})` : prevFrom.libseccompCsv ?? 'unavailable';
  const straceFrom = strace ? `${strace.rev} src/linux/*/syscallent*.h` : prevFrom.strace ?? 'unavailable';
  const generatedFrom = { libseccomp: lib.version, libseccompPackage: libVersion, libseccompCsv: csvFrom, manpages: manVersion, strace: straceFrom };
  const sources = [
    `Names and numbers: libseccomp ${lib.version} (libseccomp.so.2${libVersion ? `, Debian ${libVersion}` : ''}) via seccomp_syscall_resolve_num_arch / seccomp_syscall_resolve_name_arch, for ${[...lib.known].join(', ')}. Numbers are stored as libseccomp gives them (x32 with the 0x40000000 bit, MIPS with the 4000/5000/6000 ABI bases).`,
    `SCMP_ARCH_LOONGARCH64 (unknown to libseccomp ${lib.version}) and syscalls newer than it ("inLibseccomp": false, which the installed library cannot put in a filter): libseccomp ${csvFrom}, with the x32 bit and MIPS bases added as libseccomp does.`,
    `Argument counts ("argc", kernel-level, for the first 64-bit architecture that has the syscall; "argcByArch" where an architecture differs, e.g. 64-bit arguments split over two registers on 32-bit ABIs, or old single-pointer calling conventions): strace ${straceFrom}.`,
    `Socket and System V IPC calls on architectures that multiplex them ("mux"): libseccomp ${lib.version} resolves them to pseudo numbers; "nr" holds the direct kernel number from syscalls.csv where the architecture has one (e.g. socket on x86 = 359, since Linux 4.3).`,
    `Descriptions ("desc", the NAME line) and prototypes ("sig", the SYNOPSIS line; "wrapper": false when glibc has no wrapper and the page shows syscall(SYS_x, ...); "sigOf" when the prototype is the glibc function the syscall implements, e.g. prlimit for prlimit64): Debian manpages-dev ${manVersion ?? '?'} (/usr/share/man/man2). Syscalls the man pages lack have hand-written descriptions and prototypes from the kernel's SYSCALL_DEFINE; "no manual page" marks the rest.`,
  ];
  return {
    data: {
      $comment: 'Generated by scripts/gen-domain-data.mjs; do not edit by hand.',
      generatedFrom,
      sources,
      fields: {
        name: 'syscall name as libseccomp and seccomp profiles spell it',
        desc: 'one-line description (man page NAME line)',
        sig: 'C prototype (man page SYNOPSIS)',
        sigOf: 'name of the function whose prototype "sig" is, when it differs from the syscall',
        wrapper: 'false when glibc provides no wrapper (call it with syscall(2))',
        argc: 'number of arguments the kernel takes (valid args[].index is 0..argc-1)',
        argcByArch: 'argument count on the architectures where it differs from argc',
        man: 'manual page documenting it',
        mux: 'architectures where the call is (also) reachable through the socketcall(2) or ipc(2) multiplexer; libseccomp filters both forms there. "nr" then holds the direct kernel number (from syscalls.csv) where one exists',
        inLibseccomp: `false when libseccomp ${lib.version} (installed) cannot resolve the name: the runtime cannot compile a filter that names it`,
        nr: 'syscall number per architecture (absent: the syscall does not exist there)',
      },
      architectures: ARCHES.map((a) => a.id),
      counts,
      syscalls: out,
    },
    stats: { counts, missingMan, total: out.length, libVersion: lib.version, notInLib: out.filter((s) => s.inLibseccomp === false).map((s) => s.name) },
  };
}

// One object per line: readable diffs.
function compactJson(data, listKey) {
  const { [listKey]: list, ...head } = data;
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${headText},\n  "${listKey}": [\n${list.map((x) => '    ' + JSON.stringify(x)).join(',\n')}\n  ]\n}\n`;
}


// ---------------------------------------------------------------------------------------------
// seccomp.json — facts from the kernel uapi (linux/seccomp.h), seccomp(2), libseccomp and the
// OCI runtime-spec (config-linux.md); capability numbers from linux/capability.h, "since" from
// capabilities(7).
// ---------------------------------------------------------------------------------------------
const SECCOMP_ACTIONS = [
  { name: 'SCMP_ACT_KILL', ret: 'SECCOMP_RET_KILL_THREAD', value: 0x00000000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Kill the calling thread.',
    meaning: 'The thread that made the syscall is killed as if by an unblockable SIGSYS; the syscall does not run. Only that thread dies: the rest of the process keeps running, which can leave it hung. Same as SCMP_ACT_KILL_THREAD; prefer SCMP_ACT_KILL_PROCESS.' },
  { name: 'SCMP_ACT_KILL_PROCESS', ret: 'SECCOMP_RET_KILL_PROCESS', value: 0x80000000, kernel: '4.14', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Kill the whole process.',
    meaning: 'All threads of the process are killed as if by an unblockable SIGSYS (a core dump is produced if enabled); the syscall does not run.' },
  { name: 'SCMP_ACT_KILL_THREAD', ret: 'SECCOMP_RET_KILL_THREAD', value: 0x00000000, kernel: '3.5', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Kill the calling thread.',
    meaning: 'The thread that made the syscall is killed as if by an unblockable SIGSYS; other threads keep running. Same as SCMP_ACT_KILL.' },
  { name: 'SCMP_ACT_TRAP', ret: 'SECCOMP_RET_TRAP', value: 0x00030000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Send SIGSYS to the thread.',
    meaning: 'The syscall does not run; the thread receives a catchable SIGSYS whose siginfo names the syscall (si_syscall, si_call_addr, si_arch), so a handler can emulate or report it.' },
  { name: 'SCMP_ACT_ERRNO', ret: 'SECCOMP_RET_ERRNO', value: 0x00050000, kernel: '3.5', libseccomp: '1.0', errnoRet: true, oci: true,
    summary: 'Fail the syscall with an errno.',
    meaning: 'The syscall does not run and returns -1 with errno set to errnoRet (defaultErrnoRet for the default action; EPERM = 1 when not given). Use ENOSYS (38) for syscalls that libc should treat as "not implemented" and fall back from (clone3, faccessat2, ...).' },
  { name: 'SCMP_ACT_TRACE', ret: 'SECCOMP_RET_TRACE', value: 0x7ff00000, kernel: '3.5', libseccomp: '1.0', errnoRet: true, oci: true,
    summary: 'Hand the syscall to a ptrace tracer.',
    meaning: 'A tracer that set PTRACE_O_TRACESECCOMP is stopped with PTRACE_EVENT_SECCOMP and can read errnoRet as the event message (PTRACE_GETEVENTMSG), change or skip the syscall. Without a tracer the syscall fails with ENOSYS.' },
  { name: 'SCMP_ACT_ALLOW', ret: 'SECCOMP_RET_ALLOW', value: 0x7fff0000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Run the syscall.',
    meaning: 'The syscall runs normally.' },
  { name: 'SCMP_ACT_LOG', ret: 'SECCOMP_RET_LOG', value: 0x7ffc0000, kernel: '4.14', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Run the syscall and log it.',
    meaning: 'The syscall runs and is logged to the audit log / kernel log (if "log" is listed in /proc/sys/kernel/seccomp/actions_logged). Useful to find what a profile would block before enforcing it.' },
  { name: 'SCMP_ACT_NOTIFY', ret: 'SECCOMP_RET_USER_NOTIF', value: 0x7fc00000, kernel: '5.0', libseccomp: '2.5', errnoRet: false, oci: true,
    summary: 'Ask a user-space supervisor.',
    meaning: 'The thread is suspended and the syscall is reported through the filter\'s listener fd (SECCOMP_FILTER_FLAG_NEW_LISTENER); a supervisor answers with a return value, an errno, or "continue" (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5 — not a security boundary). OCI runtimes send the fd to the agent at listenerPath. runc refuses it as defaultAction and on the write syscall.' },
];
const SECCOMP_OPERATORS = [
  { name: 'SCMP_CMP_NE', expr: 'arg != value', meaning: 'Matches when the argument is not equal to value.' },
  { name: 'SCMP_CMP_LT', expr: 'arg < value', meaning: 'Matches when the argument is less than value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_LE', expr: 'arg <= value', meaning: 'Matches when the argument is less than or equal to value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_EQ', expr: 'arg == value', meaning: 'Matches when the argument equals value.' },
  { name: 'SCMP_CMP_GE', expr: 'arg >= value', meaning: 'Matches when the argument is greater than or equal to value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_GT', expr: 'arg > value', meaning: 'Matches when the argument is greater than value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_MASKED_EQ', expr: '(arg & value) == valueTwo', meaning: 'Matches when the argument ANDed with the mask value equals valueTwo; the only operator that uses valueTwo. Typical use: flag bits (e.g. clone flags & CLONE_NEWUSER == 0).' },
];
const SECCOMP_OPERATOR_NOTES = [
  'Every args[] entry of one rule must match (logical AND); to allow alternatives write several rules for the same syscall.',
  'value and valueTwo are compared with the full 64-bit argument. For an int argument holding a negative number (e.g. AT_FDCWD = -100) the upper 32 bits are not guaranteed to be a sign extension: compare only the low 32 bits with SCMP_CMP_MASKED_EQ (value 4294967295 as the mask, valueTwo the 32-bit pattern, e.g. 4294967196 for -100).',
  'libseccomp rejects a rule with two comparisons on the same argument index (EINVAL).',
];
const SECCOMP_FLAGS = [
  { name: 'SECCOMP_FILTER_FLAG_TSYNC', bit: 0, kernel: '3.17', oci: true, meaning: 'Install the filter on all threads of the process at once (fails if a thread has a diverging filter).' },
  { name: 'SECCOMP_FILTER_FLAG_LOG', bit: 1, kernel: '4.14', oci: true, meaning: 'Log every action of the filter except SCMP_ACT_ALLOW (subject to /proc/sys/kernel/seccomp/actions_logged).' },
  { name: 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', bit: 2, kernel: '4.17', oci: true, meaning: 'Do not force the Speculative Store Bypass mitigation on the process (by default installing a filter enables it).' },
  { name: 'SECCOMP_FILTER_FLAG_NEW_LISTENER', bit: 3, kernel: '5.0', oci: false, meaning: 'Return a user-notification listener fd for SCMP_ACT_NOTIFY; runtimes set it themselves when a rule uses SCMP_ACT_NOTIFY (not allowed in profiles).' },
  { name: 'SECCOMP_FILTER_FLAG_TSYNC_ESRCH', bit: 4, kernel: '5.7', oci: false, meaning: 'With TSYNC, report a thread-sync failure as ESRCH so TSYNC can be combined with NEW_LISTENER (not an OCI profile flag).' },
  { name: 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', bit: 5, kernel: '5.19', oci: true, meaning: 'Once the supervisor has received a user notification, the notifying thread ignores non-fatal signals until the answer (avoids restarting long supervisor operations).' },
];
// What a 64-bit kernel of the main architecture also runs (Docker's archMap sub-architectures).
const SECCOMP_ARCH_FACTS = {
  SCMP_ARCH_X86_64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'], docker: 'amd64' },
  SCMP_ARCH_X86: { bits: 32, endian: 'little', compat: [], docker: 'x86' },
  SCMP_ARCH_X32: { bits: 32, endian: 'little', compat: [], docker: 'x32', note: 'x32 ABI of x86-64 kernels: its syscall numbers carry the 0x40000000 bit.' },
  SCMP_ARCH_AARCH64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_ARM'], docker: 'arm64' },
  SCMP_ARCH_ARM: { bits: 32, endian: 'little', compat: [], docker: 'arm' },
  SCMP_ARCH_RISCV64: { bits: 64, endian: 'little', compat: [], docker: 'riscv64' },
  SCMP_ARCH_LOONGARCH64: { bits: 64, endian: 'little', compat: [], docker: 'loongarch64', note: 'Needs libseccomp >= 2.6.0.' },
  SCMP_ARCH_S390X: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_S390'], docker: 's390x' },
  SCMP_ARCH_S390: { bits: 32, endian: 'big', compat: [], docker: 's390' },
  SCMP_ARCH_PPC64LE: { bits: 64, endian: 'little', compat: [], docker: 'ppc64le' },
  SCMP_ARCH_PPC64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_PPC'], docker: 'ppc64' },
  SCMP_ARCH_PPC: { bits: 32, endian: 'big', compat: [], docker: 'ppc' },
  SCMP_ARCH_MIPS: { bits: 32, endian: 'big', compat: [], docker: null },
  SCMP_ARCH_MIPSEL: { bits: 32, endian: 'little', compat: [], docker: 'mipsel' },
  SCMP_ARCH_MIPS64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'], docker: 'mips64' },
  SCMP_ARCH_MIPSEL64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'], docker: 'mipsel64' },
  SCMP_ARCH_MIPS64N32: { bits: 32, endian: 'big', compat: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64'], docker: 'mips64n32' },
  SCMP_ARCH_MIPSEL64N32: { bits: 32, endian: 'little', compat: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64'], docker: 'mips3l64n32', note: 'Docker spells its includes/excludes arch "mips3l64n32" (sic).' },
  SCMP_ARCH_PARISC: { bits: 32, endian: 'big', compat: [], docker: null },
  SCMP_ARCH_PARISC64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_PARISC'], docker: null },
};
// OCI names libseccomp >= 2.6 / runtime-spec know but this data has no syscall table for.
const SECCOMP_ARCHES_WITHOUT_TABLE = ['SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB'];
const CAP_TEXT = {
  CAP_CHOWN: 'Make arbitrary changes to file UIDs and GIDs.',
  CAP_DAC_OVERRIDE: 'Bypass file read, write, and execute permission checks.',
  CAP_DAC_READ_SEARCH: 'Bypass file read and directory read/execute permission checks; open_by_handle_at(2).',
  CAP_FOWNER: 'Bypass checks that require the caller to own the file (chmod, utime, ACLs, O_NOATIME, ...).',
  CAP_FSETID: 'Keep set-user-ID/set-group-ID bits when a file is modified; set the set-group-ID bit freely.',
  CAP_KILL: 'Bypass permission checks for sending signals.',
  CAP_SETGID: 'Make arbitrary manipulations of process GIDs and supplementary groups; write gid_map.',
  CAP_SETUID: 'Make arbitrary manipulations of process UIDs; write uid_map.',
  CAP_SETPCAP: 'Change the bounding set, securebits and capabilities of itself.',
  CAP_LINUX_IMMUTABLE: 'Set the immutable and append-only file attributes.',
  CAP_NET_BIND_SERVICE: 'Bind a socket to a privileged port (< 1024).',
  CAP_NET_BROADCAST: '(Unused) socket broadcasting and multicast.',
  CAP_NET_ADMIN: 'Network administration: interfaces, routing, firewall, sockets options, ...',
  CAP_NET_RAW: 'Use RAW and PACKET sockets; bind to any address for transparent proxying.',
  CAP_IPC_LOCK: 'Lock memory (mlock, mlockall, mmap MAP_LOCKED, SHM_LOCK).',
  CAP_IPC_OWNER: 'Bypass permission checks on System V IPC objects.',
  CAP_SYS_MODULE: 'Load and unload kernel modules.',
  CAP_SYS_RAWIO: 'Raw I/O: iopl, ioperm, /dev/mem, /dev/kmem, some ioctls.',
  CAP_SYS_CHROOT: 'Use chroot(2); change mount namespaces with setns(2).',
  CAP_SYS_PTRACE: 'Trace arbitrary processes (ptrace, process_vm_readv/writev, kcmp, pidfd_getfd).',
  CAP_SYS_PACCT: 'Use acct(2).',
  CAP_SYS_ADMIN: 'A wide range of administration operations: mount, swapon, sethostname, namespaces, bpf (before CAP_BPF), ...',
  CAP_SYS_BOOT: 'Use reboot(2) and kexec_load(2).',
  CAP_SYS_NICE: 'Raise nice values, set real-time scheduling and CPU affinity of any process, migrate pages.',
  CAP_SYS_RESOURCE: 'Override resource limits, quotas and reserved filesystem space.',
  CAP_SYS_TIME: 'Set the system clock and the real-time (hardware) clock.',
  CAP_SYS_TTY_CONFIG: 'Use vhangup(2) and privileged ioctls on virtual terminals.',
  CAP_MKNOD: 'Create special files using mknod(2).',
  CAP_LEASE: 'Establish leases on arbitrary files (fcntl F_SETLEASE).',
  CAP_AUDIT_WRITE: 'Write records to the kernel audit log.',
  CAP_AUDIT_CONTROL: 'Enable and disable kernel auditing; change audit rules.',
  CAP_SETFCAP: 'Set arbitrary capabilities on a file; map user ID 0 in a user namespace.',
  CAP_MAC_OVERRIDE: 'Override Mandatory Access Control (Smack).',
  CAP_MAC_ADMIN: 'Allow MAC configuration or state changes (Smack, AppArmor).',
  CAP_SYSLOG: 'Privileged syslog(2) operations; see kernel addresses in /proc.',
  CAP_WAKE_ALARM: 'Trigger something that will wake up the system (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM timers).',
  CAP_BLOCK_SUSPEND: 'Employ features that can block system suspend (EPOLLWAKEUP, /proc/sys/wake_lock).',
  CAP_AUDIT_READ: 'Read the audit log via a multicast netlink socket.',
  CAP_PERFMON: 'Privileged performance monitoring: perf_event_open(2) and related BPF operations.',
  CAP_BPF: 'Privileged BPF operations: create maps and load programs (bpf(2)).',
  CAP_CHECKPOINT_RESTORE: 'Checkpoint/restore: set ns_last_pid, clone3 set_tid, read /proc/pid/map_files links.',
};

function buildCapabilities() {
  const hdr = fs.readFileSync('/usr/include/linux/capability.h', 'utf8');
  const caps = [];
  for (const m of hdr.matchAll(/^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$/gm)) caps.push({ name: m[1], number: Number(m[2]) });
  let since = {};
  const manFile = path.join(MAN7, 'capabilities.7.gz');
  if (fs.existsSync(manFile)) {
    const src = zlib.gunzipSync(fs.readFileSync(manFile)).toString('utf8');
    for (const m of src.matchAll(/^\.BR\s+(CAP_[A-Z_]+)\s+"\s*\(since Linux ([0-9.]+)\)"/gm)) since[m[1]] = m[2];
  }
  for (const c of caps) {
    if (since[c.name]) c.since = since[c.name];
    c.description = CAP_TEXT[c.name] ?? 'See capabilities(7).';
    if (!CAP_TEXT[c.name]) warn(`no description for ${c.name}`);
  }
  return caps.sort((a, b) => a.number - b.number);
}

function buildSeccomp(syscallStats) {
  return {
    $comment: 'Generated by scripts/gen-domain-data.mjs; do not edit by hand.',
    sources: [
      'Action values and flags: Linux uapi linux/seccomp.h; meanings: seccomp(2), seccomp_rule_add(3), OCI runtime-spec config-linux.md (Seccomp).',
      'Architectures: OCI names; compat siblings as in Docker\'s archMap (moby/profiles seccomp/default.json); "docker" is the spelling Docker compares includes/excludes "arches" with (moby/profiles seccomp_linux.go goToNative).',
      'Capabilities: numbers from /usr/include/linux/capability.h, "since" from capabilities(7) (Debian manpages).',
    ],
    actions: SECCOMP_ACTIONS.map((a) => ({ ...a, value: `0x${a.value.toString(16).padStart(8, '0')}` })),
    errnoRetDefault: { value: 1, name: 'EPERM', note: 'When errnoRet/defaultErrnoRet is absent, OCI runtimes return EPERM. runc fails if defaultErrnoRet is given with a defaultAction other than SCMP_ACT_ERRNO or SCMP_ACT_TRACE.' },
    operators: SECCOMP_OPERATORS,
    operatorNotes: SECCOMP_OPERATOR_NOTES,
    flags: SECCOMP_FLAGS.map((f) => ({ ...f, value: 1 << f.bit })),
    architectures: ARCHES.map((a) => ({
      name: a.id,
      libseccomp: a.lib,
      auditArch: `0x${a.audit.toString(16).padStart(8, '0')}`,
      ...SECCOMP_ARCH_FACTS[a.id],
      syscalls: syscallStats.counts[a.id],
    })),
    architecturesWithoutSyscallTable: SECCOMP_ARCHES_WITHOUT_TABLE,
    dockerArches: Object.fromEntries(
      Object.entries(SECCOMP_ARCH_FACTS)
        .filter(([, f]) => f.docker)
        .map(([id, f]) => [f.docker, id]),
    ),
    capabilities: buildCapabilities(),
  };
}

// ---------------------------------------------------------------------------------------------
// landlock.json — Linux uapi linux/landlock.h and Documentation/userspace-api/landlock.rst for the
// rights; landlockconfig (landlock-lsm/landlockconfig, schema/landlockconfig.json, src/parser.rs,
// src/config.rs) for names, groups and configuration semantics.
// ---------------------------------------------------------------------------------------------
const LANDLOCK_ABI = [
  { abi: 1, kernel: '5.13', adds: 'the 13 filesystem rights (execute ... make_sym)' },
  { abi: 2, kernel: '5.19', adds: 'refer (link/rename across directories)' },
  { abi: 3, kernel: '6.2', adds: 'truncate' },
  { abi: 4, kernel: '6.7', adds: 'TCP network rights bind_tcp, connect_tcp (handledAccessNet, netPort)' },
  { abi: 5, kernel: '6.10', adds: 'ioctl_dev' },
  { abi: 6, kernel: '6.12', adds: 'scopes abstract_unix_socket, signal (scoped)' },
  { abi: 7, kernel: '6.15', adds: 'audit logging flags of landlock_restrict_self() (LANDLOCK_RESTRICT_SELF_LOG_*); no new access right, nothing in landlockconfig' },
];
const FS_RIGHTS = [
  ['execute', 1, 'file', 'Execute a file.'],
  ['write_file', 1, 'file', 'Open a file with write access. Overwriting with O_TRUNC or creat(2) may additionally need truncate (ABI 3).'],
  ['read_file', 1, 'file', 'Open a file with read access.'],
  ['read_dir', 1, 'directory', 'Open a directory or list its content.'],
  ['remove_dir', 1, 'directory', 'Remove an empty directory or rename one.'],
  ['remove_file', 1, 'directory', 'Unlink (or rename) a file.'],
  ['make_char', 1, 'directory', 'Create (or rename or link) a character device.'],
  ['make_dir', 1, 'directory', 'Create (or rename) a directory.'],
  ['make_reg', 1, 'directory', 'Create (or rename or link) a regular file.'],
  ['make_sock', 1, 'directory', 'Create (or rename or link) a UNIX domain socket.'],
  ['make_fifo', 1, 'directory', 'Create (or rename or link) a named pipe.'],
  ['make_block', 1, 'directory', 'Create (or rename or link) a block device.'],
  ['make_sym', 1, 'directory', 'Create (or rename or link) a symbolic link.'],
  ['refer', 2, 'directory', 'Link or rename a file from or to a different directory (reparent a file hierarchy). Denied by every ruleset unless a rule allows it explicitly, even when not handled; with ABI 1 reparenting is always denied. Linking/renaming also needs the matching make_*/remove_* rights.'],
  ['truncate', 3, 'file', 'Truncate a file with truncate(2), ftruncate(2), creat(2), or open(2) with O_TRUNC. For ftruncate the right is checked when the file is opened.'],
  ['ioctl_dev', 5, 'file', 'Invoke ioctl(2) commands on an opened character or block device (checked when the device is opened; a few generic commands like FIOCLEX stay allowed).'],
];
const NET_RIGHTS = [
  ['bind_tcp', 4, 'Bind a TCP socket to a local port.'],
  ['connect_tcp', 4, 'Connect an active TCP socket to a remote port.'],
];
const SCOPES = [
  ['abstract_unix_socket', 6, 'Deny connecting to an abstract UNIX socket created by a process outside the sandbox\'s Landlock domain (a parent domain or an unsandboxed process).'],
  ['signal', 6, 'Deny sending a signal to a process outside the sandbox\'s Landlock domain.'],
];
const KERNEL_OF_ABI = Object.fromEntries(LANDLOCK_ABI.map((a) => [a.abi, a.kernel]));
const upper = (s) => s.toUpperCase();
const LANDLOCK_KEYS = {
  // camelCase (JSON, YAML) -> snake_case (TOML); keys not listed are spelled the same in both
  pathBeneath: 'path_beneath',
  netPort: 'net_port',
  handledAccessFs: 'handled_access_fs',
  handledAccessNet: 'handled_access_net',
  allowedAccess: 'allowed_access',
};

function landlockGroups(abi) {
  const fsAll = FS_RIGHTS.filter(([, a]) => a <= abi).map(([n]) => n);
  return {
    fs: {
      'abi.all': fsAll,
      'abi.read_execute': fsAll.filter((n) => ['execute', 'read_file', 'read_dir', 'refer'].includes(n)),
      'abi.read_write': fsAll.filter((n) => n !== 'execute'),
    },
    net: { 'abi.all': NET_RIGHTS.filter(([, a]) => a <= abi).map(([n]) => n) },
    scope: { 'abi.all': SCOPES.filter(([, a]) => a <= abi).map(([n]) => n) },
  };
}

function buildLandlock() {
  const maxAbi = Math.max(...LANDLOCK_ABI.map((a) => a.abi));
  return {
    $comment: 'Generated by scripts/gen-domain-data.mjs; do not edit by hand.',
    sources: [
      'Rights, bits, file/directory applicability: Linux uapi linux/landlock.h and Documentation/userspace-api/landlock.rst.',
      'ABI/kernel table: Landlock ABI versions (ABI 1 Linux 5.13 ... ABI 7 Linux 6.15). Newer kernels may report a higher ABI: probe with landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION).',
      'Names, groups and configuration semantics: landlockconfig (github.com/landlock-lsm/landlockconfig, schema/landlockconfig.json, src/parser.rs, src/config.rs; groups resolved through rust-landlock AccessFs::from_read/from_all).',
    ],
    fields: {
      abi: 'Landlock ABI version that introduced the right (the kernel reports its ABI; a right above it is unknown to that kernel)',
      kernel: 'first mainline Linux version with that ABI',
      bit: 'bit number in the uapi bitmask (value = 1 << bit)',
      appliesTo: '"file": may be allowed on a file or on a directory (for the files beneath); "directory": only in rules whose parent is a directory (the kernel rejects it on a file with EINVAL)',
      groupsByAbi: 'what abi.all / abi.read_execute / abi.read_write expand to for each declared abi, per list (fs = handledAccessFs/allowedAccess of pathBeneath, net = handledAccessNet/allowedAccess of netPort, scope = scoped)',
    },
    abi: LANDLOCK_ABI,
    maxKnownAbi: maxAbi,
    accessFs: FS_RIGHTS.map(([name, abi, appliesTo, description], bit) => ({
      name,
      uapi: `LANDLOCK_ACCESS_FS_${upper(name)}`,
      bit,
      value: 2 ** bit,
      abi,
      kernel: KERNEL_OF_ABI[abi],
      appliesTo,
      description,
    })),
    accessNet: NET_RIGHTS.map(([name, abi, description], bit) => ({ name, uapi: `LANDLOCK_ACCESS_NET_${upper(name)}`, bit, value: 2 ** bit, abi, kernel: KERNEL_OF_ABI[abi], description })),
    scopes: SCOPES.map(([name, abi, description], bit) => ({ name, uapi: `LANDLOCK_SCOPE_${upper(name)}`, bit, value: 2 ** bit, abi, kernel: KERNEL_OF_ABI[abi], description })),
    groups: {
      'abi.all': { appliesTo: ['accessFs', 'accessNet', 'scope'], description: 'Every right (of the list it appears in) that Landlock ABI `abi` knows.' },
      'abi.read_execute': { appliesTo: ['accessFs'], description: 'execute, read_file, read_dir, and refer when `abi` >= 2: read and run files, list directories.' },
      'abi.read_write': { appliesTo: ['accessFs'], description: 'Every filesystem right of ABI `abi` except execute: read and modify (create, remove, rename, truncate, device ioctl).' },
    },
    groupsByAbi: Object.fromEntries(LANDLOCK_ABI.map((a) => [String(a.abi), landlockGroups(a.abi)])),
    keys: {
      camelToSnake: LANDLOCK_KEYS,
      note: 'JSON and YAML use camelCase keys, TOML snake_case; abi, variable, name, literal, ruleset, scoped, parent, port are spelled the same in both. Access right names are the same in all formats.',
    },
    semantics: [
      'abi: the ABI the configuration is written for; it decides what the abi.* groups expand to. Using a group without abi is an error ("variable \'abi\' not found").',
      'ruleset is optional: the handled rights are the union of every ruleset entry and of every right allowed by a pathBeneath/netPort rule (landlockconfig adds rule rights to the handled set). Rights that are handled but allowed by no rule are denied everywhere.',
      'Arrays are sets (duplicates merge) and must not be empty; at least one of variable, ruleset, pathBeneath, netPort must be present; unknown keys are errors.',
      'variable: name must start with an ASCII letter and continue with ASCII letters, digits or _. Variables with the same name merge their literal lists. Only pathBeneath parent strings expand variables: "${name}" stands for each literal in turn (a string with several variables expands to every combination); "$$" writes a literal "$". An undefined variable is an error.',
      'pathBeneath parent: a path that does not exist is reported and its rule skipped (not fatal). Directory-only rights (everything but execute, write_file, read_file, truncate, ioctl_dev) on a parent that is a file make the kernel reject the rule (EINVAL).',
      'netPort port: a TCP port; landlockconfig accepts any unsigned 64-bit number in the file but fails to build the ruleset for ports above 65535.',
      'Rights newer than the running kernel\'s ABI are dropped by the default best-effort compatibility of rust-landlock (the sandbox is then weaker than written): compare with the probed ABI.',
      'Several configuration files compose: handled rights intersect, rules are limited to the common handled rights, variables merge, abi becomes the lower one.',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// TOML twin of the Landlock schema: same schema with snake_case property names.
// ---------------------------------------------------------------------------------------------
function toSnakeSchema(schema) {
  const rename = (k) => LANDLOCK_KEYS[k] ?? k;
  const renameText = (t) => t.replace(/\b(pathBeneath|netPort|handledAccessFs|handledAccessNet|allowedAccess)\b/g, (m) => LANDLOCK_KEYS[m]);
  const walk = (node, key) => {
    if (Array.isArray(node)) return node.map((n) => walk(n, key));
    if (!node || typeof node !== 'object') return typeof node === 'string' && ['description', 'markdownDescription', 'title', 'errorMessage'].includes(key) ? renameText(node) : node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'properties' || k === 'patternProperties') && v && typeof v === 'object' && !Array.isArray(v)) {
        out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [rename(pk), walk(pv, pk)]));
      } else if (k === 'required' && Array.isArray(v)) {
        out[k] = v.map(rename);
      } else if (k === '$id' && typeof v === 'string') {
        out[k] = v.replace(/landlock\.schema\.json$/, 'landlock.toml.schema.json');
      } else if (k === 'title' && typeof v === 'string') {
        out[k] = renameText(v).replace(/\(JSON\/YAML\)/, '(TOML)');
      } else {
        out[k] = walk(v, k);
      }
    }
    return out;
  };
  const out = walk(schema, '');
  if (typeof out.description === 'string') {
    out.description = out.description.replace(
      'Keys are camelCase in JSON and YAML; the TOML form (landlock.toml.schema.json) is the same model with snake_case keys.',
      'This is the TOML form: keys in snake_case; JSON and YAML (landlock.schema.json) are the same model with camelCase keys.',
    );
  }
  out.$comment = 'Generated by scripts/gen-domain-data.mjs from schemas/landlock.schema.json (keys in snake_case, as landlockconfig\'s TOML format spells them); do not edit by hand.';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Consistency between the hand-written schemas and the data (the data is the reference for
// names; the schemas for the file formats).
// ---------------------------------------------------------------------------------------------
function checkSchemas(seccomp, landlock) {
  const problems = [];
  const same = (what, a, b) => {
    const x = [...a].sort().join(',');
    const y = [...b].sort().join(',');
    if (x !== y) problems.push(`${what}: schema [${x}] != data [${y}]`);
  };
  const ss = readJsonIfExists(OUT.seccompSchema);
  if (ss) {
    const d = ss.definitions ?? ss.$defs ?? {};
    if (d.action) same('seccomp actions', d.action.enum, seccomp.actions.map((a) => a.name));
    if (d.operator) same('seccomp operators', d.operator.enum, seccomp.operators.map((o) => o.name));
    if (d.flag) same('seccomp flags', d.flag.enum, seccomp.flags.filter((f) => f.oci).map((f) => f.name));
    if (d.architecture) same('seccomp architectures', d.architecture.enum, [...seccomp.architectures.map((a) => a.name), ...seccomp.architecturesWithoutSyscallTable]);
    if (d.capability) same('seccomp capabilities', d.capability.enum, seccomp.capabilities.map((c) => c.name));
    if (d.dockerArch) same('docker arches', d.dockerArch.enum, Object.keys(seccomp.dockerArches));
  } else warn('schemas/seccomp.schema.json missing: not checked');
  const ls = readJsonIfExists(OUT.landlockSchema);
  if (ls) {
    const d = ls.definitions ?? ls.$defs ?? {};
    if (d.accessFs) same('landlock accessFs', d.accessFs.enum, [...Object.keys(landlock.groups), ...landlock.accessFs.map((r) => r.name)]);
    if (d.accessNet) same('landlock accessNet', d.accessNet.enum, ['abi.all', ...landlock.accessNet.map((r) => r.name)]);
    if (d.scope) same('landlock scope', d.scope.enum, ['abi.all', ...landlock.scopes.map((r) => r.name)]);
  } else warn('schemas/landlock.schema.json missing: not checked');
  return { problems, landlockSchema: ls };
}

// ---------------------------------------------------------------------------------------------
function main() {
  const { data: syscalls, stats } = buildSyscalls();
  const seccomp = buildSeccomp(stats);
  const landlock = buildLandlock();
  const { problems, landlockSchema } = checkSchemas(seccomp, landlock);
  if (problems.length) {
    for (const p of problems) warn(p);
    process.exit(1);
  }
  const files = [
    [OUT.syscalls, compactJson(syscalls, 'syscalls')],
    [OUT.seccomp, JSON.stringify(seccomp, null, 2) + '\n'],
    [OUT.landlock, JSON.stringify(landlock, null, 2) + '\n'],
  ];
  if (landlockSchema) files.push([OUT.landlockTomlSchema, JSON.stringify(toSnakeSchema(landlockSchema), null, 2) + '\n']);
  let stale = 0;
  for (const [file, text] of files) {
    const rel = path.relative(ROOT, file);
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (CHECK) {
      if (old !== text) { warn(`${rel} is out of date`); stale++; }
      continue;
    }
    if (old !== text) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    console.log(`${old === text ? 'unchanged' : 'wrote'} ${rel} (${text.length} bytes)`);
  }
  console.log(`syscalls: ${stats.total} names; per architecture: ${Object.entries(stats.counts).map(([k, v]) => `${k.replace('SCMP_ARCH_', '')} ${v}`).join(', ')}`);
  if (stats.notInLib.length) console.log(`not resolvable by the installed libseccomp ${stats.libVersion}: ${stats.notInLib.join(' ')}`);
  if (stats.missingMan.length) console.log(`no manual page and no hand-written description: ${stats.missingMan.join(' ')}`);
  if (CHECK && stale) process.exit(1);
}

main();
