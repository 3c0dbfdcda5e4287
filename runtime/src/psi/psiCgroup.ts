/**
 * A sandbox's own pressure: the `cpu.pressure`, `memory.pressure` and `io.pressure` files of the cgroup v2
 * group its process is in. Works on pure v2 hosts and on hybrid ones (this machine: the v2 tree at
 * /sys/fs/cgroup/unified gives per-group pressure files although the controllers are v1).
 * A process left in the root group (the runtime does not make per-run groups yet) has no pressure of its own:
 * the answer says so instead of passing the whole machine's figures off as the sandbox's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCgroup2Mount } from '../kernel/kernelProbe';
import { cgroup2PathOf, parsePressureFile, PSI_RESOURCES, type PsiSnapshot } from './psiParser';

export type CgroupPressure =
  | { available: true; pid: number; cgroup: string; directory: string; pressure: PsiSnapshot }
  | { available: false; pid: number; reason: string };

/** Reads the pressure of the cgroup v2 group of `pid`. Never throws: a missing piece is the reason. */
export function cgroupPressureOf(pid: number, mountinfo?: string): CgroupPressure {
  const no = (reason: string): CgroupPressure => ({ available: false, pid, reason });
  let procCgroup: string;
  try {
    procCgroup = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch (error) {
    return no(`/proc/${pid}/cgroup: ${(error as NodeJS.ErrnoException).code ?? String(error)} — the process has exited`);
  }
  const group = cgroup2PathOf(procCgroup);
  if (group === null) return no(`process ${pid} is in no cgroup v2 group (cgroup v1 only): no per-sandbox pressure files`);
  if (group === '/') return no(`process ${pid} is in the root cgroup v2 group: it has no pressure files of its own (the machine's are in /proc/pressure)`);
  let mount: string | null;
  try {
    mount = parseCgroup2Mount(mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch (error) {
    return no(`/proc/self/mountinfo: ${(error as Error).message}`);
  }
  if (!mount) return no('no cgroup v2 hierarchy is mounted: per-sandbox pressure needs cgroup v2');
  const directory = path.join(mount, group);
  const pressure = {} as PsiSnapshot;
  for (const resource of PSI_RESOURCES) {
    const file = path.join(directory, `${resource}.pressure`);
    try {
      pressure[resource] = parsePressureFile(fs.readFileSync(file, 'latin1'), file);
    } catch (error) {
      return no(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} — this kernel gives no per-cgroup ${resource} pressure here`);
    }
  }
  return { available: true, pid, cgroup: group, directory, pressure };
}
