// bpftc: campaigns, replays and listings. Exit codes: 0 nothing failed,
// 1 a property or an expectation failed, 2 bad usage or bad input (one line on
// stderr, nothing on stdout), 3 an internal error (a bug: one line, the stack
// only with BPFTC_DEBUG=1).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PROFILES, findProfile, DEFAULT_PROFILE, type Profile } from '../model/profile.ts';
import { PROPERTIES, findProperty } from '../properties/index.ts';
// fast-check and the generators load only with the commands that use them
// (fuzz, the campaign worker): --help and properties start without them
import type { Counterexample } from '../properties/check.ts';
import { type Property, appliesTo, verdictOf } from '../properties/types.ts';
import { runScenario } from '../model/run.ts';
import { FileError, loadScenarioFile, saveScenarioFile, writeFileAtomic } from '../scenario/io.ts';
import { ScenarioError } from '../scenario/validate.ts';
import { formatTrace } from '../scenario/format.ts';
import { describeResult, describeText, resultMeets, stepUnmet } from '../scenario/expect.ts';
import type { Scenario } from '../scenario/types.ts';
import { type FlagKind, UsageError, parseArgs, q } from './args.ts';
import { RUNS_MAX, SEED_MAX, checkEnv, debugEnabled, envInt } from './env.ts';
import { checkInDir, checkOutDir, checkOutFile, ensureOutDir } from './outpath.ts';
import type { CampaignResult, CampaignSpec } from '../campaign/run.ts';
import { parseShard } from '../campaign/plan.ts';
import { mergeFindings } from '../campaign/merge.ts';
import { type KnownFinding, DEFAULT_KNOWN, firstDecision, loadKnown, matchByFix, matchKnown } from '../campaign/known.ts';
import { formatFailure, reproducerLines } from '../campaign/report.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

const HELP = `usage: bpftc <command> [flags]

commands:
  fuzz        run properties on generated scenarios
              --profile P (default ${DEFAULT_PROFILE})  --property NAME|all (default all)
              --runs N (default 1000)  --seed S (default 1)  --path PATH (replay a failure)
              --workers N (default: all cores)  --time S (budget instead of --runs)
              --shard i/n (this machine's part of the seed space)  --batch N (runs per batch, 500)
              --save DIR (write counterexamples as new corpus files)  --json  --junit FILE
              --known DIR (findings baseline, default corpus/findings: a failure with the
              property and first violating decision of a finding is "known")
              --fail-on any|new (default any; new: exit 0 unless a failure is not known)
              --coverage FILE (decision-point coverage of this campaign's scenarios)
              --plugin FILE (properties and profiles of your own; repeatable)
              --config FILE (JSON {"plugins": [...]}, paths relative to FILE)
  check FILE..  check scenario files against the claims: per property holds / VIOLATED (step) /
              QUESTION (the suite's own rule) / n/a; --profile P  --property NAME|all  --json  --trace
  run FILE..  run scenario files on the model and check their expectations
              --profile P (override the scenario's)  --avc (every LSM decision)  --json
              --kernel (also on the running kernel, side by side with the model; UNMET lists
              expectations the kernel does not meet)
              --vm --kernel IMAGE [--core P|none] (the same, on a kernel booted in QEMU; with
              SELinux, AVC decisions too)
  diff        --from P --to Q [--runs N] [--seed S] [--format text|markdown|json] [--coverage FILE]:
              the behavioural differences between two profiles, one class per root cause (the
              first changed LSM decision, or the first changed result), each with its
              consequences counted and a minimal witness
  repro FILE --c [--out FILE [--force]]
              a standalone C file that runs the scenario as root and checks each step;
              --out never replaces an existing file unless --force is given
  corpus merge DIR... [--into DIR]
              merge findings of several shards, one file per distinct finding (default corpus/found)
  coverage    [--profile P] [--runs N] [--seed S] [--lsm] [--save FILE] [--html FILE] [--json]
              which decision points of the model a campaign reaches, with which outcome
  coverage FILE [--html OUT] [--json]
              the coverage a fuzz / oracle / diff --coverage FILE campaign recorded
  properties  list the properties with their claims
  profiles    list the profiles (spec versions and known-bad variants)
  oracle      [--runs N] [--seed S] [--max-commands N] [--corpus DIR] [--save DIR] [--coverage FILE] [--json]:
              generated and corpus scenarios on the running kernel and the model;
              disagreements shrunk and shown side by side
              --workers N (default: all cores): executors in parallel, output as with one
              --vm --kernel IMAGE [--profile P] [--vms N]: on a kernel booted in QEMU instead
              (N guests in parallel, default one per core; results in scenario order)
              SELinux profiles load each scenario's policy there and compare AVC decisions too
              (the model on the profile's SELinux layer over the image's core unless --core P|none)
              --lsm-trace (with --vm): BPF-LSM hook traces compared per step too
              --unprivileged-bpf-disabled N (with --vm; run --vm: the scenarios' own): the guest's sysctl
              --procs, --attach: the language v2 process ops / attach ops (prog_attach,
              prog_detach, link_create) in the generated scenarios too
  vm          build [--source linux-source-6.12|linux-source-7.3|DIR] [--patch FILE]... [--lsm selinux,bpf]:
              a small kernel for the VM oracle, cached (prints the image's path)
              check-kernel IMAGE [--boot]: which features the VM oracle needs the image lacks
  help        this text

exit status: 0 all passed, 1 a property or expectation failed, 2 bad usage or input
(one line on stderr), 3 internal error. Files are written atomically (temporary file,
fsync, rename); a counterexample is printed before it is saved.
environment: BPFTC_RUNS (default --runs), BPFTC_ORACLE_RUNS (default oracle --runs),
BPFTC_SEED (default --seed), BPFTC_DEBUG=1 (stack trace of an internal error),
BPFTC_TSX=1 (run the TypeScript sources through tsx, not the compiled dist/)`;

