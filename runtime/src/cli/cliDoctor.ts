/** `phantom doctor`: each kernel feature the product uses, found or missing, and what a missing one means. */
import { defineCommand } from './cliArgs';
import { probeKernelFeatures } from '../kernel/kernelProbe';

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
  if (values.json) {
    console.log(JSON.stringify(features, null, 2));
  } else {
    console.log(`Kernel ${features.kernel} (${features.arch})`);
    const width = Math.max(...features.checks.map((c) => c.name.length));
    for (const check of features.checks) {
      const status = check.ok ? 'ok     ' : 'missing';
      console.log(`  ${status}  ${check.name.padEnd(width)}  ${check.detail}`);
      if (!check.ok && check.impact) console.log(`  ${' '.repeat(7)}  ${' '.repeat(width)}  → ${check.impact}`);
    }
  }
  return features.checks.every((c) => c.ok) ? 0 : 1;
}
