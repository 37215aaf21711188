// Runs scenarios (scenario/types.ts, the one trace format) on the real kernel
// through the C executor oracle/bin/bpftc-exec (line protocol: oracle/PROTOCOL.md).
// One long-running executor process serves a whole batch or campaign; scenarios
// are pipelined and results streamed back per scenario.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PROFILE, findProfile, withKconfig } from '../model/profile.ts';
import { HOST_CONFIG } from '../model/kconfig.ts';
import { bpfLsmRetLoads, runScenario } from '../model/run.ts';
import type { Scenario, Step, StepResult } from '../scenario/types.ts';
import { type ArgSpec, type OpSpec, opSpec, stepNames } from '../scenario/ops.ts';
import { CAP_FULL, capsFromNames, capsToHex, capsToNames } from '../model/caps.ts';
import { MAX_ERRNO, errnoByName } from '../model/errno.ts';
import { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS } from '../model/lsm/bpf_lsm.ts';

export const EXECUTOR_BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin', 'bpftc-exec');

/** What the executor's `probe` reports about this machine. */
export interface Probe {
  root: boolean;
  userns: boolean;
  bpf_token: boolean;
  unprivileged_bpf_disabled: 0 | 1 | 2;
  /** hex capability mask the executor holds: what `caps: "all"` means on this machine */
  caps_all: string;
  release: string;
  /** the scenario's processes run in a memory cgroup (512 MiB) / pids cgroup (256), oracle/SANDBOX.md */
  memcg: boolean;
  pidscg: boolean;
  /** "ok" when this executor can load BPF-LSM programs, else why not (one line; the 6.18 host refuses tgid != 1) */
  bpf_lsm?: string;
  /** "ok" when the executor makes each scenario a cgroup v2 attach target (CG_FD: prog_attach,
   *  prog_detach, link_create), else why not (one line; those steps are then refused) */
  attach_cgroup?: string;
  /** "ok", or the errno with which this kernel refuses a valid ARENA map from init root
   *  ("EPERM": a vendor kernel, model/kconfig.ts arenaEperm) */
  arena?: string;
}

/** The guest executor's BPF-LSM trace of a scenario (oracle/lsmtrace.c, PROTOCOL.md "BPF-LSM trace") */
export interface LsmTeardown {
  /** hook events after the last step: the actors killed, the deferred frees collected */
  events: string[];
  /** objects whose create hook was seen and no free hook within the bound */
  pending: number;
  /** events the executor could not keep */
  lost: number;
}

/** A race step as the kernel ran it (PROTOCOL.md "Races"): the step and the
 *  other thread's fd operation, repeated `iterations` times until the model's
 *  racy outcome was seen or the bound was reached, with how often each
 *  outcome was seen. */
export interface RaceRun {
  /** the step (from 0) */
  step: number;
  iterations: number;
  counts: Record<string, number>;
  /** the outcome the model gives the step (the race at its preemption point) */
  model: string;
  /** the model's outcome was seen at least once: the race is kernel-confirmed */
  confirmed: boolean;
}

export interface KernelRun {
  /** race steps: repetitions and outcome counts */
  races?: RaceRun[];
  /** results of the steps that ran, in order (a prefix when `error` is set);
   *  a step the sandbox refused is {ret: "REFUSED", text: <reason>} */
  results: StepResult[];
  /** SELinux scenarios (vm/selinux-oracle.ts): per step, the kernel's AVC
   *  records the step logged (audit text), and the result of a policy load
   *  made right before the step ("ok" or an errno name) */
  avc?: string[][];
  loads?: Array<string | undefined>;
  /** the result of the boot policy's load ("ok" or an errno name) */
  bootLoad?: string;
  /** set-up error, protocol error (e.g. a limit of oracle/SANDBOX.md), or timeout */
  error?: string;
  timedOut?: boolean;
  /** with DriverOptions.lsmTrace: each step's BPF-LSM hook events ("hook actor a0 a1 a2 ret") */
  hooks?: string[][];
  lsmTeardown?: LsmTeardown;
}

/** how scenarios that the host protocol cannot express (SELinux in the VM
 *  oracle's guest, vm/selinux-oracle.ts) are checked and encoded */
export interface ScenarioProtocol {
  uncheckable(s: Scenario): string | null;
  /** work that may run ahead of the executor (compiling policies); never rejects */
  prepare?(s: Scenario): Promise<void>;
  /** the protocol text (toProtocol() plus its own lines); throws a one-line
   *  Error it cannot encode. `session` is one object per executor process (what
   *  that executor was already sent); `race`: how race steps repeat */
  encode(s: Scenario, id: number, timeoutMs: number, session: Record<string, unknown>, race?: RaceOpts): string;
}

