// Spec-version diff: the same generated scenarios on two profiles; every class
// of behavioural difference (operation, result under P, result under Q) with
// a count and a minimal witness scenario.

import fc from 'fast-check';
import type { Profile } from '../model/profile.ts';
import type { AvcRecord, Scenario, StepResult } from '../scenario/types.ts';
import { runScenario } from '../model/run.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { formatSetup, formatStep, lsmActionLines } from '../scenario/format.ts';
import { pruneDecls, reduceParts, reduceSteps, renumberHandles } from '../scenario/reduce.ts';
import { MAIL_WIDTH, wrapLine } from '../scenario/format.ts';

/** one consequence of a root cause: the first differing step's operation and results */
export interface DiffConsequence {
  /** "op: resultP -> resultQ" (with the step's SELinux denials) */
  key: string;
  op: string;
  from: string;
  to: string;
  count: number;
}

export interface DiffClass {
  /** the root cause: the first changed LSM decision of the first differing
   *  step, or (no LSM decision changed) "op: resultP -> resultQ" */
  key: string;
  /** the operation and results of the witness's first differing step */
  op: string;
  from: string;
  to: string;
  /** scenarios with this root cause */
  count: number;
  /** what the root cause made differ, by operation and results, most frequent first */
  consequences: DiffConsequence[];
  witness: Scenario;
  /** index of the first differing step in the witness */
  step: number;
  fromResults: StepResult[];
  toResults: StepResult[];
  /** how the changed decision's subject / object changed, by role, with the scenarios of each */
  changes: Array<{ change: string; count: number }>;
  /** the first changed decision in the witness under each profile (absent: not made there) */
  decision?: { from?: AvcRecord; to?: AvcRecord };
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

/** the consequence key: the first differing step's operation and results */
function consequenceKey(s: Scenario, d: { i: number; a: StepResult[]; b: StepResult[] }): string {
  return `${s.steps[d.i]!.op}: ${show(d.a[d.i]!)} -> ${show(d.b[d.i]!)}`;
}

/** the actor whose token_create made handle `h` (following send_fd), if any */
function tokenCreator(s: Scenario, h: string | undefined, before: number): string | undefined {
  for (let i = before - 1; h !== undefined && i >= 0; i--) {
    const st = s.steps[i]!;
    if (st.as !== h) continue;
    if (st.op === 'token_create') return st.actor;
    if (st.op === 'send_fd') h = st.fd;
    else return undefined;
  }
  return undefined;
}

/** a decision's context by its role at the step: the caller, the token's creator, or the type itself */
function roleOf(s: Scenario, i: number, type: string): string {
  const ctx = (actor: string | undefined): string | undefined => (actor === undefined ? undefined : (s.actors.find((a) => a.name === actor)?.context ?? 'unconfined_t'));
  const st = s.steps[i]!;
  if (type === ctx(st.actor)) return 'current';
  const tok = 'token' in st && typeof st.token === 'string' ? st.token : undefined;
  if (type === ctx(tokenCreator(s, tok, i))) return "the token's creator";
  if (type === 'kernel_t' || type === 'unlabeled_t') return type;
  return 'another domain';
}

const outcome = (r: AvcRecord): string => (r.granted ? 'granted' : r.permissive ? 'denied (permissive)' : 'denied');
const decisionId = (r: AvcRecord): string => `${r.hook} ${r.tclass}:${r.perm}`;
const full = (r: AvcRecord | undefined): string => (r ? `${decisionId(r)} ${r.scontext}->${r.tcontext} ${outcome(r)}` : '-');

/** the first LSM decision of the differing step that changed, in both runs */
function firstChanged(d: { i: number; a: StepResult[]; b: StepResult[] }): { j: number; from?: AvcRecord; to?: AvcRecord } | null {
  const A = d.a[d.i]!.avc ?? [];
  const B = d.b[d.i]!.avc ?? [];
  const same = (x: AvcRecord, y: AvcRecord): boolean => decisionId(x) === decisionId(y) && x.scontext === y.scontext && x.tcontext === y.tcontext;
  for (let j = 0; j < Math.max(A.length, B.length); j++) {
    const [x, y] = [A[j], B[j]];
    if (full(x) === full(y)) continue;
    // a decision one profile inserts before the common rest: made there only
    // (a decision the other profile never makes at this step counts as inserted too)
    if (x && y && !same(x, y)) {
      const hook = (r: AvcRecord): string => decisionId(r);
      if (B.slice(j + 1).some((z) => same(x, z)) || !A.some((z) => hook(z) === hook(y))) return { j, to: y };
      if (A.slice(j + 1).some((z) => same(y, z)) || !B.some((z) => hook(z) === hook(x))) return { j, from: x };
    }
    return { j, ...(x ? { from: x } : {}), ...(y ? { to: y } : {}) };
  }
  return null;
}

/**
 * the root cause of a difference (ours, issue 14): the first LSM decision of
 * the first differing step that changed, described by what changed in it --
 * its subject or object by role (current, the token's creator, kernel_t ...),
 * else its outcome -- or a decision made under one profile only; with no
 * changed decision, the step's operation and results
 */
function rootKey(s: Scenario, d: { i: number; a: StepResult[]; b: StepResult[] }, from: string, to: string): string {
  const c = firstChanged(d);
  const st = s.steps[d.i]!;
  if (!c) return `${st.op}: ${show(d.a[d.i]!)} -> ${show(d.b[d.i]!)}`;
  const { from: x, to: y } = c;
  if (x && !y) return `${decisionId(x)}: made under ${from} only`;
  if (y && !x) return `${decisionId(y)}: made under ${to} only`;
  if (decisionId(x!) !== decisionId(y!)) return `${decisionId(x!)} under ${from}, ${decisionId(y!)} under ${to}`;
  const changed = (['subject', 'object'] as const).filter((w) => x![w === 'subject' ? 'scontext' : 'tcontext'] !== y![w === 'subject' ? 'scontext' : 'tcontext']);
  return `${decisionId(x!)}: ${changed.length ? `${changed.join(' and ')} changed` : `${outcome(x!)} -> ${outcome(y!)}`}`;
}

/** how the changed decision's subject and object changed, by role (current, the token's creator, kernel_t ...) */
function changeOf(s: Scenario, d: { i: number; a: StepResult[]; b: StepResult[] }): string | null {
  const c = firstChanged(d);
  if (!c?.from || !c.to || decisionId(c.from) !== decisionId(c.to)) return null;
  const out: string[] = [];
  for (const [what, f] of [['subject', 'scontext'], ['object', 'tcontext']] as const) {
    if (c.from[f] === c.to[f]) continue;
    const [rx, ry] = [roleOf(s, d.i, c.from[f]), roleOf(s, d.i, c.to[f])];
    out.push(rx !== ry ? `${what} ${rx} -> ${ry}` : `${what} ${c.from[f]} -> ${c.to[f]}`);
  }
  return out.length ? out.join(', ') : null;
}

/** the root cause of the first difference of `s` between two profiles, or null if they agree */
export function rootCauseOf(s: Scenario, from: Profile, to: Profile): string | null {
  const d = firstDiff(s, from, to);
  return d ? rootKey(s, d, from.name, to.name) : null;
}

/** greedy reduction of the steps, then of every other part, while the same root cause remains first */
function minimizeWitness(s0: Scenario, key: string, from: Profile, to: Profile): Scenario {
  const keep = (c: Scenario): boolean => {
    let d: ReturnType<typeof firstDiff>;
    try {
      d = firstDiff(c, from, to);
    } catch {
      return false; // a reduction the model cannot run (a dangling reference)
    }
    return d !== null && rootKey(c, d, from.name, to.name) === key;
  };
  let s = reduceSteps(s0, keep);
  const pruned = pruneDecls(s);
  if (keep(pruned)) s = pruned;
  s = reduceParts(s, keep, 2000);
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
  const classes = new Map<string, { count: number; witness: Scenario; consequences: Map<string, DiffConsequence>; changes: Map<string, number> }>();
  let differing = 0;
  for (const [i, c] of sample.entries()) {
    const s: Scenario = { ...c.scenario };
    delete s.profile;
    o.onScenario?.(s, i);
    const d = firstDiff(s, from, to);
    if (!d) continue;
    differing++;
    const key = rootKey(s, d, from.name, to.name);
    const ck = consequenceKey(s, d);
    let cur = classes.get(key);
    // keep the shortest raw witness (by first-difference index) before minimizing
    const raw = { ...s, steps: s.steps.slice(0, d.i + 1) };
    if (!cur) classes.set(key, (cur = { count: 0, witness: raw, consequences: new Map(), changes: new Map() }));
    else if (d.i + 1 < cur.witness.steps.length) cur.witness = raw;
    cur.count++;
    const ch = changeOf(s, d);
    if (ch) cur.changes.set(ch, (cur.changes.get(ch) ?? 0) + 1);
    const q = cur.consequences.get(ck);
    if (q) q.count++;
    else cur.consequences.set(ck, { key: ck, op: s.steps[d.i]!.op, from: show(d.a[d.i]!), to: show(d.b[d.i]!), count: 1 });
  }
  const out: DiffClass[] = [];
  for (const [key, { count, witness, consequences, changes }] of classes) {
    const w = minimizeWitness(witness, key, from, to);
    const d = firstDiff(w, from, to)!;
    const ch = firstChanged(d);
    const cons = [...consequences.values()].sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : 1));
    const cls: DiffClass = {
      key, op: w.steps[d.i]!.op, from: show(d.a[d.i]!), to: show(d.b[d.i]!), count, consequences: cons,
      witness: { ...w, name: `${from.name} -> ${to.name}: ${key}` }, step: d.i, fromResults: d.a, toResults: d.b,
      changes: [...changes.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([change, n]) => ({ change, count: n })),
    };
    if (ch) cls.decision = { ...(ch.from ? { from: ch.from } : {}), ...(ch.to ? { to: ch.to } : {}) };
    out.push(cls);
  }
  out.sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : 1));
  return { from: from.name, to: to.name, seed: o.seed, scenarios: sample.length, differing, classes: out };
}

