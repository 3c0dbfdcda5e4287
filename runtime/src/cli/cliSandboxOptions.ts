/**
 * The sandbox options `phantom run` and `phantom learn` share (one table): the configuration, profile and file, the
 * network, extra paths, limits, environment and policy files; and the one translation into what the resolver
 * (sandboxSpecFor) takes. `phantom learn` takes all of them but --seccomp (the seccomp profile is what it learns).
 */
import path from 'node:path';
import { parsePositiveNumber, parseSize, UsageError, type OptionTable } from './cliArgs';
import type { NetworkMode, RunParams } from '../protocol';
import type { SandboxSpec } from '../sandbox/sandboxSpawn';

export const SANDBOX_OPTIONS = {
  config: { type: 'string', value: 'FILE', path: true, help: 'phantom-fragment.yaml whose profile the run uses (default ./phantom-fragment.yaml with --profile)' },
  profile: { type: 'string', value: 'NAME', help: "the profile of --config to run under; without CMD, its own run command" },
  file: { type: 'string', value: 'FILE', path: true, help: "the file ${file} stands for in the profile's run command" },
  // A seccomp / Landlock profile replaces the built-in default one; there is deliberately no "unconfined".
  seccomp: { type: 'string', value: 'FILE', path: true, help: 'seccomp profile (OCI/Docker JSON or YAML) instead of the default one' },
  landlock: { type: 'string', value: 'FILE', path: true, help: 'Landlock profile (JSON, YAML or TOML) instead of the default ruleset' },
  'best-effort': { type: 'boolean', help: 'skip (and report) what this kernel cannot enforce instead of failing the run' },
  network: { type: 'string', choices: ['none', 'loopback', 'host'], help: "the sandbox's network (default none, or the profile's)" },
  ro: { type: 'string', value: 'PATH', multiple: true, path: true, help: 'show a host path read-only' },
  rw: { type: 'string', value: 'PATH', multiple: true, path: true, help: 'show a host path read-write' },
  memory: { type: 'string', value: 'SIZE', help: 'memory limit (bytes, or with K, M, G: 512M)' },
  pids: { type: 'string', value: 'N', help: 'process limit' },
  timeout: { type: 'string', value: 'SECONDS', help: 'wall-time limit; the whole sandbox is stopped when it is reached (default 300)' },
  env: { type: 'string', value: 'K=V', multiple: true, help: "set a variable of the command's environment" },
} as const satisfies OptionTable;

/** The values of SANDBOX_OPTIONS as parsed (seccomp absent for learn). */
export interface SandboxOptionValues {
  config?: string;
  profile?: string;
  file?: string;
  seccomp?: string;
  landlock?: string;
  'best-effort'?: boolean;
  network?: NetworkMode;
  ro: string[];
  rw: string[];
  memory?: string;
  pids?: string;
  timeout?: string;
  env: string[];
}

/** The request and the limit flags for sandboxSpecFor, from the shared options; the run's folder is the current one. */
export function sandboxRequestFrom(values: SandboxOptionValues, argv: string[]): { params: RunParams; limits: Partial<SandboxSpec> } {
  // --profile without --config: the phantom-fragment.yaml of the current folder.
  const config = values.config ?? (values.profile ? path.resolve('phantom-fragment.yaml') : undefined);
  const env: Record<string, string> = {};
  for (const pair of values.env) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env '${pair}' must be KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    params: {
      runId: 'cli', argv, cwd: process.cwd(), config, profile: values.profile, file: values.file, env,
      network: values.network, readOnly: values.ro, readWrite: values.rw,
      timeoutSeconds: values.timeout ? parsePositiveNumber(values.timeout, '--timeout') : undefined,
    },
    limits: {
      memoryBytes: values.memory ? parseSize(values.memory, '--memory') : undefined,
      pids: values.pids ? parsePositiveNumber(values.pids, '--pids', true) : undefined,
      seccompProfile: values.seccomp,
      landlockProfile: values.landlock,
      bestEffort: values['best-effort'],
    },
  };
}
