import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { resultWithoutSelinux, selinuxOf, selinuxRefusals } from './lsm-util.ts';
import type { SelinuxLsm } from '../model/lsm/selinux.ts';
import type { ModelState } from '../model/run.ts';
import type { Step } from '../scenario/types.ts';

/** the context of the task a step's SELinux decisions are made for: the
 *  actor, or for send_fd the receiver (its recvmsg() runs security_file_receive()) */
function subjectContext(se: SelinuxLsm, st: ModelState, step: Step): string {
  const task = step.op === 'send_fd' ? st.tasks.get(step.to)! : st.tasks.get(step.actor)!;
  return se.contextOf(se.credSid(task.cred));
}

export const selinuxPermissiveNeverDenies: Property = {
  name: 'selinux-permissive-never-denies',
  claim:
    'SELinux refuses only by enforcing an access decision, and enforces a decision only when it is enforcing and the decision\'s source type is not permissive: a step made in permissive mode, or by a permissive domain, whose decisions include no enforced denial (none whose source is an enforcing domain) has the result it would have without SELinux.',
  source: { kind: 'semantic', where: 'security/selinux/avc.c avc_denied(): a denial in permissive mode, or with AVD_FLAGS_PERMISSIVE (set by security_compute_av() in security/selinux/ss/services.c from the permissive map of the source type), is logged and allowed (spec/selinux.md §SE1.2)' },
  dimensions: ['permissive', 'policy-reload', 'fd-race'],
  provenance: [
    'spec/selinux.md §SE1.2: security_compute_av() (security/selinux/ss/services.c) sets AVD_FLAGS_PERMISSIVE from permissive_map of scontext->type; avc_denied() (security/selinux/avc.c) returns -EACCES only if enforcing_enabled() && !(avd->flags & AVD_FLAGS_PERMISSIVE). Permissiveness is keyed on the source of the decision: with the token creator as source (seed 000: "avc_has_perm(creator_sid, current_sid, SECCLASS_BPF, BPF__MAP_CREATE, NULL);", spec/selinux-token.md §S1.2) a denial while only the caller is permissive is ordinary, and not a violation',
    'spec/selinux-token.md §S3.2 (A2): v1/v2 returned -EPERM without any AVC decision when the creator lookup gave SECSID_NULL, a refusal that ignored permissive mode (Stephen Smalley); v3 let it fall through to an audited check against unlabeled_t',
  ],
  knownBad: ['selinux-token-v1', 'selinux-token-v2'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-v3', 'selinux-token-merged', 'selinux-token-fixed'],
  requires: 'selinux',
  gen: { lsm: { races: true, reloads: true } },
  check(s, profile) {
    // The step as it runs (its own administrative action, e.g. a policy load
    // attached to it, included) is the walk's own step: `after` sees its
    // result and the state after it. SELinux can change a result only through
    // one of its hooks returning non-zero (SecurityStack.nonzero); only then is
    // the run without SELinux needed, on the state before the step, rebuilt by
    // replaying the steps before it (issue 13: a copy of every permissive step's
    // state was 4.5% of a v7 campaign).
    let applies = false;
    let refusals = 0;
    return walk(s, profile, {
      before(st, _step, _i, ahead) {
        applies = !!selinuxOf(st.k);
        // an enforced denial among the step's decisions: ordinary semantics (tested in `after` too)
        if (applies && ahead && (ahead.avc ?? []).some((a) => !a.granted && !a.permissive)) applies = false;
        refusals = selinuxRefusals(st);
        return null;
      },
      after(st, step, i, got) {
        if (!applies) return null;
        const se = selinuxOf(st.k);
        if (!se || !se.initialized || !se.policy) return null;
        const sub = subjectContext(se, st, step);
        if (se.policy.enforcing && !se.policy.permissive.has(sub)) return null;
        // a decision whose source is an enforcing domain is enforced: ordinary semantics
        if ((got.avc ?? []).some((a) => !a.granted && !a.permissive)) return null;
        // no SELinux hook refused or returned a value: the result is the one without SELinux
        const open = resultWithoutSelinux(s, profile, i, step, st, refusals);
        if (!open || got.ret === open.ret) return null;
        const mode = se.policy.enforcing ? `domain ${sub} is permissive` : 'SELinux is permissive';
        const seen = (got.avc ?? []).map((a) => `${a.hook}: ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm} ${a.granted ? 'granted' : 'permissive'}`);
        return { step: i, message: `${mode} and no decision of the step is an enforced denial, yet ${step.op} gives ${got.ret} (${open.ret} without SELinux)${seen.length ? `; decisions: ${seen.join('; ')}` : '; no AVC decision at all'}` };
      },
    });
  },
};
