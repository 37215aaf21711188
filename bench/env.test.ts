import { describe, expect, it } from 'vitest';
import { benchEnv } from './env.ts';

describe('BENCH_* variables', () => {
  it('defaults, values, and one line for a bad value or an unknown name', () => {
    expect(benchEnv({})).toMatchObject({ BENCH_SCENARIOS: 2000, BENCH_SEEDS: 10 });
    expect(benchEnv({ BENCH_SEEDS: '3' })).toMatchObject({ BENCH_SEEDS: 3 });
    for (const bad of ['', 'x', '-1', '0', '1e3', '99999999999'])
      expect(benchEnv({ BENCH_SEEDS: bad })).toMatch(/^environment variable BENCH_SEEDS .* takes an integer in 1\.\.1000, got /);
    expect(benchEnv({ BENCH_SEED: '1' })).toMatch(/^unknown environment variable BENCH_SEED /);
  });
});