type Out = (line: string) => void;

/** numeric flag bounds shared by every command */
export const RUNS: FlagKind = { int: [1, RUNS_MAX] };
export const SEED: FlagKind = { int: [0, SEED_MAX] };

/** --runs, else the environment's default, else the command's */
export function runsOf(flags: Record<string, unknown>, fallback: number, env = 'BPFTC_RUNS'): number {
  return (flags.runs as number | undefined) ?? envInt(env) ?? fallback;
}

export function seedOf(flags: Record<string, unknown>): number {
  return (flags.seed as number | undefined) ?? envInt('BPFTC_SEED') ?? 1;
}

export function profileFlag(v: unknown, flag = '--profile'): Profile {
  const name = typeof v === 'string' ? v : DEFAULT_PROFILE;
  const p = findProfile(name);
  if (!p) throw new UsageError(`${flag}: unknown profile ${q(name)} (bpftc profiles lists them)`);
  return p;
}

function propertiesFlag(v: unknown): Property[] {
  if (v === undefined || v === 'all') return [...PROPERTIES];
  const p = findProperty(String(v));
  if (!p) throw new UsageError(`--property: unknown property ${q(String(v))} (bpftc properties lists them)`);
  return [p];
}

function counterexampleScenario(ce: Counterexample, date: string): Scenario {
  return {
    ...ce.scenario,
    meta: {
      property: ce.property,
      profile: ce.profile,
      date,
      seed: ce.seed,
      path: ce.path,
      kernel_checkable: false,
      note: ce.violation.message,
    },
  };
}

/** writes `sc` as a new file in `dir` named from `base`; never replaces a file */
export function saveNew(flag: string, dir: string, base: string, sc: Scenario): string {
  ensureOutDir(flag, dir);
  for (let n = 1; ; n++) {
    const file = join(dir, n === 1 ? `${base}.json` : `${base}-${n}.json`);
    if (existsSync(file)) continue;
    try {
      saveScenarioFile(file, sc, `${flag} ${dir}`);
      return file;
    } catch (e) {
      if (e instanceof FileError && e.code === 'EEXIST') continue; // created meanwhile: next name
      throw e;
    }
  }
}

