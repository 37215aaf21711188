// The model's kernel state: namespaces, tasks, object registries, and the
// small kernel services every layer uses (capability tests, fd installation,
// file release). Pure and deterministic.
//
// Layout (model/README in the project README, "Model layout"): the struct
// types are in model/include/linux/ (bpf.h, fs.h, file, fs_context.h,
// sched.h, security.h, lsm_hook_defs.h); this module declares the kernel and
// the operation tables through which it reaches behaviour the way the kernel
// does (struct file_operations, struct file_system_type / fs_context_operations)
// plus the table of replaceable model functions (ModelFns, for mutants/). The
// tables are filled by model/fns.ts and handed to the Kernel by model/run.ts,
// so no module below imports the modules that implement them: model/ has no
// import cycle (model/imports.test.ts).

import { type Cred, type UserNamespace, cap_capable, capCapableRule, makeInitUserNs } from './userns.ts';
import { SecurityStack } from './lsm.ts';
import type { Coverage, DecisionPointId } from './include/decision.ts';
import type { Profile } from './profile.ts';
import { allocFd, installFd } from './file.ts';
import { alloc_super } from './super.ts';
import type { File, FileObj } from './include/linux/file.ts';
import type { MntNamespace, Path, SuperBlock } from './include/linux/fs.ts';
import type { BpfProg, BpfToken, Btf, CgroupBpf, ProgLoadFault } from './include/linux/bpf.ts';
import type { VerdictSlot } from './include/linux/security.ts';
import type { FsContext, FsParameter } from './include/linux/fs_context.ts';
import type { Task } from './include/linux/sched.ts';
import type { DelegateEnum } from './enums.ts';
import type { SecurityFns } from './lsm.ts';
import type { Policy } from './lsm/policy.ts';
export type { Task };

/** the functions with a `<fn>/token_allowed` decision point (model/coverage.ts) */
export type TokenSite = DecisionPointId extends infer D ? (D extends `${infer S}/token_allowed` ? S : never) : never;

/** The model's replaceable functions: one named kernel function (or one
 *  inline statement of one, named after it) per entry, called through
 *  `k.fn`. model/fns.ts has the model's own; a profile's `replace` entries
 *  (mutants/index.ts) swap one from outside, so no mutant branch lives in
 *  model/. Real version differences are profile data, not here. */
export interface ModelFns extends SecurityFns {
  /** bpf_token_capable() (kernel/bpf/token.c) */
  bpf_token_capable(k: Kernel, t: Task, token: BpfToken | null, cap: number): boolean;
  /** bpf_token_allow_prog_type() (kernel/bpf/token.c) */
  bpf_token_allow_prog_type(k: Kernel, token: BpfToken | null, prog: number, attach: number): boolean;
  /** seq_print_delegate_opts() (kernel/bpf/inode.c): the names of the set bits */
  seq_print_delegate_opts(profile: Profile, e: DelegateEnum, msk: bigint): string;
  /** the `bpf_token_put(token); token = NULL;` of map_create(), bpf_prog_load(),
   *  bpf_btf_load() and bpf_btf_get_fd_by_id() (kernel/bpf/syscall.c) when the
   *  token does not allow the request: the token the function goes on with */
  bpf_token_drop(k: Kernel, site: TokenSite, token: BpfToken): BpfToken | null;
  /** bpf_prog_load()'s `bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS` (kernel/bpf/syscall.c) */
  bpf_prog_insn_limit(bpfCap: boolean): number;
  /** bpf_prog_attach_check_attach_type() (kernel/bpf/syscall.c): 0 or -errno;
   *  `t` is the attaching task */
  bpf_prog_attach_check_attach_type(k: Kernel, t: Task, prog: BpfProg, attachType: number): number;
  /** the SELinux policy a hook reads (`selinux_state.policy` at the check,
   *  security/selinux/ss/services.c) given the one loaded now */
  selinux_policy(k: Kernel, policy: Policy | null, hook: string): Policy | null;
  /** copy_from_bpfptr() (include/linux/bpfptr.h -> copy_from_user()): copies
   *  `size` bytes into `dst` (dst.copied: how many arrived) and returns the
   *  number of bytes NOT copied (0: all); `fault` is the scenario's injected fault */
  copy_from_bpfptr(dst: { copied: number }, size: number, fault: ProgLoadFault | undefined): number;
  /** an integrity consumer's slice of prog->aux->security where it keeps the
   *  verdict (zeroed by lsm_bpf_prog_alloc(): NONE), or null with no blob */
  integrity_verdict_slot(s: SecurityStack, lsm: string, prog: BpfProg): VerdictSlot | null;
  /** cred_has_capability() (security/selinux/hooks.c, 7.3.4 :1650-1683): the
   *  SELinux self check of a capable() call, its audit data LSM_AUDIT_DATA_CAP
   *  with ad.u.cap = cap (:1660-1661); `se` is the SELinux instance */
  cred_has_capability(se: SelinuxCapCheck, cred: Cred, cap: number, opts: number, initns: boolean): number;
}

