// Credentials a scenario step changes during a run (issue 11 language v2):
// setresuid(2)/setresgid(2) (kernel/sys.c), setgroups(2) (kernel/groups.c),
// capset(2) (kernel/capability.c with security/commoncap.c cap_capset()) and
// prctl(PR_SET_KEEPCAPS) (security/commoncap.c cap_task_prctl()).
//
// Line numbers are of the 6.12.117 tree (~/.cache/bpftc/trees/linux-source-6.12_*);
// these functions are the same in 6.18 (the host kernel agrees on the oracle
// campaigns, README "Credentials during a scenario") and in 7.3.4.
//
// The model's Cred.gid is the gid that DAC checks and new inodes use (the
// kernel's fsgid); a setresgid step records the real, effective and saved gid
// besides (Cred.rgid/egid/sgid; absent = gid, as the set-up makes them all equal).

import type { Kernel, Task } from './kernel.ts';
import { type Cred, hasGidMapping, hasMapping, isInit } from './userns.ts';
import { type CapSet, CAP_EMPTY, CAP_LAST_CAP, capDrop, capRaised, capSubset, capsFromNames } from './caps.ts';
import { EINVAL, EPERM } from './errno.ts';
import { security_capset, security_task_fix_setuid } from './security.ts';
import { type StepTable, A } from './step.ts';
import { P } from './include/decision.ts';

/** (uid_t)-1 / (gid_t)-1 (scenario/ops.ts UNCHANGED) */
export const ID_UNCHANGED = 4294967295;

import { CAP_SETGID, CAP_SETUID } from './caps.ts';
export { CAP_SETGID };

/** include/uapi/linux/securebits.h: SECURE_KEEP_CAPS 4, SECURE_KEEP_CAPS_LOCKED 5 */
export const SECBIT_KEEP_CAPS = 1 << 4;
const SECBIT_KEEP_CAPS_LOCKED = 1 << 5;

/** include/linux/security.h LSM_SETID_RES */
const LSM_SETID_RES = 4;

/** NGROUPS_MAX (include/uapi/linux/limits.h) */
const NGROUPS_MAX = 65536;

const rgidOf = (c: Cred): number => c.rgid ?? c.gid;
const egidOf = (c: Cred): number => c.egid ?? c.gid;
const sgidOf = (c: Cred): number => c.sgid ?? c.gid;

/** make_kuid(ns, id) + uid_valid(): the scenario gives kuids, so "valid" is "mapped in ns" */
const valid = (c: Cred, kid: number): boolean => kid === ID_UNCHANGED || hasMapping(c.userns, kid);
/** make_kgid(ns, id) + gid_valid() */
const validGid = (c: Cred, kid: number): boolean => kid === ID_UNCHANGED || hasGidMapping(c.userns, kid);

/** cred_cap_issubset() (kernel/cred.c:329-351, 7.3.4) */
function cred_cap_issubset(set: Cred, subset: Cred): boolean {
  if (set.userns === subset.userns) return capSubset(subset.cap_permitted, set.cap_permitted);
  for (let ns = subset.userns; ns.parent; ns = ns.parent) if (ns.parent === set.userns && ns.owner === set.euid) return true;
  return false;
}

/** commit_creds() (kernel/cred.c:381-389, 7.3.4; 6.12.118 alike): a change of euid, egid,
 *  fsuid or fsgid, or capabilities that are no subset of the old, sets the task's
 *  dumpability to fs.suid_dumpable (0 on the host and in the VM guests), so it is no longer
 *  user-dumpable; the executor makes every actor user-dumpable at the end of its set-up */
export function commit_creds(t: Task, next: Cred): void {
  const old = t.cred;
  if (old.euid !== next.euid || egidOf(old) !== egidOf(next) || old.fsuid !== next.fsuid || old.gid !== next.gid || !cred_cap_issubset(old, next)) t.nondumpable = true;
  t.cred = next;
}

/** cap_emulate_setxuid() (security/commoncap.c:1085-1118), run by cap_task_fix_setuid()
 *  for LSM_SETID_RES (:1124) unless SECURE_NO_SETUID_FIXUP (never set here) */
function cap_emulate_setxuid(next: Cred, old: Cred): void {
  const rootUid = isInit(old.userns) ? 0 : old.userns.mapBase; // make_kuid(old->user_ns, 0)
  const wasRoot = old.uid === rootUid || old.euid === rootUid || old.suid === rootUid;
  const isRoot = next.uid === rootUid || next.euid === rootUid || next.suid === rootUid;
  if (wasRoot && !isRoot && ((old.securebits ?? 0) & SECBIT_KEEP_CAPS) === 0) {
    next.cap_permitted = CAP_EMPTY;
    next.cap_effective = CAP_EMPTY;
  }
  if (old.euid === rootUid && next.euid !== rootUid) next.cap_effective = CAP_EMPTY;
  if (old.euid !== rootUid && next.euid === rootUid) next.cap_effective = next.cap_permitted;
}

