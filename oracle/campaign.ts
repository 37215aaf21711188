// An oracle campaign: every scenario (from a generator or a corpus) runs on the
// model and on the real kernel; disagreements are shrunk and reported. The
// scenarios come from elsewhere (generators/); this file only consumes them.

import type { Scenario } from '../scenario/types.ts';
import { type DriverOptions, type KernelRun, type Probe, type ScenarioRunner, ExecutorPool, KernelExecutor, adaptToMachine, kernelUncheckable, probeKernel } from './driver.ts';
import { type Comparison, type CoverageTable, addCoverage, compareWithKernel, newCoverage } from './compare.ts';
import { type ShrinkResult, formatSideBySide, shrinkDisagreement } from './shrink.ts';

export { formatCoverageTable } from './compare.ts';

export interface Disagreement {
  /** position of the scenario in `scenarios` (from 0): results that finish out
   *  of order (several VMs) are reported in this order */
  index: number;
  /** the scenario as run (adapted to the machine) */
  scenario: Scenario;
  comparison: Comparison & { kind: 'disagree' };
  /** null when shrinking was off or the disagreement did not reproduce */
  shrunk: ShrinkResult | null;
  /** formatSideBySide() of the shrunk (or original) scenario */
  report: string;
}

export interface CampaignOptions extends DriverOptions {
  scenarios: AsyncIterable<Scenario> | Iterable<Scenario>;
  onDisagreement?: (d: Disagreement) => void | Promise<void>;
  /** called after every compared scenario */
  onResult?: (s: Scenario, c: Comparison) => void;
  /** shrink disagreements (default true) */
  shrink?: boolean;
  /** stop after this many disagreements (default: never) */
  maxDisagreements?: number;
  /** scenarios in flight per executor (default 16) */
  concurrency?: number;
  /** executor processes running the scenarios (default 1; ExecutorPool): one per
   *  core. Disagreements are shrunk on one more executor. Unused with `executor` */
  workers?: number;
  /** a probe already made (else probeKernel() is called) */
  probe?: Probe;
  /** stops the campaign (a signal): the executors are killed, what was compared so far is returned */
  signal?: AbortSignal;
  /** an executor already running (the VM oracle's guest): used for the
   *  scenarios and their shrinking, and left open for the caller to close */
  executor?: ScenarioRunner;
  /** another comparison (the SELinux VM oracle also compares AVC decisions), used for shrinking too */
  compare?: (s: Scenario, r: KernelRun) => Comparison;
  /** another side-by-side report of a disagreement */
  format?: (s: Scenario, c: Comparison, r: KernelRun | undefined) => string;
  /** another kernel-checkability rule (default kernelUncheckable()) */
  uncheckable?: (s: Scenario) => string | null;
}

export interface CampaignResult {
  /** null when the oracle cannot run here; `skip` says why */
  skip?: string;
  probe?: Probe;
  scenarios: number;
  agreements: number;
  disagreements: number;
  /** kernel set-up errors, refused steps, timeouts (prefixes agreed) */
  setupErrors: number;
  /** the set-up errors by kind: the error text with numbers and quoted names blanked, and a count */
  setupErrorKinds: Record<string, number>;
  /** scenarios that cannot run on the executor (e.g. thread_of) */
  unsupported: number;
  coverage: CoverageTable;
  shrunk: Disagreement[];
  /** stopped early by `signal` */
  aborted?: boolean;
}

