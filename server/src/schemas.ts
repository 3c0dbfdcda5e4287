/** The JSON Schemas of the formats (schemas/ is the single source of truth), by document kind. */
import configSchema from '../../schemas/phantom-fragment.schema.json';
import type { DocumentKind } from './documentKind';

const SCHEMAS: Partial<Record<DocumentKind, object>> = {
  config: configSchema,
};

export function schemaFor(kind: DocumentKind): object | undefined {
  return SCHEMAS[kind];
}
