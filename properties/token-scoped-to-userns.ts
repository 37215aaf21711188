import type { Property } from './types.ts';
import { counterfactual, taskOf, tokenOfStep, walk, withoutToken } from './walk.ts';
import { isAncestorOrSelf } from '../model/userns.ts';

export const tokenScopedToUserns: Property = {
  name: 'token-scoped-to-userns',
  claim:
    "A token has effect only in its own user namespace (and for tasks in its ancestors): a task in any other user namespace gets exactly the result it gets without the token.",
  source: { kind: 'document', file: "seeds/001_7faa28146133d549.txt", section: "cover letter ([PATCH v12 bpf-next 00/17])", quote: "BPF FS and BPF token are both bound to its owning userns and in such a way are constrained inside intended container." },
  dimensions: ['foreign-userns-use', 'token-passed', 'token-map_create', 'token-prog_load'],
  provenance: [
    'seed 001 (v12 cover letter): "BPF FS and BPF token are both bound to its owning userns and in such a way are constrained inside intended container"',
    'kernel/bpf/token.c bpf_token_capable(): ns_capable(token->userns, cap); cap_capable() (commoncap.c) only grants capabilities over a namespace to its own tasks and its ancestors',
  ],
  knownBad: ['mutant-capable-current-ns'],
  holdsOn: ['linux-6.18', 'linux-6.12'],
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        const tk = tokenOfStep(st, step);
        if (!tk) return null;
        // 6.12.117: BPF_BTF_GET_FD_BY_ID has no token field, a token is an attr
        // error there (CHECK_ATTR, kernel/bpf/syscall.c:5033-5037), not a use
        if (step.op === 'btf_get_fd_by_id' && profile.token.btfGetFdByIdNoToken) return null;
        const t = taskOf(st, step);
        // the token's own namespace and its ancestors are where it may act
        if (isAncestorOrSelf(t.cred.userns, tk.userns)) return null;
        const withTok = ahead ?? counterfactual(st, step);
        const without = counterfactual(st, withoutToken(step));
        if (withTok.ret === without.ret) return null;
        return {
          step: i,
          message: `${step.actor} (userns ${t.cred.userns.name}) used a token of userns ${tk.userns.name}: ${withTok.ret} with it, ${without.ret} without`,
        };
      },
    });
  },
};
