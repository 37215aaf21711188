// bpftc oracle: the differential campaign. Generated scenarios (plus every
// kernel-checkable corpus scenario) run on the real kernel and on the model;
// each disagreement is shrunk and printed side by side.

import { availableParallelism } from 'node:os';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { type Profile, findProfile, withKconfig } from '../model/profile.ts';
import { formatKconfig } from '../model/kconfig.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { type Probe, attachTargetNote, hostFactsNote, kernelUncheckable, probeKernel, usesAttachTarget } from '../oracle/driver.ts';
import type { Guest } from '../vm/cli.ts';
import { type Disagreement, formatCoverageTable, runOracleCampaign } from '../oracle/campaign.ts';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { pruneDecls } from '../scenario/reduce.ts';
import { SIGNAL_EXIT, type StopSignal } from '../campaign/run.ts';
import { FileError } from '../scenario/io.ts';
import { UsageError, parseArgs, q } from './args.ts';
import { RUNS, SEED, raceOptions, runsOf, saveNew, seedOf } from './main.ts';
import { checkInDir, checkOutDir, checkOutFile } from './outpath.ts';
import { CoverageRecorder, coverageFile } from '../speccov/record.ts';
import { writeFileAtomic } from '../scenario/io.ts';

type Out = (line: string) => void;

function saveDisagreement(dir: string, d: Disagreement, seed: number, n: number): string {
  const s = d.shrunk?.scenario ?? d.scenario;
  const cmp = d.shrunk?.comparison ?? d.comparison;
  const sc: Scenario = {
    ...s,
    name: s.name ?? 'model/kernel disagreement',
    meta: {
      kernel_checkable: true,
      seed,
      date: new Date().toISOString().slice(0, 10),
      note: `model and kernel disagree at step ${cmp.first.index + 1}${cmp.lsmDiff?.[cmp.first.index]?.length ? `: ${cmp.lsmDiff[cmp.first.index]!.join('; ')}` : ''}`,
      kernel: { results: cmp.kernel },
    },
  };
  return saveNew('--save', dir, `disagreement-seed${seed}-${n}`, sc);
}

