// bpftc: campaigns, replays and listings. Exit codes: 0 nothing failed,
// 1 a property or an expectation failed, 2 bad usage or bad input.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PROFILES, findProfile, DEFAULT_PROFILE, type Profile } from '../model/profile.ts';
import { PROPERTIES, findProperty } from '../properties/index.ts';
import { checkProperty, type Counterexample } from '../properties/check.ts';
import { type Property, appliesTo } from '../properties/types.ts';
import { runScenario } from '../model/run.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import { ScenarioError } from '../scenario/validate.ts';
import { formatTrace } from '../scenario/format.ts';
import type { Scenario } from '../scenario/types.ts';
import { UsageError, parseArgs } from './args.ts';
import { type CampaignResult, type CampaignSpec, runCampaign, workerMain } from '../campaign/run.ts';
import { parseShard } from '../campaign/plan.ts';
import { mergeFindings } from '../campaign/merge.ts';

const HELP = `usage: bpftc <command> [flags]

commands:
  fuzz        run properties on generated scenarios
              --profile P (default ${DEFAULT_PROFILE})  --property NAME|all (default all)
              --runs N (default 1000)  --seed S (default 1)  --path PATH (replay a failure)
              --workers N (default: all cores)  --time S (budget instead of --runs)
              --shard i/n (this machine's part of the seed space)  --batch N (runs per batch, 500)
              --save DIR (write counterexamples as new corpus files)  --json  --junit FILE
  run FILE..  run scenario files on the model and check their expectations
              --profile P (override the scenario's)  --avc (every LSM decision)  --json
              --kernel (also on the running kernel, side by side with the model; UNMET lists
              expectations the kernel does not meet)
              --vm --kernel IMAGE (the same, on a kernel booted in QEMU)
  diff        --from P --to Q [--runs N] [--seed S] [--format text|markdown|json]:
              every class of behavioural difference between two profiles, with a minimal witness
  repro FILE --c [--out FILE]
              a standalone C file that runs the scenario as root and checks each step
  corpus merge DIR... [--into DIR]
              merge findings of several shards, one file per distinct finding (default corpus/found)
  coverage    [--profile P] [--runs N] [--seed S] [--lsm] [--html FILE] [--json]
              which decision points of the model a campaign reaches, with which outcome
  properties  list the properties with their claims
  profiles    list the profiles (spec versions and known-bad variants)
  oracle      [--runs N] [--seed S] [--max-commands N] [--save DIR] [--json]: generated and corpus scenarios on
              the running kernel and the model; disagreements shrunk and shown side by side
              --vm --kernel IMAGE [--profile P]: on a kernel booted in QEMU instead
  vm          build [--source linux-source-6.12|linux-source-7.3|DIR] [--patch FILE]... [--lsm selinux,bpf]:
              a small kernel for the VM oracle, cached (prints the image's path)
              check-kernel IMAGE [--boot]: which features the VM oracle needs the image lacks
  help        this text`;

type Out = (line: string) => void;

function profileFlag(v: unknown): Profile {
  const name = typeof v === 'string' ? v : DEFAULT_PROFILE;
  const p = findProfile(name);
  if (!p) throw new UsageError(`unknown profile "${name}" (bpftc profiles lists them)`);
  return p;
}

