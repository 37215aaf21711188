// The trace campaign's generated scenarios (vm/lsmtrace-run.ts lsmTraceScenarios()): with
// --procs, a BPF-LSM program on chmod's inode_setattr reaches a chmod step, for its actor,
// in a few percent or more of the scenarios that chmod, and then decides the step's result.

import { describe, expect, it } from 'vitest';
import { lsmTraceScenarios } from './lsmtrace-run.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';

describe('lsm-trace campaign generation', () => {
  const profile = findProfile('linux-7.3')!;
  const gen = (procs: boolean) => lsmTraceScenarios({ profile, sysctl: 2, runs: 600, seed: 3, maxCommands: 30, procs, denies: true });

  it('--procs: an inode_setattr program on a chmod step of its actor in >= 3% of the scenarios that chmod; its errno is the result', () => {
    let chmodding = 0;
    let denied = 0;
    let decided = 0;
    for (const s of gen(true)) {
      const idx = s.steps.flatMap((st, i) => (st.op === 'chmod' ? [i] : []));
      if (!idx.length) continue;
      chmodding++;
      const hit = idx.filter((i) => s.steps[i]!.lsm?.some((a) => a.action === 'bpf_lsm_deny' && a.hook === 'inode_setattr' && a.task === s.steps[i]!.actor));
      if (!hit.length) continue;
      denied++;
      const r = runScenario(s, { profile }).results;
      if (hit.some((i) => r[i]!.ret === 'EPERM' || r[i]!.ret === 'EACCES')) decided++;
    }
    expect(chmodding).toBeGreaterThan(50);
    expect(denied / chmodding).toBeGreaterThanOrEqual(0.03);
    expect(decided).toBeGreaterThan(0);
  });

  it('without --procs no program goes on inode_setattr (the campaign of before)', () => {
    for (const s of gen(false)) for (const st of s.steps) expect(st.lsm?.some((a) => a.action === 'bpf_lsm_deny' && a.hook === 'inode_setattr') ?? false).toBe(false);
  });
});
