// Public API: scenarios (the one trace format). `import { ... } from
// 'bpf-token-conformance/scenarios'`. Load, validate, run on the model, run on
// the running kernel, print.

import { loadScenarioFile } from '../scenario/io.ts';
import { ScenarioError, parseScenario as parse, validateScenario as validate } from '../scenario/validate.ts';
import { formatTrace } from '../scenario/format.ts';
import { runScenario } from '../model/run.ts';
import { type Profile, DEFAULT_PROFILE, findProfile } from '../model/profile.ts';
import { adaptToMachine, kernelUncheckable, probeKernel, runOnKernel as runKernel } from '../oracle/driver.ts';
import type { Scenario, Step, StepResult, AvcRecord } from '../scenario/types.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

export type { Scenario, Step, StepResult, AvcRecord };
export { ScenarioError, formatTrace };

/** reads and validates a scenario file (ScenarioError / FileError: one-line message with the JSON path) */
export function loadScenario(file: string): Scenario {
  return loadScenarioFile(file);
}

/** validates scenario JSON text */
export function parseScenario(text: string): Scenario {
  return parse(text);
}

/** validates a parsed JSON value */
export function validateScenario(value: unknown): Scenario {
  return validate(value);
}

function profileFor(s: Scenario, profile?: Profile | string): Profile {
  if (profile !== undefined && typeof profile !== 'string') return profile;
  const name = profile ?? s.profile ?? DEFAULT_PROFILE;
  const p = findProfile(name);
  if (!p) throw new ScenarioError('$.profile', `unknown profile ${JSON.stringify(name)}`);
  return p;
}

/** runs a scenario on the model: one result per step (ret "ok" or an errno name, text, SELinux decisions) */
export function runOnModel(s: Scenario, profile?: Profile | string): StepResult[] {
  return runScenario(s, { profile: profileFor(s, profile) }).results;
}

/** why the running kernel cannot run it (an LSM set-up, races, threads), or null */
export function whyNotOnKernel(s: Scenario): string | null {
  return kernelUncheckable(s);
}

export type KernelResult = { skipped: string } | { release: string; results: StepResult[]; error?: string };

/**
 * runs scenarios on the running kernel through the sandboxed executor
 * (oracle/SANDBOX.md): needs root, user namespaces, BPF token support and
 * the executor built by npm install; otherwise `{ skipped: reason }`
 */
export async function runOnKernel(scenarios: readonly Scenario[]): Promise<KernelResult[]> {
  for (const s of scenarios) {
    const why = kernelUncheckable(s);
    if (why) throw new ScenarioError('$', `cannot run on the kernel (${why})`);
  }
  const probe = await probeKernel();
  if ('skip' in probe) return scenarios.map(() => ({ skipped: probe.skip }));
  const runs = await runKernel(scenarios.map((s) => adaptToMachine(s, probe)));
  return runs.map((r) => ({ release: probe.release, results: r.results, ...(r.error !== undefined ? { error: r.error } : {}) }));
}
