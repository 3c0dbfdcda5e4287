/**
 * TOML text → SourceNode tree. smol-toml gives the value (and syntax errors with a line and column); the
 * offsets of keys and tables are then found by scanning the text in document order, which is exact for the
 * usual layout of a Landlock profile (tables, arrays of tables, `key = value` lines).
 */
import { parse, TomlError } from 'smol-toml';
import type { JsonValue, ParsedSource, SourceNode } from './sourceTree';

export function parseTomlSource(text: string): ParsedSource {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const offset = offsetOf(text, error.line, error.column);
      const message = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      return { root: undefined, problems: [{ start: offset, end: Math.min(text.length, offset + 1), message: `TOML: ${message}.` }] };
    }
    throw error;
  }
  const locator = new Locator(text);
  return { root: build(value as JsonValue, 0, text.length, locator), problems: [] };
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

class Locator {
  /** Offsets already handed out, so that repeated headers ([[ruleset]] twice) map to successive places. */
  private readonly used = new Set<number>();
  constructor(readonly text: string) {}

  /** The next unused place where `key` is written as a header or as `key =`, at or after `from`. */
  find(key: string, from: number): { start: number; end: number; header: boolean } | undefined {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^[ \\t]*(?:(\\[\\[?)[ \\t]*(?:[\\w."-]+\\.)?"?(${escaped})"?[ \\t]*\\]\\]?|"?(${escaped})"?[ \\t]*=)`, 'gm');
    pattern.lastIndex = from;
    for (let m = pattern.exec(this.text); m; m = pattern.exec(this.text)) {
      const start = m.index + m[0].indexOf(key);
      if (this.used.has(start)) continue;
      this.used.add(start);
      return { start, end: start + key.length, header: m[1] !== undefined };
    }
    return undefined;
  }
}

function build(value: JsonValue, start: number, end: number, locator: Locator): SourceNode {
  if (Array.isArray(value)) {
    const children = value.map((item) => build(item, start, end, locator));
    return { type: 'array', start, end, children };
  }
  if (value !== null && typeof value === 'object') {
    const children: SourceNode[] = [];
    let cursor = start;
    for (const [key, member] of Object.entries(value)) {
      const where = locator.find(key, cursor) ?? locator.find(key, 0);
      const keyStart = where?.start ?? start;
      const keyEnd = where?.end ?? start;
      const lineEnd = nextLineEnd(locator, keyEnd);
      const child = build(member as JsonValue, keyEnd, where?.header ? end : lineEnd, locator);
      if (where && !where.header && !(member !== null && typeof member === 'object' && !Array.isArray(member))) {
        child.start = valueStart(locator, keyEnd, lineEnd);
        child.end = lineEnd;
        locateValue(locator.text, child);
      }
      child.key = key;
      child.keyStart = keyStart;
      child.keyEnd = keyEnd;
      children.push(child);
      if (where && !Array.isArray(member)) cursor = keyEnd;
    }
    return { type: 'object', start, end, children };
  }
  const type = value === null ? 'null' : typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'string';
  // TOML dates have no JSON form: they are checked as strings.
  const scalar = (value as unknown) instanceof Date ? String(value) : (value as string | number | boolean | null);
  return { type, value: scalar, start, end };
}

function nextLineEnd(locator: Locator, from: number): number {
  const text = locator.text;
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}

function valueStart(locator: Locator, keyEnd: number, lineEnd: number): number {
  const text = locator.text;
  const eq = text.indexOf('=', keyEnd);
  if (eq < 0 || eq > lineEnd) return keyEnd;
  let i = eq + 1;
  while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/**
 * Exact offsets of an inline value (`key = "x"`, `key = [1, "a", …]` over one or more lines): scalars end
 * where their token ends (not at a trailing comment), array items get their own ranges. Values of another
 * shape (inline tables, nested arrays, multi-line strings) keep the line-based range.
 */
function locateValue(text: string, node: SourceNode): void {
  const scanner = { text, at: node.start };
  if (node.type !== 'array') {
    const token = scalarToken(scanner);
    if (token) node.end = token[1];
    return;
  }
  if (text[node.start] !== '[') return;
  scanner.at = node.start + 1;
  const ranges: [number, number][] = [];
  while (scanner.at < text.length) {
    skipFiller(scanner);
    const c = text[scanner.at];
    if (c === ']') {
      if (ranges.length !== (node.children?.length ?? 0)) return;
      node.end = scanner.at + 1;
      node.children?.forEach((child, i) => {
        [child.start, child.end] = ranges[i];
      });
      return;
    }
    const token = scalarToken(scanner);
    if (!token) return;
    ranges.push(token);
  }
}

/** Skips whitespace, newlines, commas and comments. */
function skipFiller(scanner: { text: string; at: number }): void {
  const { text } = scanner;
  while (scanner.at < text.length) {
    const c = text[scanner.at];
    if (c === '#') {
      const eol = text.indexOf('\n', scanner.at);
      scanner.at = eol < 0 ? text.length : eol;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',') scanner.at++;
    else return;
  }
}

/** One single-line string, number, boolean or date token at the scanner; undefined for anything else. */
function scalarToken(scanner: { text: string; at: number }): [number, number] | undefined {
  const { text } = scanner;
  const start = scanner.at;
  const c = text[start];
  if (c === '"' || c === "'") {
    if (text.startsWith(c.repeat(3), start)) return undefined;
    let i = start + 1;
    while (i < text.length && text[i] !== c && text[i] !== '\n') i += c === '"' && text[i] === '\\' ? 2 : 1;
    if (text[i] !== c) return undefined;
    scanner.at = i + 1;
    return [start, i + 1];
  }
  if (c === '[' || c === '{' || c === undefined) return undefined;
  let i = start;
  while (i < text.length && !/[\s,\]#]/.test(text[i])) i++;
  if (i === start) return undefined;
  scanner.at = i;
  return [start, i];
}