const ret = (r: StepResult): string => (r.text !== undefined ? `${r.ret} ${JSON.stringify(r.text)}` : r.ret);
const decisionText = (r: AvcRecord | undefined): string => (r ? `${r.hook}: ${r.scontext} -> ${r.tcontext} ${r.tclass}:${r.perm} ${outcome(r)}` : 'not made');

/** the witness: its set-up, its steps with the result under each profile
 *  where they differ, and the first changed decision under each; lines of at
 *  most MAIL_WIDTH columns */
function witnessLines(c: DiffClass, from: string, to: string): string[] {
  const w = c.witness;
  const lines = formatSetup(w).map((l) => `   ${l}`);
  w.steps.forEach((s, i) => {
    for (const act of s.lsm ?? []) lines.push(...lsmActionLines(act, '      '));
    const [a, b] = [ret(c.fromResults[i]!), ret(c.toResults[i]!)];
    const res = a === b ? a : `${a} under ${from}, ${b} under ${to}`;
    lines.push(`${i === c.step ? '>>' : '  '}${String(i + 1).padStart(2)}. ${formatStep(s)} -> ${res}`);
  });
  const denials = (r: StepResult): string => (r.avc ?? []).filter((x) => !x.granted).map(decisionText).join('; ') || 'none';
  if (c.decision) {
    const width = Math.max(from.length, to.length) + 1;
    lines.push(`      first changed decision:`);
    lines.push(`        ${`${from}:`.padEnd(width)} ${decisionText(c.decision.from)}`);
    lines.push(`        ${`${to}:`.padEnd(width)} ${decisionText(c.decision.to)}`);
  }
  const [da, db] = [denials(c.fromResults[c.step]!), denials(c.toResults[c.step]!)];
  if (da !== 'none' || db !== 'none') {
    lines.push(`      denials at step ${c.step + 1} under ${from}: ${da}`);
    lines.push(`      denials at step ${c.step + 1} under ${to}: ${db}`);
  }
  return lines.flatMap((l) => wrapLine(l, MAIL_WIDTH, l.startsWith('>>') || /^ {2}\s*\d+\./.test(l) ? 6 : 4));
}

