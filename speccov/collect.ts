// A coverage campaign: generated scenarios replayed on the model with
// decision-point recording; SELinux decisions counted from the AVC records.

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import { Coverage } from '../model/coverage.ts';
import { runScenario } from '../model/run.ts';
import { scenarioArb } from '../generators/scenario.ts';

export interface CoverageRun {
  profile: string;
  seed: number;
  scenarios: number;
  /** decision points of the model */
  points: Coverage;
  /** SELinux decisions: "hook class:perm" -> granted/denied counts */
  avc: Coverage;
}

export function collectCoverage(profile: Profile, o: { runs: number; seed: number; lsm?: boolean }): CoverageRun {
  const points = new Coverage();
  const avc = new Coverage();
  const gen = { profile, maxCommands: 30, ...(o.lsm ? { lsm: { races: true, bpfLsm: true } } : {}) };
  for (const c of fc.sample(scenarioArb(gen), { numRuns: o.runs, seed: o.seed })) {
    const r = runScenario(c.scenario, { profile, setup: (st) => void (st.k.cov = points) });
    for (const res of r.results) for (const a of res.avc ?? []) avc.record(`${a.hook} ${a.tclass}:${a.perm}`, !a.granted);
  }
  return { profile: profile.name, seed: o.seed, scenarios: o.runs, points, avc };
}
