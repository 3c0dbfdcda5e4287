/** The approval rule's pure core: what an effective policy grants beyond the built-in default, and what is never granted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SECCOMP_PROFILE } from '../../runtime/src/policy/defaultProfile';
import { defaultLandlockPlan, SYSTEM_DIRS } from '../../runtime/src/policy/landlockCompiler';
import type { LandlockConfig } from '../../model';
import { policyWidenings, sensitiveRefusals, type AskedPolicy, type DefaultFacts } from '../../runtime/src/trust/policyWidenings';
import { fragmentAllowlist, fragmentRules } from '../../runtime/src/policy/profileRun';
import { seccompWidenings } from '../../runtime/src/policy/seccompWidenings';
import type { SeccompProfile } from '../../model';

const HOST = { arch: 'SCMP_ARCH_X86_64', kernel: '6.18.0', caps: [] };
const FACTS: DefaultFacts = {
  seccompHost: HOST,
  landlockDefault: defaultLandlockPlan({ cwd: '/w', readOnly: [], readWrite: [] }, 7),
  systemDirs: SYSTEM_DIRS,
};
const asked = (over: Partial<AskedPolicy> = {}): AskedPolicy => ({ workspace: '/w', readOnly: [], readWrite: [], landlock: {}, unprotect: [], ...over });
const kinds = (a: AskedPolicy) => policyWidenings(a, FACTS).map((w) => w.kind);
const texts = (a: AskedPolicy) => policyWidenings(a, FACTS).map((w) => w.text);
const profile = (syscalls: SeccompProfile['syscalls'], over: Partial<SeccompProfile> = {}): SeccompProfile => ({ defaultAction: 'SCMP_ACT_ERRNO', syscalls, ...over });
const allow = (names: string[], args?: NonNullable<SeccompProfile['syscalls']>[number]['args']) => ({ names, action: 'SCMP_ACT_ALLOW', ...(args ? { args } : {}) });
const landlock = (pathBeneath: LandlockConfig['pathBeneath'], handled = ['abi.all'], abi = 7): LandlockConfig => ({
  abi, variable: [], ruleset: [{ handledAccessFs: handled, handledAccessNet: [], scoped: [] }], pathBeneath, netPort: [],
});

test('a policy inside the defaults has no widening', () => {
  assert.deepEqual(policyWidenings(asked(), FACTS), []);
  assert.deepEqual(kinds(asked({ network: 'none', readWrite: ['/w', '/w/out'], readOnly: ['/w/src', '/usr/share/zoneinfo', '/etc/ssl'], bestEffort: false })), []);
  assert.deepEqual(kinds(asked({ seccomp: DEFAULT_SECCOMP_PROFILE })), [], 'the built-in profile itself');
});

test('a network other than none is a widening', () => {
  assert.deepEqual(kinds(asked({ network: 'loopback' })), ['network']);
  assert.match(texts(asked({ network: 'host' }))[0], /^network: host — the host’s network/);
});

test('paths outside the workspace are widenings; reading the system folders is not', () => {
  assert.deepEqual(texts(asked({ readWrite: ['/srv/data'], readOnly: ['/opt/tool', '/usr/lib'] })), ['writes /srv/data, outside the workspace', 'reads /opt/tool, outside the workspace']);
  assert.deepEqual(kinds(asked({ readWrite: ['/wx'] })), ['path'], 'a sibling whose name starts like the workspace is outside it');
});

test('seccomp: an allow-everything default action counts, with LOG as allowing', () => {
  for (const defaultAction of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']) {
    const w = seccompWidenings(profile([], { defaultAction }), HOST);
    assert.equal(w.length, 1);
    assert.match(w[0], /allows every system call it does not list/);
  }
});

test('seccomp: a syscall the default denies, allowed or logged, counts; denied under any errno, traced or killed does not', () => {
  assert.deepEqual(seccompWidenings(profile([allow(['read', 'write', 'unshare'])]), HOST), ['allows the system call unshare, which the built-in profile denies']);
  assert.equal(seccompWidenings(profile([{ names: ['unshare'], action: 'SCMP_ACT_LOG' }]), HOST).length, 1);
  for (const action of ['SCMP_ACT_ERRNO', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_TRACE']) {
    assert.deepEqual(seccompWidenings(profile([{ names: ['unshare', 'ptrace'], action, errnoRet: 38 }]), HOST), [], action);
  }
  assert.deepEqual(seccompWidenings(profile([allow(['clone3'])]), HOST), ['allows the system call clone3, which the built-in profile denies']);
});

test('seccomp: argument conditions are compared, not just names', () => {
  // socket: the default allows every family but AF_ALG (38) and AF_VSOCK (40).
  assert.match(seccompWidenings(profile([allow(['socket'])]), HOST)[0], /allows socket (with any arguments|when arg0 masked_eq 0xfffffff8→0x20); the built-in profile allows it only arg0 masked_eq /);
  assert.deepEqual(seccompWidenings(profile([allow(['socket'], [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }])]), HOST), [], 'AF_UNIX only is narrower');
  assert.equal(seccompWidenings(profile([allow(['socket'], [{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }])]), HOST).length, 1, 'AF_VSOCK');
  assert.equal(seccompWidenings(profile([allow(['socket'], [{ index: 0, value: 0x100000028n, op: 'SCMP_CMP_EQ' }])]), HOST).length, 1,
    'the kernel reads the family as a 32-bit int: 0x100000028 is AF_VSOCK, which the built-in profile refuses on the low 32 bits');
  assert.match(seccompWidenings(profile([allow(['clone'])]), HOST)[0], /allows clone with any arguments/);
  const masked = DEFAULT_SECCOMP_PROFILE.syscalls!.find((r) => r.names.includes('clone'))!;
  assert.deepEqual(seccompWidenings(profile([{ ...masked }]), HOST), [], 'the same namespace-flag mask');
  assert.deepEqual(seccompWidenings(profile([allow(['personality'], [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }])]), HOST), []);
  assert.equal(seccompWidenings(profile([allow(['personality'], [{ index: 0, value: 0x0040000, op: 'SCMP_CMP_EQ' }])]), HOST).length, 1, 'ADDR_NO_RANDOMIZE');
  assert.equal(seccompWidenings(profile([allow(['clone'], [{ index: 0, value: 0x10000000, op: 'SCMP_CMP_EQ' }])]), HOST).length, 1, 'clone(CLONE_NEWUSER)');
});

test('seccomp: a narrower mask is covered by a wider one (learn mode pins an ioctl request with the full 32-bit mask)', () => {
  const base = profile([allow(['ioctl'], [{ index: 1, value: 0xfffffff0, valueTwo: 0x5400, op: 'SCMP_CMP_MASKED_EQ' }])]);
  const pin = (value: number, valueTwo: number) => profile([allow(['ioctl'], [{ index: 1, value, valueTwo, op: 'SCMP_CMP_MASKED_EQ' }])]);
  assert.deepEqual(seccompWidenings(pin(0xffffffff, 0x5401), HOST, base), [], 'TCGETS (0x5401) is within 0x5400–0x540f');
  assert.equal(seccompWidenings(pin(0xffffffff, 0x5411), HOST, base).length, 1, '0x5411 is outside the base range');
  assert.equal(seccompWidenings(pin(0xffffff00, 0x5400), HOST, base).length, 1, 'a wider mask (0x5400–0x54ff) is wider');
  assert.equal(seccompWidenings(pin(0x0000fff0, 0x5400), HOST, base).length, 1, 'upper bits left free that the base tests');
  assert.equal(seccompWidenings(pin(0xfffffff0, 0x5401), HOST, base).length, 1, 'a value outside its own mask is not reasoned about');
});

test("seccomp: the default's exceptions for a syscall it allows must be kept", () => {
  const TIOCSTI = 0x5412;
  const base = profile([allow(['ioctl']), { names: ['ioctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: TIOCSTI, op: 'SCMP_CMP_EQ' }], comment: 'no TIOCSTI' }]);
  assert.deepEqual(seccompWidenings(profile([allow(['ioctl'])]), HOST, base), ["allows ioctl without the built-in profile's exception: no TIOCSTI"]);
  assert.deepEqual(seccompWidenings(base, HOST, base), []);
});

test('seccomp: the compat architectures are a widening, another family is not', () => {
  const w = seccompWidenings(profile([allow(['read'])], { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }), HOST);
  assert.equal(w.length, 1);
  assert.match(w[0], /SCMP_ARCH_X86 and SCMP_ARCH_X32 system calls/);
  assert.deepEqual(seccompWidenings(profile([allow(['read'])], { architectures: ['SCMP_ARCH_AARCH64'] }), HOST), []);
  assert.equal(seccompWidenings(profile([allow(['read'])], { archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }] }), HOST).length, 1);
});

test("seccomp: Docker's includes/excludes are evaluated for this host (no capabilities)", () => {
  const capRule = { ...allow(['mount']), includes: { caps: ['CAP_SYS_ADMIN'] } };
  assert.deepEqual(seccompWidenings(profile([capRule]), HOST), [], 'a rule that needs a capability the sandbox lacks does not apply');
  assert.equal(seccompWidenings(profile([{ ...allow(['mount']), excludes: { caps: ['CAP_SYS_ADMIN'] } }]), HOST).length, 1);
});

test("fragments' syscalls carry the built-in conditions, so the built-in fragments widen nothing", () => {
  assert.deepEqual(seccompWidenings(fragmentAllowlist(['read', 'write', 'socket', 'clone', 'clone3', 'personality', 'exit_group']), HOST), []);
  const rules = fragmentRules(['socket', 'connect']);
  assert.deepEqual(rules[0].names, ['connect']);
  assert.ok(rules.filter((r) => r.names.includes('socket')).every((r) => (r.args?.length ?? 0) > 0), 'socket only with the family checks');
  assert.deepEqual(fragmentRules(['clone', 'read'], new Set(['clone', 'clone3'])).flatMap((r) => r.names), ['read', 'exit', 'exit_group'], 'names a seccomp file decides stay its own');
});

test('Landlock: rights beyond the default outside the workspace, and rights left unhandled, are widenings', () => {
  assert.deepEqual(kinds(asked({ landlock: { base: landlock([{ allowedAccess: ['abi.read_write'], parent: ['.', '/tmp'] }, { allowedAccess: ['abi.read_execute'], parent: ['/usr', '/etc'] }]) } })), []);
  assert.deepEqual(texts(asked({ landlock: { extra: landlock([{ allowedAccess: ['write_file', 'read_file'], parent: ['/opt/data'] }]) } })), [
    'Landlock allows write_file, read_file beneath /opt/data, outside the workspace',
  ]);
  assert.deepEqual(texts(asked({ landlock: { base: landlock([{ allowedAccess: ['read_file'], parent: ['/proc'] }, { allowedAccess: ['write_file'], parent: ['/proc'] }]) } })),
    ['Landlock allows write_file beneath /proc, outside the workspace'], 'the default grants /proc read only');
  const unhandled = texts(asked({ landlock: { base: landlock([], ['execute']) } }));
  assert.equal(unhandled.length, 1);
  assert.match(unhandled[0], /^Landlock does not restrict write_file, read_file, read_dir, .* anywhere/);
  assert.doesNotMatch(unhandled[0], /ioctl_dev/, 'device-only rights add nothing: every reachable device is one the default grants them on');
  assert.deepEqual(kinds(asked({ landlock: { extra: landlock([], ['execute']) } })), [], 'fragment rules extend the built-in layer, which handles every right');
});

test('Landlock: without scoping, the host network reaches the host’s abstract sockets', () => {
  const own = { base: landlock([{ allowedAccess: ['abi.read_write'], parent: ['.'] }]) };
  assert.deepEqual(kinds(asked({ landlock: own })), []);
  assert.deepEqual(kinds(asked({ landlock: own, network: 'host' })), ['network', 'landlock']);
});

test('best effort and unprotected paths are widenings', () => {
  assert.deepEqual(kinds(asked({ bestEffort: true })), ['best-effort']);
  assert.deepEqual(texts(asked({ unprotect: ['/w/.git/hooks'] })), ['unprotects /w/.git/hooks: the sandbox may write it although host tools trust it']);
});

test('sensitive host paths are refused unless read-only and named exactly', () => {
  const sensitive = { system: ['/', '/etc', '/usr', '/proc', '/run'], homes: ['/root', '/home', '/home/ann'], runtime: ['/opt/phantom/dist', '/root/.local/state/phantom-fragment'] };
  const refused = (a: Partial<AskedPolicy>) => sensitiveRefusals({ ...asked(), ...a }, sensitive);
  assert.deepEqual(refused({ readOnly: ['/etc', '/root', '/home/ann', '/usr/share', '/root/x', '/opt/phantom'] }), [], 'read-only, exactly or below (reading the runtime\u2019s folders is harmless)');
  assert.equal(refused({ readOnly: ['/'] }).length, 1, 'a parent of them, even read-only');
  assert.match(refused({ readOnly: ['/home'] })[0], /contains \/home\/ann/);
  for (const p of ['/etc', '/root', '/home/ann', '/', '/usr/local', '/opt/phantom', '/opt/phantom/dist/native', '/root/.local', '/run/user']) {
    assert.equal(refused({ readWrite: [p] }).length, 1, `read-write ${p}`);
  }
  assert.deepEqual(refused({ readWrite: ['/root/x', '/home/ann/project', '/srv'] }), [], 'below a home folder: a widening to approve, not refused');
  assert.deepEqual(refused({ workspace: '/root', readWrite: ['/root'] }), [], 'the run\u2019s own folder is the user\u2019s choice');
});

test('seccomp: judged under the guard every written profile gets — a plain ioctl or openat is no wider, a plain socket is', () => {
  // The guard (seccompHardening.ts guardProfile) refuses the terminal ioctls, set-id modes and AF_VSOCK whatever the
  // profile says: a profile file that allows ioctl or openat outright ends up exactly as narrow as the built-in one.
  assert.deepEqual(seccompWidenings(profile([allow(['ioctl', 'openat', 'fchmodat', 'read'])]), HOST, undefined, 'none'), []);
  // AF_ALG is the built-in profile's refusal, not the guard's: still a widening.
  assert.equal(seccompWidenings(profile([allow(['socket'])]), HOST, undefined, 'none').length, 1);
  // Under network: host the guard lets AF_VSOCK through: a plain socket is wider still (and says so).
  assert.equal(seccompWidenings(profile([allow(['socket'])]), HOST, undefined, 'host').length, 1);
});
