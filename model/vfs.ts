// VFS objects the token layers touch: files and fd tables (fs/file.c), dentries,
// superblocks, mounts and mount namespaces (fs/namespace.c), and DAC permission
// (fs/namei.c generic_permission()).

import { type Cred, cap_capable, hasGidMapping, hasMapping } from './userns.ts';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from './caps.ts';
import { EACCES, EBADF, EPERM, retName } from './errno.ts';
import { fdgetRaw, allocFd, installFd } from './file.ts';
import type { Dentry, Inode, Mount, MntNamespace, Path, SbFlags, SuperBlock } from './include/linux/fs.ts';
import type { File, FileObj, Files } from './include/linux/file.ts';

export type { Dentry, File, FileObj, Files, Inode, Mount, MntNamespace, Path, SbFlags, SuperBlock };
import type { Kernel } from './kernel.ts';
import { security_inode_permission, security_file_receive } from './security.ts';
import { type StepTable, bind, fdOf, refIn, unbindFd } from './step.ts';
import type { Task } from './include/linux/sched.ts';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;
export const MAY_ACCESS = 16;

export const S_IFDIR = 0o040000;
export const S_ISVTX = 0o1000;
export const S_ISGID = 0o2000;
export const S_IALLUGO = 0o7777;
export const S_IRWXUGO = 0o777;











export { allocFd, fdget, fdgetRaw, installFd, newFiles, newRlimit } from './file.ts';

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
/** capable_wrt_inode_uidgid() (kernel/capability.c): the capability in the caller's user
 *  namespace, with the inode's uid and gid mapped there */
export function capableWrtInode(k: Kernel, cred: Cred, inode: Inode, cap: number): boolean {
  return (
    k.ns_capable(cred, cred.userns, cap) &&
    hasMapping(cred.userns, inode.uid) &&
    hasGidMapping(cred.userns, inode.gid)
  );
}

/** in_group_p() (kernel/groups.c): the fsgid or a supplementary group */
export function in_group_p(cred: Cred, gid: number): boolean {
  return cred.gid === gid || (cred.groups?.includes(gid) ?? false);
}

/** generic_permission() for bpffs / devtmpfs inodes (no ACLs) */
export function generic_permission(k: Kernel, cred: Cred, inode: Inode, mask: number): number {
  const want = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
  // acl_permission_check(): owner, then group, then other bits
  let bits: number;
  if (cred.fsuid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (in_group_p(cred, inode.gid)) bits = (inode.mode >> 3) & 7;
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

/** ksys_dup3() / dup2() */
function dup2(k: Kernel, t: Task, oldfd: number, newfd: number): number {
  if (oldfd === newfd) return fdgetRaw(t.files, oldfd) ? oldfd : -EBADF;
  if (newfd >= t.rlim.nofileSoft) return -EBADF;
  const f = fdgetRaw(t.files, oldfd);
  if (!f) return -EBADF;
  const old = fdgetRaw(t.files, newfd);
  installFd(t.files, newfd, f);
  if (old) fput(k, old);
  return newfd;
}

/** this layer's ops (model/step.ts): the fd table's */
export const FILE_STEPS: StepTable<'send_fd' | 'dup2' | 'close' | 'rlimit_nofile'> = {
  send_fd: (st, t, step) => {
    // sendmsg(SCM_RIGHTS): fget_raw(), then the receiver's receive_fd()
    const { k } = st;
    const f = fdgetRaw(t.files, fdOf(st, t, step.fd));
    if (!f) return -EBADF;
    const to = st.tasks.get(step.to)!;
    f.refs++; // in flight
    // receive_fd() -> security_file_receive() runs in the receiver (recvmsg)
    k.current = to;
    const err = security_file_receive(k, f);
    k.current = t;
    const nfd = err ? err : allocFd(to);
    if (nfd >= 0) {
      installFd(to.files, nfd, f);
      bind(st, to, step.as, nfd);
    }
    fput(k, f);
    return { ret: retName(nfd) };
  },
  dup2: (st, t, step) => {
    const oldfd = fdOf(st, t, step.fd);
    const target = st.handles.get(step.to);
    let newfd: number;
    if (target && refIn(target, t.files) && t.files.fds[target.fd] !== undefined) newfd = target.fd;
    else {
      newfd = 3;
      while (newfd < t.files.fds.length && t.files.fds[newfd] !== undefined) newfd++;
    }
    const ret = dup2(st.k, t, oldfd, newfd);
    // the replaced file's handles (including `to`) are unbound; `as` names the new fd
    if (ret >= 0) bind(st, t, step.as, ret);
    return { ret: retName(ret) };
  },
  close: (st, t, step) => {
    const n = fdOf(st, t, step.fd);
    const ret = closeFd(st.k, t.files, n);
    if (ret === 0) unbindFd(st, t.files, n);
    return { ret: retName(ret) };
  },
  rlimit_nofile: (st, t, step) => {
    // do_prlimit(): nr_open bound, raising the hard limit needs CAP_SYS_RESOURCE
    if (step.limit > 1048576) return -EPERM;
    if (step.limit > t.rlim.nofileHard && !st.k.capable(t.cred, CAP_SYS_RESOURCE)) return -EPERM;
    t.rlim.nofileSoft = step.limit;
    t.rlim.nofileHard = step.limit;
    return 0;
  },
};