export async function oracleCommand(argv: string[], out: Out, err: Out = (l) => console.error(l)): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    runs: RUNS, seed: SEED, json: 'bool', corpus: 'string', save: 'string', 'no-shrink': 'bool', 'max-commands': { int: [1, 1000] },
    vm: 'bool', kernel: 'string', profile: 'string', core: 'string', coverage: 'string', 'lsm-trace': 'bool', vms: { int: [1, 16] }, cpus: { int: [1, 8] }, workers: { int: [1, 64] }, 'race-runs': { int: [1, 1_000_000] }, 'race-full': 'bool',
    procs: 'bool', attach: 'bool', 'unprivileged-bpf-disabled': { int: [0, 2] },
  });
  if (positional.length) throw new UsageError(`oracle takes no positional argument (got ${q(positional[0]!)})`);
  if (!flags.vm && (flags.kernel !== undefined || flags.profile !== undefined || flags.vms !== undefined || flags.cpus !== undefined || flags.core !== undefined || flags['unprivileged-bpf-disabled'] !== undefined))
    throw new UsageError('--kernel, --profile, --core, --vms, --cpus and --unprivileged-bpf-disabled go with --vm (the host\'s sysctl is only read)');
  if (flags.vm && flags.workers !== undefined) throw new UsageError('--workers is for the host oracle (with --vm, --vms N guests run in parallel)');
  const coreName = flags.core as string | undefined;
  if (coreName !== undefined && coreName !== 'none' && !findProfile(coreName)) throw new UsageError(`unknown profile ${q(coreName)} (bpftc profiles lists them)`);
  if (coreName !== undefined && coreName !== 'none' && findProfile(coreName)?.lsm !== undefined) throw new UsageError(`--core takes a core profile (linux-6.12, linux-7.3, ...) or none, got ${q(coreName)}`);
  const runs = runsOf(flags, 500, 'BPFTC_ORACLE_RUNS');
  const seed = seedOf(flags);
  const profileName = (flags.profile as string | undefined) ?? 'linux-6.18';
  const profile = findProfile(profileName);
  if (!profile) throw new UsageError(`unknown profile ${q(profileName)} (bpftc profiles lists them)`);
  const selinux = (profile.lsm?.order ?? []).includes('selinux');
  if (profile.integrity !== undefined || (profile.lsm?.order ?? []).some((l) => l !== 'capability' && l !== 'bpf' && l !== 'selinux'))
    throw new UsageError(`profile ${profile.name} needs an LSM set-up in the guest (integrity, IPE): not there yet; the VM oracle runs core and SELinux profiles`);
  if (selinux && !flags.vm) throw new UsageError(`profile ${profile.name} has SELinux: it runs in a VM (--vm --kernel IMAGE)`);
  const corpusDir = (flags.corpus as string | undefined) ?? 'corpus';
  // flags, paths and every corpus file are checked before the kernel is probed
  checkInDir(`--corpus ${corpusDir}`, corpusDir);
  if (typeof flags.save === 'string') checkOutDir('--save', flags.save);
  if (typeof flags.coverage === 'string') checkOutFile('--coverage', flags.coverage);
  // SELinux profiles: also the corpus scenarios with an SELinux set-up that the guest can run
  const so = selinux ? await import('../vm/selinux-oracle.ts') : null;
  const corpus = loadCorpus(corpusDir).filter(
    (e) => e.scenario.meta?.kernel_checkable || (so !== null && e.scenario.selinux !== undefined && so.selinuxUncheckable({ ...e.scenario, profile: profile.name }) === null),
  );
  if (flags['lsm-trace']) {
    // the BPF-LSM hook trace (vm/lsmtrace-run.ts): the corpus scenarios with bpf_lsm_deny steps too
    if (!flags.vm) throw new UsageError('--lsm-trace goes with --vm (the host refuses BPF-LSM programs)');
    if (flags.kernel === undefined) throw new UsageError('--vm needs --kernel IMAGE (a bzImage; bpftc vm build makes one)');
    if (!existsSync(flags.kernel as string)) throw new UsageError(`no kernel image ${q(flags.kernel as string)} (bpftc vm build makes one)`);
    const lsmCorpus = loadCorpus(corpusDir).filter((e) => e.scenario.meta?.kernel_checkable || e.scenario.steps.some((st) => st.lsm?.some((a) => a.action === 'bpf_lsm_deny')));
    const { lsmTraceOracle } = await import('../vm/lsmtrace-run.ts');
    // judged on the image's kernel-config facts, as the core scenarios of oracle --vm are
    const { imageFacts, onFacts } = await import('../vm/cli.ts');
    const facts = imageFacts(flags.kernel as string);
    let n = 0;
    return lsmTraceOracle({
      image: flags.kernel as string,
      ...(flags['unprivileged-bpf-disabled'] !== undefined ? { unprivBpf: flags['unprivileged-bpf-disabled'] as 0 | 1 | 2 } : {}),
      profile: onFacts(profile, facts.facts),
      corpus: lsmCorpus.map((e) => e.scenario),
      runs,
      seed,
      maxCommands: (flags['max-commands'] as number | undefined) ?? 30,
      ...(flags.procs === true ? { procs: true } : {}),
      json: flags.json === true,
      out,
      err,
      ...(typeof flags.save === 'string'
        ? { save: (sc: Scenario, _c: unknown, cls: string) => saveNew('--save', flags.save as string, `lsm-trace-seed${seed}-${++n}`, { ...sc, meta: { ...(sc.meta ?? {}), kernel_checkable: true, seed, note: `BPF-LSM hook trace differs (${cls})` } }) }
        : {}),
    });
  }
  // --vms: guests in parallel, default one per core (each guest is one TCG thread)
  const vms = (flags.vms as number | undefined) ?? Math.max(1, Math.min(16, availableParallelism()));
  const vm = flags.vm ? await (await import('../vm/cli.ts')).openVm(flags.kernel as string | undefined, {
        vms,
        ...(flags.cpus !== undefined ? { cpus: flags.cpus as number } : {}),
        race: raceOptions(flags),
        selinux,
        ...(flags['unprivileged-bpf-disabled'] !== undefined ? { unprivBpf: flags['unprivileged-bpf-disabled'] as 0 | 1 | 2 } : {}),
      }) : null;
  if (vm && 'error' in vm) {
    err(`bpftc: ${vm.error}`);
    return 1;
  }
  const probe = vm ? ('skip' in vm ? vm : vm.probe) : await probeKernel();
  if ('skip' in probe) {
    out(flags.json ? JSON.stringify({ skipped: probe.skip }) : `skipped: ${probe.skip}`);
    return 0;
  }
  const guest = vm && !('skip' in vm) ? vm : null;
  try {
    return await campaign(flags, out, err, { probe, profile, vm: guest, corpus: corpus.map((e) => e.scenario), runs, seed, argv });
  } finally {
    await guest?.close();
  }
}

