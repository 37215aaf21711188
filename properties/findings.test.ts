// The v7-* scenarios under corpus/findings/ (FINDINGS.md 1-4; verdict classes
// and what each shows: corpus/findings.test.ts) still violate their property on
// v7 (on the 6.18 host core and on the VM's 6.12 core), and on the merged code
// (7.3.4) unless the merged code fixed them: a scenario whose meta.shows says
// its property holds on selinux-token-merged (FINDINGS.md 1 and 3). Each
// historical version v1..v6 is caught.

import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../corpus/load.ts';
import { PROPERTIES, findProperty } from './index.ts';
import { findProfile } from '../model/profile.ts';

const DIR = new URL('../corpus/findings/', import.meta.url).pathname;
// the SELinux BPF-token findings on v7 (files v7-*); the token-core findings T1, T2
// (kernel-checkable) and L2 (selinux-token-fixed) are checked by the corpus tests
const findings = loadCorpus(DIR).filter((f) => f.file.split('/').pop()!.startsWith('v7-'));
const MERGED = 'selinux-token-merged';

/** the scenario records that the merged code fixed it: its own property holds on merged */
function fixedByMerged(f: (typeof findings)[number]): boolean {
  const m = f.scenario.meta!;
  return (m.shows ?? []).some((sh) => 'property' in sh && sh.property === m.property && sh.profile === MERGED && sh.violated_at === undefined);
}

describe('findings (corpus/findings, FINDINGS.md)', () => {
  it('has the findings', () => {
    expect(findings.length).toBeGreaterThanOrEqual(5);
  });
  it('the merged code fixed findings 1 and 3 and no other', () => {
    const fixed = [...new Set(findings.filter(fixedByMerged).map((f) => f.scenario.meta!.finding))].sort();
    expect(fixed).toEqual(['1', '3']);
  });
  it.each(findings.map((f) => [f.file.slice(DIR.length), f] as const))('%s violates its property on v7 (6.18 and 6.12 cores), on merged unless fixed there, not on a kernel without the patch', (_f, f) => {
    const prop = findProperty(f.scenario.meta!.property!)!;
    expect(f.scenario.meta!.kernel_checkable).toBe(false);
    expect(prop.check(f.scenario, findProfile('selinux-token-v7')!)).not.toBeNull();
    expect(prop.check(f.scenario, findProfile('selinux-token-v7-6.12')!)).not.toBeNull();
    const onMerged = prop.check(f.scenario, findProfile(MERGED)!);
    if (fixedByMerged(f)) expect(onMerged).toBeNull();
    else expect(onMerged).not.toBeNull();
    expect(prop.check(f.scenario, findProfile('linux-6.18')!)).toBeNull();
  });
});

describe('every historical version is caught by a property', () => {
  const versions = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'merged'].map((v) => `selinux-token-${v}`);
  it.each(versions)('%s is a known-bad profile of at least one property', (v) => {
    expect(PROPERTIES.filter((p) => p.knownBad.includes(v)).length).toBeGreaterThan(0);
  });
});
