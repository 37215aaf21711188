// SELinux scenarios on a real kernel in the VM oracle's guest (issue 10):
// the scenario's `selinux` section and `policy_load` steps become compiled
// binary policies (vm/selinux/compile.ts) streamed to the guest executor over
// the serial protocol (oracle/PROTOCOL.md "SELinux"), the actors run in their
// contexts, and every step's AVC records (captured by the executor as the
// audit daemon, up to a marker) are compared with the model's AVC list
// (vm/selinux/audit.ts compareAvc()): the result AND the set of decisions
// must agree.
//
// Which guest runs what: a policy load cannot be undone, so scenarios that
// never load a policy (no `selinux` section under an SELinux profile: the
// model's "no policy") run in a guest that never saw one ("pristine"), the
// others in a guest whose policy is replaced by every scenario's boot policy
// (a load flushes the AVC, avc_ss_reset(), so no decision carries over; the
// contexts of the next scenario are all in its own policy). Scenarios whose
// boot policy the model refuses, or that start without a policy and load one
// later, are not run (listed as such): their actors cannot enter their
// contexts before a policy exists.

import type { Scenario, StepResult, PolicyDecl } from '../scenario/types.ts';
import { type KernelRun, type RaceOpts, type ScenarioProtocol, type ScenarioRunner, kernelDeny, kernelUncheckable, opTableUncheckable, pct, threadUncheckable, toProtocol } from '../oracle/driver.ts';
import { type Crash, RebootingVm } from './pool.ts';
import { type BootOptions, bootVm } from './qemu.ts';
import { type Comparison, compareRuns, runModel } from '../oracle/compare.ts';
import { formatSideBySide } from '../oracle/shrink.ts';
import { type Profile, findProfile } from '../model/profile.ts';
import { DEFAULT_CONTEXT } from '../model/lsm/index.ts';
import { compilePolicy as modelPolicy, rejectsLoad } from '../model/lsm/policy.ts';
import { type AvcKey, compareAvc, formatAvcComparison, parseAvcLog } from './selinux/audit.ts';
import { compilePolicy, compilePolicyAsync, contextOf, scenarioPolicies, scenarioTypes } from './selinux/compile.ts';
import { cachedTree } from './selinux/trees.ts';
import { encodeDelta } from './selinux/delta.ts';

/** the scenario runs under a profile whose LSM order has SELinux */
export function isSelinuxScenario(s: Scenario): boolean {
  const p = s.profile === undefined ? undefined : findProfile(s.profile);
  return (s.lsm_order ?? p?.lsm?.order ?? []).includes('selinux');
}

/** the model refuses this policy load (model/lsm/selinux.ts loadPolicy():
 *  compilePolicy() throws, or rejectsLoad()) on a kernel with the token patch */
export function modelRefusesLoad(decl: PolicyDecl, s: Scenario): boolean {
  const p = s.profile === undefined ? undefined : findProfile(s.profile);
  const tokenPatch = (p?.lsm?.selinux ?? 'none') !== 'none';
  try {
    return rejectsLoad(modelPolicy(decl), tokenPatch);
  } catch {
    return true;
  }
}

/** why an SELinux scenario cannot run in the guest, or null (core scenarios: kernelUncheckable()) */
export function selinuxUncheckable(s: Scenario): string | null {
  if (!isSelinuxScenario(s)) return kernelUncheckable(s);
  const p = s.profile === undefined ? undefined : findProfile(s.profile);
  if (p?.integrity !== undefined || s.ipe !== undefined) return `profile ${s.profile}: the integrity framework is model-only`;
  const order = s.lsm_order ?? p?.lsm?.order ?? [];
  if (order.some((l) => l !== 'capability' && l !== 'selinux' && l !== 'bpf')) return `LSM order ${order.join(',')}: only capability,selinux,bpf run in the guest`;
  // thread_of actors and races: as on the host (a process sharing the fd table, oracle/driver.ts)
  const threads = threadUncheckable(s);
  if (threads) return threads;
  for (const [i, st] of s.steps.entries()) {
    for (const a of st.lsm ?? []) {
      // a BPF-LSM program returning -errno on a hook the guest's lsmtrace can deny runs in the
      // guest too (its programs are loaded at boot, vm/cli.ts openVm()), and so does a raw
      // return value the guest's verifier is asked about (kernelDeny()); another hook stays model-only
      if (a.action === 'bpf_lsm_deny' && kernelDeny(a, s)) continue;
      if (a.action !== 'policy_load') return `step ${i + 1}: ${a.action} (BPF-LSM programs) is model-only`;
      // the executor loads a policy between syscalls only
      if (a.at !== undefined) return `step ${i + 1}: a policy load inside the syscall (at ${a.at}) is model-only`;
    }
    const why = opTableUncheckable(st, i);
    if (why) return why;
    if (st.op === 'prog_load' && (st.signature !== undefined || st.kernel !== undefined)) return `step ${i + 1}: signed and kernel-originated loads are model-only`;
  }
  const pols = scenarioPolicies(s);
  // a refused boot policy leaves no policy: such a scenario runs in the guest that never had one
  if (s.selinux && s.selinux.loaded !== false && modelRefusesLoad(s.selinux, s) && pols.length > 1)
    return 'its boot policy is refused and it loads another later (the actors cannot enter their contexts before a policy exists: not done)';
  if (pols.length > 0 && pols[0]!.at !== 'boot') return 'no policy at boot and a later policy_load (the actors cannot enter their contexts before a policy exists: not done)';
  return null;
}

