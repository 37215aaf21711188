// The BENCH_* environment variables npm run bench reads, each checked before
// use (as cli/env.ts checks BPFTC_*): a bad value, or a BENCH_* name the bench
// does not know (a typo), is one line and exit 2.

interface IntVar {
  min: number;
  max: number;
  what: string;
  fallback: number;
}

export const BENCH_VARS: Readonly<Record<string, IntVar>> = {
  BENCH_SCENARIOS: { min: 1, max: 1_000_000, fallback: 2000, what: 'generated scenarios for the model and kernel figures' },
  BENCH_KERNEL: { min: 1, max: 1_000_000, fallback: 1000, what: 'generated scenarios run on the kernel (at most BENCH_SCENARIOS)' },
  BENCH_ALL_RUNS: { min: 1, max: 1_000_000, fallback: 2000, what: 'runs per property of the fuzz --property all figures' },
  BENCH_SEEDS: { min: 1, max: 1000, fallback: 10, what: 'seeds per historical bug for the time to the first counterexample' },
  BENCH_STARTS: { min: 1, max: 1000, fallback: 10, what: 'starts of bpftc --help and bpftc properties timed' },
  BENCH_VM: { min: 0, max: 100_000, fallback: 200, what: 'generated scenarios per VM campaign figure (0: no VM figures)' },
};

/** the value of every BENCH_* variable, or a one-line message naming the bad one */
export function benchEnv(env: NodeJS.ProcessEnv = process.env): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const name of Object.keys(env))
    if (name.startsWith('BENCH_') && !Object.hasOwn(BENCH_VARS, name)) return `unknown environment variable ${name} (npm run bench reads ${Object.keys(BENCH_VARS).join(', ')})`;
  for (const [name, v] of Object.entries(BENCH_VARS)) {
    const raw = env[name];
    if (raw === undefined) {
      out[name] = v.fallback;
      continue;
    }
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < v.min || n > v.max) return `environment variable ${name} (${v.what}) takes an integer in ${v.min}..${v.max}, got ${JSON.stringify(raw)}`;
    out[name] = n;
  }
  return out;
}