function propertiesFlag(v: unknown): Property[] {
  if (v === undefined || v === 'all') return [...PROPERTIES];
  const p = findProperty(String(v));
  if (!p) throw new UsageError(`unknown property "${String(v)}" (bpftc properties lists them)`);
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

/** write a counterexample as a new file; never overwrite an existing one */
function save(dir: string, sc: Scenario, ce: Counterexample): string {
  mkdirSync(dir, { recursive: true });
  const base = `${ce.property}--${ce.profile}--seed${ce.seed}`;
  let file = join(dir, `${base}.json`);
  for (let n = 2; existsSync(file); n++) file = join(dir, `${base}-${n}.json`);
  writeFileSync(file, JSON.stringify(sc, null, 2) + '\n', { flag: 'wx' });
  return file;
}

/** one property's outcome, as fuzz prints and reports it */
function reportProperty(
  prop: Property,
  profile: Profile,
  runs: number,
  ce: Counterexample | undefined,
  flags: Record<string, unknown>,
  out: Out,
  report: unknown[],
): void {
  if (!ce) {
    report.push({ property: prop.name, ok: true, runs });
    if (!flags.json) out(`ok    ${prop.name}  (${runs} runs)`);
    return;
  }
  const date = new Date().toISOString().slice(0, 10);
  const sc = counterexampleScenario(ce, date);
  const file = typeof flags.save === 'string' ? save(flags.save, sc, ce) : undefined;
  const replay = `npx bpftc fuzz --profile ${profile.name} --property ${prop.name} --seed ${ce.seed} --path ${ce.path}`;
  report.push({ property: prop.name, ok: false, runs, violation: ce.violation, seed: ce.seed, path: ce.path, replay, saved: file, scenario: sc });
  if (flags.json) return;
  out(`FAIL  ${prop.name}  after ${runs} runs (${ce.shrinks} shrinks, ${ce.scenario.steps.length} steps)`);
  out(`      claim: ${prop.claim}`);
  out(`      step ${ce.violation.step + 1}: ${ce.violation.message}`);
  out(formatTrace(ce.scenario, ce.results, ce.violation.step));
  out(`      replay: ${replay}`);
  if (file) out(`      saved: ${file}`);
}

async function fuzz(argv: string[], out: Out, err: Out): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    profile: 'string', property: 'string', runs: 'int', seed: 'int', path: 'string', save: 'string', json: 'bool',
    workers: 'int', time: 'int', shard: 'string', junit: 'string', batch: 'int',
  });
  if (positional.length) throw new UsageError(`fuzz takes no positional argument ("${positional[0]}")`);
  const profile = profileFlag(flags.profile);
  const props = propertiesFlag(flags.property);
  if (flags.runs !== undefined && flags.time !== undefined) throw new UsageError('give --runs or --time, not both');
  const runs = (flags.runs as number | undefined) ?? 1000;
  if (runs < 1) throw new UsageError('--runs must be at least 1');
  const seed = (flags.seed as number | undefined) ?? 1;
  const path = flags.path as string | undefined;
  const report: unknown[] = [];
  let failed = 0;
  if (path !== undefined) {
    // replay one failure: the seed is the batch seed printed with it
    if (props.length !== 1) throw new UsageError('--path replays one property: give --property NAME');
    const r = checkProperty(props[0]!, profile, { runs, seed, path });
    reportProperty(props[0]!, profile, r.runs, r.ok ? undefined : r.counterexample, flags, out, report);
    failed = r.ok ? 0 : 1;
  } else {
    const shard = flags.shard === undefined ? { index: 1, count: 1 } : parseShard(String(flags.shard));
    if (!shard) throw new UsageError(`--shard takes i/n with 1 <= i <= n, got "${String(flags.shard)}"`);
    const workers = (flags.workers as number | undefined) ?? availableParallelism();
    if (workers < 1 || workers > 64) throw new UsageError('--workers takes 1..64');
    const timeSec = flags.time as number | undefined;
    if (timeSec !== undefined && timeSec < 1) throw new UsageError('--time must be at least 1 second');
    const batchRuns = (flags.batch as number | undefined) ?? Math.min(runs, 500);
    if (batchRuns < 1) throw new UsageError('--batch must be at least 1');
    // a claim about a layer the profile lacks would pass vacuously: say n/a
    const skipped = flags.property === undefined || flags.property === 'all' ? props.filter((p) => !appliesTo(p, profile)) : [];
    const run = props.filter((p) => !skipped.includes(p));
    const spec: CampaignSpec = { profile: profile.name, properties: run.map((p) => p.name), seed, shard, workers, batchRuns };
    if (timeSec !== undefined) spec.timeSec = timeSec;
    else spec.runs = runs;
    const progress = campaignProgress(err);
    const res = await runCampaign(spec, progress.update);
    progress.done(res);
    for (const p of res.properties) {
      const prop = findProperty(p.property)!;
      reportProperty(prop, profile, p.runs, p.counterexample, flags, out, report);
      if (p.counterexample) failed++;
    }
    for (const prop of skipped) {
      report.push({ property: prop.name, ok: true, runs: 0, applies: false });
      if (!flags.json) out(`n/a   ${prop.name}  (${profile.name} has no ${prop.requires} layer)`);
    }
    if (typeof flags.junit === 'string') writeFileSync(flags.junit, junit(res, profile));
  }
  if (flags.json) out(JSON.stringify({ profile: profile.name, seed, runs, results: report }, null, 2));
  else {
    const na = props.filter((p) => !appliesTo(p, profile)).length;
    const applicable = path === undefined && (flags.property === undefined || flags.property === 'all') ? props.length - na : props.length;
    out(`${applicable - failed} passed, ${failed} failed${applicable < props.length ? `, ${props.length - applicable} not applicable` : ''} (profile ${profile.name}, seed ${seed})`);
  }
  return failed ? 1 : 0;
}

