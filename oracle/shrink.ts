// Delta debugging (ddmin) of a disagreeing scenario: removes steps, then
// unused actors and user namespaces, while *some* model/kernel disagreement
// persists (it may move to another step). Every candidate is re-run on both
// the model and the kernel; candidates of one round are pipelined through the
// one executor process.

import { pruneDecls, renumberHandles } from '../scenario/reduce.ts';
import type { ActorDecl, Scenario, Step, StepResult } from '../scenario/types.ts';
import { REFUSED } from '../scenario/sandbox.ts';
import { CAP_FULL, capsFromNames, capsToNames } from '../model/caps.ts';
import type { KernelRun, ScenarioRunner } from './driver.ts';
import { stepArgs } from './driver.ts';
import { type Comparison, compareWithKernel } from './compare.ts';

export interface ShrinkResult {
  scenario: Scenario;
  comparison: Comparison & { kind: 'disagree' };
  /** number of candidate scenarios run on the kernel */
  tests: number;
}

type Disagree = Comparison & { kind: 'disagree' };

function withSteps(s: Scenario, steps: Step[]): Scenario {
  return pruneDecls({ ...s, steps });
}

/** Shrinks a scenario on which model and kernel disagree. `start` is the
 *  comparison of `s` itself (re-run when absent). Returns null if `s` does not
 *  disagree (any more). */
export async function shrinkDisagreement(
  s: Scenario,
  ex: Pick<ScenarioRunner, 'run'>,
  opts: { maxTests?: number; start?: Comparison; compare?: (s: Scenario, r: KernelRun) => Comparison } = {},
): Promise<ShrinkResult | null> {
  const maxTests = opts.maxTests ?? 2000;
  const compare = opts.compare ?? compareWithKernel;
  let tests = 0;
  const test = async (cands: Scenario[]): Promise<Array<Disagree | null>> => {
    tests += cands.length;
    const runs = await Promise.all(cands.map((c) => ex.run(c)));
    return runs.map((r, i) => {
      const c = compare(cands[i]!, r);
      return c.kind === 'disagree' ? c : null;
    });
  };
  let cur = s;
  const first: Disagree | null =
    opts.start && opts.start.kind === 'disagree' ? opts.start : ((await test([s]))[0] ?? null);
  if (!first) return null;
  let best: Disagree = first;
  // a pruned copy of the start, when it still disagrees
  {
    const p = pruneDecls(cur);
    if (p.actors.length !== cur.actors.length || (p.userns?.length ?? 0) !== (cur.userns?.length ?? 0)) {
      const [d] = await test([p]);
      if (d) {
        cur = p;
        best = d;
      }
    }
  }
  // ddmin over steps: try complements of n chunks, then the chunks themselves
  let n = 2;
  while (cur.steps.length >= 2 && tests < maxTests) {
    const steps = cur.steps;
    const size = Math.ceil(steps.length / n);
    const chunks: Array<[number, number]> = [];
    for (let i = 0; i < steps.length; i += size) chunks.push([i, Math.min(steps.length, i + size)]);
    const complements = chunks.map(([a, b]) => withSteps(cur, [...steps.slice(0, a), ...steps.slice(b)]));
    const res = await test(complements);
    const hit = res.findIndex((r) => r !== null);
    if (hit >= 0) {
      cur = complements[hit]!;
      best = res[hit]!;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= steps.length) break;
    n = Math.min(steps.length, n * 2);
  }
  // one-step removal to a fixpoint (1-minimality), then cut everything after the disagreement
  let changed = true;
  while (changed && tests < maxTests) {
    changed = false;
    const cut = withSteps(cur, cur.steps.slice(0, best.first.index + 1));
    if (cut.steps.length < cur.steps.length) {
      const [d] = await test([cut]);
      if (d) {
        cur = cut;
        best = d;
        changed = true;
      }
    }
    const cands = cur.steps.map((_, i) => withSteps(cur, cur.steps.filter((__, j) => j !== i)));
    const res = await test(cands);
    const hit = res.findIndex((r) => r !== null);
    if (hit >= 0) {
      cur = cands[hit]!;
      best = res[hit]!;
      changed = true;
    }
  }
  // drop actors no step uses (and their userns); a no-op when pruneDecls already did
  const final = pruneDecls(cur);
  if (final !== cur && final.actors.length < cur.actors.length) {
    const [d] = await test([final]);
    if (d) {
      cur = final;
      best = d;
    }
  }
  // fs1, mnt2 ... instead of the generator's gapped counters
  const renamed = renumberHandles(cur);
  if (renamed !== cur) {
    const [d] = await test([renamed]);
    if (d) {
      cur = renamed;
      best = d;
    }
  }
  return { scenario: cur, comparison: best, tests };
}

