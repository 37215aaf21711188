import { describe, expect, it } from 'vitest';
import type { Scenario } from './types.ts';
import { renumberHandles } from './reduce.ts';
import { runScenario } from '../model/run.ts';
import { findProfile } from '../model/profile.ts';

const base = (steps: Scenario['steps']): Scenario => ({
  format: 'bpftc/1',
  actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
  steps,
});

describe('renumberHandles', () => {
  it('renames handles in order of definition and every reference to them, results unchanged', () => {
    const s = base([
      { actor: 'root', op: 'fsopen', as: 'fs7' },
      { actor: 'root', op: 'fsconfig', fd: 'fs7', cmd: 'create' },
      { actor: 'root', op: 'fsmount', fd: 'fs7', as: 'mnt9' },
      { actor: 'root', op: 'open', dirfd: 'mnt9', path: '.', as: 'dir12' },
      { actor: 'root', op: 'dup2', fd: 'dir12', to: 'mnt9' },
      { actor: 'root', op: 'token_create', bpffs: 'mnt9', as: 'tok20' },
      { actor: 'root', op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, token: 'tok20', as: 'map21' },
    ]);
    const r = renumberHandles(s);
    expect(r.steps.map((st) => st.as ?? '-')).toEqual(['fs1', '-', 'mnt2', 'dir3', '-', 'tok4', 'map5']);
    expect(r.steps[4]).toMatchObject({ fd: 'dir3', to: 'mnt2' });
    expect(r.steps[6]).toMatchObject({ token: 'tok4' });
    const p = findProfile('linux-6.18')!;
    expect(runScenario(r, { profile: p }).results).toEqual(runScenario(s, { profile: p }).results);
  });

  it('leaves a scenario alone when a new name would collide with an undefined reference', () => {
    const s = base([
      { actor: 'root', op: 'fsopen', as: 'fs7' },
      { actor: 'root', op: 'close', fd: 'fs1' },
    ]);
    expect(renumberHandles(s)).toBe(s);
  });

  it('leaves a scenario alone when a handle name is defined twice', () => {
    const s = base([
      { actor: 'root', op: 'fsopen', as: 'fs7' },
      { actor: 'root', op: 'fsopen', as: 'fs7' },
    ]);
    expect(renumberHandles(s)).toBe(s);
  });
});

// ---------------------------------------------------------------------------
// issue 14: every part of a counterexample is shrunk, not only its steps

import { pruneDecls, reduceList, reduceParts } from './reduce.ts';
import { findProperty } from '../properties/index.ts';
import { checkProperty } from '../properties/check.ts';

describe('pruneDecls keeps the actors a step needs besides its own', () => {
  it('keeps a race thread and the task of a BPF-LSM program; the pruned trace runs (the model crashed without them)', () => {
    const s: Scenario = {
      format: 'bpftc/1',
      actors: [
        { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
        { name: 'rt', userns: 'init', kuid: 0, caps: 'all', thread_of: 'root' },
        { name: 'other', userns: 'init', kuid: 0, caps: 'all' },
        { name: 'idle', userns: 'init', kuid: 0, caps: [] },
      ],
      steps: [
        { actor: 'root', op: 'fsopen', as: 'fs1' },
        { actor: 'root', op: 'fsconfig', fd: 'fs1', cmd: 'create' },
        { actor: 'root', op: 'fsmount', fd: 'fs1', as: 'mnt2' },
        { actor: 'root', op: 'token_create', bpffs: 'mnt2', race: { actor: 'rt', op: 'close', fd: 'mnt2' }, lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf', task: 'other', errno: 'EPERM' }] },
      ],
    };
    const p = pruneDecls(s);
    expect(p.actors.map((a) => a.name)).toEqual(['root', 'rt', 'other']);
    expect(() => runScenario(p, { profile: findProfile('linux-6.18-selinux')! })).not.toThrow();
  });
});

describe('reduceList', () => {
  it('finds the smallest sublist a predicate accepts', () => {
    const xs = Array.from({ length: 68 }, (_, i) => i);
    expect(reduceList(xs, (c) => [3, 17, 40, 41, 66].every((n) => c.includes(n)))).toEqual([3, 17, 40, 41, 66]);
  });
});

describe('a v7 counterexample is shrunk in every part, at the same first violating decision', () => {
  const v7 = findProfile('selinux-token-v7')!;
  const rules = (s: Scenario): number => (s.selinux?.allow.length ?? 0) + s.steps.flatMap((st) => st.lsm ?? []).reduce((n, a) => n + (a.action === 'policy_load' ? a.policy.allow.length : 0), 0);

  it('selinux-token-capable: 68 allow rules before, 5 after, the same step and message', () => {
    const prop = findProperty('selinux-token-capable')!;
    const r = checkProperty(prop, v7, { runs: 1000, seed: 2980047484, path: '162:21:0:0:0:0:0:1:1:1:1:2:2:1:2:5:4:4:4:5:5:3:3:3:3' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const ce = r.counterexample;
    expect(rules(ce.scenario)).toBeLessThanOrEqual(5);
    // every rule kept is needed: dropping any one changes the first violating decision
    for (let i = 0; i < ce.scenario.selinux!.allow.length; i++) {
      const c = { ...ce.scenario, selinux: { ...ce.scenario.selinux!, allow: ce.scenario.selinux!.allow.filter((_, j) => j !== i) } };
      expect(prop.check(c, v7)).not.toEqual(ce.violation);
    }
  });

  it('fd-race-independence: the race thread stays declared, the pruned trace runs, the same decision', () => {
    const prop = findProperty('fd-race-independence')!;
    const r = checkProperty(prop, v7, {
      runs: 1000,
      seed: 2980047484,
      path: '5:7:0:0:0:0:0:0:0:0:0:6:3:3:3:3:3:3:3:3:3:3:5:3:3:3:4:7:7:7:7:10:12:13:12:13:15:16:19:18:20:19:25:9:9:14:14:14:14:16:9:9',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const s = r.counterexample.scenario;
    const racer = s.steps.flatMap((st) => ('race' in st && st.race ? [st.race.actor] : []));
    expect(racer.length).toBe(1);
    expect(s.actors.map((a) => a.name)).toContain(racer[0]);
    expect(rules(s)).toBeLessThanOrEqual(5); // 36 before issue 14
    expect(prop.check(s, v7)).toEqual(r.counterexample.violation);
  });

  it('reduceParts keeps only what the predicate needs: policy rules, permissions, polcap, options, caps', () => {
    const s: Scenario = {
      format: 'bpftc/1',
      actors: [{ name: 'a', userns: 'init', kuid: 0, caps: ['BPF', 'SYS_ADMIN', 'NET_ADMIN'], context: 'P_t' }],
      selinux: { allow: ['P_t P_t:bpf map_create prog_load', 'P_t P_t:fd use', 'P_t P_t:capability *'], polcap: ['bpf_token_perms'], enforcing: true, handle_unknown: 'allow' },
      steps: [{ actor: 'a', op: 'close', fd: 'x' }],
    };
    const need = (c: Scenario): boolean =>
      (c.selinux?.allow ?? []).some((r) => /^P_t P_t:bpf( \S+)*( prog_load)/.test(r)) && Array.isArray(c.actors[0]!.caps) && c.actors[0]!.caps.includes('BPF');
    const r = reduceParts(s, need);
    expect(r.selinux).toEqual({ allow: ['P_t P_t:bpf prog_load'] });
    expect(r.actors[0]!.caps).toEqual(['BPF']);
    expect(r.actors[0]!.context).toBeUndefined();
  });
});
