// Structural deep copy preserving sharing and cycles (the model state is a
// graph: fd tables shared by threads, files in several tables, parents).
// A frozen object cannot change, so the copy shares it (a loaded policy's
// rules, model/lsm/policy.ts: most of the objects of a state with a policy).
// The hottest function of a campaign (every counterfactual copies the whole
// state): primitives are copied without a call, plain objects by spreading.

export function cloneDeep<T>(v: T, memo: Map<unknown, unknown> = new Map()): T {
  return child(v, memo) as T;
}

function child(x: unknown, memo: Map<unknown, unknown>): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const seen = memo.get(x);
  if (seen !== undefined) return seen;
  return Object.isFrozen(x) ? x : copy(x, memo);
}

/** a copy of an object not copied yet (child() looked it up in memo) */
function copy(v: object, memo: Map<unknown, unknown>): unknown {
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = child(v[i], memo);
    return a;
  }
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    memo.set(v, m);
    for (const [k, x] of v) m.set(child(k, memo), child(x, memo));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    memo.set(v, s);
    for (const x of v) s.add(child(x, memo));
    return s;
  }
  const src = v as Record<string, unknown>;
  const proto: unknown = Object.getPrototypeOf(v);
  let o: Record<string, unknown>;
  if (proto === Object.prototype) {
    // spreading defines data properties (an own "__proto__" key stays data)
    o = { ...src };
    memo.set(v, o);
  } else {
    o = Object.create(proto as object) as Record<string, unknown>;
    memo.set(v, o);
    for (const key of Object.keys(src)) {
      // an own "__proto__" key (JSON.parse makes them) is data: assigning it would set the prototype
      if (key === '__proto__') Object.defineProperty(o, key, { value: src[key], writable: true, enumerable: true, configurable: true });
      else o[key] = src[key];
    }
  }
  for (const key of Object.keys(o)) {
    const x = o[key];
    if (typeof x === 'object' && x !== null) {
      const c = child(x, memo);
      if (key === '__proto__') Object.defineProperty(o, key, { value: c, writable: true, enumerable: true, configurable: true });
      else o[key] = c;
    }
  }
  return o;
}
