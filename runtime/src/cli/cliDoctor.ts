/** `phantom doctor`: each kernel feature the product uses, found or missing, and what a missing one means. */
import { defineCommand } from './cliArgs';
import { probeKernelFeatures } from '../kernel/kernelProbe';
import { probeLandlockAudit } from '../kernel/auditProbe';

export const DOCTOR_COMMAND = defineCommand({
  name: 'doctor',
  summary: 'report which kernel features the sandbox can use here',
  options: {
    json: { type: 'boolean', help: 'print the findings as JSON' },
  },
  main: runDoctor,
});

async function runDoctor(values: { json?: boolean }): Promise<number> {
  const features = probeKernelFeatures();
  // Informational, not a check: without it Landlock refusals are only inferred (`phantom run --explain`), not observed.
  const audit = probeLandlockAudit();
  if (values.json) {
    console.log(JSON.stringify({ ...features, landlockAudit: audit }, null, 2));
  } else {
    console.log(`Kernel ${features.kernel} (${features.arch})`);
    const width = Math.max(...features.checks.map((c) => c.name.length));
    for (const check of features.checks) {
      const status = check.ok ? 'ok     ' : 'missing';
      console.log(`  ${status}  ${check.name.padEnd(width)}  ${check.detail}`);
      if (!check.ok && check.impact) console.log(`  ${' '.repeat(7)}  ${' '.repeat(width)}  → ${check.impact}`);
    }
    console.log(`Landlock denial records (audit): ${audit.readable ? 'readable' : 'not readable'} — ${audit.detail}`);
    if (!audit.readable) {
      console.log('  → Landlock refusals are reported only when inferred: `phantom run --explain`. Phantom never turns audit on itself.');
      if (audit.howTo) console.log(`  → to have every run report them exactly: ${audit.howTo}`);
    } else {
      console.log('  → every run reports its Landlock refusals exactly, from these records (no --explain needed)');
    }
  }
  return features.checks.every((c) => c.ok) ? 0 : 1;
}
