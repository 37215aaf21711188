// bpftc oracle: the differential campaign. Generated scenarios (plus every
// kernel-checkable corpus scenario) run on the real kernel and on the model;
// each disagreement is shrunk and printed side by side.

import fc from 'fast-check';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Profile, findProfile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { type Probe, probeKernel } from '../oracle/driver.ts';
import type { Guest } from '../vm/cli.ts';
import { type Disagreement, formatCoverageTable, runOracleCampaign } from '../oracle/campaign.ts';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { UsageError, parseArgs } from './args.ts';

type Out = (line: string) => void;

function saveDisagreement(dir: string, d: Disagreement, seed: number, n: number): string {
  mkdirSync(dir, { recursive: true });
  const s = d.shrunk?.scenario ?? d.scenario;
  const cmp = d.shrunk?.comparison ?? d.comparison;
  const sc: Scenario = {
    ...s,
    name: s.name ?? 'model/kernel disagreement',
    meta: {
      kernel_checkable: true,
      seed,
      date: new Date().toISOString().slice(0, 10),
      note: `model and kernel disagree at step ${cmp.first.index + 1}`,
      kernel: { results: cmp.kernel },
    },
  };
  let file = join(dir, `disagreement-seed${seed}-${n}.json`);
  for (let k = 2; existsSync(file); k++) file = join(dir, `disagreement-seed${seed}-${n}-${k}.json`);
  writeFileSync(file, JSON.stringify(sc, null, 2) + '\n', { flag: 'wx' });
  return file;
}

export async function oracleCommand(argv: string[], out: Out): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    runs: 'int', seed: 'int', json: 'bool', corpus: 'string', save: 'string', 'no-shrink': 'bool', 'max-commands': 'int',
    vm: 'bool', kernel: 'string', profile: 'string',
  });
  if (!flags.vm && (flags.kernel !== undefined || flags.profile !== undefined)) throw new UsageError('--kernel and --profile go with --vm');
  if (positional.length) throw new UsageError(`oracle takes no positional argument ("${positional[0]}")`);
  const profileName = (flags.profile as string | undefined) ?? 'linux-6.18';
  const profile = findProfile(profileName);
  if (!profile) throw new UsageError(`unknown profile "${profileName}" (bpftc profiles lists them)`);
  if (profile.integrity !== undefined || (profile.lsm?.order ?? []).some((l) => l !== 'capability' && l !== 'bpf'))
    throw new UsageError(`profile ${profile.name} needs an LSM set-up in the guest (SELinux policy, integrity): not there yet; the VM oracle runs core profiles`);
  const vm = flags.vm ? await (await import('../vm/cli.ts')).openVm(flags.kernel as string | undefined) : null;
  if (vm && 'error' in vm) {
    console.error(`bpftc: ${vm.error}`);
    return 1;
  }
  const probe = vm ? ('skip' in vm ? vm : vm.probe) : await probeKernel();
  if ('skip' in probe) {
    out(flags.json ? JSON.stringify({ skipped: probe.skip }) : `skipped: ${probe.skip}`);
    return 0;
  }
  const guest = vm && !('skip' in vm) ? vm : null;
  try {
    return await campaign(flags, out, probe, profile, guest);
  } finally {
    await guest?.close();
  }
}

async function campaign(flags: Record<string, string | number | boolean>, out: Out, probe: Probe, profile: Profile, vm: Guest | null): Promise<number> {
  const runs = (flags.runs as number | undefined) ?? 500;
  const seed = (flags.seed as number | undefined) ?? 1;
  const corpusDir = (flags.corpus as string | undefined) ?? 'corpus';
  const corpus = loadCorpus(corpusDir).filter((e) => e.scenario.meta?.kernel_checkable);
  const arb = scenarioArb({ profile, sysctl: probe.unprivileged_bpf_disabled, maxCommands: (flags['max-commands'] as number | undefined) ?? 30 });
  const generated = fc.sample(arb, { numRuns: runs, seed }).map((c) => c.scenario);
  // --profile: every scenario (corpus ones too) is judged against that profile
  const scenarios = [...corpus.map((e) => e.scenario), ...generated].map((s) => (flags.profile !== undefined ? { ...s, profile: profile.name } : s));
  const t0 = Date.now();
  const found: Disagreement[] = [];
  const res = await runOracleCampaign({
    scenarios,
    probe,
    ...(vm ? { executor: vm.runner } : {}),
    shrink: !flags['no-shrink'],
    onDisagreement: (d) => {
      found.push(d);
    },
  });
  const saved = typeof flags.save === 'string' ? found.map((d, i) => saveDisagreement(flags.save as string, d, seed, i + 1)) : [];
  if (flags.json) {
    out(
      JSON.stringify(
        {
          release: probe.release,
          ...(vm ? { vm: { accel: vm.accel, boot_seconds: vm.bootSeconds, seconds: (Date.now() - t0) / 1000, boots: vm.runner.boots, deaths: vm.runner.deaths, crashes: vm.runner.crashes }, profile: profile.name } : {}),
          unprivileged_bpf_disabled: probe.unprivileged_bpf_disabled,
          seed,
          scenarios: res.scenarios,
          corpus: corpus.length,
          agreements: res.agreements,
          disagreements: res.disagreements,
          setupErrors: res.setupErrors,
          coverage: Object.fromEntries([...res.coverage].map(([op, c]) => [op, { kernel: [...c.kernel].sort(), model: [...c.model].sort() }])),
          found: found.map((d) => d.shrunk?.scenario ?? d.scenario),
          saved,
        },
        null,
        2,
      ),
    );
  } else {
    out(`kernel ${probe.release}${vm ? ` (VM, ${vm.accel}, booted in ${vm.bootSeconds.toFixed(1)} s; profile ${profile.name})` : ''}, unprivileged_bpf_disabled=${probe.unprivileged_bpf_disabled}, seed ${seed}`);
    out(`${res.scenarios} scenarios (${corpus.length} from the corpus): ${res.agreements} agree, ${res.disagreements} disagree, ${res.setupErrors} kernel set-up errors`);
    out(formatCoverageTable(res.coverage));
    for (const d of found) out(`\nDISAGREEMENT\n${d.report}`);
    if (vm) {
      for (const l of vm.crashReport()) out(l);
      out(`${res.scenarios} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s in the VM (boot ${vm.bootSeconds.toFixed(1)} s)`);
    }
    for (const f of saved) out(`saved: ${f}`);
  }
  return res.disagreements || (vm?.runner.deaths.length ?? 0) > 0 ? 1 : 0;
}
