// VFS objects the token layers touch: files and fd tables (fs/file.c), dentries,
// superblocks, mounts and mount namespaces (fs/namespace.c), and DAC permission
// (fs/namei.c generic_permission()).

import { type Cred, cap_capable, hasMapping } from './userns.ts';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_ADMIN } from './caps.ts';
import { EACCES, EBADF } from './errno.ts';
import { fdgetRaw } from './file.ts';
import type { Dentry, Inode, Mount, MntNamespace, Path, SbFlags, SuperBlock } from './include/linux/fs.ts';
import type { File, FileObj, Files } from './include/linux/file.ts';

export type { Dentry, File, FileObj, Files, Inode, Mount, MntNamespace, Path, SbFlags, SuperBlock };
import type { Kernel } from './kernel.ts';
import { security_inode_permission } from './security.ts';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;
export const MAY_ACCESS = 16;

export const S_IFDIR = 0o040000;
export const S_ISVTX = 0o1000;
export const S_IALLUGO = 0o7777;
export const S_IRWXUGO = 0o777;











export { allocFd, fdget, fdgetRaw, installFd, newFiles } from './file.ts';

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
  return security_inode_permission(k, path, mask);
}

/** path_permission() (fs/namei.c): inode_permission() on the path's inode
 *  (the model's hook takes the path, as the BPF LSM hook's context does) */
export function path_permission(k: Kernel, cred: Cred, path: Path, mask: number): number {
  return inode_permission(k, cred, path, mask);
}

/** may_mount(): ns_capable(current->nsproxy->mnt_ns->user_ns, CAP_SYS_ADMIN) */
export function may_mount(k: Kernel, cred: Cred, mntns: MntNamespace): boolean {
  return k.ns_capable(cred, mntns.user_ns, CAP_SYS_ADMIN);
}

export { cap_capable };
