/**
 * The typed model of `phantom-fragment.yaml` (format v1, schemas/phantom-fragment.schema.json), read from
 * plain data. Tolerant: a field of the wrong shape is left out (the schema diagnostics report it), so every
 * consumer — the server's hover and checks, the runtime's `explain` and `run` — sees the same well-typed
 * model of whatever part of the file is valid. Pure; imports nothing but types.
 */
import type { JsonValue } from '../sourceTree';

export type NetworkMode = 'none' | 'loopback' | 'host';
/** What a spawn does when a resource's pressure reaches a level (`orchestrator.pressure.<resource>.on*`). */
export type AdmissionAction = 'defer' | 'reject' | 'ignore';
export type PressureResource = 'cpu' | 'memory' | 'io';

/** Network modes from the most closed to the most open: a larger index grants more. */
export const NETWORK_MODES: readonly NetworkMode[] = ['none', 'loopback', 'host'];

/** The `${variables}` substituted in `run`, filesystem paths and Landlock parents. */
export const CONFIG_VARIABLES: readonly string[] = ['file', 'fileDirname', 'workspaceFolder'];

export interface FilesystemSpec {
  readOnly?: string[];
  readWrite?: string[];
  hidden?: string[];
  privateTmp?: boolean;
}

export interface PathBeneathRule {
  allowedAccess: string[];
  parent: string[];
}

export interface NetPortRule {
  allowedAccess: string[];
  port: number[];
}

export interface LandlockRules {
  pathBeneath?: PathBeneathRule[];
  netPort?: NetPortRule[];
}

/** A syscall a fragment allows, with the reason (built-in fragments always say why). */
export interface GrantedSyscall {
  name: string;
  why?: string;
}

export interface FragmentSpec {
  description?: string;
  fragments?: string[];
  syscalls?: GrantedSyscall[];
  landlock?: LandlockRules;
  network?: NetworkMode;
  filesystem?: FilesystemSpec;
}

export interface LimitsSpec {
  memory?: string;
  pids?: number;
  cpu?: number;
  timeout?: number;
  output?: string;
}

export interface PoolSpec {
  min?: number;
  max?: number;
}

/** A seccomp or Landlock policy of a profile: a file (relative to the configuration) or written inline. */
export type PolicySource = { file: string } | { inline: { [key: string]: JsonValue } };

export interface ProfileSpec {
  description?: string;
  run?: string[];
  match?: string[];
  fragments?: string[];
  seccomp?: PolicySource;
  landlock?: PolicySource;
  network?: NetworkMode;
  filesystem?: FilesystemSpec;
  env?: Record<string, string>;
  limits?: LimitsSpec;
  pool?: PoolSpec;
  bestEffort?: boolean;
  /** Protected paths the profile leaves writable, named exactly (runtime/src/sandbox/protectedPaths.ts). */
  unprotect?: string[];
}

/** `orchestrator.pressure.<resource>` of phantom-fragment.yaml (schemas/phantom-fragment.schema.json `pressureRule`), defaults filled in. */
export interface PressureRule {
  warning: number;
  critical: number;
  onWarning: AdmissionAction;
  onCritical: AdmissionAction;
}

export interface PhantomConfig {
  version?: number;
  profiles: Record<string, ProfileSpec>;
  fragments: Record<string, FragmentSpec>;
  /** Every resource, with the schema's defaults filled in. */
  pressure: Record<PressureResource, PressureRule>;
}

/** The orchestrator's defaults, as written in the schema (`orchestrator.pressure.*.default`). */
export const DEFAULT_PRESSURE: Readonly<Record<PressureResource, Readonly<PressureRule>>> = {
  cpu: { warning: 50, critical: 90, onWarning: 'ignore', onCritical: 'defer' },
  memory: { warning: 20, critical: 60, onWarning: 'defer', onCritical: 'reject' },
  io: { warning: 40, critical: 80, onWarning: 'ignore', onCritical: 'defer' },
};

type JsonObject = { [key: string]: JsonValue };

function object(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function strings(value: JsonValue | undefined): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * A list of names or paths whose positions matter (diagnostics point at an item by its index): an item
 * that is not a string becomes '' (the schema reports it), which every consumer skips.
 */
function positionalStrings(value: JsonValue | undefined): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : '')) : undefined;
}

function numbers(value: JsonValue | undefined): number[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : undefined;
}

function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function network(value: JsonValue | undefined): NetworkMode | undefined {
  return typeof value === 'string' && (NETWORK_MODES as readonly string[]).includes(value) ? (value as NetworkMode) : undefined;
}

