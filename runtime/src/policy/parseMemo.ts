/**
 * The last parse of each source, reused while its text is unchanged. Preparing a run from phantom-fragment.yaml
 * parses the configuration and the profile files it names (~1-1.5 ms for examples/ on the reference VM); a
 * file is still read every time — the text decides, never a timestamp — but parsed again only when it changed.
 * Values are frozen: every run that shares one sees exactly what was parsed.
 */
const MAX_ENTRIES = 64;
const parsed = new Map<string, { text: string; value: unknown }>();

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `parse()` of `text`, or the value it gave last time for the same key and the same text. */
export function parsedOnce<T>(key: string, text: string, parse: () => T): T {
  const known = parsed.get(key);
  if (known && known.text === text) return known.value as T;
  const value = deepFreeze(parse());
  parsed.delete(key);
  if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, { text, value });
  return value;
}

/** One object per key for values derived from frozen ones, so that caches keyed by object (seccompCompiler.ts) hit. */
const derived = new WeakMap<object, Map<string, unknown>>();

export function derivedOnce<T>(from: object, key: string, make: () => T): T {
  let byKey = derived.get(from);
  if (!byKey) derived.set(from, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, deepFreeze(make()));
  return byKey.get(key) as T;
}
