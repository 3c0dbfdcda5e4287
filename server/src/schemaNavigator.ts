/** Walks a JSON Schema along a document path (local $refs, properties, items, combinators). */
import { type PathSegment } from '../../model';

export type Schema = Record<string, unknown>;

export function resolveRef(root: Schema, schema: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 16 && typeof current.$ref === 'string'; i++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) break;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Schema | undefined)?.[part];
    if (!target || typeof target !== 'object') break;
    // Keep local annotations (a description beside a $ref wins over the target's).
    const { $ref: _ref, ...local } = current;
    current = { ...(target as Schema), ...local };
  }
  return current;
}

/** The schemas that may describe the value at `path` (several when combinators leave a choice). */
export function schemasAt(root: Schema, path: readonly PathSegment[]): Schema[] {
  let current: Schema[] = [resolveRef(root, root)];
  for (const segment of path) {
    const next: Schema[] = [];
    for (const schema of current.flatMap((s) => expand(root, s))) {
      const child = childSchema(schema, segment);
      if (child) next.push(resolveRef(root, child));
    }
    if (next.length === 0) return [];
    current = next;
  }
  return current.flatMap((s) => expand(root, s));
}

function expand(root: Schema, schema: Schema): Schema[] {
  const branches = (schema.oneOf ?? schema.anyOf ?? schema.allOf) as Schema[] | undefined;
  if (!Array.isArray(branches)) return [schema];
  const { oneOf: _o, anyOf: _a, allOf: _l, ...rest } = schema;
  return [rest, ...branches.map((b) => resolveRef(root, b))];
}

function childSchema(schema: Schema, segment: PathSegment): Schema | undefined {
  if (typeof segment === 'string') {
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (properties && properties[segment]) return properties[segment];
    const additional = schema.additionalProperties;
    return additional && typeof additional === 'object' ? (additional as Schema) : undefined;
  }
  const items = schema.items;
  return items && typeof items === 'object' && !Array.isArray(items) ? (items as Schema) : undefined;
}

export function descriptionOf(schemas: Schema[]): string | undefined {
  for (const s of schemas) if (typeof s.markdownDescription === 'string') return s.markdownDescription;
  for (const s of schemas) if (typeof s.description === 'string') return s.description;
  return undefined;
}