/** the known findings of a fuzz run (--known DIR, default the package's
 *  corpus/findings), loaded at the first failure */
interface KnownBaseline {
  list: () => KnownFinding[];
  failOnNew: boolean;
}

/** one property's outcome, as fuzz prints and reports it; the counterexample
 *  is printed first, then saved. Returns the save error, if saving failed. */
function reportProperty(
  prop: Property,
  profile: Profile,
  runs: number,
  ce: Counterexample | undefined,
  flags: Record<string, unknown>,
  out: Out,
  report: unknown[],
  known: KnownBaseline,
): FileError | undefined {
  if (!ce) {
    report.push({ property: prop.name, ok: true, runs });
    if (!flags.json) out(`ok    ${prop.name}  (${runs} runs)`);
    return undefined;
  }
  const date = new Date().toISOString().slice(0, 10);
  const sc = counterexampleScenario(ce, date);
  const replay = `npx bpftc fuzz --profile ${profile.name} --property ${prop.name} --seed ${ce.seed} --path ${ce.path}`;
  // a counterexample to the suite's own rule (source kind 'ours') is a question, not a gap
  const verdict = verdictOf(prop);
  const decision = firstDecision(ce.scenario, ce.results, ce.violation);
  const match = matchKnown(known.list(), prop.name, decision, profile.name) ?? matchByFix(known.list(), prop.name, ce.scenario, profile, ce.violation.step);
  const entry: Record<string, unknown> = {
    property: prop.name, ok: false, verdict, runs, violation: ce.violation, decision, known: match ? { finding: match.id, file: match.file, by: match.by ?? 'decision' } : null,
    seed: ce.seed, path: ce.path, replay, saved: undefined, scenario: sc,
  };
  report.push(entry);
  if (!flags.json) for (const l of formatFailure({ prop, profile, ce, runs, replay, decision, saving: typeof flags.save === 'string', ...(match ? { known: match } : {}) })) out(l);
  if (typeof flags.save !== 'string') return undefined;
  let error: FileError | undefined;
  try {
    const file = saveNew('--save', flags.save, `${ce.property}--${ce.profile}--seed${ce.seed}`, sc);
    entry.saved = file;
    if (!flags.json) {
      out(`      saved: ${file}`);
      for (const l of reproducerLines(file)) out(l);
    }
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    error = e;
  }
  return error;
}

/** fast-check's replay path: colon-separated indices ("12:0:3") */
const REPLAY_PATH = /^\d{1,9}(:\d{1,9}){0,9999}$/;

