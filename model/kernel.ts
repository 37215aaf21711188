// The model's kernel state: namespaces, tasks, object registries, and the
// small kernel services every layer uses (capability tests, fd installation,
// file release). Pure and deterministic.

import { type Cred, type UserNamespace, cap_capable, capCapableRule, makeInitUserNs } from './userns.ts';
import { SecurityStack } from './lsm.ts';
import type { Coverage, DecisionPointId } from './coverage.ts';
import type { Profile } from './profile.ts';
import { type File, type FileObj, type MntNamespace, type Path, type SuperBlock, allocFd, installFd } from './vfs.ts';
import { bpf_token_put } from './token.ts';
import type { Btf } from './syscall.ts';
import type { ModelFns } from './include/fns.ts';
import type { Task } from './include/linux/sched.ts';
export type { Task };


export interface Sysctl {
  unprivileged_bpf_disabled: 0 | 1 | 2;
}

export class Kernel {
  readonly profile: Profile;
  readonly security = new SecurityStack();
  /** the replaceable functions (model/include/fns.ts): the model's own, then
   *  the profile's `replace` entries (mutants/) */
  readonly fn: ModelFns;
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
  /** `current`: the task whose syscall is running (set by run.ts performStep);
   *  LSM hooks read current_sid() from its cred */
  current: Task | null = null;
  /** another thread's fd-table operation to run at the next preemption point
   *  (scenario steps' `race`), or null */
  preempt: (() => void) | null = null;
  private ids = 1;
  private objIds = { map: 0, prog: 0, btf: 0 };

  constructor(profile: Profile, sysctl: Sysctl, fn: ModelFns) {
    this.profile = profile;
    this.sysctl = sysctl;
    this.fn = fn;
    this.security.fn = fn;
    this.security.refusalCallerFreesOnly = profile.token.lsmRefusalCallerFreesOnly === true;
    this.initMntNs = { id: this.nextId(), user_ns: this.initUserNs, anon: false };
    this.deadNs = { id: this.nextId(), user_ns: this.initUserNs, anon: false };
    this.devSb = {
      id: this.nextId(),
      fsType: 'devtmpfs',
      s_user_ns: this.initUserNs,
      s_fs_info: null,
      s_root: null as unknown as SuperBlock['s_root'],
      flags: { ro: false, sync: false, dirsync: false, mand: false, lazytime: false },
      nextIno: 1,
      s_remove_count: 0,
    };
    this.nullFile = { id: this.nextId(), obj: { kind: 'null' }, path: null, opath: false, refs: 0 };
  }

  /** a point between the kernel's own fd lookup and an LSM hook where another
   *  thread sharing the fd table may run (the hook re-reading an fd number
   *  from attr sees the table as it is then) */
  preemptionPoint(): void {
    const p = this.preempt;
    this.preempt = null;
    p?.();
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
    const fd = allocFd(t.files);
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

  /** ->release() of the last reference */
  release(f: File): void {
    const o = f.obj;
    switch (o.kind) {
      case 'token':
        // the unlinked token inode is evicted: the superblock's s_remove_count drops
        f.path!.dentry.sb.s_remove_count--;
        bpf_token_put(this, o.token);
        break;
      case 'map':
        this.security.bpfMapFree(o.map);
        break;
      case 'prog':
        bpf_token_put(this, o.prog.aux_token);
        this.security.bpfProgFree(o.prog);
        break;
      case 'btf':
        this.btfPut(o.btf);
        break;
      case 'path': {
        // dissolve_on_fput(): a mount still alone in its anonymous namespace is
        // unmounted; files still open on it keep a mount that is in no namespace
        const m = f.path!.mnt;
        if (f.needUnmount && m.mnt_ns.anon && !m.hasParent) m.mnt_ns = this.deadNs;
        break;
      }
      default:
        break;
    }
  }

  /** btf_put(): the last reference frees the id */
  btfPut(btf: Btf): void {
    btf.refcnt--;
    if (btf.refcnt === 0) this.btfs.delete(btf.id);
  }
}
