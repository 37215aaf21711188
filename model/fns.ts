// The model's own implementations of the replaceable functions
// (model/include/fns.ts), and the table a kernel of a profile uses: these,
// then the profile's `replace` entries (a mutant of mutants/ swaps one).

import type { ModelFns } from './include/fns.ts';
import type { Profile } from './profile.ts';
import { bpf_token_allow_prog_type, bpf_token_capable } from './token.ts';
import { seq_print_delegate_opts } from './bpffs.ts';
import { bpf_prog_insn_limit, bpf_token_drop } from './syscall.ts';
import { call_int_hook, security_blob_free } from './lsm.ts';

export const MODEL_FNS: Readonly<ModelFns> = Object.freeze({
  bpf_token_capable,
  bpf_token_allow_prog_type,
  seq_print_delegate_opts,
  bpf_token_drop,
  bpf_prog_insn_limit,
  call_int_hook,
  security_blob_free,
});

/** the functions a kernel of this profile calls */
export function fnsOf(profile: Profile): ModelFns {
  return profile.replace ? { ...MODEL_FNS, ...profile.replace } : MODEL_FNS;
}
