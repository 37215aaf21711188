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
import { type KernelRun, type RaceOpts, type ScenarioProtocol, kernelUncheckable, pct, threadUncheckable, toProtocol } from '../oracle/driver.ts';
import { type Comparison, compareRuns, runModel } from '../oracle/compare.ts';
import { formatSideBySide } from '../oracle/shrink.ts';
import { findProfile } from '../model/profile.ts';
import { DEFAULT_CONTEXT } from '../model/lsm/index.ts';
import { compilePolicy as modelPolicy, rejectsLoad } from '../model/lsm/policy.ts';
import { type AvcKey, compareAvc, formatAvcComparison, parseAvcLog } from './selinux/audit.ts';
import { compilePolicy, contextOf, scenarioPolicies, scenarioTypes } from './selinux/compile.ts';
import { cachedTree } from './selinux/trees.ts';

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
  // races and thread actors: as on the host executor (a thread of the acting actor)
  const threads = threadUncheckable(s);
  if (threads) return threads;
  for (const [i, st] of s.steps.entries()) {
    for (const a of st.lsm ?? []) if (a.action !== 'policy_load') return `step ${i + 1}: ${a.action} (BPF-LSM programs) is model-only`;
    if (st.op === 'prog_load' && (st.signature !== undefined || st.kernel !== undefined)) return `step ${i + 1}: signed and kernel-originated loads are model-only`;
  }
  const pols = scenarioPolicies(s);
  if (s.selinux && s.selinux.loaded !== false && modelRefusesLoad(s.selinux, s)) return 'its boot policy is refused (needs a boot of its own with no policy: not done)';
  if (pols.length > 0 && pols[0]!.at !== 'boot') return 'no policy at boot and a later policy_load (the actors cannot enter their contexts before a policy exists: not done)';
  return null;
}

/** the scenario never loads a policy: it needs a guest that never had one */
export function needsPristineGuest(s: Scenario): boolean {
  return isSelinuxScenario(s) && scenarioPolicies(s).length === 0;
}

/** the kernel tree whose class map the policies are compiled for: 6.12 with
 *  seed 000 (patched), 7.3 as Debian ships it */
export function treeForRelease(release: string): string | null {
  const m = /^(\d+\.\d+)/.exec(release);
  if (!m) return null;
  const t = cachedTree(m[1]!, m[1] === '6.12' ? true : undefined) ?? cachedTree(m[1]!);
  return t?.path ?? null;
}

/** the protocol of oracle/PROTOCOL.md "SELinux" for the kernel tree `tree` */
export function selinuxProtocol(tree: string): ScenarioProtocol {
  return {
    uncheckable: selinuxUncheckable,
    encode: (s, id, timeoutMs, race) => encodeSelinux(s, id, timeoutMs, tree, race),
  };
}

export function encodeSelinux(s: Scenario, id: number, timeoutMs: number, tree: string, race?: RaceOpts): string {
  const base = toProtocol(s, id, timeoutMs, race);
  if (!isSelinuxScenario(s)) return base;
  const lines = base.split('\n');
  const types = scenarioTypes(s);
  const pols = scenarioPolicies(s);
  const extra: string[] = [];
  pols.forEach((p, k) => {
    const c = compilePolicy(p.decl, types, tree);
    extra.push(`policy id=${k + 1} enforcing=${c.enforcing ? 1 : 0} data=${c.binary.toString('hex')}`);
  });
  const boot = pols.length > 0 && pols[0]!.at === 'boot';
  extra.push(`selinux boot=${boot ? 1 : '-'}`);
  pols.forEach((p, k) => {
    if (p.at !== 'boot') extra.push(`load step=${p.at} policy=${k + 1}`);
  });
  const out = [lines[0]!, ...extra];
  for (const l of lines.slice(1)) {
    const m = /^actor name=(\S+) /.exec(l);
    if (m && boot) {
      const a = s.actors.find((x) => pct(x.name) === m[1]);
      out.push(`${l} context=${pct(contextOf(a?.context ?? DEFAULT_CONTEXT))}`);
    } else out.push(l);
  }
  return out.join('\n');
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
    const load = pols.find((p) => p.at === i);
    if (load) {
      const want = modelRefusesLoad(load.decl, s) ? 'EINVAL' : 'ok';
      const got = run.loads?.[i];
      if (got !== undefined && got !== want) lines.push(`policy load before the step: model ${want}, kernel ${got}`);
      if (want === 'ok') {
        policy = load.decl;
        state = new Set();
      }
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

/** compareRuns() and, for SELinux scenarios, the AVC decisions of every step
 *  both sides ran: the first step whose result or decisions differ */
export function compareSelinux(s: Scenario, run: KernelRun): Comparison {
  const model = runModel(s);
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