/** a live progress line on a terminal, a plain line every 10 s otherwise */
function campaignProgress(err: Out): { update: (r: CampaignResult) => void; done: (r: CampaignResult) => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const line = (r: CampaignResult): string => {
    const s = Math.max(r.seconds, 0.001);
    const findings = r.properties.filter((p) => p.counterexample).length;
    return `[${r.seconds.toFixed(1)}s] ${r.runs} runs, ${Math.round(r.runs / s)} runs/s, ${Math.round(r.steps / s)} steps/s, ${r.outcomes} distinct outcomes, ${findings} findings`;
  };
  return {
    update: (r) => {
      if (tty) process.stderr.write(`\r${line(r)}`);
      else if (r.seconds - last >= 10) {
        last = r.seconds;
        err(line(r));
      }
    },
    done: (r) => {
      if (tty && r.runs) process.stderr.write(`\r${line(r)}\n`);
    },
  };
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML for CI dashboards: one testcase per property */
function junit(r: CampaignResult, profile: Profile): string {
  const failures = r.properties.filter((p) => p.counterexample).length;
  const cases = r.properties.map((p) => {
    const head = `    <testcase classname="bpftc.${xml(profile.name)}" name="${xml(p.property)}" time="${(r.seconds / r.properties.length).toFixed(3)}">`;
    if (!p.counterexample) return `${head}</testcase>`;
    const ce = p.counterexample;
    const body = formatTrace(ce.scenario, ce.results, ce.violation.step);
    return `${head}\n      <failure message="${xml(ce.violation.message)}">${xml(body)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bpftc fuzz" tests="${r.properties.length}" failures="${failures}" time="${r.seconds.toFixed(3)}">`,
    `  <testsuite name="${xml(profile.name)}" tests="${r.properties.length}" failures="${failures}" time="${r.seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

async function run(argv: string[], out: Out): Promise<number> {
  if (argv.includes('--vm')) return (await import('../vm/cli.ts')).runVm(argv, out);
  const { flags, positional } = parseArgs(argv, { profile: 'string', json: 'bool', avc: 'bool', kernel: 'bool' });
  if (!positional.length) throw new UsageError('run needs at least one scenario file');
  if (flags.kernel) {
    if (flags.profile !== undefined) throw new UsageError('--kernel runs the scenario as the running kernel is: no --profile');
    return (await import('./kernelrun.ts')).runOnKernelCommand(positional, flags.json === true, out);
  }
  const override = flags.profile === undefined ? undefined : profileFlag(flags.profile);
  const all: unknown[] = [];
  let mismatches = 0;
  for (const file of positional) {
    const s = loadScenarioFile(file);
    const r = runScenario(s, override ? { profile: override } : {});
    const steps = s.steps.map((st, i) => {
      const got = r.results[i]!;
      const bad = (st.expect !== undefined && st.expect !== got.ret) || (st.expect_text !== undefined && st.expect_text !== got.text);
      if (bad) mismatches++;
      return { step: i + 1, op: st.op, actor: st.actor, ret: got.ret, text: got.text, avc: got.avc, expect: st.expect, expect_text: st.expect_text, mismatch: bad };
    });
    if (flags.json) {
      all.push({ file, profile: override?.name ?? s.profile ?? DEFAULT_PROFILE, steps });
      continue;
    }
    out(`${file}${s.name ? `: ${s.name}` : ''}`);
    out(formatTrace(s, r.results, undefined, flags.avc ? 'all' : 'denials'));
    for (const x of steps)
      if (x.mismatch)
        out(`  MISMATCH step ${x.step}: expected ${x.expect ?? x.ret}${x.expect_text !== undefined ? ` ${JSON.stringify(x.expect_text)}` : ''}, got ${x.ret}${x.text !== undefined ? ` ${JSON.stringify(x.text)}` : ''}`);
  }
  if (flags.json) out(JSON.stringify(all, null, 2));
  else out(`${mismatches === 0 ? 'all expectations met' : `${mismatches} step(s) differ from their expectation`}`);
  return mismatches ? 1 : 0;
}

function corpusCommand(argv: string[], out: Out): number {
  const { flags, positional } = parseArgs(argv, { into: 'string' });
  const [sub, ...dirs] = positional;
  if (sub !== 'merge') throw new UsageError('corpus takes one subcommand: merge DIR... [--into DIR]');
  if (!dirs.length) throw new UsageError('corpus merge needs at least one directory of findings');
  for (const d of dirs) if (!existsSync(d)) throw new UsageError(`no such directory: ${d}`);
  const into = (flags.into as string | undefined) ?? 'corpus/found';
  const r = mergeFindings(dirs, into);
  for (const f of r.written) out(`new: ${f}`);
  out(`${r.read} findings read, ${r.duplicates} duplicates, ${r.written.length} new in ${into}`);
  return 0;
}

function listProperties(out: Out): number {
  for (const p of PROPERTIES) out(`${p.name.padEnd(32)} ${p.claim}`);
  return 0;
}

function listProfiles(out: Out): number {
  for (const p of PROFILES) out(`${p.name.padEnd(28)} ${p.summary}`);
  return 0;
}

export type Command = (argv: string[], out: Out) => number | Promise<number>;

/** commands added by other modules (the oracle) */
export const EXTRA: Record<string, () => Promise<Command>> = {
  oracle: async () => (await import('./oracle.ts')).oracleCommand,
  diff: async () => (await import('./diff.ts')).diffCommand,
  repro: async () => (await import('./repro.ts')).reproCommand,
  coverage: async () => (await import('./coverage.ts')).coverageCommand,
  vm: async () => (await import('../vm/cli.ts')).vmCommand,
};

export async function main(argv: string[], out: Out = (l) => console.log(l), err: Out = (l) => console.error(l)): Promise<number> {
  const [cmd, ...rest] = argv;
  // `bpftc <command> --help` (or -h) prints the usage rather than "unknown flag"
  if (cmd !== '__campaign-worker' && rest.some((a) => a === '--help' || a === '-h')) {
    out(HELP);
    return 0;
  }
  try {
    switch (cmd) {
      case 'fuzz':
        return await fuzz(rest, out, err);
      case '__campaign-worker':
        return await workerMain();
      case 'run':
        return await run(rest, out);
      case 'corpus':
        return corpusCommand(rest, out);
      case 'properties':
        return listProperties(out);
      case 'profiles':
        return listProfiles(out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return cmd === undefined ? 2 : 0;
      default: {
        const extra = EXTRA[cmd];
        if (!extra) throw new UsageError(`unknown command "${cmd}" (bpftc help lists them)`);
        return await (await extra())(rest, out);
      }
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScenarioError) {
      err(`bpftc: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && /: cannot read \(/.test(e.message)) {
      err(`bpftc: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
