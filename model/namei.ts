// Path walking and the two namei syscalls the scenarios use (fs/namei.c):
// openat() and mkdirat(). Only relative paths of "."/names are modelled.

import { utf8Length } from './utf8.ts';
import type { Kernel, Task } from './kernel.ts';
import { EBADF, EEXIST, EINVAL, ENAMETOOLONG, ENOENT, ENOTDIR, EOVERFLOW, EPERM, EROFS } from './errno.ts';
import { CAP_FOWNER, CAP_FSETID } from './caps.ts';
import { MAY_EXEC, MAY_READ, MAY_WRITE, S_IALLUGO, S_ISGID, type Dentry, type Path, allocFd, capableWrtInode, fdgetRaw, in_group_p, inode_permission } from './vfs.ts';
import { hasGidMapping, hasMapping } from './userns.ts';
import { type StepTable, A, fdOf } from './step.ts';
import { REASON, refused } from '../scenario/sandbox.ts';
import { P } from './include/decision.ts';
import { security_inode_setattr, security_path_chmod } from './security.ts';

/** include/linux/fs.h: the iattr valid bits chmod_common() sets */
const ATTR_MODE = 1 << 0;
const ATTR_CTIME = 1 << 6;
/** include/uapi/linux/stat.h (every inode of the model is a directory or a regular file) */
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** bpf_lookup() (kernel/bpf/inode.c): names with a dot are reserved; a lookup
 *  that misses the dcache fails with EPERM (only populate_bpffs(), which runs
 *  while the root's mode is 0, may create such names) */
function bpfLookupRefused(k: Kernel, dir: Dentry, name: string): boolean {
  return dir.sb.fsType === 'bpf' && (dir.inode.mode & 0o7777) !== 0 && k.check('bpf_lookup/dotted', name.includes('.'));
}

/** the lookup of a name that misses the dcache: bpf_lookup() (a dotted name: EPERM), then
 *  simple_lookup(): `if (dentry->d_name.len > NAME_MAX) return ERR_PTR(-ENAMETOOLONG)`
 *  (d_name.len in bytes); 0 when the name may be created */
function lookupMiss(k: Kernel, dir: Dentry, name: string): number {
  if (bpfLookupRefused(k, dir, name)) return -EPERM;
  if (k.check('bpf_lookup/name_max', utf8Length(name) > 255)) return -ENAMETOOLONG;
  return 0;
}

function split(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0);
}

/** path_init() + link_path_walk() + the last component, relative to dirfd.
 *  may_lookup() (MAY_EXEC on the directory) runs before every component,
 *  the last one included. `emptyOk` = AT_EMPTY_PATH. */
export function resolvePath(k: Kernel, t: Task, dirfd: number, path: string, emptyOk: boolean): Path | number {
  const f = fdgetRaw(t.files, dirfd);
  if (k.check('link_path_walk/dirfd', !f)) return -EBADF;
  if (path === '') {
    if (!emptyOk) return -ENOENT;
    // AT_EMPTY_PATH on an anon-inode file (fs context, map, prog, btf) yields
    // the anon_inode_mnt path, which is neither a mount root of ours nor
    // clonable: fspick() / __do_loopback() refuse it with EINVAL (kernel:
    // fspick(fsfd, "", FSPICK_EMPTY_PATH) -> EINVAL, not ENOENT)
    if (!f!.path) return -EINVAL;
    return f!.path;
  }
  if (k.check('link_path_walk/notdir', !f!.path)) return -ENOTDIR;
  let cur: Path = f!.path!;
  for (const comp of split(path)) {
    if (k.check('link_path_walk/notdir', !cur.dentry.inode.isDir)) return -ENOTDIR;
    const err = inode_permission(k, t.cred, cur, MAY_EXEC);
    if (k.check('link_path_walk/may_lookup', err !== 0)) return err;
    if (comp === '.') continue;
    if (comp === '..') {
      if (cur.dentry !== cur.mnt.mnt_root && cur.dentry.parent) cur = { mnt: cur.mnt, dentry: cur.dentry.parent };
      continue;
    }
    const child: Dentry | undefined = cur.dentry.children.get(comp);
    if (!child) return lookupMiss(k, cur.dentry, comp) || (k.check('link_path_walk/lookup', true), -ENOENT);
    k.check('link_path_walk/lookup', false);
    cur = { mnt: cur.mnt, dentry: child };
  }
  return cur;
}

