// Trace-level minimization after fast-check's shrinking: fast-check shrinks
// abstract commands (a delegation hand-off is one command of ~8 steps), so
// here single steps, then unused actors and namespaces, are removed while the
// property still fails (greedy delta debugging, largest chunks first); then
// every other part of the trace (scenario/reduce.ts reduceParts: the policy's
// allow rules and permissions, policy capabilities and options, LSM actions,
// races, actors' capabilities, threads and namespaces) while the property
// fails at the same step with the same message (the same first violating
// decision), and handles are renumbered.

import type { Scenario } from '../scenario/types.ts';
import { pruneDecls, reduceParts, reduceSteps, renumberHandles } from '../scenario/reduce.ts';
import type { Profile } from '../model/profile.ts';
import type { Property, Violation } from './types.ts';

function failsNow(prop: Property, profile: Profile, s: Scenario): Violation | null {
  try {
    return prop.check(s, profile);
  } catch {
    return null; // a reduction that no longer makes sense (dangling reference) does not count
  }
}

/** `stop`: true keeps the scenario reduced so far (every further candidate is rejected unchecked: a --time campaign past its budget) */
export function minimize(prop: Property, profile: Profile, s0: Scenario, budget = 4000, stop: () => boolean = () => false): Scenario {
  const fails = (p: Property, prof: Profile, c: Scenario): Violation | null => (stop() ? null : failsNow(p, prof, c));
  const keep = (c: Scenario): boolean => fails(prop, profile, c) !== null;
  let s = reduceSteps(s0, keep, budget);
  const pruned = pruneDecls(s);
  if (keep(pruned)) s = pruned;
  const first = fails(prop, profile, s);
  if (first) {
    const same = (c: Scenario): boolean => {
      const v = fails(prop, profile, c);
      return v !== null && v.step === first.step && v.message === first.message;
    };
    s = reduceParts(s, same, budget);
  }
  const renamed = renumberHandles(s);
  return renamed !== s && keep(renamed) ? renamed : s;
}
