// A guest that survives its kernel: scenarios are pipelined into one booted
// VM; when the guest dies (a kernel BUG or panic ends QEMU, since the guest
// runs with oops=panic and QEMU with -no-reboot), a new VM is booted and the
// scenarios that were in flight are re-run one at a time, so that the one that
// crashes the kernel again is named, with the console's oops excerpt, and the
// others get their real results.

import type { KernelRun, ScenarioRunner } from '../oracle/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { type BootOptions, type Vm, bootVm } from './qemu.ts';

export interface Crash {
  /** the scenario that crashed the kernel when run alone */
  scenario: Scenario;
  /** the console lines that say what happened (BUG, Oops, panic, ...) */
  oops: string[];
}

const NOISE = /^\s*(R[A-Z0-9]{2}:|RSP:|RIP: 0033|Code:|FS:|CS:|CR2:|DR[0-7]:|\?|<\/?TASK>|Modules linked in|Hardware name|Kernel Offset|---\[ end)/;

/** the lines of a console that describe a crash (after the guest was ready) */
export function oopsExcerpt(consoleText: string, max = 8): string[] {
  const lines = consoleText.split(/\r?\n/);
  const ready = lines.findIndex((l) => l.includes('bpftc-guest: ready'));
  const out: string[] = [];
  let inTrace = false;
  for (const raw of lines.slice(ready + 1)) {
    const l = raw.replace(/^\[\s*[\d.]+\]\s?/, '');
    if (/^Call Trace:/.test(l)) {
      inTrace = true;
      continue;
    }
    if (inTrace) {
      if (/^ *<\/TASK>/.test(l)) inTrace = false;
      else if (out.length < max && /^\s+\w+\+0x/.test(l) && !/\? /.test(l)) out.push(`  ${l.trim()}`);
      continue;
    }
    if (!l.trim() || NOISE.test(l) || l.startsWith('bpftc-guest:')) continue;
    if (out.length < max) out.push(l.trim());
  }
  return out;
}

export class RebootingVm implements ScenarioRunner {
  private vm: Vm;
  private booting: Promise<Vm> | null = null;
  /** runs wait here while crash victims are re-run alone */
  private gate: Promise<void> = Promise.resolve();
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
        this.vm = vm;
        return vm;
      })().finally(() => {
        this.booting = null;
      });
    }
    return this.booting;
  }

  async run(s: Scenario): Promise<KernelRun> {
    await this.gate;
    const vm = await this.live();
    const r = await vm.executor.run(s);
    if (r.error === undefined || !vm.exited()) return r;
    // the guest died with s in flight: re-run s alone on a fresh guest
    let release!: () => void;
    const mine = new Promise<void>((res) => (release = res));
    const before = this.gate;
    this.gate = before.then(() => mine);
    await before;
    try {
      const again = await this.live();
      const r2 = await again.executor.run(s);
      if (r2.error === undefined || !again.exited()) return r2;
      const oops = oopsExcerpt(again.console());
      this.crashes.push({ scenario: s, oops });
      return { results: r2.results, error: `the kernel crashed: ${oops.slice(0, 2).join(' / ') || 'the guest died'}` };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gate;
    await this.vm.close();
  }
}
