// Structural deep copy preserving sharing and cycles (the model state is a
// graph: fd tables shared by threads, files in several tables, parents).

export function cloneDeep<T>(v: T, memo: Map<unknown, unknown> = new Map()): T {
  if (typeof v !== 'object' || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen as T;
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a.push(cloneDeep(v[i], memo));
    return a as T;
  }
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    memo.set(v, m);
    for (const [k, x] of v) m.set(cloneDeep(k, memo), cloneDeep(x, memo));
    return m as T;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    memo.set(v, s);
    for (const x of v) s.add(cloneDeep(x, memo));
    return s as T;
  }
  const o = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  memo.set(v, o);
  for (const key of Object.keys(v as object)) {
    const x = cloneDeep((v as Record<string, unknown>)[key], memo);
    // an own "__proto__" key (JSON.parse makes them) is data: assigning it would set the prototype
    if (key === '__proto__') Object.defineProperty(o, key, { value: x, writable: true, enumerable: true, configurable: true });
    else o[key] = x;
  }
  return o as T;
}
