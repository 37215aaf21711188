// What a coverage report must not call a miss: decision points (and SELinux
// access decisions) that cannot reach an outcome on a profile by design, each
// with the reason. Everything else never reached, or one-sided, is a real miss
// of the campaign. These are statements about the model and the generators
// ("ours" where no kernel source says so), each naming what makes it so.

import type { Profile } from '../model/profile.ts';
import { SELINUX_VARIANTS } from '../model/lsm/selinux.ts';

const hasSelinux = (p: Profile): boolean => p.lsm?.order.includes('selinux') ?? false;

/** profile knobs that add a decision point only where they are on (model/profile.ts) */
type Knob = 'openTreeFdFirst' | 'openTreeFdBeforeLookup' | 'tokenFdBeforeHook' | 'btfGetFdByIdNoToken' | 'noTokenInfo' | 'denyTrampolineProgs' | 'legacyDetachNeedsNetCapable' | 'sameUsernsRule' | 'initUsernsEopnotsupp' | 'enoentWithoutDelegation' | 'delegateNeedsSysAdmin';
const KNOB_POINTS: Record<string, { knob: Knob; where: string }> = {
  // the token core rules v10 did not have yet (model/profile.ts TokenCoreVariant)
  'bpf_token_create/same_userns': { knob: 'sameUsernsRule', where: 'linux-6.18 and later' },
  'bpf_token_create/init_ns': { knob: 'initUsernsEopnotsupp', where: 'linux-6.18 and later' },
  'bpf_token_create/delegation': { knob: 'enoentWithoutDelegation', where: 'linux-6.18 and later' },
  'bpf_parse_param/delegate_capable': { knob: 'delegateNeedsSysAdmin', where: 'linux-6.18 and later' },
  'open_tree/fd_first': { knob: 'openTreeFdFirst', where: 'linux-7.3' },
  'open_tree/fd_before_lookup': { knob: 'openTreeFdBeforeLookup', where: 'linux-6.12' },
  'bpf_token_create/fd_first': { knob: 'tokenFdBeforeHook', where: 'linux-7.3' },
  'bpf_btf_get_fd_by_id/check_attr_6_12': { knob: 'btfGetFdByIdNoToken', where: 'linux-6.12' },
  'bpf_obj_get_info_by_fd/no_token_info': { knob: 'noTokenInfo', where: 'linux-6.12' },
  'bpf_prog_load/trampoline': { knob: 'denyTrampolineProgs', where: 'linux-6.18 (this host\'s build)' },
  'bpf_prog_detach/vendor_net_capable': { knob: 'legacyDetachNeedsNetCapable', where: 'linux-6.18 (this host\'s build)' },
};

/**
 * why the outcome(s) `missing` of decision point `id` cannot happen on
 * `profile` by design, or undefined (then it is a real miss)
 */
export function pointByDesign(id: string, missing: 'pass' | 'fail' | 'both', profile: Profile): string | undefined {
  const knob = KNOB_POINTS[id];
  if (knob && !profile.token[knob.knob]) return `a check of profile knob ${knob.knob} only (on in ${knob.where}); off in ${profile.name}`;
  if (id === 'map_create/vendor_arena' && !profile.token.kconfig?.arenaEperm)
    return `a check of the host fact ARENA=EPERM only (model/kconfig.ts, added by the host oracle where its probe finds it); not in ${profile.name}`;
  if (missing === 'fail' && id.endsWith('/lsm') && !hasSelinux(profile))
    return `only an LSM denial fails it: ${profile.name} has no SELinux, and only LSM scenarios (bpf_lsm_deny actions) load BPF-LSM programs`;
  if (missing === 'fail' && id === 'bpf_token_create/bpffs')
    return "the model's only file outside bpffs is /dev/null (an actor's stdin), whose root test fails first with the same EINVAL";
  if (missing !== 'pass' && id === 'fsopen/fs_type')
    return 'the sandbox refuses every filesystem name but "bpf" before the syscall (staticRefusal/fs_type, scenario/sandbox.ts ALLOWED_FS_TYPES)';
  if (missing === 'fail' && id === 'vfs_parse_fs_param/lsm' && !hasSelinux(profile)) return `only an LSM claims or refuses a parameter: ${profile.name} has no SELinux`;
  return undefined;
}

/** why an SELinux access decision (hook class:perm) cannot happen on `profile`, or undefined */
export function avcByDesign(d: SelinuxDecision, profile: Profile): string | undefined {
  if (!hasSelinux(profile)) return `${profile.name} has no SELinux`;
  if (d.needs) return d.needs(profile);
  return undefined;
}

export interface SelinuxDecision {
  hook: string;
  tclass: string;
  perm: string;
  /** the model function that asks it (model/lsm/selinux.ts) and the kernel's (security/selinux/hooks.c) */
  where: string;
  /** a reason it cannot be asked on this profile, if any */
  needs?: (p: Profile) => string | undefined;
}

const variant = (p: Profile) => (p.lsm?.selinux === undefined ? undefined : SELINUX_VARIANTS[p.lsm.selinux]);
const patched = (p: Profile): string | undefined => (variant(p)?.tokenPatch ? undefined : `${p.name} has SELinux without the token patch (no such check)`);

