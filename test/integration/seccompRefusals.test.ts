/**
 * `phantom run` refuses the profiles OCI runtimes refuse, with the same reason, at the place: crun itself is run
 * on each fixture of test/fixtures/exports/refused to prove it refuses it, and `phantom check` reports each one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { compileProbe, phantom, runUnderCrun, scratch } from '../support/consumers';

// phantom run refuses these with the diagnostic phantom check gives at the place (one validation for both, checkAgreement.ts).
const CASES: { file: string; crun: RegExp; phantom: RegExp; check: string }[] = [
  { file: 'unknown-arch', crun: /seccomp unknown architecture FOO/, phantom: /:3:41: "SCMP_ARCH_FOO" is not allowed for an item of 'architectures'/, check: 'schema-enum' },
  { file: 'errno-on-kill', crun: /errno value specified for action `SCMP_ACT_KILL`/, phantom: /:4:\d+: errnoRet with SCMP_ACT_KILL: OCI runtimes refuse the profile \(crun: "errno value specified for action `SCMP_ACT_KILL`"\)/, check: 'seccomp-errno-refused' },
  { file: 'default-errno-allow', crun: /errno value specified for action `SCMP_ACT_ALLOW`/, phantom: /:3:\d+: defaultErrnoRet with SCMP_ACT_ALLOW: OCI runtimes refuse the profile \(crun: "errno value specified for action `SCMP_ACT_ALLOW`"\)/, check: 'seccomp-errno-refused' },
  { file: 'errno-12345', crun: /seccomp_rule_add `getppid`: Invalid argument/, phantom: /:4:69: errnoRet 12345 is outside 1–4095: .*libseccomp-based runtimes \(crun, runc, phantom run\) refuse 4095 and above/, check: 'seccomp-errno-range' },
];

let dir: string;
let probe: string;
before(() => {
  dir = scratch('refusals');
  probe = compileProbe(dir);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const c of CASES) {
  test(`${c.file}: crun refuses it, phantom run refuses it with the same reason, phantom check reports it`, () => {
    const file = path.join(FIXTURES, 'exports/refused', `${c.file}.seccomp.json`);
    const crun = runUnderCrun(dir, probe, ['64:39'], fs.readFileSync(file, 'utf8'));
    assert.notEqual(crun.code, 0, `crun ran ${c.file}`);
    assert.match(crun.stderr, c.crun);
    const run = phantom(['run', '--seccomp', file, '--', '/bin/true']);
    assert.equal(run.code, 125, run.stderr);
    assert.match(run.stderr, c.phantom);
    assert.ok(run.stderr.includes(file), 'the file is named');
    const check = JSON.parse(phantom(['check', '--format', 'json', file]).stdout) as { code: string }[];
    assert.ok(check.some((d) => d.code === c.check), JSON.stringify(check));
  });
}
