// fork_of actors (scenario/types.ts ActorDecl.fork_of): the validator fills their userns,
// kuid and caps from the parent, refuses what the executor cannot make, and the reducer
// keeps them consistent when it changes the parent.

import { describe, expect, it } from 'vitest';
import { ScenarioError, validateScenario } from './validate.ts';
import { reduceParts } from './reduce.ts';
import { runScenario } from '../model/run.ts';

const base = {
  format: 'bpftc/1',
  actors: [
    { name: 'p', userns: 'init', kuid: 0, caps: ['BPF', 'SYS_ADMIN'], mntns: 'init' },
    { name: 'c', fork_of: 'p' },
  ],
  steps: [
    { actor: 'c', op: 'fsopen', fs: 'bpf', as: 'x' },
    { actor: 'p', op: 'fsopen', fs: 'bpf', as: 'fs' },
    { actor: 'p', op: 'fork', child: 'c' },
    { actor: 'p', op: 'close', fd: 'fs' },
    { actor: 'c', op: 'fsconfig', fd: 'fs', cmd: 'create' },
  ],
};

const err = (v: unknown): string => {
  try {
    validateScenario(v);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return 'valid';
};

describe('fork_of actors', () => {
  it('take the parent\'s declared userns, kuid and caps; the child has the parent\'s fds', () => {
    const s = validateScenario(base);
    expect(s.actors[1]).toEqual({ name: 'c', userns: 'init', kuid: 0, caps: ['BPF', 'SYS_ADMIN'], fork_of: 'p' });
    // the filled form validates again (a saved counterexample)
    expect(validateScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
    const { results } = runScenario(s);
    expect(results.map((r) => r.ret)).toEqual(['ESRCH', 'ok', 'ok', 'ok', 'ok']);
  });

  it('refuses what no fork can make, with a JSON path', () => {
    const withActors = (actors: unknown[], steps: unknown[] = base.steps) => ({ ...base, actors, steps });
    const p = base.actors[0];
    expect(err(withActors([p, { name: 'c', fork_of: 'q' }]))).toMatch(/actors\[1\]\.fork_of: unknown earlier actor/);
    expect(err(withActors([p, { name: 'c', fork_of: 'p', kuid: 5 }]))).toMatch(/actors\[1\]\.kuid: a fork_of actor's kuid is its parent's/);
    expect(err(withActors([p, { name: 'c', fork_of: 'p', mntns: 'init' }]))).toMatch(/actors\[1\]\.mntns: a fork_of actor takes no "mntns"/);
    expect(err(withActors([p, { name: 't', userns: 'init', kuid: 0, caps: [], thread_of: 'p' }, { name: 'c', fork_of: 't' }]))).toMatch(/thread_of actor/);
    expect(err(withActors([p, { name: 'c', fork_of: 'p' }, { name: 'd', userns: 'init', kuid: 0, caps: [], mntns: 'c' }]))).toMatch(/actors\[2\]\.mntns: "c" is a fork_of actor/);
    expect(err({ ...base, steps: [{ actor: 'c', op: 'fork', child: 'c' }] })).toMatch(/steps\[0\]\.child: "c" is not declared with "fork_of": "c"/);
    expect(err({ ...base, steps: [{ actor: 'p', op: 'fork', child: 'c' }, { actor: 'p', op: 'fork', child: 'c' }] })).toMatch(/steps\[1\]\.child: "c" is forked by an earlier step already/);
  });

  it('the reducer changes a parent\'s caps in its fork_of children too', () => {
    const s = validateScenario(base);
    // keep anything whose first step is still ESRCH: the parent's caps reduce to none
    const r = reduceParts(s, (x) => runScenario(x).results[0]!.ret === 'ESRCH');
    expect(r.actors[0]!.caps).toEqual([]);
    expect(r.actors[1]!.caps).toEqual([]);
    expect(() => validateScenario(JSON.parse(JSON.stringify(r)))).not.toThrow();
  });
});
