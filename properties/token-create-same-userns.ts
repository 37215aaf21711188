import type { Property } from './types.ts';
import { fileOf, taskOf, walk } from './walk.ts';

export const tokenCreateSameUserns: Property = {
  name: 'token-create-same-userns',
  claim:
    'BPF_TOKEN_CREATE succeeds only for a task in exactly the user namespace of the bpffs instance (not in an ancestor, however privileged, nor in a descendant).',
  source: {
    kind: 'document',
    file: 'seeds/001_7faa28146133d549.txt',
    section: 'cover letter, v12 changelog',
    quote: 'further restrict BPF_TOKEN_CREATE command to be executed from inside exactly the same user namespace as the one used to create BPF FS instance',
  },
  dimensions: ['cross-userns-create'],
  provenance: [
    'seed 004 (Brauner on v10 03/17): "Enforce that creators of bpf tokens are in the same user namespace as the bpffs instance."',
    'spec/token-core.md §T1.1 step 7: current_user_ns() != sb->s_user_ns -> EPERM (kernel/bpf/token.c bpf_token_create())',
  ],
  knownBad: ['token-v10'],
  holdsOn: ['linux-6.18'],
  check(s, profile) {
    let where: string | null = null;
    return walk(s, profile, {
      before(st, step) {
        where = null;
        if (step.op !== 'token_create') return null;
        const sb = fileOf(st, step, step.bpffs)?.path?.mnt.sb;
        const ns = taskOf(st, step).cred.userns;
        if (sb && sb.fsType === 'bpf' && sb.s_user_ns !== ns) where = `${step.actor} (userns ${ns.name}) from a bpffs of userns ${sb.s_user_ns.name}`;
        return null;
      },
      after(_st, step, i, r) {
        if (step.op !== 'token_create' || r.ret !== 'ok' || where === null) return null;
        return { step: i, message: `token created by ${where}` };
      },
    });
  },
};
