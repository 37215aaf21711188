// bpftc: campaigns, replays and listings. Exit codes: 0 nothing failed,
// 1 a property or an expectation failed, 2 bad usage or bad input.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, findProfile, DEFAULT_PROFILE, type Profile } from '../model/profile.ts';
import { PROPERTIES, findProperty } from '../properties/index.ts';
import { checkProperty, type Counterexample } from '../properties/check.ts';
import type { Property } from '../properties/types.ts';
import { runScenario } from '../model/run.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import { ScenarioError } from '../scenario/validate.ts';
import { formatTrace } from '../scenario/format.ts';
import type { Scenario } from '../scenario/types.ts';
import { UsageError, parseArgs } from './args.ts';

const HELP = `usage: bpftc <command> [flags]

commands:
  fuzz        run properties on generated scenarios
              --profile P (default ${DEFAULT_PROFILE})  --property NAME|all (default all)
              --runs N (default 1000)  --seed S (default 1)  --path PATH (replay a failure)
              --save DIR (write counterexamples as new corpus files)  --json
  run FILE..  run scenario files on the model and check their expectations
              --profile P (override the scenario's)  --json
  diff        --from P --to Q [--runs N] [--seed S] [--format text|markdown|json]:
              every class of behavioural difference between two profiles, with a minimal witness
  repro FILE --c [--out FILE]
              a standalone C file that runs the scenario as root and checks each step
  properties  list the properties with their claims
  profiles    list the profiles (spec versions and known-bad variants)
  oracle      run generated scenarios on the real kernel and the model (see README)
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

function fuzz(argv: string[], out: Out): number {
  const { flags, positional } = parseArgs(argv, {
    profile: 'string', property: 'string', runs: 'int', seed: 'int', path: 'string', save: 'string', json: 'bool',
  });
  if (positional.length) throw new UsageError(`fuzz takes no positional argument ("${positional[0]}")`);
  const profile = profileFlag(flags.profile);
  const props = propertiesFlag(flags.property);
  const runs = (flags.runs as number | undefined) ?? 1000;
  if (runs < 1) throw new UsageError('--runs must be at least 1');
  const seed = (flags.seed as number | undefined) ?? 1;
  const path = flags.path as string | undefined;
  if (path !== undefined && props.length !== 1) throw new UsageError('--path replays one property: give --property NAME');
  const date = new Date().toISOString().slice(0, 10);
  const report: unknown[] = [];
  let failed = 0;
  for (const prop of props) {
    const r = checkProperty(prop, profile, path === undefined ? { runs, seed } : { runs, seed, path });
    if (r.ok) {
      report.push({ property: prop.name, ok: true, runs: r.runs });
      if (!flags.json) out(`ok    ${prop.name}  (${r.runs} runs)`);
      continue;
    }
    failed++;
    const ce = r.counterexample;
    const sc = counterexampleScenario(ce, date);
    const file = typeof flags.save === 'string' ? save(flags.save, sc, ce) : undefined;
    const replay = `npx bpftc fuzz --profile ${profile.name} --property ${prop.name} --seed ${seed} --path ${ce.path}`;
    report.push({ property: prop.name, ok: false, runs: r.runs, violation: ce.violation, seed, path: ce.path, replay, saved: file, scenario: sc });
    if (flags.json) continue;
    out(`FAIL  ${prop.name}  after ${r.runs} runs (${ce.shrinks} shrinks, ${ce.scenario.steps.length} steps)`);
    out(`      claim: ${prop.claim}`);
    out(`      step ${ce.violation.step + 1}: ${ce.violation.message}`);
    out(formatTrace(ce.scenario, ce.results, ce.violation.step));
    out(`      replay: ${replay}`);
    if (file) out(`      saved: ${file}`);
  }
  if (flags.json) out(JSON.stringify({ profile: profile.name, seed, runs, results: report }, null, 2));
  else out(`${props.length - failed} passed, ${failed} failed (profile ${profile.name}, seed ${seed})`);
  return failed ? 1 : 0;
}

function run(argv: string[], out: Out): number {
  const { flags, positional } = parseArgs(argv, { profile: 'string', json: 'bool' });
  if (!positional.length) throw new UsageError('run needs at least one scenario file');
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
      return { step: i + 1, op: st.op, actor: st.actor, ret: got.ret, text: got.text, expect: st.expect, expect_text: st.expect_text, mismatch: bad };
    });
    if (flags.json) {
      all.push({ file, profile: override?.name ?? s.profile ?? DEFAULT_PROFILE, steps });
      continue;
    }
    out(`${file}${s.name ? `: ${s.name}` : ''}`);
    out(formatTrace(s, r.results));
    for (const x of steps)
      if (x.mismatch)
        out(`  MISMATCH step ${x.step}: expected ${x.expect ?? x.ret}${x.expect_text !== undefined ? ` ${JSON.stringify(x.expect_text)}` : ''}, got ${x.ret}${x.text !== undefined ? ` ${JSON.stringify(x.text)}` : ''}`);
  }
  if (flags.json) out(JSON.stringify(all, null, 2));
  else out(`${mismatches === 0 ? 'all expectations met' : `${mismatches} step(s) differ from their expectation`}`);
  return mismatches ? 1 : 0;
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
};

export async function main(argv: string[], out: Out = (l) => console.log(l), err: Out = (l) => console.error(l)): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'fuzz':
        return fuzz(rest, out);
      case 'run':
        return run(rest, out);
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