/** the scenario never loads a policy: it needs a guest that never had one */
export function needsPristineGuest(s: Scenario): boolean {
  if (!isSelinuxScenario(s)) return false;
  const pols = scenarioPolicies(s);
  return pols.length === 0 || (pols.length === 1 && pols[0]!.at === 'boot' && modelRefusesLoad(pols[0]!.decl, s));
}

/** the model loads the scenario's boot policy (it has one and does not refuse it) */
function bootLoads(s: Scenario): boolean {
  return s.selinux !== undefined && s.selinux.loaded !== false && !modelRefusesLoad(s.selinux, s);
}

/** the kernel tree whose class map the policies are compiled for: 6.12 with
 *  seed 000 (patched), 7.3 as Debian ships it */
export function treeForRelease(release: string): string | null {
  const m = /^(\d+\.\d+)/.exec(release);
  if (!m) return null;
  const t = cachedTree(m[1]!, m[1] === '6.12' ? true : undefined) ?? cachedTree(m[1]!);
  return t?.path ?? null;
}

/** at most COMPILERS checkpolicy processes at once */
const COMPILERS = 3;
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
  while (running >= COMPILERS) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** the protocol of oracle/PROTOCOL.md "SELinux" for the kernel tree `tree` */
export function selinuxProtocol(tree: string): ScenarioProtocol {
  return {
    uncheckable: selinuxUncheckable,
    encode: (s, id, timeoutMs, session, race) => encodeSelinux(s, id, timeoutMs, tree, session, race),
    // the policies compile ahead of the guest, a few checkpolicy at a time;
    // a policy that does not compile fails again, with its reason, in encode()
    prepare: async (s) => {
      if (!isSelinuxScenario(s)) return;
      const types = scenarioTypes(s);
      await Promise.all(
        scenarioPolicies(s).map((p) =>
          limited(() => compilePolicyAsync(p.decl, types, tree)).then(
            () => undefined,
            () => undefined,
          ),
        ),
      );
    },
  };
}

/** what one guest executor holds: its blob store (oracle/executor.c MAX_BLOBS, first in first out) */
export interface BlobStore {
  ring: Array<{ name: string; data: Buffer } | undefined>;
  next: number;
}
export const MAX_BLOBS = 64;
/** oracle/executor.c MAX_POLICIES, MAX_LOADS */
export const MAX_POLICIES = 32;

/** the `blob` line that gives the guest `data` (none when it has it), and its name */
function blobLine(store: BlobStore, data: Buffer, hash: string): { name: string; line?: string } {
  const name = hash.slice(0, 32);
  if (store.ring.some((b) => b?.name === name)) return { name };
  const last = store.ring[(store.next + MAX_BLOBS - 1) % MAX_BLOBS];
  const ops = encodeDelta(last?.data ?? null, data);
  store.ring[store.next] = { name, data };
  store.next = (store.next + 1) % MAX_BLOBS;
  return { name, line: `blob id=${name} base=${last ? last.name : '-'} ops=${ops}` };
}

