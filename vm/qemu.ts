// Boots a kernel image in QEMU with the per-run initramfs and hands back a
// KernelExecutor (oracle/driver.ts) whose process is QEMU: the guest
// executor's stdin/stdout is the VM's second serial port, which QEMU connects
// to its own stdin/stdout (-serial stdio). The console (first serial port)
// goes to a file: the guest's facts, and the kernel's messages when it fails.
//
// Acceleration: KVM when it boots a guest here, else TCG. /dev/kvm may exist
// and still not boot stock guests (a PVM host, for one), so usability is
// probed once with a real boot and remembered per host kernel release.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EXECUTOR_BIN, KernelExecutor, RACE_RUNS, type LsmTraceStatus, type Probe, type ScenarioProtocol } from '../oracle/driver.ts';
import { cacheRoot } from './cache.ts';
import { GUEST_MARK, buildInitramfs, guestFacts } from './initramfs.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const QEMU = 'qemu-system-x86_64';
export const STATIC_EXECUTOR = `${EXECUTOR_BIN}-static`;
const EXECUTOR_SRC = join(EXECUTOR_BIN, '..', '..', 'executor.c');

export function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** true when the ELF file has no program interpreter (a static executable) */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const h = Buffer.alloc(64);
    readSync(fd, h, 0, 64, 0);
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2) return false;
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    closeSync(fd);
  }
}

/** the static busybox for the initramfs, or why there is none */
export function findBusybox(): string | { missing: string } {
  for (const p of ['/bin/busybox', '/usr/bin/busybox', which('busybox') ?? '']) {
    if (p && existsSync(p) && isStaticElf(p)) return p;
  }
  return { missing: 'no static busybox (apt-get install busybox-static)' };
}

