// integrity-ok-contents-unchanged counts a successful BPF_MAP_DELETE_ELEM as a change of
// contents, as it counts an update: its known-bad profile's regression scenario with the
// update replaced by a delete of a HASH map's element (after the OK load) fails on
// integrity-rfc-cast-fixed and holds on the profiles where the map is tested for frozen.

import { describe, expect, it } from 'vitest';
import { findProperty } from './index.ts';
import { findProfile } from '../model/profile.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import type { Scenario, Step } from '../scenario/types.ts';

const prop = findProperty('integrity-ok-contents-unchanged')!;
const base = loadScenarioFile(new URL('../corpus/regressions/integrity-ok-contents-unchanged--integrity-rfc-cast-fixed--seed2980047484.json', import.meta.url).pathname);

/** the regression's map as a HASH with one element, deleted after the load */
function withDelete(s: Scenario): Scenario {
  const [create, load] = s.steps as [Step, Step, Step];
  const steps: Step[] = [
    { ...create, map_type: 1 } as Step,
    { actor: 'root', op: 'map_update_elem', fd: 'map7', key: 0, value: 1 },
    load,
    { actor: 'root', op: 'map_delete_elem', fd: 'map7', key: 0 },
  ].map((st) => {
    const { expect: _e, ...rest } = st as Step & { expect?: string };
    return rest as Step;
  });
  return { ...s, steps };
}

describe('integrity-ok-contents-unchanged: deletes', () => {
  it('a delete after the OK load of an unfrozen map fails on integrity-rfc-cast-fixed, and holds where the map is tested for frozen', () => {
    const s = withDelete(base);
    const v = prop.check(s, findProfile('integrity-rfc-cast-fixed')!);
    expect(v?.step).toBe(3);
    expect(v?.message).toMatch(/^map_delete_elem changed map id/);
    for (const ok of ['integrity-rfc', 'integrity-fixed', 'integrity-fixed-no-recheck']) expect(prop.check(s, findProfile(ok)!)).toBeNull();
  });
});
