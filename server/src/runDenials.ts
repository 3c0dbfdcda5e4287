/**
 * What the last sandboxed run refused, on the profile line that refused it (docs/editor.md, "Denials in Problems").
 * The client sends each run's denials (runDenialsNotification); each one that is not expected and names a profile
 * file becomes a warning on that file's line, with its fix (denialEdits.ts) as a quick fix computed from the file's
 * text when it is asked for. They live until:
 * - the next run under the same key (same configuration and profile, or the same profile files) replaces them;
 * - their fix is in the file (applied by the quick fix or typed by hand);
 * - their line is edited. Edits elsewhere move them with their line (the common start and end of the old and new
 *   text are kept; a line in between is stale: run again to see what is still refused).
 * Files not open in the editor get them too (read from disk, regular files only, never blocking).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver-types';
import { denialEdit, EDIT_KIND } from './denialEdits';
import { documentFormat, parseSource } from '../../model';
import type { ParsedDocument } from '../../model';
import type { RunDenial, RunDenialEdit, RunDenialsParams } from './protocol';
import { DIAGNOSTIC_SOURCE, DiagnosticSeverity, type PlainDiagnostic } from '../../model';
import { toValue } from '../../model';

export const DENIAL_CODE = 'run-denied';
/** A run may refuse many distinct calls; the Problems panel shows this many per file and run. */
const MAX_PER_FILE = 50;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** A denial with the others of its line and fix folded in (merged below). */
type MergedDenial = RunDenial & { otherPaths?: number };

interface Shown {
  denial: MergedDenial;
  /** 0-based line in `text`. */
  line: number;
}

interface Entry {
  command: string;
  /** The file's text the lines refer to; undefined when it could not be read. */
  text: string | undefined;
  shown: Shown[];
}

/** A profile file's text if it is a regular file of sane size: the repository may name a FIFO or /dev/zero. */
export function readProfileText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && st.size <= MAX_FILE_BYTES ? readFileSync(fd, 'utf8') : undefined;
  } catch {
    return undefined; // unreadable: the denial is shown without its line's text
  } finally {
    closeSync(fd);
  }
}

/** A ParsedDocument of a file the editor does not have open (not cached: it is read for one answer). */
export function detachedDocument(file: string, text: string): ParsedDocument | undefined {
  const format = documentFormat(file);
  if (!format) return undefined;
  const document = TextDocument.create(pathToFileURL(file).href, format.kind, 0, text);
  const parsed = parseSource(text, format.syntax);
  return { document, text, format, parsed, value: () => toValue(parsed.root), memo: new Map() };
}

/** Drops what a file name must not steer in a message: C1 controls and bidirectional/invisible formatting. */
function visible(text: string): string {
  return text.replace(/[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
}

/** "refused mkdir "/ws/out" (EPERM) in the last run (bash job.sh) — add `mkdir` to the rule at line 8". */
export function denialMessage(d: MergedDenial, command: string): string {
  const others = d.otherPaths ? ` and ${d.otherPaths} other path${d.otherPaths === 1 ? '' : 's'}` : '';
  const quoted = d.path !== undefined ? ` ${JSON.stringify(d.path)}${others}` : '';
  const what =
    d.kind === 'network' ? `connect to ${d.address ?? 'an address'}`
    : d.kind === 'landlock' ? `${d.access?.length ? d.access.join(', ') : 'access to'}${quoted}`
    : `${d.syscall ?? 'a system call (the process was killed)'}${quoted}${d.argument ? ` (${d.argument})` : ''}`;
  const cmd = command.length > 60 ? `${command.slice(0, 57)}…` : command;
  const result = d.result && d.kind !== 'network' ? ` (${d.result})` : '';
  return visible(
    `${d.inferred ? 'would refuse' : 'refused'} ${what}${result}${d.count > 1 ? ` ×${d.count}` : ''} in the last run (${cmd})${d.inferred && !/^Explain\b/.test(command) ? ' (inferred by Explain)' : ''}${d.fix ? ` — ${d.fix}` : ''}`,
  );
}

function fileOfUri(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined; // a malformed uri names no file
  }
}

/** Whether `x` (diagnostic data sent back by the client) is a well-formed fix. */
function validEdit(x: unknown): x is RunDenialEdit {
  if (!x || typeof x !== 'object') return false;
  const e = x as Record<string, unknown>;
  if (typeof e.kind !== 'string' || !(e.kind in EDIT_KIND) || typeof e.file !== 'string' || !path.isAbsolute(e.file)) return false;
  const str = (k: string) => typeof e[k] === 'string';
  switch (e.kind as RunDenialEdit['kind']) {
    case 'seccompAllow': return str('syscall') && (e.line === undefined || typeof e.line === 'number');
    case 'addFragment': return str('profile') && str('fragment');
    case 'filesystemPath': return str('profile') && str('list') && str('path');
    case 'network': return str('profile') && str('mode');
    case 'landlockPath': return str('path') && Array.isArray(e.access) && e.access.every((a) => typeof a === 'string');
  }
}

/** Where an old line is in the new text: kept when in the common start or end of both, else undefined (edited). */
export function movedLine(oldText: string, newText: string, line: number): number | undefined {
  if (oldText === newText) return line;
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  if (line < prefix) return line;
  if (line >= a.length - suffix) return line + b.length - a.length;
  return undefined;
}

/**
 * One warning per refused call and fix on a line: the same syscall refused with other arguments (ioctl TCGETS and
 * TIOCGPGRP) or paths is one problem with one fix; its counts add up and its arguments are listed.
 */
function merged(denials: readonly RunDenial[]): MergedDenial[] {
  const byKey = new Map<string, MergedDenial>();
  for (const d of denials) {
    const key = JSON.stringify([d.source?.line, d.kind, d.syscall, d.address, d.access, d.inferred, d.fix]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...d });
      continue;
    }
    seen.count += d.count;
    if (d.argument && !seen.argument?.split(', ').includes(d.argument)) seen.argument = seen.argument ? `${seen.argument}, ${d.argument}` : d.argument;
    if (d.path !== undefined && seen.path !== d.path) seen.otherPaths = (seen.otherPaths ?? 0) + 1;
  }
  return [...byKey.values()];
}

