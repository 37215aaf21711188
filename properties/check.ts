// Runs a property against a profile with fast-check: generated scenarios,
// shrinking, and a counterexample that replays from seed and path.

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import type { Scenario, StepResult } from '../scenario/types.ts';
import { scenarioArb } from '../generators/scenario.ts';
import type { Compiled } from '../generators/compile.ts';
import { performStep, runScenario, setupScenario } from '../model/run.ts';
import type { Property, Violation } from './types.ts';
import { Ahead, type Visitor, collectWalks, nextEpoch, rememberResults, syscallOf } from './walk.ts';
import { minimize } from './minimize.ts';

export interface CheckOptions {
  runs: number;
  seed: number;
  /** fast-check replay path of a previous failure */
  path?: string;
  maxCommands?: number;
  /** fast-check size of the command list ('large' gives sequences of ~100-200 commands) */
  size?: 'small' | 'medium' | 'large' | 'xlarge' | 'max';
  /** sees every generated case (campaign statistics: steps, outcomes);
   *  `checks`: how many properties were checked on it (checkGroup), else 1 */
  observe?: (c: Compiled, checks?: number) => void;
  /**
   * asked before each new generated case: true ends the check there, as passed
   * so far (a campaign's deadline, a stop request). Never asked while a failure
   * is being shrunk, so a counterexample found is always shrunk to the end
   * (unless `shrinkStop` says otherwise).
   */
  interrupt?: () => boolean;
  /**
   * asked while a failure is shrunk and minimized: true keeps the smallest
   * failing case found so far (a --time campaign past its budget, issue 13:
   * it stops within 5% of the budget). Without it a failure is shrunk to the
   * end, so a fixed-run campaign's counterexample does not depend on time.
   */
  shrinkStop?: () => boolean;
  /**
   * a campaign of several workers (campaign/board.ts): true once another worker's
   * lower batch failed this property, so that this check's result for it cannot
   * be the campaign's. The property is checked no further (no more cases, no more
   * shrinking) and its result is `abandoned`.
   */
  abandon?: (property: string) => boolean;
  /** told of a property's first failure in this check, before it is shrunk (campaign/board.ts) */
  failed?: (property: string) => void;
}

export interface Counterexample {
  property: string;
  profile: string;
  seed: number;
  path: string;
  scenario: Scenario;
  results: StepResult[];
  violation: Violation;
  shrinks: number;
}

/** `abandoned`: CheckOptions.abandon stopped it (it says nothing: another worker's lower batch failed it) */
export type CheckResult = { ok: true; runs: number; abandoned?: true } | { ok: false; runs: number; counterexample: Counterexample };

/** a property that stops the run (fast-check's interruption, as with its time
 *  limits) once `interrupt()` is true, and, once a failure is being shrunk,
 *  rejects every further candidate once `shrinkStop()` is true (the failure
 *  found so far is the counterexample) */
function interruptible<T>(p: fc.IRawProperty<T, false>, interrupt: () => boolean, shrinkStop: () => boolean = () => false, failed?: () => void): fc.IRawProperty<T, false> {
  let shrinking = false;
  return {
    isAsync: () => false,
    generate: (mrng, runId) => p.generate(mrng, runId),
    shrink: (v) => p.shrink(v),
    run: (v) => {
      if (shrinking ? shrinkStop() : interrupt()) return new fc.PreconditionFailure(true);
      const r = p.run(v);
      if (r !== null && !fc.PreconditionFailure.isFailure(r) && !shrinking) {
        shrinking = true;
        failed?.();
      }
      return r;
    },
    runBeforeEach: () => p.runBeforeEach(),
    runAfterEach: () => p.runAfterEach(),
  };
}