/** openat(dirfd, path, O_RDONLY | (o_path ? O_PATH : 0)) */
export function sys_openat(k: Kernel, t: Task, dirfd: number, path: string, opath: boolean): number {
  // do_sys_openat2(): get_unused_fd_flags() comes before do_filp_open(), so
  // EMFILE wins over every lookup error (kernel: exhausted RLIMIT_NOFILE +
  // bad dirfd -> EMFILE)
  const slot = allocFd(t);
  if (slot < 0) return slot;
  const p = resolvePath(k, t, dirfd, path, false);
  if (typeof p === 'number') return p;
  if (!opath) {
    // may_open(): MAY_READ for O_RDONLY
    const err = inode_permission(k, t.cred, p, MAY_READ);
    if (k.check('may_open/read', err !== 0)) return err;
    // the file's ->open: bpf_iter_fops iter_open() of a preloaded iterator link
    // fails with ENOENT on the 6.18 oracle machine (open(maps.debug, O_RDONLY)
    // -> ENOENT even for root; O_PATH opens skip ->open and succeed)
    if (p.dentry.inode.iterLink) return -ENOENT;
  }
  return k.newPathFd(t, p, opath);
}

/** mkdirat(dirfd, path, 0755): filename_create() then vfs_mkdir() */
export function sys_mkdirat(k: Kernel, t: Task, dirfd: number, path: string): number {
  // getname(): an empty name is ENOENT before the dirfd is looked at (no AT_EMPTY_PATH)
  if (path === '') return -ENOENT;
  const comps = split(path);
  const last = comps.pop();
  const parentPath = comps.length ? comps.join('/') : '.';
  if (last === undefined || last === '.' || last === '..') return -EEXIST;
  const dir = resolvePath(k, t, dirfd, parentPath, false);
  if (typeof dir === 'number') return dir;
  if (!dir.dentry.inode.isDir) return -ENOTDIR;
  // may_lookup() for the last component
  let err = inode_permission(k, t.cred, dir, MAY_EXEC);
  if (err) return err;
  // filename_create(): lookup with LOOKUP_EXCL, then mnt_want_write()
  if (k.check('vfs_mkdir/exists', dir.dentry.children.has(last))) return -EEXIST;
  err = lookupMiss(k, dir.dentry, last);
  if (err) return err;
  const sb = dir.dentry.sb;
  if (k.check('vfs_mkdir/rofs', sb.flags.ro || sb.fsType === 'devtmpfs')) return -EROFS;
  // may_create(): fsuidgid_has_mapping() then MAY_WRITE | MAY_EXEC on the parent
  if (k.check('vfs_mkdir/mapping', !hasMapping(sb.s_user_ns, t.cred.fsuid) || !hasGidMapping(sb.s_user_ns, t.cred.gid))) return -EOVERFLOW;
  err = inode_permission(k, t.cred, dir, MAY_WRITE | MAY_EXEC);
  if (k.check('vfs_mkdir/may_create', err !== 0)) return err;
  const d: Dentry = {
    id: k.nextId(),
    sb,
    name: last,
    parent: dir.dentry,
    children: new Map(),
    inode: { ino: sb.nextIno++, mode: 0o755, isDir: true, uid: t.cred.fsuid, gid: t.cred.gid },
  };
  dir.dentry.children.set(last, d);
  return 0;
}

/** this layer's ops (model/step.ts) */
/** fchmodat(dirfd, path, mode, 0) (7.3.4 and 6.12.118 fs/open.c do_fchmodat(), chmod_common();
 *  fs/attr.c notify_change(), setattr_prepare(); fs/inode.c inode_owner_or_capable(),
 *  in_group_or_capable()). The LSM hooks are called where the kernel calls them
 *  (security_path_chmod() in chmod_common() after mnt_want_write(), 7.3.4 fs/open.c;
 *  security_inode_setattr() in notify_change() before ->setattr(), fs/attr.c), so they
 *  come before the owner check; no LSM of the model implements them yet (SELinux's
 *  file classes are not modelled, as for mkdir; the BPF LSM's programs attach to the
 *  bpf hooks only). */
