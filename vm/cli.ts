// bpftc vm build | check-kernel, and the --vm branches of `bpftc oracle` and
// `bpftc run`. Every failure is one paragraph on stderr, never a stack trace.

import { existsSync } from 'node:fs';
import { UsageError, parseArgs } from '../cli/args.ts';
import { AptError } from './apt.ts';
import { BuildError, LSMS, type Lsm, PACKAGES, buildKernel } from './build.ts';
import { ImageError, featuresFromConfig, featuresFromGuest, imageKconfig, readImage, type Feature } from './kconfig.ts';
import { HOST_CONFIG, type KernelConfigFacts, formatKconfig } from '../model/kconfig.ts';
import { type Profile, findProfile, withKconfig } from '../model/profile.ts';
import type { Scenario } from '../scenario/types.ts';
import { type Vm, VmError, bootVm, vmMissing } from './qemu.ts';
import { RebootingVm, VmPool, crashLine } from './pool.ts';
import { type GuestRunner, SelinuxGuests } from './selinux-oracle.ts';
import type { Probe, ScenarioProtocol } from '../oracle/driver.ts';
import { PatchError } from './patch.ts';
import { raceOptions } from '../cli/main.ts';

type Out = (line: string) => void;
const errOut: Out = (l) => console.error(l);

/** our own errors as one paragraph and exit status 1 */
async function guarded(f: () => Promise<number> | number, err: Out = errOut): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof BuildError || e instanceof AptError || e instanceof VmError || e instanceof ImageError || e instanceof PatchError) {
      err(`bpftc: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** `--patch` may repeat: take every one out before the common parser */
function takeRepeated(argv: string[], flag: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${flag}`) {
      const v = argv[++i];
      if (v === undefined || v === '') throw new UsageError(`--${flag} needs a value`);
      values.push(v);
    } else if (a.startsWith(`--${flag}=`)) values.push(a.slice(flag.length + 3));
    else rest.push(a);
  }
  return { values, rest };
}

export function parseLsm(v: string | undefined): Lsm[] {
  if (v === undefined) return [...LSMS];
  if (v === '' || v === 'none') return [];
  const out: Lsm[] = [];
  for (const x of v.split(',')) {
    if (!(LSMS as readonly string[]).includes(x)) throw new UsageError(`--lsm takes a list of ${LSMS.join(', ')} (or none), got "${x}"`);
    if (!out.includes(x as Lsm)) out.push(x as Lsm);
  }
  return out;
}

function build(argv: string[], out: Out): Promise<number> {
  const { values: patches, rest } = takeRepeated(argv, 'patch');
  const { flags, positional } = parseArgs(rest, { source: 'string', lsm: 'string', jobs: 'int', json: 'bool' });
  if (positional.length) throw new UsageError(`vm build takes no positional argument ("${positional[0]}")`);
  const source = (flags.source as string | undefined) ?? 'linux-source-7.3';
  if (!(PACKAGES as readonly string[]).includes(source) && !existsSync(source))
    throw new UsageError(`--source takes ${PACKAGES.join(', ')} or a kernel source directory, got "${source}"`);
  for (const p of patches) if (!existsSync(p)) throw new UsageError(`no such patch file: ${p}`);
  const jobs = (flags.jobs as number | undefined) ?? 2;
  if (jobs < 1 || jobs > 64) throw new UsageError('--jobs takes 1..64');
  const lsm = parseLsm(flags.lsm as string | undefined);
  return guarded(() => {
    const r = buildKernel({ source, patches, lsm, jobs, log: errOut });
    if (flags.json) out(JSON.stringify(r, null, 2));
    else {
      errOut(r.cached ? `cached: ${r.version}, key ${r.key}` : `built ${r.version} in ${r.seconds.toFixed(0)} s, key ${r.key}`);
      out(r.image);
    }
    return 0;
  });
}

function formatFeatures(fs: Feature[], out: Out): void {
  const w = Math.max(...fs.map((f) => f.name.length));
  for (const f of fs) out(`  ${f.ok ? 'ok     ' : 'MISSING'}  ${f.name.padEnd(w)}  ${f.evidence}${f.ok ? '' : `\n           rules out: ${f.rulesOut}`}`);
}

