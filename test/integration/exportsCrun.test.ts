/**
 * `phantom export --to oci|docker --resolve|spo` read by crun the way `phantom run --seccomp` reads the source
 * profile: the probe (test/fixtures/exports/syscall-probe.c) makes the same calls under both, and every line must
 * be equal — for Docker's default profile (its capability conditions and archMap resolved) and for fixtures with
 * every action, every argument operator, errnoRet, defaultErrnoRet, KILL/TRAP/LOG defaults and 64-bit values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { FIXTURES } from '../support/fixtures';
import { compileProbe, FIXTURE_CALLS, phantom, runUnderCrun, runUnderPhantom, scratch } from '../support/consumers';

const DOCKER = path.join(FIXTURES, 'profiles/docker-default.seccomp.json');
const fixture = (name: string) => path.join(FIXTURES, 'exports', name);

/** Calls whose answer depends on Docker's capability conditions, clone flags, socket families, archMap and kernel gates. */
const DOCKER_CALLS = [
  '64:39', // getpid
  '64:165:0:1:0:0:0', // mount(bad target): CAP_SYS_ADMIN only
  '64:166:1:0', // umount2
  '64:272:0x10000000', // unshare(CLONE_NEWUSER)
  '64:272:0x20000', // unshare(CLONE_NEWNS)
  '64:56:0x10000200', // clone(CLONE_NEWUSER|CLONE_FS): the kernel says EINVAL, Docker's rule EPERM
  '64:56:0x20000200', // clone(CLONE_NEWNS|CLONE_FS)
  '64:435:1:88', // clone3: ENOSYS under Docker (glibc falls back to clone)
  '64:308:0xffffffff:0', // setns(-1)
  '64:321:0:1:8', // bpf
  '64:161:1', // chroot(bad path)
  '64:298:1:0:0xffffffff:0xffffffff:0', // perf_event_open
  '64:312:0:0:99:0:0', // kcmp
  '64:101:16:0x7ffffff0', // ptrace(ATTACH, no such pid): allowed from kernel 4.8
  '64:310:0x7ffffff0:0:0:0:0:0', // process_vm_readv
  '64:311:0x7ffffff0:0:0:0:0:0', // process_vm_writev
  '64:250:0:0xfffffffd:0', // keyctl
  '64:248:1:1:0:0:0xfffffffd', // add_key
  '64:249:1:1:0:0', // request_key
  '64:135:0xffffffff', // personality(query)
  '64:135:0', // personality(PER_LINUX)
  '64:135:0x40000', // personality(ADDR_NO_RANDOMIZE)
  '64:41:2:2:0', // socket(AF_INET, SOCK_DGRAM)
  '64:41:16:3:0', // socket(AF_NETLINK, SOCK_RAW)
  '64:41:40:1:0', // socket(AF_VSOCK): created only to see it refused, never connected
  '64:41:38:5:0', // socket(AF_ALG)
  '64:425:1:1', // io_uring_setup
  '64:426:0xffffffff:0:0:0:0:0', // io_uring_enter
  '64:155:1:1', // pivot_root
  '64:167:1:0', // swapon
  '64:168:1', // swapoff
  '64:175:0:0:1', // init_module
  '64:313:0xffffffff:1:0', // finit_module
  '64:176:1:0', // delete_module
  '64:246:0:0:0:0xffffffff', // kexec_load
  '64:304:0xffffffff:1:0', // open_by_handle_at
  '64:303:0xffffffff:1:1:1:0', // name_to_handle_at
  '64:103:0xffff:0:0', // syslog
  '64:163:1', // acct
  '64:164:1:0', // settimeofday
  '64:227:0:1', // clock_settime
  '64:159:1', // adjtimex(bad pointer)
  '64:305:0:1', // clock_adjtime
  '64:153', // vhangup
  '64:179:0:1:0:0', // quotactl
  '64:323:0xffffffff', // userfaultfd
  '64:300:0xffffffff:0', // fanotify_init
  '64:237:0:0:0:0:0:0', // mbind
  '64:239:0:0:0:0:0', // get_mempolicy
  '64:238:0xffff:0:0', // set_mempolicy
  '64:279:0x7ffffff0:0:0:0:0:0', // move_pages
  '64:172:4', // iopl
  '64:173:0:1:1', // ioperm
  '64:134:1', // uselib
  '64:136:0:1', // ustat
  '64:139:0xff:0:0', // sysfs
  '64:430:1:0', // fsopen
  '64:432:0xffffffff:0:0', // fsmount
  '64:431:0xffffffff:0:0:0:0', // fsconfig
  '64:433:0xffffffff:1:0', // fspick
  '64:428:0xffffffff:1:0', // open_tree
  '64:429:0xffffffff:1:0xffffffff:1:0x7fffffff', // move_mount
  '64:442:0xffffffff:1:0:1:0', // mount_setattr
  '64:438:0xffffffff:0:0', // pidfd_getfd
  '64:434:0x7ffffff0:0', // pidfd_open
  '64:444:0:0:1', // landlock_create_ruleset(VERSION)
  '64:447:0', // memfd_secret
  '64:443:0xffffffff:0:0:0', // quotactl_fd
  '64:440:0xffffffff:0:0:0:0', // process_madvise
  '64:212:0:1:0', // lookup_dcookie
  '64:169:0:0:0:0', // reboot(bad magic)
  '64:170:1:0', // sethostname
  '64:171:1:0', // setdomainname
  '64:105:0xffffffff', // setuid(-1): EINVAL from the kernel wherever it runs
  '64:106:0xffffffff', // setgid(-1)
  '64:157:0xffff:0:0:0:0', // prctl(bad option)
  '64:317:0xffff:0:1', // seccomp(bad operation)
  '64:158:0xffff:0', // arch_prctl(bad code)
  '64:154:0:0:0', // modify_ldt
  '64:102', // getuid
  '64:96:0:0', // gettimeofday
  '64:0:0xffffffff:0:0', // read(-1)
  '64:1:0xffffffff:0:0', // write(-1)
  'i386:20', // getpid (int 0x80)
  'i386:21:0:1:0:0:0', // mount (i386)
  'i386:310:0x10000000', // unshare (i386)
  'i386:102:1:1', // socketcall (i386)
  'i386:136:0x40000', // personality (i386)
  'i386:26:16:0x7ffffff0', // ptrace (i386)
  'i386:13:0', // time (i386)
  'x32:39', // getpid (x32)
  'x32:165:0:1:0:0:0', // mount (x32)
];

