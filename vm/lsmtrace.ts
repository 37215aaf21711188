// The BPF-LSM hook trace of a scenario, on the model and on a VM kernel
// (issue 10, BPF-LSM part), compared step by step.
//
// Kernel side: the guest executor's programs (oracle/lsmtrace.c) record every
// call of the BPF-related LSM hooks made by the scenario's tasks, with their
// salient arguments, and the frees of the scenario's objects from any context.
// Two kinds of programs, as the kernel allows (the `lsmtrace` answer's mode):
//   * "lsm": BPF_PROG_TYPE_LSM on bpf_lsm_<hook>: a call is recorded when the
//     BPF LSM is reached (call_int_hook() stops at the first refusing LSM), its
//     result is the BPF LSM's own; bpf_lsm_deny steps are real.
//   * "kprobe": kprobe/kretprobe on security_<hook> (a kernel whose BPF
//     trampolines cannot attach, e.g. without CONFIG_FUNCTION_TRACER): every
//     call of the hook, its result over every LSM; no bpf_lsm_deny.
// Model side: SecurityStack.trace (model/lsm.ts HookCall), which records the
// same calls with the arguments the call site passes and the LSMs reached.
//
// What is compared, per step: the sequence of non-free hook calls of the
// step (hook, object identity by creation order, cmd/cap/fmode, token NULL or
// not, result). Per scenario: the free hooks (bpf_map_free, bpf_prog_free,
// bpf_token_free) by object: they run in RCU callbacks and kworkers in the
// kernel (kernel/bpf/syscall.c bpf_map_free_deferred / __bpf_prog_put_rcu,
// kernel/bpf/token.c bpf_token_put_deferred), so they are counted by object
// over the whole scenario, teardown included (the actors' exit closes their
// fds; the model closes them likewise), not by task or step.

import type { Scenario, Step } from '../scenario/types.ts';
import type { KernelRun } from '../oracle/driver.ts';
import { runScenario, type ModelState } from '../model/run.ts';
import type { Profile } from '../model/profile.ts';
import type { HookCall } from '../model/lsm.ts';
import { closeFd } from '../model/vfs.ts';
import { bpf_kill_super_pins } from '../model/pin.ts';
import type { SuperBlock } from '../model/include/linux/fs.ts';
import { retName } from '../model/errno.ts';

export const TRACED_HOOKS = [
  'bpf', 'bpf_map', 'bpf_prog', 'bpf_map_create', 'bpf_map_free', 'bpf_prog_load', 'bpf_prog_free',
  'bpf_token_create', 'bpf_token_free', 'bpf_token_cmd', 'bpf_token_capable', 'inode_setattr',
] as const;
const TRACED = new Set<string>(TRACED_HOOKS);
const FREE = new Set(['bpf_map_free', 'bpf_prog_free', 'bpf_token_free']);
const CREATE = new Set(['bpf_map_create', 'bpf_prog_load', 'bpf_token_create']);
const KIND: Record<string, 'map' | 'prog' | 'token'> = {
  bpf_map: 'map', bpf_map_create: 'map', bpf_map_free: 'map',
  bpf_prog: 'prog', bpf_prog_load: 'prog', bpf_prog_free: 'prog',
  bpf_token_create: 'token', bpf_token_free: 'token', bpf_token_cmd: 'token', bpf_token_capable: 'token',
};

export type TraceMode = 'lsm' | 'kprobe';

/** one hook call with its salient arguments; `obj` is an identity key (a model object or a kernel pointer) */
export interface HookEvent {
  hook: string;
  obj: unknown;
  cmd?: number;
  fmode?: number;
  cap?: number;
  token?: boolean;
  /** the result (0 or -errno); undefined: the kernel's return was not seen */
  ret?: number;
}

/** object identities by creation order: map#1, prog#1, token#1 ... (a create hook always makes a new one) */
export class ObjIds {
  private ids = new Map<unknown, string>();
  private next: Record<string, number> = { map: 0, prog: 0, token: 0 };
  create(kind: string, key: unknown): string {
    const id = `${kind}#${++this.next[kind]!}`;
    this.ids.set(`${kind}:${String(key)}`, id);
    if (typeof key === 'object' && key !== null) this.ids.set(key, id);
    return id;
  }
  ref(kind: string, key: unknown): string {
    const k = typeof key === 'object' && key !== null ? key : `${kind}:${String(key)}`;
    return this.ids.get(k) ?? this.create(kind, key);
  }
}

