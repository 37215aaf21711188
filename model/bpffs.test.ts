// The delegate_* grammar and the show_options rendering (kernel/bpf/inode.c,
// spec/token-core.md §T2.3 and §T2.4, each case verified on 6.18).

import { describe, expect, it } from 'vitest';
import { ENUM_OF, kstrtoull, parseDelegateValue } from './bpffs.ts';
import { findProfile } from './profile.ts';
import { runScenario } from './run.ts';
import type { Scenario, Step } from '../scenario/types.ts';

const linux = findProfile('linux-6.18')!;
const v10 = findProfile('token-v10')!;
const cmds = ENUM_OF.delegate_cmds;
const maps = ENUM_OF.delegate_maps;
const ALL = (1n << 64n) - 1n;

describe('kstrtoull (lib/kstrtox.c)', () => {
  it.each([
    ['0x20', 0x20n], ['0X20', 0x20n], ['010', 8n], ['0', 0n], ['+1', 1n], ['1\n', 1n], ['18446744073709551615', ALL],
  ] as const)('%j -> %s', (s, v) => expect(kstrtoull(s, 0)).toBe(v));
  it.each([['', -22], ['-1', -22], ['0x', -22], ['08', -22], ['0xg', -22], [' 1', -22], ['18446744073709551616', -34], ['99999999999999999999999x', -34]] as const)(
    '%j -> errno %i',
    (s, e) => expect(kstrtoull(s, 0)).toBe(e),
  );
});

describe('delegate value grammar (bpf_parse_param)', () => {
  it.each([
    ['map_create', 1n],
    ['MAP_create', 1n],
    ['map_create:prog_load', 0x21n],
    ['map_create:0x20', 0x20n], // a number overwrites what came before
    ['0x20:map_create', 0x21n],
    ['map_create:any', ALL],
    ['any:map_create', ALL],
    ['prog_run', 1n << 10n], // alias of prog_test_run
    ['010', 8n],
  ] as const)('cmds %j -> 0x%s', (v, m) => expect(parseDelegateValue(linux, cmds, v)).toBe(m));
  it.each(['ANY', 'Any', 'bpf_map_create', 'max_bpf_cmd', 'map_create,prog_load', 'map_create:', ':map_create', 'array', ''])(
    'cmds %j -> EINVAL',
    (v) => expect(parseDelegateValue(linux, cmds, v)).toBe(-22),
  );
  it('maps: aliases of cgroup storage and names from the wrong enum', () => {
    expect(parseDelegateValue(linux, maps, 'cgroup_storage')).toBe(1n << 19n);
    expect(parseDelegateValue(linux, maps, 'cgroup_storage_deprecated')).toBe(1n << 19n);
    expect(parseDelegateValue(linux, maps, 'map_create')).toBe(-22);
  });
  it('v10 takes only "any" and numbers', () => {
    expect(parseDelegateValue(v10, cmds, 'map_create')).toBe(-22);
    expect(parseDelegateValue(v10, cmds, '0x21')).toBe(0x21n);
    expect(parseDelegateValue(v10, cmds, 'any')).toBe(ALL);
  });
});

function mountinfoAfter(options: Array<[string, string]>, profile = 'linux-6.18'): string | undefined {
  const steps: Step[] = [
    { actor: 'root', op: 'fsopen', as: 'fs' },
    ...options.map(([key, value]): Step => ({ actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'set_string', key, value })),
    { actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'create' },
    { actor: 'root', op: 'fsmount', fd: 'fs', as: 'mnt' },
    { actor: 'root', op: 'move_mount', fd: 'mnt' },
    { actor: 'root', op: 'mountinfo', fd: 'mnt' },
  ];
  const s: Scenario = { format: 'bpftc/1', profile, actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }], steps };
  return runScenario(s).results.at(-1)!.text;
}

describe('show_options (bpf_show_options)', () => {
  it('names in enum order, first alias, lower case', () => {
    expect(mountinfoAfter([['delegate_cmds', 'PROG_LOAD:map_create'], ['delegate_maps', 'percpu_cgroup_storage']])).toBe(
      'bpf none rw,delegate_cmds=map_create:prog_load,delegate_maps=percpu_cgroup_storage_deprecated',
    );
  });
  it('"any" once every known bit is set; unknown bits are hidden', () => {
    expect(mountinfoAfter([['delegate_cmds', '0x7fffffffff']])).toBe('bpf none rw,delegate_cmds=any');
    expect(mountinfoAfter([['delegate_cmds', '0x8000000000000000']])).toBe('bpf none rw');
  });
  it('mode and source', () => {
    expect(mountinfoAfter([['mode', '750'], ['source', 'x']])).toBe('bpf x rw,mode=750');
    expect(mountinfoAfter([['mode', '1777']])).toBe('bpf none rw');
  });
  it('v10 prints the raw mask in hex', () => {
    expect(mountinfoAfter([['delegate_cmds', '0x8000000000000001']], 'token-v10')).toBe('bpf none rw,delegate_cmds=0x8000000000000001');
  });
});
