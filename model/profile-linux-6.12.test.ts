// The linux-6.12 profile: one case per knob, run on linux-6.18 and linux-6.12,
// showing the two results differ exactly at that check (model/profile.ts
// cites the 6.12.117 source lines).

import { describe, expect, it } from 'vitest';
import type { Scenario, Step } from '../scenario/types.ts';
import { runScenario } from './run.ts';
import { findProfile } from './profile.ts';

const P618 = findProfile('linux-6.18')!;
const P612 = findProfile('linux-6.12')!;

/** c1 in userns u1 has a bpffs delegated by root, opened at "root" */
function withBpffs(delegate: Array<[string, string]>, tail: Step[]): Scenario {
  return {
    format: 'bpftc/1',
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
    actors: [
      { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
      { name: 'c1', userns: 'u1', kuid: 1000, caps: 'all' },
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
  };
}

/** every step's result on both profiles; the last step's separately */
function both(s: Scenario): { a: string[]; b: string[] } {
  const show = (p: typeof P618): string[] => runScenario(s, { profile: p }).results.map((r) => r.ret + (r.text === undefined ? '' : ` ${r.text}`));
  return { a: show(P618), b: show(P612) };
}

function differsOnlyAtLast(s: Scenario, on618: string, on612: string): void {
  const { a, b } = both(s);
  expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
  expect(a.at(-1)).toBe(on618);
  expect(b.at(-1)).toBe(on612);
}

describe('linux-6.12 profile knobs (each differs from linux-6.18 at one check)', () => {
  it('is listed, cites the 6.12.117 tree, and has the host-only knob off', () => {
    expect(P612.knownBad).toBe(false);
    expect(P612.token.denyTrampolineProgs).toBe(false);
    expect(P612.provenance.join('\n')).toMatch(/6\.12\.117.*\n.*namespace\.c:2817/s);
  });

  it('loopbackOwnNsOnly: open_tree of a detached (fsmount) mount is ok on 6.18, EINVAL on 6.12', () => {
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', op: 'open_tree', dirfd: 'mnt', path: '', as: 'm2' }]), 'ok', 'EINVAL');
  });

  it('openTreeFdBeforeLookup: a full fd table and a bad dirfd is EBADF on 6.18, EMFILE on 6.12', () => {
    const s = withBpffs([], [
      { actor: 'c1', op: 'rlimit_nofile', limit: 5 },
      { actor: 'c1', op: 'open_tree', dirfd: 'nope', path: '', as: 'm2' },
    ]);
    differsOnlyAtLast(s, 'EBADF', 'EMFILE');
  });

  it('btfGetFdByIdNoToken: BPF_F_TOKEN_FD with a bad token fd is EBADF on 6.18, EINVAL on 6.12', () => {
    const s = withBpffs([], [
      { actor: 'root', op: 'btf_load', as: 'b' },
      { actor: 'root', op: 'btf_get_fd_by_id', btf: 'b', token: 'nope', token_flag: true },
    ]);
    differsOnlyAtLast(s, 'EBADF', 'EINVAL');
  });

  it('noTokenInfo: BPF_OBJ_GET_INFO_BY_FD on a token is ok on 6.18, EINVAL on 6.12', () => {
    const s = withBpffs([['delegate_cmds', 'any']], [
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'c1', op: 'obj_get_info', fd: 'tok', info_len: 0 },
    ]);
    const { a, b } = both(s);
    expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
    expect(a.at(-1)).toMatch(/^ok /);
    expect(b.at(-1)).toBe('EINVAL');
  });

  it('bpfAttr: token_create with size 168 and byte 167 set is EINVAL on 6.18 (CHECK_ATTR), E2BIG on 6.12 (past sizeof)', () => {
    const s = withBpffs([['delegate_cmds', 'any']], [{ actor: 'c1', op: 'token_create', bpffs: 'root', size: 168, tail_byte: 167, as: 'tok' }]);
    differsOnlyAtLast(s, 'EINVAL', 'E2BIG');
  });

  it('enumDrop: delegate_attachs=trace_uprobe_session parses on 6.18 only; "any" needs one attach bit less on 6.12', () => {
    const r = both(withBpffs([['delegate_attachs', 'trace_uprobe_session']], [{ actor: 'c1', op: 'move_mount', fd: 'mnt' }, { actor: 'c1', op: 'mountinfo', fd: 'root' }]));
    expect(r.a.at(-1)).toContain('delegate_attachs=trace_uprobe_session');
    expect(r.b.join('\n')).toMatch(/EINVAL/);
    const all612 = '0x' + ((1n << 57n) - 1n).toString(16);
    const s = both(withBpffs([['delegate_attachs', all612]], [{ actor: 'c1', op: 'move_mount', fd: 'mnt' }, { actor: 'c1', op: 'mountinfo', fd: 'root' }]));
    expect(s.a.at(-1)).toMatch(/delegate_attachs=cgroup_inet_ingress:.*:trace_kprobe_session(,|$| )/);
    expect(s.b.at(-1)).toContain('delegate_attachs=any');
  });
});