async function fuzz(argv: string[], out: Out, err: Out): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    profile: 'string', property: 'string', runs: RUNS, seed: SEED, path: 'string', save: 'string', json: 'bool',
    workers: { int: [1, 64] }, time: { int: [1, 2_000_000] }, shard: 'string', junit: 'string', batch: { int: [1, 1_000_000] },
    known: 'string', 'fail-on': 'string', coverage: 'string',
  });
  if (positional.length) throw new UsageError(`fuzz takes no positional argument (got ${q(positional[0]!)})`);
  const [{ checkProperty }, { SIGNAL_EXIT, runCampaign }] = await Promise.all([import('../properties/check.ts'), import('../campaign/run.ts')]);
  const profile = profileFlag(flags.profile);
  const props = propertiesFlag(flags.property);
  if (flags.runs !== undefined && flags.time !== undefined) throw new UsageError('give --runs or --time, not both');
  const runs = runsOf(flags, 1000);
  const seed = seedOf(flags);
  const path = flags.path as string | undefined;
  if (typeof flags.save === 'string') checkOutDir('--save', flags.save);
  // a claim asked for by name about a layer the profile lacks is n/a, never a pass
  const named = flags.property !== undefined && flags.property !== 'all' ? props[0] : undefined;
  if (named && !appliesTo(named, profile)) {
    if (flags.json) out(JSON.stringify({ profile: profile.name, results: [{ property: named.name, ok: false, runs: 0, applies: false }] }, null, 2));
    else out(`n/a   ${named.name}  (${profile.name} has no ${named.requires} layer): not checked`);
    return 1;
  }
  const failOn = (flags['fail-on'] as string | undefined) ?? 'any';
  if (failOn !== 'any' && failOn !== 'new') throw new UsageError(`--fail-on is any or new, got ${q(failOn)}`);
  const knownDir = flags.known as string | undefined;
  if (knownDir !== undefined) checkInDir('--known', knownDir);
  // the baseline is read at the first failure (every file validated: a bad one is exit 2)
  let knownList: KnownFinding[] | undefined;
  const known: KnownBaseline = {
    list: () => (knownList ??= knownDir !== undefined ? loadKnown(knownDir, profile.name) : existsSync(DEFAULT_KNOWN) ? loadKnown(DEFAULT_KNOWN, profile.name) : []),
    failOnNew: failOn === 'new',
  };
  if (knownDir !== undefined) known.list();
  const report: unknown[] = [];
  let failed = 0;
  let interrupted: CampaignResult['interrupted'];
  let saveError: FileError | undefined;
  const noted = (e: FileError | undefined): void => {
    saveError ??= e;
  };
  if (path !== undefined) {
    // replay one failure: the seed is the batch seed printed with it
    if (!REPLAY_PATH.test(path)) throw new UsageError(`--path takes a replay path such as 12:0:3 (as printed after "replay:"), got ${q(path)}`);
    if (props.length !== 1) throw new UsageError('--path replays one property: give --property NAME');
    for (const f of ['workers', 'time', 'shard', 'batch', 'junit', 'coverage'])
      if (flags[f] !== undefined) throw new UsageError(`--path replays one failure in this process: --${f} does not apply`);
    let r: ReturnType<typeof checkProperty>;
    try {
      r = checkProperty(props[0]!, profile, { runs, seed, path });
    } catch (e) {
      // fast-check: "Unable to replay, got invalid path=..." / "... wrong path=..."
      if (e instanceof Error && /^Unable to replay/.test(e.message))
        throw new UsageError(`--path ${path} is not a replay path of ${props[0]!.name} with seed ${seed} (${e.message.split('\n')[0]})`);
      throw e;
    }
    noted(reportProperty(props[0]!, profile, r.runs, r.ok ? undefined : r.counterexample, flags, out, report, known));
    failed = r.ok ? 0 : 1;
  } else {
    const shard = flags.shard === undefined ? { index: 1, count: 1 } : parseShard(String(flags.shard));
    if (!shard || !Number.isSafeInteger(shard.count) || shard.count > 1_000_000)
      throw new UsageError(`--shard takes i/n with 1 <= i <= n <= 1000000, got ${q(String(flags.shard))}`);
    const workers = (flags.workers as number | undefined) ?? Math.min(64, availableParallelism());
    const timeSec = flags.time as number | undefined;
    const batchRuns = (flags.batch as number | undefined) ?? Math.min(runs, 500);
    if (typeof flags.junit === 'string') checkOutFile('--junit', flags.junit);
    if (typeof flags.coverage === 'string') checkOutFile('--coverage', flags.coverage);
    // a claim about a layer the profile lacks would pass vacuously: say n/a
    const skipped = flags.property === undefined || flags.property === 'all' ? props.filter((p) => !appliesTo(p, profile)) : [];
    const run = props.filter((p) => !skipped.includes(p));
    const spec: CampaignSpec = { profile: profile.name, properties: run.map((p) => p.name), seed, shard, workers, batchRuns };
    const { loadedPlugins } = await import('../api/plugins.ts');
    if (loadedPlugins().length) spec.plugins = loadedPlugins();
    if (timeSec !== undefined) spec.timeSec = timeSec;
    else spec.runs = runs;
    if (typeof flags.coverage === 'string') spec.coverage = true;
    const progress = campaignProgress(err);
    // SIGINT / SIGTERM stop the workers; what was found so far is reported and saved below
    const res = await runCampaign(spec, progress.update, { signals: true });
    progress.done(res);
    interrupted = res.interrupted;
    if (interrupted) err(`bpftc: ${interrupted} after ${res.seconds.toFixed(1)}s: every worker stopped; reporting what was found so far`);
    for (const p of res.properties) {
      const prop = findProperty(p.property)!;
      noted(reportProperty(prop, profile, p.runs, p.counterexample, flags, out, report, known));
      if (p.counterexample) failed++;
    }
    for (const prop of skipped) {
      report.push({ property: prop.name, ok: true, runs: 0, applies: false });
      if (!flags.json) out(`n/a   ${prop.name}  (${profile.name} has no ${prop.requires} layer)`);
    }
    const reports: Array<[string, () => string]> = [];
    if (typeof flags.junit === 'string') {
      const { junitXml } = await import('../campaign/junit.ts');
      reports.push([`--junit ${flags.junit}`, () => junitXml({ result: res, profile, find: findProperty, skipped })]);
    }
    if (typeof flags.coverage === 'string') {
      const { CoverageRecorder, coverageFile } = await import('../speccov/record.ts');
      const section = res.coverage ?? new CoverageRecorder(profile, 'fuzz', seed).section;
      reports.push([`--coverage ${flags.coverage}`, () => `${JSON.stringify(coverageFile(['fuzz', ...argv].join(' '), [section]))}\n`]);
    }
    for (const [what, text] of reports) {
      try {
        writeFileAtomic(what.slice(what.indexOf(' ') + 1), text(), { what });
      } catch (e) {
        if (!(e instanceof FileError)) throw e;
        noted(e);
      }
    }
  }
  if (flags.json) out(JSON.stringify({ profile: profile.name, seed, runs, ...(interrupted ? { interrupted } : {}), results: report }, null, 2));
  else {
    const na = props.filter((p) => !appliesTo(p, profile)).length;
    const applicable = path === undefined && (flags.property === undefined || flags.property === 'all') ? props.length - na : props.length;
    const questions = report.filter((x) => (x as { verdict?: string }).verdict === 'question').length;
    const knownN = report.filter((x) => (x as { known?: unknown }).known).length;
    if (failed) {
      const ids = [...new Set(report.flatMap((x) => { const k = (x as { known?: { finding: string } | null }).known; return k ? [k.finding] : []; }))];
      out(`known findings: ${knownN} of ${failed} failing${ids.length ? ` (FINDINGS.md ${ids.join(', ')})` : ''}, new: ${failed - knownN}${known.failOnNew ? ' (--fail-on new: exit 1 only on a new one)' : ''}`);
    }
    out(`${applicable - failed} passed, ${failed - questions} failed${questions ? `, ${questions} questions` : ''}${applicable < props.length ? `, ${props.length - applicable} not applicable` : ''} (profile ${profile.name}, seed ${seed})`);
  }
  if (interrupted) {
    // the signal's exit code wins; a file that could not be written is still said
    if (saveError) err(`bpftc: ${oneLine(saveError.message)}`);
    return SIGNAL_EXIT[interrupted];
  }
  // everything found is printed; a file that could not be written is the one error line
  if (saveError) throw saveError;
  // --fail-on new: failures that match a known finding do not fail the run (a deny-list)
  const newFailures = report.filter((x) => (x as { ok?: boolean }).ok === false && (x as { applies?: boolean }).applies !== false && !(x as { known?: unknown }).known).length;
  if (known.failOnNew) return newFailures ? 1 : 0;
  return failed ? 1 : 0;
}

