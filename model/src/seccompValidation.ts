/**
 * Semantic checks of a seccomp profile that no schema can express: syscall names per architecture,
 * duplicates, conflicting actions, shadowed rules, argument indexes, errnoRet on actions that ignore it,
 * the notify listener, missing compat architectures, and 64-bit comparisons of 32-bit int arguments
 * (seccompIntArgs.ts). Pure: (parsed document) => Diagnostic[].
 */
import { closest } from './didYouMean';
import { checkIntArguments } from './seccompIntArgs';
import type { ParsedDocument } from './parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, type QuickFix } from './quickFix';
import { actionInfo, actionsUsingErrno, architectureInfo } from './seccompTable';
import { exactIntegerOf } from './seccompProfileModel';
import { insertArrayItemsAfter, removeArrayItem, replaceScalar } from './sourceEdits';
import { childAt, toValue, type SourceNode } from './sourceTree';
import { architecturesOf, DEFAULT_ARCHITECTURES, existsOn, maxArgc, syscallInfo, syscallNamesOn } from './syscallTable';

export function validateSeccomp(doc: ParsedDocument): Diagnostic[] {
  const root = doc.parsed.root;
  if (!root || root.type !== 'object') return [];
  const out: Diagnostic[] = [];
  const arches = profileArchitectures(doc);
  checkDefaults(doc, root, out);
  checkCompatArchitectures(doc, root, out);
  const rules = childAt(root, 'syscalls');
  if (rules?.type === 'array') checkRules(doc, rules.children ?? [], arches, out);
  return out;
}

/** The profile's architectures: `architectures` plus every archMap entry and its sub-architectures; by default x86_64 with its compat ABIs. */
export function profileArchitectures(doc: ParsedDocument): string[] {
  const memo = doc.memo.get('seccomp.arches') as string[] | undefined;
  if (memo) return memo;
  const root = doc.parsed.root;
  const found = new Set<string>();
  const add = (node: SourceNode | undefined) => {
    if (node?.type === 'string' && typeof node.value === 'string') found.add(node.value);
  };
  if (root?.type === 'object') {
    for (const a of childAt(root, 'architectures')?.children ?? []) add(a);
    for (const entry of childAt(root, 'archMap')?.children ?? []) {
      if (entry.type !== 'object') continue;
      add(childAt(entry, 'architecture'));
      for (const sub of childAt(entry, 'subArchitectures')?.children ?? []) add(sub);
    }
  }
  const arches = found.size > 0 ? [...found] : [...DEFAULT_ARCHITECTURES];
  doc.memo.set('seccomp.arches', arches);
  return arches;
}

