// A property that holds on a profile holds on every corpus scenario of that
// profile (issue 9): for each property and each profile in its holdsOn, every
// scenario under corpus/ that runs under that profile (its `profile`, or the
// default profile when it names none) satisfies the property. This is what
// caught monotonic-privilege failing on corpus/findings/
// bpf-lsm-token-capable-denies-privileged.json (its generator drew no
// BPF-LSM programs, and its claim did not state the L1 exception).

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PROPERTIES } from './index.ts';
import { loadCorpus } from '../corpus/load.ts';
import { DEFAULT_PROFILE, findProfile } from '../model/profile.ts';

const corpus = loadCorpus(join(import.meta.dirname, '..', 'corpus'));

describe('properties hold on the corpus scenarios of their holdsOn profiles', () => {
  it('the corpus is there', () => expect(corpus.length).toBeGreaterThan(50));
  it.each(PROPERTIES.map((p) => [p.name, p] as const))('%s', (_n, prop) => {
    const bad: string[] = [];
    let checked = 0;
    for (const name of prop.holdsOn) {
      const profile = findProfile(name)!;
      for (const e of corpus) {
        if ((e.scenario.profile ?? DEFAULT_PROFILE) !== name) continue;
        checked++;
        const v = prop.check(e.scenario, profile);
        if (v) bad.push(`${e.file.slice(e.file.indexOf('corpus'))} on ${name}: step ${v.step + 1}: ${v.message}`);
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(0);
  });
});
