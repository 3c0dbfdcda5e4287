/**
 * Comparisons on the 64-bit register where the kernel reads a 32-bit int. seccomp sees each syscall argument as
 * the full register; the kernel ignores the upper half of an `int`/`unsigned int`/`mode_t` argument. So an ALLOW
 * rule with `!=`, `>` or `>=` (Docker's `socket: family > 40`) also matches 0x100000028, which the kernel reads as
 * 40 (AF_VSOCK); a refusing rule with `==`, `<` or `<=`, or with a mask that reaches the upper half, is dodged the
 * same way. A comparison on the low 32 bits (SCMP_CMP_MASKED_EQ with the mask 0xffffffff) says what the kernel does.
 * Pure: one check over a rule's args, called by seccompValidation.ts.
 */
import type { ParsedDocument } from './parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, type QuickFix } from './quickFix';
import { replaceScalar } from './sourceEdits';
import { childAt, type SourceNode } from './sourceTree';

/** Syscall → the argument indexes the kernel reads as 32-bit ints (the kernel's prototypes, not libc's). */
export const INT_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  socket: [0, 1, 2], socketpair: [0, 1, 2], setsockopt: [1, 2], getsockopt: [1, 2],
  ioctl: [1], fcntl: [1], fcntl64: [1], prctl: [0], personality: [0],
  chmod: [1], fchmod: [1], fchmodat: [2], fchmodat2: [2], open: [1, 2], openat: [2, 3], creat: [1],
  mkdir: [1], mkdirat: [2], mknod: [1], mknodat: [2], kill: [1], tkill: [1], tgkill: [2],
};

/** Actions that let the call through: for them, an op that can match MORE than the kernel's value is the hole. */
const PERMITTING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);
const WIDEN_ALLOW = new Set(['SCMP_CMP_NE', 'SCMP_CMP_GT', 'SCMP_CMP_GE']);
const NARROW_DENY = new Set(['SCMP_CMP_EQ', 'SCMP_CMP_LT', 'SCMP_CMP_LE']);

const numberOf = (node: SourceNode | undefined): bigint | undefined => {
  if (node?.type !== 'number' && node?.type !== 'string') return undefined;
  try {
    return BigInt(node.value as number | string);
  } catch {
    return undefined;
  }
};

export function checkIntArguments(doc: ParsedDocument, action: string | undefined, args: SourceNode | undefined, names: (string | undefined)[], out: Diagnostic[]): void {
  if (!action) return;
  const permitting = PERMITTING.has(action);
  for (const arg of args?.children ?? []) {
    if (arg.type !== 'object') continue;
    const index = numberOf(childAt(arg, 'index'));
    const opNode = childAt(arg, 'op');
    const op = opNode?.type === 'string' ? String(opNode.value) : undefined;
    if (index === undefined || !op || !opNode) continue;
    const name = names.find((n) => n !== undefined && INT_ARGUMENTS[n]?.includes(Number(index)));
    if (!name) continue;
    const valueNode = childAt(arg, 'value');
    const mask = numberOf(valueNode);
    const wideMask = op === 'SCMP_CMP_MASKED_EQ' && mask !== undefined && mask > 0xffffffffn;
    const hole = permitting ? WIDEN_ALLOW.has(op) : NARROW_DENY.has(op) || wideMask;
    if (!hole) continue;
    const fixes: QuickFix[] = [];
    const valueTwo = childAt(arg, 'valueTwo');
    // `== v` refusing: the same refusal on the low 32 bits is `(x & 0xffffffff) == v`, when valueTwo is there to hold v.
    if (!permitting && op === 'SCMP_CMP_EQ' && valueNode && valueTwo && mask !== undefined && mask <= 0xffffffffn) {
      fixes.push({
        title: 'Compare the low 32 bits (SCMP_CMP_MASKED_EQ 0xffffffff)',
        edits: [replaceScalar(doc, opNode, 'SCMP_CMP_MASKED_EQ'), replaceScalar(doc, valueNode, '4294967295'), replaceScalar(doc, valueTwo, String(mask))],
      });
    }
    const how = permitting
      ? `this ${action} rule also matches values with upper bits set, which the kernel reads as any int it likes (socket(0x100000028, …) is AF_VSOCK)`
      : `a value with upper bits set dodges this ${action} rule while the kernel still reads the same int`;
    out.push(finding(doc, opNode.start, opNode.end, DiagnosticSeverity.Warning, 'seccomp-64bit-int-arg',
      `'${name}' argument ${index} is a 32-bit int to the kernel, but ${op} compares the whole 64-bit register: ${how}. ` +
        `Compare the low 32 bits instead (SCMP_CMP_MASKED_EQ with value 0xffffffff and valueTwo the int)${permitting && op !== 'SCMP_CMP_NE' ? ', one rule per allowed value or masked range' : ''}.`,
      fixes));
  }
}
