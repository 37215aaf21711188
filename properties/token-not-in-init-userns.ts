import type { Property } from './types.ts';
import { fileOf, walk } from './walk.ts';
import { isInit } from '../model/userns.ts';

export const tokenNotInInitUserns: Property = {
  name: 'token-not-in-init-userns',
  claim: 'No BPF token is ever created in the init user namespace: BPF_TOKEN_CREATE from a task in init_user_ns never succeeds.',
  source: {
    kind: 'document',
    file: 'seeds/003_f755b24cb41e53d5.txt',
    section: 'commit 35f96de04127 "bpf: Introduce BPF token object"',
    quote: 'Also creating BPF token in init user namespace is currently not supported, given BPF token doesn\'t have any effect in init user namespace anyways.',
  },
  dimensions: [],
  provenance: ['spec/token-core.md §T1.1 step 9: current_user_ns() == &init_user_ns -> EOPNOTSUPP (kernel/bpf/token.c bpf_token_create())'],
  knownBad: ['token-v10'],
  holdsOn: ['linux-6.18'],
  check(s, profile) {
    return walk(s, profile, {
      after(st, step, i, r) {
        if (step.op !== 'token_create' || r.ret !== 'ok') return null;
        const f = fileOf(st, step, step.as);
        if (f && f.obj.kind === 'token' && isInit(f.obj.token.userns)) return { step: i, message: `${step.actor} created a token in the init user namespace` };
        return null;
      },
    });
  },
};
