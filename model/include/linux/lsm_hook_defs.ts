// include/linux/lsm_hook_defs.h: the LSM hooks the token layers reach, with
// the 6.18 signatures (from the running kernel's BTF) and the seed 002
// integrity hooks. Types only; the framework (call_int_hook() and the
// security_*() wrappers) is model/lsm.ts.

import type { Cred, UserNamespace } from '../../userns.ts';
import type { BpfAttr, BpfMap, BpfProg, BpfToken } from './bpf.ts';
import type { File } from './file.ts';
import type { Mount, Path, SuperBlock } from './fs.ts';
import type { FsContext, FsParameter } from './fs_context.ts';
import type { LsmId, Verdict } from './security.ts';

export interface LsmHooks {
  name: string;
  capable?(cred: Cred, ns: UserNamespace, cap: number, opts: number): number;
  capset?(newCred: Cred, oldCred: Cred): number;
  task_fix_setuid?(newCred: Cred, oldCred: Cred, flags: number): number;
  /** create_user_ns(): the new cred, still in the parent namespace */
  userns_create?(cred: Cred): number;
  bpf?(cmd: number, attr: BpfAttr, size: number, kernel: boolean): number;
  bpf_map?(map: BpfMap, fmode: number): number;
  bpf_prog?(prog: BpfProg): number;
  bpf_map_create?(map: BpfMap, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number;
  bpf_map_free?(map: BpfMap): void;
  bpf_prog_load?(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number;
  /** seed 002: integrity providers verify here, before any bpf_prog_load callback */
  bpf_prog_load_integrity?(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number;
  /** seed 002: consumers receive each provider's verdict (nested in the provider's integrity callback) */
  bpf_prog_load_post_integrity?(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean, lsmid: LsmId, verdict: Verdict | number): number;
  bpf_prog_free?(prog: BpfProg): void;
  bpf_token_create?(token: BpfToken, attr: BpfAttr, path: Path): number;
  bpf_token_free?(token: BpfToken): void;
  bpf_token_cmd?(token: BpfToken, cmd: number): number;
  bpf_token_capable?(token: BpfToken, cap: number): number;
  file_alloc_security?(file: File): number;
  inode_permission?(path: Path, mask: number): number;
  /** chmod_common(), before notify_change(); only with CONFIG_SECURITY_PATH */
  path_chmod?(path: Path, mode: number): number;
  /** notify_change(), after may_setattr() and before ->setattr() (setattr_prepare()) */
  inode_setattr?(path: Path, attr: { ia_valid: number; ia_mode: number }): number;
  fs_context_parse_param?(fc: FsContext, param: FsParameter): number;
  sb_alloc_security?(sb: SuperBlock): number;
  sb_set_mnt_opts?(sb: SuperBlock): number;
  /** NFS submounts only (fs/nfs/super.c): bpffs never shares or clones a superblock (K3) */
  sb_clone_mnt_opts?(oldsb: SuperBlock, newsb: SuperBlock): number;
  /** NFS only, as above */
  cmp_sb_context?(oldsb: SuperBlock, newsb: SuperBlock): number;
  sb_kern_mount?(sb: SuperBlock): number;
  sb_mount?(devName: string, type: string, flags: number, data: string): number;
  sb_remount?(sb: SuperBlock): number;
  sb_umount?(mnt: Mount, flags: number): number;
  file_receive?(file: File): number;
}

export type IntHook = {
  [K in keyof LsmHooks]-?: NonNullable<LsmHooks[K]> extends (...a: never[]) => number ? K : never;
}[keyof LsmHooks];

export type VoidHook = 'bpf_map_free' | 'bpf_prog_free' | 'bpf_token_free';

