// The linux-6.12 profile: one case per knob, run on linux-6.18 and linux-6.12,
// showing the two results differ exactly at that check (model/profile.ts
// cites the 6.12.117 source lines).

import { describe, expect, it } from 'vitest';
import { knobPair, withBpffs } from './profile-knobs.testkit.ts';

const { profile: P612, both, differsOnlyAtLast } = knobPair('linux-6.12');

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
