/**
 * "Add missing only": the current profile text plus the allow rules for the syscalls it lacks — one rule with the
 * plain names, and their own rules (with args) for the argument-decided ones (learnProposal.ts allowRules), so an
 * added `ioctl`, `chmod` or `clone` carries the same refusals as a fresh proposal. YAML keeps its comments and
 * layout (the yaml Document API); JSON is re-printed with two-space indentation. Pure.
 */
import { parseDocument, isSeq } from 'yaml';
import type { LearnedUsage } from './learnRecording';
import { missingNames, missingRules, yamlRuleLines, type ProposedRule } from './learnProposal';
import { usedNames } from './learnRecording';
import { loadSeccompProfile as loadSeccompModel } from '../../../model';

function ruleObject(r: ProposedRule): Record<string, unknown> {
  return { names: r.names, action: r.action, ...(r.args ? { args: r.args } : {}), comment: r.comment };
}

export function addMissingText(existingText: string, format: 'json' | 'yaml', usage: LearnedUsage): { text: string; missing: string[] } {
  const profile = loadSeccompModel(`current profile.${format}`, existingText).profile();
  const missing = missingNames(profile, usage);
  if (missing.length === 0) return { text: existingText, missing };
  const rules = missingRules(missing, usage);
  if (format === 'json') {
    const o = JSON.parse(existingText) as { syscalls?: unknown[] };
    o.syscalls = [...(o.syscalls ?? []), ...rules.map(ruleObject)];
    return { text: `${JSON.stringify(o, null, 2)}\n`, missing };
  }
  const appended = appendYamlRules(existingText, rules, usage);
  if (appended) return { text: appended, missing };
  const doc = parseDocument(existingText);
  const syscalls = doc.get('syscalls');
  if (isSeq(syscalls)) for (const r of rules) syscalls.add(doc.createNode(ruleObject(r)));
  else doc.set('syscalls', doc.createNode(rules.map(ruleObject)));
  return { text: doc.toString(), missing };
}

/**
 * When `syscalls:` is the last top-level key and a block sequence, the rules are appended as text: the rest of the
 * file stays byte for byte (the yaml printer would re-align every comment).
 */
function appendYamlRules(text: string, rules: ProposedRule[], usage: LearnedUsage): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^syscalls:\s*(#.*)?$/.test(l));
  if (at < 0 || lines.slice(at + 1).some((l) => /^[^\s#-]/.test(l))) return undefined;
  const item = lines.slice(at + 1).find((l) => /^\s*- /.test(l));
  const indent = item ? /^\s*/.exec(item)![0] : '  ';
  const counts = usedNames(usage);
  const block = rules.flatMap((r) => yamlRuleLines(r, counts, indent));
  return `${text.replace(/\n*$/, '')}\n${block.join('\n')}\n`;
}
