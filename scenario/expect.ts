// Step expectations (issue 11 "Expectations"): what a step's `expect` and
// `expect_text` say, checked the same way by `bpftc run` (model and --kernel),
// the corpus runner and the reproducer. Besides exact results a scenario can
// say what a kernel selftest says:
//
//   "expect": "EPERM"                 exactly this result (also "ok", "REFUSED")
//   "expect": "fails"                 any errno (not "ok", not "REFUSED"): ASSERT_LT(fd, 0) / ASSERT_ERR
//   "expect": ["EPERM", "EACCES"]     one of these results
//   "expect_text": "..."              exactly this text
//   "expect_text": {"match": "re"}    the text matches a restricted regular expression (scenario/saferegex.ts)
//   "expect_text": {"field": "allowed_cmds", "value": "0x1"}
//                                     one field of the text has this value ({"field", "match"}: matches re)
//
// Fields of a text: a line "name:\tvalue" (fdinfo), or, on any other line, each
// "name=value" piece between commas and spaces (bpf_token_info "cmds=0x1,...",
// mount options in mountinfo). A token-info field may be named as in struct
// bpf_token_info (include/uapi/linux/bpf.h: allowed_cmds, allowed_maps,
// allowed_progs, allowed_attachs) or as the info text prints it (cmds, ...).
// The first field of that name counts. Imports nothing from model/.

import type { ExpectResult, ExpectText, Result, Step, StepResult } from './types.ts';
import { REFUSED } from './sandbox.ts';
import { type SafeRegex, compileSafeRegex, safeRegexTest } from './saferegex.ts';

/** "fails": the step returned an errno */
export const FAILS = 'fails';

export type { ExpectResult, ExpectText };

/** at most this many results in a set */
export const MAX_EXPECT_SET = 16;

const compiled = new Map<string, SafeRegex>();

/** the compiled pattern; undefined for one the validator would refuse (a
 *  scenario built in code): such a pattern meets nothing */
