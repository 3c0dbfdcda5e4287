/** `phantom check`: the language server's diagnostics for files, for CI (text or JSON; exit 1 on an error). */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileSystemContext } from '../../server/src/config/fileAccess';
import { documentFormat } from '../../server/src/documentKind';
import { validateDocument } from '../../server/src/validation';
import { defineCommand, UsageError } from './cliArgs';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' } as const;

export interface CheckResult {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  code: string;
}

export function checkFile(file: string): CheckResult[] {
  const absolute = path.resolve(file);
  if (!documentFormat(absolute)) {
    throw new UsageError(`${file}: not a file phantom checks (phantom-fragment.yaml, *.seccomp.json|yaml|yml, *.landlock.json|yaml|yml|toml)`);
  }
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const document = TextDocument.create(pathToFileURL(absolute).href, 'yaml', 0, text);
  // The real filesystem: referenced profile files and paths are checked as the editor checks them.
  return validateDocument(document, fileSystemContext()).map((d) => ({
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? 1],
    message: d.message,
    code: String(d.code ?? ''),
  }));
}

export const CHECK_COMMAND = defineCommand({
  name: 'check',
  summary: 'validate phantom-fragment.yaml, seccomp and Landlock profiles',
  operands: 'FILE...',
  options: {
    format: { type: 'string', choices: ['text', 'json'], default: 'text', help: 'text: file:line:column lines; json: one array of findings' },
  },
  main: runCheck,
});

async function runCheck(values: { format: 'text' | 'json' }, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('no file given');
  const results = positionals.flatMap(checkFile);
  if (values.format === 'json') {
    console.log(JSON.stringify(results, null, 2));
  } else {
    for (const r of results) console.log(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]`);
    const errors = results.filter((r) => r.severity === 'error').length;
    console.log(`${positionals.length} file${positionals.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${results.length - errors} other finding${results.length - errors === 1 ? '' : 's'}`);
  }
  return results.some((r) => r.severity === 'error') ? 1 : 0;
}