/** a live progress line on a terminal, a plain line every 10 s otherwise */
function campaignProgress(err: Out): { update: (r: CampaignResult) => void; done: (r: CampaignResult) => void } {
  const tty = process.stderr.isTTY === true;
  const t0 = Date.now();
  let last = 0;
  let seen = 0;
  let latest: CampaignResult | null = null;
  const line = (r: CampaignResult, seconds = r.seconds): string => {
    const s = Math.max(seconds, 0.001);
    const findings = r.properties.filter((p) => p.counterexample).length;
    return `[${seconds.toFixed(1)}s] ${r.runs} runs, ${Math.round(r.runs / s)} runs/s, ${Math.round(r.steps / s)} steps/s, ${r.outcomes} distinct outcomes, ${findings} findings`;
  };
  // the plain line every 10 s even while no batch ends (a batch of a slow
  // group can take longer): the workers run in processes of their own, so the
  // parent's timer fires on time (issue 13)
  const timer = tty
    ? null
    : setInterval(() => {
        const now = (Date.now() - t0) / 1000;
        if (now - last < 10) return;
        last = now;
        err(latest ? line(latest, now) : `[${now.toFixed(1)}s] 0 runs, no batch has ended yet`);
      }, 1000);
  timer?.unref();
  return {
    update: (r) => {
      latest = r;
      // a new finding is announced at once (it is printed in full at the end)
      const findings = r.properties.filter((p) => p.counterexample).length;
      if (tty) process.stderr.write(`\r${line(r)}`);
      else if (r.seconds - last >= 10 || findings > seen) {
        last = r.seconds;
        err(line(r));
      }
      seen = findings;
    },
    done: (r) => {
      if (timer) clearInterval(timer);
      if (tty && r.runs) process.stderr.write(`\r${line(r)}\n`);
    },
  };
}

