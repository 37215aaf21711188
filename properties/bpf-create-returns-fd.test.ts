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
const STEPS = [
  {"actor": "c1", "op": "fsopen", "as": "fs1", "expect": "ok"},
  {"actor": "c1", "op": "send_fd", "fd": "fs1", "to": "root", "as": "fs2", "expect": "ok"},
  {"actor": "root", "op": "fsconfig", "fd": "fs2", "cmd": "set_string", "key": "delegate_cmds", "value": "map_create", "expect": "ok"},
  {"actor": "root", "op": "fsconfig", "fd": "fs2", "cmd": "set_string", "key": "delegate_maps", "value": "array:hash:stack:queue", "expect": "ok"},
  {"actor": "root", "op": "fsconfig", "fd": "fs2", "cmd": "create", "expect": "ok"},
  {"actor": "c1", "op": "fsmount", "fd": "fs1", "as": "mnt3", "expect": "ok"},
  {"actor": "c1", "op": "open", "dirfd": "mnt3", "path": ".", "as": "dir4", "expect": "ok"},
  {"actor": "c1", "op": "token_create", "bpffs": "dir4", "as": "tok5", "expect": "ok"},
  {"actor": "c1", "op": "map_create", "map_type": 1, "key_size": 4, "value_size": 4, "max_entries": 1, "map_flags": 0, "map_extra": 0, "token": "tok5", "as": "map6", "lsm": [{"action": "bpf_lsm_deny", "hook": "bpf_token_capable", "task": "c1", "errno": "EPERM"}], "expect": "ok"},
  {"actor": "c1", "op": "map_create", "map_type": 1, "key_size": 4, "value_size": 4, "max_entries": 1, "map_flags": 0, "map_extra": 0, "token": "tok5", "as": "map7", "lsm": [{"action": "bpf_lsm_deny", "hook": "bpf_token_capable", "task": "c1", "errno": "EPERM", "ret": 1}], "expect": "ok"},
] as Scenario['steps'];

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

/** shrunk by bpf-lsm-token-denial on mutant-bpf-lsm-no-retval-range (1000 runs, seed 1, generator with anyRet) */
const MASKED: Scenario = {
  format: 'bpftc/1',
  userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
  actors: [
    { name: 'root', userns: 'init', kuid: 0, caps: 'all' },
    { name: 'c1', userns: 'u1', kuid: 1000, caps: 'all' },
  ],
  steps: STEPS,
};

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
  it('an existing property shows it too: without the check a program returning 1 on bpf_token_capable masks an earlier -EPERM one (the newest runs first and the trampoline stops at the first non-zero result), bpf-lsm-token-denial is violated', () => {
    const den = findProperty('bpf-lsm-token-denial')!;
    expect(den.check(MASKED, off)?.step).toBe(9);
    expect(den.check(MASKED, on)).toBeNull();
  });
});
