/** `phantom check`: the language server's diagnostics for files, for CI (text, JSON or SARIF; exit 1 on an error). */
import fs from 'node:fs';
import path from 'node:path';
import { documentFormat, fixesOf, loadFile } from '../../../model';
import { toSarif } from './checkSarif';
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
  /** Quick fixes, with 1-based positions like the finding's. */
  fixes?: { title: string; edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[] }[];
}

export function checkFile(file: string): CheckResult[] {
  const absolute = path.resolve(file);
  const format = documentFormat(absolute);
  if (!format) {
    throw new UsageError(`${file}: not a file phantom checks (phantom-fragment.yaml, *.seccomp.json|yaml|yml, *.landlock.json|yaml|yml|toml)`);
  }
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // The model's loader, the one `phantom run` reads files through (model/src/loadFiles.ts), on the real filesystem:
  // referenced profile files and paths are checked as the editor checks them.
  return loadFile(absolute, text, format.kind).diagnostics().map((d) => ({
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? 1],
    message: d.message,
    code: String(d.code ?? ''),
    ...(fixesOf(d).length ? {
      fixes: fixesOf(d).map((f) => ({
        title: f.title,
        edits: f.edits.map((e) => ({ line: e.range.start.line + 1, column: e.range.start.character + 1, endLine: e.range.end.line + 1, endColumn: e.range.end.character + 1, newText: e.newText })),
      })),
    } : {}),
  }));
}

export const CHECK_COMMAND = defineCommand({
  name: 'check',
  summary: 'validate phantom-fragment.yaml, seccomp and Landlock profiles',
  operands: 'FILE...',
  options: {
    format: { type: 'string', choices: ['text', 'json', 'sarif'], default: 'text', help: 'text: file:line:column lines; json: one array of findings; sarif: a SARIF 2.1.0 log (GitHub code scanning, other CI annotators) with rules, regions and fixes' },
    output: { type: 'string', value: 'FILE', path: true, help: 'write the report to FILE instead of stdout (the exit code still says whether there was an error)' },
  },
  main: runCheck,
});

async function runCheck(values: { format: 'text' | 'json' | 'sarif'; output?: string }, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('no file given');
  const results = positionals.flatMap(checkFile);
  const lines: string[] = [];
  if (values.format === 'json') {
    // The JSON form stays the finding without its fixes (those are SARIF's).
    lines.push(JSON.stringify(results.map(({ fixes: _fixes, ...finding }) => finding), null, 2));
  } else if (values.format === 'sarif') {
    lines.push(JSON.stringify(toSarif(results), null, 2));
  } else {
    for (const r of results) lines.push(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]`);
    const errors = results.filter((r) => r.severity === 'error').length;
    lines.push(`${positionals.length} file${positionals.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${results.length - errors} other finding${results.length - errors === 1 ? '' : 's'}`);
  }
  if (values.output !== undefined) {
    try {
      fs.writeFileSync(values.output, `${lines.join('\n')}\n`);
    } catch (error) {
      throw new UsageError(`--output ${values.output}: cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  } else {
    for (const line of lines) console.log(line);
  }
  return results.some((r) => r.severity === 'error') ? 1 : 0;
}