/**
 * The `blob` and `policy` lines of one scenario's policies, in the order the
 * guest must read them: each `policy` line right after the `blob` line it needs
 * (oracle/executor.c parse_se_line() copies the blob's bytes when it reads the
 * line), so that a later blob of the same scenario, which takes the oldest slot
 * of the guest's store, cannot evict one this scenario still refers to (the
 * "policy: unknown blob" set-up errors: a scenario reusing the store's oldest
 * blob and adding a new one). The store is changed only when the whole plan is
 * made, so a scenario that is not sent leaves it as the guest has it. A new
 * guest (a reboot) is a new executor with a new session, so an empty store.
 */
export function policyLines(store: BlobStore, pols: ReadonlyArray<{ binary: Buffer; hash: string; enforcing: boolean }>): string[] {
  const work: BlobStore = { ring: [...store.ring], next: store.next };
  const out: string[] = [];
  pols.forEach((c, k) => {
    const b = blobLine(work, c.binary, c.hash);
    if (b.line) out.push(b.line);
    out.push(`policy id=${k + 1} enforcing=${c.enforcing ? 1 : 0} blob=${b.name}`);
  });
  store.ring = work.ring;
  store.next = work.next;
  return out;
}

/** a fresh guest store (what the executor holds when it starts) */
export function newBlobStore(): BlobStore {
  return { ring: new Array(MAX_BLOBS).fill(undefined), next: 0 };
}

export function encodeSelinux(s: Scenario, id: number, timeoutMs: number, tree: string, session: Record<string, unknown> = {}, race?: RaceOpts): string {
  const base = toProtocol(s, id, timeoutMs, race);
  if (!isSelinuxScenario(s)) return base;
  const store = (session.blobs ??= newBlobStore()) as BlobStore;
  const lines = base.split('\n');
  const types = scenarioTypes(s);
  const pols = scenarioPolicies(s);
  if (pols.length > MAX_POLICIES) throw new Error(`limit: ${pols.length} policies (the executor takes ${MAX_POLICIES})`);
  // every policy compiles (or the scenario is not sent) before the guest's store is counted on
  const compiled = pols.map((p) => compilePolicy(p.decl, types, tree));
  const extra: string[] = [];
  const boot = pols.length > 0 && pols[0]!.at === 'boot';
  extra.push(`selinux boot=${boot ? 1 : '-'}`);
  // contexts exist only with a policy: none when the model refuses the boot policy
  const contexts = boot && bootLoads(s);
  pols.forEach((p, k) => {
    if (p.at !== 'boot') extra.push(`load step=${p.at} policy=${k + 1}`);
  });
  const rest: string[] = [];
  for (const l of lines.slice(1)) {
    const m = /^actor name=(\S+) /.exec(l);
    const a = m ? s.actors.find((x) => pct(x.name) === m[1]) : undefined;
    if (a) {
      const ctx = contexts ? ` context=${pct(contextOf(a.context ?? DEFAULT_CONTEXT))}` : '';
      rest.push(`${l}${ctx}`);
    } else rest.push(l);
  }
  // last: nothing after this may fail, the store now says what the guest will hold
  return [lines[0]!, ...policyLines(store, compiled), ...extra, ...rest].join('\n');
}

/** Model decisions the kernel does not log, by construction (vm/selinux/README.md
 *  "Comparison rules"): in a permissive domain or permissive mode, init-namespace
 *  capability sys_admin (selinux_vm_enough_memory() asks for it unaudited at
 *  every mmap/brk/exec, and avc_denied() caches the permissive denial as granted) */
function unlogged(r: AvcKey & { permissive?: boolean }): boolean {
  return r.tclass === 'capability' && r.perm === 'sys_admin' && !r.granted;
}

