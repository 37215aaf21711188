import type { Property } from './types.ts';
import { counterfactual, tokenOfStep, walk, withoutToken } from './walk.ts';
import { bpfLsmOf } from '../model/lsm/index.ts';

const TOKEN_HOOKS = new Set(['bpf_token_cmd', 'bpf_token_capable']);

export const bpfLsmTokenDenial: Property = {
  name: 'bpf-lsm-token-denial',
  claim:
    'When a BPF-LSM program refuses bpf_token_cmd or bpf_token_capable for a task, no step of that task succeeds through a token: whatever fails without the token also fails with it (on kernels where a token only changes capability checks; the SELinux token patch also changes the subject of map_create/prog_load, FINDINGS.md L2).',
  source: { kind: 'semantic', where: "tools/testing/selftests/bpf/prog_tests/token.c with progs/token_lsm.c: a BPF-LSM program refusing bpf_token_capable or bpf_token_cmd makes the token-backed load fail; kernel/bpf/token.c bpf_token_capable(), bpf_token_allow_cmd()" },
  dimensions: ['bpf-lsm', 'token-passed', 'token-map_create', 'token-prog_load'],
  provenance: [
    'tools/testing/selftests/bpf/progs/token_lsm.c + prog_tests/token.c (obj_priv_prog): with reject_capable or reject_cmd set, the token-backed load must fail',
    'kernel/bpf/token.c bpf_token_capable(): a negative security_bpf_token_capable() gives false; bpf_token_allow_cmd(): a negative security_bpf_token_cmd() gives false and syscall.c drops the token',
    'security/security.c call_int_hook(): every LSM is asked until one refuses',
  ],
  knownBad: ['mutant-lsm-first-only'],
  holdsOn: ['linux-6.18', 'linux-6.18-selinux'],
  gen: { lsm: { bpfLsm: true, reloads: false } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        if (!tokenOfStep(st, step)) return null;
        const b = bpfLsmOf(st.k);
        if (!b) return null;
        const denied = b.progs.filter((p) => TOKEN_HOOKS.has(p.hook) && p.task === step.actor && p.ret < 0).map((p) => p.hook);
        if (!denied.length) return null;
        const r = ahead ?? counterfactual(st, step);
        if (r.ret !== 'ok') return null;
        const w = counterfactual(st, withoutToken(step));
        if (w.ret === 'ok') return null;
        return { step: i, message: `a BPF-LSM program refuses ${[...new Set(denied)].join(' and ')} for ${step.actor}, yet ${step.op} succeeds through the token (${w.ret} without it)` };
      },
    });
  },
};
