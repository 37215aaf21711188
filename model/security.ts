// security/security.c: the security_*() functions the kernel calls, with the
// arguments the kernel passes at each call site. Each is the framework of
// model/lsm.ts (SecurityStack: call_int_hook() over the LSMs, the blob
// allocation and free); this module only gives the call sites the kernel's
// names (`security_bpf_token_create(k, token, attr, &path)`).

import type { Kernel } from './kernel.ts';
import type { IntHook, LsmHooks } from './include/linux/lsm_hook_defs.ts';
import type { BpfAttr, BpfMap, BpfProg, BpfToken } from './include/linux/bpf.ts';
import type { Path, SuperBlock } from './include/linux/fs.ts';
import type { FsContext, FsParameter } from './include/linux/fs_context.ts';

type Args<H extends IntHook> = Parameters<NonNullable<LsmHooks[H]>>;

/** security_bpf(): the bpf(2) entry hook */
export const security_bpf = (k: Kernel, ...a: Args<'bpf'>): number => k.security.callInt('bpf', ...a);
/** security_bpf_map(): an fd of a map handed out (bpf_map_new_fd(), BPF_MAP_GET_FD_BY_ID) */
export const security_bpf_map = (k: Kernel, ...a: Args<'bpf_map'>): number => k.security.callInt('bpf_map', ...a);
/** security_bpf_prog(): an fd of a prog handed out (bpf_prog_new_fd()) */
export const security_bpf_prog = (k: Kernel, ...a: Args<'bpf_prog'>): number => k.security.callInt('bpf_prog', ...a);
/** security_bpf_token_cmd() (bpf_token_allow_cmd()) */
export const security_bpf_token_cmd = (k: Kernel, ...a: Args<'bpf_token_cmd'>): number => k.security.callInt('bpf_token_cmd', ...a);
/** security_bpf_token_capable() (bpf_token_capable()) */
export const security_bpf_token_capable = (k: Kernel, ...a: Args<'bpf_token_capable'>): number => k.security.callInt('bpf_token_capable', ...a);
/** security_capset() */
export const security_capset = (k: Kernel, ...a: Args<'capset'>): number => k.security.callInt('capset', ...a);
/** security_task_fix_setuid() */
export const security_task_fix_setuid = (k: Kernel, ...a: Args<'task_fix_setuid'>): number => k.security.callInt('task_fix_setuid', ...a);
/** security_create_user_ns() (create_user_ns()) */
export const security_create_user_ns = (k: Kernel, ...a: Args<'userns_create'>): number => k.security.callInt('userns_create', ...a);
/** security_file_receive() (receive_fd(), SCM_RIGHTS) */
export const security_file_receive = (k: Kernel, ...a: Args<'file_receive'>): number => k.security.callInt('file_receive', ...a);
/** security_inode_permission() (inode_permission()) */
export const security_inode_permission = (k: Kernel, ...a: Args<'inode_permission'>): number => k.security.callInt('inode_permission', ...a);
/** security_path_chmod() (chmod_common()) */
export const security_path_chmod = (k: Kernel, ...a: Args<'path_chmod'>): number => k.security.callInt('path_chmod', ...a);
/** security_inode_setattr() (notify_change()) */
export const security_inode_setattr = (k: Kernel, ...a: Args<'inode_setattr'>): number => k.security.callInt('inode_setattr', ...a);
/** security_sb_kern_mount() (vfs_get_tree() of a kernel-internal mount) */
export const security_sb_kern_mount = (k: Kernel, ...a: Args<'sb_kern_mount'>): number => k.security.callInt('sb_kern_mount', ...a);
/** security_sb_mount() (path_mount()) */
export const security_sb_mount = (k: Kernel, ...a: Args<'sb_mount'>): number => k.security.callInt('sb_mount', ...a);
/** security_sb_umount() (do_umount()) */
export const security_sb_umount = (k: Kernel, ...a: Args<'sb_umount'>): number => k.security.callInt('sb_umount', ...a);
/** security_sb_remount() */
export const security_sb_remount = (k: Kernel, ...a: Args<'sb_remount'>): number => k.security.callInt('sb_remount', ...a);
/** security_sb_set_mnt_opts() (vfs_get_tree()) */
export const security_sb_set_mnt_opts = (k: Kernel, ...a: Args<'sb_set_mnt_opts'>): number => k.security.callInt('sb_set_mnt_opts', ...a);

/** security_bpf_map_create(): the blob, the hooks, the free after a refusal */
export function security_bpf_map_create(k: Kernel, map: BpfMap, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
  return k.security.bpfMapCreate(map, attr, token, kernel);
}
/** security_bpf_map_free() */
export function security_bpf_map_free(k: Kernel, map: BpfMap): void {
  k.security.bpfMapFree(map);
}
/** security_bpf_prog_load() (with the integrity phases of seed 002 when the profile has them) */
export function security_bpf_prog_load(k: Kernel, prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
  return k.security.bpfProgLoad(prog, attr, token, kernel);
}
/** security_bpf_prog_free() */
export function security_bpf_prog_free(k: Kernel, prog: BpfProg): void {
  k.security.bpfProgFree(prog);
}
/** security_bpf_token_create() */
export function security_bpf_token_create(k: Kernel, token: BpfToken, attr: BpfAttr, path: Path): number {
  return k.security.bpfTokenCreate(token, attr, path);
}
/** security_bpf_token_free() */
export function security_bpf_token_free(k: Kernel, token: BpfToken): void {
  k.security.bpfTokenFree(token);
}
/** security_sb_alloc() (alloc_super()) */
export function security_sb_alloc(k: Kernel, sb: SuperBlock): number {
  return k.security.sbAlloc(sb);
}
/** security_fs_context_parse_param() (vfs_parse_fs_param()) */
export function security_fs_context_parse_param(k: Kernel, fc: FsContext, param: FsParameter): number {
  return k.security.fsContextParseParam(fc, param);
}