export interface DriverOptions {
  bin?: string;
  /** another encoding of the scenarios (default toProtocol(), kernelUncheckable()) */
  protocol?: ScenarioProtocol;
  /** starts the executor some other way (the VM oracle: QEMU whose serial
   *  port is the guest executor's stdin/stdout); `bin` is then unused */
  spawn?: () => ChildProcessWithoutNullStreams;
  /** per-scenario kill timeout of the executor (default 2000 ms) */
  timeoutMs?: number;
  /** the executor traces BPF-LSM hooks (`lsmtrace` was answered ok): bpf_lsm_deny steps run too */
  lsmTrace?: boolean;
  /** a race step is repeated at most this often (default RACE_RUNS) */
  raceRuns?: number;
  /** repeat every race step raceRuns times, not only until the model's racy
   *  outcome appears (for outcome frequencies) */
  raceFull?: boolean;
  /** a scenario's timeout grows by this much per repetition of a race step
   *  (default 1 ms; the VM oracle's TCG guests take 10) */
  raceMsPerRun?: number;
}

export interface RawProbe {
  root?: boolean;
  userns?: boolean;
  bpf_token?: boolean;
  unprivileged_bpf_disabled?: number | null;
  caps_all?: string;
  release?: string;
  memcg?: boolean;
  pidscg?: boolean;
  bpf_lsm?: string;
  attach_cgroup?: string;
  /** "ok", or the errno of init root's valid ARENA map_create (model/kconfig.ts arenaEperm) */
  arena?: string;
}

/** The executor's environment: ours without BPFTC_EXEC_TEST_OPS (the executor's
 *  test-only ops bypass the sandbox, oracle/SANDBOX.md; the driver never enables them). */
function executorEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.BPFTC_EXEC_TEST_OPS;
  return env;
}

/** Asks the executor about the machine. A `skip` reason (one line) when the
 *  oracle cannot run here: executor not built, not root, no user namespaces,
 *  no BPF token support, unreadable sysctl. */
export async function probeKernel(opts: { bin?: string } = {}): Promise<Probe | { skip: string }> {
  return probeKernelSync(opts);
}

export function probeKernelSync(opts: { bin?: string } = {}): Probe | { skip: string } {
  const bin = opts.bin ?? EXECUTOR_BIN;
  if (!existsSync(bin)) return { skip: `executor ${bin} not built (run: node oracle/build.mjs)` };
  const r = spawnSync(bin, [], { input: 'probe\nquit\n', encoding: 'utf8', timeout: 10_000, env: executorEnv() });
  if (r.error || r.status !== 0) return { skip: `executor probe failed (${r.error?.message ?? `status ${String(r.status)}`})` };
  let p: RawProbe | undefined;
  try {
    p = (JSON.parse(r.stdout.split('\n')[0] ?? '') as { probe?: RawProbe }).probe;
  } catch {
    p = undefined;
  }
  return checkProbe(p);
}

/** the scenario has steps that need the executor's cgroup v2 attach target (CG_FD) */
export function usesAttachTarget(s: Scenario): boolean {
  return s.steps.some((st) => st.op === 'prog_attach' || st.op === 'prog_detach' || st.op === 'link_create');
}

/** One line when the executor has no cgroup v2 attach target (prog_attach, prog_detach and
 *  link_create steps are refused there: "sandbox check failed"), else null */
export function attachTargetNote(p: Probe): string | null {
  return p.attach_cgroup === undefined || p.attach_cgroup === 'ok' ? null : `attach target: none (${p.attach_cgroup}): prog_attach, prog_detach and link_create steps are refused`;
}

/** One line when the model runs with a host fact the probe measured (machineProfile()),
 *  else null: a run says what it assumed of the kernel */
export function hostFactsNote(p: Probe): string | null {
  return p.arena === 'EPERM' ? 'host facts: ARENA=EPERM (this kernel refuses every arena map; the model runs with that fact: spec/token-core.md §T7.2)' : null;
}

/** A probe answer as a Probe, or why the oracle cannot run on that kernel. */
export function checkProbe(p: RawProbe | undefined): Probe | { skip: string } {
  if (!p) return { skip: 'executor gave no probe answer' };
  if (!p.root) return { skip: 'not running as root' };
  if (!p.userns) return { skip: 'user namespaces unavailable' };
  if (!p.bpf_token) return { skip: 'kernel has no BPF token support' };
  const u = p.unprivileged_bpf_disabled;
  if (u !== 0 && u !== 1 && u !== 2) return { skip: 'kernel.unprivileged_bpf_disabled unreadable' };
  return {
    root: true,
    userns: true,
    bpf_token: true,
    unprivileged_bpf_disabled: u,
    caps_all: p.caps_all ?? capsToHex(CAP_FULL),
    release: p.release ?? '',
    memcg: p.memcg === true,
    pidscg: p.pidscg === true,
    ...(p.bpf_lsm !== undefined ? { bpf_lsm: p.bpf_lsm } : {}),
    ...(p.attach_cgroup !== undefined ? { attach_cgroup: p.attach_cgroup } : {}),
    ...(p.arena !== undefined ? { arena: p.arena } : {}),
  };
}

