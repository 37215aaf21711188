// VFS objects the token layers touch: files and fd tables (fs/file.c), dentries,
// superblocks, mounts and mount namespaces (fs/namespace.c), and DAC permission
// (fs/namei.c generic_permission()).

import { type Cred, type UserNamespace, cap_capable, hasMapping } from './userns.ts';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_ADMIN } from './caps.ts';
import { EACCES, EBADF, EMFILE } from './errno.ts';
import type { BpfMountOpts } from './bpffs.ts';
import type { FsContext } from './fs_context.ts';
import type { BpfToken } from './token.ts';
import type { BpfMap, BpfProg, Btf } from './syscall.ts';
import type { Kernel } from './kernel.ts';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;
export const MAY_ACCESS = 16;

export const S_IFDIR = 0o040000;
export const S_ISVTX = 0o1000;
export const S_IALLUGO = 0o7777;
export const S_IRWXUGO = 0o777;

export interface Inode {
  ino: number;
  mode: number; // permission bits incl. S_ISVTX (type tracked by isDir)
  isDir: boolean;
  uid: number; // kuid
  gid: number; // kgid
  /** a preloaded bpf_iter link pinned by populate_bpffs() (maps.debug, progs.debug) */
  iterLink?: boolean;
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
}

export interface Path {
  mnt: Mount;
  dentry: Dentry;
}

export type FileObj =
  | { kind: 'null' }
  | { kind: 'path' }
  | { kind: 'fs_context'; fc: FsContext }
  | { kind: 'token'; token: BpfToken }
  | { kind: 'map'; map: BpfMap }
  | { kind: 'prog'; prog: BpfProg }
  | { kind: 'btf'; btf: Btf };

export interface File {
  id: number;
  obj: FileObj;
  /** f_path; anon-inode files (fs_context, map, prog, btf) have none */
  path: Path | null;
  /** FMODE_PATH: an O_PATH file, invisible to fdget() */
  opath: boolean;
  /** number of fd-table slots (and in-flight SCM_RIGHTS) holding it */
  refs: number;
  /** FMODE_NEED_UNMOUNT: the fsmount()/open_tree() file whose last fput
   *  dissolves its still-detached mount (dissolve_on_fput(), fs/namespace.c) */
  needUnmount?: boolean;
  /** f_security: the LSMs' composite blob (security_file_alloc()) */
  security?: Record<string, unknown>;
}

/** files_struct plus the process-wide RLIMIT_NOFILE (signal->rlim) */
export interface Files {
  fds: Array<File | undefined>;
  nofileSoft: number;
  nofileHard: number;
}

export function newFiles(nullFile: File): Files {
  nullFile.refs += 3;
  return { fds: [nullFile, nullFile, nullFile], nofileSoft: 1024, nofileHard: 1024 };
}

/** alloc_fd(0, rlimit(RLIMIT_NOFILE)): the lowest free slot, EMFILE at the limit */
export function allocFd(files: Files): number {
  let fd = 0;
  while (fd < files.fds.length && files.fds[fd] !== undefined) fd++;
  if (fd >= files.nofileSoft) return -EMFILE;
  return fd;
}

export function installFd(files: Files, fd: number, file: File): void {
  while (files.fds.length <= fd) files.fds.push(undefined);
  files.fds[fd] = file;
  file.refs++;
}

/** fdget_raw(): any open file, O_PATH included */
export function fdgetRaw(files: Files, fd: number): File | null {
  if (fd < 0) return null;
  return files.fds[fd] ?? null;
}

/** fdget(): O_PATH files are refused (FMODE_PATH mask) */
export function fdget(files: Files, fd: number): File | null {
  const f = fdgetRaw(files, fd);
  return f && !f.opath ? f : null;
}

/** close_fd() */
export function closeFd(k: Kernel, files: Files, fd: number): number {
  const f = fdgetRaw(files, fd);
  if (!f) return -EBADF;
  files.fds[fd] = undefined;
  fput(k, f);
  return 0;
}

/** fput(): the last reference releases the object (->release) */
export function fput(k: Kernel, f: File): void {
  f.refs--;
  if (f.refs > 0) return;
  k.release(f);
}

/** privileged_wrt_inode_uidgid() + ns_capable() = capable_wrt_inode_uidgid() */
function capableWrtInode(k: Kernel, cred: Cred, inode: Inode, cap: number): boolean {
  return (
    k.ns_capable(cred, cred.userns, cap) &&
    hasMapping(cred.userns, inode.uid) &&
    hasMapping(cred.userns, inode.gid)
  );
}

/** generic_permission() for bpffs / devtmpfs inodes (no ACLs) */
export function generic_permission(k: Kernel, cred: Cred, inode: Inode, mask: number): number {
  const want = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
  // acl_permission_check(): owner, then group, then other bits
  let bits: number;
  if (cred.fsuid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (cred.gid === inode.gid || (cred.groups?.includes(inode.gid) ?? false)) bits = (inode.mode >> 3) & 7; // in_group_p()
  else bits = inode.mode & 7;
  if ((want & ~bits) === 0) return 0;
  if (inode.isDir) {
    // DACs are overridable for directories
    if (!(want & MAY_WRITE) && capableWrtInode(k, cred, inode, CAP_DAC_READ_SEARCH)) return 0;
    if (capableWrtInode(k, cred, inode, CAP_DAC_OVERRIDE)) return 0;
    return -EACCES;
  }
  if (capableWrtInode(k, cred, inode, CAP_DAC_OVERRIDE)) return 0;
  if (want === MAY_READ && capableWrtInode(k, cred, inode, CAP_DAC_READ_SEARCH)) return 0;
  return -EACCES;
}

/** inode_permission(): DAC, then security_inode_permission() */
export function inode_permission(k: Kernel, cred: Cred, path: Path, mask: number): number {
  const ret = generic_permission(k, cred, path.dentry.inode, mask);
  if (ret) return ret;
  return k.security.callInt('inode_permission', path, mask);
}

/** may_mount(): ns_capable(current->nsproxy->mnt_ns->user_ns, CAP_SYS_ADMIN) */
export function may_mount(k: Kernel, cred: Cred, mntns: MntNamespace): boolean {
  return k.ns_capable(cred, mntns.user_ns, CAP_SYS_ADMIN);
}

export { cap_capable };