function stringValue(node: SourceNode | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

function keyRange(node: SourceNode): [number, number] {
  return node.keyStart !== undefined ? [node.keyStart, node.keyEnd ?? node.keyStart] : [node.start, node.end];
}

function checkDefaults(doc: ParsedDocument, root: SourceNode, out: Diagnostic[]): void {
  const defaultAction = childAt(root, 'defaultAction');
  const action = stringValue(defaultAction);
  if (defaultAction && action === 'SCMP_ACT_NOTIFY') {
    out.push(finding(doc, defaultAction.start, defaultAction.end, DiagnosticSeverity.Error, 'seccomp-notify-default',
      'SCMP_ACT_NOTIFY cannot be the default action: the supervisor itself would have to be notified of every syscall. Runtimes reject it.'));
  }
  const defaultErrno = childAt(root, 'defaultErrnoRet');
  if (defaultErrno && action && actionInfo(action) && !actionInfo(action)!.errnoRet) {
    const [s, e] = keyRange(defaultErrno);
    out.push(finding(doc, s, e, DiagnosticSeverity.Error, 'seccomp-errno-refused',
      `defaultErrnoRet with ${action}: OCI runtimes refuse the profile (crun: "errno value specified for action \`${action}\`"), and so does phantom run. Only ${actionsUsingErrno().join(' and ')} return an errno: remove defaultErrnoRet.`));
  }
  checkErrnoRange(doc, defaultErrno, 'defaultErrnoRet', out);
  const metadata = childAt(root, 'listenerMetadata');
  if (metadata && !childAt(root, 'listenerPath')) {
    const [s, e] = keyRange(metadata);
    out.push(finding(doc, s, e, DiagnosticSeverity.Warning, 'seccomp-metadata-without-listener',
      'listenerMetadata is only sent to a listener: add listenerPath (the supervisor socket) or remove it.'));
  }
}

function checkCompatArchitectures(doc: ParsedDocument, root: SourceNode, out: Diagnostic[]): void {
  const list = childAt(root, 'architectures');
  if (list?.type !== 'array') return;
  const present = new Set((list.children ?? []).map(stringValue));
  (list.children ?? []).forEach((item, index) => {
    const arch = stringValue(item);
    // Only x86_64 is checked: its compat ABIs (int 0x80, x32) are enabled on almost every kernel, while
    // the 32-bit ABIs of arm64, s390x, ppc64 and mips64 are often absent.
    if (arch !== 'SCMP_ARCH_X86_64') return;
    const missing = (architectureInfo(arch)?.compat ?? []).filter((c) => !present.has(c));
    if (missing.length === 0) return;
    const edit = insertArrayItemsAfter(doc, list, index, missing);
    const fixes: QuickFix[] = edit ? [{ title: `Add ${missing.join(', ')}`, edits: [edit] }] : [];
    out.push(finding(doc, item.start, item.end, DiagnosticSeverity.Warning, 'seccomp-missing-compat-arch',
      `${arch} is listed without its compat architectures ${missing.join(', ')}: 32-bit syscalls then get the bad-architecture action.`, fixes));
  });
}

interface Occurrence {
  rule: number;
  line: number;
  action: string | undefined;
  /** Args, includes and excludes: two rules compare only when these are equal. */
  condition: string;
  unconditional: boolean;
}

function checkRules(doc: ParsedDocument, rules: SourceNode[], arches: string[], out: Diagnostic[]): void {
  // Per syscall name: its first occurrence under each condition, and its first unconditional one. Indexed so
  // that a name listed in thousands of rules (read, write) stays linear to check.
  const seen = new Map<string, { byCondition: Map<string, Occurrence>; cover?: Occurrence }>();
  const errnoActions = new Set(actionsUsingErrno());
  rules.forEach((rule, ruleIndex) => {
    if (rule.type !== 'object') return;
    const actionNode = childAt(rule, 'action');
    const action = stringValue(actionNode);
    const args = childAt(rule, 'args');
    const includes = childAt(rule, 'includes');
    const excludes = childAt(rule, 'excludes');
    const hasArgs = args?.type === 'array' && (args.children?.length ?? 0) > 0;
    const condition = JSON.stringify([hasArgs ? toValue(args) : null, conditionValue(includes), conditionValue(excludes)]);
    const unconditional = !hasArgs && conditionValue(includes) === null && conditionValue(excludes) === null;
    const namesNode = childAt(rule, 'names');
    const single = childAt(rule, 'name');
    const names: { node: SourceNode; index: number; list?: SourceNode }[] = [];
    if (namesNode?.type === 'array') (namesNode.children ?? []).forEach((node, index) => names.push({ node, index, list: namesNode }));
    else if (single?.type === 'string') names.push({ node: single, index: 0 });
    // A rule Docker keeps only on some hosts (includes.arches) names that host's syscalls on purpose,
    // sometimes by aliases the table does not carry (sync_file_range2 on arm): trust it.
    const archSpecific = includes?.type === 'object' && (childAt(includes, 'arches')?.children?.length ?? 0) > 0;
    const line = doc.document.positionAt(rule.start).line + 1;
    const here: Occurrence = { rule: ruleIndex, line, action, condition, unconditional };
    let shadowedBy: Occurrence | undefined;
    let allShadowed = names.length > 0;
    const inRule = new Set<string>();
    for (const { node, index, list } of names) {
      const name = stringValue(node);
      if (name === undefined) continue;
      checkName(doc, node, name, arches, archSpecific, out);
      if (inRule.has(name)) {
        out.push(duplicate(doc, node, list, index, `'${name}' is listed twice in this rule.`));
        allShadowed = false;
        continue;
      }
      inRule.add(name);
      let earlier = seen.get(name);
      if (!earlier) seen.set(name, (earlier = { byCondition: new Map() }));
      const same = earlier.byCondition.get(condition);
      if (same && same.action === action) {
        out.push(duplicate(doc, node, list, index, `'${name}' is already listed with ${action ?? 'the same action'} in the rule at line ${same.line}.`));
      } else if (same && action !== undefined && same.action !== undefined) {
        out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Warning, 'seccomp-conflicting-action',
          `'${name}' is also listed under ${same.action} (line ${same.line}) with the same conditions: a syscall cannot take two actions.`));
      }
      const cover = earlier.cover;
      if (cover) shadowedBy ??= cover;
      else allShadowed = false;
      if (!same) earlier.byCondition.set(condition, here);
      if (unconditional && !earlier.cover) earlier.cover = here;
    }
    const onlyArgs = hasArgs && conditionValue(includes) === null && conditionValue(excludes) === null;
    if (onlyArgs && allShadowed && shadowedBy && namesNode) {
      const [s, e] = keyRange(namesNode);
      out.push(finding(doc, s, e, DiagnosticSeverity.Warning, 'seccomp-shadowed-rule',
        `This rule has no effect: its syscalls are already matched without conditions by the rule at line ${shadowedBy.line}.`));
    }
    if (hasArgs) checkArgs(doc, args, names.map((n) => stringValue(n.node)), out);
    if (hasArgs) checkIntArguments(doc, action, args, names.map((n) => stringValue(n.node)), out);
    const errno = childAt(rule, 'errnoRet');
    if (errno && action && actionInfo(action) && !errnoActions.has(action)) {
      const [s, e] = keyRange(errno);
      out.push(finding(doc, s, e, DiagnosticSeverity.Error, 'seccomp-errno-refused',
        `errnoRet with ${action}: OCI runtimes refuse the profile (crun: "errno value specified for action \`${action}\`"), and so does phantom run. Only ${[...errnoActions].join(' and ')} return an errno: remove errnoRet or change the action.`));
    }
    checkErrnoRange(doc, errno, 'errnoRet', out);
    if (action === 'SCMP_ACT_NOTIFY' && actionNode) {
      // phantom run refuses it too (check and run agree): an enforced run has no supervisor to answer.
      out.push(finding(doc, actionNode.start, actionNode.end, DiagnosticSeverity.Error, 'seccomp-notify-unsupported',
        'SCMP_ACT_NOTIFY needs a supervisor, which phantom run does not give an enforced run: it refuses the profile. Use SCMP_ACT_ERRNO, or `phantom learn` to record syscalls.'));
    }
  });
}

