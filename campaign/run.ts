// Campaign runner: batches of property checks spread over worker processes
// (child_process.fork of the CLI), per shard, for a number of runs or a time
// budget; aggregates runs, steps, distinct outcomes and findings.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findProfile } from '../model/profile.ts';
import { findProperty } from '../properties/index.ts';
import { checkProperty, type Counterexample } from '../properties/check.ts';
import { type Shard, batchOf, batchSeed, batchesFor } from './plan.ts';

export interface CampaignSpec {
  profile: string;
  properties: string[];
  seed: number;
  shard: Shard;
  workers: number;
  batchRuns: number;
  /** a fixed number of runs per property (whole campaign, all shards) ... */
  runs?: number;
  /** ... or a time budget in seconds */
  timeSec?: number;
}

export interface BatchResult {
  batch: number;
  property: string;
  runs: number;
  steps: number;
  outcomes: string[];
  counterexample?: Counterexample;
}

export interface PropertySummary {
  property: string;
  runs: number;
  /** the finding of the lowest batch, if any */
  counterexample?: Counterexample;
  batch?: number;
  /** runs of the failing batch until its failure */
  failRuns?: number;
}

export interface CampaignResult {
  spec: CampaignSpec;
  runs: number;
  steps: number;
  outcomes: number;
  seconds: number;
  properties: PropertySummary[];
}

/** one batch of one property, in this process */
export function runBatch(profileName: string, property: string, seed: number, batch: number, runs: number): BatchResult {
  const profile = findProfile(profileName)!;
  const prop = findProperty(property)!;
  let steps = 0;
  const outcomes = new Set<string>();
  const r = checkProperty(prop, profile, {
    runs,
    seed: batchSeed(seed, batch),
    observe: (c) => {
      steps += c.scenario.steps.length;
      c.scenario.steps.forEach((s, i) => outcomes.add(`${s.op}:${c.results[i]!.ret}`));
    },
  });
  const out: BatchResult = { batch, property, runs: r.runs, steps, outcomes: [...outcomes] };
  if (!r.ok) out.counterexample = r.counterexample;
  return out;
}

interface WorkerJob {
  spec: CampaignSpec;
  worker: number;
  deadline: number | null;
}

/** the loop of one worker: its batches, every property not yet failed here */
export function workerLoop(job: WorkerJob, send: (r: BatchResult) => void): void {
  const { spec, worker } = job;
  const failed = new Set<string>();
  const total = spec.runs !== undefined ? Math.ceil(spec.runs / spec.batchRuns) : Infinity;
  const batches = spec.runs !== undefined ? batchesFor(total, spec.shard, spec.workers, worker) : null;
  for (let k = 0; ; k++) {
    const b = batches ? batches[k] : batchOf(spec.shard, spec.workers, worker, k);
    if (b === undefined) return;
    if (job.deadline !== null && Date.now() >= job.deadline) return;
    for (const p of spec.properties) {
      if (failed.has(p)) continue;
      const r = runBatch(spec.profile, p, spec.seed, b, spec.batchRuns);
      if (r.counterexample) failed.add(p);
      send(r);
    }
    if (failed.size === spec.properties.length) return;
  }
}

const CLI = fileURLToPath(new URL('../cli/bpftc.js', import.meta.url));

export async function runCampaign(spec: CampaignSpec, onProgress?: (r: CampaignResult) => void): Promise<CampaignResult> {
  const t0 = Date.now();
  const deadline = spec.timeSec !== undefined ? t0 + spec.timeSec * 1000 : null;
  const res: CampaignResult = {
    spec,
    runs: 0,
    steps: 0,
    outcomes: 0,
    seconds: 0,
    properties: spec.properties.map((property) => ({ property, runs: 0 })),
  };
  const outcomes = new Set<string>();
  const add = (r: BatchResult): void => {
    const p = res.properties.find((x) => x.property === r.property)!;
    p.runs += r.runs;
    res.runs += r.runs;
    res.steps += r.steps;
    for (const o of r.outcomes) outcomes.add(o);
    res.outcomes = outcomes.size;
    if (r.counterexample && (p.batch === undefined || r.batch < p.batch)) {
      p.batch = r.batch;
      p.failRuns = r.runs;
      p.counterexample = r.counterexample;
    }
    res.seconds = (Date.now() - t0) / 1000;
    onProgress?.(res);
  };
  if (spec.workers === 1) {
    workerLoop({ spec, worker: 0, deadline }, add);
  } else {
    await Promise.all(
      Array.from({ length: spec.workers }, (_, worker) => {
        return new Promise<void>((resolve, reject) => {
          const child = fork(CLI, ['__campaign-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          child.on('message', (m: BatchResult | { done: true }) => {
            if ('done' in m) child.disconnect();
            else add(m);
          });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`campaign worker ${worker} exited with ${code}`))));
          child.send({ spec, worker, deadline } satisfies WorkerJob);
        });
      }),
    );
  }
  // a finding's run count: the shard's batches before the failing one (all of
  // them ran and passed), plus the failing batch's runs -- so it does not
  // depend on how many workers ran ahead
  for (const p of res.properties)
    if (p.batch !== undefined) p.runs = Math.floor(p.batch / spec.shard.count) * spec.batchRuns + p.failRuns!;
  res.seconds = (Date.now() - t0) / 1000;
  return res;
}

/** entry point of a forked worker: resolves once its results are sent */
export function workerMain(): Promise<number> {
  return new Promise((resolve) => {
    process.once('message', (job: WorkerJob) => {
      workerLoop(job, (r) => process.send!(r));
      process.send!({ done: true }, () => resolve(0));
    });
  });
}
