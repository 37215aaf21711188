import type { Property } from './types.ts';
import { fileOf, walk } from './walk.ts';

export const tokenFromBpffsRoot: Property = {
  name: 'token-from-bpffs-root',
  claim: 'Tokens come only from the root of a bpffs instance: never from a subdirectory, even one bind-mounted or cloned so that it is the root of its mount.',
  source: { kind: 'document', file: "seeds/001_7faa28146133d549.txt", section: "cover letter, v12 changelog", quote: "fix BPF FS root check to disallow using bind-mounted subdirectory of BPF FS instance (Christian);" },
  dimensions: [],
  provenance: [
    'seed 004 (Brauner on v10): "verify that you can only create tokens from the root of the bpffs ... path.dentry != path.mnt->mnt_sb->s_root"',
    'seed 001 (v12 changelog): "fix BPF FS root check to disallow using bind-mounted subdirectory of BPF FS instance"',
    'kernel/bpf/token.c bpf_token_create()',
  ],
  knownBad: ['token-v10'],
  holdsOn: ['linux-6.18'],
  check(s, profile) {
    let notRoot: string | null = null;
    return walk(s, profile, {
      before(st, step) {
        notRoot = null;
        if (step.op !== 'token_create') return null;
        const path = fileOf(st, step, step.bpffs)?.path;
        if (path && path.dentry !== path.dentry.sb.s_root) notRoot = path.dentry.name;
        return null;
      },
      after(_st, step, i, r) {
        if (step.op !== 'token_create' || r.ret !== 'ok' || notRoot === null) return null;
        return { step: i, message: `token created from "${notRoot}", which is not the root of its bpffs instance` };
      },
    });
  },
};
