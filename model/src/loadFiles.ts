/**
 * The one way to read each of the product's files: the text → its parse (the model's parser of its syntax) and the
 * diagnostics `phantom check` prints for it (the validators of validation.ts, on the real filesystem). The editor
 * validates open documents the same way (validation.ts); `phantom check` and `phantom run` both go through here, so
 * they accept and refuse the same files.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readConfig, type PhantomConfig } from './config/configModel';
import { fileSystemContext } from './config/fileAccess';
import { documentFormat, type DocumentKind, type Syntax } from './documentKind';
import { parsedDocument } from './parsedDocument';
import { DiagnosticSeverity, type PlainDiagnostic } from './quickFix';
import { landlockProfileOf, type LandlockConfig } from './landlockProfileModel';
import { refuseErrors } from './profileLoadError';
import { seccompProfileOf, type SeccompProfile } from './seccompProfileModel';
import { toValue, type ParsedSource, type SyntaxProblem } from './sourceTree';
import { validateParsed } from './validation';
import type { ValidationContext } from './validationContext';

/** A file as the model reads it. */
export interface LoadedFile {
  /** The path it was loaded as. */
  file: string;
  text: string;
  kind: DocumentKind;
  syntax: Syntax;
  parsed: ParsedSource;
  /** The first syntax problem, 1-based, when the text is not valid in its syntax. */
  syntaxError?: { line: number; column: number; message: string };
  /** Everything `phantom check` reports for the file, computed on first use (a configuration's references are read then). */
  diagnostics(): PlainDiagnostic[];
  /** The errors among them. */
  errors(): PlainDiagnostic[];
}

export interface LoadedConfig extends LoadedFile {
  /** The configuration as the effective policy reads it (what the text gives, syntax errors or not). */
  config: PhantomConfig;
}

/**
 * The name `phantom check` gives a file: its own when it is named like its kind, else one that says the kind (a
 * profile referenced under any name is validated as what it is referenced as).
 */
export function checkedName(file: string, kind: DocumentKind): string {
  if (documentFormat(file)?.kind === kind) return file;
  if (kind === 'config') return path.join(path.dirname(file), 'phantom-fragment.yaml');
  const ext = /\.toml$/i.test(file) ? 'toml' : /\.json$/i.test(file) ? 'json' : 'yaml';
  return `${file}.${kind}.${ext}`;
}

/** 1-based line and column of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function syntaxErrorOf(text: string, problems: SyntaxProblem[]): LoadedFile['syntaxError'] {
  const first = problems[0];
  return first ? { ...lineColumn(text, first.start), message: first.message } : undefined;
}

/**
 * Loads `text` (the content of `file`) as a file of `kind`. `context`: the filesystem the validators see
 * (default: the real one, as `phantom check` sees it).
 */
export function loadFile(file: string, text: string, kind: DocumentKind, context: ValidationContext = fileSystemContext()): LoadedFile {
  const name = checkedName(path.resolve(file), kind);
  // One parse for the model and the validators (parsedDocument.ts keeps it per name and text).
  const doc = parsedDocument(TextDocument.create(pathToFileURL(name).href, 'plaintext', 0, text))!;
  const parsed = doc.parsed;
  let diagnostics: PlainDiagnostic[] | undefined;
  const all = () => (diagnostics ??= validateParsed(doc, context));
  return {
    file,
    text,
    kind,
    syntax: doc.format.syntax,
    parsed,
    syntaxError: syntaxErrorOf(text, parsed.problems),
    diagnostics: all,
    errors: () => all().filter((d) => d.severity === DiagnosticSeverity.Error),
  };
}

/** phantom-fragment.yaml: its configuration model and check's diagnostics. */
export function loadConfig(file: string, text: string, context?: ValidationContext): LoadedConfig {
  const loaded = loadFile(file, text, 'config', context);
  return { ...loaded, config: readConfig(toValue(loaded.parsed.root)) };
}

export interface LoadedSeccompProfile extends LoadedFile {
  /** The typed profile the compiler takes; throws ProfileLoadError with check's first error when check reports one. */
  profile(): SeccompProfile;
}

export interface LoadedLandlockProfile extends LoadedFile {
  /** The typed profile the compiler takes; throws ProfileLoadError with check's first error when check reports one. */
  profile(): LandlockConfig;
}

/** A seccomp profile file (OCI `LinuxSeccomp` with Docker's extensions, JSON or YAML): check's diagnostics and its typed profile. */
export function loadSeccompProfile(file: string, text: string, context?: ValidationContext): LoadedSeccompProfile {
  const loaded = loadFile(file, text, 'seccomp', context);
  return {
    ...loaded,
    profile: () => {
      refuseErrors(file, loaded.errors());
      return seccompProfileOf(loaded.parsed.root, text);
    },
  };
}

/** A Landlock profile file (landlockconfig's model: JSON/YAML camelCase, TOML snake_case): check's diagnostics and its typed profile. */
export function loadLandlockProfile(file: string, text: string, context?: ValidationContext): LoadedLandlockProfile {
  const loaded = loadFile(file, text, 'landlock', context);
  return {
    ...loaded,
    profile: () => {
      refuseErrors(file, loaded.errors());
      return landlockProfileOf(loaded.parsed.root);
    },
  };
}
