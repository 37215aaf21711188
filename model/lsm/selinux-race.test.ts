// In-syscall policy loads (a policy_load with `at`, model/run.ts performStep,
// SecurityStack.atHook): the load completes right before the first call of
// that hook in the step's syscall; the hooks before it decide with the old
// policy, the ones after with the new (security_compute_av() reads
// selinux_state.policy at each check, 7.3.4 security/selinux/ss/services.c:1137).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AvcRecord, LsmAction, Scenario, Step } from '../../scenario/types.ts';
import { runScenario } from '../run.ts';
import { findProfile } from '../profile.ts';
import '../../mutants/index.ts';
import { validateScenario } from '../../scenario/validate.ts';
import { reduceParts } from '../../scenario/reduce.ts';
import { selinuxCreateMediated } from '../../properties/selinux-create-mediated.ts';

const s0 = JSON.parse(
  readFileSync(new URL('../../corpus/regressions/selinux-create-mediated--mutant-fixed-polcap-race--seed2980047484.json', import.meta.url), 'utf8'),
) as Scenario;
const I = 9;
const withAt = (at: string | undefined): Scenario => ({
  ...s0,
  meta: undefined,
  steps: s0.steps.map((st, j): Step => {
    if (j !== I) return st;
    const act = st.lsm![0] as Extract<LsmAction, { action: 'policy_load' }>;
    const a: LsmAction = at === undefined ? { action: 'policy_load', policy: act.policy } : ({ ...act, at } as LsmAction);
    return { ...st, lsm: [a] };
  }),
});
// granted by the policy (a repeat of a permissive denial is granted by the AVC cache: not counted)
const hooks = (recs: AvcRecord[] | undefined, perm: boolean): string[] =>
  [...new Set((recs ?? []).filter((a) => a.granted === perm && !a.cachedGrant).map((a) => a.hook))];
const step = (s: Scenario, p: string) => runScenario(s, { profile: findProfile(p)! }).results[I]!;

describe('in-syscall policy loads (`at`)', () => {
  it('the hooks before the hook point decide with the old policy, the ones after with the new', () => {
    const before = step(withAt(undefined), 'selinux-token-fixed');
    const inside = step(withAt('capable'), 'selinux-token-fixed');
    // the new policy has no allow rule (permissive): every check is a permissive denial
    expect(hooks(before.avc, true)).toEqual([]);
    // loaded at `capable`: selinux_bpf() at the entry still had the boot policy (U_t U_t:bpf prog_load)
    expect(hooks(inside.avc, true)).toEqual(['bpf']);
    expect(hooks(inside.avc, false)).toContain('capable');
  });

  it('a hook point the syscall never reaches: the load completes after the syscall returns', () => {
    const never = runScenario(withAt('bpf_map_create'), { profile: findProfile('selinux-token-fixed')! }).results;
    const none = runScenario({ ...s0, meta: undefined, steps: s0.steps.map((st, j) => (j === I ? { ...st, lsm: undefined } : st)) }, { profile: findProfile('selinux-token-fixed')! }).results;
    expect(never[I]).toEqual(none[I]);
  });

  it('the validator takes the hook points of LSM_AT_HOOKS only, with a one-line error', () => {
    expect(() => validateScenario(JSON.parse(JSON.stringify(withAt('capable'))))).not.toThrow();
    expect(() => validateScenario(JSON.parse(JSON.stringify(withAt('sb_mount'))))).toThrow(/lsm\[0\]\.at: expected one of capable, bpf,/);
  });

  it('selinux-create-mediated: caught on mutant-fixed-polcap-race only with the load inside the syscall; shrinking keeps the hook point', () => {
    const bad = findProfile('mutant-fixed-polcap-race')!;
    expect(selinuxCreateMediated.check(withAt('capable'), bad)?.message).toMatch(/bpf_token_capable, bpf_prog_load decided with a policy other than the one loaded at that moment \(a policy load completed before capable\)/);
    expect(selinuxCreateMediated.check(withAt(undefined), bad)).toBeNull();
    for (const p of ['selinux-token-fixed', 'selinux-token-v7', 'selinux-token-merged']) expect(selinuxCreateMediated.check(withAt('capable'), findProfile(p)!), p).toBeNull();
    const kept = reduceParts(withAt('capable'), (c) => selinuxCreateMediated.check(c, bad) !== null);
    expect(kept.steps[I]!.lsm).toEqual([expect.objectContaining({ action: 'policy_load', at: 'capable' })]);
  });
});
