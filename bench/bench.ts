// npm run bench: throughput figures (never asserted in tests).
//   model steps/s       replaying pre-generated scenarios on the model
//   sequences/s         generate + compile + one property check, end to end
//   kernel scenarios/s  the same scenarios on the real kernel (when the oracle can run),
//                       per worker count (bench/oracle.ts), with CPU ms per scenario
//   VM figures          boot time, core scenarios/s with 1 and 2 guests, host/VM
//                       ratio (bench/vm.ts; BENCH_VM=0 skips them)
//   whole commands      bpftc as a user runs it (bench/cli.ts): start-up, fuzz
//                       --property all per profile and worker count, the time
//                       to the first counterexample of each historical bug,
//                       how close --time 5 stops to 5 s
// BENCH_* variables: bench/env.ts (a bad value is one line and exit 2).

import fc from 'fast-check';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { PROPERTIES } from '../properties/index.ts';
import { checkProperty } from '../properties/check.ts';
import { depthOf, lsmDepthReport } from '../generators/stats.ts';
import { adaptToMachine, probeKernel } from '../oracle/driver.ts';
import { runCampaign } from '../campaign/run.ts';
import { benchEnv } from './env.ts';
import { oracleBench, oracleSets } from './oracle.ts';
import { allThroughput, firstCounterexample, startup, timeBudget } from './cli.ts';
import { formatTable, record, verdict } from './table.ts';
import { availableParallelism, loadavg } from 'node:os';
// @ts-expect-error a plain JavaScript module (no declarations)
import { distFresh } from '../build/sources.mjs';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

const env = benchEnv();
if (typeof env === 'string') {
  process.stderr.write(`npm run bench: ${env}\n`);
  process.exit(2);
}
const profile = findProfile('linux-6.18')!;
const N = env.BENCH_SCENARIOS!;

// whole commands first (the figures of issue 13), through the launcher
const compiledCli = (distFresh as (root: string) => boolean)(new URL('..', import.meta.url).pathname);
console.log(`bpftc runs ${compiledCli ? 'the compiled CLI (dist/)' : 'the sources through tsx (dist/ missing or stale: npm run build)'}`);
for (const args of [['--help'], ['properties']]) console.log(startup(args, env.BENCH_STARTS!));
for (const p of ['linux-6.18', 'selinux-token-v7', 'integrity-rfc']) {
  const one = allThroughput(p, env.BENCH_ALL_RUNS!, 1);
  console.log(one.line);
  const two = allThroughput(p, env.BENCH_ALL_RUNS!, 2);
  console.log(`${two.line} (${(two.rate / one.rate).toFixed(2)}x one worker)`);
  record(`fuzz --property all, ${p}: 2 workers / 1`, `${(two.rate / one.rate).toFixed(2)}x`, 'the two commands above', `>= 1.8x: ${verdict(two.rate / one.rate >= 1.8)}`);
}
console.log(timeBudget('selinux-token-v7', 5));
// the bugs of properties/isolation.test.ts: the SELinux review history, the token-v10 differences
for (const [bad, prop] of [
  ['selinux-token-v1', 'selinux-token-checks-at-use'],
  ['selinux-token-v2', 'selinux-denial-audited'],
  ['selinux-token-v3', 'selinux-creator-sid'],
  ['selinux-token-v4', 'selinux-token-capable-mediated'],
  ['selinux-token-v5', 'selinux-token-capable'],
  ['selinux-token-v6', 'selinux-token-capable'],
  ['token-v10', 'token-from-bpffs-root'],
  ['token-v10', 'token-create-same-userns'],
  ['token-v10', 'token-not-in-init-userns'],
  ['token-v10', 'token-needs-delegation'],
  ['token-v10', 'delegation-needs-init-sysadmin'],
] as const)
  console.log(firstCounterexample(bad, prop, env.BENCH_SEEDS!));

function time<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

const [compiled, genSec] = time(() => fc.sample(scenarioArb({ profile, sysctl: 2 }), { numRuns: N, seed: 42 }));
const steps = compiled.reduce((a, c) => a + c.scenario.steps.length, 0);
console.log(`generated ${N} scenarios (${steps} steps) in ${genSec.toFixed(2)} s: ${Math.round(N / genSec)} sequences/s incl. compile`);
record('generation + compilation (model in the loop)', `${Math.round(N / genSec)} sequences/s`, `bench/bench.ts: fc.sample(scenarioArb(linux-6.18), ${N} runs, seed 42)`);

// warm-up (three passes: the JIT and the heap settle), then the median of five timed passes
for (let w = 0; w < 3; w++) for (const c of compiled) runScenario(c.scenario, { profile });
const passes: number[] = [];
for (let r = 0; r < 5; r++) {
  const [, sec] = time(() => {
    for (const c of compiled) runScenario(c.scenario, { profile });
  });
  passes.push(sec);
}
passes.sort((a, b) => a - b);
const replaySec = passes[2]!;
console.log(`model replay: ${Math.round(steps / replaySec)} steps/s, ${Math.round(N / replaySec)} scenarios/s (one core)`);
record('model replay, one core (median of 5 passes)', `${Math.round(steps / replaySec).toLocaleString('en-US')} steps/s (${Math.round(N / replaySec).toLocaleString('en-US')} scenarios/s)`, `bench/bench.ts: runScenario() over the ${N} generated scenarios`, `>= 2,000,000 steps/s: ${verdict(steps / replaySec >= 2e6)}`);

const d = compiled.map(depthOf);
const pct = (n: number): string => `${((100 * n) / N).toFixed(1)}%`;
console.log(
  `depth: token created in ${pct(d.filter((x) => x.tokenCreated).length)}, token use ok in ${pct(d.filter((x) => x.tokenUseOk).length)}, token use failing in ${pct(d.filter((x) => x.tokenUseFail).length)} of sequences`,
);

