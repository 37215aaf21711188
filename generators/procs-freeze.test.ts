// The --procs generator reaches BPF_MAP_FREEZE (issue 12: frozen maps): among the scenarios
// that freeze, a few percent or more freeze a map (ok) and a few percent are refused
// (EPERM: a read-only fd or a second freeze; EBADF/EINVAL: no map).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './scenario.ts';
import { findProfile } from '../model/profile.ts';

describe('procs generator: map_freeze', () => {
  it('freezes a map in at least 3% of the scenarios that draw it, and is refused in at least 3%', () => {
    const arb = scenarioArb({ profile: findProfile('linux-6.18')!, sysctl: 2, maxCommands: 30, procs: true });
    let drawn = 0;
    let frozen = 0;
    let refused = 0;
    for (const c of fc.sample(arb, { numRuns: 600, seed: 1 })) {
      const rets = c.scenario.steps.flatMap((s, i) => (s.op === 'map_freeze' ? [c.results[i]?.ret] : []));
      if (!rets.length) continue;
      drawn++;
      if (rets.includes('ok')) frozen++;
      if (rets.some((r) => r !== 'ok')) refused++;
    }
    expect(drawn).toBeGreaterThan(50);
    expect(frozen / drawn).toBeGreaterThanOrEqual(0.03);
    expect(refused / drawn).toBeGreaterThanOrEqual(0.03);
  });
});
