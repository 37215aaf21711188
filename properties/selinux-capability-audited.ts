import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { capName } from '../model/caps.ts';

/** the classes cred_has_capability() checks in (7.3.4 security/selinux/hooks.c:1663-1673) */
const CAP_CLASSES: Record<string, { index: 0 | 1 }> = {
  capability: { index: 0 },
  cap_userns: { index: 0 },
  capability2: { index: 1 },
  cap2_userns: { index: 1 },
};

/**
 * What the audit data of an AVC record says (issue 12, audit content): the
 * record avc_audit() logs carries the common_audit_data its caller passed,
 * printed by dump_common_audit_data() (security/lsm_audit.c). A capable()
 * check (selinux_capable() -> cred_has_capability()) passes LSM_AUDIT_DATA_CAP
 * with `ad.u.cap = cap` (7.3.4 security/selinux/hooks.c:1660-1661; printed
 * " capability=%d ", lsm_audit.c:193-194), the capability whose permission the
 * record names; the bpf hooks (selinux_bpf(), selinux_bpf_map(),
 * selinux_bpf_prog(), bpf_fd_pass(), selinux_bpf_map_create(),
 * selinux_bpf_prog_load(), selinux_bpf_token_create(),
 * selinux_bpf_token_capable(): hooks.c:7313-7510, and the v7 patch, seed 000)
 * pass NULL, which slow_avc_audit() turns into LSM_AUDIT_DATA_NONE (avc.c:
 * 763-766): no capability= there, even in a capability class
 * (selinux_bpf_token_capable()). file_has_perm()'s LSM_AUDIT_DATA_FILE (path=)
 * is not in the model's records and not checked.
 */
export const selinuxCapabilityAudited: Property = {
  name: 'selinux-capability-audited',
  claim:
    'Every AVC record of a capability check (cred_has_capability()) carries capability=N, where N is the capability whose permission and class (capability/cap_userns for 0-31, capability2/cap2_userns for 32-63) the record names; a record of a check that passes no audit data (every SELinux bpf hook, bpf_token_capable included) carries none.',
  source: {
    kind: 'semantic',
    where:
      'security/selinux/hooks.c cred_has_capability(): `ad.type = LSM_AUDIT_DATA_CAP; ad.u.cap = cap;` then avc_audit(..., &ad) (7.3.4 :1660-1661, :1677); security/lsm_audit.c dump_common_audit_data(): `case LSM_AUDIT_DATA_CAP: audit_log_format(ab, " capability=%d ", a->u.cap);` (:193-194); security/selinux/avc.c slow_avc_audit(): NULL audit data is LSM_AUDIT_DATA_NONE (:763-766)',
  },
  dimensions: ['policy-reload', 'bpf-lsm'],
  provenance: [
    'issue 12 ("Audit content: every AVC record carries what the kernel\'s record carries (the capability number for capability checks ...)")',
    'seed 000 selinux_bpf_token_capable(): `return avc_has_perm(current_sid(), bpfsec->grantor_sid, sclass, av, NULL);` (as merged: 7.3.4 hooks.c:7510-7511)',
  ],
  knownBad: ['mutant-selinux-cap-audit-index'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-v7', 'selinux-token-merged', 'selinux-token-fixed'],
  requires: 'selinux',
  gen: { lsm: { bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      after(_st, step, i, r) {
        for (const a of r.avc ?? []) {
          const rec = `${a.hook} ${a.scontext} ${a.tcontext}:${a.tclass} { ${a.perm} }`;
          if (a.hook !== 'capable') {
            if (a.capability !== undefined) return { step: i, message: `${step.op}: the AVC record of ${rec} carries capability=${a.capability}, but ${a.hook} passes no LSM_AUDIT_DATA_CAP audit data` };
            continue;
          }
          const cls = CAP_CLASSES[a.tclass];
          if (!cls) return { step: i, message: `${step.op}: a capability check recorded in class ${a.tclass} (${rec})` };
          if (a.capability === undefined) return { step: i, message: `${step.op}: the AVC record of the capability check ${rec} carries no capability=` };
          if (a.capability >> 5 !== cls.index || capName(a.capability).toLowerCase() !== a.perm)
            return { step: i, message: `${step.op}: the AVC record of the capability check ${rec} carries capability=${a.capability} (${capName(a.capability)}), not the capability it checked` };
        }
        return null;
      },
    });
  },
};
