// The host oracle's figures of npm run bench (issue 13): kernel scenarios/s of
// `bpftc oracle`'s campaign (oracle/campaign.ts, shrinking off) per worker count
// (executor processes, --workers), on the hand-written corpus and on generated
// scenarios, with the CPU time per scenario of the driver (this process) and of
// the executors (their whole process trees, reaped). Never asserted by tests.

import { readFileSync } from 'node:fs';
import type { Probe } from '../oracle/driver.ts';
import { runOracleCampaign } from '../oracle/campaign.ts';
import type { Scenario } from '../scenario/types.ts';

/** CPU seconds of this process and of its reaped children (/proc/self/stat utime..cstime) */
export function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14..17 of proc(5), here from field 3 on: utime stime cutime cstime, in clock ticks (100 Hz on Linux)
  const t = (i: number): number => Number(f[i - 3]) / 100;
  return { self: t(14) + t(15), children: t(16) + t(17) };
}

export interface OracleFigure {
  label: string;
  workers: number;
  scenarios: number;
  steps: number;
  seconds: number;
  agree: number;
  /** CPU ms per scenario: the driver (model included), the executors */
  driverMs: number;
  executorMs: number;
}

/** one campaign over `ks` with `workers` executors */
export async function oracleFigure(label: string, ks: readonly Scenario[], probe: Probe, workers: number): Promise<OracleFigure> {
  const steps = ks.reduce((a, s) => a + s.steps.length, 0);
  const c0 = cpuSeconds();
  const t0 = process.hrtime.bigint();
  const res = await runOracleCampaign({ scenarios: ks, probe, shrink: false, workers });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = cpuSeconds();
  return {
    label,
    workers,
    scenarios: res.scenarios,
    steps,
    seconds,
    agree: res.agreements,
    driverMs: ((c1.self - c0.self) * 1000) / ks.length,
    executorMs: ((c1.children - c0.children) * 1000) / ks.length,
  };
}

export function formatOracleFigure(f: OracleFigure): string {
  return (
    `kernel, ${f.label}, ${f.workers} worker(s): ${f.scenarios} scenarios of ${(f.steps / f.scenarios).toFixed(1)} steps: ` +
    `${Math.round(f.scenarios / f.seconds)} scenarios/s (${Math.round(f.steps / f.seconds)} steps/s), ${f.agree}/${f.scenarios} agree; ` +
    `CPU per scenario ${f.driverMs.toFixed(2)} ms driver + ${f.executorMs.toFixed(2)} ms executors`
  );
}
