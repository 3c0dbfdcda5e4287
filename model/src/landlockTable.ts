/** Landlock rights, scopes, groups and ABIs (model/data/landlock.json). Loaded once. */
import data from '../data/landlock.json';

export type RightKind = 'fs' | 'net' | 'scope';

export interface RightInfo {
  name: string;
  kind: RightKind;
  uapi: string;
  abi: number;
  kernel: string;
  /** Filesystem rights only: 'directory' rights are rejected by the kernel on a file. */
  appliesTo?: 'file' | 'directory';
  description: string;
}

interface RawRight {
  name: string;
  uapi: string;
  abi: number;
  kernel: string;
  appliesTo?: string;
  description: string;
}

const rights = new Map<string, RightInfo>();
for (const [kind, list] of [['fs', data.accessFs], ['net', data.accessNet], ['scope', data.scopes]] as [RightKind, RawRight[]][]) {
  for (const r of list) rights.set(`${kind}:${r.name}`, { ...r, kind, appliesTo: r.appliesTo as RightInfo['appliesTo'] });
}

export const MAX_KNOWN_ABI: number = data.maxKnownAbi;
export const GROUPS: Record<string, { appliesTo: string[]; description: string }> = data.groups;

export function rightInfo(kind: RightKind, name: string): RightInfo | undefined {
  return rights.get(`${kind}:${name}`);
}

export function rightsOf(kind: RightKind): RightInfo[] {
  return [...rights.values()].filter((r) => r.kind === kind);
}

export function isGroup(name: string): boolean {
  return name.startsWith('abi.');
}

/** The kernel version that introduced an ABI. */
export function kernelOfAbi(abi: number): string | undefined {
  return data.abi.find((a) => a.abi === abi)?.kernel;
}

/** What a group expands to in a list of `kind` for the declared ABI (ABIs above the data's newest: the newest). */
export function expandGroup(group: string, kind: RightKind, abi: number): string[] {
  const table = data.groupsByAbi as Record<string, Record<string, Record<string, string[]>>>;
  const key = String(Math.max(1, Math.min(abi, MAX_KNOWN_ABI)));
  return table[key]?.[kind]?.[group] ?? [];
}

/** Groups that may appear in a list of `kind`. */
export function groupsFor(kind: RightKind): string[] {
  const list = kind === 'fs' ? 'accessFs' : kind === 'net' ? 'accessNet' : 'scope';
  return Object.entries(GROUPS)
    .filter(([, g]) => g.appliesTo.includes(list))
    .map(([name]) => name);
}

/** JSON/YAML spell keys in camelCase, TOML in snake_case. */
const camelToSnake: Record<string, string> = data.keys.camelToSnake;
export function landlockKey(camel: string, toml: boolean): string {
  return toml ? (camelToSnake[camel] ?? camel) : camel;
}
