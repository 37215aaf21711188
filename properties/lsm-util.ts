// Helpers shared by the LSM properties: the SELinux instance of a state, the
// ground-truth creator of a token's bpffs (the task whose CMD_CREATE made the
// superblock, recorded by the model, not by SELinux), policy questions.

import { declaredNames } from '../scenario/integrity.ts';
import type { ModelState } from '../model/run.ts';
import type { Scenario, Step, StepResult } from '../scenario/types.ts';
import { DEFAULT_LSM, type Profile } from '../model/profile.ts';
import { SelinuxLsm } from '../model/lsm/selinux.ts';
import { performStep } from '../model/run.ts';
import { selinuxOf } from '../model/lsm/index.ts';
import { policyAllows } from '../model/lsm/policy.ts';
import type { File, SuperBlock } from '../model/vfs.ts';
import { counterfactual, fileOf, stateBefore, taskOf, tokenOfStep, walkEpoch, withoutToken } from './walk.ts';

export { selinuxOf };

/** how many times SELinux's hooks have returned non-zero in this state (SecurityStack.nonzero) */
export function selinuxRefusals(st: ModelState): number {
  return st.k.security.nonzero.selinux ?? 0;
}

/** Step i's result with SELinux out of the stack, where SELinux could have changed it: null
 *  when none of its hooks returned non-zero during the step (`refusalsBefore`, read before
 *  it, is still the count: the result is the one without SELinux), else the step run again
 *  on the state before it (rebuilt by replaying the steps before: rare, issue 13) */
export function resultWithoutSelinux(s: Scenario, profile: Profile, i: number, step: Step, after: ModelState, refusalsBefore: number): StepResult | null {
  if (selinuxRefusals(after) === refusalsBefore) return null;
  const bare = stateBefore(s, profile, i);
  bare.k.security.lsms = bare.k.security.lsms.filter((l) => !(l instanceof SelinuxLsm));
  return performStep(bare, step);
}

/** SELinux with the token patch, a policy loaded */
export function patched(st: ModelState): SelinuxLsm | null {
  const se = selinuxOf(st.k);
  return se && se.variant.tokenPatch && se.initialized && se.policy ? se : null;
}

export function polcapOn(se: SelinuxLsm): boolean {
  return se.polcap('bpf_token_perms');
}

/** enforcing, and none of the given domains permissive */
export function enforcing(se: SelinuxLsm, ...contexts: string[]): boolean {
  const p = se.policy;
  return !!p && p.enforcing && contexts.every((c) => !p.permissive.has(c));
}

export function grants(se: SelinuxLsm, s: string, t: string, tclass: string, perm: string): boolean {
  return policyAllows(se.policy!, s, t, tclass, perm, se.variant.tokenPatch);
}

export function currentContext(se: SelinuxLsm, st: ModelState, step: Step): string {
  return se.contextOf(se.credSid(taskOf(st, step).cred));
}

/** the context of the task that created a superblock (spec/selinux-token.md §S2.1), or null; a
 *  superblock set up before the first policy load gets its creator from
 *  delayed_superblock_init() in the policy loader (kernel_t) */
export function creatorContext(se: SelinuxLsm, sb: SuperBlock): string | null {
  if (!sb.createdBy) return null;
  if (se.bornBeforePolicy.has(sb.id)) return 'kernel_t';
  return se.contextOf(se.credSid(sb.createdBy));
}

/** a token created before the first policy load: its grantor was recorded
 *  while SELinux made no decisions (outside the token claims) */
export function prePolicyToken(se: SelinuxLsm, f: File | null): boolean {
  return !!f && f.obj.kind === 'token' && se.bornBeforePolicy.has(f.obj.token.id);
}

/** the token file a token-using step names (with BPF_F_TOKEN_FD) */
export function tokenFile(st: ModelState, step: Step): File | null {
  if (!tokenOfStep(st, step) || !('token' in step)) return null;
  return fileOf(st, step, step.token);
}

/** the bpffs superblock a token was created from (its file lives on it) */
export function tokenSb(f: File): SuperBlock | null {
  return f.path ? f.path.mnt.sb : null;
}

/** the step succeeds with its token and fails without it: it goes "through" the token */
export function throughToken(st: ModelState, step: Step, ahead: StepResult | null = null): StepResult | null {
  if (!tokenOfStep(st, step)) return null;
  const withTok = ahead ?? counterfactual(st, step);
  if (withTok.ret !== 'ok') return null;
  if (withoutTokenRet(st, step) === 'ok') return null;
  return withTok;
}

/** the last step run without its token, on which state: the properties of one
 *  shared walk (properties/check.ts checkShared) see the same state and step
 *  object in their `before`, and several of them ask (issue 13) */
let lastWithout: { epoch: number; st: ModelState; step: Step; ret: StepResult['ret'] } | null = null;

function withoutTokenRet(st: ModelState, step: Step): StepResult['ret'] {
  const epoch = walkEpoch();
  if (lastWithout && lastWithout.epoch === epoch && lastWithout.st === st && lastWithout.step === step) return lastWithout.ret;
  const ret = counterfactual(st, withoutToken(step)).ret;
  lastWithout = { epoch, st, step, ret };
  return ret;
}

export const CREATE_PERM: Record<string, string> = { map_create: 'map_create', prog_load: 'prog_load' };

/** the LSM order a scenario runs with */
export function lsmOrderOf(s: Scenario, profile: Profile): string[] {
  // as model/lsm/index.ts lsmOrder(): the declared integrity LSMs follow the profile's
  return s.lsm_order ?? [...(profile.lsm ?? DEFAULT_LSM).order, ...declaredNames(s.integrity)];
}

/** A token-using step as the token claims see it (bpf_token_perms on, a token
 *  made after the first policy load): SELinux, the token file, the context of
 *  the creator of its bpffs and of current. Null when the claims do not apply. */
export function tokenUse(st: ModelState, step: Step): { se: SelinuxLsm; f: File; creator: string; cur: string } | null {
  const se = patched(st);
  if (!se || !polcapOn(se)) return null;
  const f = tokenFile(st, step);
  const sb = f && tokenSb(f);
  const creator = sb && creatorContext(se, sb);
  if (!f || !creator || prePolicyToken(se, f)) return null;
  return { se, f, creator, cur: currentContext(se, st, step) };
}