/** the consequences of a root cause, by operation and results (without the denials: the witness shows them) */
function consequenceLines(c: DiffClass): string[] {
  const short = new Map<string, number>();
  for (const q of c.consequences) {
    const k = `${q.op}: ${q.from.replace(/ \[denied .*\]$/, '')} -> ${q.to.replace(/ \[denied .*\]$/, '')}`;
    short.set(k, (short.get(k) ?? 0) + q.count);
  }
  const items = [...short.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([k, n]) => `${k} (${n})`);
  const changes = c.changes.map((x) => `${x.change} (${x.count})`);
  return [
    ...(changes.length ? wrapLine(`   how it changed (scenarios): ${changes.join('; ')}`, MAIL_WIDTH, 4) : []),
    ...wrapLine(`   consequences (first differing step, scenarios): ${items.join('; ')}`, MAIL_WIDTH, 4),
  ];
}

export function formatDiff(r: DiffReport, format: 'text' | 'markdown'): string {
  const n = r.classes.length;
  const head = `${r.from} -> ${r.to}: ${r.scenarios} scenarios (seed ${r.seed}), ${r.differing} behave differently, ${n} root cause${n === 1 ? '' : 's'}`;
  const title = (c: DiffClass, i: number): string => `${i + 1}. ${c.key}  (${c.count} scenario${c.count === 1 ? '' : 's'})`;
  if (format === 'text') {
    const out = [...wrapLine(head)];
    r.classes.forEach((c, i) => {
      out.push('', ...wrapLine(title(c, i), MAIL_WIDTH, 3), ...(c.consequences.length > 1 || c.consequences[0]?.key !== c.key ? consequenceLines(c) : []), `   witness:`);
      out.push(...witnessLines(c, r.from, r.to));
    });
    return out.join('\n');
  }
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  const out = [`### ${head}`, '', `| # | root cause | scenarios | consequences |`, '|---|---|---|---|'];
  r.classes.forEach((c, i) => out.push(`| ${i + 1} | \`${cell(c.key)}\` | ${c.count} | ${c.consequences.length} |`));
  r.classes.forEach((c, i) => {
    out.push('', `**${title(c, i)}**`, '', '```', ...consequenceLines(c), '   witness:', ...witnessLines(c, r.from, r.to), '```');
  });
  return out.join('\n');
}
