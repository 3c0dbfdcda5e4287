/**
 * `phantom check` and `phantom run` accept and refuse the same files (the configuration, its seccomp and Landlock
 * files): before one is used, the diagnostics `phantom check` prints for it are computed (the language server's validators, the one
 * validator of each format), and any error refuses the run with check's own message, file and place. The runtime's
 * loaders then only turn an accepted file into what the compilers need. Memoized by content.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileSystemContext } from '../../server/src/config/fileAccess';
import { documentFormat } from '../../server/src/documentKind';
import { DiagnosticSeverity } from '../../server/src/quickFix';
import { validateDocument } from '../../server/src/validation';
import { parsedOnce } from './parseMemo';
import { ProfileLoadError } from './seccompProfileLoader';

/** The name check would give the file: its own when it is named like its kind, else one that says the kind. */
function checkedName(file: string, kind: 'config' | 'seccomp' | 'landlock'): string {
  if (documentFormat(file)?.kind === kind) return file;
  if (kind === 'config') return path.join(path.dirname(file), 'phantom-fragment.yaml');
  const ext = /\.toml$/i.test(file) ? 'toml' : /\.json$/i.test(file) ? 'json' : 'yaml';
  return `${file}.${kind}.${ext}`;
}

/**
 * Throws ProfileLoadError with check's first error when `phantom check` would report one for this text.
 * `dependsOn`: the state of whatever else check reads for this verdict (a configuration's referenced files): the
 * verdict is reused only while the text and that state are unchanged.
 */
export function refuseWhatCheckRefuses(file: string, text: string, kind: 'config' | 'seccomp' | 'landlock', dependsOn = ''): void {
  const first = parsedOnce(`check\0${kind}\0${file}`, `${text}\0${dependsOn}`, () => {
    const name = checkedName(path.resolve(file), kind);
    const document = TextDocument.create(pathToFileURL(name).href, 'plaintext', 0, text);
    const errors = validateDocument(document, fileSystemContext()).filter((d) => d.severity === DiagnosticSeverity.Error);
    return errors.length ? { line: errors[0].range.start.line + 1, column: errors[0].range.start.character + 1, message: errors[0].message, code: errors[0].code, more: errors.length - 1 } : null;
  });
  if (first) {
    throw new ProfileLoadError(`${file}:${first.line}:${first.column}: ${first.message} [${String(first.code)}]${first.more ? ` (and ${first.more} more)` : ''} — 'phantom check ${file}' lists every problem`);
  }
}
