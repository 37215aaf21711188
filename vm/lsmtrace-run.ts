// `bpftc oracle --vm --kernel IMG --lsm-trace`: the corpus and a generated
// campaign on a VM kernel with the guest executor's BPF-LSM programs
// (oracle/lsmtrace.c); the core results and the per-step hook traces are
// compared with the model (vm/lsmtrace.ts), and every trace difference is
// reported step by step and classed.

import fc from 'fast-check';
import type { Scenario } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { ANY_RETS } from '../generators/lsm.ts';
import { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS } from '../model/lsm/bpf_lsm.ts';
import { adaptToMachine, kernelUncheckable, type KernelRun } from '../oracle/driver.ts';
import { compareWithKernel } from '../oracle/compare.ts';
import { formatSideBySide } from '../oracle/shrink.ts';
import { VmError, bootVm, vmMissing } from './qemu.ts';
import { RebootingVm } from './pool.ts';
import { compareTrace, formatTraceDiff, traceClass, type TraceComparison, type TraceMode } from './lsmtrace.ts';

type Out = (line: string) => void;

/** bpf_lsm_deny actions added to a scenario's steps (model and guest apply them right before the step) */
function withDenies(s: Scenario, ds: Array<{ at: number; hook: string; actor: number; errno: string; ret: number | null }>): Scenario {
  if (!ds.length || !s.steps.length) return s;
  const steps = s.steps.map((st) => ({ ...st }));
  const chmods = steps.flatMap((st, i) => (st.op === 'chmod' ? [i] : []));
  for (const d0 of ds) {
    // a program on chmod's inode_setattr goes on a chmod step where there is one (and for its actor)
    const file = d0.hook === 'inode_setattr' && chmods.length > 0;
    const st = steps[file ? chmods[d0.at % chmods.length]! : d0.at % steps.length]!;
    const d = file ? { ...d0, actor: Math.max(0, s.actors.findIndex((a) => a.name === st.actor)) } : d0;
    st.lsm = [...(st.lsm ?? []), { action: 'bpf_lsm_deny', hook: d.hook, task: s.actors[d.actor % s.actors.length]!.name, errno: d.errno, ...(d.ret !== null ? { ret: d.ret } : {}) }];
  }
  return { ...s, steps };
}

/** the generated scenarios of a trace campaign: with `denies` (mode lsm) each gets 0-2
 *  bpf_lsm_deny actions (real in the guest), drawn from the same seed: a hook of
 *  BPF_LSM_HOOKS (the token hooks most often, as generators/lsm.ts), with `procs` also
 *  chmod's inode_setattr (on a chmod step, for its actor), one of its actors, EPERM or EACCES,
 *  or a raw return value (generators/lsm.ts ANY_RETS, or 0) */
export function lsmTraceScenarios(o: { profile: Profile; sysctl: 0 | 1 | 2; runs: number; seed: number; maxCommands: number; procs: boolean; denies: boolean }): Scenario[] {
  const arb = scenarioArb({ profile: o.profile, sysctl: o.sysctl, maxCommands: o.maxCommands, ...(o.procs ? { procs: true } : {}) });
  if (!o.denies) return fc.sample(arb, { numRuns: o.runs, seed: o.seed }).map((c) => c.scenario);
  const denyArb = fc.array(
    fc.record({
      at: fc.nat(),
      hook: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom<string>('bpf_token_cmd', 'bpf_token_capable') },
        { weight: 2, arbitrary: fc.constantFrom<string>(...BPF_LSM_HOOKS) },
        ...(o.procs ? [{ weight: 2, arbitrary: fc.constantFrom<string>(...BPF_LSM_FILE_HOOKS) }] : []),
      ),
      actor: fc.nat(),
      errno: fc.constantFrom('EPERM', 'EACCES'),
      // a raw return value in a quarter of them (issue 12): the guest's verifier is asked
      // whether it loads the program (oracle/lsmtrace.c lt_ret_loads())
      ret: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom<number>(0, ...ANY_RETS) }),
    }),
    { maxLength: 2 },
  );
  return fc.sample(fc.tuple(arb, denyArb), { numRuns: o.runs, seed: o.seed }).map(([c, ds]) => withDenies(c.scenario, ds));
}

