// BPF_OBJ_PIN and BPF_OBJ_GET (kernel/bpf/syscall.c bpf_obj_pin(),
// bpf_obj_get(); kernel/bpf/inode.c bpf_obj_pin_user(), bpf_obj_do_pin(),
// bpf_obj_get_user(), bpf_obj_do_get()), check by check in kernel order
// (linux 6.18; 6.12 and 7.3 alike here: 7.3.4 syscall.c:3205-3236,
// inode.c:491-609). The language always sets BPF_F_PATH_FD: path_fd is the
// step's dirfd and pathname one name in that directory.

import { utf8Length } from './utf8.ts';
import type { Kernel, Task } from './kernel.ts';
import { EACCES, EEXIST, EFAULT, EINVAL, ENAMETOOLONG, ENOENT, ENOTDIR, EOVERFLOW, EPERM, EROFS } from './errno.ts';
import type { BpfAttr, BpfPinned } from './include/linux/bpf.ts';
import type { Dentry, SuperBlock } from './include/linux/fs.ts';
import { MAY_EXEC, MAY_READ, MAY_WRITE, fdget, inode_permission, path_permission } from './vfs.ts';
import { resolvePath } from './namei.ts';
import { hasGidMapping, hasMapping } from './userns.ts';
import { security_bpf_map, security_bpf_prog } from './security.ts';
import { bpf_map_inc, bpf_map_put, bpf_prog_inc, bpf_prog_put } from './bpfobj.ts';
import { bpf_link_inc, bpf_link_put } from './link.ts';
import { P } from './include/decision.ts';

export const BPF_F_PATH_FD = 1 << 14;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;

/** bpf_fd_probe_obj() (inode.c): a map (bpf_map_get_with_uref()), a prog
 *  (bpf_prog_get()), a link (bpf_link_get_from_fd()), each taking a reference;
 *  anything else (a bad fd too) -EINVAL */
function bpf_fd_probe_obj(t: Task, ufd: number): BpfPinned | null {
  const f = fdget(t.files, ufd);
  if (!f) return null;
  if (f.obj.kind === 'map') {
    bpf_map_inc(f.obj.map);
    return { kind: 'map', map: f.obj.map };
  }
  if (f.obj.kind === 'prog') {
    bpf_prog_inc(f.obj.prog);
    return { kind: 'prog', prog: f.obj.prog };
  }
  if (f.obj.kind === 'link') {
    bpf_link_inc(f.obj.link);
    return { kind: 'link', link: f.obj.link };
  }
  return null;
}

/** bpf_any_put() (inode.c) */
function bpf_any_put(k: Kernel, raw: BpfPinned): void {
  if (raw.kind === 'map') bpf_map_put(k, raw.map);
  else if (raw.kind === 'prog') bpf_prog_put(k, raw.prog);
  else bpf_link_put(k, raw.link);
}

/** The end of a bpffs superblock (bpf_kill_super() -> kill_anon_super(), the dentries of
 *  its tree dropped, then bpf_destroy_inode() of each inode, 7.3.4 kernel/bpf/inode.c:837-846,
 *  :1268-1275): a pinned
 *  object's inode puts its object (bpf_any_put(inode->i_private, type)). Pins have no
 *  unlink in the language, so only this releases them (the VM oracle's teardown, when the
 *  scenario's mounts and fds are all gone). */
export function bpf_kill_super_pins(k: Kernel, sb: SuperBlock): void {
  const walk = (d: Dentry): void => {
    for (const c of d.children.values()) walk(c);
    const raw = d.inode.pinned;
    if (raw) {
      delete d.inode.pinned;
      bpf_any_put(k, raw);
    }
  };
  walk(sb.s_root);
}

