/**
 * Loads koffi, the FFI every binding of this folder goes through, on first use.
 *
 * koffi's API is its native addon (`koffi.node`); koffi's own JavaScript only looks for that addon in
 * `node_modules/@koromix/koffi-<platform>-<arch>` (npm installs it as an optional dependency) and wraps a few
 * deprecated names. A bundle (dist/runtime.js, dist/cli.js) does not depend on node_modules: the build copies the
 * addon of each platform to `dist/native/koffi/<platform>_<arch>/koffi.node` (`npm run package`: linux_x64 and
 * linux_arm64; `npm run build`: this machine's) and the bundle loads it from there, choosing the folder at run time
 * from `process.platform` and `process.arch`. When it is missing (a package
 * built for another machine, an incomplete install) the error names the file. Run from source (tests through tsx,
 * scripts), koffi comes from node_modules as usual.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Koffi from 'koffi';

export type KoffiApi = typeof Koffi;

/** Set to true by the build (esbuild `define`) in the bundles; undeclared when run from source. */
declare const PHANTOM_SHIPPED_KOFFI: boolean | undefined;

/** The folder of the addon for this machine, as koffi's packages name it (`linux_x64`, `linux_arm64`). */
export function koffiTriplet(platform: string = process.platform, arch: string = process.arch): string {
  return `${platform}_${arch}`;
}

/** Where a bundle in `bundleDir` finds the addon of this machine. */
export function shippedKoffiPath(bundleDir: string, platform?: string, arch?: string): string {
  return path.join(bundleDir, 'native', 'koffi', koffiTriplet(platform, arch), 'koffi.node');
}

let loaded: KoffiApi | undefined;

export function koffi(): KoffiApi {
  if (loaded) return loaded;
  const load = createRequire(__filename);
  if (typeof PHANTOM_SHIPPED_KOFFI !== 'undefined' && PHANTOM_SHIPPED_KOFFI) {
    const file = shippedKoffiPath(__dirname);
    if (!fs.existsSync(file)) {
      const folder = path.dirname(path.dirname(file));
      const shipped = fs.existsSync(folder) ? fs.readdirSync(folder).filter((d) => d.includes('_')) : [];
      throw new Error(
        `koffi's native module for ${process.platform}-${process.arch} is missing: ${file} does not exist ` +
          `(this copy has ${shipped.length ? shipped.join(', ') : 'none'}). The package is incomplete or was built for another machine: ` +
          'reinstall the extension built for this platform, or rebuild it here (npm run build).',
      );
    }
    let addon: KoffiApi;
    try {
      addon = load(file) as KoffiApi;
    } catch (e) {
      throw new Error(`loading koffi's native module ${file} failed: ${(e as Error).message}`, { cause: e });
    }
    if (typeof addon.load !== 'function') throw new Error(`${file} is not koffi's native module (it has no load())`);
    loaded = addon;
  } else {
    loaded = load('koffi') as KoffiApi;
  }
  return loaded;
}
