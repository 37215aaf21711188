import type { Property } from './types.ts';
import { counterfactual, walk } from './walk.ts';
import { currentContext, selinuxOf } from './lsm-util.ts';
import { SelinuxLsm } from '../model/lsm/selinux.ts';
import { compilePolicy } from '../model/lsm/policy.ts';
import type { ModelState } from '../model/run.ts';

/** the same state with a policy that allows everything */
export function allowAll(c: ModelState): void {
  for (const l of c.k.security.lsms)
    if (l instanceof SelinuxLsm && l.policy)
      l.policy = { ...compilePolicy({ allow: ['* *:bpf *', '* *:capability *', '* *:capability2 *', '* *:cap_userns *', '* *:cap2_userns *', '* *:fd *', '* *:file *'] }), polcaps: l.policy.polcaps };
}

export const selinuxPermissiveNeverDenies: Property = {
  name: 'selinux-permissive-never-denies',
  claim:
    'In permissive mode, or when the domain making the syscall is permissive (for send_fd: the receiver), SELinux never denies: every step has the result it would have under a policy that allows everything.',
  source: { kind: 'semantic', where: "security/selinux/avc.c avc_denied(): a denial in permissive mode, or with AVD_FLAGS_PERMISSIVE (set by security_compute_av() in security/selinux/ss/services.c from the permissive map of the source type), is logged and allowed" },
  dimensions: ['permissive', 'policy-reload', 'fd-race'],
  provenance: [
    'SELinux semantics (avc_denied(): permissive mode and permissive domains log and allow); shared/spec/selinux-token-history.md 2.2',
    'A2: v1/v2 returned -EPERM without audit on SECSID_NULL, ignoring permissive mode (Stephen Smalley)',
  ],
  knownBad: ['selinux-token-v2', 'selinux-token-v7'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-fixed'],
  requires: 'selinux',
  gen: { lsm: { races: true, reloads: false } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i) {
        const se = selinuxOf(st.k);
        if (!se || !se.initialized || !se.policy) return null;
        // send_fd: the receiving task's recvmsg() runs security_file_receive()
        const cur = step.op === 'send_fd' ? se.contextOf(se.credSid(st.tasks.get(step.to)!.cred)) : currentContext(se, st, step);
        if (se.policy.enforcing && !se.policy.permissive.has(cur)) return null;
        const got = counterfactual(st, step);
        const open = counterfactual(st, step, allowAll);
        if (got.ret === open.ret) return null;
        const mode = se.policy.enforcing ? `domain ${cur} is permissive` : 'SELinux is permissive';
        const why = (got.avc ?? []).filter((a) => !a.granted && !a.permissive).map((a) => `${a.hook}: ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm}`);
        return { step: i, message: `${mode}, yet ${step.op} gives ${got.ret} (${open.ret} if everything were allowed)${why.length ? `; enforced denials: ${why.join('; ')}` : '; no AVC denial recorded'}` };
      },
    });
  },
};
