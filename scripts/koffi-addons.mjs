// koffi's native addon for each target of scripts/targets.mjs, for the build (scripts/build.mjs).
//
// npm installs only this machine's platform package (@koromix/koffi-linux-x64 on x64): the others are optional
// dependencies of koffi whose `cpu` does not match, so npm skips them. Making the other one a devDependency makes
// `npm install` fail on every machine of another architecture (EBADPLATFORM, "Valid cpu: arm64, Actual cpu: x64")
// unless forced (--force lifts every platform check), and npm's --cpu/--os flags switch every platform package
// (esbuild's too) to that architecture. So the other architecture's package is fetched here with `npm pack
// --prefer-offline` (npm's own cache and registry settings) at the version and sha512 integrity that
// package-lock.json already records for koffi's optional dependency, and unpacked under node_modules/.cache.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The lockfile's entry of koffi's platform package for `target` (version, integrity). */
function locked(root, pkgName) {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const entry = lock.packages?.[`node_modules/${pkgName}`];
  if (!entry?.version || !entry.integrity) throw new Error(`package-lock.json has no version and integrity for ${pkgName} (koffi's optional dependency): run npm install`);
  return entry;
}

/** The path of koffi.node for `target`; throws with the missing file, package or command named. */
export function koffiAddon(root, target) {
  const pkgName = `@koromix/koffi-${target.name}`;
  const installed = path.join(root, 'node_modules', pkgName);
  const inside = (dir) => path.join(dir, target.koffi, 'koffi.node');
  if (fs.existsSync(inside(installed))) return inside(installed);

  const { version, integrity } = locked(root, pkgName);
  const cache = path.join(root, 'node_modules/.cache/phantom-koffi', `${target.name}-${version}`);
  if (fs.existsSync(inside(path.join(cache, 'package')))) return inside(path.join(cache, 'package'));

  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(cache, { recursive: true });
  console.log(`build: fetching ${pkgName}@${version} (koffi's addon for ${target.name}) with npm pack`);
  const pack = spawnSync('npm', ['pack', `${pkgName}@${version}`, '--pack-destination', cache, '--json', '--silent', '--prefer-offline'], { cwd: cache, encoding: 'utf8' });
  if (pack.status !== 0) {
    throw new Error(`npm pack ${pkgName}@${version} failed (${pack.error?.message ?? `exit ${pack.status}`}): ${(pack.stderr ?? '').trim().split('\n').slice(-3).join(' ')} — ` +
      'koffi\'s addon for this architecture comes from the npm registry: is it reachable?');
  }
  const [packed] = JSON.parse(pack.stdout);
  if (packed?.integrity !== integrity) {
    throw new Error(`${pkgName}@${version} from the registry has integrity ${packed?.integrity}, but package-lock.json records ${integrity}: not using it`);
  }
  const tar = spawnSync('tar', ['-xzf', path.join(cache, packed.filename), '-C', cache], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`unpacking ${path.join(cache, packed.filename)} failed: ${tar.stderr}`);
  const addon = inside(path.join(cache, 'package'));
  if (!fs.existsSync(addon)) throw new Error(`${pkgName}@${version} has no ${target.koffi}/koffi.node`);
  return addon;
}
