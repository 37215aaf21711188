// Processes during a scenario (issue 11 language v2): an actor's process exits;
// it unshares its mount or user namespace, or joins another actor's (setns).
// do_exit() (kernel/exit.c) -> exit_files() -> put_files_struct() ->
// close_files(): when no other task shares the fd table (a thread_of actor),
// every open fd is closed in fd order, as close() would (filp_close()). The
// executor makes the real actor process _exit() and reaps it before the next step.

import type { Kernel, Task } from './kernel.ts';
import { EACCES, EINVAL, EMFILE, ENOSPC, EPERM, ESRCH, retName } from './errno.ts';
import { CAP_FULL, CAP_SETFCAP, CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_CHROOT, capRaised } from './caps.ts';
import { type Cred, type UserNamespace, hasGidMapping, hasMapping, isInit, makeKgid, makeKuid } from './userns.ts';
import { security_create_user_ns } from './security.ts';
import { commit_creds } from './cred.ts';
import type { Mount, MntNamespace } from './include/linux/fs.ts';
import { MAY_WRITE, allocFd, closeFd, generic_permission } from './vfs.ts';
import type { Inode } from './include/linux/fs.ts';
import { type StepTable, A, forkHandles, unbindFd } from './step.ts';
import { P } from './include/decision.ts';

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

/** unshare(CLONE_NEWUSER): ksys_unshare() (kernel/fork.c; 7.3.4 :3270-3330,
 *  6.12.118 alike) adds CLONE_THREAD | CLONE_FS. Debian's unprivileged_userns_clone
 *  check (:3306) passes at its default 1 (kernel/user_namespace.c:27; the 6.18 host
 *  has no such sysctl). check_unshare_flags() (:3194-3220) refuses CLONE_THREAD in a
 *  thread group of several tasks: an actor is a process of its own (a thread_of actor
 *  is clone(CLONE_FILES), oracle/executor.c thread_spawn()), so it passes; unshare_fs()
 *  copies a shared fs_struct, no actor shares one. unshare_userns() ->
 *  create_user_ns() (kernel/user_namespace.c:89-126, 7.3.4; 6.12.118 the same checks):
 *  1. ENOSPC when the parent is more than 32 levels deep (:97-99); the ucounts of
 *     max_user_namespaces (:101) are the machine's sysctl, far above a scenario's count;
 *  2. EPERM when chrooted (:111-113): no actor is;
 *  3. EPERM unless the caller's euid and egid are mapped in the parent (:119-122);
 *  4. security_create_user_ns() (:124; SELinux's user_namespace:create is a class the
 *     model does not decide, allowed to every type in the VM oracle's policies).
 *  set_cred_user_ns() (:47-67): every capability in the new namespace (permitted,
 *  effective), the securebits cleared but the exec restrictions (so KEEP_CAPS goes).
 *  The namespace has no uid_map or gid_map until an idmap step writes them
 *  (sys_write_idmap()), so the caller's ids are unmapped in it (a second unshare of the
 *  user namespace fails at 3). parent_could_setfcap is CAP_SETFCAP in the caller's effective set. */
export function sys_unshare_user(k: Kernel, t: Task): number {
  const parent = t.cred.userns;
  if (k.check('create_user_ns/level', parent.level > 32)) return -ENOSPC;
  const egid = t.cred.egid ?? t.cred.gid;
  if (k.check('create_user_ns/mapping', !hasMapping(parent, t.cred.euid) || !hasGidMapping(parent, egid))) return -EPERM;
  const err = security_create_user_ns(k, t.cred);
  if (k.check('create_user_ns/lsm', err < 0)) return err;
  const id = k.nextId();
  const ns: UserNamespace = {
    id,
    name: `${t.name}.unshared${id}`,
    level: parent.level + 1,
    parent,
    owner: t.cred.euid,
    mapBase: 0,
    mapCount: 0,
    gidBase: 0,
    gidCount: 0,
    parentCouldSetfcap: capRaised(t.cred.cap_effective, CAP_SETFCAP),
  };
  commit_creds(t, set_cred_user_ns(t.cred, ns));
  return 0;
}

/** set_cred_user_ns() (kernel/user_namespace.c:47-67, 7.3.4; 6.12.118 clears every
 *  securebit): every capability in `ns`; KEEP_CAPS (the only securebit the model keeps)
 *  is cleared on both, as it is no exec restriction */
