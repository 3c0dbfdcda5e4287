/**
 * A tiny test runner for the extension host (no mocha: one dependency less, nothing to configure, and the
 * results come back as plain JSON that the driver reads from a file and the browser console).
 *
 *   test('name', async () => { ... }, { timeoutMs });
 *
 * Tests run one after the other in registration order (file order, then declaration order).
 */
export interface TestOptions {
  timeoutMs?: number;
}

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

interface TestCase {
  name: string;
  fn: () => unknown;
  timeoutMs: number;
}

const tests: TestCase[] = [];

export function test(name: string, fn: () => unknown, options: TestOptions = {}): void {
  tests.push({ name, fn, timeoutMs: options.timeoutMs ?? 45_000 });
}

export async function runAll(log: (line: string) => void): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const t of tests) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(t.fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs);
        }),
      ]);
      results.push({ name: t.name, ok: true, ms: Date.now() - started });
      log(`ok - ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.push({ name: t.name, ok: false, ms: Date.now() - started, error });
      log(`not ok - ${t.name} (${Date.now() - started} ms)\n${error}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}

/** Polls `probe` until `accept` holds; throws with what was expected and what was last seen. */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 30_000,
  show: (v: T | undefined) => string = (v) => JSON.stringify(v),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${show(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
