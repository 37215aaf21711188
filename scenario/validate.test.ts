// Bad input gets one clear line: any corruption of a valid scenario is either
// rejected by the validator with a JSON path, or runs on the model without
// throwing.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScenarioError, parseScenario, validateScenario } from './validate.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';

const profile = findProfile('linux-6.18')!;
type J = unknown;

/** replace or delete the value at a random path of a JSON tree */
function mutate(v: J, path: number[], replacement: J, del: boolean): J {
  if (path.length === 0 || typeof v !== 'object' || v === null) return replacement;
  if (Array.isArray(v)) {
    if (!v.length) return v;
    const i = path[0]! % v.length;
    const copy: J[] = [...(v as J[])];
    if (path.length === 1 && del) copy.splice(i, 1);
    else copy[i] = mutate(copy[i], path.slice(1), replacement, del);
    return copy;
  }
  const obj = v as Record<string, J>;
  const keys = Object.keys(obj);
  if (!keys.length) return v;
  const k = keys[path[0]! % keys.length]!;
  const copy: Record<string, J> = { ...obj };
  if (path.length === 1 && del) delete copy[k];
  else copy[k] = mutate(copy[k], path.slice(1), replacement, del);
  return copy;
}

const junk = fc.oneof(
  fc.constantFrom<J>(null, true, -1, 0, 1.5, 2 ** 40, '', 'x', 'init', 'ok', 'EPERM', [], {}, 'all', ['BPF'], ['NOPE']),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

describe('scenario validation', () => {
  it('corrupted scenarios are rejected with a JSON path or run cleanly', () => {
    fc.assert(
      fc.property(
        scenarioArb({ profile, maxCommands: 12 }),
        fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 5 }),
        junk,
        fc.boolean(),
        (c, path, replacement, del) => {
          const bad = mutate(JSON.parse(JSON.stringify(c.scenario)), path, replacement, del);
          let s;
          try {
            s = validateScenario(bad);
          } catch (e) {
            expect(e).toBeInstanceOf(ScenarioError);
            expect((e as Error).message).toMatch(/^\$(\.[\w]+|\[\d+\])*: /);
            return;
          }
          expect(() => runScenario(s)).not.toThrow();
        },
      ),
      { numRuns: 1500, seed: 3 },
    );
  });

  it('names the problem precisely', () => {
    expect(() => parseScenario('[]')).toThrow('$: a scenario must be a JSON object');
    expect(() => parseScenario('{"format":"bpftc/2"}')).toThrow('$.format: expected "bpftc/1", got "bpftc/2"');
    const s = { format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: ['BPF', 'FLY'] }], steps: [] };
    expect(() => validateScenario(s)).toThrow('$.actors[0].caps[1]: unknown capability "FLY"');
    const t = { ...s, actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [{ actor: 'a', op: 'map_create', map_type: 1, expect: 'EWHAT' }] };
    expect(() => validateScenario(t)).toThrow('$.steps[0].expect: expected "ok", an errno name or "REFUSED", got "EWHAT"');
  });

  it('accepts $schema (a string) and refuses keys no part of the format has, at every level it owns', () => {
    const ok = { format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [] };
    expect(validateScenario({ $schema: '../../scenario/scenario.schema.json', ...ok }).$schema).toBe('../../scenario/scenario.schema.json');
    expect(() => validateScenario({ $schema: 3, ...ok })).toThrow('$.$schema: expected a string, got 3');
    expect(() => validateScenario({ ...ok, selinx: { allow: [] } })).toThrow('$.selinx: a scenario takes no "selinx"');
    expect(() => validateScenario({ ...ok, actors: [{ ...ok.actors[0], cap: 'all' }] })).toThrow('$.actors[0].cap: an actor takes no "cap"');
    const u = { name: 'u', parent: 'init', owner: 0, map: { base: 0, count: 1 }, depth: 2 };
    expect(() => validateScenario({ ...ok, userns: [u] })).toThrow('$.userns[0].depth: a user namespace takes no "depth"');
    expect(() => validateScenario({ ...ok, sysctl: { unprivileged_bpf_disable: 1 } })).toThrow('$.sysctl.unprivileged_bpf_disable: sysctl takes no');
  });
});
