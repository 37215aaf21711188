// Structural deep copy preserving sharing and cycles (the model state is a
// graph: fd tables shared by threads, files in several tables, parents).
// A frozen object cannot change, so the copy shares it (a loaded policy's
// rules, model/lsm/policy.ts: most of the objects of a state with a policy),
// and so does every object the caller seeds `memo` with as its own copy
// (walk.ts cloneState: the profile and the user namespaces, which no step
// changes).
// The hottest function of a campaign (every counterfactual copies the whole
// state): primitives are copied without a call (arrays by slice(), which
// keeps an array's holes, plain objects by spreading), objects are looked up
// in `memo` only once each.

export function cloneDeep<T>(v: T, memo: Map<unknown, unknown> = new Map()): T {
  return (typeof v === 'object' && v !== null ? child(v, memo) : v) as T;
}

/** the copy of an object (memo: the objects copied so far and their copies) */
function child(x: object, memo: Map<unknown, unknown>): unknown {
  const seen = memo.get(x);
  if (seen !== undefined) return seen;
  return Object.isFrozen(x) ? x : copy(x, memo);
}

/** a copy of an object not copied yet (child() looked it up in memo) */
function copy(v: object, memo: Map<unknown, unknown>): unknown {
  if (Array.isArray(v)) {
    const a: unknown[] = v.slice();
    memo.set(v, a);
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i];
      if (typeof x === 'object' && x !== null) a[i] = child(x, memo);
    }
    return a;
  }
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    memo.set(v, m);
    for (const [k, x] of v as Map<unknown, unknown>)
      m.set(typeof k === 'object' && k !== null ? child(k, memo) : k, typeof x === 'object' && x !== null ? child(x, memo) : x);
    return m;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    memo.set(v, s);
    for (const x of v as Set<unknown>) s.add(typeof x === 'object' && x !== null ? child(x, memo) : x);
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
  // for-in, not Object.keys(): no array per object (a tenth of a copy's time); the
  // copy is a plain object or one whose prototype is a class's, and neither has
  // enumerable inherited keys (class methods are not enumerable)
  for (const key in o) {
    const x = o[key];
    if (typeof x === 'object' && x !== null) {
      const c = child(x, memo);
      if (key === '__proto__') Object.defineProperty(o, key, { value: c, writable: true, enumerable: true, configurable: true });
      else o[key] = c;
    }
  }
  return o;
}