/** the static executor for the guest, (re)compiled when older than executor.c */
export function staticExecutor(): string | { missing: string } {
  // executor.c includes lsmtrace.c: either being newer rebuilds
  const srcs = [EXECUTOR_SRC, join(EXECUTOR_SRC, '..', 'lsmtrace.c')].filter((f) => existsSync(f));
  const fresh = existsSync(STATIC_EXECUTOR) && srcs.every((f) => statSync(STATIC_EXECUTOR).mtimeMs >= statSync(f).mtimeMs);
  if (fresh) return STATIC_EXECUTOR;
  if (!existsSync(EXECUTOR_SRC)) return { missing: `no ${EXECUTOR_SRC} to build the guest executor from` };
  mkdirSync(join(STATIC_EXECUTOR, '..'), { recursive: true });
  const r = spawnSync(process.env.CC || 'cc', ['-static', '-std=gnu11', '-O2', '-o', STATIC_EXECUTOR, EXECUTOR_SRC], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { missing: `cannot build a static executor (${r.error?.message ?? (r.stderr ?? '').trim().split('\n')[0] ?? 'cc failed'})` };
  return STATIC_EXECUTOR;
}

/** Why the VM oracle cannot run here (one line), or null. */
export function vmMissing(image: string): string | null {
  if (!which(QEMU)) return `${QEMU} not found (apt-get install qemu-system-x86)`;
  if (!existsSync(image)) return `no kernel image ${image} (bpftc vm build makes one)`;
  const bb = findBusybox();
  if (typeof bb !== 'string') return bb.missing;
  const ex = staticExecutor();
  if (typeof ex !== 'string') return ex.missing;
  return null;
}

export type Accel = 'kvm' | 'tcg';

export interface BootOptions {
  image: string;
  /** virtual CPUs (default 1); >1 adds sockets= so that the MP table lists them all */
  cpus?: number;
  memoryMb?: number;
  accel?: Accel;
  /** seconds to wait for the guest's executor (default 180: TCG on a loaded machine) */
  bootTimeoutSec?: number;
  /** executor kill timeout per scenario, guest time (default 20000 ms) */
  timeoutMs?: number;
  /** extra kernel command line */
  append?: string;
  /** kill the VM when it has work and says nothing for this long (default 120 s) */
  stallSec?: number;
  /** load the guest executor's BPF-LSM programs after the probe (`lsmtrace`, oracle/lsmtrace.c) */
  lsmTrace?: boolean;
  /** how the guest executor repeats race steps (oracle/driver.ts) */
  race?: { raceRuns?: number; raceFull?: boolean; raceMsPerRun?: number };
  /** how scenarios are encoded (the SELinux oracle, vm/selinux-oracle.ts); default the host protocol */
  protocol?: ScenarioProtocol;
}

export interface Vm {
  executor: KernelExecutor;
  probe: Probe;
  /** the guest's facts (vm/initramfs.ts INIT) */
  facts: Record<string, string>;
  accel: Accel;
  /** wall seconds from spawn to the probe's answer */
  bootSeconds: number;
  /** BootOptions.lsmTrace: the executor's answer to `lsmtrace` */
  lsmTrace?: LsmTraceStatus;
  console: () => string;
  /** QEMU has exited (the guest died, or close() ran) */
  exited: () => boolean;
  /** ends the executor (quit), waits for QEMU, removes the run directory */
  close: () => Promise<void>;
}

export class VmError extends Error {}

/** a KernelExecutor that counts the scenarios in flight, for the stall watchdog */
class VmExecutor extends KernelExecutor {
  inflight = 0;
  /** when work last started after a pause */
  started = Date.now();
  override async run(sc: Parameters<KernelExecutor['run']>[0]): ReturnType<KernelExecutor['run']> {
    if (this.inflight++ === 0) this.started = Date.now();
    try {
      return await super.run(sc);
    } finally {
      this.inflight--;
    }
  }
}

function qemuArgs(o: BootOptions, accel: Accel, initrd: string, consoleFile: string): string[] {
  const cpus = o.cpus ?? 1;
  const accelArg = accel === 'kvm' ? 'kvm' : cpus > 1 ? 'tcg,thread=multi' : 'tcg';
  return [
    '-nodefaults', '-no-user-config', '-display', 'none', '-monitor', 'none', '-no-reboot',
    '-accel', accelArg,
    ...(accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-smp', cpus > 1 ? `${cpus},sockets=${cpus}` : '1',
    '-m', String(o.memoryMb ?? 256),
    '-kernel', o.image,
    '-initrd', initrd,
    '-append', `console=ttyS0 panic=-1 oops=panic panic_on_warn=1 loglevel=5 log_buf_len=1M ${o.append ?? ''}`.trim(),
    '-serial', `file:${consoleFile}`,
    '-serial', 'stdio',
  ];
}

/** Boots the image; resolves once the guest executor has answered `probe`. */
export async function bootVm(o: BootOptions): Promise<Vm> {
  const missing = vmMissing(o.image);
  if (missing) throw new VmError(missing);
  const accel = o.accel ?? (await detectAccel(o.image));
  const dir = mkdtempSync(join(tmpdir(), 'bpftc-vm-'));
  const initrd = join(dir, 'initrd.gz');
  const consoleFile = join(dir, 'console.log');
  writeFileSync(initrd, buildInitramfs({ busybox: findBusybox() as string, executor: staticExecutor() as string }));
  writeFileSync(consoleFile, '');
  let child: ChildProcessWithoutNullStreams | undefined;
  let stderr = '';
  const t0 = Date.now();
  let lastData = Date.now();
  const executor = new VmExecutor({
    raceMsPerRun: 10,
    ...(o.race ?? {}),
    timeoutMs: o.timeoutMs ?? 20_000,
    ...(o.protocol ? { protocol: o.protocol } : {}),
    spawn: () => {
      child = spawn(QEMU, qemuArgs(o, accel, initrd, consoleFile), { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout.on('data', () => {
        lastData = Date.now();
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 4096) stderr += d;
      });
      return child;
    },
  });
  const readConsole = (): string => {
    try {
      return readFileSync(consoleFile, 'utf8');
    } catch {
      return '';
    }
  };
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const timeout = (o.bootTimeoutSec ?? 180) * 1000;
  // nothing is sent before /init has put the port in raw mode (bytes sent
  // earlier would meet an unconfigured UART or a cooked tty)
  let exited = false;
  child?.on('close', () => {
    exited = true;
  });
  while (!readConsole().includes(`${GUEST_MARK} ready`) && !exited && Date.now() - t0 < timeout) await sleep(50);
  let timer: NodeJS.Timeout | undefined;
  const probe = exited
    ? { skip: 'QEMU exited before the guest was ready' }
    : await Promise.race([
        executor.probe(),
        new Promise<{ skip: string }>((resolve) => {
          timer = setTimeout(() => resolve({ skip: `the guest did not answer within ${timeout / 1000} s` }), Math.max(1000, timeout - (Date.now() - t0)));
        }),
      ]);
  clearTimeout(timer);
  if ('skip' in probe) {
    child?.kill('SIGKILL');
    await executor.close();
    const tail = readConsole().trim().split('\n').slice(-8).join('\n');
    cleanup();
    throw new VmError(`booting ${o.image} (${accel}) failed: ${probe.skip}${stderr.trim() ? `\nqemu: ${stderr.trim().split('\n')[0]}` : ''}${tail ? `\nconsole:\n${tail}` : ''}`);
  }
  const lsmTrace = o.lsmTrace ? await executor.lsmTraceOn() : undefined;
  const bootSeconds = (Date.now() - t0) / 1000;
  // a guest that stops answering (a hung kernel) is killed: every pending
  // scenario then ends with the executor-exited error instead of waiting forever
  // (a race step repeated N times says nothing until it is done: the bound's share is added)
  const raceMs = (o.race?.raceRuns ?? RACE_RUNS) * (o.race?.raceMsPerRun ?? 10);
  const stallMs = (o.stallSec ?? 120) * 1000 + raceMs;
  const watchdog = setInterval(() => {
    if (executor.inflight > 0 && Date.now() - Math.max(lastData, executor.started) > stallMs) child?.kill('SIGKILL');
  }, 1000);
  watchdog.unref();
  return {
    executor,
    probe,
    facts: guestFacts(readConsole()),
    accel,
    bootSeconds,
    ...(lsmTrace ? { lsmTrace } : {}),
    console: readConsole,
    exited: () => exited,
    close: async () => {
      clearInterval(watchdog);
      const kill = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      await executor.close();
      clearTimeout(kill);
      cleanup();
    },
  };
}

/** KVM if it is usable for this host kernel (probed once with a real boot
 *  of `image`, remembered in the cache), else TCG. BPFTC_VM_ACCEL=kvm|tcg decides. */
export async function detectAccel(image: string): Promise<Accel> {
  const env = process.env.BPFTC_VM_ACCEL;
  if (env === 'kvm' || env === 'tcg') return env;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return 'tcg';
  }
  const file = join(cacheRoot(), 'accel.json');
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { host?: string; kvm?: boolean };
    if (m.host === release() && typeof m.kvm === 'boolean') return m.kvm ? 'kvm' : 'tcg';
  } catch {
    /* probe */
  }
  let kvm = false;
  try {
    const vm = await bootVm({ image, accel: 'kvm', bootTimeoutSec: 20 });
    await vm.close();
    kvm = true;
  } catch {
    kvm = false;
  }
  mkdirSync(cacheRoot(), { recursive: true });
  writeFileSync(file, JSON.stringify({ host: release(), kvm, probed: new Date().toISOString() }) + '\n');
  return kvm ? 'kvm' : 'tcg';
}
