/**
 * "Add missing only": the current profile text plus ONE allow rule with the syscalls it lacks. YAML keeps its
 * comments and layout (the yaml Document API); JSON is re-printed with two-space indentation. Pure.
 */
import { parseDocument, isSeq } from 'yaml';
import type { LearnedUsage } from './learnRecording';
import { describeSyscall, missingNames, missingRule } from './learnProposal';
import { usedNames } from './learnRecording';
import { parseSeccompProfile } from './seccompProfileLoader';

export function addMissingText(existingText: string, format: 'json' | 'yaml', usage: LearnedUsage): { text: string; missing: string[] } {
  const profile = parseSeccompProfile(existingText, 'current profile');
  const missing = missingNames(profile, usage);
  if (missing.length === 0) return { text: existingText, missing };
  const rule = missingRule(missing, usage);
  const ruleObject = { names: rule.names, action: rule.action, comment: rule.comment };
  if (format === 'json') {
    const o = JSON.parse(existingText) as { syscalls?: unknown[] };
    o.syscalls = [...(o.syscalls ?? []), ruleObject];
    return { text: `${JSON.stringify(o, null, 2)}\n`, missing };
  }
  const appended = appendYamlRule(existingText, rule.names, rule.comment, usage);
  if (appended) return { text: appended, missing };
  const doc = parseDocument(existingText);
  const syscalls = doc.get('syscalls');
  if (isSeq(syscalls)) syscalls.add(doc.createNode(ruleObject));
  else doc.set('syscalls', doc.createNode([ruleObject]));
  return { text: doc.toString(), missing };
}

/**
 * When `syscalls:` is the last top-level key and a block sequence, the rule is appended as text: the rest of the
 * file stays byte for byte (the yaml printer would re-align every comment).
 */
function appendYamlRule(text: string, names: string[], comment: string, usage: LearnedUsage): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^syscalls:\s*(#.*)?$/.test(l));
  if (at < 0 || lines.slice(at + 1).some((l) => /^[^\s#-]/.test(l))) return undefined;
  const item = lines.slice(at + 1).find((l) => /^\s*- /.test(l));
  const indent = item ? /^\s*/.exec(item)![0] : '  ';
  const counts = usedNames(usage);
  const width = Math.max(...names.map((n) => n.length));
  const block = [
    `${indent}- names:`,
    ...names.map((n) => `${indent}    - ${n.padEnd(width)}  # ${describeSyscall(n)} (${counts[n] ?? 0})`),
    `${indent}  action: SCMP_ACT_ALLOW`,
    `${indent}  comment: ${JSON.stringify(comment)}`,
  ];
  return `${text.replace(/\n*$/, '')}\n${block.join('\n')}\n`;
}
