// fuzz --property all checks the properties of one generator on shared cases
// and one shared walk (properties/check.ts checkGroup, checkShared): each
// property's verdict, run count, counterexample, replay path and shrinks are
// those it gets on its own.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findProfile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { PROPERTIES } from './index.ts';
import { appliesTo } from './types.ts';
import { checkGroup, checkProperty, checkShared, generatorKey, groupByGenerator } from './check.ts';
import { rememberResults } from './walk.ts';

const PROFILES = ['selinux-token-v7', 'integrity-rfc', 'linux-6.18', 'token-v10'];

describe('properties grouped by generator', () => {
  it('a group is the properties with equal generator options, whatever their key order', () => {
    const groups = groupByGenerator(PROPERTIES);
    expect(groups.flat().length).toBe(PROPERTIES.length);
    for (const g of groups) expect(new Set(g.map(generatorKey)).size).toBe(1);
    expect(new Set(groups.map((g) => generatorKey(g[0]!))).size).toBe(groups.length);
    // { races, bpfLsm } and { bpfLsm, races } are one generator
    const k = generatorKey(PROPERTIES.find((p) => p.name === 'lsm-order-independence')!);
    expect(generatorKey(PROPERTIES.find((p) => p.name === 'lsm-blob-freed-once')!)).toBe(k);
  });

  for (const name of PROFILES) {
    const profile = findProfile(name)!;
    const groups = groupByGenerator(PROPERTIES.filter((p) => appliesTo(p, profile))).filter((g) => g.length > 1);

    it(`${name}: one shared walk gives every property the verdict of its own check`, () => {
      for (const g of groups) {
        const cases = fc.sample(scenarioArb({ profile, maxCommands: 40, ...g[0]!.gen }), { numRuns: 30, seed: 7 });
        for (const c of cases) expect(checkShared(g, c.scenario, profile)).toEqual(g.map((p) => p.check(c.scenario, profile)));
      }
    });

    it(`${name}: a group's results are each property's own (runs, counterexample, path, shrinks)`, () => {
      for (const g of groups) {
        const o = { runs: 60, seed: 5 };
        expect(checkGroup(g, profile, o)).toEqual(g.map((p) => checkProperty(p, profile, o)));
      }
    });
  }
});

// A generated case comes with its compile-time results (properties/walk.ts
// "Results ahead"): the properties that use them instead of running the step
// on a copy give the verdict they give without them, message included, on the
// profiles where they hold and where they fail.
describe('results ahead', () => {
  for (const name of ['selinux-token-v7', 'linux-6.18', 'selinux-token-v1', 'token-v10', 'selinux-token-v2']) {
    it(`${name}: every property's verdict is the same with and without the compiler's results`, () => {
      const profile = findProfile(name)!;
      let failing = 0;
      for (const g of groupByGenerator(PROPERTIES.filter((p) => appliesTo(p, profile)))) {
        const cases = fc.sample(scenarioArb({ profile, maxCommands: 40, ...g[0]!.gen }), { numRuns: 15, seed: 3 });
        for (const c of cases) {
          const copy = structuredClone(c.scenario); // not remembered: every step runs on a copy
          rememberResults(c.scenario, profile, c.results);
          const want = g.map((p) => p.check(copy, profile));
          failing += want.filter((v) => v !== null).length;
          expect(g.map((p) => p.check(c.scenario, profile))).toEqual(want);
          expect(checkShared(g, c.scenario, profile)).toEqual(want);
        }
      }
      if (name !== 'linux-6.18') expect(failing).toBeGreaterThan(0);
    });
  }
});

describe('a shrink budget (CheckOptions.shrinkStop, a --time campaign past its budget)', () => {
  it('keeps the failing case found so far: the same first failure, not shrunk, still a counterexample', () => {
    const profile = findProfile('selinux-token-v7')!;
    const prop = PROPERTIES.find((p) => p.name === 'selinux-token-checks-at-use')!;
    const full = checkProperty(prop, profile, { runs: 100, seed: 1 });
    const cut = checkProperty(prop, profile, { runs: 100, seed: 1, shrinkStop: () => true });
    expect(full.ok || cut.ok).toBe(false);
    if (full.ok || cut.ok) return;
    expect(cut.runs).toBe(full.runs);
    expect(cut.counterexample.shrinks).toBe(0);
    expect(full.counterexample.shrinks).toBeGreaterThan(0);
    expect(prop.check(cut.counterexample.scenario, profile)).not.toBeNull();
    expect(cut.counterexample.scenario.steps.length).toBeGreaterThanOrEqual(full.counterexample.scenario.steps.length);
  });
});
