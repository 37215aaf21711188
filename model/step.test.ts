// Each op of scenario/ops.ts is performed by exactly one layer's step table
// (model/step.ts): the compiler sees that every op has an entry in the joined
// table; this sees that no two layers claim the same op (a spread would let
// the later one win silently).

import { describe, expect, it } from 'vitest';
import { OPS } from '../scenario/ops.ts';
import { STEP_TABLES } from './run.ts';

describe('the layers\' step tables', () => {
  it('cover every op of the op table once', () => {
    const owners = new Map<string, number>();
    for (const t of STEP_TABLES) for (const op of Object.keys(t)) owners.set(op, (owners.get(op) ?? 0) + 1);
    expect([...owners].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...owners.keys()].sort()).toEqual(Object.keys(OPS).sort());
  });
});
