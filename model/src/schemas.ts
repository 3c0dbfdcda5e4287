/** The JSON Schemas of the formats (schemas/ is the single source of truth), by document kind and syntax. */
import landlockSchema from '../../schemas/landlock.schema.json';
import landlockTomlSchema from '../../schemas/landlock.toml.schema.json';
import configSchema from '../../schemas/phantom-fragment.schema.json';
import seccompSchema from '../../schemas/seccomp.schema.json';
import type { DocumentFormat } from './documentKind';

/** TOML Landlock profiles use snake_case keys: their schema is generated from the camelCase one. */
export function schemaFor(format: DocumentFormat): object {
  switch (format.kind) {
    case 'config':
      return configSchema;
    case 'seccomp':
      return seccompSchema;
    case 'landlock':
      return format.syntax === 'toml' ? landlockTomlSchema : landlockSchema;
  }
}
