// The --procs generator reaches the element ops (issue 12: maps with contents): among the
// scenarios that update or delete an element, a few percent or more succeed in each, and a
// delete also meets its refusals (EINVAL: an ARRAY; ENOENT: an absent key; EBADF: no map).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './scenario.ts';
import { findProfile } from '../model/profile.ts';

describe('procs generator: map_update_elem and map_delete_elem', () => {
  it('updates and deletes an element in at least 3% of the scenarios that draw one, and a delete is refused in at least 3%', () => {
    const arb = scenarioArb({ profile: findProfile('linux-6.18')!, sysctl: 2, maxCommands: 30, procs: true });
    let drawn = 0;
    let updated = 0;
    let deleted = 0;
    let refused = 0;
    for (const c of fc.sample(arb, { numRuns: 800, seed: 1 })) {
      const rets = (op: string): Array<string | undefined> => c.scenario.steps.flatMap((s, i) => (s.op === op ? [c.results[i]?.ret] : []));
      const up = rets('map_update_elem');
      const del = rets('map_delete_elem');
      if (!up.length && !del.length) continue;
      drawn++;
      if (up.includes('ok')) updated++;
      if (del.includes('ok')) deleted++;
      if (del.some((r) => r !== 'ok')) refused++;
    }
    expect(drawn).toBeGreaterThan(50);
    expect(updated / drawn).toBeGreaterThanOrEqual(0.03);
    expect(deleted / drawn).toBeGreaterThanOrEqual(0.03);
    expect(refused / drawn).toBeGreaterThanOrEqual(0.03);
  });
});
