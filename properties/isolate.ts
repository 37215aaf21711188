// Isolating a historical bug: a counterexample that fails on the buggy
// version AND passes on the next version (issue 9). fast-check searches, and
// the minimizer shrinks, under the conjunction "the property is violated on
// `bad` and holds on `next`", so the shrunk trace shows exactly what the fix
// changed, not a gap both versions share.

import type { Profile } from '../model/profile.ts';
import type { Property } from './types.ts';
import { type CheckResult, checkProperty } from './check.ts';

export function isolating(prop: Property, next: Profile): Property {
  return {
    ...prop,
    name: `${prop.name} (fails here, holds on ${next.name})`,
    check(s, profile) {
      const v = prop.check(s, profile);
      if (!v) return null;
      return prop.check(s, next) ? null : v;
    },
  };
}

/** a counterexample of `prop` on `bad` that `next` passes, generated on `bad` */
export function isolate(prop: Property, bad: Profile, next: Profile, o: { runs: number; seed: number }): CheckResult {
  return checkProperty(isolating(prop, next), bad, o);
}
