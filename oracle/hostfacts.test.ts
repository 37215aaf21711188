// Host facts the executor's probe measures (spec/token-core.md §T7.2): a kernel that refuses
// every arena map makes adaptToMachine() run the model with ARENA=EPERM, and says so.

import { describe, expect, it } from 'vitest';
import { adaptToMachine, checkProbe, hostFactsNote, type Probe } from './driver.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import type { Scenario } from '../scenario/types.ts';

const raw = { root: true, userns: true, bpf_token: true, unprivileged_bpf_disabled: 2, caps_all: '1ffffffffff', release: 'x' } as const;
const s: Scenario = {
  format: 'bpftc/1',
  name: 'an arena by init root',
  actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all' }],
  steps: [{ actor: 'root', op: 'map_create', map_type: 33, key_size: 0, value_size: 0, max_entries: 1, map_flags: 1024 }],
};

describe('host facts', () => {
  it('arena "EPERM": the model runs with ARENA=EPERM and a line says so; "ok" or none: as upstream, no line', () => {
    const eperm = checkProbe({ ...raw, arena: 'EPERM' }) as Probe;
    const a = adaptToMachine(s, eperm);
    expect(a.profile).toBe('linux-6.18+kconfig:NR_CPUS=256,-BPF_LIRC_MODE2,ARENA=EPERM');
    expect(runScenario(a).results[0]!.ret).toBe('EPERM');
    expect(hostFactsNote(eperm)).toMatch(/^host facts: ARENA=EPERM /);
    for (const p of [checkProbe({ ...raw, arena: 'ok' }) as Probe, checkProbe(raw) as Probe]) {
      const b = adaptToMachine(s, p);
      expect(b.profile).toBeUndefined();
      expect(runScenario(b).results[0]!.ret).toBe('ok');
      expect(hostFactsNote(p)).toBeNull();
    }
  });

  it('a scenario with an LSM profile keeps it (model-only there); a +kconfig profile gets the fact added', () => {
    const eperm = checkProbe({ ...raw, arena: 'EPERM' }) as Probe;
    expect(adaptToMachine({ ...s, profile: 'selinux-token-v7' }, eperm).profile).toBe('selinux-token-v7');
    const k = adaptToMachine({ ...s, profile: 'linux-7.3+kconfig:NR_CPUS=2,-BPF_PRELOAD' }, eperm).profile!;
    expect(k).toBe('linux-7.3+kconfig:NR_CPUS=2,-BPF_PRELOAD,ARENA=EPERM');
    expect(findProfile(k)?.token.kconfig?.arenaEperm).toBe(true);
  });
});
