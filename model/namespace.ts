// Mounts (fs/namespace.c): fsmount(), open_tree(OPEN_TREE_CLONE),
// move_mount(), legacy mount(2), and the mountinfo line of a mount.

import { utf8Length } from './utf8.ts';
import type { Kernel, Task } from './kernel.ts';
import { EBADF, EBUSY, EINVAL, ELOOP, EMFILE, ENOENT, EPERM, retName } from './errno.ts';
import { attachAtTarget, moveLoops, sys_mount_bind } from './mountlife.ts';
import { MAY_READ, type Mount, type MntNamespace, type Path, allocFd, fdget, fdgetRaw, inode_permission, may_mount } from './vfs.ts';
import { alloc_fs_context, mount_capable, vfs_clean_context, vfs_get_tree, vfs_parse_fs_param } from './fs_context.ts';
import { resolvePath } from './namei.ts';
import { superOptions } from './bpffs.ts';
import { security_sb_mount } from './security.ts';
import { type StepTable, fdOf } from './step.ts';
import { P } from './include/decision.ts';

/** x86_64 */
const PAGE_SIZE = 4096;

function newAnonNs(k: Kernel, t: Task, seq_origin = 0): MntNamespace {
  // alloc_mnt_ns(current->nsproxy->mnt_ns->user_ns, true)
  return { id: k.nextId(), user_ns: t.mntns.user_ns, anon: true, seq_origin };
}

/** is_mounted(): attached to some namespace (a dissolved mount is not) */
export function is_mounted(k: Kernel, m: Mount): boolean {
  return m.mnt_ns !== k.deadNs;
}

/** may_copy_tree() (fs/namespace.c): a mount of our namespace, or of an
 *  anonymous namespace that was copied from ours or made by fsmount()
 *  (check_anonymous_mnt(): seq_origin 0 or our namespace's seq) */
export function may_copy_tree(k: Kernel, t: Task, m: Mount): boolean {
  if (check_mnt(t, m)) return true;
  if (!is_mounted(k, m)) return false;
  if (!m.mnt_ns.anon) return false;
  const seq = m.mnt_ns.seq_origin ?? 0;
  return seq === 0 || seq === t.mntns.id;
}

/** check_mnt(): the mount belongs to the caller's mount namespace */
export function check_mnt(t: Task, m: Mount): boolean {
  return m.mnt_ns === t.mntns;
}