export interface LsmTraceRunOptions {
  image: string;
  /** the guest's kernel.unprivileged_bpf_disabled, set at boot (vm/cli.ts openVm) */
  unprivBpf?: 0 | 1 | 2;
  profile: Profile;
  /** every scenario is judged against `profile` (its `profile` field is replaced) */
  corpus: Scenario[];
  runs: number;
  seed: number;
  maxCommands: number;
  json: boolean;
  /** called with each scenario whose trace or core result differs (to save it) */
  save?: (s: Scenario, c: TraceComparison, cls: string) => string;
  out: Out;
  err: Out;
  /** scenarios in flight (default 8) */
  concurrency?: number;
  /** generate with the language v2 ops (generators/procs.ts: chmod among them), and let the
   *  generated BPF-LSM programs attach to chmod's inode_setattr too */
  procs?: boolean;
}

export interface LsmTraceSummary {
  release: string;
  mode: TraceMode;
  why?: string;
  scenarios: number;
  unsupported: number;
  /** classes: `op: model -> kernel` of each first disagreeing step, `error: ...` of each run that ended early */
  core: { agree: number; disagree: number; errors: number; classes: Record<string, number> };
  /** steps whose traces were compared (the core-agreeing prefixes) */
  steps: number;
  /** full trace (the verifier's bpf_token_capable calls included) */
  full: { agree: number; disagree: number; classes: Record<string, number> };
  /** with the verifier's bpf_token_capable calls left out on both sides */
  preVerifier: { agree: number; disagree: number; classes: Record<string, number> };
  /** scenarios whose frees were compared, and how many agreed */
  frees: { compared: number; agree: number };
  pending: number;
  /** scenarios with a race step, whose traces are compared only before it */
  raceCut: number;
  boots: number;
  seconds: number;
}

