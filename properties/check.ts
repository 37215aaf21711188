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
  /**
   * asked before each new generated case: true ends the check there, as passed
   * so far (a campaign's deadline, a stop request). Never asked while a failure
   * is being shrunk, so a counterexample found is always shrunk to the end.
   */
  interrupt?: () => boolean;
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

/** a property that stops the run (fast-check's interruption, as with its time limits) once `interrupt()` is true */
function interruptible<T>(p: fc.IRawProperty<T, false>, interrupt: () => boolean): fc.IRawProperty<T, false> {
  let shrinking = false;
  return {
    isAsync: () => false,
    generate: (mrng, runId) => p.generate(mrng, runId),
    shrink: (v) => p.shrink(v),
    run: (v) => {
      if (!shrinking && interrupt()) return new fc.PreconditionFailure(true);
      const r = p.run(v);
      if (r !== null && !fc.PreconditionFailure.isFailure(r)) shrinking = true;
      return r;
    },
    runBeforeEach: () => p.runBeforeEach(),
    runAfterEach: () => p.runAfterEach(),
  };
}

export function checkProperty(prop: Property, profile: Profile, o: CheckOptions): CheckResult {
  const arb = scenarioArb({ profile, maxCommands: o.maxCommands ?? 40, ...(o.size ? { size: o.size } : {}), ...prop.gen });
  const params: fc.Parameters<[Compiled]> = { numRuns: o.runs, seed: o.seed };
  if (o.path !== undefined) params.path = o.path;
  const property = fc.property(arb, (c) => {
    o.observe?.(c);
    return prop.check(c.scenario, profile) === null;
  });
  const details = fc.check(o.interrupt ? interruptible(property, o.interrupt) : property, params);
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