function checkKernel(argv: string[], out: Out): Promise<number> {
  const { flags, positional } = parseArgs(argv, { boot: 'bool', json: 'bool' });
  if (positional.length !== 1) throw new UsageError('vm check-kernel takes one kernel image (a bzImage)');
  const image = positional[0]!;
  return guarded(async () => {
    const info = readImage(image);
    let features: Feature[] | null = info.config ? featuresFromConfig(info.config, info.version) : null;
    let source = info.config ? 'embedded config (CONFIG_IKCONFIG)' : `booted probe (${info.configWhy ?? 'no config'})`;
    let bootSeconds: number | undefined;
    if (!features || flags.boot) {
      const vm = await bootVm({ image, cpus: 2 });
      bootSeconds = vm.bootSeconds;
      await vm.close();
      const g = featuresFromGuest(vm.facts);
      if (!features) features = g;
      else source += `; booted (${vm.accel}) in ${vm.bootSeconds.toFixed(1)} s: ${g.filter((f) => !f.ok).map((f) => f.name).join(', ') || 'nothing'} missing at run time`;
    }
    if (flags.json) out(JSON.stringify({ image, version: info.version, source, bootSeconds, features }, null, 2));
    else {
      out(`${image}: Linux ${info.version}`);
      out(`from: ${source}`);
      formatFeatures(features, out);
      const missing = features.filter((f) => !f.ok);
      out(missing.length ? `${missing.length} feature(s) missing` : 'every feature the VM oracle uses is there');
    }
    return features.slice(0, 3).every((f) => f.ok) ? 0 : 1;
  });
}

const VM_HELP = `usage: bpftc vm build [--source ${PACKAGES.join('|')}|DIR] [--patch FILE]... [--lsm selinux,bpf|none] [--jobs N] [--json]
       bpftc vm check-kernel IMAGE [--boot] [--json]`;

export async function vmCommand(argv: string[], out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'build':
      return build(rest, out);
    case 'check-kernel':
      return checkKernel(rest, out);
    case 'help':
      out(VM_HELP);
      return 0;
    default:
      // one line (bpftc help vm prints the usage)
      throw new UsageError(sub === undefined ? 'vm takes a subcommand: build or check-kernel (bpftc vm help)' : `unknown vm subcommand ${JSON.stringify(sub)}: build or check-kernel (bpftc vm help)`);
  }
}

/** a booted guest for `oracle --vm` / `run --vm`, rebooted after a kernel crash */
export interface Guest {
  probe: Probe;
  accel: string;
  bootSeconds: number;
  runner: GuestRunner;
  /** guests running in parallel */
  vms: number;
  /** the image's config facts (null: no embedded config, the host's assumed) */
  kconfig: KernelConfigFacts | null;
  /** why kconfig is null */
  kconfigWhy?: string;
  /** the scenario with its core profile on this image's config facts
   *  (`<profile>+kconfig:<facts>`, model/kconfig.ts); unchanged when the
   *  facts are the 6.18 host's or unknown, or the profile has an LSM set-up */
  withFacts: (s: Scenario, profile?: string) => Scenario;
  /** "VM 7.3.4 (tcg)" */
  label: string;
  /** what the guest's deaths and the crashing scenarios were, for the report */
  crashReport: () => string[];
  close: () => Promise<void>;
}

/** the image's kernel-config facts (model/kconfig.ts), or why there are none */
export function imageFacts(image: string): { facts: KernelConfigFacts | null; why?: string } {
  try {
    return imageKconfig(image);
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    return { facts: null, why: e.message };
  }
}

/** a core profile judged on an image's facts (`<profile>+kconfig:<facts>`); unchanged for
 *  profiles with facts or an LSM set-up of their own, and for facts equal to the host's */
export function onFacts(base: Profile, facts: KernelConfigFacts | null): Profile {
  if (!facts || formatKconfig(facts) === formatKconfig(HOST_CONFIG)) return base;
  if (base.token.kconfig !== undefined || base.lsm !== undefined || base.integrity !== undefined) return base;
  return withKconfig(base, facts);
}

/** skip when the VM oracle cannot run here (no qemu, no image, no static
 *  busybox), error when the boot fails. `vms` guests boot in parallel (default 1);
 *  SELinux (`selinux`, or a `protocol`): each is a policied guest with, when needed, one
 *  that never loads a policy (vm/selinux-oracle.ts SelinuxGuests) */
