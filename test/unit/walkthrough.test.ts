/** The first-run walkthrough (package.json contributes.walkthroughs): every step completes on something the extension does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const clientSources = fs
  .readdirSync(path.join(root, 'client/src'))
  .map((f) => fs.readFileSync(path.join(root, 'client/src', f), 'utf8'))
  .join('\n');

test('four steps: open the example config, run in the sandbox, learn, open the metrics', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['openConfig', 'runInSandbox', 'learnProfile', 'showMetrics']);
  const commands = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  for (const step of walkthrough.steps as { id: string; completionEvents: string[]; media: { markdown: string }; description: string }[]) {
    assert.ok(step.completionEvents.length > 0, `${step.id} never completes`);
    assert.ok(fs.existsSync(path.join(root, step.media.markdown)), `${step.id}: ${step.media.markdown} is missing`);
    for (const event of step.completionEvents) {
      const [kind, name] = event.split(':');
      if (kind === 'onCommand') assert.ok(commands.has(name), `${step.id}: ${name} is not a command`);
      else if (kind === 'onContext') assert.match(clientSources, new RegExp(`setContext\\('${name.replace('.', '\\.')}', true\\)`), `${step.id}: nothing sets ${name}`);
      else assert.fail(`${step.id}: unexpected completion event ${event}`);
    }
    for (const m of step.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(m[1]), `${step.id} links to ${m[1]}`);
  }
});

test('the .vsix ships the walkthrough pages and the example it opens', () => {
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!client\/walkthrough\/\*\*$/m);
  assert.match(ignore, /^!examples\/\*\*$/m);
});
