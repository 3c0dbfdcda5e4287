/**
 * Exact Landlock refusals, from the kernel's own records (docs/sandbox.md, "Denials"): where audit is enabled and
 * readable, the helper reads Landlock's denial records of the run's domains (native/src/audit_landlock.c) and sends
 * each distinct refused path with the rights that blocked it. They are explained here as `phantom run --explain`
 * explains its inferred ones — the same evaluator finds the layer (file and line, or the filesystem setting) that
 * refuses the path, and gives the fix in words and as an edit — but they are observed, not inferred.
 */
import type { Denial } from '../protocol';
import { FS_RIGHTS } from '../learn/learnPaths';
import type { SandboxSpec } from '../sandbox/sandboxSpawn';
import type { RunOrigin } from './denialSources';
import type { RawDenial } from './denials';
import { fsDenial, layersWithText, refusingLayer } from './explainRun';

/** "fs.read_file,fs.write_file" → the fs rights' mask and the other blockers' names (scopes, net). */
function blockers(text: string): { mask: number; names: string[]; other: string[] } {
  let mask = 0;
  const names: string[] = [];
  const other: string[] = [];
  for (const b of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const right = b.startsWith('fs.') ? FS_RIGHTS.find((r) => r.name === b.slice(3)) : undefined;
    if (right) {
      mask |= right.value;
      names.push(right.name);
    } else other.push(b);
  }
  return { mask, names, other };
}

/**
 * The run's audited Landlock refusals, explained against its layers. The layers are computed after the run from its
 * spec (only when there is a refusal to explain); `spec` is the run's own.
 */
export function auditedLandlockDenials(raw: readonly RawDenial[] | undefined, spec: SandboxSpec, run?: RunOrigin): Denial[] {
  const audited = (raw ?? []).filter((r) => r.kind === 'landlock');
  if (!audited.length) return [];
  const layers = layersWithText(spec);
  return audited.map((r) => {
    const p = r.path ?? '';
    const { mask, names, other } = blockers(r.access ?? '');
    const refusing = p.startsWith('/') && mask ? refusingLayer(layers, p, mask) : undefined;
    const denial: Denial = refusing
      ? fsDenial(p, r.count, names, refusing.at, run)
      : {
        kind: 'landlock', ...(p ? { path: p } : {}), access: [...names, ...other], count: r.count, result: 'EACCES',
        source: { file: layers.find((l) => l.layer.kind === 'file')?.layer.source ?? 'Landlock', reason: `Landlock refused ${r.access}` },
      };
    delete denial.inferred; // the kernel's record: observed
    if (refusing) denial.access = names;
    return denial;
  });
}
