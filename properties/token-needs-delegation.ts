import type { Property } from './types.ts';
import { fileOf, walk } from './walk.ts';

export const tokenNeedsDelegation: Property = {
  name: 'token-needs-delegation',
  claim: 'A bpffs instance that delegates nothing (all four delegate_* masks zero) yields no token.',
  source: {
    kind: 'semantic',
    where: 'kernel/bpf/token.c bpf_token_create() (6.9 to 6.18): all four delegate masks of the instance zero -> -ENOENT (spec/token-core.md §T1.1 step 10)',
  },
  dimensions: [],
  provenance: ['spec/token-core.md §T5.1: the v10 code (seed 004) goes from ns_capable(CAP_BPF) straight to the inode allocation'],
  knownBad: ['token-v10'],
  holdsOn: ['linux-6.18'],
  check(s, profile) {
    let empty = false;
    return walk(s, profile, {
      before(st, step) {
        empty = false;
        if (step.op !== 'token_create') return null;
        const o = fileOf(st, step, step.bpffs)?.path?.mnt.sb.s_fs_info;
        empty = !!o && !o.delegate_cmds && !o.delegate_maps && !o.delegate_progs && !o.delegate_attachs;
        return null;
      },
      after(_st, step, i, r) {
        if (step.op !== 'token_create' || r.ret !== 'ok' || !empty) return null;
        return { step: i, message: `${step.actor} created a token from a bpffs instance that delegates nothing` };
      },
    });
  },
};
