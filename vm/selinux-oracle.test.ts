import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/io.ts';
import type { Scenario } from '../scenario/types.ts';
import { type KernelRun, kernelDeny, toProtocol } from '../oracle/driver.ts';
import { runModel } from '../oracle/compare.ts';
import { printAvc } from './selinux/audit.ts';
import { compareSelinux, needsPristineGuest, selinuxUncheckable } from './selinux-oracle.ts';

const finding = (f: string): Scenario => loadScenarioFile(new URL(`../corpus/findings/${f}.json`, import.meta.url).pathname);

/** a kernel run that says exactly what the model says, AVC records in the kernel's text */
function asKernel(s: Scenario): KernelRun {
  const m = runModel(s).results;
  return { results: m.map((r) => ({ ret: r.ret, ...(r.text !== undefined ? { text: r.text } : {}) })), avc: m.map((r) => (r.avc ?? []).map((a) => printAvc(a, { style: 'kernel' }))) };
}

describe('SELinux scenarios in the VM oracle (vm/selinux-oracle.ts)', () => {
  it('the guest runs SELinux set-ups, thread_of actors, reloads, races by a thread of the acting actor, BPF-LSM programs returning -errno or a raw value (the verifier asked); not a policy that appears later', () => {
    const s = finding('v7-passed-token-skips-as-check');
    expect(selinuxUncheckable(s)).toBeNull();
    // the guests load the executor's BPF-LSM programs (vm/cli.ts openVm()): FINDINGS L2 runs there
    const l2 = finding('bpf-lsm-token-capable-denial-selinux-token-path');
    expect(selinuxUncheckable(l2)).toBeNull();
    // a raw return value runs too: the guest's verifier is asked whether it loads the program
    // (oracle/lsmtrace.c lt_ret_loads()); one the profile loads outside [-MAX_ERRNO, 0] stays model-only
    const withRet = (sc: Scenario, ret: number): Scenario =>
      ({ ...sc, steps: sc.steps.map((st) => (st.lsm ? { ...st, lsm: st.lsm.map((a) => (a.action === 'bpf_lsm_deny' ? { ...a, ret } : a)) } : st)) }) as Scenario;
    expect(selinuxUncheckable(withRet(l2, 1))).toBeNull();
    expect(selinuxUncheckable(withRet(l2, -4096))).toBeNull();
    expect(selinuxUncheckable(withRet(l2, -13))).toBeNull();
    const deny = { action: 'bpf_lsm_deny', hook: 'bpf_token_cmd', task: 'user', errno: 'EPERM', ret: 1 } as const;
    expect(kernelDeny(deny, { ...l2, profile: 'linux-7.3' })).toBe(true);
    expect(kernelDeny(deny, { ...l2, profile: 'mutant-bpf-lsm-no-retval-range' })).toBe(false);
    expect(kernelDeny({ ...deny, ret: 0 }, { ...l2, profile: 'mutant-bpf-lsm-no-retval-range' })).toBe(true);
    expect(toProtocol(withRet({ ...l2, profile: 'linux-7.3' }, 1), 1)).toMatch(/lsm_deny step=\d+ actor=\S+ hook=\S+ ret=1 loads=0/);
    expect(toProtocol(withRet({ ...l2, profile: 'linux-7.3' }, -13), 1)).toMatch(/ret=-13 loads=1/);
    // the race is a second thread of the acting process (oracle/executor.c race_exec())
    const race = finding('v7-token-create-fd-race');
    expect(selinuxUncheckable(race)).toBeNull();
    const i = race.steps.findIndex((st) => 'race' in st && st.race !== undefined);
    const other = { ...race, steps: race.steps.map((st, j) => (j === i ? { ...st, actor: 'priv' } : st)) } as Scenario;
    expect(selinuxUncheckable(other)).toMatch(/not a thread of/);
    expect(selinuxUncheckable({ ...s, selinux: { ...s.selinux!, loaded: false }, steps: [{ ...s.steps[0]!, lsm: [{ action: 'policy_load', policy: s.selinux! }] }, ...s.steps.slice(1)] })).toMatch(/no policy at boot/);
    // a refused boot policy leaves none: the scenario runs in the guest that never had one
    const refused: Scenario = { ...s, selinux: { ...s.selinux!, defines_token_perms: false, handle_unknown: 'reject' } };
    expect(selinuxUncheckable(refused)).toBeNull();
    expect(needsPristineGuest(refused)).toBe(true);
    expect(selinuxUncheckable({ ...refused, steps: [{ ...s.steps[0]!, lsm: [{ action: 'policy_load', policy: s.selinux! }] }, ...s.steps.slice(1)] })).toMatch(/boot policy is refused/);
    const threaded: Scenario = { ...s, actors: [...s.actors, { name: 't', userns: 'u1', kuid: 1000, caps: 'all', thread_of: 'user', context: 'V_t' }] };
    expect(selinuxUncheckable(threaded)).toBeNull();
    // a thread with steps of its own is a process of the executor: its process's exit differs (oracle/driver.ts threadUncheckable())
    const own = { ...threaded, steps: [...threaded.steps, { actor: 't', op: 'close', fd: '#0' }] } as Scenario;
    expect(selinuxUncheckable(own)).toBeNull();
    // an rlimit of the group runs: the leader gives the thread's process the same limit
    expect(selinuxUncheckable({ ...own, steps: [{ actor: 'user', op: 'rlimit_nofile', limit: 8 }, ...own.steps] } as Scenario)).toBeNull();
    expect(selinuxUncheckable({ ...own, steps: [{ actor: 'user', op: 'exit' }, ...own.steps] } as Scenario)).toMatch(/exits before its last step/);
    // one that only races is a real second thread: nothing of that applies
    expect(selinuxUncheckable({ ...threaded, steps: [...threaded.steps, { actor: 'user', op: 'rlimit_nofile', limit: 8 }] })).toBeNull();
    expect(needsPristineGuest({ ...s, selinux: undefined })).toBe(true);
    expect(needsPristineGuest(s)).toBe(false);
    // a policy load inside the syscall (at HOOK) is model-only: the executor loads between syscalls
    // (found by oracle --vm --runs 1000 --seed 7 on 6.12.118: the guest loaded it before the step)
    const inSyscall = { ...s, steps: [{ ...s.steps[0]!, lsm: [{ action: 'policy_load', policy: s.selinux!, at: 'capable' }] }, ...s.steps.slice(1)] } as Scenario;
    expect(selinuxUncheckable(inSyscall)).toMatch(/inside the syscall \(at capable\) is model-only/);
  });

  it('compares AVC decisions as well as results: a missing record, an extra one, a load result', () => {
    const s = finding('v7-passed-token-skips-as-check');
    const k = asKernel(s);
    expect(compareSelinux(s, k).kind).toBe('agree');
    const at = k.avc!.findIndex((a) => a.length > 0);
    const missing = compareSelinux(s, { ...k, avc: k.avc!.map((a, i) => (i === at ? a.slice(1) : a)) });
    expect(missing.kind === 'disagree' && [missing.first.index, missing.first.what, missing.lsmDiff![at]![0]!.slice(0, 11)]).toEqual([at, 'avc', 'model only:']);
    const extra = 'avc:  denied  { map_create } for  pid=1 comm="x" scontext=bpftc_u:bpftc_r:U_t tcontext=bpftc_u:bpftc_r:U_t tclass=bpf permissive=0';
    const more = compareSelinux(s, { ...k, avc: k.avc!.map((a, i) => (i === 0 ? [...a, extra] : a)) });
    expect(more.kind === 'disagree' && more.lsmDiff![0]).toEqual(['kernel only: U_t U_t:bpf map_create denied']);
    // records of classes the model does not decide, and of the harness, are not compared
    const other = 'avc:  denied  { read } for  pid=1 comm="x" scontext=bpftc_u:bpftc_r:bpftc_harness_t tcontext=bpftc_u:bpftc_r:U_t tclass=bpf permissive=0';
    expect(compareSelinux(s, { ...k, avc: k.avc!.map((a, i) => (i === 0 ? [...a, other] : a)) }).kind).toBe('agree');
    const reload: Scenario = { ...s, steps: s.steps.map((st, i) => (i === 2 ? { ...st, lsm: [{ action: 'policy_load', policy: s.selinux! }] } : st)) };
    const kr = asKernel(reload);
    expect(compareSelinux(reload, { ...kr, loads: kr.results.map((_, i) => (i === 2 ? 'ok' : undefined)) }).kind).toBe('agree');
    const bad = compareSelinux(reload, { ...kr, loads: kr.results.map((_, i) => (i === 2 ? 'EINVAL' : undefined)) });
    expect(bad.kind === 'disagree' && [bad.first.index, bad.first.what]).toEqual([2, 'load']);
  });
});