console.log(lsmDepthReport({ profile: 'selinux-token-merged', runs: 2000, seed: 42 }));

const perProperty: Array<[string, number]> = [];
for (const p of PROPERTIES) {
  const [, sec] = time(() => checkProperty(p, profile, { runs: 500, seed: 1 }));
  console.log(`property ${p.name}: ${Math.round(500 / sec)} sequences/s`);
  perProperty.push([p.name, 500 / sec]);
}
perProperty.sort((a, b) => a[1] - b[1]);
if (perProperty.length)
  record(`property checks on linux-6.18 (${perProperty.length} properties)`, `${Math.round(perProperty[0]![1])} (${perProperty[0]![0]}) to ${Math.round(perProperty.at(-1)![1])} sequences/s`, 'bench/bench.ts: checkProperty(p, linux-6.18, 500 runs, seed 1)');

// shrinking: seeded failures inside long sequences (up to 200 commands)
for (const [bad, prop] of [
  ['token-v10', 'token-from-bpffs-root'],
  ['mutant-keep-dropped-token', 'token-within-delegation'],
  ['mutant-capable-current-ns', 'token-scoped-to-userns'],
] as const) {
  const p = PROPERTIES.find((x) => x.name === prop)!;
  const t0 = process.hrtime.bigint();
  let longest = 0;
  const r = checkProperty(p, findProfile(bad)!, {
    runs: 3000,
    seed: 11,
    maxCommands: 200,
    size: 'max',
    observe: (c) => void (longest = Math.max(longest, c.scenario.steps.length)),
  });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!r.ok) {
    const raw = r.counterexample.shrinks;
    console.log(`shrink ${prop} on ${bad} (up to 200 commands, longest sequence ${longest} steps): found and shrunk in ${sec.toFixed(2)} s, ${raw} fast-check shrinks, final ${r.counterexample.scenario.steps.length} steps`);
    record(`find and shrink ${prop} on ${bad} (sequences up to ${longest} steps)`, `${sec.toFixed(2)} s to ${r.counterexample.scenario.steps.length} steps`, `bench/bench.ts: checkProperty(maxCommands 200, size max, seed 11)`);
  } else console.log(`shrink ${prop} on ${bad}: no failure in 3000 runs`);
}

// campaign throughput per worker count (processes; each worker of this
// in-process campaign loads tsx and the modules, about a second, so the
// campaign is long enough to amortize it)
const base = { profile: 'linux-6.18', properties: ['token-within-delegation', 'mountinfo-roundtrip'], seed: 5, shard: { index: 1, count: 1 }, batchRuns: 2000, runs: 120000 };
let one = 0;
for (const workers of [1, 2]) {
  const r = await runCampaign({ ...base, workers });
  const rate = r.runs / r.seconds;
  if (workers === 1) one = rate;
  console.log(`campaign with ${workers} worker(s): ${Math.round(rate)} runs/s, ${Math.round(r.steps / r.seconds)} steps/s${workers > 1 ? ` (${(rate / one).toFixed(2)}x)` : ''}`);
  record(`in-process campaign, two cheapest properties, ${workers} worker(s)`, `${Math.round(rate)} runs/s${workers > 1 ? ` (${(rate / one).toFixed(2)}x)` : ''}`, 'bench/bench.ts: runCampaign(linux-6.18, token-within-delegation + mountinfo-roundtrip, 120,000 runs)');
}

const probe = await probeKernel();
if ('skip' in probe) {
  console.log(`kernel: skipped (${probe.skip})`);
  record('kernel (host oracle)', `skipped: ${probe.skip}`, '');
} else {
  const K = Math.min(N, env.BENCH_KERNEL!);
  // oracle scenarios/s per worker count (bench/oracle.ts: `--workers`, one executor
  // process each; 2x the cores too, for scenarios that wait on each other's processes)
  const sets = oracleSets(compiled.slice(0, K).map((c) => c.scenario));
  const ones = await oracleBench(probe, sets, (l) => console.log(l));
  for (const [i, [label, ks]] of sets.entries()) {
    const oneSec = ones[i]!;
    // steady state on both sides: the kernel side is a warm, long-running
    // executor, so warm the JIT too and time passes for at least 2 s
    const adapted = ks.map((s) => adaptToMachine(s, probe));
    for (let w = 0; w < 20; w++) for (const s of adapted) runScenario(s, { profile });
    let passes = 0;
    const [, mTotal] = time(() => {
      const t1 = Date.now();
      while (Date.now() - t1 < 2000) {
        for (const s of adapted) runScenario(s, { profile });
        passes++;
      }
    });
    console.log(`model, ${label}: ${Math.round(passes * ks.length / mTotal)} scenarios/s on one core, ${Math.round(oneSec / (mTotal / passes))}x one kernel worker`);
    record(`model on the same scenarios, ${label}`, `${Math.round(passes * ks.length / mTotal).toLocaleString('en-US')} scenarios/s on one core (${Math.round(oneSec / (mTotal / passes))}x one kernel worker)`, 'bench/bench.ts: runScenario() for 2 s');
  }
}

// the VM figures (bench/vm.ts): boot, core scenarios/s with 1 and 2 guests, host/VM ratio
if (env.BENCH_VM! > 0) await (await import('./vm.ts')).vmBench(env.BENCH_VM!);

console.log('');
console.log(formatTable(`## npm run bench: every figure (${new Date().toISOString().slice(0, 16)} UTC, ${availableParallelism()} cores, Node ${process.versions.node}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end)`));
