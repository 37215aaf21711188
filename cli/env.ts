// The environment variables bpftc and its test suite read. Each is checked
// before use: a bad value is one line naming the variable, never a silent NaN.

import { UsageError } from './args.ts';

export const SEED_MAX = 2 ** 32 - 1;
export const RUNS_MAX = 1_000_000_000;

interface IntVar {
  min: number;
  max: number;
  what: string;
}

/** every BPFTC_* variable read anywhere (cli, and the test suite's RUNS/SEED knobs) */
export const ENV_VARS: Readonly<Record<string, IntVar>> = {
  BPFTC_RUNS: { min: 1, max: RUNS_MAX, what: 'default --runs of fuzz, diff and coverage; runs per property in npm test' },
  BPFTC_SEED: { min: 0, max: SEED_MAX, what: 'default --seed' },
  BPFTC_ORACLE_RUNS: { min: 1, max: RUNS_MAX, what: 'default --runs of oracle; generated scenarios in the oracle test' },
  BPFTC_DEBUG: { min: 0, max: 1, what: '1: internal errors print their stack trace' },
  BPFTC_TSX: { min: 0, max: 1, what: '1: run the TypeScript sources through tsx even when the compiled CLI (dist/) is fresh' },
};

/** the value of one variable, undefined when unset; a UsageError when malformed */
export function envInt(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!Object.hasOwn(ENV_VARS, name)) throw new Error(`internal: ${name} is not a known variable`);
  const spec = ENV_VARS[name]!;
  if (!Object.hasOwn(env, name) || env[name] === undefined) return undefined;
  const raw = env[name]!;
  if (raw === '') throw new UsageError(`environment variable ${name} is empty (unset it, or give an integer in ${spec.min}..${spec.max})`);
  if (!/^\d+$/.test(raw)) throw new UsageError(`environment variable ${name} takes an integer in ${spec.min}..${spec.max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < spec.min || n > spec.max)
    throw new UsageError(`environment variable ${name} takes an integer in ${spec.min}..${spec.max}, got ${raw}`);
  return n;
}

/** checks every known variable (the first bad one throws) */
export function checkEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(ENV_VARS)) envInt(name, env);
}

/** BPFTC_DEBUG=1, read without throwing (the top-level handler uses it) */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BPFTC_DEBUG === '1';
}