/** the capabilities the model asks for, by number: < 32 class capability / cap_userns, else capability2 / cap2_userns */
const CAPS: Array<[string, number]> = [
  ['dac_override', 1], ['dac_read_search', 2], ['setuid', 7], ['net_admin', 12], ['sys_admin', 21], ['sys_resource', 24], ['perfmon', 38], ['bpf', 39],
];
/** the capabilities bpf_token_capable() is asked for (kernel/bpf/syscall.c, token.c) */
const TOKEN_CAPS: Array<[string, number]> = [['net_admin', 12], ['sys_admin', 21], ['perfmon', 38], ['bpf', 39]];

function capDecisions(): SelinuxDecision[] {
  const out: SelinuxDecision[] = [];
  for (const [name, n] of CAPS)
    for (const init of [true, false])
      out.push({
        hook: 'capable',
        tclass: n < 32 ? (init ? 'capability' : 'cap_userns') : init ? 'capability2' : 'cap2_userns',
        perm: name,
        where: 'SELinux.capable, selinux_capable() -> cred_has_capability()',
      });
  for (const [name, n] of TOKEN_CAPS) {
    out.push({
      hook: 'bpf_token_capable',
      tclass: n < 32 ? 'cap_userns' : 'cap2_userns',
      perm: name,
      where: 'SELinux.bpf_token_capable, selinux_bpf_token_capable() (v5+): a token in a user namespace',
      needs: (p) => patched(p) ?? (variant(p)?.tokenCapable === 'none' ? `${p.name}: no bpf_token_capable hook (v1-v4)` : undefined),
    });
    // a token in init_user_ns: class capability / capability2 (v7: capability for caps >= 32, bit cap & 31)
    out.push({
      hook: 'bpf_token_capable',
      tclass: n < 32 ? 'capability' : 'capability2',
      perm: name,
      where: 'SELinux.bpf_token_capable: a token in the init user namespace',
      needs: (p) => (p.token.initUsernsEopnotsupp ? `${p.name} creates no token in the init user namespace (bpf_token_create/init_ns, EOPNOTSUPP)` : patched(p)),
    });
  }
  return out;
}

/** every (hook, class, permission) the SELinux model can decide: every avcHasPerm() of model/lsm/selinux.ts */
export const SELINUX_DECISIONS: readonly SelinuxDecision[] = [
  ...capDecisions(),
  { hook: 'file_receive', tclass: 'fd', perm: 'use', where: 'SELinux.file_receive, selinux_file_receive() -> file_has_perm()' },
  { hook: 'file_receive', tclass: 'bpf', perm: 'map_read', where: 'SELinux.file_receive, bpf_fd_pass()' },
  { hook: 'file_receive', tclass: 'bpf', perm: 'map_write', where: 'SELinux.file_receive, bpf_fd_pass()' },
  { hook: 'file_receive', tclass: 'bpf', perm: 'prog_run', where: 'SELinux.file_receive, bpf_fd_pass()' },
  { hook: 'bpf', tclass: 'bpf', perm: 'map_create', where: 'SELinux.bpf, selinux_bpf() (not with bpf_token_perms on the token patch)' },
  { hook: 'bpf', tclass: 'bpf', perm: 'prog_load', where: 'SELinux.bpf, selinux_bpf()' },
  { hook: 'bpf_map', tclass: 'bpf', perm: 'map_read', where: 'SELinux.bpf_map, selinux_bpf_map()' },
  { hook: 'bpf_map', tclass: 'bpf', perm: 'map_write', where: 'SELinux.bpf_map, selinux_bpf_map()' },
  { hook: 'bpf_prog', tclass: 'bpf', perm: 'prog_run', where: 'SELinux.bpf_prog, selinux_bpf_prog()' },
  { hook: 'bpf_map_create', tclass: 'bpf', perm: 'map_create', where: 'SELinux.bpf_map_create, selinux_bpf_map_create() (token patch)', needs: patched },
  { hook: 'bpf_prog_load', tclass: 'bpf', perm: 'prog_load', where: 'SELinux.bpf_prog_load, selinux_bpf_prog_load() (token patch)', needs: patched },
  { hook: 'bpf_token_create', tclass: 'bpf', perm: 'map_create_as', where: 'SELinux.bpf_token_create, selinux_bpf_token_create() (token patch)', needs: patched },
  { hook: 'bpf_token_create', tclass: 'bpf', perm: 'prog_load_as', where: 'SELinux.bpf_token_create, selinux_bpf_token_create() (token patch)', needs: patched },
  {
    hook: 'bpf_token_cmd',
    tclass: 'bpf',
    perm: 'map_create_as',
    where: 'SELinux.bpf_token_cmd, selinux_bpf_token_cmd(): fixed variant only (finding 4, *_as at every use)',
    needs: (p) => (variant(p)?.asAtUse ? undefined : `${p.name}: bpf_token_cmd checks the permissions cached at creation, no access decision`),
  },
  {
    hook: 'bpf_token_cmd',
    tclass: 'bpf',
    perm: 'prog_load_as',
    where: 'SELinux.bpf_token_cmd, selinux_bpf_token_cmd(): fixed variant only',
    needs: (p) => (variant(p)?.asAtUse ? undefined : `${p.name}: bpf_token_cmd checks the permissions cached at creation, no access decision`),
  },
];

export const decisionKey = (d: Pick<SelinuxDecision, 'hook' | 'tclass' | 'perm'>): string => `${d.hook} ${d.tclass}:${d.perm}`;
