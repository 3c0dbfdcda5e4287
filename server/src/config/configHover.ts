/**
 * Hover in `phantom-fragment.yaml`: on a fragment (its name where it is declared or listed) what it
 * grants; on a profile's name its effective policy in short (effectivePolicy.ts, the one merge). Pure;
 * a referenced seccomp profile is read through the injectable ValidationContext to count its syscalls.
 */
import { documentFormat, parseSource, type ParsedDocument, toValue, type PathSegment, type SourceNode, type ValidationContext, builtinFragment, configOf, isFragmentReference, resolveReference, type FragmentSpec, type PhantomConfig, effectivePolicy, expandFragments, fragmentNamed, policySummary, seccompAllowList, type EffectivePolicy } from '../../../model';

export interface ConfigHover {
  markdown: string;
  start: number;
  end: number;
}

/** Most syscalls listed one per line in a fragment's hover. */
const MAX_LISTED = 60;

export function configHover(doc: ParsedDocument, path: PathSegment[], node: SourceNode, onKey: boolean, context: ValidationContext = {}): ConfigHover | undefined {
  const config = configOf(doc);
  const keyRange = { start: node.keyStart ?? node.start, end: node.keyEnd ?? node.end };
  if (path.length === 2 && onKey && path[0] === 'profiles' && typeof path[1] === 'string') {
    const policy = effectivePolicy(config, path[1]);
    return policy && { markdown: profileMarkdown(doc, policy, context), ...keyRange };
  }
  if (path.length === 2 && onKey && path[0] === 'fragments' && typeof path[1] === 'string') {
    return { markdown: fragmentMarkdown(config, path[1]), ...keyRange };
  }
  if (isFragmentReference(path) && !onKey && node.type === 'string' && typeof node.value === 'string' && fragmentNamed(config, node.value)) {
    return { markdown: fragmentMarkdown(config, node.value), start: node.start, end: node.end };
  }
  return undefined;
}

export function fragmentMarkdown(config: PhantomConfig, name: string): string {
  const spec = fragmentNamed(config, name)!;
  const builtin = !Object.hasOwn(config.fragments, name) ? builtinFragment(name) : undefined;
  const lines = [`**${name}** — ${builtin ? 'built-in fragment' : 'fragment declared in this file'}`];
  if (spec.description) lines.push(spec.description);
  lines.push(...grantsOf(spec));
  if (spec.fragments?.length) {
    const all = expandFragments(config, [{ name, path: [] }]).order;
    const total = new Set(all.flatMap((f) => (f.spec.syscalls ?? []).map((s) => s.name))).size;
    lines.push(`Includes ${spec.fragments.join(', ')}: ${total} syscall${total === 1 ? '' : 's'} with them.`);
  }
  return lines.join('\n\n');
}

function grantsOf(spec: FragmentSpec): string[] {
  const out: string[] = [];
  const syscalls = spec.syscalls ?? [];
  if (syscalls.length) {
    const listed = syscalls.slice(0, MAX_LISTED).map((s) => `- \`${s.name}\`${s.why ? ` — ${s.why}` : ''}`);
    if (syscalls.length > MAX_LISTED) listed.push(`- … and ${syscalls.length - MAX_LISTED} more`);
    out.push(`Syscalls (${syscalls.length}):\n${listed.join('\n')}`);
  }
  if (spec.network && spec.network !== 'none') out.push(`Network: needs ${spec.network}`);
  const fs = spec.filesystem;
  const paths = [
    fs?.readOnly?.length ? `read-only ${fs.readOnly.join(', ')}` : undefined,
    fs?.readWrite?.length ? `read-write ${fs.readWrite.join(', ')}` : undefined,
    fs?.hidden?.length ? `hidden ${fs.hidden.join(', ')}` : undefined,
    fs?.privateTmp === true ? 'private /tmp' : fs?.privateTmp === false ? "the host's /tmp" : undefined,
  ].filter(Boolean);
  if (paths.length) out.push(`Paths: ${paths.join('; ')}`);
  const rules = [
    ...(spec.landlock?.pathBeneath ?? []).map((r) => `${r.allowedAccess.join(', ')} beneath ${r.parent.join(', ')}`),
    ...(spec.landlock?.netPort ?? []).map((r) => `${r.allowedAccess.join(', ')} on port ${r.port.join(', ')}`),
  ];
  if (rules.length) out.push(`Landlock: ${rules.join('; ')}`);
  return out;
}

function profileMarkdown(doc: ParsedDocument, policy: EffectivePolicy, context: ValidationContext): string {
  const lines = [`**${policy.profile}** — effective policy`];
  if (policy.description) lines.push(policy.description);
  lines.push(policySummary(policy, seccompBase(doc, policy, context)).map((l) => `- ${l}`).join('\n'));
  if (policy.run) lines.push(`Runs \`${policy.run.join(' ')}\``);
  if (policy.problems.length) lines.push(`⚠ ${policy.problems.length} problem${policy.problems.length === 1 ? '' : 's'}: ${policy.problems[0].message}`);
  return lines.join('\n\n');
}

/** What the profile's seccomp policy allows, when it is inline or a readable file. */
export function seccompBase(doc: ParsedDocument, policy: EffectivePolicy, context: ValidationContext): ReturnType<typeof seccompAllowList> | undefined {
  const source = policy.seccomp;
  if (!source) return undefined;
  if ('inline' in source) return seccompAllowList(source.inline);
  const absolute = resolveReference(doc, source.file);
  const format = documentFormat(source.file);
  const text = absolute !== undefined && format?.kind === 'seccomp' ? context.readFile?.(absolute) : undefined;
  if (text === undefined || !format) return undefined;
  return seccompAllowList(toValue(parseSource(text, format.syntax).root));
}
