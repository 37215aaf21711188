// Shared checks of a generator option (GenOptions.procs, .attach, ...): the ops it
// gates appear with it and never without, and its scenarios replay to what the
// compiler saw. The option's corpus files on the host kernel: oracle/kernel.testkit.ts.

import fc from 'fast-check';
import { expect } from 'vitest';
import type { Profile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { validateScenario } from '../scenario/validate.ts';
import { type GenOptions, scenarioArb } from './scenario.ts';

/** the ops of n generated scenarios (seed 9) */
export function opsOf(profile: Profile, gen: Partial<GenOptions>, n: number): Set<string> {
  return new Set(fc.sample(scenarioArb({ profile, ...gen }), { numRuns: n, seed: 9 }).flatMap((c) => c.scenario.steps.map((s) => s.op)));
}

/** every op of `ops` is drawn with the option, none without it */
export function expectOpsGated(profile: Profile, gen: Partial<GenOptions>, ops: readonly string[], n: number): void {
  const on = opsOf(profile, gen, n);
  for (const op of ops) expect(on.has(op), op).toBe(true);
  const off = opsOf(profile, {}, n);
  for (const op of ops) expect(off.has(op), op).toBe(false);
}

/** n scenarios of the option (seed 10) validate as written and replay to the compiler's results */
export function expectReplaysAsCompiled(profile: Profile, gen: Partial<GenOptions>, n: number): void {
  for (const c of fc.sample(scenarioArb({ profile, ...gen }), { numRuns: n, seed: 10 })) {
    const s = validateScenario(JSON.parse(JSON.stringify(c.scenario)));
    expect(runScenario(s, { profile }).results).toEqual(c.results);
  }
}