/** the text both sides are compared on: "bpf_map_create map#1 token=1 = 0" */
export function describe(e: HookEvent, ids: ObjIds): string {
  const kind = KIND[e.hook];
  const obj = kind === undefined ? '' : CREATE.has(e.hook) ? ids.create(kind, e.obj) : ids.ref(kind, e.obj);
  const parts = [e.hook];
  if (obj) parts.push(obj);
  if (e.cmd !== undefined) parts.push(`cmd=${e.cmd}`);
  if (e.fmode !== undefined) parts.push(`fmode=${e.fmode}`);
  if (e.cap !== undefined) parts.push(`cap=${e.cap}`);
  if (e.token !== undefined) parts.push(`token=${e.token ? 1 : 0}`);
  if (!FREE.has(e.hook)) parts.push(`= ${e.ret === undefined ? '?' : e.ret === 0 ? '0' : retName(e.ret)}`);
  return parts.join(' ');
}

// ---------------------------------------------------------------- kernel events

const low32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

/** one executor event "hook actor a0 a1 a2 ret" (oracle/lsmtrace.c lt_ev_json), or null */
export function parseKernelEvent(line: string): (HookEvent & { actor: number }) | null {
  const m = /^([a-z_]+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) (-?\d+)$/.exec(line);
  if (!m || !TRACED.has(m[1]!)) return null;
  const hook = m[1]!;
  const a = [BigInt(`0x${m[3]}`), BigInt(`0x${m[4]}`), BigInt(`0x${m[5]}`)] as const;
  const r = Number(m[6]);
  const e: HookEvent & { actor: number } = { hook, actor: Number(m[2]), obj: a[0].toString(16), ...(r === -1000000 ? {} : { ret: r }) };
  switch (hook) {
    case 'bpf':
      return { ...e, obj: null, cmd: low32(a[0]) };
    case 'inode_setattr':
      // (idmap, dentry, attr): no object of the model's kinds; the call and its result
      return { ...e, obj: null };
    case 'bpf_map':
      return { ...e, fmode: low32(a[1]) };
    case 'bpf_map_create':
    case 'bpf_prog_load':
      return { ...e, token: a[2] !== 0n };
    case 'bpf_token_cmd':
      return { ...e, cmd: low32(a[1]) };
    case 'bpf_token_capable':
      return { ...e, cap: low32(a[1]) };
    default:
      return e;
  }
}

// ---------------------------------------------------------------- model events

/** a model HookCall as the kernel's programs would see it, or null (not traced / not reached) */
export function modelEvent(c: HookCall, mode: TraceMode): HookEvent | null {
  if (!TRACED.has(c.hook)) return null;
  const args = c.args ?? [];
  const lsms = c.lsms ?? [];
  let ret = c.ret;
  if (mode === 'lsm') {
    // a BPF_PROG_TYPE_LSM program runs when call_int_hook() reaches the BPF LSM;
    // it sees its own result (0 unless a later LSM refused after it)
    if (!lsms.includes('bpf')) return null;
    ret = lsms[lsms.length - 1] === 'bpf' ? c.ret : 0;
  }
  const e: HookEvent = { hook: c.hook, obj: args[0], ret };
  switch (c.hook) {
    case 'bpf':
      return { ...e, obj: null, cmd: args[0] as number };
    case 'inode_setattr':
      return { ...e, obj: null };
    case 'bpf_map':
      return { ...e, fmode: args[1] as number };
    case 'bpf_map_create':
    case 'bpf_prog_load':
      return { ...e, token: args[2] !== null && args[2] !== undefined };
    case 'bpf_token_cmd':
      return { ...e, cmd: args[1] as number };
    case 'bpf_token_capable':
      return { ...e, cap: args[1] as number };
    default:
      return e;
  }
}

export interface ModelTrace {
  /** per step, the traced hook calls in order */
  steps: HookEvent[][];
  /** the free hooks of the teardown (every actor's fds closed, as at exit) */
  teardown: HookEvent[];
}

/** do_exit() -> exit_files(): every fd of every actor is closed; then the scenario's
 *  mount namespaces go with its last process, and with them every bpffs superblock the
 *  scenario reached (through an fd or a named target), whose pins are put */
