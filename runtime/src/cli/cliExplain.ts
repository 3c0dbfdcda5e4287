/**
 * `phantom explain`: the effective policy of one profile of phantom-fragment.yaml — its fragments, then its
 * own fields, merged by the server's pure effectivePolicy (the one implementation the editor shows too).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { documentFormat, didYouMean, parseSource, toValue, type JsonValue, pathAccess, loadConfig, effectivePolicy, policySummary, seccompAllowList, type EffectivePolicy, describeLimits, effectiveLimits, type EffectiveLimits } from '../../../model';
import { defineCommand, parseSize, runCommand, UsageError } from './cliArgs';
import { seccompClaim } from '../policy/seccompClaim';

export const EXPLAIN_COMMAND = defineCommand({
  name: 'explain',
  summary: 'print the effective policy of a profile of phantom-fragment.yaml',
  options: {
    config: { type: 'string', value: 'FILE', default: 'phantom-fragment.yaml', help: 'the configuration file' },
    profile: { type: 'string', value: 'NAME', required: true, help: 'the profile to explain' },
    json: { type: 'boolean', default: false, help: 'print the policy as JSON' },
  },
  main: explain,
});

/** The command as the CLI runs it, from its arguments. */
export function runExplain(args: string[]): Promise<number> {
  return runCommand(EXPLAIN_COMMAND, args);
}

async function explain(values: { config: string; profile: string; json: boolean }): Promise<number> {
  const file = values.config;
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`${file}: cannot be read (${code}) — run phantom in the folder of phantom-fragment.yaml, or pass --config FILE`);
  }
  const loaded = loadConfig(file, text);
  if (loaded.syntaxError) {
    console.error(`phantom: ${file}:${loaded.syntaxError.line}: ${loaded.syntaxError.message} — fix the syntax first ('phantom check ${file}' lists every problem)`);
    return 1;
  }
  const { config } = loaded;
  const policy = effectivePolicy(config, values.profile);
  if (!policy) {
    const names = Object.keys(config.profiles);
    const known = names.length ? ` Profiles: ${names.join(', ')}.` : ' It declares no profiles.';
    console.error(`phantom: ${file} has no profile '${values.profile}'.${didYouMean(values.profile, names)}${known}`);
    return 1;
  }
  const base = seccompBase(absolute, policy);
  const limits = limitsHere(policy);
  if (values.json) {
    // Each path the sandbox sees, its access after every layer, and the settings that decided it.
    const paths = pathAccess(policy, ownLandlock(absolute, policy));
    const seccompEnforced = seccompClaim(absolute, policy.profile);
    console.log(JSON.stringify({ config: absolute, ...policy, paths, seccompBase: base, seccompEnforced, effectiveLimits: limits }, null, 2));
  } else {
    console.log([...explainText(file, policy, base), `  Limits on this machine: ${limits ? describeLimits(limits) : 'the profile\'s limits cannot be read (see phantom check)'}`].join('\n'));
  }
  return policy.problems.some((p) => p.severity === 'error') ? 1 : 0;
}

/** The limits a run of the profile gets here (its own, else the defaults for this machine's RAM). */
function limitsHere(policy: EffectivePolicy): EffectiveLimits | undefined {
  try {
    const l = policy.limits;
    return effectiveLimits({
      memoryBytes: l.memory ? parseSize(l.memory, 'limits.memory') : undefined,
      pids: l.pids,
      outputBytes: l.output ? parseSize(l.output, 'limits.output') : undefined,
    }, os.totalmem());
  } catch {
    return undefined;
  }
}

/** The profile's own Landlock policy as a value, when it is inline or a readable, parseable profile file. */
function ownLandlock(configFile: string, policy: EffectivePolicy): JsonValue | undefined {
  const source = policy.landlock.base;
  if (!source) return undefined;
  if ('inline' in source) return source.inline as JsonValue;
  const format = documentFormat(source.file);
  if (format?.kind !== 'landlock') return undefined;
  try {
    const parsed = parseSource(fs.readFileSync(path.resolve(path.dirname(configFile), source.file), 'utf8'), format.syntax);
    return parsed.problems.length ? undefined : toValue(parsed.root);
  } catch {
    return undefined; // A missing profile is reported by `phantom check`; explain shows what it knows.
  }
}

/** What the profile's seccomp policy allows, when it is inline or a readable profile file. */
function seccompBase(configFile: string, policy: EffectivePolicy): ReturnType<typeof seccompAllowList> | undefined {
  const source = policy.seccomp;
  if (!source) return undefined;
  if ('inline' in source) return seccompAllowList(source.inline);
  const format = documentFormat(source.file);
  if (format?.kind !== 'seccomp') return undefined;
  try {
    const text = fs.readFileSync(path.resolve(path.dirname(configFile), source.file), 'utf8');
    return seccompAllowList(toValue(parseSource(text, format.syntax).root));
  } catch {
    return undefined; // A missing profile is reported by `phantom check`; explain shows what it knows.
  }
}

function explainText(file: string, policy: EffectivePolicy, base: ReturnType<typeof seccompAllowList> | undefined): string[] {
  const lines = [`Profile ${policy.profile} (${file})`];
  if (policy.description) lines.push(`  ${policy.description}`);
  if (policy.run) lines.push(`  Runs: ${policy.run.join(' ')}`);
  lines.push(`  Fragments: ${policy.fragments.length ? policy.fragments.join(', ') : 'none'}`);
  for (const line of policySummary(policy, base)) lines.push(`  ${line}`);
  if (Object.keys(policy.env).length) lines.push(`  Environment: ${Object.entries(policy.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (policy.syscalls.length) {
    lines.push('', 'Syscalls from fragments:');
    const width = Math.max(...policy.syscalls.map((s) => s.name.length));
    for (const s of policy.syscalls) lines.push(`  ${s.name.padEnd(width)}  ${s.from.join(', ')}`);
  }
  const rules = [
    ...policy.landlock.pathBeneath.map((r) => `  ${r.allowedAccess.join(', ')} beneath ${r.parent.join(', ')}  (${r.from})`),
    ...policy.landlock.netPort.map((r) => `  ${r.allowedAccess.join(', ')} on port ${r.port.join(', ')}  (${r.from})`),
  ];
  if (rules.length) lines.push('', 'Landlock rules from fragments:', ...rules);
  if (policy.problems.length) {
    lines.push('', 'Problems:');
    for (const p of policy.problems) lines.push(`  ${p.severity}: ${p.message}`);
  }
  return lines;
}
