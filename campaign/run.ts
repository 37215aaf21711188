// Campaign runner: batches of property checks spread over worker processes
// (child_process.fork of the CLI), per shard, for a number of runs or a time
// budget; aggregates runs, steps, distinct outcomes and findings.
//
// Stopping: the time budget of --time is counted from the start of the
// process that runs the campaign (spec.startedAt), so that the campaign ends
// S seconds after it was started plus the last case and the report (issue 13:
// within 5% of S); a worker that gets its job late still searches for
// min(S, 1 s) (so that a loaded machine's start-up does not eat a short
// budget whole). The clock is looked at before every generated case and every
// shrink candidate (a failure found late is shrunk only until the budget is
// spent: its counterexample is the smallest failing case found by then). On SIGINT / SIGTERM to the parent (runCampaign with `signals`)
// the parent SIGKILLs every worker, waits until each is gone and its last
// messages are read, and returns what was found so far with `interrupted`
// set; a worker that dies of SIGINT / SIGTERM itself (a terminal's ^C reaches
// the whole process group) stops the campaign the same way. A worker whose
// parent died (its parent pid changed, or its IPC channel closed) stops at the
// next generated case and exits without a word.

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findProfile } from '../model/profile.ts';
import { findProperty } from '../properties/index.ts';
import { type CheckOptions, type CheckResult, type Counterexample, checkGroup, groupByGenerator } from '../properties/check.ts';
import { BOARD_FD, FailureBoard, closeBoard, createBoard } from './board.ts';
import { type Shard, batchOf, batchSeed, batchesFor } from './plan.ts';
import { type CoverageSection, CoverageRecorder, mergeSections } from '../speccov/record.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

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
  /** when the campaign's process started (epoch ms; runCampaign sets it): the time budget counts from there */
  startedAt?: number;
  /** record decision-point coverage of every generated case (fuzz --coverage FILE) */
  coverage?: boolean;
  /** plugin files (absolute paths) each worker loads before its first batch (api/plugins.ts) */
  plugins?: readonly string[];
}

export interface BatchResult {
  batch: number;
  property: string;
  runs: number;
  steps: number;
  outcomes: string[];
  counterexample?: Counterexample;
  /** seconds this batch took (a group's batch: the same for each of its properties) */
  seconds: number;
  /** the batch's coverage (with the first result of a group, like steps) */
  coverage?: CoverageSection;
  /** dropped: another worker's lower batch failed this property (campaign/board.ts) */
  abandoned?: true;
}

export interface PropertySummary {
  property: string;
  runs: number;
  /** the finding of the lowest batch, if any */
  counterexample?: Counterexample;
  batch?: number;
  /** runs of the failing batch until its failure */
  failRuns?: number;
  /** seconds spent on batches that checked this property (shared batches count for each member) */
  seconds: number;
}

export interface CampaignResult {
  spec: CampaignSpec;
  runs: number;
  steps: number;
  outcomes: number;
  seconds: number;
  properties: PropertySummary[];
  /** the signal that stopped the campaign early, if one did */
  interrupted?: StopSignal;
  /** when it started (ISO 8601) */
  timestamp: string;
  /** decision-point coverage of every generated case (spec.coverage) */
  coverage?: CoverageSection;
  /** batch results a worker dropped because another's lower batch had failed the property (campaign/board.ts) */
  abandoned: number;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** the shell's convention: 128 + the signal number */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface RunOptions {
  /**
   * stop on SIGINT / SIGTERM (the CLI): the handlers are installed for the
   * campaign's duration, and every worker, even a single one, is a separate
   * process so that the parent stays free to react
   */
  signals?: boolean;
}

/** one batch of one property, in this process; `stop` ends it early (as passed so far) */
export function runBatch(
  profileName: string,
  property: string,
  seed: number,
  batch: number,
  runs: number,
  stop?: () => boolean,
): BatchResult {
  return runGroupBatch(profileName, [property], seed, batch, runs, stop)[0]!;
}

/**
 * one batch of properties that share a generator (properties/check.ts
 * checkGroup: each case generated and run once for all of them), one result
 * per property, each as runBatch gives it; the steps and outcomes of a case
 * count once per property checked on it, as with runBatch
 */
