// A coverage campaign of `bpftc coverage` itself: generated scenarios replayed
// on the model with decision-point recording (speccov/record.ts). Campaigns of
// fuzz, oracle and diff record the same sections for the scenarios they ran
// (`--coverage FILE`).

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { type CoverageSection, CoverageRecorder } from './record.ts';

export function collectCoverage(profile: Profile, o: { runs: number; seed: number; lsm?: boolean }): CoverageSection {
  const rec = new CoverageRecorder(profile, 'coverage', o.seed);
  const gen = { profile, maxCommands: 30, ...(o.lsm ? { lsm: { races: true, bpfLsm: true } } : {}) };
  fc.sample(scenarioArb(gen), { numRuns: o.runs, seed: o.seed }).forEach((c, i) => rec.add(c.scenario, [0, 0, i]));
  return rec.section;
}
