// Kernel-config facts (model/kconfig.ts) as a profile knob: one case per fact,
// run on linux-6.18 and on linux-6.18+kconfig:<the tiny guest's facts>, showing
// the two differ exactly at that check.

import { describe, expect, it } from 'vitest';
import { knobPair, withBpffs } from './profile-knobs.testkit.ts';
import { HOST_CONFIG, factsFromConfigValues, formatKconfig, mapTypeConfigured, parseKconfig, progTypeConfigured } from './kconfig.ts';
import { MAP, PROG } from './enums.ts';
import { findProfile } from './profile.ts';

const TINY = 'NR_CPUS=2,-BPF_PRELOAD,-XDP_SOCKETS,-NETFILTER_BPF_LINK,-BPF_LIRC_MODE2';
const { profile, both, differsOnlyAtLast } = knobPair(`linux-6.18+kconfig:${TINY}`);

describe('kernel-config facts', () => {
  it('the default is the 6.18 host; facts round-trip through a profile name', () => {
    expect(formatKconfig(HOST_CONFIG)).toBe('NR_CPUS=256,-BPF_LIRC_MODE2');
    expect(parseKconfig(TINY)).toEqual({ unset: ['BPF_PRELOAD', 'XDP_SOCKETS', 'NETFILTER_BPF_LINK', 'BPF_LIRC_MODE2'], nrCpus: 2 });
    expect(profile.name).toBe(`linux-6.18+kconfig:${TINY}`);
    expect(findProfile(`linux-7.3+kconfig:${TINY}`)?.token.mapFileFlagAfterAlloc).toBe(true);
    // not canonical, unknown options, no base: no profile
    for (const bad of ['-XDP_SOCKETS,NR_CPUS=2', 'NR_CPUS=2,-FOO', 'NR_CPUS=0', 'NR_CPUS=2,-NET,-NET'])
      expect(findProfile(`linux-6.18+kconfig:${bad}`)).toBeUndefined();
    expect(findProfile(`nope+kconfig:${TINY}`)).toBeUndefined();
  });

  it('facts from a .config: y and m are set, anything else is not', () => {
    const f = factsFromConfigValues(new Map([['CONFIG_NR_CPUS', '8'], ['CONFIG_XDP_SOCKETS', 'y'], ['CONFIG_NETFILTER_BPF_LINK', 'm']]));
    expect(f.nrCpus).toBe(8);
    expect(f.unset).not.toContain('XDP_SOCKETS');
    expect(f.unset).not.toContain('NETFILTER_BPF_LINK');
    expect(f.unset).toContain('BPF_PRELOAD');
  });

  it('bpf_types.h guards: XSKMAP needs NET and XDP_SOCKETS, LSM programs BPF_JIT and BPF_LSM', () => {
    const noXdp = parseKconfig('NR_CPUS=2,-XDP_SOCKETS')!;
    expect(mapTypeConfigured(noXdp, MAP.XSKMAP!)).toBe(false);
    expect(mapTypeConfigured(noXdp, MAP.HASH!)).toBe(true);
    expect(progTypeConfigured(parseKconfig('NR_CPUS=2,-BPF_LSM')!, PROG.LSM!)).toBe(false);
    expect(progTypeConfigured(undefined, PROG.LSM!)).toBe(true);
  });

  it('BPF_PRELOAD: mkdir maps.debug is EEXIST with the preloaded links, EPERM (dotted name, bpf_lookup()) without', () => {
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', op: 'mkdir', dirfd: 'root', path: 'maps.debug' }]), 'EEXIST', 'EPERM');
  });

  it('XDP_SOCKETS: XSKMAP by init root is ok on the host config, EINVAL (no ops) without', () => {
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'map_create', map_type: MAP.XSKMAP!, key_size: 4, value_size: 4, max_entries: 1 }]), 'ok', 'EINVAL');
  });

  it('NR_CPUS: a cpumap of 256 entries is ok with NR_CPUS 256, E2BIG with 2', () => {
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'map_create', map_type: MAP.CPUMAP!, key_size: 4, value_size: 4, max_entries: 256 }]), 'ok', 'E2BIG');
  });

  it('NETFILTER_BPF_LINK: a NETFILTER program is ok with it, EINVAL (find_prog_type()) without', () => {
    const r = both(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: PROG.NETFILTER!, expected_attach_type: 45 }]));
    expect(r.a.slice(0, -1)).toEqual(r.b.slice(0, -1));
    expect(r.b.at(-1)).toBe('EINVAL');
    expect(r.a.at(-1)).not.toBe('EINVAL');
  });

  it('ARENA=EPERM (a host fact): round-trips in the profile name; a valid arena is ok without it, EPERM with it, for init root', () => {
    const host = 'NR_CPUS=256,-BPF_LIRC_MODE2,ARENA=EPERM';
    expect(formatKconfig(parseKconfig(host)!)).toBe(host);
    expect(parseKconfig('NR_CPUS=256,ARENA=EPERM,ARENA=EPERM')).toBeNull();
    const arena = withBpffs([], [{ actor: 'root', op: 'map_create', map_type: MAP.ARENA!, key_size: 0, value_size: 0, max_entries: 1, map_flags: 1024 }]);
    const p = knobPair(`linux-6.18+kconfig:${host}`);
    p.differsOnlyAtLast(arena, 'ok', 'EPERM');
  });
});