/** what cred_has_capability() uses of the SELinux instance: cred_sid() and
 *  avc_has_perm_noaudit() + avc_audit() (`cap`: ad.u.cap of LSM_AUDIT_DATA_CAP
 *  audit data; absent: the caller passed no audit data) */
export interface SelinuxCapCheck {
  credSid(cred: Cred): number;
  avcHasPerm(ssid: number, tsid: number, tclass: string, perm: string, cap?: number): number;
}

/** struct file_operations (include/linux/fs.h): what the kernel calls on a
 *  file of this kind (bpf_token_fops, bpf_map_fops, bpf_prog_fops, btf_fops) */
export interface FileOperations {
  /** ->release(): the last fput() */
  release?(k: Kernel, f: File): void;
  /** ->show_fdinfo(): /proc/<pid>/fdinfo/<fd> */
  show_fdinfo?(k: Kernel, f: File): string;
}

/** struct fs_context_operations (include/linux/fs_context.h), as the
 *  filesystem's init_fs_context sets fc->ops (bpffs: bpf_context_ops) */
export interface FsContextOperations {
  parse_param(k: Kernel, cred: Cred, fc: FsContext, param: FsParameter): number;
  get_tree(k: Kernel, t: Task, fc: FsContext): number;
}

/** struct file_system_type (include/linux/fs.h) of register_filesystem() */
export interface FileSystemType {
  name: string;
  /** ->init_fs_context() */
  init_fs_context(cred: Cred, fc: FsContext): void;
  /** the fc->ops its init_fs_context installs */
  context_ops: FsContextOperations;
}

/** the tables a kernel is built with (model/fns.ts kernelTables()) */
export interface KernelTables {
  fn: ModelFns;
  /** f_op by the kind of file */
  fops: Partial<Record<FileObj['kind'], FileOperations>>;
  /** register_filesystem(): by name */
  filesystems: Readonly<Record<string, FileSystemType>>;
}


export interface Sysctl {
  unprivileged_bpf_disabled: 0 | 1 | 2;
}

/** where a `race` runs (scenario/types.ts RaceDecl `at`): 'hook' between the
 *  kernel's own fd lookup and the LSM hook; 'fd_array' right before the
 *  verifier reads attr->fd_array (process_fd_array()) */
export type PreemptAt = 'hook' | 'fd_array';

export class Kernel {
  readonly profile: Profile;
  readonly security = new SecurityStack();
  /** the replaceable functions: the model's own, then the profile's
   *  `replace` entries (mutants/) */
  readonly fn: ModelFns;
  /** f_op of each kind of file */
  readonly fops: KernelTables['fops'];
  /** the registered filesystems (get_fs_type()) */
  readonly filesystems: KernelTables['filesystems'];
  /** spec coverage of this run (null: not recorded) */
  cov: Coverage | null = null;
  sysctl: Sysctl;
  readonly initUserNs: UserNamespace = makeInitUserNs();
  readonly initMntNs: MntNamespace;
  /** where dissolved mounts end up: no task's namespace, not anonymous */
  readonly deadNs: MntNamespace;
  /** /dev/null: what fds 0, 1, 2 of every actor refer to */
  readonly nullFile: File;
  readonly devSb: SuperBlock;
  readonly btfs = new Map<number, Btf>();
  /** cgrp->bpf of the scenario's cgroup (the executor's attach target, CG_FD; model/link.ts):
   *  a field of the state, so that a copy of the state (properties/walk.ts) copies it too */
  readonly cgrp_bpf: CgroupBpf = { progs: new Map(), flags: new Map() };
  /** `current`: the task whose syscall is running (set by run.ts performStep);
   *  LSM hooks read current_sid() from its cred */
  current: Task | null = null;
  /** another thread's fd-table operation to run at the next preemption point
   *  of its kind (scenario steps' `race`, `at`), or null */
  preempt: { at: PreemptAt; run: () => void } | null = null;
  private ids = 1;
  private objIds = { map: 0, prog: 0, btf: 0 };

