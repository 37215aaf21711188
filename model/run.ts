// Runs a scenario (the one trace format) on the model: builds the namespaces
// and actors of its set-up, then performs each step as the syscalls the
// executor makes on a real kernel (oracle/PROTOCOL.md), and records results.

import type { LsmAction, Scenario, Step, StepResult } from '../scenario/types.ts';
import { OPS, type OpName } from '../scenario/ops.ts';
import { type RefusalReason, REASON, checkedFdArg, refused, staticRefusal, stepPath } from '../scenario/sandbox.ts';
import { Kernel, type Task } from './kernel.ts';
import { kernelTables } from './fns.ts';
import { type Profile, DEFAULT_PROFILE, findProfile } from './profile.ts';
import { type Cred, type UserNamespace } from './userns.ts';
import { capsFromNames } from './caps.ts';
import { EINVAL, ENOENT, EOPNOTSUPP, EPERM, ESRCH, MAX_ERRNO, errnoByName, retName } from './errno.ts';
import { type MntNamespace, fdgetRaw, newFiles, newRlimit } from './vfs.ts';
import { bpfLsmOf, installLsms, selinuxOf } from './lsm/index.ts';
import { NO_AT, NO_AVC, NO_WORK } from './lsm.ts';
import type { BpfLsmHook } from './lsm/bpf_lsm.ts';
import { type ModelState, type StepFn, type StepTable, bind, fdOf } from './step.ts';
import { FS_CONTEXT_STEPS } from './fs_context.ts';
import { NAMESPACE_STEPS } from './namespace.ts';
import { NAMEI_STEPS } from './namei.ts';
import { MOUNTLIFE_STEPS } from './mountlife.ts';
import { TMPFS_STEPS } from './tmpfs.ts';
import { FILE_STEPS } from './vfs.ts';
import { TOKEN_STEPS } from './token.ts';
import { BPF_STEPS } from './syscall.ts';
import { CRED_STEPS } from './cred.ts';
import { PROCS_STEPS } from './procs.ts';

export type { HandleRef, ModelState } from './step.ts';
export { handleFile, refIn } from './step.ts';
export { BAD_FD } from './step.ts';

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
    if (a.fork_of) {
      const t = unbornTask(a.name, cred, tasks.get(a.fork_of)!);
      mntns.set(a.name, t.mntns);
      tasks.set(a.name, t);
      continue;
    }
    const owner = a.thread_of ? tasks.get(a.thread_of)! : undefined;
    const files = owner ? owner.files : newFiles(k.nullFile);
    const rlim = owner ? owner.rlim : newRlimit();
    let m: MntNamespace;
    const which = a.mntns ?? 'own';
    if (owner) m = owner.mntns;
    else if (which === 'own') m = { id: k.nextId(), user_ns: ns, anon: false };
    else if (which === 'init') m = k.initMntNs;
    else m = tasks.get(which)!.mntns;
    mntns.set(a.name, m);
    tasks.set(a.name, { name: a.name, cred, files, rlim, mntns: m });
  }
  installLsms(k, s, tasks);
  return { k, tasks, userns, handles: new Map() };
}

/** a fork_of actor before its fork step (model/procs.ts kernel_clone() makes it): it does
 *  not exist, as an exited actor; what it holds now is replaced at the fork */
function unbornTask(name: string, cred: Cred, parent: Task): Task {
  return { name, cred, files: { fds: [] }, rlim: { nofileSoft: 0, nofileHard: 0 }, mntns: parent.mntns, dead: true };
}