export async function lsmTraceOracle(o: LsmTraceRunOptions): Promise<number> {
  const { out, err } = o;
  const missing = vmMissing(o.image);
  if (missing) {
    out(o.json ? JSON.stringify({ skipped: missing }) : `skipped: ${missing}`);
    return 0;
  }
  const boot = { image: o.image, lsmTrace: true, ...(o.unprivBpf !== undefined ? { append: `sysctl.kernel.unprivileged_bpf_disabled=${o.unprivBpf}` } : {}) };
  const t0 = Date.now();
  let vm;
  try {
    vm = await bootVm(boot);
  } catch (e) {
    if (e instanceof VmError) {
      err(`bpftc: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const lt = vm.lsmTrace;
  if (!lt?.ok || lt.mode === undefined) {
    await vm.close();
    const why = `no BPF-LSM trace on this kernel: ${lt?.error ?? 'no answer'}`;
    out(o.json ? JSON.stringify({ skipped: why }) : `skipped: ${why}`);
    return 0;
  }
  const mode = lt.mode;
  const probe = vm.probe;
  const runner = new RebootingVm(vm, boot);
  const generated = lsmTraceScenarios({ profile: o.profile, sysctl: probe.unprivileged_bpf_disabled, runs: o.runs, seed: o.seed, maxCommands: o.maxCommands, procs: o.procs === true, denies: mode === 'lsm' });
  const scenarios = [...o.corpus, ...generated].map((sc) => ({ ...sc, profile: o.profile.name }));
  const sum: LsmTraceSummary = {
    release: probe.release,
    mode,
    ...(lt.why ? { why: lt.why } : {}),
    scenarios: 0,
    unsupported: 0,
    core: { agree: 0, disagree: 0, errors: 0, classes: {} },
    steps: 0,
    full: { agree: 0, disagree: 0, classes: {} },
    preVerifier: { agree: 0, disagree: 0, classes: {} },
    frees: { compared: 0, agree: 0 },
    pending: 0,
    raceCut: 0,
    boots: 1,
    seconds: 0,
  };
  const reports: string[] = [];
  const coreReports: string[] = [];
  const saved: string[] = [];
  const handle = async (orig: Scenario, idx: number): Promise<void> => {
    const s = adaptToMachine(orig, probe);
    const run: KernelRun = await runner.run(s);
    sum.scenarios++;
    const core = compareWithKernel(s, run);
    if (core.kind === 'agree') sum.core.agree++;
    else if (core.kind === 'disagree') sum.core.disagree++;
    else sum.core.errors++;
    let coreCls: string | null = null;
    if (core.kind !== 'agree') {
      const cls =
        core.kind === 'disagree'
          ? `${core.first.step.op}: ${core.first.model?.ret ?? '-'} -> ${core.first.kernel?.ret ?? '-'}${core.first.what === 'text' ? ' (text)' : ''}`
          : `error: ${core.error.split('\n')[0]!.slice(0, 100)}`;
      sum.core.classes[cls] = (sum.core.classes[cls] ?? 0) + 1;
      coreCls = cls;
      if (core.kind === 'disagree') coreReports.push(`#${idx + 1} ${orig.name ?? 'scenario'}\n${formatSideBySide(s, core.model, run)}`);
    }
    const agreed = core.kind === 'agree' ? s.steps.length : core.kind === 'disagree' ? core.first.index : run.results.length;
    // a race step runs many times in the guest (until the model's outcome appears), each time
    // with its hooks and objects: traces are compared up to it, the frees not at all
    const race = s.steps.findIndex((st) => 'race' in st && st.race !== undefined);
    const prefix = race >= 0 ? Math.min(agreed, race) : agreed;
    if (race >= 0) sum.raceCut++;
    const full = compareTrace(s, run, prefix, { mode, profile: o.profile });
    const pre = compareTrace(s, run, prefix, { mode, profile: o.profile, preVerifier: true });
    sum.steps += full.compared;
    sum.pending += full.pending;
    if (full.frees) {
      sum.frees.compared++;
      if (full.frees.model.join() === full.frees.kernel.join()) sum.frees.agree++;
    }
    for (const [c, bucket] of [[full, sum.full], [pre, sum.preVerifier]] as const) {
      if (c.agree) bucket.agree++;
      else {
        bucket.disagree++;
        const cls = traceClass(c);
        bucket.classes[cls] = (bucket.classes[cls] ?? 0) + 1;
      }
    }
    if (!pre.agree) {
      const cls = traceClass(pre);
      reports.push(`#${idx + 1} ${formatTraceDiff(s, pre)}`);
      if (o.save) saved.push(o.save(s, pre, cls));
    } else if (coreCls !== null && core.kind === 'disagree' && o.save) saved.push(o.save(s, pre, `core result differs: ${coreCls}`));
  };
  const inflight = new Set<Promise<void>>();
  const conc = o.concurrency ?? 8;
  try {
    for (const [i, orig] of scenarios.entries()) {
      if (kernelUncheckable(orig, { bpfLsm: mode === 'lsm' })) {
        sum.unsupported++;
        continue;
      }
      const p: Promise<void> = handle(orig, i).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= conc) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    sum.boots = runner.boots;
    await runner.close();
  }
  sum.seconds = (Date.now() - t0) / 1000;
  if (o.json) {
    out(JSON.stringify({ ...sum, saved }, null, 2));
  } else {
    out(`kernel ${sum.release} (VM, ${vm.accel}; profile ${o.profile.name}), BPF-LSM trace mode ${mode}${sum.why ? ` (LSM programs: ${sum.why})` : ''}, seed ${o.seed}`);
    if (mode === 'kprobe') out('bpf_lsm_deny steps need BPF_PROG_TYPE_LSM programs: their scenarios are not run (unsupported) on this kernel');
    out(`${sum.scenarios} scenarios (${o.corpus.length} from the corpus, ${sum.unsupported} unsupported): core ${sum.core.agree} agree, ${sum.core.disagree} disagree, ${sum.core.errors} errors`);
    out(`hook traces on ${sum.steps} core-agreeing steps: ${sum.full.agree} scenarios agree, ${sum.full.disagree} differ; without the verifier's bpf_token_capable calls: ${sum.preVerifier.agree} agree, ${sum.preVerifier.disagree} differ`);
    if (sum.raceCut) out(`${sum.raceCut} scenario(s) with a race step (repeated in the guest): hook traces compared before it, frees not compared`);
    out(`frees by object (teardown included): ${sum.frees.agree}/${sum.frees.compared} scenarios agree; objects not freed within the bound: ${sum.pending}`);
    for (const [title, b] of [['core differences (first step) and errors', sum.core], ['first trace difference (full)', sum.full], ['first trace difference (pre-verifier)', sum.preVerifier]] as const) {
      const cls = Object.entries(b.classes).sort((a, c) => c[1] - a[1] || a[0].localeCompare(c[0]));
      if (!cls.length) continue;
      out(`${title}:`);
      for (const [c, n] of cls) out(`  ${String(n).padStart(4)}  ${c}`);
    }
    for (const r of coreReports.slice(0, 5)) out(`\nCORE DISAGREEMENT ${r}`);
    if (coreReports.length > 5) out(`\n(${coreReports.length - 5} more core disagreements not shown; --save DIR keeps them)`);
    for (const r of reports.slice(0, 10)) out(`\nTRACE DIFFERENCE ${r}`);
    if (reports.length > 10) out(`\n(${reports.length - 10} more trace differences not shown)`);
    out(`${sum.scenarios} scenarios in ${sum.seconds.toFixed(1)} s in the VM, ${sum.boots} boot(s)`);
    for (const f of saved) out(`saved: ${f}`);
  }
  return sum.preVerifier.disagree || sum.core.disagree ? 1 : 0;
}