/** bpf_obj_pin() */
export function bpf_obj_pin(k: Kernel, t: Task, attr: BpfAttr): number {
  const flags = attr.file_flags ?? 0;
  if (k.check('bpf_obj_pin/flags', (flags & ~BPF_F_PATH_FD) !== 0 || (!(flags & BPF_F_PATH_FD) && (attr.path_fd ?? 0) !== 0))) return -EINVAL;
  // (without BPF_F_PATH_FD the kernel resolves against AT_FDCWD: the sandbox's
  // executor always sets it, so path_fd 0 here stands for fd 0)
  const raw = bpf_fd_probe_obj(t, attr.bpf_fd ?? 0);
  if (k.check('bpf_obj_pin/probe', raw === null) || !raw) return -EINVAL;
  const err = bpf_obj_do_pin(k, t, attr.path_fd ?? 0, attr.pathname ?? null, raw);
  if (err) bpf_any_put(k, raw);
  return err;
}

/** bpf_obj_do_pin(): user_path_create() (filename_create()), the bpffs
 *  directory test, then vfs_mkobj() -> may_create() */
function bpf_obj_do_pin(k: Kernel, t: Task, dirfd: number, pathname: string | null, raw: BpfPinned): number {
  let name = pathname;
  // getname(): a NULL pointer EFAULT, "" ENOENT
  if (name === null) return -EFAULT;
  if (name === '') return -ENOENT;
  // filename_parentat(): the walk to the directory; may_lookup() (MAY_EXEC) of the last component
  const comps = name.split('/').filter((c) => c.length > 0);
  const last = comps.pop() ?? '.';
  name = last;
  const dir = resolvePath(k, t, dirfd, comps.length ? comps.join('/') : '.', false);
  if (typeof dir === 'number') return dir;
  if (!dir.dentry.inode.isDir) return -ENOTDIR;
  let err = inode_permission(k, t.cred, dir, MAY_EXEC);
  if (err) return err;
  // filename_create(): "." / ".." are not LAST_NORM -> EEXIST; the lookup
  // (EEXIST, bpf_lookup()'s dotted-name EPERM) before mnt_want_write()'s EROFS
  if (name === '.' || name === '..') return -EEXIST;
  if (dir.dentry.children.has(name)) return -EEXIST;
  if (dir.dentry.sb.fsType === 'bpf' && (dir.dentry.inode.mode & 0o7777) !== 0 && name.includes('.')) return -EPERM;
  if (utf8Length(name) > 255) return -ENAMETOOLONG;
  const sb = dir.dentry.sb;
  if (sb.flags.ro || sb.fsType === 'devtmpfs') return -EROFS;
  // bpf_obj_do_pin(): `if (dir->i_op != &bpf_dir_iops) ret = -EPERM`
  if (k.check('bpf_obj_pin/not_bpffs', sb.fsType !== 'bpf')) return -EPERM;
  // vfs_mkobj() -> may_create(): fsuidgid_has_mapping(), MAY_WRITE | MAY_EXEC
  if (!hasMapping(sb.s_user_ns, t.cred.fsuid) || !hasGidMapping(sb.s_user_ns, t.cred.gid)) return -EOVERFLOW;
  err = inode_permission(k, t.cred, dir, MAY_WRITE | MAY_EXEC);
  if (k.check('bpf_obj_pin/may_create', err !== 0)) return err;
  // bpf_mkobj_ops(): S_IFREG | 0600 & ~umask, owned by the fsuid/fsgid
  const d: Dentry = {
    id: k.nextId(),
    sb,
    name,
    parent: dir.dentry,
    children: new Map(),
    inode: { ino: sb.nextIno++, mode: 0o600, isDir: false, uid: t.cred.fsuid, gid: t.cred.gid, pinned: raw },
  };
  dir.dentry.children.set(name, d);
  return 0;
}

/** bpf_get_file_flag() */
function bpf_get_file_flag(flags: number): number {
  if (flags & BPF_F_RDONLY && flags & BPF_F_WRONLY) return -EINVAL;
  if (flags & BPF_F_RDONLY) return O_RDONLY;
  if (flags & BPF_F_WRONLY) return O_WRONLY;
  return O_RDWR;
}

