// The tables a kernel of a profile is built with (model/kernel.ts
// KernelTables): the model's own replaceable functions, then the profile's
// `replace` entries (a mutant of mutants/ swaps one); the f_op of each kind of
// file; the registered filesystems. The top of model/: it imports the modules
// that implement the tables, and only model/run.ts imports it.

import type { FileOperations, KernelTables, ModelFns } from './kernel.ts';
import type { FileObj } from './include/linux/file.ts';
import type { Profile } from './profile.ts';
import { bpf_token_allow_prog_type, bpf_token_capable, bpf_token_fops } from './token.ts';
import { bpf_fs_type, seq_print_delegate_opts } from './bpffs.ts';
import { bpf_map_fops, bpf_prog_fops, bpf_prog_insn_limit, bpf_token_drop, btf_fops } from './syscall.ts';
import { call_int_hook, security_blob_free } from './lsm.ts';
import { bpf_link_fops, bpf_prog_attach_check_attach_type } from './link.ts';
import { cred_has_capability, selinux_policy } from './lsm/selinux.ts';
import { copy_from_bpfptr, integrity_verdict_slot } from './lsm/integrity.ts';

export const MODEL_FNS: Readonly<ModelFns> = Object.freeze({
  bpf_token_capable,
  bpf_token_allow_prog_type,
  seq_print_delegate_opts,
  bpf_token_drop,
  bpf_prog_insn_limit,
  bpf_prog_attach_check_attach_type,
  call_int_hook,
  security_blob_free,
  selinux_policy,
  copy_from_bpfptr,
  integrity_verdict_slot,
  cred_has_capability,
});

/** a profile with replaced model functions (mutants/index.ts makes them;
 *  a plugin may too): data plus the functions, kept off the Profile type so
 *  that the profile data stays below the kernel in the import graph */
export type ReplacingProfile = Profile & { replace?: Partial<ModelFns> };

const FOPS: Readonly<Partial<Record<FileObj['kind'], FileOperations>>> = Object.freeze({
  token: bpf_token_fops,
  map: bpf_map_fops,
  prog: bpf_prog_fops,
  btf: btf_fops,
  link: bpf_link_fops,
});

const FILESYSTEMS = Object.freeze({ [bpf_fs_type.name]: bpf_fs_type });

/** the functions a kernel of this profile calls */
export function fnsOf(profile: ReplacingProfile): ModelFns {
  return profile.replace ? { ...MODEL_FNS, ...profile.replace } : MODEL_FNS;
}

/** everything a kernel of this profile is built with */
export function kernelTables(profile: Profile): KernelTables {
  return { fn: fnsOf(profile), fops: FOPS, filesystems: FILESYSTEMS };
}
