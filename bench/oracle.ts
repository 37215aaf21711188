// The host oracle's figures of npm run bench (issue 13): kernel scenarios/s of
// `bpftc oracle`'s campaign (oracle/campaign.ts, shrinking off) per worker count
// (executor processes, --workers), on the hand-written corpus and on generated
// scenarios, with the CPU time per scenario of the driver (this process) and of
// the executors (their whole process trees, reaped). Never asserted by tests.
// `npx tsx bench/oracle.ts [K]` prints only these figures (K generated scenarios, default 1000).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { record, verdict } from './table.ts';
import fc from 'fast-check';
import { type Probe, probeKernel } from '../oracle/driver.ts';
import { runOracleCampaign } from '../oracle/campaign.ts';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { findProfile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';

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
  /** what the scenarios that did not agree were: disagreements, and set-up errors by kind
   *  (oracle/campaign.ts), so that a figure below full agreement says why */
  notAgreed: string;
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
    notAgreed: [
      ...(res.disagreements ? [`${res.disagreements} disagree`] : []),
      ...Object.entries(res.setupErrorKinds).map(([k, n]) => `${n} kernel set-up error(s): ${k}`),
      ...(res.unsupported ? [`${res.unsupported} not runnable on the executor`] : []),
    ].join('; '),
    driverMs: ((c1.self - c0.self) * 1000) / ks.length,
    executorMs: ((c1.children - c0.children) * 1000) / ks.length,
  };
}

export function formatOracleFigure(f: OracleFigure): string {
  return (
    `kernel, ${f.label}, ${f.workers} worker(s): ${f.scenarios} scenarios of ${(f.steps / f.scenarios).toFixed(1)} steps: ` +
    `${Math.round(f.scenarios / f.seconds)} scenarios/s (${Math.round(f.steps / f.seconds)} steps/s), ${f.agree}/${f.scenarios} agree${f.notAgreed ? ` (${f.notAgreed})` : ''}; ` +
    `CPU per scenario ${f.driverMs.toFixed(2)} ms driver + ${f.executorMs.toFixed(2)} ms executors`
  );
}

/** the worker counts of the figures: 1, 2, one per core, two per core */
export const WORKER_COUNTS: readonly number[] = [...new Set([1, 2, availableParallelism(), 2 * availableParallelism()])].sort((a, b) => a - b);

/** the scenario sets of the figures: the hand-written kernel corpus ten times (long enough
 *  that starting the executors does not weigh), and `generated` */
export function oracleSets(generated: Scenario[]): Array<[string, Scenario[]]> {
  const corpus = loadCorpus(new URL('../corpus/kernel', import.meta.url).pathname).map((e) => e.scenario);
  return [
    ['kernel corpus (hand-written) x10', Array.from({ length: 10 }, () => corpus).flat()],
    ['generated', generated],
  ];
}

/** one line per set and worker count; returns each set's one-worker seconds */
export async function oracleBench(probe: Probe, sets: Array<[string, Scenario[]]>, log: (l: string) => void): Promise<number[]> {
  const ones: number[] = [];
  // warm-up (the driver's JIT, the executor's page cache): the first set once, not timed
  if (sets[0]) await runOracleCampaign({ scenarios: sets[0][1].slice(0, 100), probe, shrink: false });
  for (const [label, ks] of sets) {
    let oneSec = 0;
    for (const workers of WORKER_COUNTS) {
      const f = await oracleFigure(label, ks, probe, workers);
      if (workers === 1) oneSec = f.seconds;
      log(`${formatOracleFigure(f)}${workers > 1 ? ` (${(oneSec / f.seconds).toFixed(2)}x one worker)` : ''}`);
      const rate = f.scenarios / f.seconds;
      const target = label.startsWith('kernel corpus') ? 1000 : 500;
      record(
        `host oracle, ${label} (${(f.steps / f.scenarios).toFixed(1)} steps), ${workers} worker(s)`,
        `${Math.round(rate)} scenarios/s, ${f.agree}/${f.scenarios} agree${f.notAgreed ? ` (${f.notAgreed})` : ''}; CPU ${f.driverMs.toFixed(2)} + ${f.executorMs.toFixed(2)} ms per scenario${workers > 1 ? ` (${(oneSec / f.seconds).toFixed(2)}x)` : ''}`,
        `bpftc oracle --workers ${workers} (bench/oracle.ts: no shrinking, ${f.scenarios} scenarios)`,
        workers === 2 ? `>= ${target}/s on 2 cores: ${verdict(rate >= target)}` : '',
      );
    }
    ones.push(oneSec);
  }
  return ones;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const k = Number(process.argv[2] ?? 1000);
  const probe = await probeKernel();
  if ('skip' in probe) console.log(`kernel: skipped (${probe.skip})`);
  else {
    const gen = fc.sample(scenarioArb({ profile: findProfile('linux-6.18')!, sysctl: 2 }), { numRuns: Number.isSafeInteger(k) && k > 0 ? k : 1000, seed: 42 }).map((c) => c.scenario);
    await oracleBench(probe, oracleSets(gen), (l) => console.log(l));
  }
}
