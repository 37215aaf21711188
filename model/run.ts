// Runs a scenario (the one trace format) on the model: builds the namespaces
// and actors of its set-up, then performs each step as the syscalls the
// executor makes on a real kernel (oracle/PROTOCOL.md), and records results.

import type { LsmAction, Scenario, Step, StepResult } from '../scenario/types.ts';
import { OPS } from '../scenario/ops.ts';
import { type RefusalReason, REASON, checkedFdArg, literalFd, refused, staticRefusal, stepPaths } from '../scenario/sandbox.ts';
import { Kernel, type Task } from './kernel.ts';
import { kernelTables } from './fns.ts';
import { type Profile, DEFAULT_PROFILE, findProfile } from './profile.ts';
import { type Cred, type UserNamespace } from './userns.ts';
import { CAP_SYS_RESOURCE, capsFromNames } from './caps.ts';
import { EBADF, ENOENT, EPERM, ESRCH, retName } from './errno.ts';
import { type Files, type MntNamespace, allocFd, closeFd, fdgetRaw, installFd, fput, newFiles } from './vfs.ts';
import { FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE, FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, sys_fsconfig, sys_fsopen, sys_fspick } from './fs_context.ts';
import { check_mnt, may_copy_tree, mountinfoOf, sys_fsmount, sys_move_mount, sys_mount_bpf, sys_open_tree } from './namespace.ts';
import { sys_mount_bind, sys_open_target, sys_remount, sys_umount } from './mountlife.ts';
import { sys_mkdirat, sys_openat } from './namei.ts';
import { BPF_F_TOKEN_FD, sys_bpf } from './syscall.ts';
import { BPF_BTF_GET_FD_BY_ID, BPF_BTF_LOAD, BPF_LINK_CREATE, BPF_MAP_CREATE, BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_ATTACH, BPF_PROG_DETACH, BPF_PROG_LOAD, BPF_TOKEN_CREATE } from './enums.ts';
import { BPF_F_PATH_FD } from './pin.ts';
import { CGROUP_TARGET_FD } from './link.ts';
import { EINVAL, EOPNOTSUPP, MAX_ERRNO, errnoByName } from './errno.ts';
import { bpfLsmOf, installLsms, selinuxOf } from './lsm/index.ts';
import type { BpfLsmHook } from './lsm/bpf_lsm.ts';
import { KEYRING_ID } from './lsm/integrity.ts';
import { security_file_receive } from './security.ts';
import { sys_tmpfs } from './tmpfs.ts';
import { do_exit, sys_setns_mnt, sys_setns_user, sys_unshare_mnt, sys_unshare_user } from './procs.ts';
import { ID_UNCHANGED, drop_caps, prctl_set_keepcaps, sys_capset, sys_setgroups, sys_setresgid, sys_setresuid } from './cred.ts';

/** each op's arguments (scenario/ops.ts): an absent argument takes its default there */
const A = Object.fromEntries(Object.entries(OPS).map(([op, o]) => [op, o.args])) as { [O in keyof typeof OPS]: (typeof OPS)[O]['args'] };

/** a handle that does not resolve in the acting actor's table */
export const BAD_FD = 999;

export interface HandleRef {
  files: Files;
  fd: number;
  /** for BTF handles: the id of the BTF object at creation time */
  btfId?: number;
}

export interface ModelState {
  k: Kernel;
  tasks: Map<string, Task>;
  userns: Map<string, UserNamespace>;
  handles: Map<string, HandleRef>;
}

export interface RunOptions {
  profile?: Profile;
  /** called after set-up, before the first step (the LSM layer plugs in here) */
  setup?: (s: ModelState) => void;
  /** called after every step with its result */
  onStep?: (s: ModelState, step: Step, index: number, result: StepResult) => void;
}

export function profileOf(s: Scenario, override?: Profile): Profile {
  if (override) return override;
  const p = findProfile(s.profile ?? DEFAULT_PROFILE);
  if (!p) throw new Error(`unknown profile '${s.profile}'`);
  return p;
}

