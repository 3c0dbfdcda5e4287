/** Parses a document of any supported syntax into the shared SourceNode tree. */
import type { Syntax } from './documentKind';
import { parseJsonSource } from './jsonSource';
import type { ParsedSource } from './sourceTree';
import { parseTomlSource } from './tomlSource';
import { parseYamlSource } from './yamlSource';

export function parseSource(text: string, syntax: Syntax): ParsedSource {
  switch (syntax) {
    case 'json':
      return parseJsonSource(text);
    case 'yaml':
      return parseYamlSource(text);
    case 'toml':
      return parseTomlSource(text);
  }
}
