// Runs a property against a profile with fast-check: generated scenarios,
// shrinking, and a counterexample that replays from seed and path.

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import type { Scenario, StepResult } from '../scenario/types.ts';
import { scenarioArb } from '../generators/scenario.ts';
import type { Compiled } from '../generators/compile.ts';
import { runScenario } from '../model/run.ts';
import type { Property, Violation } from './types.ts';
import { minimize } from './minimize.ts';

export interface CheckOptions {
  runs: number;
  seed: number;
  /** fast-check replay path of a previous failure */
  path?: string;
  maxCommands?: number;
  /** fast-check size of the command list ('large' gives sequences of ~100-200 commands) */
  size?: 'small' | 'medium' | 'large' | 'xlarge' | 'max';
  /** sees every generated case (campaign statistics: steps, outcomes) */
  observe?: (c: Compiled) => void;
}

export interface Counterexample {
  property: string;
  profile: string;
  seed: number;
  path: string;
  scenario: Scenario;
  results: StepResult[];
  violation: Violation;
  shrinks: number;
}

export type CheckResult = { ok: true; runs: number } | { ok: false; runs: number; counterexample: Counterexample };

export function checkProperty(prop: Property, profile: Profile, o: CheckOptions): CheckResult {
  const arb = scenarioArb({ profile, maxCommands: o.maxCommands ?? 40, ...(o.size ? { size: o.size } : {}), ...prop.gen });
  const params: fc.Parameters<[Compiled]> = { numRuns: o.runs, seed: o.seed };
  if (o.path !== undefined) params.path = o.path;
  const details = fc.check(
    fc.property(arb, (c) => {
      o.observe?.(c);
      return prop.check(c.scenario, profile) === null;
    }),
    params,
  );
  if (!details.failed) return { ok: true, runs: details.numRuns };
  if (!details.counterexample) throw new Error(`${prop.name}: fast-check failed without a counterexample`);
  const c = details.counterexample[0];
  const scenario: Scenario = { ...minimize(prop, profile, c.scenario), name: `${prop.name} on ${profile.name}` };
  const violation = prop.check(scenario, profile)!;
  const results = runScenario(scenario, { profile }).results;
  // label the expected results so the scenario replays as a regression test
  scenario.steps = scenario.steps.map((s, i) => ({ ...s, expect: results[i]!.ret }));
  return {
    ok: false,
    runs: details.numRuns,
    counterexample: {
      property: prop.name,
      profile: profile.name,
      seed: o.seed,
      path: details.counterexamplePath ?? '',
      scenario,
      results,
      violation,
      shrinks: details.numShrinks,
    },
  };
}