/** Builds the initial state of a scenario. */
export function setupScenario(s: Scenario, profile: Profile): ModelState {
  const k = new Kernel(profile, { unprivileged_bpf_disabled: s.sysctl?.unprivileged_bpf_disabled ?? 2 }, kernelTables(profile));
  const userns = new Map<string, UserNamespace>([['init', k.initUserNs]]);
  for (const u of s.userns ?? []) {
    const parent = userns.get(u.parent)!;
    userns.set(u.name, {
      id: k.nextId(),
      name: u.name,
      level: parent.level + 1,
      parent,
      owner: u.owner,
      mapBase: u.map.base,
      mapCount: u.map.count,
    });
  }
  const tasks = new Map<string, Task>();
  const mntns = new Map<string, MntNamespace>();
  for (const a of s.actors) {
    const ns = userns.get(a.userns)!;
    const caps = capsFromNames(a.caps);
    const cred: Cred = {
      userns: ns,
      uid: a.kuid,
      euid: a.kuid,
      suid: a.kuid,
      fsuid: a.kuid,
      gid: a.kuid,
      cap_effective: caps,
      cap_permitted: caps,
    };
    const owner = a.thread_of ? tasks.get(a.thread_of)! : undefined;
    const files = owner ? owner.files : newFiles(k.nullFile);
    let m: MntNamespace;
    const which = a.mntns ?? 'own';
    if (owner) m = owner.mntns;
    else if (which === 'own') m = { id: k.nextId(), user_ns: ns, anon: false };
    else if (which === 'init') m = k.initMntNs;
    else m = tasks.get(which)!.mntns;
    mntns.set(a.name, m);
    tasks.set(a.name, { name: a.name, cred, files, mntns: m });
  }
  installLsms(k, s, tasks);
  return { k, tasks, userns, handles: new Map() };
}

function fdOf(st: ModelState, t: Task, h: string | undefined): number {
  if (h === undefined) return BAD_FD;
  const lit = literalFd(h); // "#0": fd 0 itself (scenario/sandbox.ts LITERAL_FDS)
  if (lit !== undefined) return lit;
  const r = st.handles.get(h);
  if (!r || r.files !== t.files || r.files.fds[r.fd] === undefined) return BAD_FD;
  return r.fd;
}

/** Handle bookkeeping (oracle/PROTOCOL.md "Handle bookkeeping", same rule as
 *  the executor): a handle is bound to one (fd table, fd number) while that fd
 *  is open; closing or replacing the fd unbinds every handle of that number. */
function unbindFd(st: ModelState, files: Files, fd: number): void {
  for (const [name, r] of st.handles) if (r.files === files && r.fd === fd) st.handles.delete(name);
}

/** A new fd: stale bindings of its number go, then `as` names it. A handle of
 *  a BTF carries the BTF's id (what btf_get_fd_by_id looks up). */
function bind(st: ModelState, t: Task, as: string | undefined, fd: number): void {
  if (fd < 0) return;
  unbindFd(st, t.files, fd);
  if (as === undefined) return;
  const f = t.files.fds[fd];
  const btfId = f && f.obj.kind === 'btf' ? f.obj.btf.id : undefined;
  st.handles.set(as, btfId === undefined ? { files: t.files, fd } : { files: t.files, fd, btfId });
}

/** ops whose non-negative return is a new fd of the acting actor */
const RETURNS_FD = new Set<Step['op']>([
  'fsopen', 'fsmount', 'open', 'open_tree', 'mount', 'fspick', 'token_create',
  'map_create', 'prog_load', 'btf_load', 'btf_get_fd_by_id', 'tmpfs', 'open_target',
  'obj_get', 'link_create',
]);

const FSCONFIG_CMDS = {
  set_flag: FSCONFIG_SET_FLAG,
  set_string: FSCONFIG_SET_STRING,
  create: FSCONFIG_CMD_CREATE,
  reconfigure: FSCONFIG_CMD_RECONFIGURE,
};

