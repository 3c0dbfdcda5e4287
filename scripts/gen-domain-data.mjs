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

import fs from 'node:fs';
import path from 'node:path';
import { ROOT, OUT, CHECK, warn } from './domain-data/common.mjs';
import { buildSyscalls, compactJson } from './domain-data/syscalls.mjs';
import { buildSeccomp } from './domain-data/seccomp.mjs';
import { buildLandlock } from './domain-data/landlock.mjs';
import { toSnakeSchema, checkSchemas } from './domain-data/schemas.mjs';

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
