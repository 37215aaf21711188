// Processes during a scenario (issue 11 language v2): an actor's process exits;
// it unshares its mount namespace.
// do_exit() (kernel/exit.c) -> exit_files() -> put_files_struct() ->
// close_files(): when no other task shares the fd table (a thread_of actor),
// every open fd is closed in fd order, as close() would (filp_close()). The
// executor makes the real actor process _exit() and reaps it before the next step.

import type { Kernel, Task } from './kernel.ts';
import { EMFILE, EPERM, ESRCH } from './errno.ts';
import { CAP_SYS_ADMIN, CAP_SYS_CHROOT } from './caps.ts';
import type { Mount, MntNamespace } from './include/linux/fs.ts';
import { allocFd, closeFd } from './vfs.ts';

/** the `exit` step: returns the fds closed (for the handle bookkeeping), or -ESRCH */
export function do_exit(k: Kernel, t: Task, tasks: Iterable<Task>): number[] | number {
  if (t.dead) return -ESRCH;
  t.dead = true;
  for (const o of tasks) if (o !== t && !o.dead && o.files === t.files) return []; // the table lives on
  const closed: number[] = [];
  for (let fd = 0; fd < t.files.fds.length; fd++) if (t.files.fds[fd] !== undefined && closeFd(k, t.files, fd) === 0) closed.push(fd);
  return closed;
}

/** unshare(CLONE_NEWNS): ksys_unshare() -> unshare_nsproxy_namespaces()
 *  (kernel/nsproxy.c:225: ns_capable(current_user_ns(), CAP_SYS_ADMIN)) ->
 *  copy_mnt_ns() (fs/namespace.c): a new namespace owned by the caller's user
 *  namespace with a copy of every mount; lock_mnt_tree() (:2343) locks the copies
 *  (MNT_LOCKED, and MNT_LOCK_READONLY of a read-only one) when that user
 *  namespace is not the old namespace's owner. The model copies the mounts on
 *  the named targets (model/mountlife.ts; nothing else of the tree is reachable
 *  by a later step); files keep their old mounts, which are not in the new namespace. */
export function sys_unshare_mnt(k: Kernel, t: Task): number {
  if (k.check('unshare_nsproxy_namespaces/capable', !k.ns_capable(t.cred, t.cred.userns, CAP_SYS_ADMIN))) return -EPERM;
  const old = t.mntns;
  const lock = t.cred.userns !== old.user_ns;
  const ns: MntNamespace = { id: k.nextId(), user_ns: t.cred.userns, anon: false, targets: new Map() };
  for (const [name, stack] of old.targets ?? []) {
    const copies = stack.map((m): Mount => {
      const c: Mount = { id: k.nextId(), sb: m.sb, mnt_root: m.mnt_root, mnt_ns: ns, devname: m.devname, hasParent: true };
      if (m.readonly) c.readonly = true;
      if (m.locked || lock) c.locked = true;
      if (m.lockReadonly || (lock && m.readonly)) c.lockReadonly = true;
      return c;
    });
    ns.targets!.set(name, copies);
  }
  t.mntns = ns;
  return 0;
}

/** setns(fd of /proc/PID/ns/mnt, CLONE_NEWNS) (kernel/nsproxy.c setns(): the
 *  flags name the fd's namespace type, check_setns_flags() passes;
 *  prepare_nsset(), validate_ns() -> the ns type's install op) ->
 *  mntns_install() (fs/namespace.c, 6.18 and 7.3 alike; 7.3 fs/namespace.c:6715-6724):
 *  1. EPERM unless ns_capable(mnt_ns->user_ns, CAP_SYS_ADMIN) &&
 *     ns_capable(current user ns, CAP_SYS_CHROOT) && ns_capable(current user ns,
 *     CAP_SYS_ADMIN), evaluated in that order (||, so an earlier failure skips the later hooks);
 *  2. EINVAL for an anonymous namespace (is_anon_ns(): an actor's namespace never is);
 *  3. EINVAL if current->fs->users != 1: no actor shares its fs_struct (a thread_of
 *     actor is clone(CLONE_FILES) without CLONE_FS, oracle/executor.c thread_spawn()).
 *  Joining the namespace the actor is already in succeeds (no check compares them).
 *  Then the namespace, root and pwd are the other's; open files keep their mounts. */
export function sys_setns_mnt(k: Kernel, t: Task, of: Task): number {
  const target = of.mntns;
  // the caller first opens /proc/<pid>/ns/mnt (nsfs; the executor's leader opens it and
  // passes it over SCM_RIGHTS): a full fd table is EMFILE (get_unused_fd_flags())
  // before setns() -> mntns_install() is reached
  if (k.check('setns/nsfd', allocFd(t.files) < 0)) return -EMFILE;
  if (
    k.check(
      'mntns_install/capable',
      !k.ns_capable(t.cred, target.user_ns, CAP_SYS_ADMIN) || !k.ns_capable(t.cred, t.cred.userns, CAP_SYS_CHROOT) || !k.ns_capable(t.cred, t.cred.userns, CAP_SYS_ADMIN),
    )
  )
    return -EPERM;
  // 2. and 3. never fail for an actor (above): no decision point
  t.mntns = target;
  return 0;
}