export async function openVm(
  image: string | undefined,
  opts: { cpus?: number; vms?: number; race?: { raceRuns?: number; raceFull?: boolean }; protocol?: ScenarioProtocol; selinux?: boolean; unprivBpf?: 0 | 1 | 2 } = {},
): Promise<Guest | { skip: string } | { error: string }> {
  if (image === undefined) throw new UsageError('--vm needs --kernel IMAGE (a bzImage; bpftc vm build makes one)');
  if (!existsSync(image)) throw new UsageError(`no kernel image ${image} (bpftc vm build makes one)`);
  const missing = vmMissing(image);
  if (missing) return { skip: missing };
  let protocol = opts.protocol;
  if (opts.selinux && !protocol) {
    const se = await selinuxSetup(image);
    if ('skip' in se) return se;
    protocol = se.protocol;
  }
  // the guest is ours: its kernel.unprivileged_bpf_disabled is set at boot (a sysctl.* kernel
  // parameter, applied before /init), so scenarios drawn or written for 0 run as they say;
  // the host's is only read (oracle/driver.ts adaptToMachine)
  const append = opts.unprivBpf !== undefined ? `sysctl.kernel.unprivileged_bpf_disabled=${opts.unprivBpf}` : undefined;
  // SELinux guests load the executor's BPF-LSM programs too (oracle/lsmtrace.c), so that a
  // scenario's bpf_lsm_deny steps run next to SELinux (FINDINGS L2)
  const boot = { image, ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}), ...(opts.race ? { race: opts.race } : {}), ...(protocol ? { protocol, lsmTrace: true } : {}), ...(append ? { append } : {}) };
  const n = opts.vms ?? 1;
  const booted = await Promise.allSettled(Array.from({ length: n }, () => bootVm(boot)));
  const failed = booted.find((b): b is PromiseRejectedResult => b.status === 'rejected');
  if (failed) {
    await Promise.all(booted.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)));
    if (failed.reason instanceof VmError) return { error: failed.reason.message };
    throw failed.reason;
  }
  const vms = booted.map((b) => (b as PromiseFulfilledResult<Vm>).value);
  const kc = imageFacts(image);
  const facts = kc.facts && formatKconfig(kc.facts) !== formatKconfig(HOST_CONFIG) ? kc.facts : null;
  const first = vms[0]!;
  const guests = vms.map((vm) => new RebootingVm(vm, boot));
  // SELinux: each policied guest keeps its own policy store (one executor session each)
  const runner: GuestRunner = new VmPool(protocol ? guests.map((g) => new SelinuxGuests(g, boot)) : guests);
  return {
    probe: first.probe,
    accel: first.accel,
    // the slowest guest's boot: the campaign starts when every guest is up
    bootSeconds: Math.max(...vms.map((v) => v.bootSeconds)),
    runner,
    vms: n,
    kconfig: kc.facts,
    ...(kc.why !== undefined ? { kconfigWhy: kc.why } : {}),
    withFacts: (s, profile) => {
      const base = findProfile(profile ?? s.profile ?? 'linux-6.18');
      return base ? { ...s, profile: onFacts(base, facts).name } : s;
    },
    label: `VM ${first.probe.release} (${first.accel}${n > 1 ? `, ${n} guests` : ''})`,
    crashReport: () => {
      const lines: string[] = [];
      if (runner.deaths.length) lines.push(`the guest kernel died ${runner.deaths.length} time(s); ${runner.boots} boot(s) in all`);
      for (const d of runner.deaths) lines.push(...d.map((l, i) => `${i ? '    ' : '  - '}${l}`));
      for (const c of runner.crashes) lines.push(`KERNEL CRASH (again when run alone): ${c.scenario.name ?? 'scenario'}`, ...c.oops.map((l) => `    ${l}`));
      return lines;
    },
    close: () => runner.close(),
  };
}

/** the SELinux oracle's protocol for this image: its policies are compiled
 *  for the class map of the kernel tree of the image's version (the trees
 *  `bpftc vm build` keeps), or why SELinux scenarios cannot run */
async function selinuxSetup(image: string): Promise<{ protocol: ScenarioProtocol } | { skip: string }> {
  const { selinuxProtocol, treeForRelease } = await import('./selinux-oracle.ts');
  const { checkpolicyUnavailable } = await import('./selinux/compile.ts');
  const why = checkpolicyUnavailable();
  if (why) return { skip: why };
  const version = readImage(image).version.split(' ')[0] ?? '';
  const tree = treeForRelease(version);
  if (!tree) return { skip: `no cached kernel tree for ${version || 'this image'} (its SELinux class map; bpftc vm build extracts one)` };
  return { protocol: selinuxProtocol(tree) };
}

/** the profile has SELinux in its LSM order */
export function selinuxProfile(name: string | undefined): boolean {
  return name !== undefined && (findProfile(name)?.lsm?.order ?? []).includes('selinux');
}

