// Public API: generators. `import { ... } from 'bpf-token-conformance/generators'`.
// fast-check arbitraries of whole scenarios (user-namespace trees, credentials,
// delegation, mounts, call sequences), compiled against the model.

import fc from 'fast-check';
import { type GenOptions, scenarioArb } from '../generators/scenario.ts';
import type { Compiled } from '../generators/compile.ts';
import type { Scenario } from '../scenario/types.ts';

export type { GenOptions, Compiled };
export { scenarioArb };

/** `n` generated scenarios, deterministic in `seed` */
export function sampleScenarios(o: GenOptions, n: number, seed: number): Scenario[] {
  return fc.sample(scenarioArb(o), { numRuns: n, seed }).map((c) => c.scenario);
}