/** a tail_byte argument: -1 (the default) and other negatives set no byte */
function tailOf(b: number | undefined): number | null {
  return b === undefined || b < 0 ? null : b;
}

function withToken(flagBit: number, token: string | undefined, tokenFlag: boolean | undefined): number {
  const on = tokenFlag ?? token !== undefined;
  return on ? flagBit : 0;
}

/** Performs one step; returns the result as the executor would report it,
 *  plus the LSMs' access decisions (model only). The acting task is
 *  `current` for the step; a `race` runs at the step's preemption point.
 *  A step the sandbox's static rules refuse (scenario/sandbox.ts,
 *  oracle/SANDBOX.md) does nothing at all (no LSM action, no race, no fd, no
 *  handle) and is REFUSED with its reason, as on the executor. The runtime
 *  rules (dirfd on a superblock of another scenario) never apply here: every
 *  superblock of the model is the scenario's own. */
/** the result of a step that ends before its own LSM administration (`lsm`)
 *  and its syscalls: a sandbox refusal (`staticWhy`), an exited actor, a
 *  literal /dev/null fd where the executor refuses one; null when the step
 *  gets to them */
function endsEarly(st: ModelState, step: Step, staticWhy: RefusalReason | null): StepResult | null {
  if (staticWhy) return refused(staticWhy);
  // an exited actor (model/procs.ts): its steps, and fds sent to it, are ESRCH, nothing is done
  if (st.tasks.get(step.actor)!.dead || (step.op === 'send_fd' && st.tasks.get(step.to)!.dead) || (step.op === 'setns' && st.tasks.get(step.of)!.dead)) return { ret: retName(-ESRCH) };
  const why = nullFdRefusal(st, step);
  if (why) return refused(why);
  return null;
}

/** does performStep() end this step before its own LSM administration runs
 *  (endsEarly)? Records no coverage: for the property walks
 *  (properties/walk.ts syscallOf), which run a step's administration before
 *  its syscall, exactly when performStep() would */
export function endsBeforeLsm(st: ModelState, step: Step): boolean {
  return endsEarly(st, step, staticRefusal(step)) !== null;
}

export function performStep(st: ModelState, step: Step): StepResult {
  const early = endsEarly(st, step, sandboxCheck(st.k, step));
  if (early) return early;
  const { k } = st;
  const outer = { current: k.current, avc: k.security.avc };
  k.current = st.tasks.get(step.actor)!;
  k.security.avc = [];
  const race = 'race' in step ? step.race : undefined;
  if (race) {
    const rs: Step =
      race.op === 'close'
        ? { actor: race.actor, op: 'close', fd: race.fd }
        : { actor: race.actor, op: 'dup2', fd: race.fd, to: race.to ?? '' };
    k.preempt = { at: race.at ?? 'hook', run: () => void performStep(st, rs) };
  }
  // a race step runs inside another step's syscall: that step's pending loads wait
  const outerAt = k.security.atHook;
  k.security.atHook = [];
  const outerLate = { work: k.security.afterReturn, returned: k.security.returned };
  k.security.afterReturn = [];
  k.security.returned = false;
  for (const act of step.lsm ?? []) {
    // an in-syscall load (`at`) waits for its hook point (SecurityStack.atHook)
    if (act.action === 'policy_load' && act.at !== undefined) k.security.atHook.push({ hook: act.at, run: () => void lsmAction(st, act) });
    else lsmAction(st, act);
  }
  let r: StepResult;
  try {
    r = performSyscalls(st, step);
  } finally {
    k.preempt = null;
    // a hook point the syscall never reached: the load completes after it returns
    const late = k.security.atHook;
    k.security.atHook = [];
    for (const a of late) a.run();
    k.security.atHook = outerAt;
    // work an LSM queued for after the syscall returned (a late integrity verdict)
    const work = k.security.afterReturn;
    k.security.afterReturn = [];
    k.security.returned = true;
    for (const w of work) w();
    k.security.afterReturn = outerLate.work;
    k.security.returned = outerLate.returned;
  }
  const avc = k.security.avc;
  k.current = outer.current;
  k.security.avc = outer.avc;
  return avc.length ? { ...r, avc } : r;
}

