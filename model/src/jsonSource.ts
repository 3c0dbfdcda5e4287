/** JSON text → SourceNode tree through jsonc-parser (VS Code's own tolerant JSON parser), with exact offsets. */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { ParsedSource, SourceNode, SyntaxProblem } from './sourceTree';

const READABLE: Record<string, string> = {
  InvalidSymbol: 'Unexpected character',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'A property name in double quotes is expected here',
  ValueExpected: 'A value is expected here',
  ColonExpected: "A ':' is expected after the property name",
  CommaExpected: "A ',' is expected between items",
  CloseBraceExpected: "A '}' is expected to close the object",
  CloseBracketExpected: "A ']' is expected to close the array",
  EndOfFileExpected: 'Nothing may follow the top-level value',
  InvalidCommentToken: 'Comments are not allowed in JSON',
  UnexpectedEndOfComment: 'Unterminated comment',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Incomplete number',
  InvalidUnicode: 'Invalid unicode escape',
  InvalidEscapeCharacter: 'Invalid escape character',
  InvalidCharacter: 'Invalid character in string',
};

export function parseJsonSource(text: string): ParsedSource {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const problems: SyntaxProblem[] = errors.map((e) => {
    const code = printParseErrorCode(e.error);
    return { start: e.offset, end: e.offset + Math.max(e.length, 1), message: `${READABLE[code] ?? code}.` };
  });
  return { root: tree ? convert(tree, 0) : undefined, problems };
}

function convert(node: JsonNode, depth: number): SourceNode {
  const start = node.offset;
  const end = node.offset + node.length;
  if (depth > 256) return { type: 'invalid', start, end };
  switch (node.type) {
    case 'object': {
      const children: SourceNode[] = [];
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode) continue;
        const child: SourceNode = valueNode
          ? convert(valueNode, depth + 1)
          : { type: 'invalid', start: keyNode.offset + keyNode.length, end: keyNode.offset + keyNode.length };
        child.key = String(keyNode.value);
        child.keyStart = keyNode.offset;
        child.keyEnd = keyNode.offset + keyNode.length;
        children.push(child);
      }
      return { type: 'object', start, end, children };
    }
    case 'array':
      return { type: 'array', start, end, children: (node.children ?? []).map((c) => convert(c, depth + 1)) };
    case 'string':
      return { type: 'string', value: String(node.value), start, end };
    case 'number':
      return { type: 'number', value: Number(node.value), start, end };
    case 'boolean':
      return { type: 'boolean', value: Boolean(node.value), start, end };
    case 'null':
      return { type: 'null', value: null, start, end };
    default:
      return { type: 'invalid', start, end };
  }
}
