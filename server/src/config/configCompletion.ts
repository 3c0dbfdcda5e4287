/**
 * Completion in `phantom-fragment.yaml` beyond the schema's keys: fragment names (built-in and declared)
 * inside `fragments` lists, seccomp/Landlock profile files (relative to the configuration, found through
 * the injectable ValidationContext) as the value of `seccomp`/`landlock`, and `${variables}`. Pure;
 * undefined when the cursor is in none of these places (the schema completion then answers).
 */
import path from 'node:path';
import { CompletionItemKind, MarkupKind, type CompletionItem, type CompletionList } from 'vscode-languageserver-types';
import { documentFormat, type ParsedDocument, type ValidationContext, builtinFragment, configOf, CONFIG_VARIABLES, fragmentNames, documentDirectory } from '../../../model';
import { cursorContext } from '../listContext';

/** How deep below the configuration's folder profile files are looked for, and how many directories at most. */
const MAX_DEPTH = 4;
const MAX_DIRECTORIES = 200;
const SKIPPED = new Set(['node_modules', 'dist', 'out', 'build', 'target', '__pycache__']);

export function configCompletions(doc: ParsedDocument, offset: number, context: ValidationContext = {}): CompletionList | undefined {
  const text = doc.text;
  const variable = /\$\{([A-Za-z]*)$/.exec(text.slice(Math.max(0, offset - 40), offset));
  if (variable) return variableItems(doc, offset, variable[1]);
  const cursor = cursorContext(text, offset, doc.format.syntax);
  if (cursor.key === 'fragments' && cursor.inList) return fragmentItems(doc, cursor.prefixStart, offset);
  if ((cursor.key === 'seccomp' || cursor.key === 'landlock') && !cursor.inList) return fileItems(doc, cursor.key, offset, context);
  return undefined;
}

function wordEnd(text: string, offset: number, pattern: RegExp): number {
  let end = offset;
  while (end < text.length && pattern.test(text[end])) end++;
  return end;
}

function fragmentItems(doc: ParsedDocument, prefixStart: number, offset: number): CompletionList {
  const config = configOf(doc);
  const prefix = doc.text.slice(prefixStart, offset).toLowerCase();
  const range = { start: doc.document.positionAt(prefixStart), end: doc.document.positionAt(wordEnd(doc.text, offset, /[\w.-]/)) };
  const items = fragmentNames(config)
    .filter((name) => name.toLowerCase().includes(prefix))
    .map((name): CompletionItem => {
      const declared = Object.hasOwn(config.fragments, name);
      const description = declared ? config.fragments[name].description : builtinFragment(name)?.description;
      return {
        label: name,
        kind: CompletionItemKind.Module,
        detail: declared ? 'fragment (this file)' : 'built-in fragment',
        documentation: description ? { kind: MarkupKind.Markdown, value: description } : undefined,
        sortText: `${name.toLowerCase().startsWith(prefix) ? 0 : 1}${declared ? 0 : 1}${name}`,
        textEdit: { range, newText: name },
      };
    })
    .sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
  return { isIncomplete: false, items };
}

function fileItems(doc: ParsedDocument, kind: 'seccomp' | 'landlock', offset: number, context: ValidationContext): CompletionList | undefined {
  const root = documentDirectory(doc.document.uri);
  if (root === undefined || !context.listDirectory) return undefined;
  const text = doc.text;
  let start = offset;
  while (start > 0 && /[^\s"':,[\]{}]/.test(text[start - 1])) start--;
  const prefix = text.slice(start, offset);
  const range = { start: doc.document.positionAt(start), end: doc.document.positionAt(wordEnd(text, offset, /[^\s"',\]}]/)) };
  const items = profileFiles(root, kind, context.listDirectory)
    .filter((file) => file.includes(prefix))
    .map((file): CompletionItem => ({ label: file, kind: CompletionItemKind.File, detail: `${kind} profile`, textEdit: { range, newText: file } }));
  return { isIncomplete: false, items };
}

/** The `*.seccomp.*` or `*.landlock.*` files below `root`, as paths relative to it, sorted (breadth first, bounded). */
export function profileFiles(root: string, kind: 'seccomp' | 'landlock', listDirectory: NonNullable<ValidationContext['listDirectory']>): string[] {
  const found: string[] = [];
  let queue: { dir: string; relative: string }[] = [{ dir: root, relative: '' }];
  let visited = 0;
  for (let depth = 0; depth <= MAX_DEPTH && queue.length > 0; depth++) {
    const next: typeof queue = [];
    for (const { dir, relative } of queue) {
      if (visited++ >= MAX_DIRECTORIES) break;
      for (const entry of listDirectory(dir)) {
        const child = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.kind === 'directory' && !entry.name.startsWith('.') && !SKIPPED.has(entry.name)) next.push({ dir: path.join(dir, entry.name), relative: child });
        else if (entry.kind === 'file' && documentFormat(entry.name)?.kind === kind) found.push(child);
      }
    }
    queue = next;
  }
  return found.sort();
}

function variableItems(doc: ParsedDocument, offset: number, prefix: string): CompletionList {
  const start = doc.document.positionAt(offset - prefix.length);
  const end = doc.document.positionAt(offset);
  const closed = doc.text[offset] === '}';
  const meaning: Record<string, string> = {
    file: 'the file being run (absolute path)',
    fileDirname: 'the folder of the file being run',
    workspaceFolder: 'the workspace folder the file belongs to',
  };
  const items = CONFIG_VARIABLES.filter((v) => v.startsWith(prefix)).map((v): CompletionItem => ({
    label: v,
    kind: CompletionItemKind.Variable,
    detail: meaning[v],
    textEdit: { range: { start, end }, newText: closed ? v : `${v}}` },
  }));
  return { isIncomplete: false, items };
}
