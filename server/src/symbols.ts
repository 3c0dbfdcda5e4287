/** Document symbols and folding ranges from the source tree. Pure. */
import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { documentFormat, parsedDocument, type SourceNode } from '../../model';

const MAX_SYMBOLS = 5000;

export function documentSymbols(document: TextDocument): DocumentSymbol[] {
  const format = documentFormat(document.uri);
  if (!format) return [];
  const root = parsedDocument(document)?.parsed.root;
  const budget = { left: MAX_SYMBOLS };
  return root ? childrenSymbols(document, root, budget) : [];
}

function childrenSymbols(document: TextDocument, node: SourceNode, budget: { left: number }): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const [i, child] of (node.children ?? []).entries()) {
    if (budget.left-- <= 0) break;
    if (child.type !== 'object' && child.type !== 'array' && node.type === 'array') continue;
    const start = child.keyStart ?? child.start;
    const name = child.key ?? `[${i}]`;
    out.push({
      name: name || ' ',
      kind: child.type === 'object' ? SymbolKind.Object : child.type === 'array' ? SymbolKind.Array : SymbolKind.Property,
      detail: child.type === 'string' || child.type === 'number' ? String(child.value) : undefined,
      range: { start: document.positionAt(start), end: document.positionAt(child.end) },
      selectionRange: { start: document.positionAt(start), end: document.positionAt(child.keyEnd ?? child.end) },
      children: child.children ? childrenSymbols(document, child, budget) : undefined,
    });
  }
  return out;
}

export function foldingRanges(document: TextDocument): FoldingRange[] {
  const format = documentFormat(document.uri);
  if (!format) return [];
  const root = parsedDocument(document)?.parsed.root;
  const ranges: FoldingRange[] = [];
  const visit = (node: SourceNode) => {
    if (ranges.length > MAX_SYMBOLS) return;
    if (node.children) {
      const startLine = document.positionAt(node.keyStart ?? node.start).line;
      const endLine = document.positionAt(Math.max(node.end - 1, node.start)).line;
      if (endLine > startLine) ranges.push({ startLine, endLine: format.syntax === 'json' ? endLine - 1 : endLine });
      node.children.forEach(visit);
    }
  };
  if (root) visit(root);
  return ranges.filter((r) => r.endLine > r.startLine);
}
