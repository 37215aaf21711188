// fs/super.c alloc_super() and fs/dcache.c d_make_root(): the superblock and
// root dentry every filesystem of the model starts from (bpffs, tmpfs, the
// devtmpfs standing for all others). Only header types: kernel.ts uses it too.

import type { Dentry, SbFlags, SuperBlock } from './include/linux/fs.ts';

const NO_FLAGS: SbFlags = { ro: false, sync: false, dirsync: false, mand: false, lazytime: false };

/** alloc_super(): a superblock without root (the fill_super callback makes it) */
export function alloc_super(
  id: number,
  fsType: SuperBlock['fsType'],
  s_user_ns: SuperBlock['s_user_ns'],
  s_fs_info: SuperBlock['s_fs_info'] = null,
  flags: SbFlags = NO_FLAGS,
  s_op?: SuperBlock['s_op'],
): SuperBlock {
  return {
    id,
    fsType,
    s_user_ns,
    s_fs_info,
    s_root: null as unknown as Dentry,
    flags: { ...flags },
    nextIno: 1,
    s_remove_count: 0,
    ...(s_op !== undefined ? { s_op } : {}),
  };
}

/** d_make_root(new_inode(sb)): the root directory, its inode the superblock's next */
export function d_make_root(id: number, sb: SuperBlock, mode: number, uid: number, gid: number): Dentry {
  sb.s_root = { id, sb, name: '/', parent: null, children: new Map(), inode: { ino: sb.nextIno++, mode, isDir: true, uid, gid } };
  return sb.s_root;
}