  constructor(profile: Profile, sysctl: Sysctl, tables: KernelTables) {
    const fn = tables.fn;
    this.fops = tables.fops;
    this.filesystems = tables.filesystems;
    this.profile = profile;
    this.sysctl = sysctl;
    this.fn = fn;
    this.security.fn = fn;
    this.security.refusalCallerFreesOnly = profile.token.lsmRefusalCallerFreesOnly === true;
    this.initMntNs = { id: this.nextId(), user_ns: this.initUserNs, anon: false };
    this.deadNs = { id: this.nextId(), user_ns: this.initUserNs, anon: false };
    this.devSb = alloc_super(this.nextId(), 'devtmpfs', this.initUserNs);
    this.nullFile = { id: this.nextId(), obj: { kind: 'null' }, path: null, opath: false, refs: 0 };
  }

  /** a point between the kernel's own fd lookup and an LSM hook where another
   *  thread sharing the fd table may run (the hook re-reading an fd number
   *  from attr sees the table as it is then) */
  preemptionPoint(at: PreemptAt = 'hook'): void {
    const p = this.preempt;
    if (!p || p.at !== at) return;
    this.preempt = null;
    p.run();
  }

  nextId(): number {
    return this.ids++;
  }

  /** idr_alloc_cyclic() for map/prog/btf ids: ids start at 1 */
  nextObjId(kind: 'map' | 'prog' | 'btf'): number {
    return ++this.objIds[kind];
  }

  /** a decision point (model/coverage.ts): records the outcome, returns `failed` */
  check(id: DecisionPointId, failed: boolean): boolean {
    if (this.cov) this.cov.record(id, failed);
    return failed;
  }

  /** ns_capable() -> security_capable(): the capability module (cap_capable)
   *  first, then the other LSMs' capable hooks */
  ns_capable(cred: Cred, ns: UserNamespace, cap: number): boolean {
    if (this.cov) {
      const rule = capCapableRule(cred, ns);
      this.check(`cap_capable/${rule}`, rule === 'not_ancestor' || (rule === 'own_ns' && !cap_capable(cred, ns, cap)));
    }
    if (!cap_capable(cred, ns, cap)) {
      if (this.security.trace) this.security.trace.push({ hook: 'capable', ret: -1 });
      return false;
    }
    return this.security.callInt('capable', cred, ns, cap, 0) === 0;
  }

  /** capable() = ns_capable(&init_user_ns, cap) */
  capable(cred: Cred, cap: number): boolean {
    return this.ns_capable(cred, this.initUserNs, cap);
  }

  private install(t: Task, obj: FileObj, path: Path | null, opath: boolean): number {
    const fd = allocFd(t);
    if (fd < 0) return fd;
    const f: File = { id: this.nextId(), obj, path, opath, refs: 0 };
    this.security.fileAlloc(f);
    installFd(t.files, fd, f);
    return fd;
  }

  /** anon_inode_getfd(): fs_context, map, prog and btf files */
  newAnonFd(t: Task, obj: FileObj): number {
    return this.install(t, obj, null, false);
  }

  /** a file opened on a path (dentry_open / do_filp_open) */
  newPathFd(t: Task, path: Path, opath: boolean): number {
    return this.install(t, { kind: 'path' }, path, opath);
  }

  /** the O_PATH file fsmount()/open_tree(OPEN_TREE_CLONE) return (FMODE_NEED_UNMOUNT) */
  newMountFd(t: Task, path: Path): number {
    const fd = this.install(t, { kind: 'path' }, path, true);
    if (fd >= 0) t.files.fds[fd]!.needUnmount = true;
    return fd;
  }

  /** alloc_file_pseudo() on a mount (the token file lives on its bpffs) */
  newFileFd(t: Task, obj: FileObj, path: Path, opath: boolean): number {
    return this.install(t, obj, path, opath);
  }

  /** ->release() of the last reference: the file's f_op, or for a path
   *  file the mount's dissolve_on_fput() */
  release(f: File): void {
    const op = this.fops[f.obj.kind];
    if (op?.release) {
      op.release(this, f);
      return;
    }
    if (f.obj.kind === 'path') {
      // dissolve_on_fput(): a mount still alone in its anonymous namespace is
      // unmounted; files still open on it keep a mount that is in no namespace
      const m = f.path!.mnt;
      if (f.needUnmount && m.mnt_ns.anon && !m.hasParent) m.mnt_ns = this.deadNs;
    }
  }

  /** btf_put(): the last reference frees the id */
  btfPut(btf: Btf): void {
    btf.refcnt--;
    if (btf.refcnt === 0) this.btfs.delete(btf.id);
  }
}