/** --race-runs N, --race-full: how race steps are repeated on a kernel */
export function raceOptions(flags: Record<string, string | number | boolean>): { raceRuns?: number; raceFull?: boolean } {
  return {
    ...(flags['race-runs'] !== undefined ? { raceRuns: flags['race-runs'] as number } : {}),
    ...(flags['race-full'] ? { raceFull: true } : {}),
  };
}

async function run(argv: string[], out: Out): Promise<number> {
  if (argv.includes('--vm')) return (await import('../vm/cli.ts')).runVm(argv, out);
  const { flags, positional } = parseArgs(argv, { profile: 'string', json: 'bool', avc: 'bool', kernel: 'bool', 'race-runs': { int: [1, 1_000_000] }, 'race-full': 'bool' });
  if (!positional.length) throw new UsageError('run needs at least one scenario file');
  if (!flags.kernel && (flags['race-runs'] !== undefined || flags['race-full'])) throw new UsageError('--race-runs and --race-full go with --kernel or --vm');
  if (flags.kernel) {
    if (flags.profile !== undefined) throw new UsageError('--kernel runs the scenario as the running kernel is: no --profile');
    return (await import('./kernelrun.ts')).runOnKernelCommand(positional, flags.json === true, out, undefined, raceOptions(flags));
  }
  const override = flags.profile === undefined ? undefined : profileFlag(flags.profile);
  // every file is read and validated before anything is printed
  const scenarios = positional.map((file) => ({ file, s: loadScenarioFile(file) }));
  const all: unknown[] = [];
  let mismatches = 0;
  for (const { file, s } of scenarios) {
    const r = runScenario(s, override ? { profile: override } : {});
    const steps = s.steps.map((st, i) => {
      const got = r.results[i]!;
      const unmet = stepUnmet(st, got, i + 1);
      if (unmet) mismatches++;
      return { step: i + 1, op: st.op, actor: st.actor, ret: got.ret, text: got.text, avc: got.avc, expect: st.expect, expect_text: st.expect_text, mismatch: unmet !== null, unmet: unmet ?? undefined };
    });
    if (flags.json) {
      all.push({ file, profile: override?.name ?? s.profile ?? DEFAULT_PROFILE, steps });
      continue;
    }
    out(`${file}${s.name ? `: ${s.name}` : ''}`);
    out(formatTrace(s, r.results, undefined, flags.avc ? 'all' : 'denials'));
    for (const x of steps)
      if (x.unmet) {
        // the result, or (result met) the text, as scenario/expect.ts words the expectation
        const st = s.steps[x.step - 1]!;
        const want = st.expect !== undefined && !resultMeets(st.expect, x.ret) ? describeResult(st.expect) : `${x.ret} ${describeText(st.expect_text!)}`;
        out(`  MISMATCH step ${x.step}: expected ${want}, got ${x.ret}${x.text !== undefined ? ` ${JSON.stringify(x.text)}` : ''}`);
      }
  }
  if (flags.json) out(JSON.stringify(all, null, 2));
  else out(`${mismatches === 0 ? 'all expectations met' : `${mismatches} step(s) differ from their expectation`}`);
  return mismatches ? 1 : 0;
}