/** the kernel.unprivileged_bpf_disabled every readable scenario names, when they name one and the same */
export function agreedSysctl(ss: ReadonlyArray<Scenario | null>): 0 | 1 | 2 | undefined {
  const vals = new Set(ss.map((s) => s?.sysctl?.unprivileged_bpf_disabled));
  if (vals.size !== 1) return undefined;
  const [v] = vals;
  return v === 0 || v === 1 || v === 2 ? v : undefined;
}

/** `bpftc run FILE... --vm --kernel IMAGE [--profile P] [--core P|none] [--cpus N] [--race-runs N] [--race-full] [--json]` */
export async function runVm(argv: string[], out: Out): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    vm: 'bool', kernel: 'string', json: 'bool', profile: 'string', core: 'string', cpus: { int: [1, 8] }, 'race-runs': { int: [1, 1_000_000] }, 'race-full': 'bool', 'unprivileged-bpf-disabled': { int: [0, 2] },
  });
  if (!positional.length) throw new UsageError('run needs at least one scenario file');
  for (const f of positional) if (!existsSync(f)) throw new UsageError(`${f}: cannot read (ENOENT)`);
  const profile = flags.profile as string | undefined;
  const core = flags.core as string | undefined;
  if (core !== undefined && core !== 'none' && (!findProfile(core) || findProfile(core)?.lsm !== undefined))
    throw new UsageError(`--core takes a core profile (linux-6.12, linux-7.3, ...) or none, got ${JSON.stringify(core)}`);
  if (profile !== undefined && !findProfile(profile)) throw new UsageError(`unknown profile ${JSON.stringify(profile)} (bpftc profiles lists them)`);
  const { loadScenarioFile } = await import('../scenario/io.ts');
  const withProfile = (s: Scenario): Scenario => (profile !== undefined ? { ...s, profile } : s);
  const load = (f: string): Scenario | null => {
    try {
      return withProfile(loadScenarioFile(f));
    } catch {
      return null; // reported with its reason by runOnKernelCommand
    }
  };
  const selinux = positional.some((f) => selinuxProfile(load(f)?.profile ?? undefined));
  // race steps need a second CPU to race on: an SMP guest unless --cpus says otherwise
  const racy = positional.some((f) => load(f)?.steps.some((st) => 'race' in st && st.race !== undefined) ?? false);
  const cpus = (flags.cpus as number | undefined) ?? (racy ? 2 : 1);
  // the guest's sysctl: --unprivileged-bpf-disabled, else the scenarios' own value where they agree
  // on one (a reviewer's scenario runs as written), else the image's default
  const unprivBpf = (flags['unprivileged-bpf-disabled'] as 0 | 1 | 2 | undefined) ?? agreedSysctl(positional.map(load));
  const vm = await openVm(flags.kernel as string | undefined, { cpus, race: raceOptions(flags), selinux, ...(unprivBpf !== undefined ? { unprivBpf } : {}) });
  if ('skip' in vm) {
    out(flags.json ? JSON.stringify({ skipped: vm.skip }) : `skipped: ${vm.skip}`);
    return 0;
  }
  if ('error' in vm) {
    errOut(`bpftc: ${vm.error}`);
    return 1;
  }
  try {
    const { runOnKernelCommand } = await import('../cli/kernelrun.ts');
    const so = selinux ? await import('./selinux-oracle.ts') : null;
    const r = await runOnKernelCommand(positional, flags.json === true, out, {
      adapt: (s) => vm.withFacts(s),
      probe: vm.probe,
      label: vm.label,
      run: (ss) => Promise.all(ss.map((s) => vm.runner.run(s))),
      transform: withProfile,
      ...(so
        ? {
            uncheckable: so.selinuxUncheckable,
            // the SELinux layer on the kernel's own core (linux-6.12, linux-7.3) unless --core none / --core P
            compare: so.selinuxComparer(flags.core === 'none' ? undefined : flags.core !== undefined ? findProfile(flags.core as string) : so.coreProfileFor(vm.probe.release)),
            format: so.formatSelinux,
          }
        : {}),
    });
    // one line per crash (the details are in `bpftc oracle --vm`'s report)
    if (!flags.json)
      for (const c of vm.runner.crashes) out(crashLine(c, vm.probe.release));
    return r !== 0 ? r : vm.runner.deaths.length ? 1 : 0;
  } finally {
    await vm.close();
  }
}
