import { describe, expect, it } from 'vitest';
import { PROFILES } from '../model/profile.ts';
import * as errno from '../model/errno.ts';
import { ERRNO_VALUES, enumSpellings, enumValue, knownProfile } from './vocab.ts';
import { validateScenario } from './validate.ts';
import type { Profile } from '../model/profile.ts';

describe('the scenario vocabulary (scenario/vocab.ts)', () => {
  it('knows every profile of the model', () => {
    for (const p of PROFILES) expect(knownProfile(p.name), p.name).toBe(true);
    expect(knownProfile('linux-9.99')).toBe(false);
  });

  it('knows a profile a plugin adds to the model\'s list (api/plugins.ts pushes onto PROFILES)', () => {
    const s = { format: 'bpftc/1', profile: 'plugin-x', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [] };
    expect(() => validateScenario(s)).toThrow('unknown profile "plugin-x"');
    (PROFILES as Profile[]).push({ ...PROFILES[0]!, name: 'plugin-x' });
    try {
      expect(validateScenario(s)).toBe(s);
    } finally {
      (PROFILES as Profile[]).pop();
    }
  });

  it('gives every errno constant of the model its number', () => {
    const model = errno as unknown as Record<string, unknown>;
    for (const [name, n] of Object.entries(ERRNO_VALUES)) {
      expect(model[name], name).toBe(n);
      expect(errno.retName(-n)).toBe(name);
    }
    expect(errno.errnoByName('E519')).toBe(519);
  });

  it('spells enumerators short, full and by alias', () => {
    expect(enumValue('map_type', 'STACK')).toBe(23);
    expect(enumValue('map_type', 'BPF_MAP_TYPE_STACK')).toBe(23);
    expect(enumValue('map_type', 'PERCPU_CGROUP_STORAGE')).toBe(21);
    expect(enumValue('prog_type', 'BPF_PROG_TYPE_SOCKET_FILTER')).toBe(1);
    expect(enumValue('attach_type', 'BPF_CGROUP_INET_INGRESS')).toBe(0);
    expect(enumValue('attach_type', 'stack')).toBeUndefined();
    expect(enumValue('map_type', '__proto__')).toBeUndefined();
    expect(enumSpellings('prog_type')).toContain('BPF_PROG_TYPE_NETFILTER');
  });
});
