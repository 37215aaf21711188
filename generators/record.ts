// fc.record() without its null-prototype objects (issue 13). fast-check's
// record draws one more boolean per value and, when it is true, builds the
// value with Object.create(null): half of all generated commands were
// dictionary-mode objects, slow for every field the compiler reads. This
// draws the same tuple, the boolean included (so the same seed gives the same
// cases, and shrinking takes the same steps), and always builds a plain
// object with the same keys in the same order.

import fc from 'fast-check';

function plainRecord(model: Record<string, fc.Arbitrary<unknown>>, constraints?: unknown): fc.Arbitrary<Record<string, unknown>> {
  if (constraints !== undefined) throw new Error('generators/record.ts: record() takes no constraints (use fc.record)');
  const keys = Object.keys(model);
  const arbs = keys.map((k) => model[k]!);
  return fc.tuple(...arbs, fc.boolean()).map((vals) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = vals[i];
    return o;
  });
}

/** fc.record's type (its inference of each field), without constraints */
export const record = plainRecord as unknown as typeof fc.record;