/** __sys_setresuid() (kernel/sys.c:676-743); ids are kuids, ID_UNCHANGED = -1 */
export function sys_setresuid(k: Kernel, t: Task, ruid: number, euid: number, suid: number): number {
  const old = t.cred;
  // :688-693 each given id must map into current_user_ns()
  if (k.check('setresuid/ruid_valid', !valid(old, ruid))) return -EINVAL;
  if (k.check('setresuid/euid_valid', !valid(old, euid))) return -EINVAL;
  if (k.check('setresuid/suid_valid', !valid(old, suid))) return -EINVAL;
  const U = ID_UNCHANGED;
  // :698-702 check for no-op
  if ((ruid === U || ruid === old.uid) && (euid === U || (euid === old.euid && euid === old.fsuid)) && (suid === U || suid === old.suid)) return 0;
  const isNew = (id: number): boolean => id !== U && id !== old.uid && id !== old.euid && id !== old.suid;
  // :713-715 a new id needs ns_capable_setid(old->user_ns, CAP_SETUID)
  if (k.check('setresuid/cap_setuid', (isNew(ruid) || isNew(euid) || isNew(suid)) && !k.ns_capable(old, old.userns, CAP_SETUID))) return -EPERM;
  const next: Cred = { ...old };
  if (ruid !== U) next.uid = ruid; // set_user(): a new user_struct, no check that fails here
  if (euid !== U) next.euid = euid;
  if (suid !== U) next.suid = suid;
  next.fsuid = next.euid;
  // :735 security_task_fix_setuid(new, old, LSM_SETID_RES): the capability module first
  cap_emulate_setxuid(next, old);
  const err = security_task_fix_setuid(k, next, old, LSM_SETID_RES);
  if (err) return err;
  commit_creds(t, next);
  return 0;
}

/** __sys_setresgid() (kernel/sys.c:778-836); ids are kgids (same numbering as kuids here) */
export function sys_setresgid(k: Kernel, t: Task, rgid: number, egid: number, sgid: number): number {
  const old = t.cred;
  // :791-796
  if (k.check('setresgid/rgid_valid', !validGid(old, rgid))) return -EINVAL;
  if (k.check('setresgid/egid_valid', !validGid(old, egid))) return -EINVAL;
  if (k.check('setresgid/sgid_valid', !validGid(old, sgid))) return -EINVAL;
  const U = ID_UNCHANGED;
  const [og, oe, os] = [rgidOf(old), egidOf(old), sgidOf(old)];
  // :801-805 check for no-op (old->fsgid is the model's gid)
  if ((rgid === U || rgid === og) && (egid === U || (egid === oe && egid === old.gid)) && (sgid === U || sgid === os)) return 0;
  const isNew = (id: number): boolean => id !== U && id !== og && id !== oe && id !== os;
  // :813-815
  if (k.check('setresgid/cap_setgid', (isNew(rgid) || isNew(egid) || isNew(sgid)) && !k.ns_capable(old, old.userns, CAP_SETGID))) return -EPERM;
  const next: Cred = { ...old, rgid: rgid !== U ? rgid : og, egid: egid !== U ? egid : oe, sgid: sgid !== U ? sgid : os };
  next.gid = next.egid!; // new->fsgid = new->egid
  // :829 security_task_fix_setgid(): no module of the model implements it (SafeSetID does)
  commit_creds(t, next);
  return 0;
}

/** SYSCALL setgroups(n, list) (kernel/groups.c:198-222) with n = 0 or 1 */
export function sys_setgroups(k: Kernel, t: Task, gids: readonly number[]): number {
  const old = t.cred;
  // :203 may_setgroups() (:185-191): ns_capable_setid(user_ns, CAP_SETGID) &&
  // userns_may_setgroups() (kernel/user_namespace.c:1285): a gid map and
  // USERNS_SETGROUPS_ALLOWED. The set-up writes "deny" to /proc/<pid>/setgroups of every
  // scenario user namespace before its gid_map (as an unprivileged map writer must;
  // oracle/executor.c create_userns()), so only the init namespace allows setgroups
  if (k.check('setgroups/may_setgroups', !k.ns_capable(old, old.userns, CAP_SETGID) || !isInit(old.userns))) return -EPERM;
  if (gids.length > NGROUPS_MAX) return -EINVAL; // :205
  // :211 groups_from_user(): make_kgid() + gid_valid() of each
  if (k.check('setgroups/gid_valid', gids.some((g) => !hasGidMapping(old.userns, g)))) return -EINVAL;
  // :218 set_current_groups() -> security_task_fix_setgroups(): no module of the model implements it
  commit_creds(t, { ...old, groups: [...gids].sort((a, b) => a - b) });
  return 0;
}

/** SYSCALL capset() (kernel/capability.c) -> security_capset() -> cap_capset()
 *  (security/commoncap.c:243-275): inheritable stays empty, so its checks pass */
