/**
 * Hover from the domain tables: a syscall (signature, summary, number per architecture), a seccomp action
 * or operator (meaning), an architecture, a Landlock right or group (ABI, kernel, what it controls). Pure;
 * undefined when the value under the cursor is none of these (the schema description then answers).
 */
import { expandGroup, GROUPS, isGroup, rightInfo, type RightKind, type ParsedDocument, actionInfo, architectureInfo, operatorInfo, profileArchitectures, type PathSegment, type SourceNode, architecturesOf, existsOn, maxArgc, syscallInfo } from '../../model';

export function profileHover(doc: ParsedDocument, path: PathSegment[], node: SourceNode): string | undefined {
  if (node.type !== 'string' || typeof node.value !== 'string') return undefined;
  const value = node.value;
  const key = [...path].reverse().find((s): s is string => typeof s === 'string');
  if (doc.format.kind === 'seccomp') {
    if (key === 'names' || key === 'name') return syscallHover(doc, value);
    if (key === 'action' || key === 'defaultAction') return actionHover(value);
    if (key === 'op') return operatorHover(value);
    if (key === 'architectures' || key === 'architecture' || key === 'subArchitectures') return architectureHover(value);
    return undefined;
  }
  if (doc.format.kind === 'landlock') {
    const kind = rightKindAt(path, key);
    if (kind) return rightHover(doc, kind, value);
  }
  return undefined;
}

function syscallHover(doc: ParsedDocument, name: string): string | undefined {
  const info = syscallInfo(name);
  if (!info) return undefined;
  const lines = [`**${name}**${info.desc ? ` — ${info.desc}` : ''}`];
  if (info.sig) lines.push('```c\n' + info.sig + '\n```' + (info.sigOf ? `\n(prototype of ${info.sigOf})` : ''));
  const argc = maxArgc(info);
  const facts: string[] = [];
  if (argc !== undefined) facts.push(`${argc} argument${argc === 1 ? '' : 's'} (args index 0–${Math.max(0, argc - 1)})`);
  if (info.man) facts.push(`man ${info.man}`);
  if (info.wrapper === false) facts.push('no glibc wrapper');
  if (facts.length) lines.push(facts.join(' · '));
  const arches = profileArchitectures(doc);
  const numbers = arches.map((a) => `${short(a)} ${existsOn(info, a) ? (info.nr?.[a] ?? `via ${info.mux?.[a]}`) : '—'}`);
  lines.push(`Number: ${numbers.join(' · ')}`);
  const others = architecturesOf(info).filter((a) => !arches.includes(a));
  if (others.length) lines.push(`Also on ${others.length} other architecture${others.length === 1 ? '' : 's'}: ${others.slice(0, 6).map(short).join(', ')}${others.length > 6 ? ', …' : ''}`);
  const mux = Object.entries(info.mux ?? {}).filter(([a]) => arches.includes(a));
  if (mux.length) lines.push(`On ${mux.map(([a]) => short(a)).join(', ')} also reachable through ${mux[0][1]}(2); libseccomp filters both forms.`);
  if (info.inLibseccomp === false) lines.push('Not known to the installed libseccomp: a filter naming it cannot be compiled here.');
  return lines.join('\n\n');
}

function short(arch: string): string {
  return arch.replace(/^SCMP_ARCH_/, '').toLowerCase();
}

function actionHover(name: string): string | undefined {
  const a = actionInfo(name);
  if (!a) return undefined;
  return `**${a.name}** — ${a.summary}\n\n${a.meaning}\n\nLinux ${a.kernel}, libseccomp ${a.libseccomp}${a.errnoRet ? ' · uses errnoRet' : ''}`;
}

function operatorHover(name: string): string | undefined {
  const o = operatorInfo(name);
  return o ? `**${o.name}** — \`${o.expr}\`\n\n${o.meaning}` : undefined;
}

function architectureHover(name: string): string | undefined {
  const a = architectureInfo(name);
  if (!a) return undefined;
  const compat = a.compat.length ? `\n\nCompat ABIs: ${a.compat.join(', ')}` : '';
  return `**${a.name}** — libseccomp \`${a.libseccomp}\`, ${a.bits}-bit${a.docker ? `, Docker \`${a.docker}\`` : ''}${compat}`;
}

function rightKindAt(path: PathSegment[], key: string | undefined): RightKind | undefined {
  if (key === 'handledAccessFs' || key === 'handled_access_fs') return 'fs';
  if (key === 'handledAccessNet' || key === 'handled_access_net') return 'net';
  if (key === 'scoped') return 'scope';
  if (key === 'allowedAccess' || key === 'allowed_access') return path[0] === 'netPort' || path[0] === 'net_port' ? 'net' : 'fs';
  return undefined;
}

function rightHover(doc: ParsedDocument, kind: RightKind, name: string): string | undefined {
  const value = doc.value();
  const abi = value && typeof value === 'object' && !Array.isArray(value) && typeof value.abi === 'number' ? value.abi : undefined;
  if (isGroup(name)) {
    const group = GROUPS[name];
    if (!group) return undefined;
    const expansion = abi === undefined ? 'Needs `abi` to be declared.' : `At abi ${abi}: ${expandGroup(name, kind, abi).join(', ') || 'nothing'}.`;
    return `**${name}** — ${group.description}\n\n${expansion}`;
  }
  const r = rightInfo(kind, name);
  if (!r) return undefined;
  const applies = r.appliesTo === 'directory' ? '\n\nDirectories only: the kernel rejects it in a rule whose parent is a file.' : '';
  return `**${r.name}** (\`${r.uapi}\`) — ${r.description}\n\nLandlock ABI ${r.abi}, Linux ${r.kernel}${abi !== undefined && r.abi > abi ? ` — above the declared abi ${abi}` : ''}${applies}`;
}