function teardownModel(st: ModelState): void {
  const { k } = st;
  const sbs = new Set<SuperBlock>();
  for (const t of st.tasks.values()) {
    for (const f of t.files.fds) if (f?.path) sbs.add(f.path.dentry.sb);
    for (const stack of t.mntns.targets?.values() ?? []) for (const m of stack) sbs.add(m.sb);
  }
  for (const t of st.tasks.values()) {
    k.current = t;
    for (let fd = 0; fd < t.files.fds.length; fd++) if (t.files.fds[fd]) closeFd(k, t.files, fd);
  }
  k.current = null;
  for (const sb of sbs) if (sb.fsType === 'bpf') bpf_kill_super_pins(k, sb);
}

/** Runs the model with the hook trace on. */
export function modelTrace(s: Scenario, mode: TraceMode, profile?: Profile): ModelTrace {
  const trace: HookCall[] = [];
  const steps: HookEvent[][] = [];
  let from = 0;
  const take = (): HookEvent[] => {
    const out = trace.slice(from).map((c) => modelEvent(c, mode)).filter((e): e is HookEvent => e !== null);
    from = trace.length;
    return out;
  };
  const { state } = runScenario(s, {
    ...(profile ? { profile } : {}),
    setup: (st) => {
      st.k.security.trace = trace;
    },
    onStep: () => {
      steps.push(take());
    },
  });
  teardownModel(state);
  return { steps, teardown: take() };
}

// ---------------------------------------------------------------- comparison

export interface StepTraceDiff {
  index: number;
  step: Step;
  model: string[];
  kernel: string[];
}

export interface TraceComparison {
  /** the steps compared (the prefix on which the core results agree) */
  compared: number;
  /** steps whose traces differ */
  diffs: StepTraceDiff[];
  /** frees by object over the scenario ("bpf_map_free map#1 x2"); null when not compared */
  frees: { model: string[]; kernel: string[] } | null;
  /** objects the kernel created and did not free within the executor's bound (a leak, or slow RCU) */
  pending: number;
  agree: boolean;
}

export interface CompareOptions {
  mode: TraceMode;
  /** leave the verifier's bpf_token_capable() calls of a prog_load step out (the
   *  model does not have them yet): see dropVerifier() */
  preVerifier?: boolean;
  profile?: Profile;
}

/**
 * The verifier's capability calls in a prog_load step, left out: bpf_check()
 * asks bpf_token_capable() for allow_ptr_leaks, allow_uninit_stack,
 * bypass_spec_v1/v4 (CAP_PERFMON, skipped when cpu_mitigations_off()) and
 * bpf_capable (CAP_BPF). Where they fall differs by release:
 *   - 6.12.117: security_bpf_prog_load() in bpf_prog_load() (kernel/bpf/syscall.c:2845),
 *     then bpf_check() (:2849): the verifier's calls come after the hook;
 *   - 7.3.4: security_bpf_prog_load() inside bpf_check() (kernel/bpf/verifier.c:21268),
 *     after the verifier's calls (:21231-21235): they come right before the hook.
 * So: every bpf_token_capable event after the bpf_prog_load hook, and the
 * bpf_token_capable events right before the kernel's hook that the model does
 * not have before its own (the model's pre-hook events are the syscall's checks).
 */
export function dropVerifier(model: HookEvent[], kernel: HookEvent[], step: Step): [HookEvent[], HookEvent[]] {
  if (step.op !== 'prog_load') return [model, kernel];
  const after = (evs: HookEvent[]): HookEvent[] => {
    const at = evs.findIndex((e) => e.hook === 'bpf_prog_load');
    return at < 0 ? evs : evs.filter((e, i) => i <= at || e.hook !== 'bpf_token_capable');
  };
  const m = after(model);
  let k = after(kernel);
  const mAt = m.findIndex((e) => e.hook === 'bpf_prog_load');
  const kAt = k.findIndex((e) => e.hook === 'bpf_prog_load');
  if (mAt >= 0 && kAt > mAt && k.slice(mAt, kAt).every((e) => e.hook === 'bpf_token_capable')) k = [...k.slice(0, mAt), ...k.slice(kAt)];
  return [m, k];
}

