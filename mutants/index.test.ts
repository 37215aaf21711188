import { describe, expect, it } from 'vitest';
import { MUTANT_PROFILES } from './index.ts';
import { MODEL_FNS, fnsOf } from '../model/fns.ts';
import { PROFILES, findProfile, withKconfig } from '../model/profile.ts';
import { HOST_CONFIG } from '../model/kconfig.ts';
import { PROPERTIES } from '../properties/index.ts';

describe('mutants/: single-point mutants applied from outside the model', () => {
  it('each replaces exactly one named model function and is known-bad', () => {
    expect(MUTANT_PROFILES.map((p) => p.name)).toEqual([
      'mutant-ignore-attach-mask',
      'mutant-capable-current-ns',
      'mutant-show-full-names',
      'mutant-keep-dropped-token',
      'mutant-insn-limit-swapped',
      'mutant-attach-capable-as-loader',
      'mutant-lsm-first-only',
      'mutant-blob-no-null-after-free',
      'mutant-selinux-cap-audit-index',
      'mutant-fixed-polcap-race',
      'mutant-copy-not-copied-ok',
      'mutant-consumer-global-verdict',
    ]);
    for (const p of MUTANT_PROFILES) {
      const names = Object.keys(p.replace ?? {});
      expect(names, p.name).toHaveLength(1);
      expect(Object.keys(MODEL_FNS), p.name).toContain(names[0]);
      expect(p.knownBad, p.name).toBe(true);
      const fns = fnsOf(p);
      for (const k of Object.keys(MODEL_FNS) as Array<keyof typeof MODEL_FNS>) expect(fns[k] === MODEL_FNS[k], `${p.name} ${k}`).toBe(k !== names[0]);
    }
  });

  it('are registered once, where the profile list always had them', () => {
    const names = PROFILES.map((p) => p.name);
    expect(names.slice(names.indexOf('token-v10') + 1, names.indexOf('token-v10') + 7)).toEqual(MUTANT_PROFILES.slice(0, 6).map((p) => p.name));
    expect(names.slice(names.indexOf('selinux-token-fixed') + 1, names.indexOf('selinux-token-fixed') + 5)).toEqual(MUTANT_PROFILES.slice(6, 10).map((p) => p.name));
    expect(names.slice(names.indexOf('integrity-fixed') + 1, names.indexOf('integrity-fixed') + 3)).toEqual(MUTANT_PROFILES.slice(10).map((p) => p.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it('keep their replacement on a kernel config (withKconfig)', () => {
    const p = withKconfig(findProfile('mutant-capable-current-ns')!, HOST_CONFIG);
    expect(fnsOf(p).bpf_token_capable).not.toBe(MODEL_FNS.bpf_token_capable);
  });

  it('each is caught by some property (properties/properties.test.ts shrinks each counterexample)', () => {
    for (const p of MUTANT_PROFILES) expect(PROPERTIES.some((q) => q.knownBad.includes(p.name)), p.name).toBe(true);
  });
});
