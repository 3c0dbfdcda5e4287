/**
 * "Add missing only" as a precise edit: the learned names go into ONE new allow rule appended to the profile's
 * `syscalls`, and every other byte of the file stays as the user wrote it (their layout, comments, key order —
 * nothing is re-printed). Pure: text in, an offset-based edit out (the caller makes it a WorkspaceEdit), or
 * undefined for a layout it does not know (then the caller falls back to the runtime's merged text, trimmed to
 * the lines that differ by minimalEdit).
 */
import { parseTree, type Node } from 'jsonc-parser';

export interface TextChange {
  offset: number;
  length: number;
  text: string;
}

export interface AllowRule {
  names: string[];
  comment: string;
}

/** The indentation unit of a file: the smallest leading whitespace of an indented line (two spaces if none). */
function indentUnit(text: string): string {
  let unit: string | undefined;
  for (const line of text.split('\n')) {
    const lead = /^[ \t]+(?=\S)/.exec(line)?.[0];
    if (lead && (unit === undefined || lead.length < unit.length)) unit = lead;
  }
  return unit ?? '  ';
}

function lineIndentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** `["a", "b", …]` on one line, or wrapped one row per ~100 columns. */
function jsonNames(names: string[], inner: string, unit: string): string {
  const quoted = names.map((n) => JSON.stringify(n));
  const one = `[${quoted.join(', ')}]`;
  if (inner.length + '"names": '.length + one.length <= 100) return one;
  const rows: string[] = [];
  let row = '';
  for (const n of quoted) {
    if (row && inner.length + unit.length + row.length + n.length + 2 > 100) {
      rows.push(`${row},`);
      row = n;
    } else row = row ? `${row}, ${n}` : n;
  }
  rows.push(row);
  return `[\n${rows.map((r) => `${inner}${unit}${r}`).join('\n')}\n${inner}]`;
}

function jsonRule(rule: AllowRule, indent: string, unit: string): string {
  const inner = indent + unit;
  return [
    `${indent}{`,
    `${inner}"names": ${jsonNames(rule.names, inner, unit)},`,
    `${inner}"action": "SCMP_ACT_ALLOW",`,
    `${inner}"comment": ${JSON.stringify(rule.comment)}`,
    `${indent}}`,
  ].join('\n');
}

function jsonEdit(text: string, rule: AllowRule): TextChange | undefined {
  const root = parseTree(text);
  if (!root || root.type !== 'object') return undefined;
  const unit = indentUnit(text);
  const property = root.children?.find((p) => p.children?.[0]?.value === 'syscalls');
  if (!property) {
    const last = root.children?.at(-1);
    if (!last) return undefined;
    const indent = lineIndentAt(text, last.offset);
    const array = `"syscalls": [\n${jsonRule(rule, indent + unit, unit)}\n${indent}]`;
    return { offset: last.offset + last.length, length: 0, text: `,\n${indent}${array}` };
  }
  const array: Node | undefined = property.children?.[1];
  if (!array || array.type !== 'array') return undefined;
  const items = array.children ?? [];
  if (items.length === 0) {
    const indent = lineIndentAt(text, property.offset);
    return { offset: array.offset, length: array.length, text: `[\n${jsonRule(rule, indent + unit, unit)}\n${indent}]` };
  }
  const lastItem = items[items.length - 1];
  const indent = lineIndentAt(text, lastItem.offset);
  const sameLine = !text.slice(array.offset, lastItem.offset).includes('\n');
  if (sameLine) return undefined; // `[ {...}, {...} ]` on one line: not a layout to extend by hand
  return { offset: lastItem.offset + lastItem.length, length: 0, text: `,\n${jsonRule(rule, indent, unit)}` };
}

/** A YAML scalar for a syscall name or comment: plain when safe, else double-quoted. */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_ .,()/-]*$/.test(value) && !/\s$/.test(value) ? value : JSON.stringify(value);
}

function yamlRule(rule: AllowRule, indent: string): string {
  return [
    `${indent}- names: [${rule.names.map(yamlScalar).join(', ')}]`,
    `${indent}  action: SCMP_ACT_ALLOW`,
    `${indent}  comment: ${yamlScalar(rule.comment)}`,
  ].join('\n');
}

function yamlEdit(text: string, rule: AllowRule): TextChange | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^syscalls:\s*(#.*)?$/.test(l));
  if (at < 0) {
    if (lines.some((l) => /^syscalls\s*:/.test(l))) return undefined; // flow style `syscalls: [...]`
    const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
    return { offset: text.length, length: 0, text: `${prefix}syscalls:\n${yamlRule(rule, '  ')}\n` };
  }
  // The sequence runs until the next line that starts a top-level key (not blank, comment or `- ` item).
  let end = at + 1;
  let lastContent = at;
  let indent: string | undefined;
  for (; end < lines.length; end++) {
    const line = lines[end];
    if (/^[^\s#-]/.test(line) || /^-[^\s]/.test(line)) break;
    if (line.trim() !== '' && !line.trim().startsWith('#')) lastContent = end;
    const item = /^(\s*)- /.exec(line);
    if (item && indent === undefined) indent = item[1];
  }
  if (lastContent === at) return undefined; // `syscalls:` with nothing under it
  let offset = 0;
  for (let i = 0; i <= lastContent; i++) offset += lines[i].length + 1;
  const block = `${yamlRule(rule, indent ?? '  ')}\n`;
  if (offset > text.length) return { offset: text.length, length: 0, text: `\n${block}` };
  return { offset, length: 0, text: block };
}

/** The edit that appends `rule` to the profile's syscalls, keeping every other line; undefined when unsure. */
export function addRuleEdit(text: string, format: 'json' | 'yaml', rule: AllowRule): TextChange | undefined {
  if (rule.names.length === 0) return undefined;
  return format === 'json' ? jsonEdit(text, rule) : yamlEdit(text, rule);
}

/** The smallest single replacement that turns `before` into `after` (common prefix and suffix kept). */
export function minimalEdit(before: string, after: string): TextChange {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: before.length - start - end, text: after.slice(start, after.length - end) };
}

/** Applies a change to a text (for tests and previews). */
export function applyChange(text: string, change: TextChange): string {
  return text.slice(0, change.offset) + change.text + text.slice(change.offset + change.length);
}
