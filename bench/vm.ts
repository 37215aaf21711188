// The VM figures of npm run bench (issue 10): per cached kernel image, the
// boot time to the executor's answer, core scenarios/s in the VM with one and
// two guests (boot included, no shrinking), and the host/VM ratio on the same
// scenarios. Never asserted anywhere; skipped with the reason when QEMU or an
// image is missing.

import fc from 'fast-check';
import { loadCorpus } from '../corpus/load.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { findProfile } from '../model/profile.ts';
import { runOracleCampaign } from '../oracle/campaign.ts';
import { probeKernel } from '../oracle/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { cachedImages } from '../vm/cache.ts';
import { openVm } from '../vm/cli.ts';
import { readImage } from '../vm/kconfig.ts';
import { vmMissing } from '../vm/qemu.ts';
import { record } from './table.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

/** the core profile of a kernel release (the VM oracle's --profile) */
function profileFor(release: string): string {
  if (release.startsWith('6.12')) return 'linux-6.12';
  if (release.startsWith('7.3')) return 'linux-7.3';
  return 'linux-6.18';
}

async function campaignIn(image: string, vms: number, scenarios: Scenario[]): Promise<string> {
  const t0 = Date.now();
  const vm = await openVm(image, { vms });
  if ('skip' in vm) return `skipped: ${vm.skip}`;
  if ('error' in vm) return `boot failed: ${vm.error.split('\n')[0]}`;
  try {
    const ss = scenarios.map((s) => vm.withFacts(s));
    const r = await runOracleCampaign({ scenarios: ss, probe: vm.probe, executor: vm.runner, shrink: false });
    const sec = (Date.now() - t0) / 1000;
    const deaths = vm.runner.deaths.length ? `, ${vm.runner.deaths.length} guest death(s) (K1) and their reboots included` : '';
    return `${vms} guest(s): ${r.scenarios} scenarios in ${sec.toFixed(1)} s, ${(r.scenarios / sec).toFixed(1)} scenarios/s (boot ${vm.bootSeconds.toFixed(1)} s included${deaths}), ${r.agreements}/${r.scenarios} agree`;
  } finally {
    await vm.close();
  }
}

export async function vmBench(generatedCount: number, print: (l: string) => void = (l) => console.log(l)): Promise<void> {
  // each line is also a row of the closing table (bench/table.ts)
  const out = {
    push: (l: string): void => {
      print(l);
      const i = l.indexOf(': ');
      record(i > 0 ? l.slice(0, i) : l, i > 0 ? l.slice(i + 2) : '', 'bench/vm.ts (oracle --vm; BENCH_VM scenarios)');
    },
  };
  const images = process.env.BPFTC_VM_KERNEL ? [process.env.BPFTC_VM_KERNEL] : cachedImages();
  if (!images.length) return out.push('vm: skipped (no cached kernel image: bpftc vm build makes one)');
  const corpus = loadCorpus(new URL('../corpus/kernel', import.meta.url).pathname)
    .map((e) => e.scenario)
    .filter((s) => s.meta?.kernel_bug === undefined);
  const host = await probeKernel();
  for (const image of images) {
    const missing = vmMissing(image);
    if (missing) {
      out.push(`vm ${image}: skipped (${missing})`);
      continue;
    }
    const version = readImage(image).version.split(' ')[0] ?? '?';
    const profile = findProfile(profileFor(version))!;
    const generated = fc.sample(scenarioArb({ profile, sysctl: 2 }), { numRuns: generatedCount, seed: 7 }).map((c) => c.scenario);
    const scenarios = [...corpus, ...generated].map((s) => ({ ...s, profile: profile.name }));
    // the boot alone: three boots, one guest each
    const boots: number[] = [];
    for (let i = 0; i < 3; i++) {
      const vm = await openVm(image);
      if ('skip' in vm || 'error' in vm) break;
      boots.push(vm.bootSeconds);
      await vm.close();
    }
    out.push(`vm ${version} (${image}): boot to the executor's answer ${boots.map((b) => b.toFixed(1)).join(', ')} s (TCG, 1 CPU)`);
    const one = await campaignIn(image, 1, scenarios);
    out.push(`vm ${version}, core profile ${profile.name}, ${scenarios.length} scenarios (${corpus.length} corpus + ${generated.length} generated): ${one}`);
    out.push(`vm ${version}, the same: ${await campaignIn(image, 2, scenarios)}`);
    if ('skip' in host) out.push(`host/VM ratio: n/a (host oracle: ${host.skip})`);
    else {
      // the same scenarios on the host's 6.18 (its own profile, so the agreement differs)
      const t0 = Date.now();
      const r = await runOracleCampaign({ scenarios: scenarios.map((s) => ({ ...s, profile: 'linux-6.18' })), probe: host, shrink: false });
      const sec = (Date.now() - t0) / 1000;
      const vmRate = Number(/([\d.]+) scenarios\/s/.exec(one)?.[1] ?? NaN);
      out.push(`host ${host.release}, the same scenarios: ${(r.scenarios / sec).toFixed(1)} scenarios/s; host/VM ratio ${(r.scenarios / sec / vmRate).toFixed(1)}x (one guest)`);
    }
  }
  // the SELinux VM campaign (oracle --vm with an SELinux profile) boots policied guests and
  // takes minutes; the bench leaves it out and says where its figure is
  out.push('vm SELinux scenarios/s: not measured here (bpftc oracle --vm --profile selinux-token-v7 prints its own: README "Real kernels in a VM")');
}