export function sys_fchmodat(k: Kernel, t: Task, dirfd: number, path: string, mode: number): number {
  // getname(): an empty name is ENOENT before the dirfd is looked at (no AT_EMPTY_PATH)
  if (path === '') return -ENOENT;
  const p = resolvePath(k, t, dirfd, path, false);
  if (typeof p === 'number') return p;
  const inode = p.dentry.inode;
  const sb = p.dentry.sb;
  // chmod_common(): mnt_want_write() -> mnt_get_write_access(): a read-only mount or superblock
  if (k.check('chmod_common/rofs', sb.flags.ro || sb.fsType === 'devtmpfs')) return -EROFS;
  let err = security_path_chmod(k, p, mode);
  if (err) return err;
  let ia_mode = (mode & S_IALLUGO) | (inode.mode & ~S_IALLUGO);
  // notify_change(): may_setattr() refuses only immutable/append-only inodes (none here),
  // then security_inode_setattr() with ATTR_MODE | ATTR_CTIME, then ->setattr()
  // (the hook sees i_mode's file type bits too: the model keeps the type as isDir)
  err = security_inode_setattr(k, p, { ia_valid: ATTR_MODE | ATTR_CTIME, ia_mode: ia_mode | (inode.isDir ? S_IFDIR : S_IFREG) });
  if (err) return err;
  // setattr_prepare(): inode_owner_or_capable(): the owner (fsuid), or CAP_FOWNER in the
  // caller's user namespace with the inode's uid mapped there (the gid is not asked)
  const c = t.cred;
  const owner = c.fsuid === inode.uid || (hasMapping(c.userns, inode.uid) && k.ns_capable(c, c.userns, CAP_FOWNER));
  if (k.check('setattr_prepare/owner_or_capable', !owner)) return -EPERM;
  // in_group_or_capable(): not in the inode's group and no capable_wrt_inode_uidgid(CAP_FSETID):
  // S_ISGID is dropped, no error
  if (k.check('setattr_prepare/sgid_kept', !(in_group_p(c, inode.gid) || capableWrtInode(k, c, inode, CAP_FSETID)))) ia_mode &= ~S_ISGID;
  // simple_setattr() (bpffs has no ->setattr; shmem_setattr() does the same for the mode)
  inode.mode = ia_mode;
  return 0;
}

export const NAMEI_STEPS: StepTable<'open' | 'mkdir' | 'chmod'> = {
  open: (st, t, step) => sys_openat(st.k, t, fdOf(st, t, step.dirfd), step.path, step.o_path ?? A.open.o_path.default),
  mkdir: (st, t, step) => sys_mkdirat(st.k, t, fdOf(st, t, step.dirfd), step.path),
  // the executor resolves the path to an O_PATH fd first (oracle/executor.c OP_CHMOD): with
  // no free fd it refuses the step, and so does the model
  chmod: (st, t, step) => (allocFd(t) < 0 ? refused(REASON.checkFailed) : sys_fchmodat(st.k, t, fdOf(st, t, step.dirfd), step.path, step.mode)),
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const NAMEI_DECISIONS = [
  ...P('bpffs', 'bpf_lookup (kernel/bpf/inode.c)', [
    ['dotted', 'names with a dot are reserved', 'EPERM'],
    ['name_max', 'simple_lookup(): a name of at most NAME_MAX (255) bytes', 'ENAMETOOLONG'],
  ]),
  ...P('namei', 'link_path_walk (fs/namei.c)', [
    ['dirfd', 'an open dirfd', 'EBADF'],
    ['notdir', 'every component but the last is a directory', 'ENOTDIR'],
    ['may_lookup', 'MAY_EXEC on each directory', 'EACCES'],
    ['lookup', 'the name exists', 'ENOENT'],
  ]),
  ...P('namei', 'may_open (fs/namei.c)', [['read', 'MAY_READ for O_RDONLY', 'EACCES']]),
  ...P('namei', 'vfs_mkdir (fs/namei.c)', [
    ['exists', 'the name does not exist', 'EEXIST'],
    ['rofs', 'a writable superblock', 'EROFS'],
    ['mapping', 'fsuid/fsgid mapped in sb->s_user_ns', 'EOVERFLOW'],
    ['may_create', 'MAY_WRITE | MAY_EXEC on the parent', 'EACCES'],
  ]),
  ...P('namei', 'chmod_common (fs/open.c)', [['rofs', 'mnt_want_write(): a writable mount and superblock', 'EROFS']]),
  ...P('namei', 'setattr_prepare (fs/attr.c)', [
    ['owner_or_capable', 'inode_owner_or_capable(): the owner, or CAP_FOWNER in the caller\'s user namespace with the inode\'s uid mapped', 'EPERM'],
    ['sgid_kept', 'in_group_or_capable(): else S_ISGID is dropped from the new mode', '-'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof NAMEI_DECISIONS)[number]['id'], true> {}
}