/** the classes of the disagreements, most frequent first */
function classCounts(found: Disagreement[], classify: (s: Scenario, c: Disagreement['comparison']) => string): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const d of found) {
    const k = classify(d.shrunk?.scenario ?? d.scenario, d.shrunk?.comparison ?? d.comparison);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

interface CampaignArgs {
  probe: Probe;
  profile: Profile;
  vm: Guest | null;
  corpus: Scenario[];
  runs: number;
  seed: number;
  argv: string[];
}

async function campaign(flags: Record<string, string | number | boolean>, out: Out, err: Out, a: CampaignArgs): Promise<number> {
  const { probe, profile, vm, runs, seed } = a;
  // no cgroup v2 attach target on this machine (oracle/driver.ts attachTargetNote()): the
  // scenarios with attach steps would only show their refusals, they are left out
  const attachNote = attachTargetNote(probe);
  const corpus = attachNote ? a.corpus.filter((s) => !usesAttachTarget(s)) : a.corpus;
  const attachLeftOut = a.corpus.length - corpus.length;
  const selinux = (profile.lsm?.order ?? []).includes('selinux');
  // SELinux profiles: the LSM generator (contexts, policies, reloads, and in the VM BPF-LSM
  // programs, whose guests load the executor's: vm/cli.ts openVm(); no races)
  const arb = scenarioArb({
    profile,
    sysctl: probe.unprivileged_bpf_disabled,
    maxCommands: (flags['max-commands'] as number | undefined) ?? 30,
    // (with raw return values too: the guest's verifier is asked whether it loads them)
    ...(selinux ? { lsm: { races: false, ...(vm !== null && vm !== undefined ? { bpfLsm: true, anyRet: true } : { bpfLsm: false }) } } : {}),
    // --procs: the issue 11 language v2 ops of generators/procs.ts too
    ...(flags.procs === true ? { procs: true } : {}),
    // --attach: the attach ops of generators/attach.ts (cgroup programs attached by other tasks)
    ...(flags.attach === true && !attachNote ? { attach: true } : {}),
  });
  const so = selinux ? await import('../vm/selinux-oracle.ts') : null;
  const generated = fc.sample(arb, { numRuns: runs, seed }).map((c) => c.scenario);
  // --profile: every scenario (corpus ones too) is judged against that profile
  const profiled = [...corpus, ...generated].map((sc) => (flags.profile !== undefined ? { ...sc, profile: profile.name } : sc));
  // SELinux: the LSM generator adds a thread actor c1t to every world; without
  // it (when no step uses it) the scenario runs in the guest (the executor has no threads)
  // --vm: judged on the image's kernel-config facts (vm.withFacts, model/kconfig.ts)
  const scenarios = (selinux ? profiled.map((sc) => pruneDecls(sc)) : profiled).map((sc) => (vm ? vm.withFacts(sc) : sc));
  // the model: the SELinux layer of the profile on the kernel's own core
  // (linux-6.12, linux-7.3) unless --core says otherwise
  const coreFlag = flags.core as string | undefined;
  const coreBase = so ? (coreFlag === 'none' ? undefined : coreFlag !== undefined ? findProfile(coreFlag) : so.coreProfileFor(probe.release)) : undefined;
  // on the image's kernel-config facts too (model/kconfig.ts), as the core scenarios are
  const core = coreBase && vm?.kconfig ? withKconfig(coreBase, vm.kconfig) : coreBase;
  const compare = so ? so.selinuxComparer(core) : undefined;
  const t0 = Date.now();
  const found: Disagreement[] = [];
  // SIGINT / SIGTERM: the executors (and every scenario's process group) are
  // killed; what was compared so far is reported and saved, exit 130 / 143
  const stop = new AbortController();
  let interrupted: StopSignal | undefined;
  const onSignal = (sig: StopSignal): void => {
    interrupted ??= sig;
    stop.abort();
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let res: Awaited<ReturnType<typeof runOracleCampaign>>;
  try {
    res = await runOracleCampaign({
      scenarios,
      probe,
      // the host: one executor per core (--workers), results as with one
      ...(vm ? { executor: vm.runner } : { ...raceOptions(flags), workers: (flags.workers as number | undefined) ?? Math.max(1, Math.min(64, availableParallelism())) }),
      ...(so && compare ? { compare, format: so.formatSelinux, uncheckable: so.selinuxUncheckable } : {}),
      shrink: !flags['no-shrink'],
      signal: stop.signal,
      onDisagreement: (d) => {
        found.push(d);
      },
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  if (interrupted) err(`bpftc: ${interrupted}: the executors are stopped; reporting what was compared so far`);
  // --coverage FILE: the model's decision points on the scenarios compared (each replayed once on the profile)
  const coverageOut = (): void => {
    if (typeof flags.coverage !== 'string') return;
    const rec = new CoverageRecorder(profile, 'oracle', seed);
    scenarios.slice(0, res.scenarios).forEach((sc, i) => rec.add(sc, [0, 0, i]));
    writeFileAtomic(flags.coverage, `${JSON.stringify(coverageFile(['oracle', ...a.argv].join(' '), [rec.section]))}\n`, { what: `--coverage ${flags.coverage}` });
  };
  // several guests finish out of order: report and save in scenario order
  found.sort((x, y) => x.index - y.index);
  // disagreements are printed before they are saved (text); a save that fails
  // (full disk) stops saving and is the one error line, after the report
  const saved: string[] = [];
  let saveError: FileError | undefined;
  const saveAll = (): void => {
    if (typeof flags.save !== 'string') return;
    for (const [i, d] of found.entries()) {
      try {
        saved.push(saveDisagreement(flags.save, d, seed, i + 1));
      } catch (e) {
        if (!(e instanceof FileError)) throw e;
        saveError = e;
        return;
      }
    }
  };
  if (flags.json) saveAll();
  try {
    coverageOut();
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    saveError ??= e;
  }
  if (flags.json) {
    out(
      JSON.stringify(
        {
          release: probe.release,
          ...(vm ? { vm: { accel: vm.accel, vms: vm.vms, kconfig: vm.kconfig ? formatKconfig(vm.kconfig) : null, boot_seconds: vm.bootSeconds, seconds: (Date.now() - t0) / 1000, boots: vm.runner.boots, deaths: vm.runner.deaths, crashes: vm.runner.crashes }, profile: profile.name } : {}),
          unprivileged_bpf_disabled: probe.unprivileged_bpf_disabled,
          seed,
          ...(interrupted ? { interrupted } : {}),
          scenarios: res.scenarios,
          corpus: corpus.length,
          agreements: res.agreements,
          disagreements: res.disagreements,
          setupErrors: res.setupErrors,
          unsupported: res.unsupported,
          coverage: Object.fromEntries([...res.coverage].map(([op, c]) => [op, { kernel: [...c.kernel].sort(), model: [...c.model].sort() }])),
          found: found.map((d) => d.shrunk?.scenario ?? d.scenario),
          ...(so ? { model: core ? `${profile.name}+${core.name}` : profile.name, classes: Object.fromEntries(classCounts(found, so.classifyDisagreement)) } : {}),
          saved,
        },
        null,
        2,
      ),
    );
  } else {
    out(`kernel ${probe.release}${vm ? ` (VM, ${vm.accel}, ${vm.vms} guest${vm.vms > 1 ? 's' : ''}, booted in ${vm.bootSeconds.toFixed(1)} s; profile ${profile.name})` : ''}, unprivileged_bpf_disabled=${probe.unprivileged_bpf_disabled}, seed ${seed}`);
    if (attachNote) out(`${attachNote}${attachLeftOut ? ` (${attachLeftOut} corpus scenario(s) with them left out)` : ''}`);
    const facts = hostFactsNote(probe);
    if (facts) out(facts);
    if (vm) out(vm.kconfig ? `kernel config facts (embedded config): ${formatKconfig(vm.kconfig)}` : `kernel config facts: none (${vm.kconfigWhy ?? 'no embedded config'}); the 6.18 host's assumed`);
    out(`${res.scenarios} scenarios (${corpus.length} from the corpus): ${res.agreements} agree, ${res.disagreements} disagree, ${res.setupErrors} kernel set-up errors`);
    // what the set-up errors were, most frequent first (a campaign's errors are not silent)
    for (const [kind, n] of Object.entries(res.setupErrorKinds).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 8)) out(`  ${String(n).padStart(5)}  set-up error: ${kind}`);
    // a file that says kernel_checkable but is not (a race, LSM set-up, a thread the executor
    // cannot run as the model does), or a generated scenario of that kind, is never executed:
    // said, not hidden, and counted apart (bpftc run --kernel FILE says why)
    if (res.unsupported) {
      const inCorpus = corpus.filter((s) => (so && compare ? so.selinuxUncheckable : kernelUncheckable)(s) !== null).length;
      const parts = [inCorpus ? `${inCorpus} corpus scenario(s) marked kernel_checkable` : '', res.unsupported > inCorpus ? `${res.unsupported - inCorpus} generated scenario(s)` : ''].filter((x) => x);
      out(
        so
          ? `${res.unsupported} scenario(s) cannot run in the guest (bpftc run --vm says why) and were not run on the kernel`
          : `${parts.join(' and ')} ${res.unsupported === 1 ? 'is' : 'are'} model-only and were not run on the kernel`,
      );
    }
    if (so) out(`model: ${profile.name}${core ? ` (its SELinux layer on the ${core.name} core)` : ''}`);
    out(formatCoverageTable(res.coverage));
    for (const d of found) out(`\nDISAGREEMENT\n${d.report}`);
    if (so && found.length) {
      out('\ndisagreement classes (first differing step):');
      for (const [k, n] of classCounts(found, so.classifyDisagreement)) out(`  ${String(n).padStart(4)}  ${k}`);
    }
    if (vm) {
      for (const l of vm.crashReport()) out(l);
      out(`${res.scenarios} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s in the VM (boot ${vm.bootSeconds.toFixed(1)} s)`);
    }
    saveAll();
    for (const f of saved) out(`saved: ${f}`);
  }
  if (interrupted) {
    if (saveError) err(`bpftc: ${saveError.message}`);
    return SIGNAL_EXIT[interrupted];
  }
  if (saveError) throw saveError;
  return res.disagreements || (vm?.runner.deaths.length ?? 0) > 0 ? 1 : 0;
}