function corpusCommand(argv: string[], out: Out): number {
  const { flags, positional } = parseArgs(argv, { into: 'string' });
  const [sub, ...dirs] = positional;
  if (sub !== 'merge') throw new UsageError(`corpus takes one subcommand: merge DIR... [--into DIR]${sub === undefined ? '' : ` (got ${q(sub)})`}`);
  if (!dirs.length) throw new UsageError('corpus merge needs at least one directory of findings');
  for (const d of dirs) checkInDir(`corpus merge ${d}`, d);
  const into = (flags.into as string | undefined) ?? 'corpus/found';
  checkOutDir('--into', into);
  const r = mergeFindings(dirs, into);
  for (const f of r.written) out(`new: ${f}`);
  out(`${r.read} findings read, ${r.duplicates} duplicates, ${r.written.length} new in ${into}`);
  return 0;
}

function noArgs(cmd: string, argv: string[]): void {
  const { positional } = parseArgs(argv, {});
  if (positional.length) throw new UsageError(`${cmd} takes no argument (got ${q(positional[0]!)})`);
}

function listProperties(argv: string[], out: Out): number {
  noArgs('properties', argv);
  for (const p of PROPERTIES) out(`${p.name.padEnd(32)} ${p.claim}`);
  return 0;
}

function listProfiles(argv: string[], out: Out): number {
  noArgs('profiles', argv);
  for (const p of PROFILES) out(`${p.name.padEnd(28)} ${p.summary}`);
  return 0;
}

export type Command = (argv: string[], out: Out) => number | Promise<number>;

/** the commands main() itself dispatches (EXTRA has the rest) */
const COMMANDS: readonly string[] = ['fuzz', 'run', 'corpus', 'properties', 'profiles', 'help'];

/** commands added by other modules (the oracle) */
export const EXTRA: Map<string, () => Promise<Command>> = new Map<string, () => Promise<Command>>([
  ['oracle', async () => (await import('./oracle.ts')).oracleCommand],
  ['check', async () => (await import('./check.ts')).checkCommand],
  ['diff', async () => (await import('./diff.ts')).diffCommand],
  ['repro', async () => (await import('./repro.ts')).reproCommand],
  ['coverage', async () => (await import('./coverage.ts')).coverageCommand],
  ['vm', async () => (await import('../vm/cli.ts')).vmCommand],
]);

/** an error the user caused (a flag, a file, a scenario): exit 2 */
export function isInputError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ScenarioError || e instanceof FileError;
}

/** one line whatever the message holds: control bytes escaped, length capped */
export function oneLine(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
  return t.length > 2000 ? `${t.slice(0, 2000)}...` : t;
}

/** the top-level handler: any exception is one line on stderr and an exit code */
export function reportError(e: unknown, err: Out): number {
  if (isInputError(e)) {
    err(`bpftc: ${oneLine(e.message)}`);
    return 2;
  }
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  err(`bpftc: internal error (a bug in bpftc, please report it): ${oneLine(msg)}${debugEnabled() ? '' : ' (BPFTC_DEBUG=1 shows the stack)'}`);
  if (debugEnabled() && e instanceof Error && e.stack) err(e.stack);
  return 3;
}