export function runGroupBatch(
  profileName: string,
  properties: readonly string[],
  seed: number,
  batch: number,
  runs: number,
  stop?: () => boolean,
  /** record coverage, tagging cases with this group number (the tie-breaker of witnesses) */
  coverageGroup?: number,
  /** true: a failure found is shrunk no further (CheckOptions.shrinkStop: a --time campaign past its budget) */
  shrinkStop?: () => boolean,
  /** the failure board of a campaign with several workers (CheckOptions.abandon, .failed) */
  board?: Pick<CheckOptions, 'abandon' | 'failed'>,
): BatchResult[] {
  const t0 = performance.now();
  const profile = findProfile(profileName)!;
  const props = properties.map((p) => findProperty(p)!);
  let steps = 0;
  const outcomes = new Set<string>();
  const rec = coverageGroup !== undefined ? new CoverageRecorder(profile, 'fuzz', seed) : null;
  let index = 0;
  const rs: CheckResult[] = checkGroup(props, profile, {
    runs,
    seed: batchSeed(seed, batch),
    observe: (c, checks = 1) => {
      steps += c.scenario.steps.length * checks;
      const ss = c.scenario.steps;
      for (let i = 0; i < ss.length; i++) outcomes.add(outcomeKey(ss[i]!.op, c.results[i]!.ret));
      rec?.add(c.scenario, [batch, coverageGroup!, index++]);
    },
    ...(stop ? { interrupt: stop } : {}),
    ...(shrinkStop ? { shrinkStop } : {}),
    ...board,
  });
  const seconds = (performance.now() - t0) / 1000;
  // the batch's steps, outcomes and coverage go with its first result (the parent sums them)
  return rs.map((r, i) => {
    const out: BatchResult = { batch, property: props[i]!.name, runs: r.runs, steps: i === 0 ? steps : 0, outcomes: i === 0 ? [...outcomes] : [], seconds };
    if (!r.ok) out.counterexample = r.counterexample;
    else if (r.abandoned) out.abandoned = true;
    if (i === 0 && rec) out.coverage = rec.section;
    return out;
  });
}

/** "op:ret", one string per pair made once (issue 13: a string per step of every
 *  generated case was 1% of a campaign) */
const outcomeKeys = new Map<string, Map<string, string>>();
function outcomeKey(op: string, ret: string): string {
  let byRet = outcomeKeys.get(op);
  if (!byRet) outcomeKeys.set(op, (byRet = new Map()));
  let k = byRet.get(ret);
  if (k === undefined) {
    k = `${op}:${ret}`;
    // bounded: a ret is an errno name or "ok", but a REFUSED text could be anything
    if (byRet.size < 256) byRet.set(ret, k);
  }
  return k;
}

/** the least time a worker of a --time campaign searches, however late it starts */
const MIN_SEARCH_SEC = 1;
/** the end of a --time campaign's search, before S: 2% of S, at most 1 s, is left for the
 *  last case, the parent's report and matching the failures to known findings (issue 13:
 *  the whole command within 5% of S; `--time 5` took 5.21 s with none left) */
const REPORT_RESERVE = (timeSec: number): number => Math.min(0.02 * timeSec, 1) * 1000;

interface WorkerJob {
  spec: CampaignSpec;
  worker: number;
  /** the failure board's fd (campaign/board.ts), in a worker process of a campaign of several */
  boardFd?: number;
  /** the units come from the parent, one at a time (dispatchedLoop) */
  dispatch?: true;
}

/** worker -> parent: the next unit, please; parent -> worker: it, or null (no more) */
interface NextRequest {
  next: true;
}
interface NextReply {
  unit: Unit | null;
}

/** one unit of a campaign's work: a batch of one generator group (the properties that share a generator) */
export interface Unit {
  batch: number;
  group: number;
}

/** the groups of a campaign's properties (groupByGenerator), by name */
function groupsOf(spec: CampaignSpec): string[][] {
  return groupByGenerator(spec.properties.map((p) => findProperty(p)!)).map((g) => g.map((p) => p.name));
}

