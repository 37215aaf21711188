// Properties that do not miss (issue 9): over a deterministic sample of each
// property's own generator, every dimension its claim covers (Property.
// dimensions) appears in at least MIN of the scenarios, and with
// 'delegated-types' every map, program and attach type a token can delegate
// is named by some token-backed step. The table is printed (one line per
// property) so a reader sees how often each dimension comes up.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PROPERTIES } from '../properties/index.ts';
import { findProfile } from '../model/profile.ts';
import { scenarioArb } from './scenario.ts';
import { dimensionsOf } from '../properties/dimensions.ts';
import type { Dimension, Property } from '../properties/types.ts';
import { __MAX_BPF_ATTACH_TYPE, __MAX_BPF_MAP_TYPE, __MAX_BPF_PROG_TYPE } from '../model/enums.ts';

const N = Number(process.env.BPFTC_DIM_RUNS ?? 300);
/** the union of types needs a larger sample: rare types appear in ~0.3% of scenarios */
const N_TYPES = 1000;
const SEED = 9;
const MIN = 0.03;

export interface DimensionReport {
  property: string;
  profile: string;
  runs: number;
  freq: Partial<Record<Dimension, number>>;
  missingTypes: { maps: number[]; progs: number[]; attachs: number[] };
}

const cache = new Map<string, DimensionReport['freq'] & { _types?: DimensionReport['missingTypes'] }>();

export function dimensionReport(prop: Property): DimensionReport {
  const profile = findProfile(prop.holdsOn[0]!)!;
  const runs = prop.dimensions.includes('delegated-types') ? N_TYPES : N;
  const key = `${profile.name}:${runs}:${JSON.stringify(prop.gen ?? {})}`;
  let hit = cache.get(key);
  if (!hit) {
    const sample = fc.sample(scenarioArb({ profile, maxCommands: 40, ...prop.gen }), { numRuns: runs, seed: SEED });
    const counts: Partial<Record<Dimension, number>> = {};
    const maps = new Set<number>();
    const progs = new Set<number>();
    const attachs = new Set<number>();
    for (const c of sample) {
      const d = dimensionsOf(c.scenario, profile, c.results);
      for (const x of d.dims) counts[x] = (counts[x] ?? 0) + 1;
      d.mapTypes.forEach((t) => maps.add(t));
      d.progTypes.forEach((t) => progs.add(t));
      d.attachTypes.forEach((t) => attachs.add(t));
    }
    const range = (n: number): number[] => [...Array(n).keys()];
    const freq: DimensionReport['freq'] & { _types?: DimensionReport['missingTypes'] } = {};
    for (const [k, v] of Object.entries(counts)) freq[k as Dimension] = v / sample.length;
    freq._types = {
      maps: range(__MAX_BPF_MAP_TYPE).filter((t) => !maps.has(t)),
      progs: range(__MAX_BPF_PROG_TYPE).filter((t) => !progs.has(t)),
      attachs: range(__MAX_BPF_ATTACH_TYPE).filter((t) => !attachs.has(t)),
    };
    hit = freq;
    cache.set(key, hit);
  }
  const { _types, ...freq } = hit;
  return { property: prop.name, profile: profile.name, runs, freq, missingTypes: _types! };
}

describe('generator dimensions per property', () => {
  it.each(PROPERTIES.map((p) => [p.name, p] as const))(`%s: its generator draws every dimension its claim covers (${N} scenarios, seed ${SEED}; ${N_TYPES} for the delegated types)`, (_n, prop) => {
    const r = dimensionReport(prop);
    const m = r.missingTypes;
    const types = `delegated-types: all but ${m.maps.length} map, ${m.progs.length} program, ${m.attachs.length} attach types named by a token-backed step (${r.runs} scenarios)`;
    const line = prop.dimensions.map((d) => (d === 'delegated-types' ? types : `${d} ${(100 * (r.freq[d] ?? 0)).toFixed(1)}%`)).join(', ');
    console.log(`${prop.name.padEnd(40)} on ${r.profile}: ${line || '(no dimension declared)'}`);
    const low = prop.dimensions.filter((d) => d !== 'delegated-types' && (r.freq[d] ?? 0) < MIN);
    expect(low.map((d) => `${d}: ${(100 * (r.freq[d] ?? 0)).toFixed(1)}%`)).toEqual([]);
    if (prop.dimensions.includes('delegated-types')) expect(r.missingTypes).toEqual({ maps: [], progs: [], attachs: [] });
  });
});
