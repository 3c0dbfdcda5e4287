/**
 * The typed Landlock profile the runtime's compiler takes (landlockconfig's data model, keys normalised to
 * camelCase), computed from the model's source tree of a file check accepted (loadFiles.ts loadLandlockProfile):
 * JSON/YAML camelCase and TOML snake_case give the same model. Pure.
 */
import landlockData from '../data/landlock.json';
import { childAt, type SourceNode } from './sourceTree';

export interface LandlockConfig {
  abi?: number;
  variable: { name: string; literal: string[] }[];
  ruleset: { handledAccessFs: string[]; handledAccessNet: string[]; scoped: string[] }[];
  pathBeneath: { allowedAccess: string[]; parent: string[] }[];
  netPort: { allowedAccess: string[]; port: number[] }[];
}

const CAMEL_TO_SNAKE: Record<string, string> = landlockData.keys.camelToSnake;

function shapeError(what: string): never {
  throw new Error(`Landlock profile model: ${what} (the validator accepted a shape the model does not read)`);
}

/** The member `camel` of an object, spelled camelCase (JSON, YAML) or snake_case (TOML). */
function member(node: SourceNode, camel: string): SourceNode | undefined {
  const found = childAt(node, camel) ?? (CAMEL_TO_SNAKE[camel] ? childAt(node, CAMEL_TO_SNAKE[camel]) : undefined);
  return found?.type === 'null' ? undefined : found;
}

function items(node: SourceNode | undefined): SourceNode[] {
  if (!node) return [];
  return node.type === 'array' ? (node.children ?? []) : shapeError(`expected a list at offset ${node.start}`);
}

function str(node: SourceNode): string {
  return node.type === 'string' ? String(node.value) : shapeError(`expected a string at offset ${node.start}`);
}

function num(node: SourceNode): number {
  return node.type === 'number' && Number.isInteger(node.value) ? (node.value as number) : shapeError(`expected a whole number at offset ${node.start}`);
}

const strs = (node: SourceNode | undefined): string[] => items(node).map(str);

/** The typed profile of an accepted file's tree. */
export function landlockProfileOf(root: SourceNode | undefined): LandlockConfig {
  if (root?.type !== 'object') return shapeError('the profile is not a table/object');
  const abi = member(root, 'abi');
  const config: LandlockConfig = {
    variable: items(member(root, 'variable')).map((v) => ({ name: str(member(v, 'name') ?? shapeError('a variable without name')), literal: strs(member(v, 'literal')) })),
    ruleset: items(member(root, 'ruleset')).map((r) => ({
      handledAccessFs: strs(member(r, 'handledAccessFs')),
      handledAccessNet: strs(member(r, 'handledAccessNet')),
      scoped: strs(member(r, 'scoped')),
    })),
    pathBeneath: items(member(root, 'pathBeneath')).map((p) => ({ allowedAccess: strs(member(p, 'allowedAccess')), parent: strs(member(p, 'parent')) })),
    netPort: items(member(root, 'netPort')).map((p) => ({ allowedAccess: strs(member(p, 'allowedAccess')), port: items(member(p, 'port')).map(num) })),
  };
  if (abi) config.abi = num(abi);
  return config;
}