function admission(value: JsonValue | undefined): AdmissionAction | undefined {
  return value === 'defer' || value === 'reject' || value === 'ignore' ? value : undefined;
}

/** Drops the keys whose value is undefined, so models compare and print cleanly. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export function readFilesystem(value: JsonValue | undefined): FilesystemSpec | undefined {
  const o = object(value);
  if (!o) return undefined;
  return compact({
    readOnly: positionalStrings(o.readOnly),
    readWrite: positionalStrings(o.readWrite),
    hidden: positionalStrings(o.hidden),
    privateTmp: typeof o.privateTmp === 'boolean' ? o.privateTmp : undefined,
  });
}

export function readLandlockRules(value: JsonValue | undefined): LandlockRules | undefined {
  const o = object(value);
  if (!o) return undefined;
  const pathBeneath = Array.isArray(o.pathBeneath)
    ? o.pathBeneath.map(object).filter((r): r is JsonObject => r !== undefined).map((r) => ({ allowedAccess: strings(r.allowedAccess) ?? [], parent: strings(r.parent) ?? [] }))
    : undefined;
  const netPort = Array.isArray(o.netPort)
    ? o.netPort.map(object).filter((r): r is JsonObject => r !== undefined).map((r) => ({ allowedAccess: strings(r.allowedAccess) ?? [], port: numbers(r.port) ?? [] }))
    : undefined;
  return compact({ pathBeneath, netPort });
}

function policySource(value: JsonValue | undefined): PolicySource | undefined {
  if (typeof value === 'string' && value.length > 0) return { file: value };
  const o = object(value);
  return o ? { inline: o } : undefined;
}

export function readFragment(value: JsonValue | undefined): FragmentSpec {
  const o = object(value) ?? {};
  return compact({
    description: str(o.description),
    fragments: positionalStrings(o.fragments),
    syscalls: strings(o.syscalls)?.map((name) => ({ name })),
    landlock: readLandlockRules(o.landlock),
    network: network(o.network),
    filesystem: readFilesystem(o.filesystem),
  });
}

export function readProfile(value: JsonValue | undefined): ProfileSpec {
  const o = object(value) ?? {};
  const env = object(o.env);
  const limits = object(o.limits);
  const pool = object(o.pool);
  return compact({
    description: str(o.description),
    run: strings(o.run),
    match: strings(o.match),
    fragments: positionalStrings(o.fragments),
    seccomp: policySource(o.seccomp),
    landlock: policySource(o.landlock),
    network: network(o.network),
    filesystem: readFilesystem(o.filesystem),
    env: env ? Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')) : undefined,
    limits: limits ? compact({ memory: str(limits.memory), pids: num(limits.pids), cpu: num(limits.cpu), timeout: num(limits.timeout), output: str(limits.output) }) : undefined,
    pool: pool ? compact({ min: num(pool.min), max: num(pool.max) }) : undefined,
    bestEffort: typeof o.bestEffort === 'boolean' ? o.bestEffort : undefined,
    unprotect: positionalStrings(o.unprotect),
  });
}

function readPressure(value: JsonValue | undefined): Record<PressureResource, PressureRule> {
  const o = object(object(value)?.pressure) ?? {};
  const out = {} as Record<PressureResource, PressureRule>;
  for (const resource of ['cpu', 'memory', 'io'] as const) {
    const given = object(o[resource]) ?? {};
    const d = DEFAULT_PRESSURE[resource];
    out[resource] = {
      warning: num(given.warning) ?? d.warning,
      critical: num(given.critical) ?? d.critical,
      onWarning: admission(given.onWarning) ?? d.onWarning,
      onCritical: admission(given.onCritical) ?? d.onCritical,
    };
  }
  return out;
}

/** The configuration model of a parsed `phantom-fragment.yaml` (any JSON value; what is not valid is left out). */
export function readConfig(value: JsonValue | undefined): PhantomConfig {
  const root = object(value) ?? {};
  const profiles: Record<string, ProfileSpec> = {};
  const fragments: Record<string, FragmentSpec> = {};
  for (const [name, p] of Object.entries(object(root.profiles) ?? {})) profiles[name] = readProfile(p);
  for (const [name, f] of Object.entries(object(root.fragments) ?? {})) fragments[name] = readFragment(f);
  return { version: num(root.version), profiles, fragments, pressure: readPressure(root.orchestrator) };
}

/** `${name}` variables used in a string, in order. */
export function variablesIn(text: string): { name: string; index: number }[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => ({ name: m[1], index: m.index ?? 0 }));
}

/** Substitutes the known `${variables}`; unknown ones are left as written. */
export function substituteVariables(text: string, values: Partial<Record<string, string>>): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => values[name] ?? whole);
}
