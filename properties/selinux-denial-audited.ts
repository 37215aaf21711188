import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { resultWithoutSelinux, selinuxOf, selinuxRefusals } from './lsm-util.ts';

export const selinuxDenialAudited: Property = {
  name: 'selinux-denial-audited',
  claim: 'Every step that SELinux makes fail has an audited AVC denial.',
  source: { kind: 'semantic', where: "security/selinux/avc.c avc_has_perm(): a denial returns -EACCES after avc_audit() (unless a dontaudit rule applies)" },
  dimensions: ['policy-reload', 'fd-race', 'bpf-lsm'],
  provenance: [
    'SELinux semantics: a denial is -EACCES after an audited avc_has_perm(); spec/selinux.md §SE1.1',
    'A2 (Stephen Smalley on v1/v2): the SECSID_NULL path returned -EPERM with no audit record',
  ],
  knownBad: ['selinux-token-v2'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-v7', 'selinux-token-fixed'],
  requires: 'selinux',
  gen: { lsm: { races: true, bpfLsm: true } },
  check(s, profile) {
    // SELinux can make a step fail only through one of its hooks returning non-zero
    // (SecurityStack.nonzero): only then is the step run again without SELinux, on the state
    // before it, rebuilt by replaying the steps before (rare: a refusal with no audited denial)
    let applies = false;
    let refusals = 0;
    return walk(s, profile, {
      before(st) {
        const se = selinuxOf(st.k);
        applies = !!se && se.initialized && !!se.policy;
        refusals = selinuxRefusals(st);
        return null;
      },
      after(st, step, i, got) {
        if (!applies || got.ret === 'ok') return null;
        // an audited denial: nothing to show (tested before the run without
        // SELinux, which only matters without one)
        if ((got.avc ?? []).some((a) => !a.granted && a.audited && !a.permissive)) return null;
        // the same step with SELinux out of the stack
        const open = resultWithoutSelinux(s, profile, i, step, st, refusals);
        if (!open || open.ret === got.ret) return null;
        return { step: i, message: `${step.op} fails with ${got.ret} because of SELinux (${open.ret} without SELinux), but no audited AVC denial was recorded` };
      },
    });
  },
};
