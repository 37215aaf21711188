// A guest that survives its kernel: scenarios are pipelined into one booted
// VM; when the guest dies (a kernel BUG or panic ends QEMU, since the guest
// runs with oops=panic and QEMU with -no-reboot), a new VM is booted and the
// scenarios that were in flight are re-run one at a time (a crash counts only
// when it happens on a fresh guest), so that a scenario that crashes the kernel
// by itself is named, with the console's oops excerpt, and the others get
// their real results. Deaths caused by an earlier scenario's damage are listed
// in `deaths` without a name.

import type { KernelRun, ScenarioRunner } from '../oracle/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { type BootOptions, type Vm, VmError, bootVm } from './qemu.ts';

export interface Crash {
  /** the scenario that crashed the kernel when run alone */
  scenario: Scenario;
  /** the console lines that say what happened (BUG, Oops, panic, ...) */
  oops: string[];
  /** the step in flight (from 0): the first one without a result */
  step: number;
}

const NOISE = /^\s*(-+\[ cut here \]-+|R[A-Z0-9]{2}:|RSP:|RIP: 0033|Code:|FS:|CS:|CR2:|DR[0-7]:|\?|<\/?TASK>|Modules linked in|Hardware name|Kernel Offset|---\[ end)/;

/** a console line that marks the crash itself (a WARN() prints "WARNING: CPU: n PID: ...";
 *  a pr_warn() such as the deprecated "mand" mount option's "WARNING: The mand ..." is none) */
const CRASH_MARK = /kernel BUG at|^BUG:|^WARNING: CPU:|^Oops|general protection|Kernel panic/;

/** the lines of a console that describe a crash (after the guest was ready):
 *  from the two lines before the first crash mark (a guest that ran many
 *  scenarios logs other messages first, e.g. "SELinux: failed to load
 *  policy" for each refused policy), else from the start */
export function oopsExcerpt(consoleText: string, max = 8): string[] {
  const lines = consoleText.split(/\r?\n/);
  const ready = lines.findIndex((l) => l.includes('bpftc-guest: ready'));
  const all: string[] = [];
  let inTrace = false;
  for (const raw of lines.slice(ready + 1)) {
    const l = raw.replace(/^\[\s*[\d.]+\]\s?/, '');
    if (/^Call Trace:/.test(l)) {
      inTrace = true;
      continue;
    }
    if (inTrace) {
      if (/^ *<\/TASK>/.test(l)) inTrace = false;
      else if (/^\s+\w+\+0x/.test(l) && !/\? /.test(l)) all.push(`  ${l.trim()}`);
      continue;
    }
    if (!l.trim() || NOISE.test(l) || l.startsWith('bpftc-guest:')) continue;
    all.push(l.trim());
  }
  const mark = all.findIndex((l) => CRASH_MARK.test(l));
  const from = mark < 0 ? 0 : Math.max(0, mark - 2);
  return all.slice(from, from + max);
}

/** A crash in one line: what the kernel said (the BUG/WARN/panic line and the
 *  message before it), the step in flight, and whether the scenario expects
 *  it on this kernel (meta.kernel_bug: a known kernel bug, e.g. K1 on 7.3.4) */
export function crashLine(c: Crash, release: string, file?: string): string {
  const key = c.oops.findIndex((l) => /kernel BUG at|^BUG:|^WARNING:|general protection|Kernel panic/.test(l));
  const what = key < 0 ? c.oops.slice(0, 2) : [c.oops[key]!, ...(key > 0 ? [`after "${c.oops[key - 1]!}"`] : [])];
  const bug = c.scenario.meta?.kernel_bug;
  const expected = bug && bug.kernels.some((k) => release === k || release.startsWith(`${k}-`) || release.startsWith(`${k}+`))
    ? `; expected: known kernel bug ${bug.id} on ${bug.kernels.join(', ')} (${bug.expect})`
    : bug
      ? `; the scenario expects it on ${bug.kernels.join(', ')} only`
      : '';
  return `KERNEL CRASH at step ${c.step + 1} of ${file ?? c.scenario.name ?? 'the scenario'}: ${what.join(' ') || 'the guest died'}${expected}`;
}

export class RebootingVm implements ScenarioRunner {
  private vm: Vm;
  private booting: Promise<Vm> | null = null;
  /** re-runs of crash victims, one after the other; other runs wait for them */
  private aloneChain: Promise<void> = Promise.resolve();
  private pendingAlone = 0;
  /** scenarios sent to the current guest since it booted */
  private runsOnGuest = 0;
  private closed = false;
  boots = 1;
  /** crashes attributed to a scenario */
  readonly crashes: Crash[] = [];
  /** every guest death, as its oops excerpt */
  readonly deaths: string[][] = [];

  constructor(first: Vm, private readonly opts: BootOptions) {
    this.vm = first;
  }

  get current(): Vm {
    return this.vm;
  }

  /** the live VM, booting a new one when the last one died */
  private async live(): Promise<Vm> {
    if (!this.vm.exited()) return this.vm;
    if (!this.booting) {
      const dead = this.vm;
      this.booting = (async () => {
        this.deaths.push(oopsExcerpt(dead.console()));
        await dead.close();
        const vm = await bootVm(this.opts);
        this.boots++;
        this.runsOnGuest = 0;
        this.vm = vm;
        return vm;
      })().finally(() => {
        this.booting = null;
      });
    }
    return this.booting;
  }

  /** a reboot failed (a loaded host, a broken image): every later run is an error with this reason */
  private bootFailed: string | null = null;

  /** live(), or the reason the guest cannot be booted again (one line) */
  private async liveOrError(): Promise<Vm | string> {
    if (this.bootFailed !== null) return this.bootFailed;
    try {
      return await this.live();
    } catch (e) {
      if (!(e instanceof VmError)) throw e;
      this.bootFailed ??= `the guest could not be booted again: ${e.message.split('\n')[0]}`;
      return this.bootFailed;
    }
  }

  async run(s: Scenario): Promise<KernelRun> {
    for (;;) {
      while (this.pendingAlone > 0) await this.aloneChain;
      const vm = await this.liveOrError();
      if (typeof vm === 'string') return { results: [], error: vm };
      // a death was seen while this run waited for the boot: the re-runs go first
      if (this.pendingAlone > 0) continue;
      this.runsOnGuest++;
      const r = await vm.executor.run(s);
      if (r.error === undefined || !vm.exited()) return r;
      return this.runAlone(s);
    }
  }

  /** the guest died with s in flight: re-run s with nothing else in the guest.
   *  Counted synchronously on detection, so no other run enters the next guest
   *  before the re-runs are done. */
  private async runAlone(s: Scenario): Promise<KernelRun> {
    this.pendingAlone++;
    const before = this.aloneChain;
    let release!: () => void;
    this.aloneChain = new Promise<void>((res) => (release = res));
    try {
      await before;
      // at most twice: a guest that already ran other scenarios may carry
      // their damage, so a crash there is confirmed on a fresh guest
      for (;;) {
        const vm = await this.liveOrError();
        if (typeof vm === 'string') return { results: [], error: vm };
        const fresh = this.runsOnGuest === 0;
        this.runsOnGuest++;
        const r = await vm.executor.run(s);
        if (r.error === undefined || !vm.exited()) return r;
        if (!fresh) continue;
        const oops = oopsExcerpt(vm.console());
        this.crashes.push({ scenario: s, oops, step: r.results.length });
        return { results: r.results, error: `the kernel crashed: ${oops.slice(0, 2).join(' / ') || 'the guest died'}` };
      }
    } finally {
      this.pendingAlone--;
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pendingAlone > 0) await this.aloneChain;
    await this.vm.close();
  }
}

/** Several guests (each a RebootingVm), for `--vms N`: a scenario goes to the
 *  guest with the fewest scenarios in flight (the lowest index on a tie). Every
 *  scenario runs in a fresh process tree of its guest, so its result does not
 *  depend on which guest ran it; callers that report put results back in
 *  scenario order (oracle/campaign.ts `index`). */
/** what VmPool needs of a guest (a RebootingVm) */
export interface PoolGuest extends ScenarioRunner {
  readonly boots: number;
  readonly deaths: string[][];
  readonly crashes: Crash[];
}

export class VmPool implements ScenarioRunner {
  private readonly load: number[];

  constructor(readonly guests: PoolGuest[]) {
    if (!guests.length) throw new Error('VmPool needs at least one guest');
    this.load = guests.map(() => 0);
  }

  async run(s: Scenario): Promise<KernelRun> {
    let i = 0;
    for (let j = 1; j < this.load.length; j++) if (this.load[j]! < this.load[i]!) i = j;
    this.load[i]!++;
    try {
      return await this.guests[i]!.run(s);
    } finally {
      this.load[i]!--;
    }
  }

  get boots(): number {
    return this.guests.reduce((n, g) => n + g.boots, 0);
  }

  get deaths(): string[][] {
    return this.guests.flatMap((g) => g.deaths);
  }

  get crashes(): Crash[] {
    return this.guests.flatMap((g) => g.crashes);
  }

  async close(): Promise<void> {
    await Promise.all(this.guests.map((g) => g.close()));
  }
}
