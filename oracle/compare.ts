// Model vs kernel: runs a scenario on the reference model (model/run.ts) and
// on the real kernel (oracle/driver.ts), compares step by step, and keeps a
// coverage table of the results each op produced on each side.

import type { Op, Scenario, Step, StepResult } from '../scenario/types.ts';
import { handleFile, runScenario, type ModelState } from '../model/run.ts';
import type { Profile } from '../model/profile.ts';
import type { KernelRun } from './driver.ts';
import { REFUSED } from '../scenario/sandbox.ts';

export interface StepDisagreement {
  index: number;
  step: Step;
  model: StepResult;
  /** undefined: the kernel produced no result for this step */
  kernel: StepResult | undefined;
  /** what differs */
  what: 'ret' | 'text' | 'missing' | 'avc' | 'load';
}

export type Comparison =
  | { kind: 'agree'; model: StepResult[]; kernel: StepResult[] }
  | {
      kind: 'disagree';
      first: StepDisagreement;
      model: StepResult[];
      kernel: StepResult[];
      kernelError?: string;
      /** SELinux (vm/selinux-oracle.ts): per step, the AVC decisions and policy loads that differ, one line each */
      lsmDiff?: string[][];
    }
  /** the kernel run ended early (set-up error, protocol error, a limit,
   *  timeout); the prefix it produced agrees with the model. A REFUSED step
   *  does not end a run: it is a step result like any other. */
  | { kind: 'error'; error: string; timedOut: boolean; model: StepResult[]; kernel: StepResult[] };

/** Runs the model on `s` and records, per step, whether an obj_get_info fd is a token in the model. */
export function runModel(s: Scenario, profile?: Profile): { results: StepResult[]; tokenInfo: boolean[] } {
  const tokenInfo: boolean[] = [];
  const { results } = runScenario(s, {
    ...(profile ? { profile } : {}),
    onStep: (st: ModelState, step: Step, i: number) => {
      if (step.op !== 'obj_get_info') return;
      const t = st.tasks.get(step.actor);
      const f = t ? handleFile(st, t, step.fd) : undefined;
      tokenInfo[i] = f?.obj.kind === 'token';
    },
  });
  return { results, tokenInfo };
}

/** Compares model results with a kernel run: ret always; text where both have
 *  text, and for obj_get_info only when the fd is a token in the model; for a
 *  REFUSED step (oracle/SANDBOX.md) always the reason. */
export function compareRuns(s: Scenario, model: { results: StepResult[]; tokenInfo: boolean[] }, kernel: KernelRun): Comparison {
  const m = model.results;
  const k = kernel.results;
  for (let i = 0; i < s.steps.length; i++) {
    const kr = k[i];
    const mr = m[i]!;
    const step = s.steps[i]!;
    if (kr === undefined) {
      if (kernel.error !== undefined) break;
      return { kind: 'disagree', first: { index: i, step, model: mr, kernel: kr, what: 'missing' }, model: m, kernel: k };
    }
    let what: 'ret' | 'text' | null = null;
    if (mr.ret !== kr.ret) what = 'ret';
    else if (mr.ret === REFUSED && mr.text !== kr.text) what = 'text'; // the refusal reasons must agree too
    else if (mr.text !== undefined && kr.text !== undefined && mr.text !== kr.text) {
      if (step.op !== 'obj_get_info' || model.tokenInfo[i]) what = 'text';
    }
    if (what) {
      const d: Comparison = { kind: 'disagree', first: { index: i, step, model: mr, kernel: kr, what }, model: m, kernel: k };
      return kernel.error !== undefined ? { ...d, kernelError: kernel.error } : d;
    }
  }
  if (kernel.error !== undefined) return { kind: 'error', error: kernel.error, timedOut: kernel.timedOut ?? false, model: m, kernel: k };
  return { kind: 'agree', model: m, kernel: k };
}

/** Runs the model on `s` and compares it with a kernel run of the same scenario. */
export function compareWithKernel(s: Scenario, kernel: KernelRun): Comparison {
  return compareRuns(s, runModel(s), kernel);
}

// ---------------------------------------------------------------- coverage

export interface OpCoverage {
  kernel: Map<string, number>;
  model: Map<string, number>;
}

export type CoverageTable = Map<Op, OpCoverage>;

export function newCoverage(): CoverageTable {
  return new Map();
}

function bump(m: Map<string, number>, r: string): void {
  m.set(r, (m.get(r) ?? 0) + 1);
}

/** Adds the results of one compared scenario to the table. */
export function addCoverage(cov: CoverageTable, s: Scenario, c: Comparison): void {
  s.steps.forEach((st, i) => {
    let e = cov.get(st.op);
    if (!e) {
      e = { kernel: new Map(), model: new Map() };
      cov.set(st.op, e);
    }
    const mr = c.model[i];
    const kr = c.kernel[i];
    if (kr) bump(e.kernel, kr.ret);
    if (mr && (kr || c.kind !== 'error')) bump(e.model, mr.ret);
  });
}

export function mergeCoverage(into: CoverageTable, from: CoverageTable): void {
  for (const [op, e] of from) {
    let d = into.get(op);
    if (!d) {
      d = { kernel: new Map(), model: new Map() };
      into.set(op, d);
    }
    for (const [r, n] of e.kernel) d.kernel.set(r, (d.kernel.get(r) ?? 0) + n);
    for (const [r, n] of e.model) d.model.set(r, (d.model.get(r) ?? 0) + n);
  }
}

const order = (a: string, b: string): number => (a === 'ok' ? -1 : b === 'ok' ? 1 : a.localeCompare(b));

/** One line per op: each result with its kernel and model counts; results
 *  seen on one side only are marked (K = kernel only, M = model only). */
export function formatCoverageTable(cov: CoverageTable): string {
  const ops = [...cov.keys()].sort();
  const lines: string[] = [];
  const w = Math.max(4, ...ops.map((o) => o.length));
  lines.push(`${'op'.padEnd(w)}  results (kernel/model)`);
  for (const op of ops) {
    const e = cov.get(op)!;
    const rs = [...new Set([...e.kernel.keys(), ...e.model.keys()])].sort(order);
    const cells = rs.map((r) => {
      const k = e.kernel.get(r) ?? 0;
      const m = e.model.get(r) ?? 0;
      const mark = k && !m ? ' K' : m && !k ? ' M' : '';
      return `${r} ${k}/${m}${mark}`;
    });
    lines.push(`${op.padEnd(w)}  ${cells.join(', ')}`);
  }
  return lines.join('\n');
}