// ---------------------------------------------------------------- printing

function capsText(c: ActorDecl['caps']): string {
  if (c === 'all') return 'all';
  const set = capsFromNames(c);
  const missing = capsToNames(CAP_FULL - set);
  if (missing.length < c.length && missing.length <= 4) return `all-${missing.join(',') || 'none'}`;
  return c.length ? c.join(',') : 'none';
}

/** One-line rendering of a step: op and its protocol arguments (defaults included). */
export function stepText(st: Step): string {
  const args = stepArgs(st).map((a) => shortArg(decodeURIComponent(a.replace(/%(?![0-9A-F]{2})/g, '%25'))));
  return [st.op, ...args, ...(st.as !== undefined ? [`as=${st.as}`] : [])].join(' ');
}

/** control bytes escaped, very long values (a refused path) cut, so that a row stays one line */
function shortArg(a: string): string {
  // eslint-disable-next-line no-control-regex
  const e = a.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return e.length > 80 ? `${e.slice(0, 60)}...(${Buffer.byteLength(a, 'utf8')} bytes)` : e;
}

function res(r: StepResult | undefined): string {
  if (r === undefined) return '-';
  return r.ret === REFUSED && r.text !== undefined ? `REFUSED (${r.text})` : r.ret;
}

/** A numbered trace with the model's and the kernel's result of every step;
 *  differing steps are marked and their texts shown in full. */
export function formatSideBySide(s: Scenario, model: StepResult[], kernel: StepResult[] | KernelRun): string {
  const k = Array.isArray(kernel) ? kernel : kernel.results;
  const kerr = Array.isArray(kernel) ? undefined : kernel.error;
  const out: string[] = [];
  if (s.name) out.push(`# ${s.name}`);
  if (s.sysctl?.unprivileged_bpf_disabled !== undefined) out.push(`sysctl unprivileged_bpf_disabled=${s.sysctl.unprivileged_bpf_disabled}`);
  for (const u of s.userns ?? []) out.push(`userns ${u.name}: parent=${u.parent} owner=${u.owner} map=0->${u.map.base} x${u.map.count}`);
  for (const a of s.actors)
    out.push(a.fork_of ? `actor ${a.name}: fork_of=${a.fork_of}` : `actor ${a.name}: userns=${a.userns} kuid=${a.kuid} caps=${capsText(a.caps)} mntns=${a.mntns ?? 'own'}${a.thread_of ? ` thread_of=${a.thread_of}` : ''}`);
  // steps numbered from 1, as in `bpftc run` and "disagree at step N"
  const rows = s.steps.map((st, i) => ({ n: String(i + 1), who: st.actor, what: stepText(st), m: res(model[i]), k: res(k[i]) }));
  const wn = Math.max(1, ...rows.map((r) => r.n.length));
  const ww = Math.max(5, ...rows.map((r) => r.who.length));
  const wt = Math.min(72, Math.max(4, ...rows.map((r) => r.what.length)));
  const wm = Math.max(5, ...rows.map((r) => r.m.length));
  out.push(`${'#'.padStart(wn)}  ${'actor'.padEnd(ww)}  ${'step'.padEnd(wt)}  ${'model'.padEnd(wm)}     kernel`);
  rows.forEach((r, i) => {
    const mr = model[i];
    const kr = k[i];
    const textDiff = mr?.text !== undefined && kr?.text !== undefined && mr.text !== kr.text;
    const differs = kr !== undefined && mr !== undefined && (mr.ret !== kr.ret || textDiff);
    out.push(`${r.n.padStart(wn)}  ${r.who.padEnd(ww)}  ${r.what.padEnd(wt)}  ${r.m.padEnd(wm)}  ${differs ? '<>' : '  '} ${r.k}`);
    if (textDiff) {
      out.push(`${' '.repeat(wn + 2)}model text:  ${JSON.stringify(mr.text)}`);
      out.push(`${' '.repeat(wn + 2)}kernel text: ${JSON.stringify(kr.text)}`);
    }
  });
  if (kerr) out.push(`kernel: ${kerr}`);
  return out.join('\n');
}