/**
 * An errno outside 1–4095 is legal for the kernel (16 bits of SECCOMP_RET_DATA) but not an errno to libc, which
 * reads only -1…-4095 as an error: the call then "succeeds" with a negative return value (0: with 0, without
 * running). libseccomp 2.5, and so crun, runc and phantom run, refuses 4095 and above (seccomp_rule_add: EINVAL).
 */
function checkErrnoRange(doc: ParsedDocument, node: SourceNode | undefined, key: string, out: Diagnostic[]): void {
  if (node?.type !== 'number' || typeof node.value !== 'number' || !Number.isInteger(node.value)) return;
  const n = node.value;
  if (n >= 1 && n <= 4094) return;
  if (n < 0 || n > 65535) return; // the schema reports it
  const refused = 'libseccomp-based runtimes (crun, runc, phantom run) refuse 4095 and above';
  const why = n === 0 ? `${key} 0 is outside 1–4095: the call returns 0 (success) without running`
    : n === 4095 ? `${key} 4095 is an errno to libc, but ${refused}`
      : `${key} ${n} is outside 1–4095: the kernel keeps it, but libc reads only 1–4095 as an errno, so the call returns a negative value that looks like success; ${refused}`;
  // 4095 and above: phantom run refuses the profile, so check reports an error (they agree); 0 runs, a warning.
  out.push(finding(doc, node.start, node.end, n >= 4095 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, 'seccomp-errno-range', `${why}. Use e.g. 1 (EPERM) or 38 (ENOSYS).`));
}

/** includes/excludes as comparable data; empty objects count as no condition. */
function conditionValue(node: SourceNode | undefined): string | null {
  const value = toValue(node);
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const meaningful = Object.entries(value).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
    if (meaningful.length === 0) return null;
    return JSON.stringify(Object.fromEntries(meaningful.sort(([a], [b]) => a.localeCompare(b))));
  }
  return JSON.stringify(value);
}

