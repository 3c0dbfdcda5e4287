/**
 * The `phantom` commands, in the order `phantom --help` lists them. A command is one `defineCommand({...})`
 * (cliArgs.ts) in its own module, added here: its option table is its parser and its help.
 */
import type { Command } from './cliArgs';
import { BENCH_COMMAND } from './cliBench';
import { CHECK_COMMAND } from './cliCheck';
import { DOCTOR_COMMAND } from './cliDoctor';
import { EXPLAIN_COMMAND } from './cliExplain';
import { EXPORT_COMMAND } from './cliExport';
import { LEARN_COMMAND } from './cliLearn';
import { PRESSURE_COMMAND } from './cliPressure';
import { RUN_COMMAND } from './cliRun';
import { TRUST_COMMAND } from './cliTrust';

export const COMMANDS: readonly Command[] = [
  RUN_COMMAND,
  CHECK_COMMAND,
  DOCTOR_COMMAND,
  EXPLAIN_COMMAND,
  TRUST_COMMAND,
  LEARN_COMMAND,
  EXPORT_COMMAND,
  PRESSURE_COMMAND,
  BENCH_COMMAND,
];
