// model/data/syscalls.json: every syscall with its number per architecture, description and prototype. One step of scripts/gen-domain-data.mjs.
import { LIBSECCOMP_SRC, LIBSECCOMP_TAG, STRACE_SRC, warn, previous, ARCHES, ARGC_PREFERENCE } from './common.mjs';
import { dpkgVersion, readLibseccomp, readLibseccompCsv, readStrace } from './sources.mjs';
import { splitParams, ARGC_OVERRIDE, NO_MAN, DESC_OVERRIDE, manInfo } from './manpages.mjs';

// ---------------------------------------------------------------------------------------------
// syscalls.json
// ---------------------------------------------------------------------------------------------
export function buildSyscalls() {
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
export function compactJson(data, listKey) {
  const { [listKey]: list, ...head } = data;
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${headText},\n  "${listKey}": [\n${list.map((x) => '    ' + JSON.stringify(x)).join(',\n')}\n  ]\n}\n`;
}
