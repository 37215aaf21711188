// A small binary delta for streaming policies to the guest executor
// (oracle/PROTOCOL.md "SELinux", `blob` lines): the policies of a campaign
// differ from each other in a few hundred bytes (types, rules), so each one is
// sent as copies from a policy the guest already holds plus inserted bytes.
// Pure, deterministic.
//
// Text form: ops separated by "."; "c<off>,<len>" (hex) copies base[off..off+len),
// "i<base64url>" inserts bytes. Only [0-9a-f,.ciA-Za-z_-] appear: no space, no
// "=", nothing percent-encoding would touch.

const KEY = 8;
const MIN_COPY = 10;

/** the key index of a base, built once per buffer */
const indexes = new WeakMap<Buffer, Map<string, number[]>>();

/** ops that turn `base` (or nothing) into `target` */
export function encodeDelta(base: Buffer | null, target: Buffer): string {
  const ops: string[] = [];
  let pending = 0; // start of the bytes not yet emitted
  const flushInsert = (end: number): void => {
    if (end > pending) ops.push(`i${target.subarray(pending, end).toString('base64url')}`);
  };
  if (base && base.length >= KEY) {
    let index = indexes.get(base);
    if (!index) {
      index = new Map<string, number[]>();
      for (let j = 0; j + KEY <= base.length; j++) {
        const k = base.toString('latin1', j, j + KEY);
        const l = index.get(k);
        if (!l) index.set(k, [j]);
        else if (l.length < 16) l.push(j);
      }
      indexes.set(base, index);
    }
    let next = -1; // where the last copy ended in base: tried first
    let i = 0;
    while (i + KEY <= target.length) {
      const cands = index.get(target.toString('latin1', i, i + KEY));
      let best = -1;
      let bestLen = 0;
      const tryAt = (j: number): void => {
        let n = 0;
        while (j + n < base.length && i + n < target.length && base[j + n] === target[i + n]) n++;
        if (n > bestLen) {
          bestLen = n;
          best = j;
        }
      };
      if (next >= 0 && next < base.length) tryAt(next);
      for (const j of cands ?? []) tryAt(j);
      if (bestLen >= MIN_COPY) {
        flushInsert(i);
        ops.push(`c${best.toString(16)},${bestLen.toString(16)}`);
        i += bestLen;
        pending = i;
        next = best + bestLen;
      } else i++;
    }
  }
  flushInsert(target.length);
  return ops.join('.');
}

/** the inverse (for tests; the executor has its own in C) */
export function applyDelta(base: Buffer | null, ops: string): Buffer {
  const parts: Buffer[] = [];
  for (const op of ops === '' ? [] : ops.split('.')) {
    if (op[0] === 'c') {
      const [o, l] = op.slice(1).split(',').map((x) => parseInt(x, 16));
      if (!base || o === undefined || l === undefined || o + l > base.length) throw new Error('bad copy');
      parts.push(base.subarray(o, o + l));
    } else if (op[0] === 'i') parts.push(Buffer.from(op.slice(1), 'base64url'));
    else throw new Error('bad op');
  }
  return Buffer.concat(parts);
}
