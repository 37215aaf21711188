// Decision-point coverage of the scenarios a campaign actually ran (issue 14):
// `fuzz --coverage FILE`, `oracle --coverage FILE`, `diff --coverage FILE` and
// `coverage --save FILE` all write this file; `coverage --html OUT --from FILE`
// renders it.
//
// Each scenario is replayed once on the model with recording on (the cases a
// property check runs on the model are the generated scenario, plus, for some
// properties, counterfactual runs and shrinking: only the scenario itself
// counts, once per generated case). For every decision point and every SELinux
// access decision (hook class:perm) the file keeps pass/fail counts and one
// witness: the shortest prefix of a scenario that reached it, cut at the step
// where it was decided, the failing outcome preferred. Ties go to the earliest
// case (batch, generator group, index in the batch), so merging the sections of
// several workers or shards gives the same file whatever order they arrive in.

import type { Profile } from '../model/profile.ts';
import { Coverage, findDecisionPoint } from '../model/coverage.ts';
import { runScenario } from '../model/run.ts';
import type { Scenario } from '../scenario/types.ts';

export const COVERAGE_FORMAT = 'bpftc-coverage/1';

export type Hits = Record<string, { pass: number; fail: number }>;

export interface Witness {
  /** the outcome this witness shows: 'fail' (a check failed, an access was denied) or 'pass' */
  outcome: 'pass' | 'fail';
  /** index of the step where it was decided (the last step of `scenario`) */
  step: number;
  /** batch, generator group, index in the batch: the tie-breaker */
  order: [number, number, number];
  scenario: Scenario;
}

export interface CoverageSection {
  profile: string;
  /** what produced it: 'fuzz', 'oracle', 'diff', 'coverage' */
  source: string;
  seed: number;
  /** scenarios replayed */
  scenarios: number;
  points: Hits;
  /** SELinux access decisions, "hook class:perm": pass = granted, fail = denied */
  avc: Hits;
  witnesses: Record<string, Witness>;
  avcWitnesses: Record<string, Witness>;
}

export interface CoverageFile {
  format: typeof COVERAGE_FORMAT;
  /** the command line that made it (without the program name) */
  command: string;
  sections: CoverageSection[];
}

/** a branch point (fails '-') prefers neither outcome; a check prefers its failing one */
function better(a: Witness, b: Witness | undefined, branch: boolean): boolean {
  if (!b) return true;
  if (!branch && a.outcome !== b.outcome) return a.outcome === 'fail';
  if (a.scenario.steps.length !== b.scenario.steps.length) return a.scenario.steps.length < b.scenario.steps.length;
  for (let i = 0; i < 3; i++) if (a.order[i] !== b.order[i]) return a.order[i]! < b.order[i]!;
  // the same place (sections of different campaigns merged): the text decides, so merging stays order-independent
  if (a.outcome !== b.outcome) return a.outcome === 'fail';
  return JSON.stringify(a.scenario) < JSON.stringify(b.scenario);
}

/** a Coverage that notes the first step of each outcome of each point */
class StepCoverage extends Coverage {
  step = 0;
  readonly first = new Map<string, { pass?: number; fail?: number }>();

  override record(id: string, failed: boolean): void {
    super.record(id, failed);
    const f = this.first.get(id) ?? {};
    const k = failed ? 'fail' : 'pass';
    if (f[k] === undefined) {
      f[k] = this.step;
      this.first.set(id, f);
    }
  }
}

const addHits = (into: Hits, from: Hits | Map<string, { pass: number; fail: number }>): void => {
  for (const [id, h] of from instanceof Map ? from : Object.entries(from)) {
    const m = into[id] ?? { pass: 0, fail: 0 };
    into[id] = { pass: m.pass + h.pass, fail: m.fail + h.fail };
  }
};

const sortedKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));

export class CoverageRecorder {
  readonly section: CoverageSection;

  constructor(
    private readonly profile: Profile,
    source: string,
    seed: number,
  ) {
    this.section = { profile: profile.name, source, seed, scenarios: 0, points: {}, avc: {}, witnesses: {}, avcWitnesses: {} };
  }

  /** replays `s` on the profile with recording on */
  add(s: Scenario, order: [number, number, number]): void {
    const cov = new StepCoverage();
    const avcFirst = new Map<string, { pass?: number; fail?: number }>();
    const avc = new Map<string, { pass: number; fail: number }>();
    runScenario(s, {
      profile: this.profile,
      setup: (st) => void (st.k.cov = cov),
      onStep: (_st, _step, i, r) => {
        cov.step = i + 1;
        for (const a of r.avc ?? []) {
          const key = `${a.hook} ${a.tclass}:${a.perm}`;
          const h = avc.get(key) ?? { pass: 0, fail: 0 };
          const k = a.granted ? 'pass' : 'fail';
          h[k]++;
          avc.set(key, h);
          const f = avcFirst.get(key) ?? {};
          if (f[k] === undefined) f[k] = i;
          avcFirst.set(key, f);
        }
      },
    });
    this.section.scenarios++;
    addHits(this.section.points, cov.hits);
    addHits(this.section.avc, avc);
    const offer = (into: Record<string, Witness>, id: string, f: { pass?: number; fail?: number }, branch: boolean): void => {
      for (const outcome of ['fail', 'pass'] as const) {
        const step = f[outcome];
        if (step === undefined) continue;
        // the model is deterministic: a prefix decides its last step as the whole scenario did
        const len = Math.min(step + 1, s.steps.length);
        const cand: Witness = { outcome, step: len - 1, order, scenario: { ...s, steps: s.steps.slice(0, len) } };
        if (!better(cand, into[id], branch)) continue;
        into[id] = cand;
      }
    };
    for (const [id, f] of cov.first) offer(this.section.witnesses, id, f, findDecisionPoint(id)?.fails === '-');
    for (const [id, f] of avcFirst) offer(this.section.avcWitnesses, id, f, false);
  }
}

/** sums counts and keeps the better witness of each point: order-independent */
export function mergeSections(a: CoverageSection, b: CoverageSection): CoverageSection {
  const out: CoverageSection = {
    ...a,
    scenarios: a.scenarios + b.scenarios,
    points: { ...a.points },
    avc: { ...a.avc },
    witnesses: { ...a.witnesses },
    avcWitnesses: { ...a.avcWitnesses },
  };
  addHits(out.points, b.points);
  addHits(out.avc, b.avc);
  for (const [id, w] of Object.entries(b.witnesses))
    if (better(w, out.witnesses[id], findDecisionPoint(id)?.fails === '-')) out.witnesses[id] = w;
  for (const [id, w] of Object.entries(b.avcWitnesses)) if (better(w, out.avcWitnesses[id], false)) out.avcWitnesses[id] = w;
  return out;
}

/** the section in a canonical key order (byte-identical files for equal contents) */
export function canonicalSection(s: CoverageSection): CoverageSection {
  return { ...s, points: sortedKeys(s.points), avc: sortedKeys(s.avc), witnesses: sortedKeys(s.witnesses), avcWitnesses: sortedKeys(s.avcWitnesses) };
}

export function coverageFile(command: string, sections: CoverageSection[]): CoverageFile {
  return { format: COVERAGE_FORMAT, command, sections: sections.map(canonicalSection) };
}
