// include/linux/fs.h, dcache.h, mount.h, path.h: inodes, dentries,
// superblocks, mounts and mount namespaces. Types only.

import type { Cred, UserNamespace } from '../../userns.ts';
import type { BpfMountOpts, BpfPinned } from './bpf.ts';

export interface Inode {
  ino: number;
  mode: number; // permission bits incl. S_ISVTX (type tracked by isDir)
  isDir: boolean;
  uid: number; // kuid
  gid: number; // kgid
  /** a preloaded bpf_iter link pinned by populate_bpffs() (maps.debug, progs.debug) */
  iterLink?: boolean;
  /** a pinned map, prog or link (bpf_mkobj_ops(): a regular file of mode 0600) */
  pinned?: BpfPinned;
}

export interface Dentry {
  id: number;
  sb: SuperBlock;
  name: string;
  parent: Dentry | null;
  children: Map<string, Dentry>;
  inode: Inode;
}

export interface SbFlags {
  ro: boolean;
  sync: boolean;
  dirsync: boolean;
  mand: boolean;
  lazytime: boolean;
}

export interface SuperBlock {
  id: number;
  /** "bpf" for bpffs; "tmpfs" for a scenario's tmpfs (model/tmpfs.ts); "devtmpfs" stands for every other filesystem */
  fsType: 'bpf' | 'devtmpfs' | 'tmpfs';
  s_user_ns: UserNamespace;
  /** bpffs: struct bpf_mount_opts moved from the fs_context by sget_fc() */
  s_fs_info: BpfMountOpts | null;
  s_root: Dentry;
  flags: SbFlags;
  nextIno: number;
  /** sb->s_remove_count: unlinked inodes still open (clear_nlink() on a token's inode) */
  s_remove_count: number;
  /** sb->s_op, the parts the model uses for filesystems other than bpffs
   *  (bpffs's bpf_super_ops are model/bpffs.ts itself) */
  s_op?: { show_options?(sb: SuperBlock): string };
  /** s_security: the LSMs' composite blob (security_sb_alloc()) */
  security?: Record<string, unknown>;
  /** model bookkeeping, not a kernel field: the cred of the task whose
   *  get_tree (FSCONFIG_CMD_CREATE or mount(2)) made this superblock (K2) */
  createdBy?: Cred;
}

export interface MntNamespace {
  id: number;
  user_ns: UserNamespace;
  /** an anonymous namespace made by fsmount()/open_tree(OPEN_TREE_CLONE) */
  anon: boolean;
  /** anonymous namespaces: the namespace (id, its `seq`) the copy was made
   *  from (open_detached_copy()); 0 or absent for fsmount()'s */
  seq_origin?: number;
  /** model bookkeeping: the mounts stacked on each named target directory
   *  (/tmp/t-<name> of the executor), bottom first (model/mountlife.ts) */
  targets?: Map<string, Mount[]>;
}

export interface Mount {
  id: number;
  sb: SuperBlock;
  mnt_root: Dentry;
  mnt_ns: MntNamespace;
  devname: string;
  /** has a parent mount (attached somewhere), as opposed to the root of an anon ns */
  hasParent: boolean;
  /** mnt_expiry_mark: set by an umount2(MNT_EXPIRE) that returned EAGAIN */
  expiryMark?: boolean;
  /** MNT_READONLY (a remount with MS_RDONLY through this mount) */
  readonly?: boolean;
  /** MNT_LOCKED, MNT_LOCK_READONLY: lock_mnt_tree() of a copy into a mount namespace of
   *  another user namespace (unshare(CLONE_NEWNS), model/procs.ts) */
  locked?: boolean;
  lockReadonly?: boolean;
}

export interface Path {
  mnt: Mount;
  dentry: Dentry;
}
