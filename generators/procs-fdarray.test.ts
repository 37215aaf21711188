// The --procs generator reaches prog_load's fd_array (issue 12: programs that carry maps):
// among the scenarios that draw one, a few percent or more bind maps on a successful load
// (the rest end at the kernel's refusals: EPERM without CAP_BPF, EBADF, EINVAL).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './scenario.ts';
import { findProfile } from '../model/profile.ts';

describe('procs generator: prog_load with an fd_array', () => {
  it('binds maps on a successful load in at least 3% of the scenarios that draw one', () => {
    const arb = scenarioArb({ profile: findProfile('linux-6.18')!, sysctl: 2, maxCommands: 30, procs: true });
    let drawn = 0;
    let bound = 0;
    for (const c of fc.sample(arb, { numRuns: 600, seed: 1 })) {
      const loads = c.scenario.steps.map((s, i) => [s, c.results[i]] as const).filter(([s]) => s.op === 'prog_load' && 'fd_array' in s && s.fd_array !== undefined);
      if (!loads.length) continue;
      drawn++;
      if (loads.some(([s, r]) => s.op === 'prog_load' && (s.fd_array_cnt ?? 0) > 0 && r?.ret === 'ok')) bound++;
    }
    expect(drawn).toBeGreaterThan(100);
    expect(bound / drawn).toBeGreaterThanOrEqual(0.03);
  });
});
