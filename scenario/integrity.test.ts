// The scenario's integrity declaration (issue 12): validated with a JSON path
// for each problem, in the JSON Schema, README's table current, and its
// names usable in lsm_order.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateScenario } from './validate.ts';
import { reduceParts } from './reduce.ts';
import type { Scenario } from './types.ts';
import { scenarioSchema } from './schema.ts';
import { CONSUMER_FIELDS, PROVIDER_FIELDS, withIntegrityReadmeTable } from './integrity.ts';

const root = join(import.meta.dirname, '..');
const base = {
  format: 'bpftc/1',
  actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
  steps: [{ actor: 'root', op: 'prog_load', prog_type: 1 }],
};

describe('scenario integrity declaration', () => {
  it('a declaration with every field validates, and its names may appear in lsm_order', () => {
    const s = {
      ...base,
      lsm_order: ['capability', 'c0', 'hornet', 'p0', 'p1', 'ipe', 'bpf'],
      integrity: {
        providers: [
          { name: 'p0', lsm_id: 114, deliveries: 'twice', verdict: 'OK', second_verdict: 512, ret: 1 },
          { name: 'p1', deliveries: 'after_return', verdict: -1 },
        ],
        consumers: [{ name: 'c0', lsm_id: 200, keep: 'worst', reenter: true, allow: ['OK', 'NONE'], fail_fast: ['BADSIG'], trust: [114, 201] }],
      },
    };
    expect(validateScenario(JSON.parse(JSON.stringify(s))).integrity?.providers).toHaveLength(2);
  });
  it.each([
    [{ providers: [{ name: 'selinux' }] }, /\$\.integrity\.providers\[0\]\.name: "selinux" is a built-in LSM's name/],
    [{ providers: [{ name: 'p0' }], consumers: [{ name: 'p0' }] }, /\$\.integrity\.consumers\[0\]\.name: duplicate LSM name/],
    [{ providers: [{ name: 'p0', deliveries: 'often' }] }, /\$\.integrity\.providers\[0\]\.deliveries: expected one of/],
    [{ providers: [{ name: 'p0', verdict: 'GOOD' }] }, /\$\.integrity\.providers\[0\]\.verdict: expected one of NONE/],
    [{ providers: [{ name: 'p0', verdict: 2 ** 31 }] }, /\$\.integrity\.providers\[0\]\.verdict: expected an int/],
    [{ consumers: [{ name: 'c0', keep: 'best' }] }, /\$\.integrity\.consumers\[0\]\.keep/],
    [{ consumers: [{ name: 'c0', trust: ['hornet'] }] }, /\$\.integrity\.consumers\[0\]\.trust\[0\]: expected an int/],
    [{ consumers: [{ name: 'c0', colour: 1 }] }, /\$\.integrity\.consumers\[0\]\.colour: a consumer takes no "colour"/],
    [{ consumers: [{}] }, /\$\.integrity\.consumers\[0\]\.name: missing/],
    [{ others: [] }, /\$\.integrity\.others: an integrity declaration takes no/],
  ])('refuses %j with its JSON path', (integrity, msg) => {
    expect(() => validateScenario({ ...base, integrity })).toThrow(msg);
  });
  it('lsm_order refuses a name nobody declares', () => {
    expect(() => validateScenario({ ...base, lsm_order: ['capability', 'p9'], integrity: { providers: [{ name: 'p0' }] } })).toThrow(/\$\.lsm_order\[1\]: unknown LSM "p9" \(known: .*p0\)/);
  });
  it('the JSON Schema lists every field of the tables', () => {
    const props = (scenarioSchema([]) as { properties: { integrity: { properties: Record<string, { items: { properties: object } }> } } }).properties.integrity.properties;
    expect(Object.keys(props.providers!.items.properties)).toEqual(Object.keys(PROVIDER_FIELDS));
    expect(Object.keys(props.consumers!.items.properties)).toEqual(Object.keys(CONSUMER_FIELDS));
  });
  it("README.md's integrity table is current (npx tsx build/write-generated.ts)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withIntegrityReadmeTable(readme)).toBe(readme);
  });
  it('reduceParts drops declared LSMs (from lsm_order too) and their optional fields while the predicate holds', () => {
    const s = validateScenario({
      ...base,
      lsm_order: ['capability', 'p0', 'p1', 'c0'],
      integrity: { providers: [{ name: 'p0', verdict: 'BADSIG' }, { name: 'p1', deliveries: 'twice', ret: 1 }], consumers: [{ name: 'c0', keep: 'worst' }] },
    });
    const keep = (x: Scenario): boolean => (x.integrity?.providers ?? []).some((p) => p.deliveries === 'twice');
    const r = reduceParts(s, keep);
    expect(r.integrity).toEqual({ providers: [{ name: 'p1', deliveries: 'twice' }] });
    expect(r.lsm_order).toEqual(['capability', 'p1']);
  });
});
