/**
 * Scalars of the fast YAML reader (fastYaml.ts): one-line quoted scalars with their escapes, where a plain
 * scalar may start, and the YAML 1.2 core schema's resolution of plain scalars, as the `yaml` package does it.
 */
import type { SourceNode } from './sourceTree';

/** A one-line single- or double-quoted scalar at `at`; undefined when it does not close on the line or uses a rare escape. */
export function readQuoted(t: string, at: number, lineEnd: number): { value: string; end: number } | undefined {
  const quote = t.charCodeAt(at);
  let value = '';
  let run = at + 1;
  for (let i = at + 1; i < lineEnd; i++) {
    const c = t.charCodeAt(i);
    if (quote === 39) {
      if (c !== 39) continue;
      if (t.charCodeAt(i + 1) === 39 && i + 1 < lineEnd) {
        value += t.slice(run, i + 1);
        run = i + 2;
        i++;
        continue;
      }
      return { value: value + t.slice(run, i), end: i + 1 };
    }
    if (c === 34) return { value: value + t.slice(run, i), end: i + 1 };
    if (c !== 92 /* \ */) continue;
    value += t.slice(run, i);
    const escape = ESCAPES[t[i + 1]];
    if (escape !== undefined && i + 1 < lineEnd) {
      value += escape;
      i++;
    } else {
      const width = { x: 2, u: 4, U: 8 }[t[i + 1] as 'x' | 'u' | 'U'];
      if (width === undefined) return undefined;
      const hex = t.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex) || i + 2 + width > lineEnd) return undefined;
      const code = parseInt(hex, 16);
      // Lone surrogates and code points past Unicode are left to the full parser.
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      value += String.fromCodePoint(code);
      i += 1 + width;
    }
    run = i + 1;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/**
 * Whether a plain scalar may start at `at`: not at an indicator (`-?:` only when followed by a non-space,
 * and then only `-`), nor at what starts a node of another kind (anchor, alias, tag, block scalar, directive…).
 */
export function plainStart(text: string, at: number, lineEnd: number): boolean {
  if (at >= lineEnd) return false;
  const c = text[at];
  if (c === '-') return at + 1 < lineEnd && !' ,[]{}'.includes(text[at + 1]);
  return !'?:,[]{}#&*!|>\'"%@`'.includes(c);
}

/** A plain scalar resolved by the YAML 1.2 core schema, in the `yaml` package's order: null, bool, int, float, else string. */
export function plainScalar(raw: string, start: number, end: number): SourceNode {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(raw)) return { type: 'null', value: null, start, end };
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(raw)) return { type: 'boolean', value: raw[0] === 't' || raw[0] === 'T', start, end };
  const c = raw.charCodeAt(0);
  // Only something that starts like a number can be one: skip the regular expressions for words.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (/^0o[0-7]+$/.test(raw)) return { type: 'number', value: parseInt(raw.substring(2), 8), start, end };
    if (/^[-+]?[0-9]+$/.test(raw)) return { type: 'number', value: parseInt(raw, 10), start, end };
    if (/^0x[0-9a-fA-F]+$/.test(raw)) return { type: 'number', value: parseInt(raw.substring(2), 16), start, end };
    if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(raw)) {
      const value = raw.slice(-3).toLowerCase() === 'nan' ? NaN : raw[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      return { type: 'number', value, start, end };
    }
    if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(raw) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(raw)) {
      return { type: 'number', value: parseFloat(raw), start, end };
    }
  }
  return { type: 'string', value: raw, start, end };
}
