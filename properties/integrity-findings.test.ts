// The findings of the BPF integrity-verification RFC (seed 002; FINDINGS.md
// I1-I3; the latent I4 runs on integrity-rfc-cast-fixed): every scenario under
// corpus/findings/ with meta.profile integrity-rfc still violates its property
// on the RFC as posted, and no longer does with the gap fixed
// (integrity-fixed) or on 6.18 without the framework.

import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../corpus/load.ts';
import { findProperty } from './index.ts';
import { findProfile } from '../model/profile.ts';

const DIR = new URL('../corpus/findings/', import.meta.url).pathname;
const findings = loadCorpus(DIR).filter((f) => f.scenario.meta?.profile === 'integrity-rfc');

describe('integrity findings (corpus/findings/integrity-rfc-*, FINDINGS.md I1-I3)', () => {
  it('has the findings', () => {
    expect(findings.length).toBeGreaterThanOrEqual(4);
    expect(new Set(findings.map((f) => f.scenario.meta!.property))).toEqual(
      new Set(['integrity-verdict-ok-iff-signed', 'integrity-free-once', 'integrity-hooks-see-token', 'integrity-verdict-in-enum']),
    );
  });
  it.each(findings.map((f) => [f.file.slice(DIR.length), f] as const))('%s violates its property on integrity-rfc, not on integrity-fixed or linux-6.18', (_f, f) => {
    const prop = findProperty(f.scenario.meta!.property!)!;
    expect(f.scenario.meta!.kernel_checkable).toBe(false);
    expect(prop.check(f.scenario, findProfile('integrity-rfc')!)).not.toBeNull();
    expect(prop.check(f.scenario, findProfile('integrity-fixed')!)).toBeNull();
    expect(prop.check(f.scenario, findProfile('linux-6.18')!)).toBeNull();
  });
});
