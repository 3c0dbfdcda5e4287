/**
 * `phantom check --format sarif`: the findings as a SARIF 2.1.0 log, the format GitHub code scanning and other CI
 * annotators read. One rule per diagnostic code with its help text; each result has the file (relative to the
 * directory phantom ran in, under %SRCROOT%), the region (1-based line and column) and the quick fixes as
 * SARIF fixes.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnosticHelp } from '../../../model';
import type { CheckResult } from './cliCheck';
import { RUNTIME_VERSION } from '../version';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** A file's URI in the log: relative to the working directory (with %SRCROOT%) when inside it, else absolute. */
function artifactLocation(file: string, cwd: string): Record<string, string> {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(path.resolve(cwd, file)).href };
}

const region = (r: { line: number; column: number; endLine: number; endColumn: number }) =>
  ({ startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn });

export function toSarif(results: CheckResult[], cwd = process.cwd()): Record<string, unknown> {
  const codes = [...new Set(results.map((r) => r.code || 'phantom'))].sort();
  const rules = codes.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: diagnosticHelp(id).split(/(?<=\.) /)[0] },
    fullDescription: { text: diagnosticHelp(id) },
    help: { text: diagnosticHelp(id) },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'phantom check', semanticVersion: RUNTIME_VERSION, rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${cwd}${path.sep}`).href } },
      results: results.map((r) => {
        const location = artifactLocation(r.file, cwd);
        const result: Record<string, unknown> = {
          ruleId: r.code || 'phantom',
          ruleIndex: codes.indexOf(r.code || 'phantom'),
          level: LEVEL[r.severity],
          message: { text: r.message },
          locations: [{ physicalLocation: { artifactLocation: location, region: region(r) } }],
        };
        if (r.fixes?.length) {
          result.fixes = r.fixes.map((f) => ({
            description: { text: f.title },
            artifactChanges: [{
              artifactLocation: location,
              replacements: f.edits.map((e) => ({ deletedRegion: region(e), insertedContent: { text: e.newText } })),
            }],
          }));
        }
        return result;
      }),
    }],
  };
}