/** The model's profile for `s` on this machine: when the kernel refuses every arena
 *  (probe "arena": "EPERM", model/kconfig.ts arenaEperm), a core profile gets that
 *  fact (`<profile>+kconfig:...,ARENA=EPERM`); profiles with LSMs or the integrity
 *  framework are model-only and stay as they are. */
function machineProfile(s: Scenario, probe: Probe): string | undefined {
  if (probe.arena !== 'EPERM') return s.profile;
  const p = findProfile(s.profile ?? DEFAULT_PROFILE);
  if (!p || p.lsm !== undefined || p.integrity !== undefined || p.token.kconfig?.arenaEperm) return s.profile;
  return withKconfig(p, { ...(p.token.kconfig ?? HOST_CONFIG), arenaEperm: true }).name;
}

/** a bpf_lsm_deny the executor's programs can make real (oracle/lsmtrace.c: the
 *  hooks a kernel has, an errno of 1..MAX_ERRNO). A raw `ret` runs too: the
 *  executor asks the kernel's verifier to load a program returning it and fails
 *  the scenario if it decides otherwise than the model (bpfLsmRetLoads()); one that
 *  loads returns -errno or 0 through the same programs. A positive or too negative
 *  `ret` the model's profile loads is model-only (the executor's programs cannot return it). */
export function kernelDeny(a: NonNullable<Step['lsm']>[number], s?: Scenario): boolean {
  if (a.action !== 'bpf_lsm_deny') return false;
  if (!([...BPF_LSM_HOOKS, ...BPF_LSM_FILE_HOOKS] as readonly string[]).includes(a.hook)) return false;
  if (a.ret !== undefined) {
    const loads = profileLoads(s, a.ret);
    return loads !== null && (!loads || (a.ret <= 0 && a.ret >= -MAX_ERRNO));
  }
  const e = errnoByName(a.errno);
  return e !== undefined && e >= 1 && e <= 4095;
}

/** the executor's `lsm_deny` line of a bpf_lsm_deny action before step i (PROTOCOL.md) */
function lsmDenyLine(s: Scenario, i: number, a: Extract<NonNullable<Step['lsm']>[number], { action: 'bpf_lsm_deny' }>): string {
  const head = `lsm_deny step=${i} actor=${pct(a.task)} hook=${pct(a.hook)}`;
  if (a.ret === undefined) return `${head} errno=${errnoByName(a.errno) ?? 1}`;
  return `${head} ret=${a.ret} loads=${profileLoads(s, a.ret) ? 1 : 0}`;
}

/** whether the scenario's profile loads a BPF-LSM program returning ret (bpfLsmRetLoads()), null for an unknown profile */
function profileLoads(s: Scenario | undefined, ret: number): boolean | null {
  const p = findProfile(s?.profile ?? DEFAULT_PROFILE);
  return p ? bpfLsmRetLoads(p, ret) : null;
}

/** Why the scenario's threads cannot run on the executor, or null. A thread_of actor with
 *  steps of its own is a process sharing its process actor's fd table (oracle/executor.c
 *  thread_spawn(): clone(CLONE_FILES), made by that actor at set-up), as the model's is
 *  (model/run.ts: the owner's table and rlimits, its own creds; the leader copies an
 *  rlimit_nofile of one to the others, as a shared signal struct would). Where the two
 *  differ it stays model-only: the executor's thread dies with its process actor
 *  (PR_SET_PDEATHSIG) while the model's lives on. One that only races runs as a second
 *  thread of the acting actor (PROTOCOL.md "Races"). */
