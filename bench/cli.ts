// The bench's whole-command figures: bpftc as a user runs it (node
// cli/bpftc.js: the compiled CLI while dist/ is fresh), timed from outside.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { record, verdict } from './table.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'cli', 'bpftc.js');

/** one run of bpftc: exit status, stdout, wall seconds */
export function bpftc(args: string[]): { status: number | null; stdout: string; sec: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, BPFTC_DEBUG: '0' } });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  return { status: r.status, stdout: r.stdout ?? '', sec };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** start-up: the median and max wall time of `bpftc ARGS` over n starts */
export function startup(args: string[], n: number): string {
  const t = Array.from({ length: n }, () => bpftc(args).sec);
  record(`start-up (median, max of ${n})`, `${median(t).toFixed(3)} s, ${Math.max(...t).toFixed(3)} s`, `bpftc ${args.join(' ')}`, `<= 0.3 s: ${verdict(median(t) <= 0.3)}`);
  return `start-up, bpftc ${args.join(' ')}: median ${median(t).toFixed(3)} s, max ${Math.max(...t).toFixed(3)} s (${n} starts)`;
}

/** fuzz --property all on a profile with W workers: property-runs per second of wall time, start-up included */
export function allThroughput(profile: string, runs: number, workers: number): { line: string; rate: number } {
  const r = bpftc(['fuzz', '--profile', profile, '--property', 'all', '--runs', String(runs), '--seed', '1', '--workers', String(workers), '--json']);
  const results = (JSON.parse(r.stdout) as { results: Array<{ runs: number }> }).results;
  const total = results.reduce((a, x) => a + x.runs, 0);
  const rate = total / r.sec;
  const cmd = `bpftc fuzz --profile ${profile} --property all --runs ${runs} --seed 1 --workers ${workers}`;
  // the goal: 20,000 runs in <= 60 s with 2 workers (measured with BENCH_ALL_RUNS=20000)
  const goal = workers === 2 && runs === 20000 ? `<= 60 s: ${verdict(r.sec <= 60)}` : workers === 2 ? '<= 60 s at 20,000 runs (BENCH_ALL_RUNS=20000)' : '';
  record(`fuzz --property all, ${profile}, ${workers} worker(s)`, `${r.sec.toFixed(1)} s wall, ${Math.round(rate)} property runs/s`, cmd, goal);
  return { rate, line: `fuzz --profile ${profile} --property all --runs ${runs} --workers ${workers}: ${r.sec.toFixed(1)} s, ${total} property runs, ${Math.round(rate)} runs/s` };
}

/** the time to the first counterexample of a property on a profile (one worker, start-up included), over seeds 1..n */
export function firstCounterexample(profile: string, property: string, n: number): string {
  const t: number[] = [];
  let missed = 0;
  for (let seed = 1; seed <= n; seed++) {
    const r = bpftc(['fuzz', '--profile', profile, '--property', property, '--runs', '20000', '--seed', String(seed), '--workers', '1']);
    if (r.status === 1) t.push(r.sec);
    else missed++;
  }
  const found = t.length ? `median ${median(t).toFixed(2)} s, max ${Math.max(...t).toFixed(2)} s` : 'never found';
  record(`first counterexample, ${property} on ${profile} (${n} seeds)`, found + (missed ? `, ${missed} seeds none` : ''), `bpftc fuzz --profile ${profile} --property ${property} --runs 20000 --seed 1..${n} --workers 1`, `median <= 1 s: ${verdict(t.length > 0 && missed === 0 && median(t) <= 1)}`);
  return `first counterexample, ${property} on ${profile}: ${found} over ${n} seeds${missed ? ` (${missed} seeds found none in 20000 runs)` : ''}`;
}

/** how close fuzz --time S stops to S seconds (issue 13: within 5%), start-up and report included */
export function timeBudget(profile: string, sec: number): string {
  const r = bpftc(['fuzz', '--profile', profile, '--property', 'all', '--time', String(sec), '--seed', '1']);
  const over = (r.sec - sec) / sec;
  record(`--time ${sec}: wall time`, `${r.sec.toFixed(2)} s (${(over * 100).toFixed(1)}% over)`, `bpftc fuzz --profile ${profile} --property all --time ${sec} --seed 1`, `within 5%: ${verdict(Math.abs(over) <= 0.05)}`);
  return `fuzz --profile ${profile} --property all --time ${sec}: ${r.sec.toFixed(2)} s wall (${(((r.sec - sec) / sec) * 100).toFixed(1)}% over the budget)`;
}