/**
 * one worker's state: `run` runs a unit with every property of its group not yet
 * failed (or dropped) here and sends the results; false once the budget is spent
 * or `stop` says so. The budget (--time) and `stop` are asked before every unit
 * and every generated case.
 */
function workerState(job: WorkerJob, send: (r: BatchResult) => void, stop: () => boolean): { run: (u: Unit) => boolean; allFailed: () => boolean; done: () => boolean } {
  const { spec, worker } = job;
  const deadline =
    spec.timeSec !== undefined
      ? Math.max((spec.startedAt ?? Date.now()) + spec.timeSec * 1000 - REPORT_RESERVE(spec.timeSec), Date.now() + Math.min(spec.timeSec, MIN_SEARCH_SEC) * 1000)
      : null;
  const done = deadline === null ? stop : (): boolean => Date.now() >= deadline || stop();
  // a --time campaign shrinks a failure only until the budget is spent (the
  // counterexample is then the smallest failing case found so far); a
  // campaign of a number of runs shrinks to the end (its output depends on
  // the seed only)
  const shrinkStop = deadline === null ? undefined : done;
  const failed = new Set<string>();
  // the failure board: a property another worker saw fail in a lower batch is dropped
  const board = job.boardFd !== undefined ? new FailureBoard(job.boardFd, spec.properties.length, spec.workers, worker) : null;
  const propIndex = new Map(spec.properties.map((p, i) => [p, i]));
  let current = 0;
  const hooks: Pick<CheckOptions, 'abandon' | 'failed'> | undefined = board
    ? { abandon: (p) => board.lowest(propIndex.get(p)!) < current, failed: (p) => board.report(propIndex.get(p)!, current) }
    : undefined;
  const groups = groupsOf(spec);
  const run = ({ batch, group }: Unit): boolean => {
    current = batch;
    const live = groups[group]!.filter((p) => !failed.has(p));
    if (!live.length) return true;
    if (done()) return false;
    const rs = runGroupBatch(spec.profile, live, spec.seed, batch, spec.batchRuns, done, spec.coverage ? group : undefined, shrinkStop, hooks);
    if (stop()) return false; // the parent is gone: nobody to send to
    for (const r of rs) {
      if (r.counterexample || r.abandoned) failed.add(r.property);
      send(r);
    }
    return true;
  };
  return { run, allFailed: () => failed.size === spec.properties.length, done };
}

/**
 * the loop of one worker over its own batches (the plan: batch b % workers),
 * every property not yet failed here; without a budget and a stop request the
 * batches are exactly those of the plan.
 */
export function workerLoop(job: WorkerJob, send: (r: BatchResult) => void, stop: () => boolean = () => false): void {
  const { spec, worker } = job;
  const w = workerState(job, send, stop);
  const ngroups = groupsOf(spec).length;
  const total = spec.runs !== undefined ? Math.ceil(spec.runs / spec.batchRuns) : Infinity;
  const batches = spec.runs !== undefined ? batchesFor(total, spec.shard, spec.workers, worker) : null;
  for (let k = 0; ; k++) {
    const b = batches ? batches[k] : batchOf(spec.shard, spec.workers, worker, k);
    if (b === undefined) return;
    for (let g = 0; g < ngroups; g++) if (!w.run({ batch: b, group: g })) return;
    if (w.allFailed()) return;
  }
}

/**
 * the loop of one worker of a dispatched campaign: the next unit comes from the
 * parent (unitsOf(), in order), so that a worker that is done early takes the
 * next unit instead of waiting for the other's share. A worker's units rise
 * (the parent hands them out in order), so a property failed here stays failed
 * for every later one; which worker runs a unit changes nothing of the report
 * (the lowest failing batch wins, the board drops only failures above it).
 */
export async function dispatchedLoop(job: WorkerJob, send: (r: BatchResult) => void, next: () => Promise<Unit | null>, stop: () => boolean = () => false): Promise<void> {
  const w = workerState(job, send, stop);
  for (;;) {
    if (w.done()) return;
    const u = await next();
    if (u === null || !w.run(u)) return;
    if (w.allFailed()) return;
  }
}

