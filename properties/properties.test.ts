// Every property holds on the profiles where its claim applies (holdsOn) and is seen failing, with a shrunk
// counterexample of a handful of steps, on each of its known-bad profiles.
// Longer campaigns: BPFTC_RUNS=20000 BPFTC_SEED=7 npm test

import { describe, expect, it } from 'vitest';
import { PROPERTIES } from './index.ts';
import { checkProperty } from './check.ts';
import { appliesTo } from './types.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';

const RUNS = Number(process.env.BPFTC_RUNS ?? 400);
const SEED = Number(process.env.BPFTC_SEED ?? 1);

describe.each(PROPERTIES.map((p) => [p.name, p] as const))('property %s', (_name, prop) => {
  it('has a claim, provenance and at least one known-bad profile', () => {
    expect(prop.claim.length).toBeGreaterThan(20);
    expect(prop.provenance.length).toBeGreaterThan(0);
    expect(prop.knownBad.length).toBeGreaterThan(0);
    expect(prop.holdsOn.length).toBeGreaterThan(0);
    // holding where the claim has nothing to check would be vacuous
    for (const name of [...prop.holdsOn, ...prop.knownBad]) expect(appliesTo(prop, findProfile(name)!), name).toBe(true);
  });

  it.each(prop.holdsOn)(`holds on %s (${RUNS} runs, seed ${SEED})`, (name) => {
    const profile = findProfile(name)!;
    expect(profile, name).toBeDefined();
    expect(prop.knownBad).not.toContain(name);
    const r = checkProperty(prop, profile, { runs: RUNS, seed: SEED });
    if (!r.ok) throw new Error(`${r.counterexample.violation.message} (seed ${SEED}, path ${r.counterexample.path})`);
    expect(r.runs).toBe(RUNS);
  });

  it.each(prop.knownBad)('is caught on %s with a shrunk counterexample', (bad) => {
    const profile = findProfile(bad)!;
    expect(profile.knownBad).toBe(true);
    const r = checkProperty(prop, profile, { runs: 2000, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const ce = r.counterexample;
    // LSM counterexamples carry a hand-off plus a policy, attach ones a hand-off (9 steps),
    // a load, a pass and the attach (generators/attach.ts): a few more steps
    expect(ce.scenario.steps.length).toBeLessThanOrEqual(prop.gen?.lsm || prop.gen?.attach ? 14 : 10);
    // the counterexample replays: same violation from the scenario alone, and
    // the same scenario is fine on linux-6.18 unless the step sequence differs
    expect(prop.check(ce.scenario, profile)).toEqual(ce.violation);
    const replay = runScenario(ce.scenario, { profile }).results.map((x) => x.ret);
    expect(replay).toEqual(ce.scenario.steps.map((s) => s.expect));
  });
});
