// A failure as a reviewer pastes it into a mail (issue 14): every line within
// MAIL_WIDTH columns (the AVC records of the trace excepted: audit2allow reads
// them whole), the claim with its source, the kernel range (the profiles the
// shrunk counterexample violates and those it holds on), the known finding it
// matches or "new", the trace, the replay command and the reproducer command.

import { PROFILES, type Profile } from '../model/profile.ts';
import type { Counterexample } from '../properties/check.ts';
import { type Property, type Source, appliesTo, verdictOf } from '../properties/types.ts';
import { MAIL_WIDTH, formatTrace, wrapLine } from '../scenario/format.ts';
import type { KnownFinding } from './known.ts';

/** the source of a claim in one sentence */
export function sourceText(s: Source): string {
  switch (s.kind) {
    case 'document':
      return `${s.file}, ${s.section}: "${s.quote}"`;
    case 'semantic':
      return s.where;
    case 'ours':
      return `ours (the suite's own rule): ${s.why}`;
  }
}

/** the profiles (spec versions and kernels, not mutants) the scenario violates the claim on, and those it holds on */
export function kernelRange(prop: Property, s: Parameters<Property['check']>[0]): { violated: string[]; holds: string[] } {
  const violated: string[] = [];
  const holds: string[] = [];
  for (const p of PROFILES) {
    if (p.name.startsWith('mutant-') || !appliesTo(prop, p)) continue;
    let v: ReturnType<Property['check']>;
    try {
      v = prop.check(s, p);
    } catch {
      continue; // the trace does not run there (a field that version lacks)
    }
    (v ? violated : holds).push(p.name);
  }
  return { violated, holds };
}

/** profile names, consecutive versions of one series shortened: "selinux-token-v1..v7" */
export function compactNames(names: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < names.length; ) {
    const m = /^(.*-v)(\d+)$/.exec(names[i]!);
    let j = i + 1;
    if (m) while (j < names.length && names[j] === `${m[1]}${Number(m[2]) + (j - i)}`) j++;
    out.push(m && j - i > 2 ? `${names[i]}..v${Number(m[2]) + (j - i - 1)}` : names[i]!);
    if (!(m && j - i > 2)) j = i + 1;
    i = j;
  }
  return out.join(', ');
}

/** a shell command of at most `width` columns a line after `head`:
 *  continued with " \\" at word boundaries; a word longer than a line (a
 *  replay path) is broken with a backslash-newline inside the word and goes on
 *  at column 0 (the shell removes the backslash-newline and joins the word) */
export function shellLines(cmd: string, head: string, width = MAIL_WIDTH): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(head.length + 3);
  let cur = `${head} `;
  let fresh = true; // nothing of the command on this line yet
  for (const w of cmd.split(' ')) {
    if (!fresh && cur.length + 1 + w.length + 2 > width) {
      out.push(`${cur} \\`);
      cur = pad;
      fresh = true;
    }
    let word = w;
    if (!fresh) cur += ' ';
    while (cur.length + word.length > width) {
      const room = Math.max(1, width - cur.length - 1);
      out.push(`${cur}${word.slice(0, room)}\\`);
      word = word.slice(room);
      cur = '';
    }
    cur += word;
    fresh = false;
  }
  out.push(cur);
  return out;
}

export interface FailureReport {
  prop: Property;
  profile: Profile;
  ce: Counterexample;
  runs: number;
  replay: string;
  /** the counterexample is being saved (--save): the caller prints the reproducer of the saved file */
  saving?: boolean;
  /** the known finding it matches */
  known?: KnownFinding;
  decision: string;
}

/** the text of one failure, lines of at most MAIL_WIDTH columns (AVC records excepted) */
export function formatFailure(f: FailureReport): string[] {
  const { prop, ce } = f;
  const q = verdictOf(prop) === 'question';
  const range = kernelRange(prop, ce.scenario);
  const file = `DIR/${ce.property}--${ce.profile}--seed${ce.seed}.json`;
  const field = (name: string, text: string): string[] => wrapLine(`      ${name}: ${text}`, MAIL_WIDTH, 4);
  const out = [`${q ? 'QUESTION' : 'FAIL'}  ${prop.name}  after ${f.runs} runs (${ce.shrinks} shrinks, ${ce.scenario.steps.length} steps)`];
  out.push(...field('finding', f.known ? `known: FINDINGS.md ${f.known.id} (${f.known.file.split('/').slice(-2).join('/')}${f.known.by === 'fix' ? '; holds with that fix alone' : ''})` : 'new'));
  out.push(...field('claim', `${prop.claim}${q ? " (the suite's own rule: a question for the author, not a gap)" : ''}`));
  out.push(...field('source', sourceText(prop.source)));
  out.push(...field('kernel range', `violated on ${compactNames(range.violated) || 'none'}; holds on ${compactNames(range.holds) || 'none'}`));
  out.push(...field(`step ${ce.violation.step + 1}`, ce.violation.message));
  out.push(...field('first violating decision', f.decision));
  out.push(formatTrace(ce.scenario, ce.results, ce.violation.step));
  out.push(...shellLines(f.replay, '      replay:'));
  if (f.saving) return out.flatMap((l) => l.split('\n')); // the caller saves, then says where (reproducerLines)
  out.push(...reproducerLines(file));
  out.push(...wrapLine(`                  (${file}: written by the replay with --save DIR)`, MAIL_WIDTH, 2));
  return out.flatMap((l) => l.split('\n'));
}

/** the reproducer command of a saved counterexample */
export function reproducerLines(file: string): string[] {
  return shellLines(`npx bpftc repro ${file} --c --out repro.c`, '      reproducer:');
}

/** the command shellLines wrote, read back as the shell reads it: " \\" at
 *  a line's end continues at the next word, "\\" inside a word joins the next
 *  line to it; `head` (such as "replay:") is dropped */
export function joinShellLines(lines: readonly string[], head: string): string {
  let cmd = '';
  for (const [i, l] of lines.entries()) {
    const t = i === 0 ? l.slice(l.indexOf(head) + head.length).trimStart() : cmd.endsWith(' ') ? l.trimStart() : l;
    if (t.endsWith(' \\')) cmd += `${t.slice(0, -2)} `;
    else if (t.endsWith('\\')) cmd += t.slice(0, -1);
    else return cmd + t;
  }
  return cmd.trimEnd();
}

/** the replay command of the first failure in a fuzz report */
export function replayOf(text: string): string | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^\s*replay: /.test(l));
  return i < 0 ? undefined : joinShellLines(lines.slice(i), 'replay:');
}
