// The mount life cycle of a scenario (issue 11 language v2): named targets,
// umount2(2), bind mounts through legacy mount(2), and opening what is
// mounted on a target.
//
// A named target is a directory the executor makes before the actors exist,
// /tmp/t-<name> on the scenario's own /tmp tmpfs (oracle/executor.c), so every
// mount namespace of the scenario has it. Mounts stack on it: each mount goes
// on top of the one there (its mountpoint is that mount's root), and a lookup
// of the target finds the top one (LOOKUP_FOLLOW across mounts). The model
// keeps, per mount namespace, the stack of each target (MntNamespace.targets).
// Line numbers: 6.12.117 fs/namespace.c (~/.cache/bpftc/trees/linux-source-6.12_*);
// 6.18 differences are noted where the code differs (the host kernel agrees on
// the oracle campaigns, README "Mount life cycle").

import type { Kernel, Task } from './kernel.ts';
import { EAGAIN, EBUSY, EINVAL, ENOENT, ENOTDIR, EPERM } from './errno.ts';
import { CAP_SYS_ADMIN } from './caps.ts';
import { type File, type Mount, type MntNamespace, type Path, MAY_READ, allocFd, fdgetRaw, inode_permission, may_mount } from './vfs.ts';
import { alloc_fs_context, reconfigure_super } from './fs_context.ts';
import { security_sb_mount, security_sb_umount } from './security.ts';
import { type StepTable, A } from './step.ts';
import { refused, REASON } from '../scenario/sandbox.ts';
import { P } from './include/decision.ts';

/** umount2() flags (include/linux/fs.h) */
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

function stack(ns: MntNamespace, target: string): Mount[] {
  ns.targets ??= new Map();
  let s = ns.targets.get(target);
  if (!s) {
    s = [];
    ns.targets.set(target, s);
  }
  return s;
}

/** the mount a lookup of the target finds (the top of its stack), if any */
export function targetTop(t: Task, target: string): Mount | undefined {
  const s = t.mntns.targets?.get(target);
  return s?.[s.length - 1];
}

/** do_move_mount() (6.18 fs/namespace.c): "for (; mnt_has_parent(p); p = p->mnt_parent)
 *  if (p == old) goto out" -> ELOOP: the moved mount is the target's mount or one below it */
export function moveLoops(t: Task, m: Mount, target: string): boolean {
  return t.mntns.targets?.get(target)?.includes(m) ?? false;
}

/** a mount moved: off any target stack it was on in this namespace (with the mounts
 *  on top of it), then on top of the named target's (null: a fresh directory of the
 *  executor, no target) */
export function attachAtTarget(t: Task, m: Mount, target: string | null): void {
  // the mounts stacked above it are its children (mounted on its root): they move with it
  let moved: Mount[] = [m];
  for (const s of t.mntns.targets?.values() ?? []) {
    const i = s.indexOf(m);
    if (i >= 0) moved = s.splice(i);
  }
  if (target !== null) stack(t.mntns, target).push(...moved);
}

/** the files open on a mount, over every fd table of the scenario (each holds a
 *  reference: mnt_get_count() > 2 in propagate_mount_busy()) */
function openFiles(tasks: Iterable<Task>, m: Mount): number {
  const seen = new Set<File>();
  for (const t of tasks) for (const f of t.files.fds) if (f && f.path?.mnt === m) seen.add(f);
  return seen.size;
}

/** SYSCALL umount(name, flags) -> ksys_umount() (:2044-2060) -> path_umount() ->
 *  can_umount() (:2010-2026) -> do_umount() (:1860-1945), on /tmp/t-<target> */
