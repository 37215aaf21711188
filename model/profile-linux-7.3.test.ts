// The linux-7.3 profile: one case per knob, run on linux-6.18 and linux-7.3,
// showing the two results differ exactly at that check (model/profile.ts
// cites the 7.3.4 source lines).

import { describe, expect, it } from 'vitest';
import { knobPair, withBpffs } from './profile-knobs.testkit.ts';

const { profile: P73, both, differsOnlyAtLast } = knobPair('linux-7.3');

describe('linux-7.3 profile knobs (each differs from linux-6.18 at one check)', () => {
  it('is listed, cites the 7.3.4 tree, and has the host-only knob off', () => {
    expect(P73.knownBad).toBe(false);
    expect(P73.token.denyTrampolineProgs).toBe(false);
    expect(P73.provenance.join('\n')).toMatch(/7\.3\.4.*\n.*syscall\.c:1656/s);
  });

  it('mapFileFlagAfterAlloc: RDONLY|WRONLY with a bad token fd is EINVAL on 6.18, EBADF on 7.3', () => {
    const s = withBpffs([['delegate_cmds', 'any'], ['delegate_maps', 'any']], [
      { actor: 'c1', op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, map_flags: 24, token: 'nope', token_flag: true },
    ]);
    differsOnlyAtLast(s, 'EINVAL', 'EBADF');
  });

  it('mapFileFlagAfterAlloc: RDONLY|WRONLY without privilege is EINVAL on 6.18, EPERM on 7.3; with it EINVAL on both', () => {
    const s = withBpffs([], [{ actor: 'c1', op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, map_flags: 24 }]);
    differsOnlyAtLast(s, 'EINVAL', 'EPERM');
    const root = withBpffs([], [{ actor: 'root', op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, map_flags: 24 }]);
    differsOnlyAtLast(root, 'EINVAL', 'EINVAL');
  });

  it('openTreeFdFirst: a full fd table and a bad dirfd is EBADF on 6.18, EMFILE on 7.3', () => {
    const s = withBpffs([], [
      { actor: 'c1', op: 'rlimit_nofile', limit: 5 },
      { actor: 'c1', op: 'open_tree', dirfd: 'nope', path: '', as: 'm2' },
    ]);
    differsOnlyAtLast(s, 'EBADF', 'EMFILE');
  });

  it('tokenFdBeforeHook: a full fd table and a BPF-LSM refusal is the LSM errno on 6.18, EMFILE on 7.3', () => {
    const s = withBpffs([['delegate_cmds', 'any']], [
      { actor: 'c1', op: 'rlimit_nofile', limit: 5 },
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok', lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf_token_create', task: 'c1', errno: 'EACCES' }] },
    ]);
    differsOnlyAtLast(s, 'EACCES', 'EMFILE');
  });

  it('enumTails: every 6.18 attach type shows as "any" on 6.18 and by name on 7.3; the 7.3 names parse only on 7.3', () => {
    const all618 = '0x' + ((1n << 58n) - 1n).toString(16);
    const { a, b } = both(withBpffs([['delegate_attachs', all618]], [{ actor: 'c1', op: 'move_mount', fd: 'mnt' }, { actor: 'c1', op: 'mountinfo', fd: 'root' }]));
    expect(a.at(-1)).toContain('delegate_attachs=any');
    expect(b.at(-1)).toMatch(/delegate_attachs=cgroup_inet_ingress:.*:trace_uprobe_session(,|$| )/);
    const parse = withBpffs([['delegate_attachs', 'trace_fsession_multi']], [{ actor: 'c1', op: 'move_mount', fd: 'mnt' }, { actor: 'c1', op: 'mountinfo', fd: 'root' }]);
    const r = both(parse);
    expect(r.a.join('\n')).toMatch(/EINVAL/);
    expect(r.b.at(-1)).toContain('delegate_attachs=trace_fsession_multi');
  });
  it('enumTails in bpf_token_allow_prog_type(): attach type 58 through an "any" token is dropped on 6.18 (EPERM), allowed on 7.3', () => {
    const s = withBpffs([['delegate_cmds', 'any'], ['delegate_progs', 'any'], ['delegate_attachs', 'any']], [
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'c1', op: 'prog_load', prog_type: 1, expected_attach_type: 58, token: 'tok' },
    ]);
    differsOnlyAtLast(s, 'EPERM', 'ok');
  });

  it('enumTails in bpf_token_show_fdinfo(): a token with the 58 6.18 attach bits is "any" on 6.18, hex on 7.3', () => {
    const all618 = '0x' + ((1n << 58n) - 1n).toString(16);
    const s = withBpffs([['delegate_cmds', 'any'], ['delegate_attachs', all618]], [
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'c1', op: 'token_fdinfo', fd: 'tok' },
    ]);
    const { a, b } = both(s);
    expect(a.at(-1)).toContain('allowed_attachs:\tany');
    expect(b.at(-1)).toContain(`allowed_attachs:\t${all618}`);
  });
});