export function threadUncheckable(s: Scenario): string | null {
  for (const a of s.actors) {
    if (a.thread_of === undefined) continue;
    const last = s.steps.reduce((m, st, i) => (stepNames(st, a.name) ? i : m), -1);
    if (last < 0) continue;
    const p = s.actors.find((x) => x.name === a.thread_of);
    if (!p || p.thread_of !== undefined || p.fork_of !== undefined || p.userns !== a.userns) return `actor ${a.name}: thread_of an actor in another user namespace (or a thread, or a fork_of actor)`;
    if (s.steps.some((st, i) => i < last && st.op === 'exit' && st.actor === p.name))
      return `actor ${a.name}: its process actor ${p.name} exits before its last step (the executor's thread dies with it)`;
  }
  for (const [i, st] of s.steps.entries())
    if ('race' in st && st.race !== undefined && s.actors.find((a) => a.name === st.race!.actor)?.thread_of !== st.actor)
      return `step ${i + 1}: a race by ${st.race.actor}, not a thread of ${st.actor}, is model-only`;
  return null;
}

/** Why a scenario cannot run on the kernel, or null. `bpfLsm`: the executor
 *  runs BPF-LSM programs (the VM's lsmtrace), so bpf_lsm_deny actions run too. */
export function kernelUncheckable(s: Scenario, opts: { bpfLsm?: boolean } = {}): string | null {
  // the running kernel has capability,landlock,bpf and no BPF-LSM programs: LSM
  // profiles are model-only (token-core profiles may run: their disagreements
  // show where that version differs from the running kernel)
  const p = s.profile === undefined ? undefined : findProfile(s.profile);
  if (p?.lsm !== undefined && p.lsm.order.some((l) => l !== 'capability' && l !== 'bpf'))
    return `profile ${s.profile}: its LSMs (${p.lsm.order.join(',')}) are model-only`;
  if (p?.integrity !== undefined) return `profile ${s.profile}: the integrity framework is model-only`;
  if (s.selinux !== undefined || s.lsm_order !== undefined || s.ipe !== undefined || s.integrity !== undefined) return 'LSM set-up (selinux, ipe, integrity, lsm_order) is model-only';
  const threads = threadUncheckable(s);
  if (threads) return threads;
  for (const a of s.actors) if (a.context !== undefined) return `actor ${a.name}: SELinux contexts are model-only`;
  for (const [i, st] of s.steps.entries()) {
    if (st.lsm !== undefined && !(opts.bpfLsm && st.lsm.every((a) => kernelDeny(a, s))))
      return `step ${i + 1}: LSM administration is model-only`;
    if (st.op === 'prog_load' && (st.signature !== undefined || st.kernel !== undefined))
      return `step ${i + 1}: signed and kernel-originated loads are model-only`;
    // the op table's model-only ops and arguments (scenario/ops.ts)
    const why = opTableUncheckable(st, i);
    if (why) return why;
  }
  return null;
}

/** the op table's model-only ops and arguments (scenario/ops.ts), for the host and the VM oracle */
export function opTableUncheckable(st: Step, i: number): string | null {
  const w = wireOf(st.op);
  if (w?.spec.kernel === false) return `step ${i + 1}: ${st.op} is model-only`;
  for (const key of w?.modelOnly ?? [])
    if ((st as unknown as Record<string, unknown>)[key] !== undefined) return `step ${i + 1}: ${st.op} ${key} is model-only`;
  return null;
}

/** The model's outcome of every race step (the other thread's operation at
 *  the step's preemption point), by step index: the outcome the executor
 *  repeats the step for. Empty without race steps. */
export function raceOutcomes(s: Scenario): Map<number, string> {
  const out = new Map<number, string>();
  if (!s.steps.some((st) => 'race' in st && st.race !== undefined)) return out;
  const m = runScenario(s).results;
  s.steps.forEach((st, i) => {
    if ('race' in st && st.race !== undefined && m[i] !== undefined) out.set(i, m[i]!.ret);
  });
  return out;
}

/** The scenario as it runs on this machine: the machine's
 *  kernel.unprivileged_bpf_disabled (read, never written), and `caps: "all"`
 *  spelled out when the executor lacks some capability (e.g. a bounding set
 *  without CAP_SYS_RESOURCE). Both model and kernel run this scenario. */
export function adaptToMachine(s: Scenario, probe: Probe): Scenario {
  const all = parseInt(probe.caps_all, 16);
  const allNames = capsToNames(all);
  const sameAll = all === CAP_FULL;
  const profile = machineProfile(s, probe);
  return {
    ...s,
    ...(profile !== undefined ? { profile } : {}),
    sysctl: { ...(s.sysctl ?? {}), unprivileged_bpf_disabled: probe.unprivileged_bpf_disabled },
    actors: s.actors.map((a) => (a.caps === 'all' && !sameAll ? { ...a, caps: allNames } : a)),
  };
}

// ---------------------------------------------------------------- encoding

/** percent-encoding of PROTOCOL.md: '%', ':', ',', '=', and bytes outside 0x21..0x7e;
 *  a value that is exactly "-" is sent as %2D (the raw token "-" means absent: no
 *  handle, a NULL fsconfig key/value or mount data) */
