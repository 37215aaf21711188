// Public API: properties (the claims). `import { ... } from
// 'bpf-token-conformance/properties'`. List them, check one scenario against
// them, run one property's campaign in this process, or a whole campaign over
// worker processes. A property of your own is an object of type Property:
// export it from a plugin file (`bpftc fuzz --plugin FILE`, README "Plugins").

import { PROPERTIES, findProperty } from '../properties/index.ts';
import { type Property, type Source, type Violation, type Dimension, appliesTo, verdictOf } from '../properties/types.ts';
import { type CheckResult, type Counterexample, checkProperty as check } from '../properties/check.ts';
import { type CampaignResult, type CampaignSpec, runCampaign as campaign } from '../campaign/run.ts';
import { type Profile, DEFAULT_PROFILE, findProfile } from '../model/profile.ts';
import type { Scenario } from '../scenario/types.ts';
import { loadedPlugins, propertyProblem, registerPropertyUnchecked } from './plugins.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

export { loadPlugin, loadPlugins, PluginError } from './plugins.ts';

export type { Property, Source, Violation, Dimension, CheckResult, Counterexample, CampaignResult, CampaignSpec };
export { appliesTo, verdictOf, findProperty };

/** every property: built-in ones, then those registered (plugins) */
export function listProperties(): readonly Property[] {
  return PROPERTIES;
}

/** adds a property that campaigns (in this process), JUnit and `check` treat like a built-in one */
export function registerProperty(p: Property): void {
  const why = propertyProblem(p);
  if (why) throw new TypeError(why);
  registerPropertyUnchecked(p);
}

const profileOf = (p: Profile | string | undefined, s?: Scenario): Profile => {
  if (p !== undefined && typeof p !== 'string') return p;
  const name = p ?? s?.profile ?? DEFAULT_PROFILE;
  const found = findProfile(name);
  if (!found) throw new TypeError(`unknown profile ${JSON.stringify(name)}`);
  return found;
};

export interface ScenarioVerdict {
  property: string;
  outcome: 'holds' | 'violated' | 'question' | 'n/a';
  /** 0-based index of the violating step */
  step?: number;
  message?: string;
}

/** every given property (default: all) on one scenario, as `bpftc check` reports them */
export function checkScenario(s: Scenario, o: { profile?: Profile | string; properties?: readonly Property[] } = {}): ScenarioVerdict[] {
  const profile = profileOf(o.profile, s);
  return (o.properties ?? PROPERTIES).map((p): ScenarioVerdict => {
    if (!appliesTo(p, profile)) return { property: p.name, outcome: 'n/a', message: `${profile.name} has no ${p.requires} layer` };
    const v = p.check(s, profile);
    if (!v) return { property: p.name, outcome: 'holds' };
    return { property: p.name, outcome: verdictOf(p) === 'question' ? 'question' : 'violated', step: v.step, message: v.message };
  });
}

/** one property's campaign in this process: generated scenarios, shrinking, a counterexample with seed and path */
export function checkProperty(p: Property, o: { profile?: Profile | string; runs: number; seed: number; path?: string }): CheckResult {
  return check(p, profileOf(o.profile), { runs: o.runs, seed: o.seed, ...(o.path !== undefined ? { path: o.path } : {}) });
}

/**
 * a campaign over worker processes, as `bpftc fuzz` runs it. The workers are
 * new processes: properties and profiles registered in this one reach them
 * only through plugin files (the ones loaded with loadPlugins, and `plugins`)
 */
export function runCampaign(o: { profile: string; properties: string[]; runs?: number; timeSec?: number; seed: number; workers?: number; batchRuns?: number; plugins?: string[] }): Promise<CampaignResult> {
  const spec: CampaignSpec = {
    profile: o.profile,
    properties: o.properties,
    seed: o.seed,
    shard: { index: 1, count: 1 },
    workers: o.workers ?? 1,
    batchRuns: o.batchRuns ?? 500,
    plugins: [...loadedPlugins(), ...(o.plugins ?? [])],
    ...(o.timeSec !== undefined ? { timeSec: o.timeSec } : { runs: o.runs ?? 1000 }),
  };
  return campaign(spec, undefined, { signals: false });
}
