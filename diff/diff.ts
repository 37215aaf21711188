// Spec-version diff: the same generated scenarios on two profiles; every class
// of behavioural difference (operation, result under P, result under Q) with
// a count and a minimal witness scenario.

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import type { Scenario, StepResult } from '../scenario/types.ts';
import { runScenario } from '../model/run.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { formatSetup, formatStep } from '../scenario/format.ts';
import { pruneDecls, reduceSteps, renumberHandles } from '../scenario/reduce.ts';

export interface DiffClass {
  /** "op: resultP -> resultQ" */
  key: string;
  op: string;
  from: string;
  to: string;
  count: number;
  witness: Scenario;
  /** index of the first differing step in the witness */
  step: number;
  fromResults: StepResult[];
  toResults: StepResult[];
}

export interface DiffReport {
  from: string;
  to: string;
  seed: number;
  scenarios: number;
  differing: number;
  classes: DiffClass[];
}

/** a step's outcome as compared: result, text, and the LSM denials it saw */
const show = (r: StepResult): string => {
  const base = r.text !== undefined ? `${r.ret} ${JSON.stringify(r.text)}` : r.ret;
  const denied = (r.avc ?? []).filter((a) => !a.granted).map((a) => `${a.scontext}->${a.tcontext} ${a.tclass}:${a.perm}${a.permissive ? '(permissive)' : ''}`);
  return denied.length ? `${base} [denied ${denied.join(', ')}]` : base;
};

/** the first step whose result differs between the two profiles */
function firstDiff(s: Scenario, from: Profile, to: Profile): { i: number; a: StepResult[]; b: StepResult[] } | null {
  const a = runScenario(s, { profile: from }).results;
  const b = runScenario(s, { profile: to }).results;
  for (let i = 0; i < a.length; i++) if (show(a[i]!) !== show(b[i]!)) return { i, a, b };
  return null;
}

function classKey(s: Scenario, d: { i: number; a: StepResult[]; b: StepResult[] }): string {
  return `${s.steps[d.i]!.op}: ${show(d.a[d.i]!)} -> ${show(d.b[d.i]!)}`;
}

/** greedy step removal while the same class of difference remains first */
function minimizeWitness(s0: Scenario, key: string, from: Profile, to: Profile): Scenario {
  const keep = (c: Scenario): boolean => {
    const d = firstDiff(c, from, to);
    return d !== null && classKey(c, d) === key;
  };
  let s = reduceSteps(s0, keep);
  const pruned = pruneDecls(s);
  if (keep(pruned)) s = pruned;
  const renamed = renumberHandles(s);
  return keep(renamed) ? renamed : s;
}

export interface DiffOptions {
  runs: number;
  seed: number;
  maxCommands?: number;
  /** the SELinux policy capability bpf_token_perms in generated policies (default: random) */
  polcap?: 'on' | 'off';
  /** sees every scenario compared, in order (diff --coverage FILE) */
  onScenario?: (s: Scenario, index: number) => void;
}

const hasSelinux = (p: Profile): boolean => p.lsm?.order.includes('selinux') ?? false;

export function diffProfiles(from: Profile, to: Profile, o: DiffOptions): DiffReport {
  // with SELinux on either side, scenarios carry contexts and policies
  const lsm = hasSelinux(from) || hasSelinux(to) ? { races: false, bpfLsm: false, ...(o.polcap ? { polcap: o.polcap } : {}) } : undefined;
  const gen = { profile: from, maxCommands: o.maxCommands ?? 30, ...(lsm ? { lsm } : {}) };
  const sample = fc.sample(scenarioArb(gen), { numRuns: o.runs, seed: o.seed });
  const classes = new Map<string, { count: number; witness: Scenario }>();
  let differing = 0;
  for (const [i, c] of sample.entries()) {
    const s: Scenario = { ...c.scenario };
    delete s.profile;
    o.onScenario?.(s, i);
    const d = firstDiff(s, from, to);
    if (!d) continue;
    differing++;
    const key = classKey(s, d);
    const cur = classes.get(key);
    // keep the shortest raw witness (by first-difference index) before minimizing
    if (!cur) classes.set(key, { count: 1, witness: { ...s, steps: s.steps.slice(0, d.i + 1) } });
    else {
      cur.count++;
      if (d.i + 1 < cur.witness.steps.length) cur.witness = { ...s, steps: s.steps.slice(0, d.i + 1) };
    }
  }
  const out: DiffClass[] = [];
  for (const [key, { count, witness }] of classes) {
    const w = minimizeWitness(witness, key, from, to);
    const d = firstDiff(w, from, to)!;
    const [op, rest] = [w.steps[d.i]!.op, key.slice(key.indexOf(': ') + 2)];
    const [rf, rt] = rest.split(' -> ');
    out.push({ key, op, from: rf!, to: rt!, count, witness: { ...w, name: `${from.name} -> ${to.name}: ${key}` }, step: d.i, fromResults: d.a, toResults: d.b });
  }
  out.sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : 1));
  return { from: from.name, to: to.name, seed: o.seed, scenarios: sample.length, differing, classes: out };
}

function witnessLines(c: DiffClass, from: string, to: string): string[] {
  const w = c.witness;
  const width = Math.max(...w.steps.map((s) => formatStep(s).length));
  const lines = formatSetup(w).map((l) => `   ${l}`);
  lines.push(`   ${'step'.padEnd(width + 4)}  ${from.padEnd(12)}  ${to}`);
  w.steps.forEach((s, i) => {
    const mark = i === c.step ? '>>' : '  ';
    lines.push(`${mark}${String(i + 1).padStart(2)}. ${formatStep(s).padEnd(width)}  ${show(c.fromResults[i]!).padEnd(12)}  ${show(c.toResults[i]!)}`);
  });
  return lines;
}

export function formatDiff(r: DiffReport, format: 'text' | 'markdown'): string {
  const head = `${r.from} -> ${r.to}: ${r.scenarios} scenarios (seed ${r.seed}), ${r.differing} behave differently, ${r.classes.length} class${r.classes.length === 1 ? '' : 'es'} of difference`;
  if (format === 'text') {
    const out = [head];
    r.classes.forEach((c, n) => {
      out.push('', `${n + 1}. ${c.key}  (${c.count} scenario${c.count === 1 ? '' : 's'})`);
      out.push(...witnessLines(c, r.from, r.to));
    });
    return out.join('\n');
  }
  const out = [`### ${head}`, '', `| # | operation | ${r.from} | ${r.to} | scenarios |`, '|---|---|---|---|---|'];
  r.classes.forEach((c, n) => out.push(`| ${n + 1} | \`${c.op}\` | ${c.from} | ${c.to} | ${c.count} |`));
  r.classes.forEach((c, n) => {
    out.push('', `**${n + 1}. \`${c.key}\`** — minimal witness:`, '', '```', ...witnessLines(c, r.from, r.to), '```');
  });
  return out.join('\n');
}