/** a fork_of actor declared during a run (the generator's fork command, generators/procs.ts) */
export function declareForkChild(st: ModelState, name: string, parent: string): void {
  const p = st.tasks.get(parent)!;
  st.tasks.set(name, unbornTask(name, p.cred, p));
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
  const outerCurrent = k.current;
  const outerAvc = k.security.avc;
  k.current = st.tasks.get(step.actor)!;
  k.security.avc = NO_AVC;
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
  k.security.atHook = NO_AT;
  const outerWork = k.security.afterReturn;
  const outerReturned = k.security.returned;
  k.security.afterReturn = NO_WORK;
  k.security.returned = false;
  if (step.lsm)
    for (const act of step.lsm) {
      // an in-syscall load (`at`) waits for its hook point (SecurityStack.atHook)
      if (act.action === 'policy_load' && act.at !== undefined) k.security.queueAtHook({ hook: act.at, run: () => void lsmAction(st, act) });
      else lsmAction(st, act);
    }
  let r: StepResult;
  try {
    r = performSyscalls(st, step);
  } finally {
    k.preempt = null;
    // a hook point the syscall never reached: the load completes after it returns
    const late = k.security.atHook;
    k.security.atHook = NO_AT;
    for (const a of late) a.run();
    k.security.atHook = outerAt;
    // work an LSM queued for after the syscall returned (a late integrity verdict)
    const work = k.security.afterReturn;
    k.security.afterReturn = NO_WORK;
    k.security.returned = true;
    for (const w of work) w();
    k.security.afterReturn = outerWork;
    k.security.returned = outerReturned;
  }
  const avc = k.security.avc;
  k.current = outerCurrent;
  k.security.avc = outerAvc;
  if (!avc.length) return r;
  // one shape, not a spread of r's (a megamorphic copy: 1.4% of a v7 campaign); a
  // result is ret, text and avc (scenario/types.ts StepResult), in that order
  return r.text === undefined ? { ret: r.ret, avc } : { ret: r.ret, text: r.text, avc };
}

/** The sandbox's static rules (scenario/sandbox.ts), recorded as the
 *  staticRefusal/* decision points of model/coverage.ts. */
function sandboxCheck(k: Kernel, step: Step): RefusalReason | null {
  const why = staticRefusal(step);
  const id =
    step.op === 'fsopen' ? 'staticRefusal/fs_type' : step.op === 'rlimit_nofile' ? 'staticRefusal/rlimit' : stepPath(step) !== undefined ? 'staticRefusal/path' : null;
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

/** Whether the verifier loads a BPF-LSM program returning `ret`: check_return_code()
 *  with bpf_lsm_get_retval_range() (profile knob bpfLsmRetvalRange) refuses one
 *  outside [-MAX_ERRNO, 0] with -EINVAL, and nothing is attached (none of the
 *  model's hooks is a bool hook). The VM oracle asks the guest's verifier the same. */
export function bpfLsmRetLoads(profile: Profile, ret: number): boolean {
  return !(profile.token.bpfLsmRetvalRange && (ret > 0 || ret < -MAX_ERRNO));
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
    if (!bpfLsmRetLoads(k.profile, ret)) return -EINVAL;
    b.progs.push({ hook: act.hook as BpfLsmHook, task: act.task, ret });
    return 0;
  } finally {
    k.current = outer;
  }
}

/** every op's step, from the layer that performs it (model/step.ts); the
 *  type makes the compiler refuse an op of scenario/ops.ts without one */
const STEPS: StepTable<OpName> = {
  ...FS_CONTEXT_STEPS,
  ...NAMESPACE_STEPS,
  ...NAMEI_STEPS,
  ...MOUNTLIFE_STEPS,
  ...TMPFS_STEPS,
  ...FILE_STEPS,
  ...TOKEN_STEPS,
  ...BPF_STEPS,
  ...CRED_STEPS,
  ...PROCS_STEPS,
};
/** the layers' tables, for the test that no op is in two of them */
export const STEP_TABLES = [FS_CONTEXT_STEPS, NAMESPACE_STEPS, NAMEI_STEPS, MOUNTLIFE_STEPS, TMPFS_STEPS, FILE_STEPS, TOKEN_STEPS, BPF_STEPS, CRED_STEPS, PROCS_STEPS] as const;

function performSyscalls(st: ModelState, step: Step): StepResult {
  const t = st.tasks.get(step.actor)!;
  const r = (STEPS[step.op] as StepFn<OpName>)(st, t, step as never);
  if (typeof r !== 'number') return r;
  if (r >= 0 && OPS[step.op].returnsFd) bind(st, t, step.as, r);
  return resultOf(r);
}

/** the result of a step that returned r: one frozen object per return value, shared
 *  (a result is never changed after the step: performStep() makes a new one to add
 *  AVC records), not one per step (issue 13: allocations of a model replay) */
const RESULTS = new Map<number, StepResult>();
function resultOf(r: number): StepResult {
  const key = r >= 0 ? 0 : r;
  let res = RESULTS.get(key);
  if (res === undefined) {
    res = Object.freeze({ ret: retName(key) });
    if (RESULTS.size < 8192) RESULTS.set(key, res);
  }
  return res;
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
