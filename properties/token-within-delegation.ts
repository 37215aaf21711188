import type { Property } from './types.ts';
import { counterfactual, tokenOfStep, walk, withoutToken } from './walk.ts';
import { BPF_BTF_GET_FD_BY_ID, BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_PROG_LOAD } from '../model/enums.ts';
import { delegateEnum } from '../model/bpffs.ts';
import { DEFAULT_PROFILE, type Profile, findProfile } from '../model/profile.ts';
import { fixupAttachType } from '../model/syscall.ts';
import type { BpfToken } from '../model/token.ts';
import type { Step } from '../scenario/types.ts';

const bit = (m: bigint, b: number, max: number): boolean => b < max && (m & (1n << BigInt(b))) !== 0n;

/** does the token delegate exactly this request (command, and its types)? The
 *  type ranges are those of the profile's kernel (enumTails/enumDrop: 7.3.4 has
 *  more attach types, 6.12.117 fewer) */
export function delegates(tk: BpfToken, step: Step, profile: Profile = findProfile(DEFAULT_PROFILE)!): boolean {
  const __MAX_BPF_MAP_TYPE = delegateEnum(profile, 'delegate_maps').max;
  const __MAX_BPF_PROG_TYPE = delegateEnum(profile, 'delegate_progs').max;
  const __MAX_BPF_ATTACH_TYPE = delegateEnum(profile, 'delegate_attachs').max;
  switch (step.op) {
    case 'map_create':
      return bit(tk.allowed_cmds, BPF_MAP_CREATE, 64) && bit(tk.allowed_maps, step.map_type, __MAX_BPF_MAP_TYPE);
    case 'prog_load': {
      const eat = fixupAttachType(step.prog_type, step.expected_attach_type ?? 0);
      return (
        bit(tk.allowed_cmds, BPF_PROG_LOAD, 64) &&
        bit(tk.allowed_progs, step.prog_type, __MAX_BPF_PROG_TYPE) &&
        bit(tk.allowed_attachs, eat, __MAX_BPF_ATTACH_TYPE)
      );
    }
    case 'btf_load':
      return bit(tk.allowed_cmds, BPF_BTF_LOAD, 64);
    case 'btf_get_fd_by_id':
      return bit(tk.allowed_cmds, BPF_BTF_GET_FD_BY_ID, 64);
    default:
      return true;
  }
}

export const tokenWithinDelegation: Property = {
  name: 'token-within-delegation',
  claim: 'A token never lets an operation succeed that its bpffs did not delegate (command, map type, program type, attach type).',
  source: { kind: 'document', file: "seeds/003_f755b24cb41e53d5.txt", section: "commit 6fe01d3cbb92 \"bpf: Add BPF token delegation mount options to BPF FS\"", quote: "`delegate_cmds` allow to specify which bpf() syscall commands are allowed with BPF token derived from this BPF FS instance;" },
  dimensions: ['token-map_create', 'token-prog_load', 'token-btf_load', 'token-btf_get_fd_by_id', 'delegated-types', 'token-passed'],
  provenance: [
    'seed 001 (v12 cover letter): delegate_{cmds,maps,progs,attachs} say which operations a token derived from the bpffs allows',
    'kernel/bpf/token.c bpf_token_allow_cmd(), bpf_token_allow_map_type(), bpf_token_allow_prog_type(); syscall.c map_create()/bpf_prog_load() drop a token that does not allow the request',
  ],
  knownBad: ['mutant-ignore-attach-mask', 'mutant-keep-dropped-token'],
  holdsOn: ['linux-6.18', 'linux-7.3'],
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        const tk = tokenOfStep(st, step);
        if (!tk || delegates(tk, step, profile)) return null;
        const withTok = ahead ?? counterfactual(st, step);
        if (withTok.ret !== 'ok') return null;
        const without = counterfactual(st, withoutToken(step));
        if (without.ret === 'ok') return null;
        return {
          step: i,
          message: `${step.op} succeeded with a token that does not delegate it; without the token it fails with ${without.ret}`,
        };
      },
    });
  },
};
