/**
 * JSON Schema validation (ajv) turned into findings a person understands, each pinned to the exact key or
 * value: no "must match exactly one schema in oneOf", no list of every allowed value.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as precompiled from '../generated/schemaValidators';
import { closest, didYouMean } from './didYouMean';
import type { JsonValue, PathSegment } from './sourceTree';

export interface SchemaFinding {
  path: PathSegment[];
  /** true: point at the key of `path`; false: at its value. */
  onKey: boolean;
  message: string;
  code: string;
  /** The "did you mean" replacement for the key (onKey) or value, when there is one. */
  suggestion?: string;
}

type Schema = Record<string, unknown>;

/**
 * The validator of one of the schemas of schemas/ (schemas.ts), compiled ahead of time by
 * scripts/gen-schema-validators.mjs at build time (a just-started server then skips ~40 ms of compiling).
 */
function validatorFor(schema: object): ValidateFunction {
  const id = (schema as Schema).$id;
  const name = typeof id === 'string' ? precompiled.VALIDATOR_NAMES[id] : undefined;
  if (!name) throw new Error(`no validator was generated for the schema ${String(id)}: add it to scripts/gen-schema-validators.mjs`);
  return (precompiled as unknown as Record<string, ValidateFunction>)[name];
}

const compiled = new Map<object, ValidateFunction>();

export function schemaFindings(schema: object, value: JsonValue): SchemaFinding[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = validatorFor(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return humanize(validate.errors ?? []);
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function humanize(errors: ErrorObject[]): SchemaFinding[] {
  // Combinator errors only say "some branch failed": keep them only where nothing more precise was said
  // at the same place or below.
  const precise = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const findings: SchemaFinding[] = [];
  const typeErrors = new Map<string, { path: PathSegment[]; types: Set<string>; actual: string }>();
  for (const error of errors) {
    const path = pointerToPath(error.instancePath);
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const covered = precise.some((p) => p.instancePath === error.instancePath || p.instancePath.startsWith(error.instancePath + '/'));
      if (!covered) findings.push({ path, onKey: false, message: `${label(path)} does not match any of its allowed forms.`, code: 'schema-form' });
      continue;
    }
    if (error.keyword === 'type') {
      const key = error.instancePath;
      const entry = typeErrors.get(key) ?? { path, types: new Set<string>(), actual: jsonType(error.data) };
      for (const t of ([] as string[]).concat(error.params.type as string | string[])) entry.types.add(t);
      typeErrors.set(key, entry);
      continue;
    }
    const finding = describe(error, path);
    if (finding) findings.push(finding);
  }
  for (const { path, types, actual } of typeErrors.values()) {
    // A type error inside a oneOf branch whose sibling branch matched the type is noise.
    const expected = [...types].map(article).join(' or ');
    findings.push({ path, onKey: false, message: `${label(path)} should be ${expected}, not ${article(actual)}.`, code: 'schema-type' });
  }
  return dedupe(findings);
}

function describe(error: ErrorObject, path: PathSegment[]): SchemaFinding | undefined {
  const params = error.params as Record<string, unknown>;
  const parentSchema = (error.parentSchema ?? {}) as Schema;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parentSchema.properties as Schema | undefined) ?? {});
      const suggestion = closest(key, known);
      const hint = didYouMean(key, known) || knownList(known);
      return { path: [...path, key], onKey: true, message: `Unknown key '${key}'${where(path)}.${hint}`, code: 'schema-unknown-key', suggestion };
    }
    case 'required':
      return { path, onKey: true, message: `Missing required key '${String(params.missingProperty)}'${where(path)}.`, code: 'schema-required' };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const shown = JSON.stringify(error.data);
      const suggestion = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      const list = allowed.length <= 6 ? ` Use one of: ${allowed.join(', ')}.` : '';
      return { path, onKey: false, message: `${clip(shown)} is not allowed for ${label(path)}.${hint || list}`, code: 'schema-enum', suggestion };
    }
    case 'const':
      return { path, onKey: false, message: `${label(path)} must be ${JSON.stringify(params.allowedValue)}.`, code: 'schema-const' };
    case 'pattern':
      return { path, onKey: false, message: `${clip(JSON.stringify(error.data))} is not a valid ${label(path)}.${hintFrom(parentSchema)}`, code: 'schema-pattern' };
    case 'propertyNames':
      return undefined; // The nested pattern error carries the name.
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const op = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
      return { path, onKey: false, message: `${label(path)} must be ${op} ${String(params.limit)}.`, code: 'schema-range' };
    }
    case 'minItems':
      return { path, onKey: false, message: `${label(path)} needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}.`, code: 'schema-min-items' };
    case 'maxItems':
      return { path, onKey: false, message: `${label(path)} takes at most ${String(params.limit)} items.`, code: 'schema-max-items' };
    case 'minLength':
      return { path, onKey: false, message: `${label(path)} must not be empty.`, code: 'schema-min-length' };
    case 'uniqueItems':
      return { path: [...path, Number(params.i)], onKey: false, message: `This item is listed twice in ${label(path)}.`, code: 'schema-duplicate-item' };
    default: {
      const message = error.message ?? 'is not valid';
      return { path, onKey: false, message: `${label(path)} ${message}.`, code: `schema-${error.keyword}` };
    }
  }
}

function label(path: PathSegment[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === 'string') return i === path.length - 1 ? `'${segment}'` : `an item of '${segment}'`;
  }
  return 'the document';
}

function where(path: PathSegment[]): string {
  return path.length === 0 ? ' at the top level' : ` in ${label(path)}`;
}

function knownList(known: string[]): string {
  if (known.length === 0) return ' No keys are allowed here.';
  const shown = known.slice(0, 6).join(', ');
  return ` Known keys: ${shown}${known.length > 6 ? ', …' : ''}.`;
}

function hintFrom(schema: Schema): string {
  const description = typeof schema.description === 'string' ? schema.description : '';
  const example = /e\.g\. ([^.]*)/.exec(description);
  return example ? ` Expected e.g. ${example[1].replace(/`/g, '')}.` : '';
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function article(type: string): string {
  const words: Record<string, string> = {
    object: 'a mapping of keys', array: 'a list', string: 'a string', number: 'a number', integer: 'a whole number',
    boolean: 'true or false', null: 'empty',
  };
  return words[type] ?? type;
}

function dedupe(findings: SchemaFinding[]): SchemaFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${JSON.stringify(f.path)}|${f.onKey}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
