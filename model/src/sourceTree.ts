/**
 * One tree shape for every syntax the server reads (YAML, JSON): each node keeps its source offsets, so
 * every diagnostic, hover and completion can point at the exact key or value.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface SourceNode {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'invalid';
  /** [start, end) offsets of the value. */
  start: number;
  end: number;
  /** For a property value: [start, end) of its key. */
  keyStart?: number;
  keyEnd?: number;
  /** For a property value: the key. */
  key?: string;
  /** Object members / array items, in source order. */
  children?: SourceNode[];
  /** Scalar value. */
  value?: string | number | boolean | null;
}

export type PathSegment = string | number;

export interface SyntaxProblem {
  start: number;
  end: number;
  message: string;
}

export interface ParsedSource {
  root: SourceNode | undefined;
  problems: SyntaxProblem[];
}

/** The node at a JSON path, or the deepest existing ancestor with `exact: false`. */
export function nodeAtPath(root: SourceNode | undefined, path: readonly PathSegment[]): { node: SourceNode; exact: boolean } | undefined {
  if (!root) return undefined;
  let node = root;
  for (const segment of path) {
    const next = childAt(node, segment);
    if (!next) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

export function childAt(node: SourceNode, segment: PathSegment): SourceNode | undefined {
  if (node.type === 'object' && typeof segment === 'string') {
    // The last occurrence wins, as in every JSON/YAML loader.
    const members = node.children ?? [];
    for (let i = members.length - 1; i >= 0; i--) if (members[i].key === segment) return members[i];
    return undefined;
  }
  if (node.type === 'array' && typeof segment === 'number') return node.children?.[segment];
  return undefined;
}

/** The path of the innermost node covering `offset`, and whether the offset is on a key. */
export function pathAtOffset(root: SourceNode | undefined, offset: number): { path: PathSegment[]; node: SourceNode | undefined; onKey: boolean } {
  const path: PathSegment[] = [];
  let node = root;
  let onKey = false;
  while (node && node.children) {
    let next: SourceNode | undefined;
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i];
      const start = child.keyStart ?? child.start;
      if (offset >= start && offset <= child.end) {
        next = child;
        path.push(node.type === 'array' ? i : (child.key ?? ''));
        onKey = child.keyStart !== undefined && offset <= (child.keyEnd ?? 0);
        break;
      }
    }
    if (!next || onKey) return { path, node: next ?? node, onKey };
    node = next;
  }
  return { path, node, onKey };
}

/** Plain data of a node (duplicate keys: the last wins). */
export function toValue(node: SourceNode | undefined): JsonValue | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const child of node.children ?? []) {
        const value = toValue(child);
        if (child.key !== undefined && value !== undefined) out[child.key] = value;
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((c) => toValue(c) ?? null);
    case 'invalid':
      return undefined;
    default:
      return node.value ?? null;
  }
}