let dir: string;
let probe: string;

before(() => {
  dir = scratch('exports-crun');
  probe = compileProbe(dir);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The probe under `phantom run --seccomp SOURCE`, line by line. */
function underPhantom(source: string, calls: string[]): string[] {
  const r = runUnderPhantom(probe, calls, source);
  assert.equal(r.code, 0, `phantom run --seccomp ${path.basename(source)}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

function underCrun(seccompJson: string, calls: string[], what: string): string[] {
  const r = runUnderCrun(dir, probe, calls, seccompJson);
  assert.equal(r.code, 0, `crun under ${what}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

function exported(source: string, args: string[]): string {
  const r = phantom(['export', ...args, '--quiet', source]);
  assert.equal(r.code, 0, `phantom export ${args.join(' ')} ${path.basename(source)}: ${r.stderr}`);
  return r.stdout;
}

/** The spec of a --to spo resource, as the operator writes it for the kubelet (JSON text: values stay exact). */
function spoSpec(text: string): string {
  const spec = text.slice(text.indexOf('"spec": {') + '"spec": '.length, text.lastIndexOf('}'));
  return spec;
}

test("Docker's default profile: crun under --to oci, --to docker --resolve and --to spo answers as phantom run does", () => {
  const expected = underPhantom(DOCKER, DOCKER_CALLS);
  assert.equal(expected.length, DOCKER_CALLS.length);
  const forms: [string, string][] = [
    ['--to oci', exported(DOCKER, ['--to', 'oci'])],
    ['--to docker --resolve', exported(DOCKER, ['--to', 'docker', '--resolve'])],
    ['--to spo', spoSpec(exported(DOCKER, ['--to', 'spo']))],
  ];
  for (const [what, json] of forms) assert.deepEqual(underCrun(json, DOCKER_CALLS, what), expected, what);
  // What the widened exports got wrong: capability-gated calls stay denied, clone3 gets ENOSYS, i386 runs.
  const line = (spec: string) => expected.find((l) => l.startsWith(`${spec} `));
  for (const denied of ['64:165:0:1:0:0:0', '64:272:0x10000000', '64:56:0x10000200', '64:308:0xffffffff:0', '64:161:1', '64:298:1:0:0xffffffff:0xffffffff:0', '64:312:0:0:99:0:0'])
    assert.equal(line(denied), `${denied} errno 1`, denied);
  assert.equal(line('64:435:1:88'), '64:435:1:88 errno 38');
  assert.equal(line('i386:20'), 'i386:20 ok');
});

for (const name of ['allow-default', 'kill-default', 'trap-default', 'errno-default', 'log-default', 'u64']) {
  test(`${name}.seccomp.yaml: crun under its exports answers as phantom run does`, () => {
    const source = fixture(`${name}.seccomp.yaml`);
    const expected = underPhantom(source, FIXTURE_CALLS);
    assert.equal(expected.length, FIXTURE_CALLS.length);
    const oci = exported(source, ['--to', 'oci']);
    assert.deepEqual(underCrun(oci, FIXTURE_CALLS, '--to oci'), expected, '--to oci');
    assert.deepEqual(underCrun(exported(source, ['--to', 'docker']), FIXTURE_CALLS, '--to docker'), expected, '--to docker');
    const spo = phantom(['export', '--to', 'spo', '--quiet', source]);
    if (name === 'errno-default') {
      // A SeccompProfile has no defaultErrnoRet: Kubernetes would prune it and the default errno would become EPERM.
      assert.equal(spo.code, 1);
      assert.match(spo.stderr, /defaultErrnoRet 38 is not in the SeccompProfile CRD/);
    } else if (name === 'u64') {
      assert.equal(spo.code, 1);
      assert.match(spo.stderr, /argument value 18446744073709551360 of lseek is above 2\^63-1/);
    } else {
      assert.equal(spo.code, 0, spo.stderr);
      assert.deepEqual(underCrun(spoSpec(spo.stdout), FIXTURE_CALLS, '--to spo'), expected, '--to spo');
    }
  });
}

test('64-bit argument values are written exactly and phantom run loads the export back', () => {
  const source = fixture('u64.seccomp.yaml');
  const oci = exported(source, ['--to', 'oci']);
  assert.match(oci, /"value": 18446744073709551360\b/);
  assert.match(oci, /"value": 18446744073709551360,\s*"op"|"value": 18446744073709551360\n/);
  const again = path.join(dir, 'u64-again.seccomp.json');
  fs.writeFileSync(again, oci);
  assert.deepEqual(underPhantom(again, FIXTURE_CALLS), underPhantom(source, FIXTURE_CALLS));
  const big = exported(fixture('allow-default.seccomp.yaml'), ['--to', 'oci']);
  assert.match(big, /"value": 9007199254740993\b/, '2^53+1 stays 2^53+1');
  assert.match(big, /"value": 9223372036854775552\b/, '0x7fffffffffffff00 exact');
  // The exports parse back to the same values with a parser that keeps big integers (the yaml package, as the loader).
  const values = (parse(big, { intAsBigInt: true }) as { syscalls: { args?: { value: bigint }[] }[] }).syscalls.flatMap((s) => s.args ?? []).map((a) => a.value);
  assert.ok(values.includes(9007199254740993n) && values.includes(0x7fffffffffffff00n));
});

test('a learned profile exported --to docker runs its workload under crun', () => {
  const workload = ['64:39', '64:96:0:0', '64:0:0xffffffff:0:0'];
  const out = path.join(dir, 'probe.seccomp.json');
  const learned = phantom(['learn', '--format', 'json', '--out', out, '--', probe, ...workload], { cwd: dir });
  assert.equal(learned.code, 0, learned.stderr);
  const unconfined = spawnProbe(workload);
  const r = runUnderCrun(dir, probe, workload, exported(out, ['--to', 'docker']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, unconfined);
});

function spawnProbe(args: string[]): string {
  return spawnSync(probe, args, { encoding: 'utf8' }).stdout;
}
