/**
 * Where the cursor is, read from the text around it (works on half-typed, unparsable documents): the word
 * being typed, whether it is inside quotes, and the key of the list or the value it belongs to.
 */
import { type Syntax } from '../../model';

export interface CursorContext {
  /** The key of the enclosing list (`names`, `allowedAccess`, …) or of the value being typed. */
  key: string | undefined;
  /** true: an item of a list; false: the value of `key`. */
  inList: boolean;
  /** [prefixStart, offset): the word typed so far. */
  prefixStart: number;
  prefix: string;
  /** The word is inside quotes (a closing quote may follow). */
  quoted: boolean;
}

/** How far back to look for the opening bracket of a flow list (a names list of Docker's size is ~10 KB). */
const SCAN_LIMIT = 200_000;

export function cursorContext(text: string, offset: number, syntax: Syntax): CursorContext {
  let prefixStart = offset;
  while (prefixStart > 0 && /[\w.$-]/.test(text[prefixStart - 1])) prefixStart--;
  const prefix = text.slice(prefixStart, offset);
  const quoted = prefixStart > 0 && (text[prefixStart - 1] === '"' || text[prefixStart - 1] === "'");
  const wordStart = quoted ? prefixStart - 1 : prefixStart;
  const lineStart = text.lastIndexOf('\n', wordStart - 1) + 1;
  const before = text.slice(lineStart, wordStart);
  const base = { prefixStart, prefix, quoted };
  // `key: |` or `key = |`: the value of key.
  const valueOf = /["']?([\w.-]+)["']?\s*[:=]\s*$/.exec(before);
  if (valueOf && !/[[{,]\s*$/.test(before)) return { key: valueOf[1], inList: false, ...base };
  if (syntax === 'yaml' && /^\s*-\s+$/.test(before)) return { key: yamlListKey(text, lineStart, before.indexOf('-')), inList: true, ...base };
  const open = unmatchedOpen(text, wordStart);
  if (open !== undefined && text[open] === '[') {
    const head = text.slice(Math.max(0, open - 200), open);
    const key = /["']?([\w.-]+)["']?\s*[:=]\s*$/.exec(head)?.[1];
    return { key, inList: true, ...base };
  }
  return { key: undefined, inList: false, ...base };
}

/** The key of the YAML block sequence whose item dash is at `dashColumn` on the line starting at `lineStart`. */
function yamlListKey(text: string, lineStart: number, dashColumn: number): string | undefined {
  let end = lineStart - 1;
  for (let steps = 0; end > 0 && steps < 5000; steps++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    if (content === '' || content.startsWith('#')) continue;
    if (indent > dashColumn || (indent === dashColumn && content.startsWith('-'))) continue;
    const key = /^(?:-\s+)?["']?([\w.-]+)["']?\s*:\s*(#.*)?$/.exec(content);
    return key?.[1];
  }
  return undefined;
}

/** The offset of the innermost unclosed `[` or `{` before `offset`, skipping double-quoted strings. */
function unmatchedOpen(text: string, offset: number): number | undefined {
  let depth = 0;
  const stop = Math.max(0, offset - SCAN_LIMIT);
  for (let i = offset - 1; i >= stop; i--) {
    const c = text[i];
    if (c === '"') {
      i--;
      while (i >= stop && !(text[i] === '"' && text[i - 1] !== '\\')) i--;
    } else if (c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}
