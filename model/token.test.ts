// BPF_TOKEN_CREATE on the model, check by check (spec/token-core.md §T1.1),
// as labelled scenarios in the style of the selftest token.c.

import { describe, expect, it } from 'vitest';
import type { Scenario, Step } from '../scenario/types.ts';
import { runScenario } from './run.ts';

/** canonical set-up: c1 in userns u1 has a bpffs delegated by root, opened at "root" */
function withBpffs(delegate: Array<[string, string]>, tail: Step[], extra: Partial<Scenario> = {}): Scenario {
  return {
    format: 'bpftc/1',
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
    actors: [
      { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
      { name: 'c1', userns: 'u1', kuid: 1000, caps: 'all' },
      { name: 's1', userns: 'init', kuid: 1000, caps: [], mntns: 'init' },
    ],
    steps: [
      { actor: 'c1', op: 'fsopen', as: 'fs' },
      { actor: 'c1', op: 'send_fd', fd: 'fs', to: 'root', as: 'pfs' },
      ...delegate.map(([key, value]): Step => ({ actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key, value })),
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'create' },
      { actor: 'c1', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'c1', op: 'open', dirfd: 'mnt', path: '.', as: 'root' },
      ...tail,
    ],
    ...extra,
  };
}

const last = (s: Scenario): string => runScenario(s).results.at(-1)!.ret;
const tc = (extra: Partial<Extract<Step, { op: 'token_create' }>> = {}, actor = 'c1'): Step => ({
  actor,
  op: 'token_create',
  bpffs: 'root',
  as: 'tok',
  ...extra,
});

const CASES: Array<[string, Scenario, string]> = [
  ['success with any delegation', withBpffs([['delegate_cmds', 'map_create']], [tc()]), 'ok'],
  ['attr size above a page -> E2BIG', withBpffs([['delegate_cmds', 'any']], [tc({ size: 4097 })]), 'E2BIG'],
  ['non-zero byte beyond the union -> E2BIG', withBpffs([['delegate_cmds', 'any']], [tc({ size: 200, tail_byte: 180 })]), 'E2BIG'],
  ['zero tail beyond the union is fine', withBpffs([['delegate_cmds', 'any']], [tc({ size: 200 })]), 'ok'],
  ['CHECK_ATTR: byte 8 set -> EINVAL', withBpffs([['delegate_cmds', 'any']], [tc({ tail_byte: 8, size: 168 })]), 'EINVAL'],
  ['flags != 0 -> EINVAL', withBpffs([['delegate_cmds', 'any']], [tc({ flags: 1 })]), 'EINVAL'],
  ['size 4: bpffs_fd reads 0 (stdin) -> EINVAL', withBpffs([['delegate_cmds', 'any']], [tc({ size: 4 })]), 'EINVAL'],
  ['bad fd -> EBADF', withBpffs([['delegate_cmds', 'any']], [tc({ bpffs: 'nope' })]), 'EBADF'],
  ['O_PATH fsmount fd -> EBADF', withBpffs([['delegate_cmds', 'any']], [tc({ bpffs: 'mnt' })]), 'EBADF'],
  [
    'subdirectory -> EINVAL',
    withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'mkdir', dirfd: 'root', path: 'd' }, { actor: 'c1', op: 'open', dirfd: 'root', path: 'd', as: 'root' }, tc()]),
    'EINVAL',
  ],
  [
    'open_tree clone of a subdirectory -> EINVAL',
    withBpffs(
      [['delegate_cmds', 'any']],
      [
        { actor: 'c1', op: 'mkdir', dirfd: 'root', path: 'd' },
        { actor: 'c1', op: 'open_tree', dirfd: 'mnt', path: 'd', as: 'm2' },
        { actor: 'c1', op: 'open', dirfd: 'm2', path: '.', as: 'root' },
        tc(),
      ],
    ),
    'EINVAL',
  ],
  [
    'open_tree clone of the root is accepted',
    withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'open_tree', dirfd: 'mnt', path: '', as: 'm2' }, { actor: 'c1', op: 'open', dirfd: 'm2', path: '.', as: 'root' }, tc()]),
    'ok',
  ],
  [
    'init root using a userns bpffs -> EPERM (same-namespace rule)',
    withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'send_fd', fd: 'root', to: 'root', as: 'root' }, tc({}, 'root')]),
    'EPERM',
  ],
  ['no CAP_BPF (CAP_SYS_ADMIN kept) -> EPERM, no fallback', withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'capset', effective: ['SYS_ADMIN'] }, tc()]), 'EPERM'],
  ['CAP_SYS_ADMIN dropped is fine', withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'capset', effective: ['BPF'] }, tc()]), 'ok'],
  ['no delegation at all -> ENOENT', withBpffs([], [tc()]), 'ENOENT'],
  ['only unknown high bits still count as delegation', withBpffs([['delegate_cmds', '0x8000000000000000']], [tc()]), 'ok'],
  ['fd table full -> EMFILE', withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'rlimit_nofile', limit: 6 }, tc()]), 'EMFILE'],
];

describe('BPF_TOKEN_CREATE (token.c bpf_token_create) on the model', () => {
  it.each(CASES)('%s', (_label, s, want) => {
    expect(last(s)).toBe(want);
  });

  it('in the init user namespace -> EOPNOTSUPP', () => {
    const s: Scenario = {
      format: 'bpftc/1',
      actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
      steps: [
        { actor: 'root', op: 'fsopen', as: 'fs' },
        { actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: 'any' },
        { actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'create' },
        { actor: 'root', op: 'fsmount', fd: 'fs', as: 'mnt' },
        { actor: 'root', op: 'open', dirfd: 'mnt', path: '.', as: 'r' },
        { actor: 'root', op: 'token_create', bpffs: 'r' },
      ],
    };
    expect(last(s)).toBe('EOPNOTSUPP');
  });

  it('token-v10 accepts a cloned subdirectory and a cross-namespace creator', () => {
    const s = withBpffs(
      [['delegate_cmds', 'any']],
      [
        { actor: 'c1', op: 'mkdir', dirfd: 'root', path: 'd' },
        { actor: 'c1', op: 'open_tree', dirfd: 'mnt', path: 'd', as: 'm2' },
        { actor: 'c1', op: 'open', dirfd: 'm2', path: '.', as: 'sub' },
        { actor: 'c1', op: 'token_create', bpffs: 'sub', as: 'tok' },
        { actor: 'c1', op: 'send_fd', fd: 'root', to: 'root', as: 'r2' },
        { actor: 'root', op: 'token_create', bpffs: 'r2' },
      ],
      { profile: 'token-v10' },
    );
    const r = runScenario(s).results.map((x) => x.ret);
    expect(r.slice(-3)).toEqual(['ok', 'ok', 'ok']);
  });

  it('token fdinfo prints "any" for the full known range and the raw mask otherwise', () => {
    const s = withBpffs(
      [['delegate_cmds', 'any'], ['delegate_maps', '0x8000000000000004']],
      [tc(), { actor: 'c1', op: 'token_fdinfo', fd: 'tok' }, { actor: 'c1', op: 'obj_get_info', fd: 'tok', info_len: 16 }],
    );
    const r = runScenario(s).results;
    expect(r.at(-2)!.text).toBe('allowed_cmds:\tany\nallowed_maps:\t0x8000000000000004\nallowed_progs:\t0x0\nallowed_attachs:\t0x0');
    expect(r.at(-1)!.text).toBe('cmds=0xffffffffffffffff,maps=0x8000000000000004,progs=0x0,attachs=0x0');
  });
});