export class RunDenialStore {
  /** absolute file → run key → what that run refused in the file. */
  private readonly byFile = new Map<string, Map<string, Entry>>();

  constructor(private readonly readText: (file: string) => string | undefined = readProfileText) {}

  /** A run ended: its denials replace the previous run's under the same key. Returns the files to publish again. */
  set(params: RunDenialsParams): string[] {
    const affected = new Set<string>();
    for (const [file, entries] of this.byFile) {
      if (entries.delete(params.run)) affected.add(file);
      if (entries.size === 0) this.byFile.delete(file);
    }
    const byFile = new Map<string, RunDenial[]>();
    for (const d of params.denials) {
      const file = d.source?.file;
      if (d.expected || !file || !path.isAbsolute(file) || !documentFormat(file)) continue;
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    for (const [file, denials] of byFile) {
      const text = this.readText(file);
      const lines = text?.split('\n').length;
      const shown = merged(denials).slice(0, MAX_PER_FILE).map((denial) => {
        const line = Math.max(0, (denial.source?.line ?? 1) - 1);
        return { denial, line: lines !== undefined && line >= lines ? 0 : line };
      });
      const entries = this.byFile.get(file) ?? new Map<string, Entry>();
      entries.set(params.run, { command: params.command, text, shown });
      this.byFile.set(file, entries);
      affected.add(file);
    }
    return [...affected];
  }

  has(file: string): boolean {
    return this.byFile.has(file);
  }

  /**
   * The warnings of `file` (absolute). `doc`: the file as the editor has it now — lines are moved to it, and denials whose line
   * was edited or whose fix is in it are dropped. Without it, as last known.
   */
  diagnostics(file: string, doc?: ParsedDocument): PlainDiagnostic[] {
    const entries = this.byFile.get(file);
    if (!entries) return [];
    const out: PlainDiagnostic[] = [];
    // An explain run may report what the run it explains reported (runs are kept per key): shown once.
    const seen = new Set<string>();
    for (const [run, entry] of entries) {
      if (doc) follow(entry, file, doc);
      if (entry.shown.length === 0) {
        entries.delete(run);
        continue;
      }
      const text = doc?.text ?? entry.text;
      const lines = text?.split('\n');
      for (const { denial, line } of entry.shown) {
        const key = JSON.stringify([line, denial.kind, denial.syscall, denial.path, denial.address, denial.access, denial.fix]);
        if (seen.has(key)) continue;
        seen.add(key);
        const content = lines?.[line] ?? '';
        const start = content.length - content.trimStart().length;
        const range: Range = { start: { line, character: start }, end: { line, character: Math.max(start, content.trimEnd().length) } };
        const diagnostic: PlainDiagnostic = { range, severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE, code: DENIAL_CODE, message: denialMessage(denial, entry.command) };
        if (denial.edit) diagnostic.data = { edit: denial.edit };
        out.push(diagnostic);
      }
    }
    if (entries.size === 0) this.byFile.delete(file);
    return out;
  }
}

/** Brings an entry's lines to the document's text; drops the stale and the fixed. */
function follow(entry: Entry, file: string, doc: ParsedDocument): void {
  if (entry.text !== undefined && entry.text !== doc.text) {
    const old = entry.text;
    entry.shown = entry.shown.flatMap((s) => {
      const line = movedLine(old, doc.text, s.line);
      return line === undefined ? [] : [{ ...s, line }];
    });
  }
  entry.text = doc.text;
  entry.shown = entry.shown.filter((s) => !(s.denial.edit && s.denial.edit.file === file && validEdit(s.denial.edit) && denialEdit(doc, s.denial.edit) === 'applied'));
}

/**
 * The quick fixes of the denial warnings in `diagnostics` that touch `range`: each applies its denial's fix as one
 * WorkspaceEdit (reviewed by choosing it; undone with one undo), computed from the text of the file it changes.
 */
export function denialCodeActions(diagnosticUri: string, diagnostics: readonly Diagnostic[], range: Range, open: (file: string) => ParsedDocument | undefined): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || diagnostic.code !== DENIAL_CODE) continue;
    if (diagnostic.range.end.line < range.start.line || diagnostic.range.start.line > range.end.line) continue;
    const edit = (diagnostic.data as { edit?: unknown } | undefined)?.edit;
    if (!validEdit(edit)) continue;
    const doc = open(edit.file);
    const result = doc && denialEdit(doc, edit);
    if (!result || result === 'applied') continue;
    // A fix in another file says which (the configuration of a profile file's refusal, say): the user reviews that.
    const elsewhere = doc.document.uri !== diagnosticUri && fileOfUri(diagnosticUri) !== edit.file ? ` (in ${edit.file})` : '';
    actions.push({ title: `${result.title}${elsewhere}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [doc.document.uri]: result.edits } } });
  }
  return actions;
}
