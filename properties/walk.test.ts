// A step's own LSM administration (a policy reload, a BPF-LSM program
// attached to the very step that uses a token) is in force when the
// properties look at the step: the walk runs it before the visitors, and
// counterfactuals of the step do not run it twice (issue 9).

import { describe, expect, it } from 'vitest';
import { walk, counterfactual } from './walk.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { selinuxOf, bpfLsmOf } from '../model/lsm/index.ts';
import { findProperty } from './index.ts';
import type { PolicyDecl, Scenario } from '../scenario/types.ts';

const BASE = ['P_t P_t:capability *', 'P_t P_t:capability2 *', 'P_t P_t:cap_userns *', 'P_t P_t:cap2_userns *', 'U_t U_t:cap_userns *', 'U_t U_t:cap2_userns *', '* *:fd use', 'U_t U_t:bpf *'];
const FULL: PolicyDecl = { allow: [...BASE, 'U_t P_t:bpf map_create_as', 'P_t U_t:bpf map_create', 'U_t P_t:cap2_userns bpf'], polcap: ['bpf_token_perms'] };
/** the reload on the use step withdraws U_t's map_create_as on P_t */
const RELOAD: PolicyDecl = { allow: [...BASE, 'P_t U_t:bpf map_create', 'U_t P_t:cap2_userns bpf'], polcap: ['bpf_token_perms'] };

function scenario(profile: string): Scenario {
  return {
    format: 'bpftc/1',
    profile,
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
    actors: [
      { name: 'priv', userns: 'init', kuid: 0, caps: 'all', mntns: 'init', context: 'P_t' },
      { name: 'user', userns: 'u1', kuid: 1000, caps: 'all', context: 'U_t' },
    ],
    selinux: FULL,
    steps: [
      { actor: 'user', op: 'fsopen', as: 'fs' },
      { actor: 'user', op: 'send_fd', fd: 'fs', to: 'priv', as: 'pfs' },
      { actor: 'priv', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: 'map_create' },
      { actor: 'priv', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_maps', value: 'stack' },
      { actor: 'priv', op: 'fsconfig', fd: 'pfs', cmd: 'create' },
      { actor: 'user', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'user', op: 'open', dirfd: 'mnt', path: '.', as: 'root' },
      { actor: 'user', op: 'token_create', bpffs: 'root', as: 'tok' },
      {
        actor: 'user', op: 'map_create', map_type: 23, key_size: 0, value_size: 8, max_entries: 1, token: 'tok',
        lsm: [{ action: 'policy_load', policy: RELOAD }, { action: 'bpf_lsm_deny', hook: 'bpf_map_free', task: 'priv', errno: 'EPERM' }],
      },
    ],
  };
}

describe('a reload attached to the step that uses the token', () => {
  it('is in force when the visitor looks at the step, and a counterfactual does not apply it again', () => {
    const profile = findProfile('selinux-token-v7')!;
    let seen = false;
    walk(scenario(profile.name), profile, {
      before(st, step, i) {
        if (i !== 8) return null;
        seen = true;
        const se = selinuxOf(st.k)!;
        expect(se.policy!.rules.some((r) => r.source === 'U_t' && r.target === 'P_t' && r.tclass === 'bpf')).toBe(false);
        expect(bpfLsmOf(st.k)!.progs).toHaveLength(1);
        expect('lsm' in step).toBe(false);
        counterfactual(st, step);
        expect(bpfLsmOf(st.k)!.progs).toHaveLength(1);
        return null;
      },
    });
    expect(seen).toBe(true);
  });

  it('is what the claims are checked against: v7 lets the map through a token whose *_as the policy in force no longer grants', () => {
    const prop = findProperty('selinux-token-headline')!;
    const v = prop.check(scenario('selinux-token-v7'), findProfile('selinux-token-v7')!);
    expect(v?.step).toBe(8);
    expect(v?.message).toMatch(/no allow U_t P_t:bpf map_create_as/);
    // the corrected patch checks *_as at use, under the reloaded policy
    expect(prop.check(scenario('selinux-token-fixed'), findProfile('selinux-token-fixed')!)).toBeNull();
  });
});

describe('a step refused before its administration (issue 13)', () => {
  // performStep() ends a sandbox-refused step before its `lsm` actions run
  // (runScenario, the compiler's results handed ahead); the walk does the same
  const s: Scenario = {
    format: 'bpftc/1',
    profile: 'linux-6.18',
    actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
    steps: [
      { actor: 'root', op: 'fsopen', fs: 'nosuchfs', as: 'fs0', lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf', task: 'root', errno: 'EPERM' }] },
      { actor: 'root', op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, as: 'm' },
    ],
  };
  it('the walk sees the results runScenario gives, and no BPF-LSM program', () => {
    const profile = findProfile('linux-6.18')!;
    const rets: string[] = [];
    walk(s, profile, {
      before(st) {
        expect(bpfLsmOf(st.k)?.progs ?? []).toEqual([]);
        return null;
      },
      after(_st, _step, _i, r) {
        rets.push(r.ret);
        return null;
      },
    });
    expect(rets).toEqual(runScenario(s, { profile }).results.map((r) => r.ret));
    expect(rets).toEqual(['REFUSED', 'ok']);
  });
});
