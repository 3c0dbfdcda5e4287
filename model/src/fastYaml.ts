/**
 * A fast, exact YAML reader for the block-style subset profiles are written in: block mappings and
 * sequences, one-line flow sequences and mappings of scalars, plain, single- and double-quoted one-line
 * scalars, comments and a leading `---`. It yields the same SourceNode tree (types, values, offsets) as
 * the full `yaml` parser (yamlSource.ts), about ten times faster, which matters on every keystroke in a
 * 20,000-line profile.
 *
 * Anything outside the subset — anchors, aliases, tags, block scalars, multi-line scalars or flow
 * collections, complex keys, directives, tabs, CR line ends — and any syntax problem makes it give up
 * (undefined): the caller then runs the full parser, so errors keep the full parser's messages and the
 * rare constructs keep its semantics. test/unit/fastYaml.test.ts checks both readers agree.
 */
import { flowCollection, plainEnd, quotedScalar, Unsupported, UNSUPPORTED } from './fastYamlFlow';
import { plainScalar, plainStart, readQuoted } from './fastYamlScalars';
import type { ParsedSource, SourceNode } from './sourceTree';

/** The full parser's limit on implicit keys (longer keys are an error there). */
const MAX_KEY = 1000;
/** The full reader turns deeper nodes into `invalid`; such documents are left to it. */
const MAX_DEPTH = 200;

/** Characters the subset never contains: other control characters, CR, tab, BOM, YAML 1.1 line breaks, C1 controls. */
// eslint-disable-next-line no-control-regex
const OUTSIDE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

const BLANK = 0;
const COMMENT = 1;
const CONTENT = 2;