export function pct(v: string): string {
  if (v === '-') return '%2D';
  if (PCT_PLAIN.test(v)) return v;
  let out = '';
  for (const b of Buffer.from(v, 'utf8')) {
    const c = String.fromCharCode(b);
    if (b < 0x21 || b > 0x7e || c === '%' || c === ':' || c === ',' || c === '=') out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    else out += c;
  }
  return out;
}

/** a value pct() leaves as it is: bytes 0x21..0x7e but '%', ',', ':', '=' */
const PCT_PLAIN = /^[\x21-\x24\x26-\x2b\x2d-\x39\x3b\x3c\x3e-\x7e]*$/;

/** an op's protocol arguments, in the op table's order (scenario/ops.ts), and its
 *  model-only arguments: computed once per op */
interface OpWire {
  spec: OpSpec;
  args: Array<[string, ArgSpec]>;
  modelOnly: string[];
}
const WIRE = new Map<string, OpWire | null>();
function wireOf(op: string): OpWire | null {
  let w = WIRE.get(op);
  if (w === undefined) {
    const spec = opSpec(op);
    const entries = Object.entries(spec?.args ?? {});
    w = spec ? { spec, args: entries.filter(([, a]) => a.modelOnly !== true), modelOnly: entries.filter(([, a]) => a.modelOnly === true).map(([k]) => k) } : null;
    WIRE.set(op, w);
  }
  return w;
}

/** a handle on the wire: its name, or `-` for none */
const h = (x: string | undefined): string => (x === undefined ? '-' : pct(x));

/** The protocol arguments of one step (without i/actor/op/as), from the op
 *  table (scenario/ops.ts) in its order: `key=value` under the argument's
 *  wire key; an absent argument is sent as its default, a handle as `-`, a
 *  capability set as hex, a model-only argument never. */
export function stepArgs(st: Step): string[] {
  const w = wireOf(st.op);
  if (!w) return [];
  const given = st as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, a] of w.args) {
    const v = given[key];
    const wire = a.wire ?? key;
    switch (a.kind) {
      case 'handle':
        out.push(`${wire}=${typeof v === 'string' ? pct(v) : '-'}`);
        break;
      case 'string':
      case 'choice':
      case 'actor': {
        const x = v ?? a.default;
        if (x === null) out.push(`${wire}=-`);
        else if (x !== undefined) out.push(`${wire}=${pct(String(x))}`);
        break;
      }
      case 'int': {
        const x = v ?? a.default;
        if (x !== undefined && x !== null) out.push(`${wire}=${String(x)}`);
        break;
      }
      case 'bool': {
        const x = v ?? (a.defaultIsTokenGiven === true ? given.token !== undefined : a.default);
        out.push(`${wire}=${x === true ? 1 : 0}`);
        break;
      }
      case 'caps':
        if (Array.isArray(v)) out.push(`${wire}=${capsToHex(capsFromNames(v as string[]))}`);
        break;
      case 'signature':
        break;
      case 'handles':
        // each name percent-encoded (',' included), joined by ',', and the whole encoded again:
        // the executor decodes the value, splits at ',' and decodes each entry (PROTOCOL.md)
        out.push(`${wire}=${Array.isArray(v) ? pct((v as string[]).map(pct).join(',')) : '-'}`);
        break;
    }
  }
  return out;
}

/** The protocol text of one scenario (declarations, steps, `run`). */
/** a race step is repeated at most this often (the fd race of FINDINGS 3 shows
 *  473-1,913 times in 20,000 on an SMP guest) */
export const RACE_RUNS = 20_000;

/** `race` options of a step: the other thread's operation, the bound, and the
 *  outcome that ends the repetition (absent: run the bound) */
export interface RaceOpts {
  runs: number;
  /** by step index: the model's outcome of that race step */
  until: ReadonlyMap<number, string>;
}

