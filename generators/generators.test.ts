// The generators reach deep states and produce valid, deterministic scenarios.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './scenario.ts';
import { depthOf } from './stats.ts';
import { delegateValue } from './delegate.ts';
import { findProfile } from '../model/profile.ts';
import { validateScenario } from '../scenario/validate.ts';
import { runScenario } from '../model/run.ts';
import { parseDelegateValue, ENUM_OF } from '../model/bpffs.ts';

const profile = findProfile('linux-6.18')!;

describe('scenario generator', () => {
  const sample = fc.sample(scenarioArb({ profile }), { numRuns: 500, seed: 5 });

  it('reaches successful token creation and token use, successful and failing', () => {
    const d = sample.map(depthOf);
    const frac = (f: (x: (typeof d)[number]) => boolean): number => d.filter(f).length / d.length;
    expect(frac((x) => x.tokenCreated)).toBeGreaterThan(0.3);
    expect(frac((x) => x.tokenUseOk)).toBeGreaterThan(0.04);
    expect(frac((x) => x.tokenUseFail)).toBeGreaterThan(0.2);
  });

  it('emits valid scenarios whose replay equals the results seen while compiling', () => {
    for (const c of sample.slice(0, 100)) {
      const s = validateScenario(JSON.parse(JSON.stringify(c.scenario)));
      expect(runScenario(s, { profile }).results).toEqual(c.results);
    }
  });

  it('is deterministic for a seed', () => {
    const again = fc.sample(scenarioArb({ profile }), { numRuns: 20, seed: 5 });
    expect(again.map((c) => c.scenario)).toEqual(sample.slice(0, 20).map((c) => c.scenario));
  });

  it('delegate values cover success, EINVAL and ERANGE', () => {
    const seen = new Set<string>();
    for (const v of fc.sample(delegateValue('delegate_maps'), { numRuns: 2000, seed: 1 })) {
      const r = parseDelegateValue(profile, ENUM_OF.delegate_maps, v);
      seen.add(typeof r === 'bigint' ? (r === 0n ? 'zero' : 'mask') : String(r));
    }
    expect([...seen].sort()).toEqual(['-22', '-34', 'mask', 'zero']);
  });
});