export function sys_umount(k: Kernel, t: Task, tasks: Iterable<Task>, target: string, flags: number): number {
  // :2051 basic validity checks done first
  if (k.check('ksys_umount/flags', (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) !== 0)) return -EINVAL;
  // user_path_at(): the executor's directories are 0755 root's, always searchable
  const m = targetTop(t, target);
  // can_umount()
  if (k.check('can_umount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  // path_mounted(): the bare target directory is no mount root
  if (k.check('can_umount/path_mounted', !m)) return -EINVAL;
  // check_mnt(): found in our namespace; MNT_LOCKED: a copy into another user namespace's
  // mount namespace (unshare, model/procs.ts)
  if (k.check('can_umount/locked', m!.locked === true)) return -EINVAL;
  if (k.check('can_umount/force', (flags & MNT_FORCE) !== 0 && !k.ns_capable(t.cred, m!.sb.s_user_ns, CAP_SYS_ADMIN))) return -EPERM;
  // do_umount(): security_sb_umount() first
  let ret = security_sb_umount(k, m!, flags);
  if (ret) return ret;
  if (flags & MNT_EXPIRE) {
    if (k.check('do_umount/expire_flags', (flags & (MNT_FORCE | MNT_DETACH)) !== 0)) return -EINVAL;
    // mnt_get_count() != 2: the parent's reference and ours only
    if (k.check('do_umount/expire_busy', openFiles(tasks, m!) > 0)) return -EBUSY;
    // the mark: set by the first call, cleared by mntput() (not modelled: the model never clears it)
    if (!m!.expiryMark) {
      m!.expiryMark = true;
      return -EAGAIN;
    }
  }
  // MNT_FORCE: ->umount_begin (neither bpffs nor tmpfs has one)
  if (!(flags & MNT_DETACH) && k.check('do_umount/busy', openFiles(tasks, m!) > 0)) return -EBUSY;
  // umount_tree(): off the namespace; files still open on it keep a mount in none
  stack(t.mntns, target).pop();
  m!.mnt_ns = k.deadNs;
  m!.hasParent = false;
  ret = 0;
  return ret;
}

/** SYSCALL mount("/proc/self/fd/<src>", "/tmp/t-<target>", NULL, MS_BIND, NULL):
 *  path_mount() (security_sb_mount(), may_mount()) -> do_loopback() ->
 *  __do_loopback() -> graft_tree(). The source is one of the actor's fds, on a
 *  superblock of the scenario (oracle/SANDBOX.md: the executor refuses others). */
export function sys_mount_bind(k: Kernel, t: Task, src: number, target: string, copyOk: (m: Mount) => boolean): number {
  const f = fdgetRaw(t.files, src);
  let ret = security_sb_mount(k, `/proc/self/fd/${src}`, '', 4096 /* MS_BIND */, '');
  if (ret) return ret;
  if (k.check('path_mount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  // do_loopback(): kern_path(old_name, LOOKUP_FOLLOW) through the magic link: the file's f_path
  if (!f || !f.path) return -ENOENT;
  const old: Path = f.path;
  // lock_mount(): the target's top mount (or the bare directory) is the parent; check_mnt(parent) holds
  // __do_loopback(): IS_MNT_UNBINDABLE (never), then (6.18) may_copy_tree() / (6.12) check_mnt()
  if (k.check('do_loopback/may_copy_tree', !copyOk(old.mnt))) return -EINVAL;
  // 6.12.118/7.3.4: DCACHE_NORCU (a pseudo dentry, the token file) -> EINVAL
  if (k.profile.token.loopbackRefusesPseudoDentry && k.check('do_loopback/pseudo_dentry', old.dentry.norcu === true)) return -EINVAL;
  // clone_mnt(old, old_path->dentry, 0), then graft_tree(): d_is_dir() of the mountpoint and the root must match
  if (k.check('graft_tree/dir_match', !old.dentry.inode.isDir)) return -ENOTDIR;
  const mnt: Mount = { id: k.nextId(), sb: old.dentry.sb, mnt_root: old.dentry, mnt_ns: t.mntns, devname: old.mnt.devname, hasParent: true };
  stack(t.mntns, target).push(mnt);
  return 0;
}

/** open("/tmp/t-<target>", O_RDONLY | O_DIRECTORY): an fd on the mount on top of the
 *  target; null when nothing is mounted there (the executor refuses: the fd would be
 *  on the scenario's /tmp, no superblock of its own) */
export function sys_open_target(k: Kernel, t: Task, target: string): number | null {
  // do_sys_openat2(): get_unused_fd_flags() before the walk
  const slot = allocFd(t);
  if (slot < 0) return slot;
  const m = targetTop(t, target);
  if (!m) return null;
  // the walk of /tmp and t-<target> (0755, root's: MAY_EXEC always granted), then
  // may_open(): MAY_READ on the mounted root
  const p: Path = { mnt: m, dentry: m.mnt_root };
  const err = inode_permission(k, t.cred, p, MAY_READ);
  if (k.check('may_open/read', err !== 0)) return err;
  return k.newPathFd(t, p, false);
}

/** include/uapi/linux/mount.h */
const MS_RDONLY = 1;
const MS_REMOUNT = 32;

/** SYSCALL mount(NULL, "/tmp/t-<target>", NULL, MS_REMOUNT [| MS_RDONLY], NULL):
 *  path_mount() (:3897-3950) -> do_remount() (:3108-3150) -> reconfigure_super() */
export function sys_remount(k: Kernel, t: Task, target: string, ro: boolean): number {
  const flags = MS_REMOUNT | (ro ? MS_RDONLY : 0);
  let ret = security_sb_mount(k, '', '', flags, '');
  if (ret) return ret;
  if (k.check('path_mount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  // do_remount(): check_mnt() holds for what a lookup in our namespace finds; path_mounted()
  const m = targetTop(t, target);
  if (k.check('do_remount/path_mounted', !m)) return -EINVAL;
  // can_change_locked_flags() (:2989): MNT_LOCK_READONLY keeps a locked copy read-only
  if (k.check('do_remount/locked_flags', m!.lockReadonly === true && !ro)) return -EPERM;
  // fs_context_for_reconfigure(
  // path->dentry, sb_flags, MS_RMT_MASK): the remountable flags not given are cleared
  const fc = alloc_fs_context(k, t, 'reconfigure', m!.mnt_root);
  fc.phase = 'RECONF_PARAMS';
  fc.sb_flags = { ro, sync: false, mand: false, lazytime: false };
  for (const f of ['ro', 'sync', 'mand', 'lazytime'] as const) fc.sb_flags_mask.add(f);
  // parse_monolithic_mount_data(fc, NULL): no options. Then ns_capable(sb->s_user_ns, CAP_SYS_ADMIN)
  if (k.check('do_remount/capable', !k.ns_capable(t.cred, m!.sb.s_user_ns, CAP_SYS_ADMIN))) return -EPERM;
  // reconfigure_super(); set_mount_attributes(): MNT_READONLY follows MS_RDONLY (the model keeps
  // read-only on the superblock only: no step makes a mount's and its superblock's differ)
  ret = reconfigure_super(k, fc);
  if (!ret) m!.readonly = ro;
  return ret;
}

/** this layer's ops (model/step.ts; `bind` is model/namespace.ts's: it needs its source-mount checks) */
export const MOUNTLIFE_STEPS: StepTable<'umount' | 'remount' | 'open_target'> = {
  umount: (st, t, step) => sys_umount(st.k, t, st.tasks.values(), step.target, step.flags ?? A.umount.flags.default),
  remount: (st, t, step) => sys_remount(st.k, t, step.target, step.ro ?? A.remount.ro.default),
  open_target: (st, t, step) => sys_open_target(st.k, t, step.target) ?? refused(REASON.pathEscapes),
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const MOUNTLIFE_DECISIONS = [
  // issue 11 language v2 (branch procs): the mount life cycle (model/mountlife.ts)
  ...P('mount', 'ksys_umount (fs/namespace.c)', [['flags', 'only MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW', 'EINVAL']]),
  ...P('mount', 'can_umount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['path_mounted', 'something is mounted on the target', 'EINVAL'],
    ['locked', 'not MNT_LOCKED (a copy into another user namespace\'s mount namespace)', 'EINVAL'],
    ['force', 'MNT_FORCE needs CAP_SYS_ADMIN in the superblock userns', 'EPERM'],
  ]),
  ...P('mount', 'do_umount (fs/namespace.c)', [
    ['expire_flags', 'MNT_EXPIRE without MNT_FORCE / MNT_DETACH', 'EINVAL'],
    ['expire_busy', 'MNT_EXPIRE: no other reference to the mount', 'EBUSY'],
    ['busy', 'without MNT_DETACH: no file open on the mount', 'EBUSY'],
  ]),
  ...P('mount', 'do_remount (fs/namespace.c)', [
    ['path_mounted', 'something is mounted on the target', 'EINVAL'],
    ['locked_flags', 'can_change_locked_flags(): a locked read-only copy stays read-only', 'EPERM'],
    ['capable', 'CAP_SYS_ADMIN in the superblock userns', 'EPERM'],
  ]),
  ...P('mount', 'do_loopback (fs/namespace.c)', [['may_copy_tree', 'the source mount may be copied (6.12: is in our namespace)', 'EINVAL'], ['pseudo_dentry', '6.12.118/7.3.4: the source dentry is not a pseudo one (DCACHE_NORCU: the token file)', 'EINVAL']]),
  ...P('mount', 'graft_tree (fs/namespace.c)', [['dir_match', 'the bound root is a directory like the target', 'ENOTDIR']]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof MOUNTLIFE_DECISIONS)[number]['id'], true> {}
}