/** The sandbox's static rules (scenario/sandbox.ts), recorded as the
 *  staticRefusal/* decision points of model/coverage.ts. */
function sandboxCheck(k: Kernel, step: Step): RefusalReason | null {
  const why = staticRefusal(step);
  const id =
    step.op === 'fsopen' ? 'staticRefusal/fs_type' : step.op === 'rlimit_nofile' ? 'staticRefusal/rlimit' : stepPaths(step).length ? 'staticRefusal/path' : null;
  if (id) k.check(id, why !== null);
  return why;
}

/** The executor's run-time fd rule where the model can see it (oracle/SANDBOX.md):
 *  /dev/null (fds 0-2 of every actor, kind 'null') is on no filesystem the
 *  scenario created, so a step that checks its fd there is refused. Every other
 *  file of the model is the scenario's own. */
function nullFdRefusal(st: ModelState, step: Step): RefusalReason | null {
  const h = checkedFdArg(step);
  if (h === undefined) return null;
  const t = st.tasks.get(step.actor)!;
  const f = fdgetRaw(t.files, fdOf(st, t, h));
  // bind's source: on a scenario superblock, anon-inode files refused too (model/mountlife.ts)
  if (step.op === 'bind' && f && !f.path) return REASON.fdNotOwned;
  if (f?.obj.kind !== 'null') return null;
  // mountinfo finds /dev/null's mount (the executor opened it in its own mount namespace,
  // the actors' "init" one) only there; elsewhere the line is not found: ENOENT as on the kernel
  if (step.op === 'mountinfo' && t.mntns !== st.k.initMntNs) return null;
  return REASON.fdNotOwned;
}

/** Model-only LSM administration (LsmAction); returns 0 or -errno. */
export function lsmAction(st: ModelState, act: LsmAction): number {
  const { k } = st;
  const outer = k.current;
  k.current = null; // the administrator: kernel context, unconfined
  try {
    if (act.action === 'policy_load') {
      // sel_write_load() -> security_load_policy(); the first load runs
      // delayed_superblock_init() for earlier superblocks
      const se = selinuxOf(k);
      return se ? se.loadPolicy(act.policy) : -ENOENT;
    }
    // bpf_prog_load(BPF_PROG_TYPE_LSM) + BPF_LINK_CREATE by the administrator
    const b = bpfLsmOf(k);
    if (!b) return -EOPNOTSUPP;
    const ret = act.ret ?? -(errnoByName(act.errno) ?? EPERM);
    // the verifier's check_return_code() with bpf_lsm_get_retval_range()
    // (profile knob bpfLsmRetvalRange): outside [-MAX_ERRNO, 0] the load is
    // refused with -EINVAL and nothing is attached (none of the model's hooks
    // is a bool hook)
    if (k.profile.token.bpfLsmRetvalRange && (ret > 0 || ret < -MAX_ERRNO)) return -EINVAL;
    b.progs.push({ hook: act.hook as BpfLsmHook, task: act.task, ret });
    return 0;
  } finally {
    k.current = outer;
  }
}