/** per step, the AVC differences (and a policy load whose result differs), one line each */
export function selinuxDiffs(s: Scenario, model: StepResult[], run: KernelRun): string[][] {
  const out: string[][] = [];
  const pols = scenarioPolicies(s);
  const boot = pols.find((p) => p.at === 'boot');
  let policy: PolicyDecl | undefined = boot && !modelRefusesLoad(boot.decl, s) ? boot.decl : undefined;
  let state = new Set<string>();
  for (let i = 0; i < run.results.length; i++) {
    const lines: string[] = [];
    if (i === 0 && boot && run.bootLoad !== undefined) {
      const want = modelRefusesLoad(boot.decl, s) ? 'EINVAL' : 'ok';
      if (run.bootLoad !== want) lines.push(`policy load at boot: model ${want}, kernel ${run.bootLoad}`);
    }
    const loads = pols.filter((p) => p.at === i);
    if (loads.length) {
      const want = loads.map((l) => (modelRefusesLoad(l.decl, s) ? 'EINVAL' : 'ok'));
      const got = run.loads?.[i];
      if (got !== undefined && got !== want.join(',')) lines.push(`policy load before the step: model ${want.join(',')}, kernel ${got}`);
      loads.forEach((l, j) => {
        if (want[j] !== 'ok') return;
        policy = l.decl;
        state = new Set();
      });
    }
    const permissiveDomains = new Set(policy?.permissive ?? []);
    const permissiveMode = policy?.enforcing === false;
    const m = model[i]?.avc ?? [];
    const k = parseAvcLog((run.avc?.[i] ?? []).join('\n'));
    const c = compareAvc(m, k, {
      ...(policy ? { policy: { definesTokenPerms: policy.defines_token_perms ?? true, handleUnknown: policy.handle_unknown ?? 'deny' } } : {}),
      state,
      unlogged: (r) => unlogged(r) && (permissiveMode || permissiveDomains.has(r.scontext)),
    });
    // a race step ran many times (oracle/PROTOCOL.md "Races"): its records are
    // the union of every repetition's decisions, and the model's (the one
    // repetition with the other thread at the preemption point) must be among them
    if (run.races?.some((r) => r.step === i && r.iterations > 1)) c.onlyKernel = [];
    lines.push(...formatAvcComparison(c));
    out.push(lines);
  }
  return out;
}

/** an SELinux profile's LSM layer on another profile's token core (the
 *  kernel's: linux-6.12, linux-7.3), so that the comparison in a VM shows the
 *  SELinux layer's differences, not the core's (named "P+core") */
export function compositeProfile(p: Profile, core: Profile): Profile {
  return {
    ...p,
    name: `${p.name}+${core.name}`,
    summary: `${p.summary}, on the ${core.name} core`,
    provenance: [...p.provenance, ...core.provenance],
    token: core.token,
  };
}

/** the core profile of a VM kernel release (model/profile.ts linux-6.12, linux-7.3), if there is one */
export function coreProfileFor(release: string): Profile | undefined {
  const m = /^(\d+\.\d+)/.exec(release);
  return m ? findProfile(`linux-${m[1]}`) : undefined;
}

/** compareSelinux() with the model on the composite of each scenario's profile and `core` */
export function selinuxComparer(core: Profile | undefined): (s: Scenario, run: KernelRun) => Comparison {
  const cache = new Map<string, Profile>();
  return (s, run) => {
    const p = s.profile === undefined ? undefined : findProfile(s.profile);
    if (!core || !p || !isSelinuxScenario(s)) return compareSelinux(s, run);
    let c = cache.get(p.name);
    if (!c) cache.set(p.name, (c = compositeProfile(p, core)));
    return compareSelinux(s, run, c);
  };
}

/** compareRuns() and, for SELinux scenarios, the AVC decisions of every step
 *  both sides ran: the first step whose result or decisions differ. `profile`:
 *  the model runs on it instead of the scenario's (a composite) */
export function compareSelinux(s: Scenario, run: KernelRun, profile?: Profile): Comparison {
  const model = runModel(s, profile);
  const c = compareRuns(s, model, run);
  if (!isSelinuxScenario(s) || run.avc === undefined) return c;
  const diffs = selinuxDiffs(s, model.results, run);
  const firstAvc = diffs.findIndex((d) => d.length > 0);
  if (c.kind === 'disagree') return firstAvc >= 0 ? { ...c, lsmDiff: diffs } : c;
  if (firstAvc < 0) return c;
  const step = s.steps[firstAvc]!;
  const what = diffs[firstAvc]!.some((l) => l.startsWith('policy load')) ? 'load' : 'avc';
  return {
    kind: 'disagree',
    first: { index: firstAvc, step, model: c.model[firstAvc]!, kernel: c.kernel[firstAvc], what },
    model: c.model,
    kernel: c.kernel,
    lsmDiff: diffs,
    ...(c.kind === 'error' ? { kernelError: c.error } : {}),
  };
}