export function parseFastYaml(text: string): ParsedSource | undefined {
  if (OUTSIDE.test(text)) return undefined;
  try {
    return { root: new FastYaml(text).document(), problems: [] };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class FastYaml {
  /** Per line: offset of its first character, of its '\n' (or the end), its indentation and kind. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;
  private depth = 0;

  constructor(private readonly text: string) {
    // Typed arrays sized once: no growing arrays (and their garbage) on a 20,000-line profile.
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.indents = new Int32Array(count);
    this.kinds = new Uint8Array(count);
    let start = 0;
    for (let line = 0; line < count; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let i = start;
      while (i < end && text.charCodeAt(i) === 32) i++;
      this.starts[line] = start;
      this.ends[line] = end;
      this.indents[line] = i - start;
      this.kinds[line] = i === end ? BLANK : text.charCodeAt(i) === 35 /* # */ ? COMMENT : CONTENT;
      start = end + 1;
    }
  }

  document(): SourceNode {
    // A comment on the last line without a line break ends the collections differently: left to the full parser.
    const lastLine = this.kinds.length - 1;
    if (this.kinds[lastLine] === COMMENT && this.ends[lastLine] === this.text.length && !this.text.endsWith('\n')) throw UNSUPPORTED;
    let first = this.nextContent(0);
    if (first < 0) throw UNSUPPORTED;
    // A leading `---` alone on its line; any other document marker (a second document, `...`) is left to the full parser.
    if (this.isMarker(first)) {
      if (this.indents[first] !== 0 || this.text.slice(this.starts[first], this.ends[first]).trimEnd() !== '---') throw UNSUPPORTED;
      first = this.nextContent(first + 1);
      if (first < 0) throw UNSUPPORTED;
    }
    for (let l = first; l < this.kinds.length; l++) if (this.kinds[l] === CONTENT && this.indents[l] === 0 && this.isMarker(l)) throw UNSUPPORTED;
    const { node, last } = this.block(first, this.indents[first]);
    if (this.nextContent(last + 1) >= 0) throw UNSUPPORTED;
    // Indented comments after the last content: which collection takes them varies at the end of the text.
    for (let l = last + 1; l < this.kinds.length; l++) if (this.kinds[l] === COMMENT && this.indents[l] > 0) throw UNSUPPORTED;
    return node;
  }

  private isMarker(line: number): boolean {
    const s = this.starts[line];
    const t = this.text;
    const head = t.slice(s, s + 3);
    if (head !== '---' && head !== '...') return false;
    const after = t.charCodeAt(s + 3);
    return s + 3 >= this.ends[line] || after === 32;
  }

  private nextContent(line: number): number {
    for (let l = line; l < this.kinds.length; l++) if (this.kinds[l] === CONTENT) return l;
    return -1;
  }

  /** A block mapping or sequence whose first item starts at column `column` of `line`; `last`: the last line it uses. */
  private block(line: number, column: number): { node: SourceNode; last: number } {
    if (++this.depth > MAX_DEPTH) throw UNSUPPORTED;
    const at = this.starts[line] + column;
    const result = this.isDash(at) ? this.sequence(line, column) : this.mapping(line, column);
    this.depth--;
    return result;
  }

  private isDash(at: number): boolean {
    if (this.text.charCodeAt(at) !== 45 /* - */) return false;
    const next = this.text.charCodeAt(at + 1);
    return next === 32 || next === 10 || Number.isNaN(next);
  }

  private sequence(line: number, indent: number): { node: SourceNode; last: number } {
    const children: SourceNode[] = [];
    const start = this.starts[line] + indent;
    let l = line;
    let lastChild: { node: SourceNode; last: number; block: boolean };
    for (;;) {
      const dash = this.starts[l] + indent;
      if (!this.isDash(dash)) throw UNSUPPORTED;
      lastChild = this.value(l, dash + 1, indent, false);
      children.push(lastChild.node);
      const next = this.nextContent(lastChild.last + 1);
      if (next < 0 || this.indents[next] < indent) break;
      if (this.indents[next] > indent) throw UNSUPPORTED;
      if (!this.isDash(this.starts[next] + indent)) break; // A key of the enclosing mapping (`key:\n- a\nnext:`).
      l = next;
    }
    const node: SourceNode = { type: 'array', start, end: this.endOf(lastChild, indent), children };
    return { node, last: lastChild.last };
  }

  private mapping(line: number, indent: number): { node: SourceNode; last: number } {
    const children: SourceNode[] = [];
    let l = line;
    let lastChild: { node: SourceNode; last: number; block: boolean };
    let start = -1;
    for (;;) {
      const at = this.starts[l] + indent;
      const key = this.key(at, this.ends[l]);
      if (!key) throw UNSUPPORTED;
      if (start < 0) start = at;
      lastChild = this.value(l, key.colon + 1, indent, true);
      const child = lastChild.node;
      child.key = key.key;
      child.keyStart = at;
      child.keyEnd = key.end;
      children.push(child);
      const next = this.nextContent(lastChild.last + 1);
      if (next < 0 || this.indents[next] < indent) break;
      if (this.indents[next] > indent) throw UNSUPPORTED;
      l = next;
    }
    const node: SourceNode = { type: 'object', start, end: this.endOf(lastChild, indent), children };
    return { node, last: lastChild.last };
  }

  /**
   * The end offset of a block collection: its last item's end when that is a block collection too; else the
   * end of its last line (newline included), extended over the comment lines that follow and are indented
   * deeper than the collection (blank lines between them do not stop it) — as the full parser counts it.
   */
  private endOf(lastChild: { node: SourceNode; last: number; block: boolean }, indent: number): number {
    if (lastChild.block) return lastChild.node.end;
    // After an empty value the full parser's end depends on what follows (the next item, a parent's key, the
    // end of the text): left to it.
    if (lastChild.node.start === lastChild.node.end) throw UNSUPPORTED;
    let end = this.lineEndWithBreak(lastChild.last);
    for (let l = lastChild.last + 1; l < this.kinds.length; l++) {
      const kind = this.kinds[l];
      if (kind === BLANK) continue;
      if (kind === CONTENT || this.indents[l] <= indent) break;
      end = this.lineEndWithBreak(l);
    }
    return end;
  }

  private lineEndWithBreak(line: number): number {
    return Math.min(this.text.length, this.ends[line] + 1);
  }

  /**
   * The value after `key:` or `- ` (from offset `from` on `line`): inline (scalar, flow collection, compact
   * mapping or sequence after a dash), on the following lines (a block collection), or empty (null).
   */
  private value(line: number, from: number, indent: number, inMapping: boolean): { node: SourceNode; last: number; block: boolean } {
    const t = this.text;
    const lineEnd = this.ends[line];
    let i = from;
    while (i < lineEnd && t.charCodeAt(i) === 32) i++;
    if (i > from || i === lineEnd) {
      if (i < lineEnd && t.charCodeAt(i) !== 35 /* # */) return this.inlineValue(line, i, indent, inMapping);
    } else if (i < lineEnd) {
      throw UNSUPPORTED; // `key:value` or `-value` is not a separator.
    }
    // Nothing (or a comment) after the indicator: a block collection on the next lines, or null.
    const next = this.nextContent(line + 1);
    if (next >= 0) {
      const nextIndent = this.indents[next];
      const at = this.starts[next] + nextIndent;
      if (nextIndent > indent || (inMapping && nextIndent === indent && this.isDash(at))) {
        // A scalar or flow collection alone on the next lines is valid YAML but rare in profiles.
        if (!this.isDash(at) && !this.key(at, this.ends[next])) throw UNSUPPORTED;
        const { node, last } = this.block(next, nextIndent);
        return { node, last, block: true };
      }
    }
    return { node: { type: 'null', value: null, start: i, end: i }, last: line, block: false };
  }

  private inlineValue(line: number, at: number, indent: number, inMapping: boolean): { node: SourceNode; last: number; block: boolean } {
    const t = this.text;
    const lineEnd = this.ends[line];
    const column = at - this.starts[line];
    if (this.isDash(at)) {
      if (inMapping) throw UNSUPPORTED; // `key: - a` is an error.
      const { node, last } = this.block(line, column);
      return { node, last, block: true };
    }
    if (!inMapping && this.key(at, lineEnd)) {
      const { node, last } = this.block(line, column);
      return { node, last, block: true };
    }
    const c = t.charCodeAt(at);
    let node: SourceNode;
    let end: number;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      const scanner = { at };
      node = flowCollection(this.text, scanner, lineEnd, 0);
      end = scanner.at;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      const quoted = quotedScalar(this.text, at, lineEnd);
      node = { type: 'string', value: quoted.value, start: at, end: quoted.end };
      end = quoted.end;
    } else {
      end = plainEnd(this.text, at, lineEnd, false);
      const raw = t.slice(at, end);
      // `a: b: c` (a mapping in a compact value) is an error; `a: b:` too.
      if (raw.includes(': ') || raw.endsWith(':')) throw UNSUPPORTED;
      node = plainScalar(raw, at, end);
    }
    this.expectLineEnd(end, lineEnd);
    // A deeper line after an inline value would continue a multi-line scalar (or be an error).
    const next = this.nextContent(line + 1);
    if (next >= 0 && this.indents[next] > indent) throw UNSUPPORTED;
    return { node, last: line, block: false };
  }

  /** Only spaces, then a comment or the end of the line. */
  private expectLineEnd(from: number, lineEnd: number): void {
    const t = this.text;
    let i = from;
    while (i < lineEnd && t.charCodeAt(i) === 32) i++;
    if (i === lineEnd) return;
    if (t.charCodeAt(i) === 35 && i > from) return;
    throw UNSUPPORTED;
  }

  /** An implicit key at `at`: `key: ` or `key:` at the end of the line. */
  private key(at: number, lineEnd: number): { key: string; end: number; colon: number } | undefined {
    const t = this.text;
    const c = t.charCodeAt(at);
    let end: number;
    let key: string;
    if (c === 34 || c === 39) {
      const quoted = readQuoted(this.text, at, lineEnd);
      if (!quoted) return undefined;
      end = quoted.end;
      key = quoted.value;
    } else {
      if (!plainStart(t, at, lineEnd)) return undefined;
      end = plainEnd(this.text, at, lineEnd, true);
      if (end === at) return undefined;
      key = String(plainScalar(t.slice(at, end), at, end).value);
    }
    let colon = end;
    while (colon < lineEnd && t.charCodeAt(colon) === 32) colon++;
    if (t.charCodeAt(colon) !== 58 /* : */ || colon >= lineEnd) return undefined;
    const after = t.charCodeAt(colon + 1);
    if (colon + 1 < lineEnd && after !== 32) return undefined;
    if (end - at > MAX_KEY) throw UNSUPPORTED;
    return { key, end, colon };
  }
}