export function checkProperty(prop: Property, profile: Profile, o: CheckOptions): CheckResult {
  const arb = scenarioArb({ profile, maxCommands: o.maxCommands ?? 40, ...(o.size ? { size: o.size } : {}), ...prop.gen });
  const params: fc.Parameters<[Compiled]> = { numRuns: o.runs, seed: o.seed };
  if (o.path !== undefined) params.path = o.path;
  const property = fc.property(arb, (c) => {
    o.observe?.(c);
    rememberResults(c.scenario, profile, c.results);
    return prop.check(c.scenario, profile) === null;
  });
  const { abandon, failed } = o;
  const dropped = abandon ? (): boolean => abandon(prop.name) : null;
  const interrupt = dropped ? (): boolean => dropped() || (o.interrupt?.() ?? false) : o.interrupt;
  const shrinkStop = dropped ? (): boolean => dropped() || (o.shrinkStop?.() ?? false) : o.shrinkStop;
  const told = failed ? (): void => failed(prop.name) : undefined;
  const details = fc.check(interrupt || shrinkStop || told ? interruptible(property, interrupt ?? (() => false), shrinkStop, told) : property, params);
  if (dropped?.()) return { ok: true, runs: details.numRuns, abandoned: true };
  if (!details.failed) return { ok: true, runs: details.numRuns };
  if (!details.counterexample) throw new Error(`${prop.name}: fast-check failed without a counterexample`);
  const c = details.counterexample[0];
  const scenario: Scenario = { ...minimize(prop, profile, c.scenario, undefined, shrinkStop), name: `${prop.name} on ${profile.name}` };
  if (dropped?.()) return { ok: true, runs: details.numRuns, abandoned: true };
  const violation = prop.check(scenario, profile)!;
  const results = runScenario(scenario, { profile }).results;
  // label the expected results so the scenario replays as a regression test
  scenario.steps = scenario.steps.map((s, i) => ({ ...s, expect: results[i]!.ret }));
  return {
    ok: false,
    runs: details.numRuns,
    counterexample: {
      property: prop.name,
      profile: profile.name,
      seed: o.seed,
      path: details.counterexamplePath ?? '',
      scenario,
      results,
      violation,
      shrinks: details.numShrinks,
    },
  };
}

// ---------------------------------------------------------------------------
// Several properties on one execution (issue 13). Properties whose generator
// options are the same draw the same cases from the same seed, case for case
// (fast-check's case k depends only on the seed and k), so one generated case
// serves them all; and the properties that walk the scenario (properties/
// walk.ts) share one walk of it: each keeps its own visitor, dropped at its
// first violation. Properties that need runs of their own (counterfactual
// steps, another LSM order) pay for them inside their check, as before.
// A property that fails is shrunk on its own, against its own predicate, by
// replaying its first failing case (path "k"): exactly what checkProperty
// finds, shrinks and prints for that property with the same seed.

/** the generator options of a property in a canonical form: equal keys, equal generated cases */
export function generatorKey(prop: Property): string {
  const canon = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(canon(prop.gen ?? {}));
}

