/** Which of the product's file formats a document is, decided by its file name alone (works with any client). */
export type DocumentKind = 'config' | 'seccomp' | 'landlock';
export type Syntax = 'yaml' | 'json' | 'toml';

export interface DocumentFormat {
  kind: DocumentKind;
  syntax: Syntax;
}

export function documentFormat(uriOrPath: string): DocumentFormat | undefined {
  const name = decodeURIComponent(uriOrPath.split(/[/\\]/).pop() ?? '').toLowerCase();
  if (name === 'phantom-fragment.yaml' || name === 'phantom-fragment.yml') return { kind: 'config', syntax: 'yaml' };
  const profile = /\.(seccomp|landlock)\.(json|ya?ml|toml)$/.exec(name);
  if (!profile) return undefined;
  const kind = profile[1] as 'seccomp' | 'landlock';
  const syntax: Syntax = profile[2] === 'json' ? 'json' : profile[2] === 'toml' ? 'toml' : 'yaml';
  if (kind === 'seccomp' && syntax === 'toml') return undefined;
  return { kind, syntax };
}
