/** Parses a document of any supported syntax into the shared SourceNode tree. */
import type { Syntax } from './documentKind';
import { parseJsonSource } from './jsonSource';
import type { ParsedSource } from './sourceTree';
import { parseYamlSource } from './yamlSource';

export function parseSource(text: string, syntax: Syntax): ParsedSource {
  switch (syntax) {
    case 'json':
      return parseJsonSource(text);
    case 'yaml':
      return parseYamlSource(text);
    case 'toml':
      // TOML (Landlock profiles) arrives with the profile-intelligence work; until then nothing is checked.
      return { root: undefined, problems: [] };
  }
}
