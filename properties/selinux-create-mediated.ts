import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { selinuxOf } from './lsm-util.ts';

/** the hooks that decide a token, map or prog creation (and the token checks
 *  the creation goes through) */
const CREATION_HOOKS = new Set(['bpf', 'bpf_token_cmd', 'bpf_token_capable', 'bpf_map_create', 'bpf_prog_load', 'bpf_token_create']);

export const selinuxCreateMediated: Property = {
  name: 'selinux-create-mediated',
  claim:
    'Every SELinux decision of a token, map or prog creation (the polcap test and each access check of its hooks) is made with the policy loaded at the moment of that check, also when a policy load completes between two hooks of the same bpf(2).',
  source: {
    kind: 'semantic',
    where:
      'security/selinux/ss/services.c security_compute_av() (7.3.4 :1137 `policy = rcu_dereference(selinux_state.policy);` at each AVC miss; avc_ss_reset() flushes the AVC on every load) and security/selinux/include/security.h selinux_policycap_bpf_token_perms() (7.3.4 :217-221, READ_ONCE(selinux_state.policycap[...]) at each test)',
  },
  dimensions: ['policy-reload', 'reload-at-use', 'reload-in-syscall', 'token-map_create', 'token-prog_load'],
  provenance: [
    'the SELinux security server reads the current policy at every decision; nothing is cached per syscall (the AVC is reset by a load)',
    'README "In-syscall policy loads": a policy_load with `at` completes right before that hook of the step',
  ],
  knownBad: ['mutant-fixed-polcap-race'],
  holdsOn: ['selinux-token-fixed', 'selinux-token-v7', 'selinux-token-merged'],
  requires: 'selinux-token-patch',
  gen: { lsm: { reloads: true, inSyscall: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st) {
        const se = selinuxOf(st.k);
        if (se) se.staleReads = [];
        return null;
      },
      after(st, step, i) {
        const se = selinuxOf(st.k);
        if (!se) return null;
        const stale = se.staleReads.filter((hook) => CREATION_HOOKS.has(hook));
        se.staleReads = [];
        if (!stale.length) return null;
        const at = (step.lsm ?? []).map((a) => (a.action === 'policy_load' && a.at ? a.at : null)).filter((x) => x !== null);
        return {
          step: i,
          message: `${step.op}: ${[...new Set(stale)].join(', ')} decided with a policy other than the one loaded at that moment${at.length ? ` (a policy load completed before ${at.join(', ')})` : ''}`,
        };
      },
    });
  },
};