export async function runOracleCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const result: CampaignResult = {
    scenarios: 0,
    agreements: 0,
    disagreements: 0,
    setupErrors: 0,
    setupErrorKinds: {},
    unsupported: 0,
    coverage: newCoverage(),
    shrunk: [],
  };
  const probe = opts.probe ?? (await probeKernel(opts.bin !== undefined ? { bin: opts.bin } : {}));
  if ('skip' in probe) return { ...result, skip: probe.skip };
  result.probe = probe;
  const workers = opts.executor ? 1 : Math.max(1, opts.workers ?? 1);
  const ex = opts.executor ?? (workers > 1 ? new ExecutorPool(workers, opts) : new KernelExecutor(opts));
  const shrinkEx = opts.executor ?? new KernelExecutor(opts);
  const conc = (opts.concurrency ?? 16) * workers;
  const inflight = new Set<Promise<void>>();
  let stop = false;
  const abort = (): void => {
    stop = true;
    result.aborted = true;
    ex.kill?.();
    shrinkEx.kill?.();
  };
  if (opts.signal?.aborted) abort();
  opts.signal?.addEventListener('abort', abort);
  // results are counted in scenario order whatever order they finish in (several
  // executors or guests): the coverage table, the counts and maxDisagreements
  // are those of one executor
  const finished = new Map<number, { s: Scenario; c: Comparison; run: KernelRun } | null>();
  let counted = 0;
  const account = (s: Scenario, c: Comparison, run: KernelRun, index: number): Array<() => Promise<void>> => {
    result.scenarios++;
    addCoverage(result.coverage, s, c);
    opts.onResult?.(s, c);
    if (c.kind === 'agree') result.agreements++;
    else if (c.kind === 'error') {
      result.setupErrors++;
      const kind = c.error.split('\n')[0]!.replace(/^line \d+: /, '').replace(/[0-9a-f]{16,}/g, '…').slice(0, 120);
      result.setupErrorKinds[kind] = (result.setupErrorKinds[kind] ?? 0) + 1;
    } else {
      result.disagreements++;
      if (opts.maxDisagreements !== undefined && result.disagreements >= opts.maxDisagreements) stop = true;
      return [() => shrinkOne(s, c, run, index)];
    }
    return [];
  };
  const shrinkOne = async (s: Scenario, c: Comparison & { kind: 'disagree' }, run: KernelRun, index: number): Promise<void> => {
    const shrunk = opts.shrink === false || result.aborted ? null : await shrinkDisagreement(s, shrinkEx, { start: c, ...(opts.compare ? { compare: opts.compare } : {}) });
    const report = opts.format
      ? shrunk
        ? opts.format(shrunk.scenario, shrunk.comparison, undefined)
        : opts.format(s, c, run)
      : shrunk
        ? formatSideBySide(shrunk.scenario, shrunk.comparison.model, shrunk.comparison.kernel)
        : formatSideBySide(s, c.model, c.kernel);
    const d: Disagreement = { index, scenario: s, comparison: c, shrunk, report };
    result.shrunk.push(d);
    await opts.onDisagreement?.(d);
  };
  /** counts the finished results that are next in scenario order (all of them when
   *  `gaps`: an aborted campaign); returns their shrinking */
  const drain = (gaps = false): Array<() => Promise<void>> => {
    const work: Array<() => Promise<void>> = [];
    const order = gaps ? [...finished.keys()].sort((a, b) => a - b) : [];
    for (;;) {
      const i = gaps ? order.shift() : counted;
      if (i === undefined || !finished.has(i)) break;
      const f = finished.get(i)!;
      finished.delete(i);
      counted = i + 1;
      if (f) work.push(...account(f.s, f.c, f.run, i));
    }
    return work;
  };
  /** the shrinking of disagreements counted outside a scenario's own handle(), in flight too */
  const track = (work: Array<() => Promise<void>>): void => {
    if (!work.length) return;
    const p: Promise<void> = (async () => {
      for (const w of work) await w();
    })().finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const handle = async (orig: Scenario, index: number): Promise<void> => {
    const s = adaptToMachine(orig, probe);
    const run = await ex.run(s);
    if (result.aborted) return; // killed under it: not a result
    finished.set(index, { s, c: (opts.compare ?? compareWithKernel)(s, run), run });
    for (const w of drain()) await w();
  };
  let next = 0;
  try {
    for await (const s of opts.scenarios as AsyncIterable<Scenario>) {
      if (stop) break;
      const index = next++;
      if ((opts.uncheckable ?? kernelUncheckable)(s)) {
        result.unsupported++;
        finished.set(index, null);
        track(drain());
        continue;
      }
      const p: Promise<void> = handle(s, index).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= conc) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    // stopped (a signal): what finished is counted, in scenario order
    for (const w of drain(true)) await w();
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    if (!opts.executor) await Promise.all([ex.close(), shrinkEx.close()]);
  }
  result.shrunk.sort((a, b) => a.index - b.index);
  return result;
}
