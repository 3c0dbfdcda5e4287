import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCacheOutsideSandbox } from '../../runtime/src/storage/policyCacheGuard';
import { ProfileLoadError } from '../../model';

test('the policy cache may not overlap a folder the sandbox can write, either way round', () => {
  assert.throws(() => assertCacheOutsideSandbox('/home/me/.cache/phantom-fragment', ['/home/me']), (e: unknown) =>
    e instanceof ProfileLoadError && /the policy cache folder \/home\/me\/\.cache\/phantom-fragment is inside \/home\/me, which this sandbox can write/.test(e.message) && /XDG_CACHE_HOME/.test(e.message));
  assert.throws(() => assertCacheOutsideSandbox('/home/me/.cache/phantom-fragment', ['/w', '/home/me/.cache/phantom-fragment/bpf']), /is around/);
  assert.doesNotThrow(() => assertCacheOutsideSandbox('/home/me/.cache/phantom-fragment', ['/home/me/project', '/home/me/.cache/phantom-fragmentx']));
  assert.doesNotThrow(() => assertCacheOutsideSandbox(null, ['/']));
});