/** text for a terminal: control bytes other than newline and tab, which a
 *  stranger's scenario name, label or path may carry (escape sequences, a
 *  carriage return that overwrites the line), are shown escaped; JSON.stringify
 *  escapes all but U+007F..U+009F itself */
export function terminalSafe(s: string): string {
  // as \u00XX: also a valid JSON escape of the same character, so --json output stays JSON
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function main(argv: string[], rawOut: Out = (l) => console.log(l), rawErr: Out = (l) => console.error(l)): Promise<number> {
  const out: Out = (l) => rawOut(terminalSafe(l));
  const err: Out = (l) => rawErr(terminalSafe(l));
  const [cmd, ...rest] = argv;
  try {
    if (cmd === '__campaign-worker') {
      // the campaign's own worker processes only (forked with an IPC channel)
      if (typeof process.send !== 'function') throw new UsageError(`unknown command ${q(cmd)} (bpftc help lists them)`);
      return await (await import('../campaign/run.ts')).workerMain();
    }
    const known = (c: string): boolean => COMMANDS.includes(c) || EXTRA.has(c);
    // `bpftc help [COMMAND]`, and `bpftc <command> --help` (or -h) print the usage rather than "unknown flag"
    const helpFlag = (a: string): boolean => a === '--help' || a === '-h';
    if (cmd === 'help' || (cmd !== undefined && helpFlag(cmd))) {
      const { positional } = parseArgs(rest.filter((a) => !helpFlag(a)), {});
      if (positional.length > 1) throw new UsageError('help takes at most one command');
      if (positional[0] !== undefined && !known(positional[0])) throw new UsageError(`help: unknown command ${q(positional[0])} (bpftc help lists them)`);
      out(HELP);
      return 0;
    }
    if (cmd !== undefined && known(cmd) && rest.some(helpFlag)) {
      out(HELP);
      return 0;
    }
    checkEnv();
    // --plugin FILE (any command, repeatable): properties and profiles of one's own, loaded before the command
    const plugins: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] !== '--plugin') continue;
      const f = rest[i + 1];
      if (f === undefined || f.startsWith('--')) throw new UsageError('--plugin needs a file (a JavaScript module exporting properties and/or profiles)');
      plugins.push(f);
      rest.splice(i--, 2);
    }
    // --config FILE: {"plugins": [...]} (paths relative to the file), loaded before the --plugin files
    let config: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] !== '--config') continue;
      const f = rest[i + 1];
      if (f === undefined || f.startsWith('--')) throw new UsageError('--config needs a file (JSON: {"plugins": ["./my-props.js"]})');
      if (config !== undefined) throw new UsageError('--config given twice');
      config = f;
      rest.splice(i--, 2);
    }
    if (config !== undefined) {
      const { PluginError, readConfig } = await import('../api/plugins.ts');
      try {
        plugins.unshift(...readConfig(config));
      } catch (e) {
        if (e instanceof PluginError) throw new UsageError(e.message);
        throw e;
      }
    }
    if (plugins.length) {
      const { PluginError, loadPlugins } = await import('../api/plugins.ts');
      try {
        await loadPlugins(plugins);
      } catch (e) {
        if (e instanceof PluginError) throw new UsageError(e.message);
        throw e;
      }
    }
    switch (cmd) {
      case 'fuzz':
        return await fuzz(rest, out, err);
      case 'run':
        return await run(rest, out);
      case 'corpus':
        return corpusCommand(rest, out);
      case 'properties':
        return listProperties(rest, out);
      case 'profiles':
        return listProfiles(rest, out);
      case undefined:
        throw new UsageError('no command given (bpftc help lists them)');
      default: {
        const extra = EXTRA.get(cmd);
        if (!extra) throw new UsageError(`unknown command ${q(cmd)} (bpftc help lists them)`);
        return await (await extra())(rest, out);
      }
    }
  } catch (e) {
    return reportError(e, err);
  }
}
