/**
 * What decided a run's settings, for its denials to name it (docs/sandbox.md, "Denials"): the phantom-fragment.yaml
 * profile (file, name, its text read before the run), where the network mode came from — and the network refusals
 * explained from it: the address, the `network:` line, the fix in words and as an edit.
 */
import { parseSource } from '../../../model';
import { childAt, type SourceNode } from '../../../model';
import type { Denial, DenialEdit, NetworkMode } from '../protocol';

/** PreparedRun.origin (sandboxSpec.ts). */
export interface RunOrigin {
  /** The phantom-fragment.yaml (absolute) and the profile the run used, when it used one. */
  config?: string;
  profile?: string;
  /** The configuration's text as it was read for the run (the sandbox may rewrite the file while it runs). */
  configText?: string;
  /** Where `network` came from: the request (`--network`), an editor setting, the profile, or the default (none). */
  networkFrom: 'request' | 'setting' | 'profile' | 'default';
}

/** 1-based line of a key path in a YAML/JSON text (the deepest key found), or undefined. */
export function lineOfKey(text: string | undefined, file: string, keys: string[]): { line: number; found: boolean } | undefined {
  if (text === undefined) return undefined;
  let node: SourceNode | undefined;
  try {
    node = parseSource(text, /\.json$/i.test(file) ? 'json' : 'yaml').root;
  } catch {
    return undefined;
  }
  let last: SourceNode | undefined;
  let found = true;
  for (const key of keys) {
    const next = node ? childAt(node, key) : undefined;
    if (!next) {
      found = false;
      break;
    }
    last = node = next;
  }
  return last ? { line: text.slice(0, last.keyStart ?? last.start).split('\n').length, found } : undefined;
}

/** Whether "host:port" / "[v6]:port" names the local host (what `network: loopback` reaches, inside the sandbox). */
export function loopbackAddress(address: string): boolean {
  const host = address.startsWith('[') ? address.slice(1, address.lastIndexOf(']')) : address.slice(0, address.lastIndexOf(':'));
  return /^127\./.test(host) || host === '0.0.0.0' || host === '::1' || host === '::' || /^::ffff:(127\.|0\.0\.0\.0$)/i.test(host);
}

/** The source of the network mode, as a denial names it. */
function networkSource(run: RunOrigin | undefined, mode: NetworkMode): Denial['source'] {
  if (run?.networkFrom === 'request') return { file: `--network ${mode}`, reason: `network: ${mode} (the command line)` };
  if (run?.networkFrom === 'setting') return { file: 'phantom.network setting', reason: `network: ${mode} (the editor's setting)` };
  if (run?.config && run.profile) {
    const at = lineOfKey(run.configText, run.config, ['profiles', run.profile, 'network']);
    return {
      file: run.config,
      ...(at ? { line: at.line } : {}),
      reason: at?.found ? `network: ${mode} of profile '${run.profile}'` : `profile '${run.profile}' sets no network: the default is none`,
    };
  }
  return { file: 'default network mode', reason: 'network: none (no --network, no profile)' };
}

/** A refusal by the network namespace: a call the profile allowed towards an address the mode cannot reach. */
export function networkDenial(raw: { count: number; address: string }, syscall: string, mode: NetworkMode, run: RunOrigin | undefined): Denial {
  const local = loopbackAddress(raw.address);
  // Least privilege first: a loopback address under none only needs the sandbox's own lo.
  const wanted: NetworkMode = mode === 'none' && local ? 'loopback' : 'host';
  const why = mode === 'none'
    ? 'network: none has no interface up, not even lo'
    : 'network: loopback reaches only the sandbox\u2019s own lo';
  const denial: Denial = {
    // No `result`: the kernel answers the call in the namespace (ENETUNREACH, EADDRNOTAVAIL for ::1 under none …).
    kind: 'network', syscall, address: raw.address, count: raw.count,
    source: networkSource(run, mode),
  };
  const hostNote = wanted === 'loopback' ? ' for a server the sandbox starts itself; a server on the host needs `network: host`' : ' (the host\u2019s network; asks for approval)';
  const profileFix = run?.config && run.profile && run.networkFrom !== 'request' && run.networkFrom !== 'setting';
  denial.fix = profileFix
    ? `${why}: set \`network: ${wanted}\` in profile '${run.profile}'${hostNote}`
    : `${why}: run with \`--network ${wanted}\`${hostNote}`;
  if (profileFix) denial.edit = { kind: 'network', file: run.config!, profile: run.profile!, mode: wanted } satisfies DenialEdit;
  return denial;
}
