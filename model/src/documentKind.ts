/** Which of the product's file formats a document is, decided by its file name alone (works with any client). */
export type DocumentKind = 'config' | 'seccomp' | 'landlock';
export type Syntax = 'yaml' | 'json' | 'toml';

export interface DocumentFormat {
  kind: DocumentKind;
  syntax: Syntax;
}

/**
 * The file names of each format: the one list. package.json's `contributes.languages` repeats it for VS Code
 * (test/unit/documentKind.test.ts keeps the two equal).
 */
export const FILE_PATTERNS: Readonly<Record<DocumentKind, readonly string[]>> = {
  config: ['phantom-fragment.yaml', 'phantom-fragment.yml'],
  seccomp: ['*.seccomp.json', '*.seccomp.yaml', '*.seccomp.yml'],
  landlock: ['*.landlock.json', '*.landlock.yaml', '*.landlock.yml', '*.landlock.toml'],
};

function syntaxOf(pattern: string): Syntax {
  return pattern.endsWith('.json') ? 'json' : pattern.endsWith('.toml') ? 'toml' : 'yaml';
}

export function documentFormat(uriOrPath: string): DocumentFormat | undefined {
  const name = decodeURIComponent(uriOrPath.split(/[/\\]/).pop() ?? '').toLowerCase();
  for (const kind of Object.keys(FILE_PATTERNS) as DocumentKind[]) {
    for (const pattern of FILE_PATTERNS[kind]) {
      if (pattern.startsWith('*') ? name.endsWith(pattern.slice(1)) : name === pattern) return { kind, syntax: syntaxOf(pattern) };
    }
  }
  return undefined;
}
