/**
 * The typed seccomp profile the runtime's compiler takes, computed from the model's source tree of a file check
 * accepted (loadFiles.ts loadSeccompProfile): the one parser of the format, no second reading. Argument values are
 * exact 64-bit integers: a number too large for a double is read from its source text (`18446744073709551615`,
 * `0x8000000000000001`), never from the rounded double. Pure.
 */
import { childAt, type SourceNode } from './sourceTree';

export interface SeccompArg {
  index: number;
  /** A number while it is a safe integer, else the exact bigint. */
  value: number | bigint;
  valueTwo?: number | bigint;
  op: string;
}

/** Docker's includes/excludes of a rule, evaluated for the host (the runtime's seccomp compiler). */
export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[];
}

/** A tree check accepted that still does not have the shape it checked: a bug of the model, never the user's. */
function shapeError(what: string): never {
  throw new Error(`seccomp profile model: ${what} (the validator accepted a shape the model does not read)`);
}

const present = (node: SourceNode | undefined): node is SourceNode => node !== undefined && node.type !== 'null';

function str(node: SourceNode): string {
  return node.type === 'string' || node.type === 'number' || node.type === 'boolean' ? String(node.value) : shapeError(`expected a string at offset ${node.start}`);
}

function strList(node: SourceNode): string[] {
  return node.type === 'array' ? (node.children ?? []).map(str) : [str(node)];
}

/**
 * The exact integer a number node writes, or undefined when it is no whole number or cannot be read exactly.
 * Safe integers come from the parsed value; larger ones from the source text, which must then be an integer
 * literal (digits, 0x…, 0o…) that reads as the parsed value: the double has lost their low bits. An alias, a float
 * form (1.8e19) or any other spelling of a value beyond 2^53 is not read: check refuses it (seccompValidation.ts).
 */
export function exactIntegerOf(node: SourceNode, text: string): bigint | undefined {
  const value = node.value;
  if (node.type !== 'number' || typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if (Number.isSafeInteger(value)) return BigInt(value);
  const raw = text.slice(node.start, node.end).trim();
  if (!/^\+?(?:\d+|0x[0-9a-f]+|0o[0-7]+)$/i.test(raw)) return undefined;
  const exact = BigInt(raw);
  return Number(exact) === value ? exact : undefined;
}

function exactInteger(node: SourceNode, text: string): bigint {
  return exactIntegerOf(node, text) ?? shapeError(`the number '${text.slice(node.start, node.end)}' is not read exactly`);
}

const small = (v: bigint): number | bigint => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

function filterOf(node: SourceNode): SeccompFilter {
  const f: SeccompFilter = {};
  const caps = childAt(node, 'caps');
  const arches = childAt(node, 'arches');
  const minKernel = childAt(node, 'minKernel');
  if (present(caps)) f.caps = strList(caps);
  if (present(arches)) f.arches = strList(arches);
  if (present(minKernel)) f.minKernel = str(minKernel);
  return f;
}

function argOf(node: SourceNode, text: string): SeccompArg {
  const index = childAt(node, 'index');
  const value = childAt(node, 'value');
  const valueTwo = childAt(node, 'valueTwo');
  const op = childAt(node, 'op');
  if (!present(index) || !present(op)) shapeError(`an argument without index or op at offset ${node.start}`);
  const arg: SeccompArg = { index: Number(exactInteger(index, text)), value: present(value) ? small(exactInteger(value, text)) : 0, op: str(op) };
  if (present(valueTwo)) arg.valueTwo = small(exactInteger(valueTwo, text));
  return arg;
}

function ruleOf(node: SourceNode, text: string): SeccompRule {
  const names = childAt(node, 'names') ?? childAt(node, 'name'); // `name`: the pre-OCI Docker spelling
  const action = childAt(node, 'action');
  if (!present(names) || !present(action)) shapeError(`a rule without names or action at offset ${node.start}`);
  const rule: SeccompRule = { names: strList(names), action: str(action) };
  const errnoRet = childAt(node, 'errnoRet');
  const comment = childAt(node, 'comment');
  const includes = childAt(node, 'includes');
  const excludes = childAt(node, 'excludes');
  const args = childAt(node, 'args');
  if (present(errnoRet)) rule.errnoRet = Number(exactInteger(errnoRet, text));
  if (present(comment)) rule.comment = str(comment);
  if (present(includes)) rule.includes = filterOf(includes);
  if (present(excludes)) rule.excludes = filterOf(excludes);
  if (present(args)) rule.args = (args.children ?? []).map((a) => argOf(a, text));
  return rule;
}

/** The typed profile of an accepted file's tree (`root`) and its `text`. */
export function seccompProfileOf(root: SourceNode | undefined, text: string): SeccompProfile {
  if (root?.type !== 'object') return shapeError('the profile is not a mapping');
  const key = (k: string) => {
    const node = childAt(root, k);
    return present(node) ? node : undefined;
  };
  const defaultAction = key('defaultAction') ?? shapeError('defaultAction is missing');
  const profile: SeccompProfile = { defaultAction: str(defaultAction) };
  const defaultErrnoRet = key('defaultErrnoRet');
  const architectures = key('architectures');
  const flags = key('flags');
  const listenerPath = key('listenerPath');
  const listenerMetadata = key('listenerMetadata');
  const archMap = key('archMap');
  const syscalls = key('syscalls');
  if (defaultErrnoRet) profile.defaultErrnoRet = Number(exactInteger(defaultErrnoRet, text));
  if (architectures) profile.architectures = strList(architectures);
  if (flags) profile.flags = strList(flags);
  if (listenerPath) profile.listenerPath = str(listenerPath);
  if (listenerMetadata) profile.listenerMetadata = str(listenerMetadata);
  if (archMap) {
    profile.archMap = (archMap.children ?? []).map((m) => {
      const architecture = childAt(m, 'architecture') ?? shapeError(`an archMap entry without architecture at offset ${m.start}`);
      const subs = childAt(m, 'subArchitectures');
      return { architecture: str(architecture), subArchitectures: present(subs) ? strList(subs) : [] };
    });
  }
  if (syscalls) profile.syscalls = (syscalls.children ?? []).map((r) => ruleOf(r, text));
  return profile;
}
