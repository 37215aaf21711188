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

  it('tailMapTypes: RHASH (35) passes its alloc checks on 7.3 and meets unprivileged_bpf_disabled (EPERM), 6.18 has no type 35 (EINVAL)', () => {
    const rhash = { op: 'map_create', map_type: 35, key_size: 8, value_size: 8, max_entries: 4096, map_flags: 1 } as const;
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', ...rhash }]), 'EINVAL', 'EPERM');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...rhash }]), 'EINVAL', 'ok');
    // rhtab_map_alloc_check(): no BPF_F_NO_PREALLOC -> EINVAL, before the capability checks
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', ...rhash, map_flags: 0 }]), 'EINVAL', 'EINVAL');
    // map_extra is RHASH's size hint: <= max_entries ok, > max_entries EINVAL, > U16_MAX E2BIG
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...rhash, map_extra: 64 }]), 'EINVAL', 'ok');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...rhash, max_entries: 1, map_extra: 2 }]), 'EINVAL', 'EINVAL');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...rhash, max_entries: 100000, map_extra: 65536 }]), 'EINVAL', 'E2BIG');
    // htab_map_alloc_check() after it: value_size 0 -> EINVAL
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', ...rhash, value_size: 0 }]), 'EINVAL', 'EINVAL');
  });

  it('tailMapTypes: INSN_ARRAY (34) needs value_size 16 and no flags, then CAP_BPF; through an "any" token it is allowed on 7.3 only', () => {
    const insn = { op: 'map_create', map_type: 34, key_size: 4, value_size: 16, max_entries: 8 } as const;
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...insn }]), 'EINVAL', 'ok');
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', ...insn }]), 'EINVAL', 'EPERM');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...insn, value_size: 8 }]), 'EINVAL', 'EINVAL');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', ...insn, map_flags: 1 }]), 'EINVAL', 'EINVAL');
    // bpf_token_allow_map_type(): type < the kernel's __MAX_BPF_MAP_TYPE (36 on 7.3)
    const tok = withBpffs([['delegate_cmds', 'any'], ['delegate_maps', 'any']], [
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'c1', ...insn, token: 'tok', token_flag: true },
    ]);
    differsOnlyAtLast(tok, 'EINVAL', 'ok');
  });

  it('tracingMultiAttach: attach type 59-61 (TRACE_*_MULTI) is EINVAL for any type but TRACING on 7.3; a TRACING one needs no attach_btf_id there', () => {
    for (const eat of [59, 60, 61]) {
      differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 1, expected_attach_type: eat, insn_cnt: 4097 }]), 'ok', 'EINVAL');
      differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 26, expected_attach_type: eat }]), 'EINVAL', 'ok');
    }
    // can_be_sleepable() takes the *_MULTI types
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 26, expected_attach_type: 59, prog_flags: 16 }]), 'EINVAL', 'ok');
    // TRACE_FSESSION (58) is no multi type: TRACING still needs a btf_id, others accept it
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 26, expected_attach_type: 58 }]), 'EINVAL', 'EINVAL');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 2, expected_attach_type: 58 }]), 'ok', 'ok');
    // the capability checks come first: EPERM on both (KPROBE = 2, TRACING = 26)
    differsOnlyAtLast(withBpffs([], [{ actor: 'c1', op: 'prog_load', prog_type: 2, expected_attach_type: 59 }]), 'EPERM', 'EPERM');
  });

  it('sleepableTracepoints: a BPF_F_SLEEPABLE TRACEPOINT or RAW_TRACEPOINT program is EINVAL on 6.18, ok on 7.3; SOCKET_FILTER stays EINVAL', () => {
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 5, prog_flags: 16 }]), 'EINVAL', 'ok');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 17, prog_flags: 16 }]), 'EINVAL', 'ok');
    differsOnlyAtLast(withBpffs([], [{ actor: 'root', op: 'prog_load', prog_type: 1, prog_flags: 16 }]), 'EINVAL', 'EINVAL');
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
