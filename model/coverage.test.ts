import { describe, expect, it } from 'vitest';
import { DECISION_POINTS, type DecisionPointId, findDecisionPoint } from './coverage.ts';

describe('decision-point ids', () => {
  it('are typed constants: a misspelt id does not compile (tsc --noEmit checks the @ts-expect-error)', () => {
    const ok: DecisionPointId = 'bpf_token_create/flags';
    // @ts-expect-error misspelt check name: not a DecisionPointId
    const bad: DecisionPointId = 'bpf_token_create/flagz';
    expect(findDecisionPoint(ok)?.fn).toBe('bpf_token_create (kernel/bpf/token.c)');
    expect(findDecisionPoint(bad)).toBeUndefined();
  });

  it('are unique', () => {
    const ids = DECISION_POINTS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
