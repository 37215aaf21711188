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