function set_cred_user_ns(old: Cred, ns: UserNamespace): Cred {
  const cred: Cred = { ...old, userns: ns, cap_effective: CAP_FULL, cap_permitted: CAP_FULL };
  delete cred.securebits;
  return cred;
}

/** setns(fd of /proc/PID/ns/user, CLONE_NEWUSER) -> userns_install()
 *  (kernel/user_namespace.c:1349-1381, 7.3.4; 6.12.118 :1341, the same):
 *  1. EINVAL when it is the caller's own user namespace (:1357: no capabilities are
 *     gained by re-entering it);
 *  2. EINVAL in a thread group of several tasks, or with a shared fs_struct
 *     (:1361, :1364): no actor is either (see sys_setns_mnt);
 *  3. EPERM unless ns_capable(user_ns, CAP_SYS_ADMIN) (:1367);
 *  then set_cred_user_ns(): every capability there; the ids are kept (they may be
 *  unmapped in it). The nsfs fd is opened first, as for the mount namespace. */
export function sys_setns_user(k: Kernel, t: Task, of: Task): number {
  const target = of.cred.userns;
  if (k.check('setns/nsfd', allocFd(t) < 0)) return -EMFILE;
  if (k.check('userns_install/same', target === t.cred.userns)) return -EINVAL;
  if (k.check('userns_install/capable', !k.ns_capable(t.cred, target, CAP_SYS_ADMIN))) return -EPERM;
  commit_creds(t, set_cred_user_ns(t.cred, target));
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
  if (k.check('setns/nsfd', allocFd(t) < 0)) return -EMFILE;
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

/** fork(2): kernel_clone() -> copy_process() (kernel/fork.c, 7.3.4 and 6.12.118 alike)
 *  with SIGCHLD and no CLONE_* flag, or with CLONE_FILES alone (`clone_files`). None of its checks can fail for an actor, so it has no
 *  decision point: the RLIMIT_NPROC check (is_rlimit_overlimit(); its capable(CAP_SYS_RESOURCE)
 *  and capable(CAP_SYS_ADMIN) run only over the limit) and max_threads are far above a
 *  scenario's processes, cgroup_can_fork()'s pids limit is the sandbox's 256 (oracle/SANDBOX.md
 *  "Limits", above MAX_ACTORS), and security_task_alloc() and prepare_creds()'s
 *  security_prepare_creds() have no implementation in the model's LSMs (no hook of the
 *  language is on this path; SELinux's cred_prepare copies the SID). The child gets:
 *  copy_creds(): a copy of the cred; copy_files(): with CLONE_FILES the same table
 *  (files_struct count++, so every later open, close or dup2 of either is the other's), else
 *  dup_fd(): a new table holding every open file at the same number (get_file() each);
 *  copy_signal(): a copy of the rlimits (RLIMIT_NOFILE; without CLONE_THREAD the child is a
 *  process of its own, so a later setrlimit() of one is not the other's, whatever the table);
 *  copy_namespaces(): the same mount namespace. */
export function kernel_clone(parent: Task, child: Task, cloneFiles = false): void {
  if (cloneFiles) child.files = parent.files;
  else {
    const fds = parent.files.fds.slice();
    for (const f of fds) if (f) f.refs++;
    child.files = { fds };
  }
  child.rlim = { ...parent.rlim };
  const cred: Cred = { ...parent.cred };
  if (parent.cred.security) cred.security = { ...parent.cred.security };
  child.cred = cred;
  child.mntns = parent.mntns;
  child.dead = false;
  // the dumpability is the mm's, whose flags the child's copy keeps
  if (parent.nondumpable) child.nondumpable = true;
}

/** a /proc/self/ file of mode 0644 (uid_map, gid_map, setgroups: S_IRUGO|S_IWUSR) as
 *  task_dump_owner() (fs/proc/base.c, 7.3.4 :1862-1905; 6.12.118 alike) owns it: the task's
 *  euid and egid while it is user-dumpable, else make_kuid(mm->user_ns, 0), kuid 0 (every
 *  actor's mm was made in the init user namespace) */
function procSelfInode(t: Task): Inode {
  const c = t.cred;
  return t.nondumpable ? { ino: 0, mode: 0o644, isDir: false, uid: 0, gid: 0 } : { ino: 0, mode: 0o644, isDir: false, uid: c.euid, gid: c.egid ?? c.gid };
}

/** The `idmap` step: the actor writes "0 <outside> <count>" to /proc/self/uid_map, or
 *  "deny" to /proc/self/setgroups and then that line to /proc/self/gid_map (the way an
 *  unprivileged `unshare -r` does it). Each file's open(O_WRONLY) runs may_open() ->
 *  inode_permission() first (DAC on procSelfInode(); the model's LSMs have no file
 *  hooks), then its open op. 7.3.4 line numbers; 6.12.118 has the same checks.
 *  setgroups (gid only): proc_setgroups_open() (fs/proc/base.c:3163-3167) EACCES without
 *  CAP_SYS_ADMIN in the namespace; proc_setgroups_write() (kernel/user_namespace.c:1270-1280)
 *  EPERM once the namespace has a gid map (the init namespace has one). The map:
 *  proc_uid_map_write() / proc_gid_map_write() (:1126-1156) EPERM in the init namespace;
 *  map_write() (:938-1124): EPERM when the map was written (the declared namespaces' were,
 *  at set-up), EPERM without CAP_SYS_ADMIN over it (file_ns_capable()), EINVAL for a count
 *  of 0 or an extent that wraps; new_idmap_permitted() (:1178-1215): verify_root_map()
 *  (:896-936, uid only) refuses a map of parent id 0 unless the namespace's creator had
 *  CAP_SETFCAP (the actor writes its own: map_ns is the opener's), then one id of the
 *  namespace's owner mapping itself (uid: that kuid is the euid; gid: the egid, with
 *  setgroups denied, which this step just wrote) is allowed, else CAP_SETUID / CAP_SETGID
 *  over the parent twice (ns_capable(), then file_ns_capable() for the opener), else EPERM;
 *  then EPERM unless the parent maps the whole range (map_id_range_down()). */
export function sys_write_idmap(k: Kernel, t: Task, which: 'uid' | 'gid', outside: number, count: number): number {
  const c = t.cred;
  const ns = c.userns;
  const inode = procSelfInode(t);
  // each open takes an fd first (do_sys_openat2() -> get_unused_fd_flags(), fs/open.c), closed after the write
  if (which === 'gid') {
    if (k.check('do_sys_openat2/fd', allocFd(t) < 0)) return -EMFILE;
    if (k.check('proc_setgroups_open/dac', generic_permission(k, c, inode, MAY_WRITE) < 0)) return -EACCES;
    if (k.check('proc_setgroups_open/capable', !k.ns_capable(c, ns, CAP_SYS_ADMIN))) return -EACCES;
    if (k.check('proc_setgroups_write/gid_map', ns.gidCount !== 0)) return -EPERM; // init and declared: a gid map
  }
  if (k.check('do_sys_openat2/fd', allocFd(t) < 0)) return -EMFILE;
  if (k.check('map_write/open', generic_permission(k, c, inode, MAY_WRITE) < 0)) return -EACCES;
  if (k.check('map_write/init', isInit(ns))) return -EPERM;
  const parent = ns.parent!;
  if (k.check('map_write/written', (which === 'uid' ? ns.mapCount : ns.gidCount ?? ns.mapCount) !== 0)) return -EPERM;
  if (k.check('map_write/capable', !k.ns_capable(c, ns, CAP_SYS_ADMIN))) return -EPERM;
  if (k.check('map_write/extent', count === 0 || outside + count > 0xffffffff)) return -EINVAL;
  const cap = which === 'uid' ? CAP_SETUID : CAP_SETGID;
  if (k.check('map_write/root_map', which === 'uid' && outside === 0 && !ns.parentCouldSetfcap)) return -EPERM;
  const lower = which === 'uid' ? makeKuid(parent, outside) : makeKgid(parent, outside);
  const self = which === 'uid' ? c.euid : c.egid ?? c.gid;
  const own = count === 1 && ns.owner === c.euid && lower === self;
  if (k.check('map_write/permitted', !own && !(k.ns_capable(c, parent, cap) && k.ns_capable(c, parent, cap)))) return -EPERM;
  const last = which === 'uid' ? makeKuid(parent, outside + count - 1) : makeKgid(parent, outside + count - 1);
  if (k.check('map_write/lower_mapped', lower < 0 || last < 0)) return -EPERM;
  // installed in place, as map_write() does (a namespace made during the run: cloned with the state)
  if (which === 'uid') {
    ns.mapBase = lower;
    ns.mapCount = count;
  } else {
    ns.gidBase = lower;
    ns.gidCount = count;
  }
  return 0;
}

/** this layer's ops (model/step.ts) */
export const PROCS_STEPS: StepTable<'exit' | 'unshare' | 'setns' | 'fork' | 'idmap'> = {
  idmap: (st, t, step) => sys_write_idmap(st.k, t, step.map ?? A.idmap.map.default, step.outside, step.count ?? A.idmap.count.default),
  exit: (st, t) => {
    const r = do_exit(st.k, t, st.tasks.values());
    if (typeof r === 'number') return { ret: retName(r) };
    for (const fd of r) unbindFd(st, t.files, fd);
    return { ret: 'ok' };
  },
  unshare: (st, t, step) => ((step.ns ?? A.unshare.ns.default) === 'user' ? sys_unshare_user(st.k, t) : sys_unshare_mnt(st.k, t)),
  setns: (st, t, step) => ((step.ns ?? A.setns.ns.default) === 'user' ? sys_setns_user(st.k, t, st.tasks.get(step.of)!) : sys_setns_mnt(st.k, t, st.tasks.get(step.of)!)),
  fork: (st, t, step) => {
    const child = st.tasks.get(step.child)!;
    const share = step.clone_files ?? A.fork.clone_files.default;
    kernel_clone(t, child, share);
    if (!share) forkHandles(st, t.files, child.files);
    return 0;
  },
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const PROCS_DECISIONS = [
  ...P('userns', 'unshare_nsproxy_namespaces (kernel/nsproxy.c)', [['capable', 'CAP_SYS_ADMIN in the caller\'s user namespace', 'EPERM']]),
  ...P('userns', 'userns_install (kernel/user_namespace.c)', [
    ['same', "the caller's own user namespace", 'EINVAL'],
    ['capable', 'CAP_SYS_ADMIN in the user namespace joined', 'EPERM'],
  ]),
  ...P('userns', 'create_user_ns (kernel/user_namespace.c)', [
    ['level', 'the parent namespace at most 32 levels below init', 'ENOSPC'],
    ['mapping', "the caller's euid and egid mapped in the parent namespace", 'EPERM'],
    ['lsm', 'security_create_user_ns()', 'LSM'],
  ]),
  ...P('userns', 'do_sys_openat2 (fs/open.c; the /proc/self files an idmap step opens)', [['fd', 'a free fd below RLIMIT_NOFILE', 'EMFILE']]),
  ...P('userns', 'proc_setgroups_open (fs/proc/base.c, with may_open(); idmap of the gid map)', [
    ['dac', 'DAC on /proc/self/setgroups (mode 0644; owned by the euid while user-dumpable, else by kuid 0)', 'EACCES'],
    ['capable', 'CAP_SYS_ADMIN in the namespace to open it for writing', 'EACCES'],
  ]),
  ...P('userns', 'proc_setgroups_write (kernel/user_namespace.c)', [['gid_map', '"deny" before the namespace has a gid map', 'EPERM']]),
  ...P('userns', 'map_write (kernel/user_namespace.c, via proc_uid_map_write / proc_gid_map_write)', [
    ['open', 'DAC on /proc/self/uid_map or gid_map (mode 0644; owned by the euid while user-dumpable, else by kuid 0)', 'EACCES'],
    ['init', 'not the init namespace', 'EPERM'],
    ['written', 'the map not written before', 'EPERM'],
    ['capable', 'CAP_SYS_ADMIN over the namespace (file_ns_capable)', 'EPERM'],
    ['extent', 'a count above 0 and an extent that does not wrap', 'EINVAL'],
    ['root_map', "verify_root_map(): parent id 0 only if the namespace's creator had CAP_SETFCAP", 'EPERM'],
    ['permitted', "new_idmap_permitted(): the owner's own id, else CAP_SETUID / CAP_SETGID over the parent", 'EPERM'],
    ['lower_mapped', 'the parent maps the whole range (map_id_range_down)', 'EPERM'],
  ]),
  ...P('userns', 'setns (kernel/nsproxy.c)', [['nsfd', 'the caller has a free fd for the nsfs file it opens first (/proc/<pid>/ns/mnt)', 'EMFILE']]),
  ...P('userns', 'mntns_install (fs/namespace.c, via setns())', [['capable', 'CAP_SYS_ADMIN over the joined namespace\'s owner, CAP_SYS_CHROOT and CAP_SYS_ADMIN in the caller\'s user namespace', 'EPERM']]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof PROCS_DECISIONS)[number]['id'], true> {}
}