export function toProtocol(s: Scenario, id: number, timeoutMs = 2000, race?: RaceOpts): string {
  const lines = [`scenario id=${id} timeout_ms=${timeoutMs}`];
  for (const u of s.userns ?? [])
    lines.push(`userns name=${pct(u.name)} parent=${pct(u.parent)} owner=${u.owner} base=${u.map.base} count=${u.map.count}`);
  for (const a of s.actors) {
    // a thread of its process that only races: no actor of its own (race= runs it). One with
    // steps of its own (or fds sent to it) is declared with thread_of= (threadUncheckable()
    // says where the executor's thread is not the model's)
    if (a.thread_of !== undefined && !s.steps.some((st) => stepNames(st, a.name))) continue;
    const caps = a.caps === 'all' ? 'all' : capsToHex(capsFromNames(a.caps));
    const fork = a.fork_of !== undefined ? ` fork_of=${pct(a.fork_of)}` : '';
    const th = a.thread_of !== undefined ? ` thread_of=${pct(a.thread_of)}` : '';
    lines.push(`actor name=${pct(a.name)} userns=${pct(a.userns)} kuid=${a.kuid} caps=${caps} mntns=${pct(a.mntns ?? 'own')}${fork}${th}`);
  }
  s.steps.forEach((st, i) => {
    const as = st.as !== undefined ? [`as=${pct(st.as)}`] : [];
    const r = 'race' in st ? st.race : undefined;
    const until = race?.until.get(i);
    const raceArgs = r
      ? [`race=${r.op}`, `race_fd=${h(r.fd)}`, `race_to=${h(r.op === 'dup2' ? r.to : undefined)}`, `race_n=${race?.runs ?? 1}`, `race_until=${until === undefined ? '-' : pct(until)}`]
      : [];
    lines.push([`step i=${i}`, `actor=${pct(st.actor)}`, `op=${st.op}`, ...stepArgs(st), ...raceArgs, ...as].join(' '));
  });
  // bpf_lsm_deny (the executor's BPF-LSM programs, oracle/lsmtrace.c): applied right before step i
  s.steps.forEach((st, i) => {
    for (const a of st.lsm ?? [])
      if (a.action === 'bpf_lsm_deny') lines.push(lsmDenyLine(s, i, a));
  });
  lines.push('run');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- executor process

interface OutLine {
  race?: { iterations: number; counts: Record<string, number> };
  probe?: RawProbe;
  scenario?: number;
  step?: number;
  ret?: string;
  text?: string;
  done?: boolean;
  error?: string;
  hooks?: string[];
  lsm_teardown?: string[];
  pending?: number;
  lost?: number;
  lsmtrace?: LsmTraceStatus;
  avc?: string[];
  load?: string;
  boot_load?: string;
}

/** the answer to `lsmtrace`: the FUNC ids and argument counts of bpf_lsm_<hook> in the kernel's BTF */
export interface LsmTraceStatus {
  ok: boolean;
  /** "lsm": BPF_PROG_TYPE_LSM programs (records, and bpf_lsm_deny runs); "kprobe":
   *  kprobes on security_<hook> (records only), when LSM trampolines cannot attach */
  mode?: 'lsm' | 'kprobe';
  /** mode "kprobe": why the LSM programs could not attach */
  why?: string;
  error?: string;
  hooks?: Record<string, [number, number]>;
}

interface Pending {
  n: number;
  results: StepResult[];
  hooks: string[][];
  teardown?: LsmTeardown;
  /** race steps: the model's outcome by step, and what the kernel saw */
  until: ReadonlyMap<number, string>;
  races: RaceRun[];
  avc?: string[][];
  loads?: Array<string | undefined>;
  bootLoad?: string;
  resolve: (r: KernelRun) => void;
}

/** What runs scenarios on a kernel: a KernelExecutor, or the VM oracle's
 *  rebooting guest (vm/pool.ts). */
export interface ScenarioRunner {
  run(s: Scenario): Promise<KernelRun>;
  close(): Promise<void>;
  /** stop at once (a signal): kill what runs scenarios */
  kill?(): void;
}

/** One long-running executor. `run()` pipelines scenarios; `close()` ends it. */
export class KernelExecutor implements ScenarioRunner {
  private child: ChildProcessWithoutNullStreams;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private buf = '';
  private dead: string | null = null;
  private readonly timeoutMs: number;
  private readonly raceRuns: number;
  private readonly raceFull: boolean;
  private readonly raceMsPerRun: number;
  private readonly protocol: ScenarioProtocol | undefined;
  private readonly session: Record<string, unknown> = {};
  private readonly exited: Promise<void>;
  private probes: Array<(p: RawProbe | undefined) => void> = [];
  private lsmWaiters: Array<(s: LsmTraceStatus | undefined) => void> = [];
  /** BPF-LSM tracing is on in this executor (lsmTraceOn() answered ok, or DriverOptions.lsmTrace) */
  lsmTrace: boolean;
  /** bpf_lsm_deny runs on this executor (lsmTraceOn() answered mode "lsm") */
  lsmDeny = false;

  constructor(opts: DriverOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.lsmTrace = opts.lsmTrace === true;
    this.raceRuns = opts.raceRuns ?? RACE_RUNS;
    this.raceFull = opts.raceFull === true;
    this.raceMsPerRun = opts.raceMsPerRun ?? 1;
    this.protocol = opts.protocol;
    this.child = opts.spawn ? opts.spawn() : spawn(opts.bin ?? EXECUTOR_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'], env: executorEnv() });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => this.onData(d));
    this.child.stderr.on('data', () => {});
    this.child.stdin.on('error', () => {});
    // the host executor writes a scenario's lines together when it ends (PROTOCOL.md `batch`);
    // a VM guest streams them (a guest that dies mid-scenario has shown the step in flight)
    if (!opts.spawn) this.write('batch\n');
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, sig) => {
        this.fail(`executor exited (${sig ?? `status ${String(code)}`})`);
        resolve();
      });
      this.child.on('error', (e) => {
        this.fail(`executor: ${e.message}`);
        resolve();
      });
    });
  }

  private fail(msg: string): void {
    if (this.dead === null) this.dead = msg;
    for (const w of this.probes.splice(0)) w(undefined);
    for (const w of this.lsmWaiters.splice(0)) w(undefined);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(this.finish(p, { results: p.results, error: msg }));
    }
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.length === 0) continue;
      let o: OutLine;
      try {
        o = JSON.parse(line) as OutLine;
      } catch {
        continue;
      }
      if (o.probe !== undefined) this.probes.shift()?.(o.probe);
      if (o.lsmtrace !== undefined) this.lsmWaiters.shift()?.(o.lsmtrace);
      if (o.scenario === undefined) continue;
      const p = this.pending.get(o.scenario);
      if (!p) continue;
      if (typeof o.boot_load === 'string') p.bootLoad = o.boot_load;
      if (o.step !== undefined && o.ret !== undefined) {
        p.results[o.step] = o.text === undefined ? { ret: o.ret } : { ret: o.ret, text: o.text };
        if (o.hooks !== undefined) p.hooks[o.step] = o.hooks;
        if (o.race) {
          const model = p.until.get(o.step) ?? '';
          p.races.push({ step: o.step, iterations: o.race.iterations, counts: o.race.counts, model, confirmed: (o.race.counts[model] ?? 0) > 0 });
        }
        if (Array.isArray(o.avc)) (p.avc ??= [])[o.step] = o.avc.filter((x): x is string => typeof x === 'string');
        if (typeof o.load === 'string') (p.loads ??= [])[o.step] = o.load;
      } else if (o.lsm_teardown !== undefined) {
        p.teardown = { events: o.lsm_teardown, pending: o.pending ?? 0, lost: o.lost ?? 0 };
      } else if (o.done) {
        this.pending.delete(o.scenario);
        p.resolve(this.finish(p, { results: this.dense(p) }));
      } else if (o.error !== undefined) {
        this.pending.delete(o.scenario);
        const timedOut = /^timeout after/.test(o.error);
        p.resolve(this.finish(p, timedOut ? { results: this.dense(p), error: o.error, timedOut } : { results: this.dense(p), error: o.error }));
      }
    }
  }

  /** the SELinux parts of a run, when the executor sent them, and the races */
  private finish(p: Pending, r: KernelRun): KernelRun {
    if (p.avc) r.avc = Array.from({ length: r.results.length }, (_, i) => p.avc![i] ?? []);
    if (p.loads) r.loads = Array.from({ length: r.results.length }, (_, i) => p.loads![i]);
    if (p.races.length) r.races = p.races;
    if (p.bootLoad !== undefined) r.bootLoad = p.bootLoad;
    return this.withHooks(p, r);
  }

  private withHooks(p: Pending, r: KernelRun): KernelRun {
    if (!this.lsmTrace) return r;
    const hooks: string[][] = [];
    for (let i = 0; i < r.results.length; i++) hooks.push(p.hooks[i] ?? []);
    return { ...r, hooks, ...(p.teardown ? { lsmTeardown: p.teardown } : {}) };
  }

  /** Loads and attaches the executor's BPF-LSM programs (`lsmtrace`, oracle/lsmtrace.c);
   *  from then on every scenario's steps carry their hook events. */
  lsmTraceOn(): Promise<LsmTraceStatus> {
    if (this.dead !== null) return Promise.resolve({ ok: false, error: this.dead });
    return new Promise((resolve) => {
      this.lsmWaiters.push((st) => {
        const r = st ?? { ok: false, error: this.dead ?? 'no answer' };
        if (r.ok) this.lsmTrace = true;
        if (r.ok && r.mode === 'lsm') this.lsmDeny = true;
        resolve(r);
      });
      this.write('lsmtrace\n');
    });
  }

  /** protocol text not yet written: what one turn of the event loop sends goes in one write */
  private unsent: string[] = [];

  private write(text: string): void {
    if (this.unsent.push(text) > 1) return;
    setImmediate(() => {
      if (this.unsent.length && this.child.stdin.writable) this.child.stdin.write(this.unsent.splice(0).join(''));
    });
  }

  private dense(p: Pending): StepResult[] {
    const out: StepResult[] = [];
    for (let i = 0; i < p.n && p.results[i] !== undefined; i++) out.push(p.results[i]!);
    return out;
  }

  /** Asks this executor's kernel the `probe` questions (probeKernel() asks a
   *  fresh executor on the host; this one asks the one already running). */
  probe(): Promise<Probe | { skip: string }> {
    if (this.dead !== null) return Promise.resolve({ skip: this.dead });
    return new Promise((resolve) => {
      this.probes.push((p) => resolve(p === undefined && this.dead !== null ? { skip: this.dead } : checkProbe(p)));
      this.write('probe\n');
    });
  }

  /** Runs one scenario (as given: adapt it with adaptToMachine() first). */
  async run(s: Scenario): Promise<KernelRun> {
    const why = this.protocol ? this.protocol.uncheckable(s) : kernelUncheckable(s, { bpfLsm: this.lsmDeny });
    if (why) return { results: [], error: `unsupported: ${why}` };
    if (this.protocol?.prepare) await this.protocol.prepare(s);
    return this.send(s);
  }

  private send(s: Scenario): Promise<KernelRun> {
    if (this.dead !== null) return Promise.resolve({ results: [], error: this.dead });
    const id = this.nextId++;
    // race steps: repeated until the model's outcome (raceOutcomes()), the timeout grows with the bound
    const until = raceOutcomes(s);
    const race = until.size ? { runs: this.raceRuns, until: this.raceFull ? new Map<number, string>() : until } : undefined;
    const timeout = this.timeoutMs + until.size * this.raceRuns * this.raceMsPerRun;
    let text: string;
    try {
      text = this.protocol ? this.protocol.encode(s, id, timeout, this.session, race) : toProtocol(s, id, timeout, race);
    } catch (e) {
      return Promise.resolve({ results: [], error: `cannot encode: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
    }
    return new Promise((resolve) => {
      this.pending.set(id, { n: s.steps.length, results: [], hooks: [], until, races: [], resolve });
      this.write(text);
    });
  }

  async close(): Promise<void> {
    if (this.dead === null) this.child.stdin.end(this.unsent.splice(0).join('') + 'quit\n');
    await this.exited;
  }

  /**
   * Ends the executor at once (a campaign stopped by a signal): SIGKILL to the
   * process group of every scenario it runs (each scenario leader leads its
   * own), then to the executor; whatever a scenario left is killed by its
   * PR_SET_PDEATHSIG. Pending runs resolve with an error; close() still waits.
   */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    for (const leader of childPids(pid))
      try {
        process.kill(-leader, 'SIGKILL');
      } catch {
        // not (yet) a group leader, or gone: the executor's death takes it
      }
    this.child.kill('SIGKILL');
  }
}

/**
 * Several executors (one per core): each runs its scenarios one after another
 * as one executor does, the pool gives each new scenario to the executor with
 * the fewest in flight (the lowest index on a tie). Every scenario runs in its
 * own process tree, namespaces and cgroups whichever executor runs it, so the
 * results do not depend on the executor: a campaign's outputs are the same
 * with any number of them.
 */
export class ExecutorPool implements ScenarioRunner {
  readonly executors: KernelExecutor[];
  private readonly inFlight: number[];

  constructor(n: number, opts: DriverOptions = {}) {
    this.executors = Array.from({ length: Math.max(1, n) }, () => new KernelExecutor(opts));
    this.inFlight = this.executors.map(() => 0);
  }

  run(s: Scenario): Promise<KernelRun> {
    let k = 0;
    for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[k]!) k = i;
    this.inFlight[k]!++;
    return this.executors[k]!.run(s).finally(() => {
      this.inFlight[k]!--;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.executors.map((e) => e.close()));
  }

  kill(): void {
    for (const e of this.executors) e.kill();
  }
}

/** the children of a process, from /proc/PID/task/TID/children (empty when that is unreadable) */
function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (/^\d+$/.test(c)) out.push(Number(c));
  } catch {
    // gone, or no /proc
  }
  return out;
}

/** Runs a batch on the kernel through one executor process. */
export async function runOnKernel(scenarios: readonly Scenario[], opts: DriverOptions = {}): Promise<KernelRun[]> {
  const ex = new KernelExecutor(opts);
  try {
    return await Promise.all(scenarios.map((s) => ex.run(s)));
  } finally {
    await ex.close();
  }
}
