// BPF-LSM programs returning any value (issue 12): the verifier's return-range
// check (profile knob bpfLsmRetvalRange, on in linux-6.12/6.18/7.3) refuses a
// program returning outside [-MAX_ERRNO, 0] at load; without it a positive
// return reaches the hook's call site.
import { describe, expect, it } from 'vitest';
import { findProperty } from './index.ts';
import { checkProperty } from './check.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { validateScenario } from '../scenario/validate.ts';
import type { Scenario } from '../scenario/types.ts';

const prop = findProperty('bpf-create-returns-fd')!;

/** root creates a map with a BPF-LSM program on `hook` returning `ret` for it */
function withProg(hook: string, ret: number): Scenario {
  const s: Scenario = {
    format: 'bpftc/1',
    actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
    steps: [{ actor: 'root', op: 'map_create', map_type: 2, lsm: [{ action: 'bpf_lsm_deny', hook, task: 'root', errno: 'EPERM', ret }], as: 'm' }],
  };
  validateScenario(JSON.parse(JSON.stringify(s)));
  return s;
}

describe('BPF-LSM programs returning any value', () => {
  const on = findProfile('linux-6.18')!;
  const off = findProfile('mutant-bpf-lsm-no-retval-range')!;
  it('with the range check, a program returning 1 (or -4096) is refused at load and the map is created', () => {
    for (const ret of [1, -4096]) {
      const r = runScenario(withProg('bpf_map_create', ret), { profile: on });
      expect(r.results.map((x) => x.ret), String(ret)).toEqual(['ok']);
      expect(prop.check(withProg('bpf_map_create', ret), on)).toBeNull();
    }
    // -MAX_ERRNO is in the range: it loads, and the map_create fails with it
    expect(runScenario(withProg('bpf_map_create', -4095), { profile: on }).results[0]!.ret).not.toBe('ok');
  });
  it('without it, a positive return stops call_int_hook(): map_create and bpf() return it, no fd', () => {
    const s = withProg('bpf_map_create', 1);
    expect(runScenario(s, { profile: off }).results.map((x) => x.ret)).toEqual(['ok']);
    expect(prop.check(s, off)?.step).toBe(0);
    // __sys_bpf() tests `err < 0`: a positive security_bpf() result is success there
    expect(prop.check(withProg('bpf', 1), off)).toBeNull();
  });
  it('is caught on mutant-bpf-lsm-no-retval-range with a shrunk counterexample that holds with the check', () => {
    const r = checkProperty(prop, off, { runs: 300, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const { scenario, violation } = r.counterexample;
    expect(violation.message).toMatch(/returned a non-negative value but installed no new (map|prog|token) fd/);
    const rets = scenario.steps.flatMap((st) => st.lsm ?? []).flatMap((a) => (a.action === 'bpf_lsm_deny' && a.ret !== undefined ? [a.ret] : []));
    expect(rets.some((x) => x > 0)).toBe(true);
    expect(scenario.steps.length).toBeLessThanOrEqual(12);
    expect(prop.check(scenario, on)).toBeNull();
  });
});
