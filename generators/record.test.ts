// generators/record.ts draws what fc.record() draws: the same values from the
// same seed (and the same shrinks), as plain objects.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { record } from './record.ts';

describe('record', () => {
  const model = { a: fc.nat({ max: 9 }), b: fc.constantFrom('x', 'y'), c: fc.array(fc.boolean(), { maxLength: 3 }) };
  it('the same values as fc.record for the same seed, with Object.prototype', () => {
    const ours = fc.sample(record(model), { numRuns: 200, seed: 3 });
    const theirs = fc.sample(fc.record(model), { numRuns: 200, seed: 3 });
    expect(ours.map((v) => JSON.stringify(v))).toEqual(theirs.map((v) => JSON.stringify(v)));
    expect(ours.every((v) => Object.getPrototypeOf(v) === Object.prototype)).toBe(true);
    // fast-check's own makes some without a prototype: the reason for this helper
    expect(theirs.some((v) => Object.getPrototypeOf(v) === null)).toBe(true);
  });
  it('the same counterexample and shrinks as fc.record', () => {
    const run = (arb: fc.Arbitrary<{ a: number; b: string; c: boolean[] }>): string => {
      const d = fc.check(fc.property(arb, (v) => v.a < 7 || v.c.length < 2), { seed: 11, numRuns: 500 });
      return JSON.stringify([d.counterexample, d.numShrinks, d.counterexamplePath]);
    };
    expect(run(record(model))).toBe(run(fc.record(model)));
  });
});