function duplicate(doc: ParsedDocument, node: SourceNode, list: SourceNode | undefined, index: number, message: string): Diagnostic {
  const edit = list ? removeArrayItem(doc, list, index) : undefined;
  const fixes: QuickFix[] = edit ? [{ title: `Remove the duplicate '${String(node.value)}'`, edits: [edit] }] : [];
  return finding(doc, node.start, node.end, DiagnosticSeverity.Warning, 'seccomp-duplicate-syscall', message, fixes);
}

function checkName(doc: ParsedDocument, node: SourceNode, name: string, arches: string[], archSpecific: boolean, out: Diagnostic[]): void {
  const info = syscallInfo(name);
  if (info) {
    if (archSpecific || arches.some((a) => existsOn(info, a))) return;
    const elsewhere = architecturesOf(info);
    const shown = elsewhere.slice(0, 3).join(', ') + (elsewhere.length > 3 ? ', …' : '');
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Information, 'seccomp-syscall-other-arch',
      `'${name}' does not exist on this profile's architectures (${arches.slice(0, 3).join(', ')}${arches.length > 3 ? ', …' : ''}), only on ${shown}.`));
    return;
  }
  const suggestion = closest(name, syscallNamesOn(arches));
  const fixes: QuickFix[] = suggestion ? [{ title: `Change to '${suggestion}'`, edits: [replaceScalar(doc, node, suggestion)] }] : [];
  out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Warning, 'seccomp-unknown-syscall',
    `Unknown syscall '${name.length > 40 ? `${name.slice(0, 37)}…` : name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, fixes));
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * An argument value is read by the parser as a JS number, exact only to 2^53; the typed profile the runtime compiles
 * reads a larger one from its literal (seccompProfileModel.ts exactIntegerOf). So the range is checked on the literal
 * itself (2^64 would round to the schema's maximum and pass), and a value beyond 2^53 that is not written as an
 * integer literal (an alias, 1.8e19) is refused: what it means exactly cannot be read.
 */
function checkArgValue(doc: ParsedDocument, node: SourceNode | undefined, key: string, out: Diagnostic[]): void {
  if (node?.type !== 'number' || typeof node.value !== 'number' || !Number.isInteger(node.value)) return; // the schema reports it
  // Above the float nearest 2^64 the schema's maximum already reports it.
  if (node.value > Number(U64_MAX)) return;
  const text = doc.document.getText();
  const raw = text.slice(node.start, node.end).trim();
  const value = exactIntegerOf(node, text);
  if (value === undefined) {
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'seccomp-inexact-value',
      `${key} ${raw.length > 40 ? `${raw.slice(0, 37)}…` : raw} is above 2^53 but not written as an integer literal, so its exact value cannot be read. Write it in digits (e.g. 18446744073709551615) or in hex (0xffffffffffffffff).`));
    return;
  }
  if (value <= U64_MAX) return;
  out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'schema-range',
    `${key} ${raw} is above 2^64−1 (18446744073709551615), the largest argument value: runtimes refuse it (crun: "Numerical result out of range"), and so does phantom run.`));
}

function checkArgs(doc: ParsedDocument, args: SourceNode | undefined, names: (string | undefined)[], out: Diagnostic[]): void {
  for (const arg of args?.children ?? []) {
    if (arg.type !== 'object') continue;
    checkArgValue(doc, childAt(arg, 'value'), 'value', out);
    checkArgValue(doc, childAt(arg, 'valueTwo'), 'valueTwo', out);
    const indexNode = childAt(arg, 'index');
    if (indexNode?.type !== 'number' || typeof indexNode.value !== 'number') continue;
    const index = indexNode.value;
    for (const name of names) {
      const info = name === undefined ? undefined : syscallInfo(name);
      const argc = info && maxArgc(info);
      if (argc === undefined || index < argc) continue;
      const takes = argc === 0 ? 'takes no arguments' : `takes ${argc} (index 0–${argc - 1})`;
      out.push(finding(doc, indexNode.start, indexNode.end, DiagnosticSeverity.Warning, 'seccomp-arg-index',
        `Argument index ${index} is beyond the parameters of '${name}', which ${takes}.`));
      break;
    }
  }
}
