/**
 * The flow-style and scalar pieces of the fast YAML reader (fastYaml.ts): the end of a plain scalar, quoted
 * scalars and one-line flow collections. Pure functions of the text; anything outside the subset throws
 * UNSUPPORTED, and the reader then gives the document to the full parser.
 */
import { plainScalar, plainStart, readQuoted } from './fastYamlScalars';
import type { SourceNode } from './sourceTree';

/** Thrown to give up; caught at the top (parseFastYaml). */
export class Unsupported extends Error {}
export const UNSUPPORTED = new Unsupported('outside the fast subset');

/**
 * The end of a plain scalar starting at `at` (trailing spaces excluded). Block context: it stops at ` #`,
 * and, for a key, at `: ` or a final `:`. Flow context: also at `,[]{}` and at `:`.
 */
export function plainEnd(t: string, at: number, lineEnd: number, asKey: boolean, flow = false): number {
  if (!plainStart(t, at, lineEnd)) throw UNSUPPORTED;
  let i = at;
  let end = at;
  while (i < lineEnd) {
    const c = t.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    if (c === 35 /* # */ && i > at && t.charCodeAt(i - 1) === 32) break;
    if (c === 58 /* : */ && (asKey || flow)) {
      const next = t.charCodeAt(i + 1);
      if (i + 1 >= lineEnd || next === 32) break;
      if (flow) throw UNSUPPORTED;
    }
    if (flow && (c === 44 || c === 91 || c === 93 || c === 123 || c === 125)) break;
    i++;
    end = i;
  }
  return end;
}

export function quotedScalar(t: string, at: number, lineEnd: number): { value: string; end: number } {
  const quoted = readQuoted(t, at, lineEnd);
  if (!quoted) throw UNSUPPORTED;
  return quoted;
}

/** A one-line flow sequence or mapping of scalars (nested flow collections allowed). */
export function flowCollection(t: string, scanner: { at: number }, lineEnd: number, depth: number): SourceNode {
  if (depth > 50) throw UNSUPPORTED;
  const start = scanner.at;
  const isMap = t.charCodeAt(start) === 123;
  const close = isMap ? 125 : 93;
  const children: SourceNode[] = [];
  scanner.at++;
  skipSpaces(t, scanner, lineEnd);
  if (t.charCodeAt(scanner.at) === close) {
    scanner.at++;
    return { type: isMap ? 'object' : 'array', start, end: scanner.at, children };
  }
  for (;;) {
    if (isMap) {
      const keyStart = scanner.at;
      const key = flowScalar(t, scanner, lineEnd, true);
      if (key.type !== 'string' && key.type !== 'number' && key.type !== 'boolean' && key.type !== 'null') throw UNSUPPORTED;
      const keyEnd = key.end;
      skipSpaces(t, scanner, lineEnd);
      if (t.charCodeAt(scanner.at) !== 58 || t.charCodeAt(scanner.at + 1) !== 32) throw UNSUPPORTED;
      scanner.at += 2;
      skipSpaces(t, scanner, lineEnd);
      const value = flowItem(t, scanner, lineEnd, depth);
      value.key = String(key.value);
      value.keyStart = keyStart;
      value.keyEnd = keyEnd;
      children.push(value);
    } else {
      const item = flowItem(t, scanner, lineEnd, depth);
      skipSpaces(t, scanner, lineEnd);
      // `[a: 1]` (a pair in a sequence) is outside the subset.
      if (t.charCodeAt(scanner.at) === 58) throw UNSUPPORTED;
      children.push(item);
    }
    skipSpaces(t, scanner, lineEnd);
    const c = t.charCodeAt(scanner.at);
    if (scanner.at >= lineEnd) throw UNSUPPORTED;
    if (c === close) {
      scanner.at++;
      return { type: isMap ? 'object' : 'array', start, end: scanner.at, children };
    }
    if (c !== 44 /* , */) throw UNSUPPORTED;
    scanner.at++;
    skipSpaces(t, scanner, lineEnd);
    // A trailing comma or an empty entry is left to the full parser.
    const n = t.charCodeAt(scanner.at);
    if (n === close || n === 44) throw UNSUPPORTED;
  }
}

function flowItem(t: string, scanner: { at: number }, lineEnd: number, depth: number): SourceNode {
  const c = t.charCodeAt(scanner.at);
  if (c === 91 || c === 123) return flowCollection(t, scanner, lineEnd, depth + 1);
  return flowScalar(t, scanner, lineEnd, false);
}

function flowScalar(t: string, scanner: { at: number }, lineEnd: number, asKey: boolean): SourceNode {
  const at = scanner.at;
  if (at >= lineEnd) throw UNSUPPORTED;
  const c = t.charCodeAt(at);
  if (c === 34 || c === 39) {
    const quoted = quotedScalar(t, at, lineEnd);
    scanner.at = quoted.end;
    return { type: 'string', value: quoted.value, start: at, end: quoted.end };
  }
  if (c === 91 || c === 123 || c === 93 || c === 125 || c === 44) throw UNSUPPORTED;
  const end = plainEnd(t, at, lineEnd, asKey, true);
  if (end === at) throw UNSUPPORTED;
  // A comment inside a flow collection ends the line: the collection would continue on the next one.
  if (t.charCodeAt(end) === 32 && t.charCodeAt(end + 1) === 35) throw UNSUPPORTED;
  scanner.at = end;
  return plainScalar(t.slice(at, end), at, end);
}

function skipSpaces(t: string, scanner: { at: number }, lineEnd: number): void {
  while (scanner.at < lineEnd && t.charCodeAt(scanner.at) === 32) scanner.at++;
}