/** formatSideBySide() with the contexts and the AVC differences under their steps */
export function formatSelinux(s: Scenario, c: Comparison, run?: KernelRun): string {
  const base = formatSideBySide(s, c.model, run ?? c.kernel);
  if (!isSelinuxScenario(s)) return base;
  const out = [base];
  const ctx = s.actors.map((a) => `${a.name}=${a.context ?? DEFAULT_CONTEXT}`).join(' ');
  out.push(`contexts: ${ctx}`);
  const diffs = c.kind === 'disagree' ? c.lsmDiff : undefined;
  diffs?.forEach((d, i) => {
    for (const l of d) out.push(`  step ${i + 1}: ${l}`);
  });
  return out.join('\n');
}

// ------------------------------------------------------------------ guests

/** what the oracle's report needs from the guests */
export interface GuestRunner extends ScenarioRunner {
  readonly boots: number;
  readonly deaths: string[][];
  readonly crashes: Crash[];
}

/** the policied guest for scenarios that load a policy, and (booted when
 *  first needed) a guest that never loads one for those that do not */
export class SelinuxGuests implements GuestRunner {
  private pristine: Promise<RebootingVm> | null = null;
  private pristineVm: RebootingVm | null = null;
  /** pristine guests that got a policy after all (closed at the end) */
  private readonly retired: RebootingVm[] = [];

  constructor(
    private readonly main: RebootingVm,
    private readonly opts: BootOptions,
  ) {}

  get boots(): number {
    return this.main.boots + (this.pristineVm?.boots ?? 0);
  }
  get deaths(): string[][] {
    return [...this.main.deaths, ...(this.pristineVm?.deaths ?? [])];
  }
  get crashes(): Crash[] {
    return [...this.main.crashes, ...(this.pristineVm?.crashes ?? [])];
  }

  private async pristineGuest(): Promise<RebootingVm> {
    this.pristine ??= bootVm(this.opts).then((vm) => (this.pristineVm = new RebootingVm(vm, this.opts)));
    return this.pristine;
  }

  async run(s: Scenario): Promise<KernelRun> {
    if (!needsPristineGuest(s)) return this.main.run(s);
    let g: RebootingVm;
    try {
      g = await this.pristineGuest();
    } catch (e) {
      return { results: [], error: `booting a guest without a policy failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
    const r = await g.run(s);
    // the kernel took a policy the model refuses (a disagreement): that guest has one now
    if (r.bootLoad === 'ok' && this.pristineVm === g) {
      this.retired.push(g);
      this.pristine = null;
      this.pristineVm = null;
    }
    return r;
  }

  async close(): Promise<void> {
    await this.main.close();
    const p = this.pristine ? await this.pristine.catch(() => null) : null;
    await p?.close();
    for (const g of this.retired) await g.close();
  }
}

// ------------------------------------------------------------------ classes

/** the tiny guest kernel's configuration gaps (vm/NOTES.md "config gaps"), by
 *  the step that shows them: not a kernel or model difference */
function configGap(st: Scenario['steps'][number], model: string, kernel: string | undefined): string | null {
  const paths = [(st as { path?: string }).path, (st as { data?: string }).data].filter((x): x is string => typeof x === 'string');
  if (paths.some((p) => /\.debug/.test(p)) && kernel === 'EPERM') return 'config: no CONFIG_BPF_PRELOAD (maps.debug, progs.debug)';
  if (st.op === 'map_create' && st.map_type === 17 && kernel === 'EINVAL') return 'config: no CONFIG_XDP_SOCKETS (map type 17)';
  if (st.op === 'map_create' && st.map_type === 16 && kernel === 'E2BIG') return 'config: NR_CPUS of the tiny config (cpumap entries)';
  if (st.op === 'prog_load' && st.prog_type === 32 && kernel === 'EINVAL') return 'config: no CONFIG_NETFILTER_BPF_LINK (prog type 32)';
  void model;
  return null;
}

/** one line naming the kind of a disagreement (its first differing step), for counting */
export function classifyDisagreement(s: Scenario, c: Comparison & { kind: 'disagree' }): string {
  const f = c.first;
  const lines = c.lsmDiff?.[f.index] ?? [];
  if (f.what === 'load') return lines.find((l) => l.startsWith('policy load')) ?? 'policy load';
  if (f.what === 'avc') return `avc ${f.step.op}: ${lines.join(' | ')}`;
  const k = f.kernel?.ret;
  const gap = configGap(f.step, f.model.ret, k);
  if (gap) return gap;
  if (f.what === 'missing') return `${f.step.op}: no kernel result`;
  if (f.what === 'text') return `${f.step.op} text differs`;
  return `${f.step.op} ${f.model.ret} -> ${k ?? '-'}`;
}