/** the properties grouped by generator, each group and its members in first-appearance order */
export function groupByGenerator<P extends Property>(props: readonly P[]): P[][] {
  const groups = new Map<string, P[]>();
  for (const p of props) {
    const k = generatorKey(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  return [...groups.values()];
}

function threw(e: unknown): Violation {
  return { step: -1, message: `the check threw: ${e instanceof Error ? e.message : String(e)}` };
}

function alone(prop: Property, s: Scenario, profile: Profile): Violation | null {
  try {
    return prop.check(s, profile);
  } catch (e) {
    return threw(e);
  }
}

/**
 * the verdict of each property on one scenario, as prop.check gives it, the
 * scenario walked once for every property whose check is one walk of it (a
 * check that throws fails, as it does under fast-check: a violation at step -1)
 */
export function checkShared(props: readonly Property[], s: Scenario, profile: Profile): Array<Violation | null> {
  const out: Array<Violation | null> = props.map(() => null);
  const shared: Array<{ i: number; v: Visitor }> = [];
  props.forEach((p, i) => {
    const walks: Visitor[] = [];
    let foreign = false;
    let r: Violation | null;
    try {
      r = collectWalks(
        (s2, v) => {
          if (s2 === s) walks.push(v);
          else foreign = true;
        },
        () => p.check(s, profile),
      );
    } catch (e) {
      out[i] = threw(e);
      return;
    }
    if (!foreign && walks.length === 0) out[i] = r; // decided without a walk (not applicable, or runs of its own)
    else if (!foreign && walks.length === 1 && r === null) shared.push({ i, v: walks[0]! });
    else out[i] = alone(p, s, profile); // a check that walks otherwise runs on its own
  });
  if (!shared.length) return out;
  let live = shared;
  try {
    const st = setupScenario(s, profile);
    const ahead = new Ahead(s, profile);
    for (let k = 0; k < s.steps.length && live.length; k++) {
      nextEpoch();
      const step = syscallOf(st, s.steps[k]!);
      const next = ahead.at(k);
      live = live.filter(({ i, v }) => {
        const b = v.before?.(st, step, k, next);
        if (b) out[i] = b;
        return !b;
      });
      if (!live.length) break;
      const r = performStep(st, step);
      ahead.saw(k, r);
      live = live.filter(({ i, v }) => {
        const a = v.after?.(st, step, k, r);
        if (a) out[i] = a;
        return !a;
      });
    }
  } catch {
    // a throw anywhere in the shared walk: every property still walking is checked on its own
    for (const { i } of live) out[i] = alone(props[i]!, s, profile);
  }
  return out;
}

/**
 * checkProperty for several properties of one generator (groupByGenerator) on
 * the same cases: each case generated once and checked once for every
 * property that has not failed yet. Each result is what checkProperty gives
 * for that property with the same options (its counterexample, path and
 * shrinks; its run count), except that an interruption (o.interrupt) stops
 * them all at the same case.
 */
export function checkGroup(props: readonly Property[], profile: Profile, o: CheckOptions): CheckResult[] {
  if (props.length === 1 || o.path !== undefined) return props.map((p) => checkProperty(p, profile, o));
  const key = generatorKey(props[0]!);
  if (props.some((p) => generatorKey(p) !== key)) throw new Error('checkGroup: the properties do not share a generator');
  const arb = scenarioArb({ profile, maxCommands: o.maxCommands ?? 40, ...(o.size ? { size: o.size } : {}), ...props[0]!.gen });
  const failedAt: Array<number | undefined> = props.map(() => undefined);
  const abandoned = props.map(() => false);
  const { abandon, failed } = o;
  let live = props.length;
  let index = 0;
  const property = fc.property(arb, (c) => {
    const k = index++;
    if (abandon)
      props.forEach((p, i) => {
        if (failedAt[i] === undefined && !abandoned[i] && abandon(p.name)) {
          abandoned[i] = true;
          live--;
        }
      });
    const idx = props.flatMap((_, i) => (failedAt[i] === undefined && !abandoned[i] ? [i] : []));
    if (!idx.length) return true;
    o.observe?.(c, idx.length);
    rememberResults(c.scenario, profile, c.results);
    const verdicts = checkShared(
      idx.map((i) => props[i]!),
      c.scenario,
      profile,
    );
    verdicts.forEach((v, j) => {
      if (v !== null) {
        failedAt[idx[j]!] = k;
        live--;
        failed?.(props[idx[j]!]!.name);
      }
    });
    return true;
  });
  const stop = (): boolean => live === 0 || (o.interrupt?.() ?? false);
  const details = fc.check(interruptible(property, stop, o.shrinkStop), { numRuns: o.runs, seed: o.seed });
  return props.map((p, i): CheckResult => {
    const k = failedAt[i];
    if (abandoned[i] || abandon?.(p.name)) return { ok: true, runs: details.numRuns, abandoned: true };
    if (k === undefined) return { ok: true, runs: details.numRuns };
    const { interrupt: _never, ...rest } = o; // a counterexample found is shrunk to the end
    const r = checkProperty(p, profile, { ...rest, path: String(k) });
    // the case failed here but not on replay (it cannot, unless a check depends
    // on more than its scenario): the property on its own, from the start
    if (r.ok) return r.abandoned ? r : checkProperty(p, profile, o);
    return { ...r, runs: k + 1 };
  });
}