/** SYSCALL fsmount(fs_fd, 0, 0) */
export function sys_fsmount(k: Kernel, t: Task, fsfd: number): number {
  if (k.check('fsmount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  const f = fdget(t.files, fsfd);
  if (k.check('fsmount/fdget', !f) || !f) return -EBADF;
  if (k.check('fsmount/fscontext', f.obj.kind !== 'fs_context') || f.obj.kind !== 'fs_context') return -EINVAL;
  const fc = f.obj.fc;
  // There must be a valid superblock or we can't mount it
  if (k.check('fsmount/root', !fc.root) || !fc.root) return -EINVAL;
  if (k.check('fsmount/phase', fc.phase !== 'AWAITING_MOUNT')) return -EBUSY;
  const mnt: Mount = {
    id: k.nextId(),
    sb: fc.root.sb,
    mnt_root: fc.root,
    mnt_ns: newAnonNs(k, t),
    devname: fc.source ?? 'none',
    hasParent: false,
  };
  // the fs fd now behaves as if fspick()ed
  vfs_clean_context(fc);
  // dentry_open(&newmount, O_PATH, fc->cred)
  return k.newMountFd(t, { mnt, dentry: fc.root });
}

/** SYSCALL open_tree(dirfd, path, OPEN_TREE_CLONE [| AT_EMPTY_PATH]) */
export function sys_open_tree(k: Kernel, t: Task, dirfd: number, path: string): number {
  // 7.3.4: FD_ADD() -> get_unused_fd_flags() before vfs_open_tree() checks
  // anything (profile knob openTreeFdFirst); the call installs no other fd,
  // so the reserved one is the one newMountFd() takes below
  if (k.profile.token.openTreeFdFirst && k.check('open_tree/fd_first', allocFd(t) < 0)) return -EMFILE;
  if (k.check('open_tree/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  // 6.12.117 fs/namespace.c:2961: get_unused_fd_flags() after may_mount(),
  // before user_path_at() (profile knob openTreeFdBeforeLookup)
  if (k.profile.token.openTreeFdBeforeLookup && k.check('open_tree/fd_before_lookup', allocFd(t) < 0)) return -EMFILE;
  const p = resolvePath(k, t, dirfd, path, path === '');
  if (typeof p === 'number') return p;
  // open_detached_copy(): the new anonymous namespace records where the
  // source lives (an anonymous source passes on its own seq_origin)
  const src = p.mnt.mnt_ns;
  const seq_origin = is_mounted(k, p.mnt) ? (src.anon ? (src.seq_origin ?? 0) : src.id) : 0;
  // __do_loopback() -> may_copy_tree(): EINVAL for a mount of another
  // namespace, a dissolved one, or an anonymous one copied from another namespace
  // 6.12.117 fs/namespace.c:2817 (profile knob loopbackOwnNsOnly): `!check_mnt(old)` -> EINVAL
  const copyOk = k.profile.token.loopbackOwnNsOnly ? check_mnt(t, p.mnt) : may_copy_tree(k, t, p.mnt);
  if (k.check('open_tree/check_mnt', !copyOk)) return -EINVAL;
  // 6.12.118/7.3.4 __do_loopback(): DCACHE_NORCU (a pseudo dentry, the token file) -> EINVAL
  if (k.profile.token.loopbackRefusesPseudoDentry && k.check('open_tree/pseudo_dentry', p.dentry.norcu === true)) return -EINVAL;
  const mnt: Mount = {
    id: k.nextId(),
    sb: p.dentry.sb,
    mnt_root: p.dentry, // clone_mnt(old, old_path->dentry): the clone is rooted at the looked-up dentry
    mnt_ns: newAnonNs(k, t, seq_origin),
    devname: p.mnt.devname,
    hasParent: false,
  };
  return k.newMountFd(t, { mnt, dentry: p.dentry });
}

/** SYSCALL move_mount(fd, "", AT_FDCWD, <fresh dir | named target>, MOVE_MOUNT_F_EMPTY_PATH);
 *  a named target (model/mountlife.ts) stacks the mount on what is there */
export function sys_move_mount(k: Kernel, t: Task, fd: number, target: string | null = null): number {
  if (k.check('do_move_mount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  const f = fdgetRaw(t.files, fd);
  if (!f) return -EBADF;
  if (!f.path) return -EINVAL;
  const old = f.path;
  // do_move_mount(): the source must be a mount root, attached in our
  // namespace or the root of an anonymous namespace
  if (k.check('do_move_mount/mnt_root', old.dentry !== old.mnt.mnt_root)) return -EINVAL;
  // the mountpoint (a fresh directory of the executor) and the source must
  // both be directories or both not: d_is_dir() mismatch -> EINVAL (e.g. a
  // clone of a token file's dentry, open_tree(tokenfd, "", AT_EMPTY_PATH))
  if (k.check('do_move_mount/dir_match', !old.dentry.inode.isDir)) return -EINVAL;
  if (!check_mnt(t, old.mnt)) {
    if (k.check('do_move_mount/attachable', !old.mnt.mnt_ns.anon || old.mnt.hasParent)) return -EINVAL;
  } else if (k.check('do_move_mount/locked', old.mnt.locked === true)) return -EINVAL; // IS_MNT_LOCKED(old)
  if (target !== null && k.check('do_move_mount/loop', moveLoops(t, old.mnt, target))) return -ELOOP;
  old.mnt.mnt_ns = t.mntns;
  old.mnt.hasParent = true;
  // off the target it was on (a mount of our namespace moves), onto the new one if named
  attachAtTarget(t, old.mnt, target);
  return 0;
}

/** SYSCALL mount("none", <fresh dir>, "bpf", 0, data) then open(<dir>, O_RDONLY):
 *  path_mount() -> do_new_mount() */
export function sys_mount_bpf(k: Kernel, t: Task, data: string): number {
  // copy_mount_options() copies one page; path_mount() then cuts it: data_page[PAGE_SIZE - 1] = 0,
  // so at most 4095 bytes of the options reach the hook and the parser (a 4096-byte
  // "uid=0...07" is uid=0...0 there)
  if (utf8Length(data) > PAGE_SIZE - 1) data = new TextDecoder().decode(new TextEncoder().encode(data).subarray(0, PAGE_SIZE - 1));
  let ret = security_sb_mount(k, 'none', 'bpf', 0, data);
  if (ret) return ret;
  if (k.check('path_mount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  const fc = alloc_fs_context(k, t, 'mount', null);
  fc.phase = 'CREATE_PARAMS';
  // vfs_parse_fs_string(fc, "source", name)
  ret = vfs_parse_fs_param(k, t, fc, { key: 'source', type: 'string', string: 'none' });
  if (ret) return ret;
  // generic_parse_monolithic() -> vfs_parse_monolithic_sep(): comma-separated, empty pieces and "=value" skipped
  for (const piece of data.split(',')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    if (eq === 0) continue;
    const param =
      eq < 0
        ? { key: piece, type: 'flag' as const, string: null }
        : { key: piece.slice(0, eq), type: 'string' as const, string: piece.slice(eq + 1) };
    // no length limit on a key here (vfs_parse_monolithic_sep() -> vfs_parse_fs_string()); the
    // 256-byte limit is fsconfig()'s strndup_user(), not mount(2)'s
    ret = vfs_parse_fs_param(k, t, fc, param);
    if (ret < 0) return ret;
  }
  if (k.check('path_mount/mount_capable', !mount_capable(k, t.cred, fc))) return -EPERM;
  ret = vfs_get_tree(k, t, fc);
  if (ret) return ret;
  const root = fc.root!;
  const mnt: Mount = { id: k.nextId(), sb: root.sb, mnt_root: root, mnt_ns: t.mntns, devname: 'none', hasParent: true };
  const p: Path = { mnt, dentry: root };
  // then the op's open(2) of the mount point, O_RDONLY: get_unused_fd_flags() first, then
  // may_open()'s MAY_READ on the new root, whose mode= and uid= the options just set (the
  // mount stays either way; oracle --procs --attach --seed 73: a root without CAP_DAC_*
  // and mode=700,uid=1001 is EACCES)
  const slot = allocFd(t);
  if (slot < 0) return slot;
  const err = inode_permission(k, t.cred, p, MAY_READ);
  if (k.check('may_open/read', err !== 0)) return err;
  return k.newPathFd(t, p, false);
}

/** The mountinfo line of the mount an fd refers to, as the executor reads it
 *  from /proc/self/mountinfo: "<fstype> <source> <super options>". */
export function mountinfoOf(k: Kernel, t: Task, fd: number): { ret: number; text?: string } {
  const f = fdgetRaw(t.files, fd);
  if (!f || !f.path) return { ret: -ENOENT };
  const m = f.path.mnt;
  if (m.mnt_ns !== t.mntns) return { ret: -ENOENT };
  const sb = m.sb;
  return { ret: 0, text: `${sb.fsType} ${m.devname} ${superOptions(k, sb, m.mnt_root)}` };
}

/** this layer's ops (model/step.ts) */
export const NAMESPACE_STEPS: StepTable<'fsmount' | 'open_tree' | 'move_mount' | 'mount' | 'mountinfo' | 'bind'> = {
  fsmount: (st, t, step) => sys_fsmount(st.k, t, fdOf(st, t, step.fd)),
  open_tree: (st, t, step) => sys_open_tree(st.k, t, fdOf(st, t, step.dirfd), step.path),
  move_mount: (st, t, step) => sys_move_mount(st.k, t, fdOf(st, t, step.fd), step.target ?? null),
  mount: (st, t, step) => sys_mount_bpf(st.k, t, step.data),
  mountinfo: (st, t, step) => {
    const r = mountinfoOf(st.k, t, fdOf(st, t, step.fd));
    return r.text === undefined ? { ret: retName(r.ret) } : { ret: retName(r.ret), text: r.text };
  },
  // legacy mount(2) with MS_BIND (model/mountlife.ts); the source mount check is 6.12's or 6.18's
  bind: (st, t, step) => sys_mount_bind(st.k, t, fdOf(st, t, step.src), step.target, (m) => (st.k.profile.token.loopbackOwnNsOnly ? check_mnt(t, m) : may_copy_tree(st.k, t, m))),
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const NAMESPACE_DECISIONS = [
  ...P('mount', 'fsmount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['fscontext', 'the fd is an fs context', 'EINVAL'],
    ['root', 'the context has a superblock', 'EINVAL'],
    ['phase', 'AWAITING_MOUNT', 'EBUSY'],
  ]),
  ...P('mount', 'open_tree (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['check_mnt', 'may_copy_tree(): the source mount is ours, or in an anonymous namespace copied from ours or made by fsmount (seq_origin)', 'EINVAL'],
    ['pseudo_dentry', '6.12.118/7.3.4 __do_loopback(): the source dentry is not a pseudo one (DCACHE_NORCU: the token file)', 'EINVAL'],
    ['fd_first', 'linux-7.3: FD_ADD() reserves the fd before any other check (profile knob openTreeFdFirst)', 'EMFILE'],
    ['fd_before_lookup', 'linux-6.12: get_unused_fd_flags() after may_mount(), before the lookup (profile knob openTreeFdBeforeLookup)', 'EMFILE'],
  ]),
  ...P('mount', 'do_move_mount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mnt_root', 'the source is the root of its mount', 'EINVAL'],
    ['attachable', 'the source is ours or the root of an anonymous namespace', 'EINVAL'],
    ['dir_match', 'source and mountpoint are both directories (the mountpoint is one)', 'EINVAL'],
  ]),
  ...P('mount', 'path_mount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mount_capable', 'CAP_SYS_ADMIN in fc->user_ns', 'EPERM'],
  ]),
  ...P('mount', 'do_move_mount (fs/namespace.c)', [
    ['loop', 'the moved mount is not on the target already', 'ELOOP'],
    ['locked', 'an attached mount of ours that is not MNT_LOCKED', 'EINVAL'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof NAMESPACE_DECISIONS)[number]['id'], true> {}
}
