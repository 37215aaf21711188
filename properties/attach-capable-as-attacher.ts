import type { Property } from './types.ts';
import { counterfactual, fileOf, taskOf, walk } from './walk.ts';
import type { ModelState } from '../model/run.ts';
import type { Step } from '../scenario/types.ts';
import type { BpfProg } from '../model/include/linux/bpf.ts';
import type { Cred } from '../model/userns.ts';

const ATTACH_OPS = new Set(['prog_attach', 'link_create']);

/** the program an attach step names in the attaching task's table, if it is one */
function progOf(st: ModelState, step: Step): BpfProg | null {
  if (!ATTACH_OPS.has(step.op) || !('prog' in step)) return null;
  const f = fileOf(st, step, step.prog);
  return f && f.obj.kind === 'prog' ? f.obj.prog : null;
}

/** the same credentials for every capability check (the namespace, the effective set, the euid of the owner rule) */
function sameForCapable(a: Cred, b: Cred): boolean {
  return a.userns === b.userns && a.cap_effective === b.cap_effective && a.euid === b.euid;
}

export const attachCapableAsAttacher: Property = {
  name: 'attach-capable-as-attacher',
  claim:
    "The capability checks of BPF_PROG_ATTACH and BPF_LINK_CREATE are made against the attaching task's credentials, not the loader's: attaching a program gives the same result as it would if the attaching task had loaded that program itself (same type, expected attach type and token).",
  source: {
    kind: 'semantic',
    where:
      "kernel/bpf/syscall.c bpf_prog_attach() and link_create() call bpf_prog_attach_check_attach_type(prog, attach_type), whose BPF_PROG_TYPE_CGROUP_SKB case is `if (!bpf_token_capable(prog->aux->token, CAP_NET_ADMIN)) return -EPERM;` (\"cg-skb progs can be loaded by unpriv user. check permissions at attach time.\"); bpf_token_capable() is ns_capable(token ? token->userns : &init_user_ns, cap), and kernel/capability.c ns_capable() tests current's credentials (current_cred()): the program keeps its loader's token (prog->aux->token), not its loader's credentials",
  },
  dimensions: ['attach-by-other', 'token-prog_load'],
  provenance: [
    'kernel/bpf/syscall.c bpf_prog_attach_check_attach_type() (Debian linux-source-7.3 7.3.4-1~bpo13+1 :4491-4515, 6.18 alike; kernel-seen on the host 6.18 kernel: corpus/kernel/104, 106, 107): the CGROUP_SKB capability check at attach, through prog->aux->token, as current',
    'kernel/bpf/syscall.c bpf_prog_attach() (7.3.4 :4596-4630) turns the check\'s error into -EINVAL; link_create() (7.3.4 :5810-5840) returns it (-EPERM)',
    'seed 001 (v12 cover letter, changes in v8): the token is stored in prog->aux "because it\'s used during verification and even can be checked during attach time for some program types" (the token, not the loader\'s credentials)',
  ],
  knownBad: ['mutant-attach-capable-as-loader'],
  holdsOn: ['linux-6.18', 'linux-6.12', 'linux-7.3'],
  gen: { attach: true },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        const prog = progOf(st, step);
        if (!prog?.loader_cred) return null;
        const t = taskOf(st, step);
        if (sameForCapable(prog.loader_cred, t.cred)) return null;
        const actual = ahead ?? counterfactual(st, step);
        // the same program, as if the attaching task had loaded it
        const asOwn = counterfactual(st, step, (c) => {
          const p = progOf(c, step)!;
          p.loader_cred = taskOf(c, step).cred;
        });
        if (actual.ret === asOwn.ret) return null;
        return {
          step: i,
          message: `${step.actor} ${step.op} of a program another task loaded: ${actual.ret}; had ${step.actor} loaded it itself (same token): ${asOwn.ret}`,
        };
      },
    });
  },
};
