// Runs a scenario on the model with a visitor before and after each step;
// the first violation a visitor reports ends the walk. Counterfactuals run a
// (possibly modified) step on a copy of the state before it.

import type { Scenario, Step, StepResult } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import { type ModelState, endsBeforeLsm, handleFile, lsmAction, performStep, setupScenario } from '../model/run.ts';
import type { BpfToken } from '../model/token.ts';
import type { File } from '../model/vfs.ts';
import type { Task } from '../model/kernel.ts';
import { cloneDeep } from './clone.ts';
import type { Violation } from './types.ts';

export interface Visitor {
  /** `ahead`: the result the step is about to have, when it is known without
   *  running it (resultsAhead), else null: `ahead ?? counterfactual(st, step)` */
  before?(st: ModelState, step: Step, i: number, ahead: StepResult | null): Violation | null;
  after?(st: ModelState, step: Step, i: number, r: StepResult): Violation | null;
}

/** A step's own LSM administration (`lsm`: a policy reload, a BPF-LSM
 *  program) runs right before its syscall (model/run.ts performStep). The walk
 *  runs it first, so that `before` sees the policy and the programs in force
 *  at the syscall, and hands the visitors the step without it: a
 *  counterfactual of the step then re-runs only the syscall. */
export function walk(s: Scenario, profile: Profile, v: Visitor): Violation | null {
  if (collecting) {
    collecting(s, v);
    return null;
  }
  const st = setupScenario(s, profile);
  const ahead = new Ahead(s, profile);
  for (let i = 0; i < s.steps.length; i++) {
    epoch++;
    const step = syscallOf(st, s.steps[i]!);
    const b = v.before?.(st, step, i, ahead.at(i));
    if (b) return b;
    const r = performStep(st, step);
    ahead.saw(i, r);
    const a = v.after?.(st, step, i, r);
    if (a) return a;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Results ahead (issue 13). A generated case comes with the model's result of
// every step (generators/compile.ts runs the model while it compiles, the
// same run as runScenario's: generators/generators.test.ts). A visitor that
// needs the result of the step it is about to see (the step as it runs, with
// nothing changed) gets it from there instead of running the step on a copy of
// the state: the copy is the hottest cost of a campaign. The results are
// remembered per scenario object and profile, for the steps array they were
// computed with; a walk that sees a step end otherwise than remembered stops
// using them.

interface Remembered {
  profile: Profile;
  steps: readonly Step[];
  results: readonly StepResult[];
}
const remembered = new WeakMap<Scenario, Remembered>();

/** remember the model's results of a scenario's steps under a profile (a generated case: checkProperty, checkGroup) */
export function rememberResults(s: Scenario, profile: Profile, results: readonly StepResult[]): void {
  if (results.length === s.steps.length) remembered.set(s, { profile, steps: s.steps, results });
}

/** the remembered results of the scenario's steps under this profile, if any */
export function resultsAhead(s: Scenario, profile: Profile): readonly StepResult[] | null {
  const r = remembered.get(s);
  return r && r.profile === profile && r.steps === s.steps && r.results.length === s.steps.length ? r.results : null;
}

/** the results ahead of one walk: dropped at the first step that ends otherwise */
export class Ahead {
  private results: readonly StepResult[] | null;
  constructor(s: Scenario, profile: Profile) {
    this.results = resultsAhead(s, profile);
  }
  at(i: number): StepResult | null {
    return this.results?.[i] ?? null;
  }
  saw(i: number, r: StepResult): void {
    const a = this.results?.[i];
    if (a && (a.ret !== r.ret || a.text !== r.text || (a.avc?.length ?? 0) !== (r.avc?.length ?? 0))) this.results = null;
  }
}

/** counts the steps walks have come to (walk(), checkShared()): a visitor's
 *  `before` can tell that the state is still the one another visitor saw */
let epoch = 0;
export function walkEpoch(): number {
  return epoch;
}
/** the next step of a shared walk (properties/check.ts) */
export function nextEpoch(): void {
  epoch++;
}

/** set while properties/check.ts collects the visitors of several properties
 *  to run them on one shared walk (checkGroup): walk() then hands over its
 *  visitor instead of walking */
let collecting: ((s: Scenario, v: Visitor) => void) | null = null;

/** runs `f` with every walk() in it handing its scenario and visitor to `onWalk` (and returning null) */
export function collectWalks<T>(onWalk: (s: Scenario, v: Visitor) => void, f: () => T): T {
  const outer = collecting;
  collecting = onWalk;
  try {
    return f();
  } finally {
    collecting = outer;
  }
}

/** runs the step's `lsm` actions on `st` and returns the step without them;
 *  a step that performStep() ends before its administration (a sandbox
 *  refusal, an exited actor: model/run.ts endsBeforeLsm) is returned as it is,
 *  its actions not run, as runScenario() does not run them (a walk that ran
 *  them saw another state than the run whose results it was handed ahead:
 *  issue 13, a counterexample whose minimized scenario did not fail) */
export function syscallOf(st: ModelState, step: Step): Step {
  if (!step.lsm?.length || endsBeforeLsm(st, step)) return step;
  // an in-syscall load (`at`) belongs to the syscall: it stays on the step
  const inSyscall = step.lsm.filter((a) => a.action === 'policy_load' && a.at !== undefined);
  for (const act of step.lsm) if (!inSyscall.includes(act)) lsmAction(st, act);
  const bare = { ...step };
  if (inSyscall.length) bare.lsm = inSyscall;
  else delete bare.lsm;
  return bare;
}

/** a copy of the state that shares what no step changes: the profile (the
 *  model only reads it) and the user namespaces (made at set-up, never
 *  written) */
export function cloneState(st: ModelState): ModelState {
  const memo = new Map<unknown, unknown>([[st.k.profile, st.k.profile]]);
  for (const u of st.userns.values()) memo.set(u, u);
  return cloneDeep(st, memo);
}

/** the state a walk of `s` hands to the visitors' `before` at step i (the
 *  steps before it run, and step i's own LSM administration): for a visitor
 *  that finds out after a step that it needs the state before it */
export function stateBefore(s: Scenario, profile: Profile, i: number): ModelState {
  const st = setupScenario(s, profile);
  for (let k = 0; k < i; k++) performStep(st, syscallOf(st, s.steps[k]!));
  syscallOf(st, s.steps[i]!);
  return st;
}

/** run `step` on a copy of `st`, after `mutate` has changed the copy */
export function counterfactual(st: ModelState, step: Step, mutate?: (copy: ModelState) => void): StepResult {
  const copy = cloneState(st);
  mutate?.(copy);
  return performStep(copy, step);
}

export function taskOf(st: ModelState, step: Step): Task {
  return st.tasks.get(step.actor)!;
}

/** the open file a handle names in the acting task's fd table */
export function fileOf(st: ModelState, step: Step, handle: string | undefined): File | null {
  if (handle === undefined) return null;
  return handleFile(st, taskOf(st, step), handle) ?? null;
}

export const TOKEN_OPS = new Set(['map_create', 'prog_load', 'btf_load', 'btf_get_fd_by_id']);

/** the token a token-using step passes with BPF_F_TOKEN_FD, if it names one */
export function tokenOfStep(st: ModelState, step: Step): BpfToken | null {
  if (!TOKEN_OPS.has(step.op) || !('token' in step) || step.token === undefined) return null;
  if (step.token_flag === false) return null;
  const f = fileOf(st, step, step.token);
  return f && f.obj.kind === 'token' ? f.obj.token : null;
}

/** the same step without the token (no flag, no fd) */
export function withoutToken(step: Step): Step {
  const s = { ...step } as Step & { token?: string; token_flag?: boolean };
  delete s.token;
  delete s.token_flag;
  return s;
}
