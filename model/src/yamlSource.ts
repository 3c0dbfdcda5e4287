/**
 * YAML text → SourceNode tree, with exact offsets and bounded alias expansion (alias bombs stay cheap).
 * The block-style subset profiles are written in is read by the fast reader (fastYaml.ts); everything else,
 * and every document with a syntax problem, by the full `yaml` parser.
 */
import type * as YamlModule from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { parseFastYaml } from './fastYaml';
import type { ParsedSource, SourceNode, SyntaxProblem } from './sourceTree';

/**
 * The `yaml` package, loaded on first use: most profiles never need it (fastYaml.ts reads them), and loading
 * it up front costs the server about 1 MiB resident.
 */
let yamlModule: typeof YamlModule | undefined;
function yaml(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load (see above)
  return (yamlModule ??= require('yaml') as typeof YamlModule);
}

/** Most nodes an alias may expand to, in total per document. */
const ALIAS_BUDGET = 10_000;

export function parseYamlSource(text: string): ParsedSource {
  return parseFastYaml(text) ?? parseYamlFully(text);
}

/** Through the full `yaml` parser: any YAML, with its syntax errors. */
export function parseYamlFully(text: string): ParsedSource {
  const doc = yaml().parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: false });
  const problems: SyntaxProblem[] = [];
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    problems.push({ start, end: Math.max(end, start + 1), message: firstLine(error.message) });
  }
  const state: ExpandState = { doc, aliasBudget: ALIAS_BUDGET, exhausted: false };
  const root = doc.contents ? convert(doc.contents as YamlNode, undefined, state, 0) : undefined;
  if (state.exhausted) problems.push({ start: 0, end: Math.min(text.length, 1), message: `YAML aliases expand to more than ${ALIAS_BUDGET} nodes; only part of the document was checked. Write the repeated parts out.` });
  return { root, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

interface ExpandState {
  doc: Document;
  aliasBudget: number;
  exhausted: boolean;
}

function convert(node: YamlNode, aliasRange: [number, number] | undefined, state: ExpandState, depth: number): SourceNode {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  const range = aliasRange ?? rangeOf(node);
  if (depth > 256) return { type: 'invalid', start: range[0], end: range[1] };
  if (aliasRange) {
    if (state.aliasBudget-- <= 0) {
      state.exhausted = true;
      return { type: 'invalid', start: range[0], end: range[1] };
    }
  }
  if (isAlias(node)) {
    const target = node.resolve(state.doc) as YamlNode | undefined;
    if (!target) return { type: 'invalid', start: range[0], end: range[1] };
    return convert(target, rangeOf(node), state, depth + 1);
  }
  if (isMap(node)) {
    const children: SourceNode[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode) : '';
      const keyRange = keyNode ? (aliasRange ?? rangeOf(keyNode)) : range;
      const valueNode = pair.value as YamlNode | null;
      const child: SourceNode = valueNode
        ? convert(valueNode, aliasRange, state, depth + 1)
        : { type: 'null', value: null, start: keyRange[1], end: keyRange[1] };
      child.key = key;
      child.keyStart = keyRange[0];
      child.keyEnd = keyRange[1];
      children.push(child);
    }
    return { type: 'object', start: range[0], end: range[1], children };
  }
  if (isSeq(node)) {
    const children = node.items.map((item) =>
      item ? convert(item as YamlNode, aliasRange, state, depth + 1) : ({ type: 'null', value: null, start: range[0], end: range[0] } as SourceNode),
    );
    return { type: 'array', start: range[0], end: range[1], children };
  }
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return { type: 'null', value: null, start: range[0], end: range[1] };
    if (typeof value === 'boolean') return { type: 'boolean', value, start: range[0], end: range[1] };
    if (typeof value === 'number') return { type: 'number', value, start: range[0], end: range[1] };
    if (typeof value === 'bigint') return { type: 'number', value: Number(value), start: range[0], end: range[1] };
    return { type: 'string', value: String(value), start: range[0], end: range[1] };
  }
  return { type: 'invalid', start: range[0], end: range[1] };
}

function rangeOf(node: YamlNode): [number, number] {
  const r = node.range;
  return r ? [r[0], r[1]] : [0, 0];
}