function regex(source: string): SafeRegex | undefined {
  let re = compiled.get(source);
  if (!re) {
    const c = compileSafeRegex(source);
    if (typeof c === 'string') return undefined;
    re = c;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

function matches(source: string, text: string): boolean {
  const re = regex(source);
  return re !== undefined && safeRegexTest(re, text);
}

/** is `ret` what `e` expects? */
export function resultMeets(e: ExpectResult, ret: Result): boolean {
  if (typeof e !== 'string') return e.includes(ret);
  if (e === FAILS) return ret !== 'ok' && ret !== REFUSED;
  return e === ret;
}

/** the first field `name` of `text` (see the header) */
export function textField(text: string, name: string): string | undefined {
  const names = name.startsWith('allowed_') ? [name, name.slice('allowed_'.length)] : [name];
  for (const line of text.split('\n')) {
    const tab = line.indexOf(':\t');
    if (tab > 0) {
      if (names.includes(line.slice(0, tab))) return line.slice(tab + 2);
      continue;
    }
    for (const piece of line.split(/[, ]/)) {
      const eq = piece.indexOf('=');
      if (eq > 0 && names.includes(piece.slice(0, eq))) return piece.slice(eq + 1);
    }
  }
  return undefined;
}

/** does `text` meet `e`? */
export function textMeets(e: ExpectText, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (typeof e === 'string') return e === text;
  if ('field' in e) {
    const v = textField(text, e.field);
    if (v === undefined) return false;
    return 'value' in e ? v === e.value : matches(e.match, v);
  }
  return matches(e.match, text);
}

/** the expectation in words, for MISMATCH / UNMET lines */
export function describeResult(e: ExpectResult): string {
  if (typeof e !== 'string') return `one of ${e.join(', ')}`;
  return e === FAILS ? 'a failure (any errno)' : e;
}

export function describeText(e: ExpectText): string {
  if (typeof e === 'string') return JSON.stringify(e);
  if ('field' in e) return 'value' in e ? `${e.field} = ${JSON.stringify(e.value)}` : `${e.field} matching /${e.match}/`;
  return `text matching /${e.match}/`;
}

/** an exact result expectation (what a reproducer can compare), else undefined */
export function exactResult(e: ExpectResult | undefined): Result | undefined {
  return typeof e === 'string' && e !== FAILS ? e : undefined;
}

/** an exact text expectation, else undefined */
export function exactText(e: ExpectText | undefined): string | undefined {
  return typeof e === 'string' ? e : undefined;
}

export interface Unmet {
  /** 1-based step number */
  step: number;
  /** the expectation in words */
  expected: string;
  /** what the step gave, in words */
  got: string;
}

/** How one step's result fails its expectations (null: met or nothing expected).
 *  `textOnlyWhenPresent`: a text expectation is not checked when the result has
 *  no text (bpftc run --kernel: the kernel side reports text only for steps that read one). */
export function stepUnmet(st: Pick<Step, 'expect' | 'expect_text'>, r: StepResult, step: number, textOnlyWhenPresent = false): Unmet | null {
  if (st.expect !== undefined && !resultMeets(st.expect, r.ret)) return { step, expected: describeResult(st.expect), got: r.ret };
  if (st.expect_text !== undefined && !(textOnlyWhenPresent && r.text === undefined) && !textMeets(st.expect_text, r.text))
    return { step, expected: describeText(st.expect_text), got: r.text === undefined ? `${r.ret} (no text)` : JSON.stringify(r.text) };
  return null;
}

/** every unmet expectation of a run, in step order */
export function unmetExpectations(steps: ReadonlyArray<Pick<Step, 'expect' | 'expect_text'>>, results: readonly StepResult[], textOnlyWhenPresent = false): Unmet[] {
  const out: Unmet[] = [];
  steps.forEach((st, i) => {
    const r = results[i];
    if (!r) return;
    const u = stepUnmet(st, r, i + 1, textOnlyWhenPresent);
    if (u) out.push(u);
  });
  return out;
}

/** Validation of the two keys (scenario/validate.ts calls these): the reason a
 *  value is malformed, with the JSON path suffix where it sits, or null. */
export function checkExpectResult(v: unknown, isResult: (x: string) => boolean): { at: string; msg: string } | null {
  const single = (x: unknown): boolean => typeof x === 'string' && (x === 'ok' || x === REFUSED || isResult(x));
  if (v === FAILS || single(v)) return null;
  if (!Array.isArray(v)) return { at: '', msg: `expected "ok", an errno name or "${REFUSED}", got ${JSON.stringify(v)} (or "${FAILS}", or a list of results)` };
  if (v.length === 0) return { at: '', msg: 'an empty list of results (nothing would meet it)' };
  if (v.length > MAX_EXPECT_SET) return { at: '', msg: `a list of more than ${MAX_EXPECT_SET} results` };
  for (const [i, x] of v.entries()) {
    if (x === FAILS) return { at: `[${i}]`, msg: `"${FAILS}" stands alone, not in a list` };
    if (!single(x)) return { at: `[${i}]`, msg: `expected "ok", an errno name or "${REFUSED}", got ${JSON.stringify(x)}` };
    if (v.indexOf(x) !== i) return { at: `[${i}]`, msg: `${JSON.stringify(x)} is listed twice` };
  }
  return null;
}

export function checkExpectText(v: unknown): { at: string; msg: string } | null {
  if (typeof v === 'string') return null;
  const what = 'expected a string, {"match": pattern}, {"field": name, "value": text} or {"field": name, "match": pattern}';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { at: '', msg: `${what}, got ${JSON.stringify(v)}` };
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'match' && k !== 'field' && k !== 'value') return { at: `.${k}`, msg: `a text expectation takes no "${k}"` };
  if (o.field !== undefined) {
    if (typeof o.field !== 'string' || !/^[a-z_][a-z0-9_]{0,63}$/.test(o.field))
      return { at: '.field', msg: `expected a field name (lower case, digits, _), got ${JSON.stringify(o.field)}` };
    if ((o.value === undefined) === (o.match === undefined)) return { at: '', msg: '{"field"} needs exactly one of "value" and "match"' };
    if (o.value !== undefined && typeof o.value !== 'string') return { at: '.value', msg: `expected a string, got ${JSON.stringify(o.value)}` };
  } else {
    if (o.value !== undefined) return { at: '.value', msg: '"value" needs "field"' };
    if (o.match === undefined) return { at: '', msg: `${what}, got ${JSON.stringify(v)}` };
  }
  if (o.match !== undefined) {
    if (typeof o.match !== 'string') return { at: '.match', msg: `expected a pattern string, got ${JSON.stringify(o.match)}` };
    const c = compileSafeRegex(o.match);
    if (typeof c === 'string') return { at: '.match', msg: `pattern not accepted: ${c}` };
  }
  return null;
}