/** the units of a campaign in order (batch by batch of the shard, each group in turn);
 *  endless for a --time campaign */
export function* unitsOf(spec: CampaignSpec): Generator<Unit> {
  const ngroups = groupsOf(spec).length;
  const total = spec.runs !== undefined ? Math.ceil(spec.runs / spec.batchRuns) : Infinity;
  for (let k = 0; ; k++) {
    const batch = k * spec.shard.count + (spec.shard.index - 1);
    if (batch >= total) return;
    for (let group = 0; group < ngroups; group++) yield { batch, group };
  }
}

// the launcher is at the same place relative to the sources and to dist/
const CLI = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../cli/bpftc.js' : '../cli/bpftc.js', import.meta.url));
/** workers run the code their parent runs: the compiled CLI, or the sources through tsx (vitest, a stale dist/) */
const WORKER_ENV = { ...process.env, BPFTC_TSX: import.meta.url.endsWith('.js') ? '0' : '1' };

/** one forked worker: resolves once it has exited and its IPC channel is closed (every message read) */
function startWorker(
  job: WorkerJob,
  add: (r: BatchResult) => void,
  boardFd?: number,
  nextUnit?: () => Unit | null,
): { child: ChildProcess; closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const stdio: Array<'ignore' | 'inherit' | 'ipc' | number> = ['ignore', 'inherit', 'inherit', 'ipc'];
  if (boardFd !== undefined) stdio.push(boardFd); // the child's BOARD_FD
  const child = fork(CLI, ['__campaign-worker'], { stdio, env: WORKER_ENV });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let disconnected = false;
    const settle = (): void => {
      if (exit && disconnected) resolve(exit);
    };
    child.on('message', (m: BatchResult | { done: true } | NextRequest) => {
      if ('done' in m) child.disconnect();
      else if ('next' in m) {
        const reply: NextReply = { unit: nextUnit ? nextUnit() : null };
        if (child.connected) child.send(reply);
      } else add(m);
    });
    child.on('disconnect', () => {
      disconnected = true;
      settle();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      settle();
    });
    child.on('error', () => {
      // the fork itself failed: no exit event will come
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  child.send({ ...job, ...(boardFd !== undefined ? { boardFd: BOARD_FD } : {}), ...(nextUnit ? { dispatch: true } : {}) });
  return { child, closed };
}

export async function runCampaign(spec: CampaignSpec, onProgress?: (r: CampaignResult) => void, opts: RunOptions = {}): Promise<CampaignResult> {
  const t0 = Date.now();
  if (spec.timeSec !== undefined && spec.startedAt === undefined) spec = { ...spec, startedAt: Math.round(performance.timeOrigin) };
  const res: CampaignResult = {
    spec,
    runs: 0,
    steps: 0,
    outcomes: 0,
    seconds: 0,
    properties: spec.properties.map((property) => ({ property, runs: 0, seconds: 0 })),
    abandoned: 0,
    timestamp: new Date(t0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const outcomes = new Set<string>();
  const add = (r: BatchResult): void => {
    const p = res.properties.find((x) => x.property === r.property)!;
    p.runs += r.runs;
    p.seconds += r.seconds;
    res.runs += r.runs;
    if (r.coverage) res.coverage = res.coverage ? mergeSections(res.coverage, r.coverage) : r.coverage;
    res.steps += r.steps;
    for (const o of r.outcomes) outcomes.add(o);
    res.outcomes = outcomes.size;
    // an abandoned result says nothing of its batch (a lower one failed elsewhere)
    if (r.abandoned) res.abandoned++;
    if (r.counterexample && !r.abandoned && (p.batch === undefined || r.batch < p.batch)) {
      p.batch = r.batch;
      p.failRuns = r.runs;
      p.counterexample = r.counterexample;
    }
    res.seconds = (Date.now() - t0) / 1000;
    onProgress?.(res);
  };
  if (spec.workers === 1 && !opts.signals) {
    workerLoop({ spec, worker: 0 }, add);
  } else {
    // the failure board (campaign/board.ts) with several workers; a coverage campaign
    // goes without, so that its record is that of the plan, as it was
    const shared = spec.workers > 1 && !spec.coverage;
    // (an optimization only: where no temporary file can be made, the campaign runs without it)
    let boardFd: number | undefined;
    try {
      boardFd = shared ? createBoard(spec.properties.length, spec.workers) : undefined;
    } catch {
      boardFd = undefined;
    }
    // ... and the units handed out in order to whichever worker asks (dispatchedLoop), so that
    // none waits for another's share; a unit whose properties all failed in a lower batch is
    // left out (it could change nothing)
    const units = unitsOf(spec);
    const groups = groupsOf(spec);
    const nextUnit = (): Unit | null => {
      for (;;) {
        const n = units.next();
        if (n.done) return null;
        const u = n.value;
        const dead = groups[u.group]!.every((name) => {
          const b = res.properties.find((x) => x.property === name)!.batch;
          return b !== undefined && b < u.batch;
        });
        if (!dead) return u;
      }
    };
    const workers = Array.from({ length: spec.workers }, (_, worker) => startWorker({ spec, worker }, add, boardFd, shared ? nextUnit : undefined));
    if (boardFd !== undefined) closeBoard(boardFd); // the workers hold it
    let stopping = false;
    const stopAll = (): void => {
      if (stopping) return;
      stopping = true;
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    };
    const onSignal = (sig: StopSignal): void => {
      if (res.interrupted === undefined) res.interrupted = sig;
      stopAll();
    };
    const onInt = (): void => onSignal('SIGINT');
    const onTerm = (): void => onSignal('SIGTERM');
    if (opts.signals) {
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    }
    let failure: string | null = null;
    try {
      await Promise.all(
        workers.map(async (w, i) => {
          const { code, signal } = await w.closed;
          if (stopping || code === 0) return;
          if (opts.signals && (signal === 'SIGINT' || signal === 'SIGTERM')) return onSignal(signal);
          failure ??= `campaign worker ${i} ${signal ? `was killed by ${signal}` : code === null ? 'could not start' : `exited with ${code}`}`;
          stopAll(); // leave no worker behind
        }),
      );
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
    if (failure !== null && res.interrupted === undefined) throw new Error(failure);
  }
  // a finding's run count: the shard's batches before the failing one (all of
  // them ran and passed), plus the failing batch's runs -- so it does not
  // depend on how many workers ran ahead
  for (const p of res.properties)
    if (p.batch !== undefined) p.runs = Math.floor(p.batch / spec.shard.count) * spec.batchRuns + p.failRuns!;
  res.seconds = (Date.now() - t0) / 1000;
  return res;
}

/**
 * entry point of a forked worker: resolves once its results are sent. A
 * worker whose parent is gone exits by itself: between generated cases it
 * looks at its parent pid, and while idle it sees its IPC channel close.
 */
export function workerMain(): Promise<number> {
  const parent = process.ppid;
  // asked before every generated case; process.ppid is a getppid() system call each
  // time (1.2% of a campaign, issue 13), so it is read every 64th time: a worker whose
  // parent died stops within 64 cases
  let asked = 0;
  let gone = false;
  const orphaned = (): boolean => {
    if (!gone && (!process.connected || (++asked & 63) === 0)) gone = process.ppid !== parent || !process.connected;
    return gone;
  };
  // the parent died while this worker waited (the event loop is free then)
  process.on('disconnect', () => process.exit(0));
  // a send to a parent that just died fails asynchronously: nothing to report to
  process.on('error', () => process.exit(0));
  return new Promise((resolve) => {
    process.once('message', async (job: WorkerJob) => {
      if (job.spec.plugins?.length) await (await import('../api/plugins.ts')).loadPlugins(job.spec.plugins);
      if (job.dispatch) {
        // one request at a time: the reply is the next message
        const next = (): Promise<Unit | null> =>
          new Promise((res) => {
            process.once('message', (m: NextReply) => res(m.unit));
            process.send!({ next: true } satisfies NextRequest);
          });
        await dispatchedLoop(job, (r) => process.send!(r), next, orphaned);
      } else workerLoop(job, (r) => process.send!(r), orphaned);
      if (orphaned()) process.exit(0);
      process.send!({ done: true }, () => resolve(0));
    });
  });
}