function performSyscalls(st: ModelState, step: Step): StepResult {
  const { k } = st;
  const t = st.tasks.get(step.actor)!;
  let ret: number;
  switch (step.op) {
    case 'fsopen':
      ret = sys_fsopen(k, t, step.fs ?? A.fsopen.fs.default, step.flags ?? A.fsopen.flags.default);
      break;
    case 'fsconfig':
      ret = sys_fsconfig(k, t, fdOf(st, t, step.fd), FSCONFIG_CMDS[step.cmd], step.key ?? null, step.value ?? null);
      break;
    case 'fsmount':
      ret = sys_fsmount(k, t, fdOf(st, t, step.fd));
      break;
    case 'open':
      ret = sys_openat(k, t, fdOf(st, t, step.dirfd), step.path, step.o_path ?? A.open.o_path.default);
      break;
    case 'mkdir':
      ret = sys_mkdirat(k, t, fdOf(st, t, step.dirfd), step.path);
      break;
    case 'open_tree':
      ret = sys_open_tree(k, t, fdOf(st, t, step.dirfd), step.path);
      break;
    case 'move_mount':
      ret = sys_move_mount(k, t, fdOf(st, t, step.fd), step.target ?? null);
      break;
    case 'mount':
      ret = sys_mount_bpf(k, t, step.data);
      break;
    case 'fspick':
      ret = sys_fspick(k, t, fdOf(st, t, step.dirfd), step.path);
      break;
    case 'mountinfo': {
      const r = mountinfoOf(k, t, fdOf(st, t, step.fd));
      return r.text === undefined ? { ret: retName(r.ret) } : { ret: retName(r.ret), text: r.text };
    }
    case 'token_create':
      ret = sys_bpf(k, t, {
        cmd: BPF_TOKEN_CREATE,
        attr: { flags: step.flags ?? A.token_create.flags.default, bpffs_fd: fdOf(st, t, step.bpffs) },
        size: step.size ?? A.token_create.size.default,
        tailByte: step.tail_byte ?? null, // absent: A.token_create.tail_byte.default (-1), no byte set
      }).ret;
      break;
    case 'token_fdinfo': {
      const f = fdgetRaw(t.files, fdOf(st, t, step.fd));
      if (!f || f.obj.kind !== 'token') return { ret: retName(-ENOENT) };
      return { ret: 'ok', text: k.fops.token!.show_fdinfo!(k, f) };
    }
    case 'obj_get_info': {
      const r = sys_bpf(k, t, {
        cmd: BPF_OBJ_GET_INFO_BY_FD,
        attr: { bpf_fd: fdOf(st, t, step.fd), info_len: step.info_len ?? A.obj_get_info.info_len.default },
        size: 168,
        tailByte: null,
      });
      return r.text === undefined ? { ret: retName(r.ret) } : { ret: retName(r.ret), text: r.text };
    }
    case 'map_create':
      ret = sys_bpf(k, t, {
        cmd: BPF_MAP_CREATE,
        attr: {
          map_type: step.map_type,
          key_size: step.key_size ?? A.map_create.key_size.default,
          value_size: step.value_size ?? A.map_create.value_size.default,
          max_entries: step.max_entries ?? A.map_create.max_entries.default,
          map_flags: (step.map_flags ?? A.map_create.map_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
          map_extra: step.map_extra ?? A.map_create.map_extra.default,
          map_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
        },
        size: 168,
        tailByte: null,
      }).ret;
      break;
    case 'prog_load':
      ret = sys_bpf(k, t, {
        cmd: BPF_PROG_LOAD,
        attr: {
          prog_type: step.prog_type,
          expected_attach_type: step.expected_attach_type ?? A.prog_load.expected_attach_type.default,
          insn_cnt: step.insn_cnt ?? A.prog_load.insn_cnt.default,
          prog_flags: (step.prog_flags ?? A.prog_load.prog_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
          prog_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
          // the fd numbers the user's array holds (resolved now: a race changes the table, not the numbers)
          fd_array: step.fd_array === undefined ? null : step.fd_array.map((h) => fdOf(st, t, h)),
          fd_array_cnt: step.fd_array_cnt ?? A.prog_load.fd_array_cnt.default,
          // model only (seed 002): attr->signature, attr->keyring_id
          ...(step.signature ? { signature: step.signature, keyring_id: KEYRING_ID[step.signature.keyring] } : {}),
          ...(step.fault && step.fault !== 'none' ? { fault: step.fault } : {}),
        },
        size: 168,
        tailByte: null,
        kernel: step.kernel ?? false,
      }).ret;
      break;
    case 'btf_load':
      ret = sys_bpf(k, t, {
        cmd: BPF_BTF_LOAD,
        attr: {
          btf_flags: (step.btf_flags ?? A.btf_load.btf_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
          btf_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
        },
        size: 168,
        tailByte: null,
      }).ret;
      break;
    case 'btf_get_fd_by_id':
      ret = sys_bpf(k, t, {
        cmd: BPF_BTF_GET_FD_BY_ID,
        attr: {
          btf_id: st.handles.get(step.btf)?.btfId ?? 0,
          open_flags: (step.open_flags ?? A.btf_get_fd_by_id.open_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
          fd_by_id_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
        },
        size: 168,
        tailByte: null,
      }).ret;
      break;
    case 'send_fd': {
      // sendmsg(SCM_RIGHTS): fget_raw(), then the receiver's receive_fd()
      const f = fdgetRaw(t.files, fdOf(st, t, step.fd));
      if (!f) {
        ret = -EBADF;
        break;
      }
      const to = st.tasks.get(step.to)!;
      f.refs++; // in flight
      // receive_fd() -> security_file_receive() runs in the receiver (recvmsg)
      k.current = to;
      const err = security_file_receive(k, f);
      k.current = t;
      const nfd = err ? err : allocFd(to.files);
      if (nfd >= 0) {
        installFd(to.files, nfd, f);
        bind(st, to, step.as, nfd);
      }
      fput(k, f);
      return { ret: retName(nfd) };
    }
    case 'dup2': {
      const oldfd = fdOf(st, t, step.fd);
      const target = st.handles.get(step.to);
      let newfd: number;
      if (target && target.files === t.files && t.files.fds[target.fd] !== undefined) newfd = target.fd;
      else {
        newfd = 3;
        while (newfd < t.files.fds.length && t.files.fds[newfd] !== undefined) newfd++;
      }
      ret = dup2(k, t, oldfd, newfd);
      // the replaced file's handles (including `to`) are unbound; `as` names the new fd
      if (ret >= 0) bind(st, t, step.as, ret);
      return { ret: retName(ret) };
    }
    case 'close': {
      const n = fdOf(st, t, step.fd);
      ret = closeFd(k, t.files, n);
      if (ret === 0) unbindFd(st, t.files, n);
      return { ret: retName(ret) };
    }
    case 'capset':
      ret = sys_capset(k, t, capsFromNames(step.effective), step.permitted ? capsFromNames(step.permitted) : t.cred.cap_permitted);
      break;
    case 'seteuid':
      ret = sys_setresuid(k, t, ID_UNCHANGED, step.euid, ID_UNCHANGED);
      break;
    // issue 11 language v2: processes (model/procs.ts)
    case 'exit': {
      const r = do_exit(k, t, st.tasks.values());
      if (typeof r === 'number') return { ret: retName(r) };
      for (const fd of r) unbindFd(st, t.files, fd);
      return { ret: 'ok' };
    }
    case 'unshare':
      ret = (step.ns ?? A.unshare.ns.default) === 'user' ? sys_unshare_user(k, t) : sys_unshare_mnt(k, t);
      break;
    case 'setns':
      ret = (step.ns ?? A.setns.ns.default) === 'user' ? sys_setns_user(k, t, st.tasks.get(step.of)!) : sys_setns_mnt(k, t, st.tasks.get(step.of)!);
      break;
    // issue 11 language v2: a filesystem that is not bpffs (model/tmpfs.ts)
    case 'tmpfs':
      ret = sys_tmpfs(k, t);
      break;
    // issue 11 language v2: the mount life cycle (model/mountlife.ts)
    case 'umount':
      ret = sys_umount(k, t, st.tasks.values(), step.target, step.flags ?? A.umount.flags.default);
      break;
    case 'bind':
      ret = sys_mount_bind(k, t, fdOf(st, t, step.src), step.target, (m) => (k.profile.token.loopbackOwnNsOnly ? check_mnt(t, m) : may_copy_tree(k, t, m)));
      break;
    case 'remount':
      ret = sys_remount(k, t, step.target, step.ro ?? A.remount.ro.default);
      break;
    case 'open_target': {
      const r = sys_open_target(k, t, step.target);
      if (r === null) return refused(REASON.pathEscapes);
      ret = r;
      break;
    }
    // issue 11 language v2: credentials (model/cred.ts)
    case 'setresuid':
      ret = sys_setresuid(k, t, step.ruid ?? A.setresuid.ruid.default, step.euid ?? A.setresuid.euid.default, step.suid ?? A.setresuid.suid.default);
      break;
    case 'setresgid':
      ret = sys_setresgid(k, t, step.rgid ?? A.setresgid.rgid.default, step.egid ?? A.setresgid.egid.default, step.sgid ?? A.setresgid.sgid.default);
      break;
    case 'setgroups':
      ret = sys_setgroups(k, t, (step.gid ?? A.setgroups.gid.default) === ID_UNCHANGED ? [] : [step.gid!]);
      break;
    case 'drop_caps':
      ret = drop_caps(k, t, capsFromNames(step.drop));
      break;
    case 'keepcaps':
      ret = prctl_set_keepcaps(k, t, step.value);
      break;
    // issue 11 language v2: BPF objects (model/pin.ts, model/link.ts)
    case 'obj_pin':
    case 'obj_get': {
      const pin = step.op === 'obj_pin';
      ret = sys_bpf(k, t, {
        cmd: pin ? BPF_OBJ_PIN : BPF_OBJ_GET,
        attr: {
          pathname: step.path,
          bpf_fd: pin ? fdOf(st, t, step.fd) : 0,
          file_flags: (step.file_flags ?? 0) | BPF_F_PATH_FD,
          path_fd: fdOf(st, t, step.dirfd),
        },
        size: step.size ?? A.obj_pin.size.default,
        tailByte: tailOf(step.tail_byte),
      }).ret;
      break;
    }
    case 'prog_attach':
    case 'prog_detach':
    case 'link_create': {
      const cmd = step.op === 'prog_attach' ? BPF_PROG_ATTACH : step.op === 'prog_detach' ? BPF_PROG_DETACH : BPF_LINK_CREATE;
      ret = sys_bpf(k, t, {
        cmd,
        attr: {
          target_fd: CGROUP_TARGET_FD,
          attach_bpf_fd: step.prog === undefined ? 0 : fdOf(st, t, step.prog),
          attach_type: step.attach_type,
          attach_flags: step.op === 'prog_attach' ? (step.attach_flags ?? 0) : 0,
        },
        size: step.size ?? A.prog_attach.size.default,
        tailByte: tailOf(step.tail_byte),
      }).ret;
      break;
    }
    case 'rlimit_nofile': {
      // do_prlimit(): nr_open bound, raising the hard limit needs CAP_SYS_RESOURCE
      if (step.limit > 1048576) ret = -EPERM;
      else if (step.limit > t.files.nofileHard && !k.capable(t.cred, CAP_SYS_RESOURCE)) ret = -EPERM;
      else {
        t.files.nofileSoft = step.limit;
        t.files.nofileHard = step.limit;
        ret = 0;
      }
      break;
    }
  }
  if (ret >= 0 && RETURNS_FD.has(step.op)) bind(st, t, step.as, ret);
  return { ret: retName(ret) };
}

/** ksys_dup3() / dup2() */
function dup2(k: Kernel, t: Task, oldfd: number, newfd: number): number {
  if (oldfd === newfd) return fdgetRaw(t.files, oldfd) ? oldfd : -EBADF;
  if (newfd >= t.files.nofileSoft) return -EBADF;
  const f = fdgetRaw(t.files, oldfd);
  if (!f) return -EBADF;
  const old = fdgetRaw(t.files, newfd);
  installFd(t.files, newfd, f);
  if (old) fput(k, old);
  return newfd;
}

export interface ScenarioRun {
  results: StepResult[];
  state: ModelState;
}

/** Runs every step of a scenario on the model. */
export function runScenario(s: Scenario, opts: RunOptions = {}): ScenarioRun {
  const profile = profileOf(s, opts.profile);
  const st = setupScenario(s, profile);
  opts.setup?.(st);
  const results: StepResult[] = [];
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i]!;
    const r = performStep(st, step);
    results.push(r);
    opts.onStep?.(st, step, i, r);
  }
  return { results, state: st };
}
