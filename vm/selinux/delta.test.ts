import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDelta, encodeDelta } from './delta.ts';

describe('policy deltas (the guest executor applies them, oracle/executor.c parse_blob())', () => {
  it('round-trips with and without a base; ops use only protocol-safe characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 399 }), (a, b, cut) => {
        const base = Buffer.from(a);
        // a target that shares a run with the base, as two policies of one campaign do
        const target = Buffer.concat([Buffer.from(b.slice(0, cut % (b.length + 1))), base, Buffer.from(b)]);
        for (const from of [base, null]) {
          const ops = encodeDelta(from, target);
          expect(applyDelta(from, ops).equals(target)).toBe(true);
          expect(ops).toMatch(/^[0-9a-fA-Za-z,._-]*$/);
        }
      }),
      { numRuns: 200, seed: 10 },
    );
  });
  it('copies a shared run instead of inserting it', () => {
    const base = Buffer.alloc(4096, 7).fill(3, 100, 200);
    const target = Buffer.concat([Buffer.from('x'), base]);
    expect(encodeDelta(base, target).length).toBeLessThan(40);
  });
});
