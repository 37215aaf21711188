// Arbitrary capability sets: "all" most often, else subsets of the
// capabilities these layers test.

import fc from 'fast-check';

export const RELEVANT_CAPS = ['BPF', 'SYS_ADMIN', 'NET_ADMIN', 'PERFMON', 'SETUID', 'DAC_OVERRIDE', 'DAC_READ_SEARCH'] as const;

export const capSet: fc.Arbitrary<string[] | 'all'> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('all' as const) },
  { weight: 2, arbitrary: fc.subarray([...RELEVANT_CAPS]) },
  { weight: 1, arbitrary: fc.constant([] as string[]) },
);

/** a capset step: a subset of the relevant capabilities */
export const capSubsetArb: fc.Arbitrary<string[]> = fc.subarray([...RELEVANT_CAPS]);
