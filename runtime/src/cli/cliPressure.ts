/**
 * `phantom pressure [--json] [--watch] [--interval MS]`: the machine's pressure stall information.
 * `--json` prints /proc/pressure as `{"cpu": {"some": {"avg10", "avg60", "avg300", "total"}, "full": {...}}, …}`
 * with the kernel's numbers; `--watch` keeps printing (one JSON object per line with --json) until interrupted,
 * at once when a PSI trigger fires too.
 */
import { defineCommand, parsePositiveNumber } from './cliArgs';
import { resolvePressureRules } from '../psi/admission';
import { openPsiMonitor, type PsiSample } from '../psi/psiMonitor';
import { PSI_RESOURCES, type PsiLine, type PsiSnapshot } from '../psi/psiParser';
import { triggerSpecsFor } from '../psi/psiService';

export const PRESSURE_COMMAND = defineCommand({
  name: 'pressure',
  summary: 'show the pressure stall information (PSI) of cpu, memory and io',
  options: {
    json: { type: 'boolean', help: "the kernel's figures as JSON (one object per line with --watch)" },
    watch: { type: 'boolean', help: 'keep printing until interrupted (at once when a PSI trigger fires)' },
    interval: { type: 'string', value: 'MS', help: 'milliseconds between lines of --watch (default 1000)' },
  },
  main: runPressure,
});

function table(snapshot: PsiSnapshot): string {
  const cell = (line: PsiLine | undefined) =>
    line ? [line.avg10, line.avg60, line.avg300].map((v) => v.toFixed(2).padStart(7)).join('') + String(line.total).padStart(14) : '      —      —      —             —';
  const header = `${''.padEnd(8)}${'some avg10'.padStart(10)}${'avg60'.padStart(7)}${'avg300'.padStart(7)}${'total µs'.padStart(14)}   ${'full avg10'.padStart(10)}${'avg60'.padStart(7)}${'avg300'.padStart(7)}${'total µs'.padStart(14)}`;
  const rows = PSI_RESOURCES.map((r) => `${r.padEnd(8)}   ${cell(snapshot[r].some)}      ${cell(snapshot[r].full)}`);
  return [header, ...rows].join('\n');
}

function line(sample: PsiSample): string {
  const time = new Date(sample.at).toTimeString().slice(0, 8);
  const figures = `CPU ${sample.system.cpu.some.avg10.toFixed(2)}% · MEM ${sample.system.memory.some.avg10.toFixed(2)}% · IO ${sample.system.io.some.avg10.toFixed(2)}%`;
  return `${time}  ${figures}${sample.triggered ? `  (trigger: ${sample.triggered.join(', ')})` : ''}`;
}

async function runPressure(values: { json?: boolean; watch?: boolean; interval?: string }): Promise<number> {
  const intervalMs = values.interval ? parsePositiveNumber(values.interval, '--interval', true) : 1000;
  const opened = openPsiMonitor();
  if ('reason' in opened) {
    console.error(`phantom pressure: ${opened.reason}`);
    return 1;
  }
  const monitor = opened.monitor;
  if (!values.watch) {
    const snapshot = monitor.read();
    await monitor.dispose();
    console.log(values.json ? JSON.stringify(snapshot, null, 2) : table(snapshot));
    return 0;
  }
  // With --json each line has exactly the one-shot shape (no extra keys), so tools can read either.
  const print = (sample: PsiSample) => console.log(values.json ? JSON.stringify(sample.system) : line(sample));
  print(monitor.sample());
  monitor.start(intervalMs, print, (error) => console.error(`phantom pressure: ${error.message}`));
  try {
    monitor.armTriggers(triggerSpecsFor(resolvePressureRules()));
  } catch (error) {
    // Still useful without triggers: crossings show at the next tick.
    console.error(`phantom pressure: no triggers — ${(error as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await monitor.dispose();
  return 0;
}
