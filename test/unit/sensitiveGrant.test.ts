// Grants a denial's fix never offers as a one-click edit (runtime/src/denials/explainRun.ts sensitiveGrant): the
// program in the sandbox chooses which paths it fails on, so its report must not become a way to ask for these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sensitiveGrant } from '../../runtime/src/denials/explainRun';

test('home folders, what holds them, their startup files and settings, /run and the kernel folders: no edit', () => {
  for (const p of ['/', '/home', '/home/ada', '/root', '/home/ada/.ssh/id_ed25519', '/home/ada/.config/autostart', '/home/ada/.bashrc',
    '/home/ada/.local/bin', '/root/.config/gh', '/u/ada', '/u', '/u/ada/.profile', '/run/user/1000/gnupg', '/var/run/docker.sock', '/proc/1', '/sys/kernel', '/dev/sda']) {
    assert.ok(sensitiveGrant(p, '/u/ada'), p);
  }
});

test('ordinary paths keep their edit: a project folder, a data file, a system file read', () => {
  for (const p of ['/srv/data', '/opt/tool/bin', '/etc/hostname', '/home/ada/projects/x', '/u/ada/src/app', '/usr/share/doc', '/tmp/cache']) {
    assert.equal(sensitiveGrant(p, '/u/ada'), undefined, p);
  }
});