/** bpf_obj_get() -> bpf_obj_get_user() -> bpf_obj_do_get() */
export function bpf_obj_get(k: Kernel, t: Task, attr: BpfAttr): number {
  const flags = attr.file_flags ?? 0;
  if (
    k.check(
      'bpf_obj_get/flags',
      (attr.bpf_fd ?? 0) !== 0 ||
        (flags & ~(BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_PATH_FD)) !== 0 ||
        (!(flags & BPF_F_PATH_FD) && (attr.path_fd ?? 0) !== 0),
    )
  )
    return -EINVAL;
  const fFlags = bpf_get_file_flag(flags);
  if (k.check('bpf_obj_get/flags', fFlags < 0)) return fFlags;
  const name = attr.pathname ?? null;
  if (name === null) return -EFAULT;
  // user_path_at(path_fd, pathname, LOOKUP_FOLLOW)
  const p = resolvePath(k, t, attr.path_fd ?? 0, name, false);
  if (typeof p === 'number') return p;
  // path_permission(&path, ACC_MODE(flags))
  const mask = fFlags === O_RDONLY ? MAY_READ : fFlags === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
  const err = path_permission(k, t.cred, p, mask);
  if (k.check('bpf_obj_get/permission', err !== 0)) return err;
  // bpf_inode_type(): only the inodes of pinned objects
  const raw = p.dentry.inode.pinned;
  if (k.check('bpf_obj_get/inode_type', !raw) || !raw) return -EACCES;
  if (raw.kind === 'prog') {
    bpf_prog_inc(raw.prog);
    // bpf_prog_new_fd(): security_bpf_prog(), then anon_inode_getfd()
    const e = security_bpf_prog(k, raw.prog);
    const fd = e ? e : k.newAnonFd(t, { kind: 'prog', prog: raw.prog });
    if (fd < 0) bpf_prog_put(k, raw.prog);
    return fd;
  }
  if (raw.kind === 'map') {
    bpf_map_inc(raw.map);
    // bpf_map_new_fd(map, f_flags): security_bpf_map(map, OPEN_FMODE(flags))
    const e = security_bpf_map(k, raw.map, fFlags + 1);
    const fd = e ? e : k.newAnonFd(t, { kind: 'map', map: raw.map, fmode: fFlags + 1 });
    if (fd < 0) bpf_map_put(k, raw.map);
    return fd;
  }
  if (k.check('bpf_obj_get/link_rdwr', fFlags !== O_RDWR)) return -EINVAL;
  bpf_link_inc(raw.link);
  const fd = k.newAnonFd(t, { kind: 'link', link: raw.link });
  if (fd < 0) bpf_link_put(k, raw.link);
  return fd;
}

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const PIN_DECISIONS = [
  // issue 11 language v2 (branch bpfobj): BPF objects (model/pin.ts, model/link.ts)
  ...P('pin', 'bpf_obj_pin (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_PATH_FD in file_flags; path_fd only with it', 'EINVAL'],
    ['probe', 'bpf_fd_probe_obj(): the fd is a map, prog or link', 'EINVAL'],
    ['not_bpffs', 'bpf_obj_do_pin(): the parent directory is a bpffs directory', 'EPERM'],
    ['may_create', 'vfs_mkobj() -> may_create(): MAY_WRITE | MAY_EXEC on the directory', 'EACCES'],
  ]),
  ...P('pin', 'bpf_obj_get (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_PATH_FD; not both RDONLY and WRONLY', 'EINVAL'],
    ['permission', 'bpf_obj_do_get() -> path_permission(ACC_MODE(flags)) on the pinned inode', 'EACCES'],
    ['inode_type', 'bpf_inode_type(): the inode is a pinned map, prog or link', 'EACCES'],
    ['link_rdwr', 'a link only with O_RDWR', 'EINVAL'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof PIN_DECISIONS)[number]['id'], true> {}
}
