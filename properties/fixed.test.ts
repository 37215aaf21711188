// selinux-token-fixed (model/lsm/selinux.ts variant "fixed", FINDINGS.md
// "A corrected patch"): every SELinux/LSM token property can be satisfied at
// once. Each property holds on it, and each v7 finding scenario is fixed, except
// where the scenario's own meta.shows says it still shows on selinux-token-fixed
// (checked by corpus/findings.test.ts, and then FINDINGS.md's Range must name it).

import { describe, expect, it } from 'vitest';
import { PROPERTIES, findProperty } from './index.ts';
import { checkProperty } from './check.ts';
import { findProfile } from '../model/profile.ts';
import { loadCorpus } from '../corpus/load.ts';
import { parseEntries } from '../corpus/findings-md.ts';
import { readFileSync } from 'node:fs';

const RUNS = Number(process.env.BPFTC_RUNS ?? 400);
const SEED = Number(process.env.BPFTC_SEED ?? 1);
const fixed = findProfile('selinux-token-fixed')!;
const LSM_PROPS = PROPERTIES.filter((p) => /^(selinux-|lsm-|fd-race-|bpf-lsm-|lsm-blob)/.test(p.name));

describe('selinux-token-fixed', () => {
  it('is a profile with SELinux, not known-bad', () => {
    expect(fixed.knownBad).toBe(false);
    expect(fixed.lsm?.selinux).toBe('fixed');
    expect(LSM_PROPS.length).toBeGreaterThanOrEqual(10);
  });

  it.each(LSM_PROPS.map((p) => [p.name, p] as const))(`holds %s (${RUNS * 2} runs, seed ${SEED})`, (_n, prop) => {
    const r = checkProperty(prop, fixed, { runs: RUNS * 2, seed: SEED });
    if (!r.ok) throw new Error(`${r.counterexample.violation.message} (seed ${SEED}, path ${r.counterexample.path})`);
  });

  const DIR = new URL('../corpus/findings/', import.meta.url).pathname;
  const v7 = loadCorpus(DIR).filter((f) => f.file.slice(DIR.length).startsWith('v7-'));
  const stillShows = (f: (typeof v7)[number]): boolean =>
    (f.scenario.meta!.shows ?? []).some((s) => 'property' in s && s.profile === fixed.name && s.violated_at !== undefined);
  const entries = parseEntries(readFileSync(new URL('../FINDINGS.md', import.meta.url), 'utf8'));
  it.each(v7.map((f) => [f.file.slice(DIR.length), f] as const))('fixes %s, or says it does not', (_n, f) => {
    const prop = findProperty(f.scenario.meta!.property!)!;
    expect(prop.check(f.scenario, findProfile('selinux-token-v7')!)).not.toBeNull();
    if (!stillShows(f)) {
      expect(prop.check(f.scenario, fixed)).toBeNull();
      return;
    }
    // a finding the corrected variant keeps is one its entry's Range names (not as "not ...")
    const range = entries.find((e) => e.id === f.scenario.meta!.finding)?.fields.get('Range') ?? '';
    expect(range, `FINDINGS ${f.scenario.meta!.finding} Range`).toMatch(/(?<!not (the project's )?)`selinux-token-fixed`/);
    expect(prop.check(f.scenario, fixed)).not.toBeNull();
  });
});
