// The platforms one .vsix carries, for the build (scripts/build-native.mjs, scripts/build.mjs), the package check
// (scripts/check-package.mjs) and the setup (scripts/ensure-test-tools.mjs). The runtime picks its helper and koffi's
// addon from `process.platform`-`process.arch` (runtime/src/sandbox/sandboxSpawn.ts helperPath, native/bindings/koffi.ts).
//   name:      the folder under dist/native/ of the helper, and Node's `${process.platform}-${process.arch}`
//   koffi:     koffi's folder name for the addon (its package is @koromix/koffi-<name>)
//   gnu:       the GNU triplet; a cross compiler is `<gnu>-gcc` (Debian: gcc-<gnu with - for _>)
//   debian:    the Debian packages of that cross compiler and its static C library (on another architecture)
//   eMachine:  the ELF header's e_machine of its binaries (62 EM_X86_64, 183 EM_AARCH64: elf.h)
//   qemu:      Debian qemu-user-static's emulator for it (the package test runs the other helper's --help under it)
import fs from 'node:fs';

export const TARGETS = [
  { name: 'linux-x64', koffi: 'linux_x64', gnu: 'x86_64-linux-gnu', debian: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'], eMachine: 62, machine: 'x86-64', qemu: 'qemu-x86_64-static' },
  { name: 'linux-arm64', koffi: 'linux_arm64', gnu: 'aarch64-linux-gnu', debian: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'], eMachine: 183, machine: 'AArch64', qemu: 'qemu-aarch64-static' },
];

/** The target of this machine, or undefined (then nothing can be built or run here). */
export const nativeTarget = () => TARGETS.find((t) => t.name === `${process.platform}-${process.arch}`);

/** The C compiler for a target: $CC (or cc) for this machine's, `<gnu>-gcc` (or $CC_<NAME>, e.g. CC_LINUX_ARM64) for another. */
export function compilerFor(target) {
  if (target === nativeTarget()) return process.env.CC || 'cc';
  return process.env[`CC_${target.name.replace('-', '_').toUpperCase()}`] || `${target.gnu}-gcc`;
}

/**
 * The ELF machine of a file: { machine: e_machine } or { problem } when it is not a 64-bit little-endian ELF file.
 * Reads the header only: e_ident (16 bytes; EI_CLASS at 4, EI_DATA at 5), e_type (2), e_machine (2) at offset 18.
 */
export function elfMachine(file) {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  let read;
  try {
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < header.length || header.readUInt32BE(0) !== 0x7f454c46) return { problem: 'is not an ELF file' };
  if (header[4] !== 2 || header[5] !== 1) return { problem: 'is not a 64-bit little-endian ELF file' };
  return { machine: header.readUInt16LE(18) };
}

/**
 * What building and testing the other architectures needs on this machine, as scripts/ensure-test-tools.mjs lists
 * Debian packages: the cross compiler, its static C library, and qemu-user-static.
 */
export function crossDebianPackages() {
  const here = nativeTarget();
  return TARGETS.filter((t) => t !== here).flatMap((t) => [
    { pkg: t.debian[0], file: `/usr/bin/${t.gnu}-gcc`, why: `cross-compiles the ${t.name} sandbox helper (npm run package)` },
    { pkg: t.debian[1], file: `/usr/${t.gnu}/lib/libc.a`, why: `links the ${t.name} helper statically` },
    { pkg: 'qemu-user-static', file: `/usr/bin/${t.qemu}`, why: `runs the ${t.name} helper's --help in the package test` },
  ]);
}
