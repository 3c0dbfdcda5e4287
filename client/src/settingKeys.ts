/** The extension's settings (package.json `contributes.configuration`), as config.ts reads them. Pure. */

/** Every key config.ts has a typed getter for, in package.json's order (test/unit/config.test.ts checks both). */
export const SETTING_KEYS = ['phantom.runtime.path', 'phantom.run.network', 'phantom.run.timeoutSeconds', 'phantom.trace.server', 'phantom.pressure.warning', 'phantom.pressure.critical'] as const;

/** The runtime bundle to start: the user's `phantom.runtime.path`, else the extension's own. */
export function runtimeBundle(setting: string, bundled: string): string {
  return setting.trim() || bundled;
}