export function sys_capset(k: Kernel, t: Task, eff: CapSet, perm: CapSet): number {
  // :263 the new permitted within the old, :267 the new effective within the new permitted
  if (!capSubset(perm, t.cred.cap_permitted) || !capSubset(eff, perm)) return -EPERM;
  const next: Cred = { ...t.cred, cap_effective: eff, cap_permitted: perm };
  const ret = security_capset(k, next, t.cred);
  if (!ret) commit_creds(t, next);
  return ret;
}

/** prctl(PR_SET_KEEPCAPS, arg2): security_task_prctl() (kernel/sys.c:2480) ->
 *  cap_task_prctl() (security/commoncap.c:1332-1345); no other module of the
 *  model answers PR_SET_KEEPCAPS */
export function prctl_set_keepcaps(k: Kernel, t: Task, arg2: number): number {
  if (k.check('cap_task_prctl/keepcaps_arg', arg2 > 1)) return -EINVAL;
  const bits = t.cred.securebits ?? 0;
  if (bits & SECBIT_KEEP_CAPS_LOCKED) return -EPERM;
  commit_creds(t, { ...t.cred, securebits: arg2 ? bits | SECBIT_KEEP_CAPS : bits & ~SECBIT_KEEP_CAPS });
  return 0;
}

/** the drop_caps step: capget(2), then capset(2) with the named capabilities
 *  cleared from the effective and permitted sets */
export function drop_caps(k: Kernel, t: Task, drop: CapSet): number {
  let eff = t.cred.cap_effective;
  let perm = t.cred.cap_permitted;
  for (let c = 0; c <= CAP_LAST_CAP; c++)
    if (capRaised(drop, c)) {
      eff = capDrop(eff, c);
      perm = capDrop(perm, c);
    }
  return sys_capset(k, t, eff, perm);
}

/** this layer's ops (model/step.ts) */
export const CRED_STEPS: StepTable<'capset' | 'seteuid' | 'setresuid' | 'setresgid' | 'setgroups' | 'drop_caps' | 'keepcaps'> = {
  capset: (st, t, step) => sys_capset(st.k, t, capsFromNames(step.effective), step.permitted ? capsFromNames(step.permitted) : t.cred.cap_permitted),
  seteuid: (st, t, step) => sys_setresuid(st.k, t, ID_UNCHANGED, step.euid, ID_UNCHANGED),
  setresuid: (st, t, step) => sys_setresuid(st.k, t, step.ruid ?? A.setresuid.ruid.default, step.euid ?? A.setresuid.euid.default, step.suid ?? A.setresuid.suid.default),
  setresgid: (st, t, step) => sys_setresgid(st.k, t, step.rgid ?? A.setresgid.rgid.default, step.egid ?? A.setresgid.egid.default, step.sgid ?? A.setresgid.sgid.default),
  setgroups: (st, t, step) => sys_setgroups(st.k, t, (step.gid ?? A.setgroups.gid.default) === ID_UNCHANGED ? [] : [step.gid!]),
  drop_caps: (st, t, step) => drop_caps(st.k, t, capsFromNames(step.drop)),
  keepcaps: (st, t, step) => prctl_set_keepcaps(st.k, t, step.value),
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const CRED_DECISIONS = [
  // issue 11 language v2 (branch procs): credentials during a scenario (model/cred.ts)
  ...P('cred', 'setresuid (kernel/sys.c __sys_setresuid)', [
    ['ruid_valid', 'a given ruid maps into the caller\'s user namespace', 'EINVAL'],
    ['euid_valid', 'a given euid maps into the caller\'s user namespace', 'EINVAL'],
    ['suid_valid', 'a given suid maps into the caller\'s user namespace', 'EINVAL'],
    ['cap_setuid', 'an id other than the current three needs CAP_SETUID in the cred userns', 'EPERM'],
  ]),
  ...P('cred', 'setresgid (kernel/sys.c __sys_setresgid)', [
    ['rgid_valid', 'a given rgid maps into the caller\'s user namespace', 'EINVAL'],
    ['egid_valid', 'a given egid maps into the caller\'s user namespace', 'EINVAL'],
    ['sgid_valid', 'a given sgid maps into the caller\'s user namespace', 'EINVAL'],
    ['cap_setgid', 'an id other than the current three needs CAP_SETGID in the cred userns', 'EPERM'],
  ]),
  ...P('cred', 'setgroups (kernel/groups.c)', [
    ['may_setgroups', 'CAP_SETGID in the cred userns and setgroups allowed there (init only: the set-up denies it)', 'EPERM'],
    ['gid_valid', 'every group maps into the caller\'s user namespace', 'EINVAL'],
  ]),
  ...P('cred', 'cap_task_prctl (security/commoncap.c)', [['keepcaps_arg', 'PR_SET_KEEPCAPS takes 0 or 1', 'EINVAL']]),

] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof CRED_DECISIONS)[number]['id'], true> {}
}