function countFrees(frees: Array<[string, string]>): string[] {
  const m = new Map<string, number>();
  for (const [h, id] of frees) m.set(`${h} ${id}`, (m.get(`${h} ${id}`) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k} x${n}`).sort();
}

/** Compares one scenario's kernel run (with hooks) with the model's trace.
 *  `agreePrefix`: how many steps the core results agree on (the trace is
 *  compared there only; frees only when every step agreed). */
export function compareTrace(s: Scenario, kernel: KernelRun, agreePrefix: number, o: CompareOptions): TraceComparison {
  const model = modelTrace(s, o.mode, o.profile);
  const n = Math.min(agreePrefix, kernel.hooks?.length ?? 0, model.steps.length);
  const mids = new ObjIds();
  const kids = new ObjIds();
  const mfrees: Array<[string, string]> = [];
  const kfrees: Array<[string, string]> = [];
  const diffs: StepTraceDiff[] = [];
  const side = (evs: HookEvent[], ids: ObjIds, frees: Array<[string, string]>): string[] => {
    const out: string[] = [];
    for (const e of evs) {
      if (FREE.has(e.hook)) frees.push([e.hook, ids.ref(KIND[e.hook]!, e.obj)]);
      else out.push(describe(e, ids));
    }
    return out;
  };
  for (let i = 0; i < n; i++) {
    const step = s.steps[i]!;
    const kev = (kernel.hooks![i] ?? []).map(parseKernelEvent).filter((e): e is HookEvent & { actor: number } => e !== null);
    const [mev, kev2] = o.preVerifier ? dropVerifier(model.steps[i]!, kev, step) : [model.steps[i]!, kev];
    const m = side(mev, mids, mfrees);
    const k = side(kev2, kids, kfrees);
    if (m.length !== k.length || m.some((x, j) => x !== k[j])) diffs.push({ index: i, step, model: m, kernel: k });
  }
  let frees: TraceComparison['frees'] = null;
  const whole = n === s.steps.length && kernel.error === undefined && kernel.lsmTeardown !== undefined;
  if (whole) {
    for (const e of model.teardown) if (FREE.has(e.hook)) mfrees.push([e.hook, mids.ref(KIND[e.hook]!, e.obj)]);
    for (const l of kernel.lsmTeardown!.events) {
      const e = parseKernelEvent(l);
      if (e && FREE.has(e.hook)) kfrees.push([e.hook, kids.ref(KIND[e.hook]!, e.obj)]);
    }
    frees = { model: countFrees(mfrees), kernel: countFrees(kfrees) };
  }
  const freesAgree = frees === null || (frees.model.length === frees.kernel.length && frees.model.every((x, j) => x === frees!.kernel[j]));
  return { compared: n, diffs, frees, pending: kernel.lsmTeardown?.pending ?? 0, agree: diffs.length === 0 && freesAgree };
}

/** A disagreement, step by step, for the report. */
export function formatTraceDiff(s: Scenario, c: TraceComparison): string {
  const lines: string[] = [];
  for (const d of c.diffs) {
    lines.push(`  step ${d.index + 1} (${d.step.actor}: ${d.step.op}${d.step.op === 'prog_load' ? ` type ${d.step.prog_type}${d.step.token ? ' token' : ''}` : d.step.op === 'map_create' ? ` type ${d.step.map_type}${d.step.token ? ' token' : ''}` : ''})`);
    const w = Math.max(5, ...d.model.map((x) => x.length));
    for (let j = 0; j < Math.max(d.model.length, d.kernel.length); j++) {
      const m = d.model[j] ?? '';
      const k = d.kernel[j] ?? '';
      lines.push(`    ${m === k ? ' ' : '≠'} ${m.padEnd(w)} | ${k}`);
    }
  }
  if (c.frees && (c.frees.model.join() !== c.frees.kernel.join())) {
    lines.push('  frees by object (scenario, teardown included): model | kernel');
    lines.push(`    ${c.frees.model.join(', ') || '-'} | ${c.frees.kernel.join(', ') || '-'}`);
  }
  if (c.pending) lines.push(`  ${c.pending} object(s) created in the kernel had no free hook call within the executor's bound`);
  return `${s.name ?? 'scenario'}\n${lines.join('\n')}`;
}

/** the first difference's class, for the summary table: "step op: model → kernel" */
export function traceClass(c: TraceComparison): string {
  const d = c.diffs[0];
  if (!d) return c.frees ? `frees: ${c.frees.model.join(', ') || '-'} → ${c.frees.kernel.join(', ') || '-'}`.replace(/#\d+/g, '') : 'pending frees';
  const j = d.model.findIndex((x, i) => x !== d.kernel[i]);
  const at = j < 0 ? d.model.length : j;
  const norm = (x: string | undefined): string => (x === undefined ? '(none)' : x.replace(/#\d+/g, ''));
  return `${d.step.op}: ${norm(d.model[at])} → ${norm(d.kernel[at])}`;
}
