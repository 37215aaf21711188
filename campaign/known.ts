// Known findings as a baseline (issue 14): a failure of a campaign is "known"
// when a scenario of the findings corpus (corpus/findings/, each file naming
// its FINDINGS.md entry in meta.finding) violates the same property with the
// same first violating decision. The match is by decision, not by trace text:
// two traces that differ in names, order or unrelated steps but break the
// claim at the same decision are one finding (a selftest deny-list's rule).
//
// The first violating decision of a counterexample (ours, issue 14): the
// operation of the violating step, its result, and the first LSM denial of
// that step as the kernel's hook, class and permission (types left out: a
// policy's type names are the generator's, not the kernel's).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PROFILE, type IntegrityVariant, type Profile, type SelinuxFixKnobs, findProfile } from '../model/profile.ts';
import { SELINUX_VARIANTS } from '../model/lsm/selinux.ts';
import { runScenario } from '../model/run.ts';
import { findProperty } from '../properties/index.ts';
import { type Violation, appliesTo } from '../properties/types.ts';
import type { Scenario, StepResult } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';

/** the findings corpus of this package (the same place from the sources and from dist/) */
export const DEFAULT_KNOWN = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../corpus/findings' : '../corpus/findings', import.meta.url));

export interface KnownFinding {
  /** the FINDINGS.md entry ("3", "L1") */
  id: string;
  file: string;
  property: string;
  decision: string;
  /** the profile the finding's own scenario names */
  profile: string;
  /** how a failure was matched to it: its first violating decision, or by
   *  cause (the failure goes away with this finding's fix alone, FINDING_FIXES) */
  by?: 'decision' | 'fix';
}

/** the first violating decision of a failure: "op -> ret", and the step's first denial "hook tclass:perm" */
export function firstDecision(s: Scenario, results: readonly StepResult[], v: Violation): string {
  const step = s.steps[v.step];
  const r = results[v.step];
  if (!step || !r) return `step ${v.step}`;
  const denial = (r.avc ?? []).find((a) => !a.granted);
  return `${step.op} -> ${r.ret}${denial ? ` [${denial.hook} ${denial.tclass}:${denial.perm}${denial.permissive ? ' permissive' : ''}]` : ''}`;
}

/** the identity of a failure: its property and its first violating decision */
export function failureKey(property: string, decision: string): string {
  return `${property}: ${decision}`;
}

/**
 * the findings of `dir`: every file with a meta.finding, for its property and
 * every property its meta.shows says it violates, checked on the model under
 * the profile it names (the file's own by default); a claim the scenario no
 * longer violates is not a baseline entry. With `on` (the campaign's profile)
 * every claim is checked under that profile instead: a finding is known to a
 * campaign only where its own scenario still shows it, so a finding fixed in
 * a later version (FINDINGS 1 on the merged code) does not name that
 * version's failures
 */
export function loadKnown(dir: string, on?: string): KnownFinding[] {
  const out: KnownFinding[] = [];
  for (const e of loadCorpus(dir)) {
    const s = e.scenario;
    const id = s.meta?.finding;
    if (id === undefined) continue;
    const claims: Array<{ property: string; profile?: string }> = [];
    if (s.meta?.property) claims.push({ property: s.meta.property });
    // a shows entry without violated_at says the property holds there: no baseline
    for (const sh of s.meta?.shows ?? [])
      if ('property' in sh && sh.violated_at !== undefined) claims.push(sh.profile ? { property: sh.property, profile: sh.profile } : { property: sh.property });
    const seen = new Set<string>();
    for (const c of claims) {
      const prop = findProperty(c.property);
      const profile = findProfile(on ?? c.profile ?? s.profile ?? DEFAULT_PROFILE);
      if (!prop || !profile || (on !== undefined && !appliesTo(prop, profile))) continue;
      let v: Violation | null;
      try {
        v = prop.check(s, profile);
      } catch {
        continue;
      }
      if (!v) continue;
      const decision = firstDecision(s, runScenario(s, { profile }).results, v);
      const key = failureKey(prop.name, decision);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ id, file: e.file, property: prop.name, decision, profile: s.profile ?? DEFAULT_PROFILE });
    }
  }
  return out;
}

/**
 * the known finding a failure matches, if any: the first in file order, one
 * recorded on the campaign's own profile first (the first decision is coarse:
 * on v7 the headline's unchecked creator (FINDINGS 1) and the merged code's
 * reload (FINDINGS 6) end at the same `prog_load -> ok`)
 */
export function matchKnown(known: readonly KnownFinding[], property: string, decision: string, profile?: string): KnownFinding | undefined {
  const all = known.filter((k) => k.property === property && k.decision === decision);
  return all.find((k) => k.profile === profile) ?? all[0];
}

/** loadKnown of the package's own findings, or [] when they are not there (an installed copy without corpus/) */
export function defaultKnown(): KnownFinding[] {
  return existsSync(DEFAULT_KNOWN) ? loadKnown(DEFAULT_KNOWN) : [];
}

/**
 * The fix of each finding that has one, as the knobs of the project's own
 * corrected variants (model/lsm/selinux.ts 'fixed', model/profile.ts
 * 'integrity-fixed'; FINDINGS.md "The project's corrected variants"). A
 * failure whose first decision is no finding's is still that finding's when
 * its counterexample holds once this fix alone is applied to the campaign's
 * profile (a cause, where the decision is a consequence: on v7 the fd race of
 * finding 3 also breaks selinux-token-capable and selinux-token-text-sufficient,
 * at other decisions).
 */
export const FINDING_FIXES: Readonly<Record<string, { selinux?: SelinuxFixKnobs; integrity?: Partial<IntegrityVariant> }>> = {
  '1': { selinux: { progLoadAuxToken: true } },
  // none for 2: its fix (polcapGatesAll) switches every new check off while the
  // polcap is off, so it would name 2 for any defect of those checks that a
  // polcap-off scenario shows (v1's unaudited SECSID_NULL refusal, A2, among them)
  '3': { selinux: { validatedObjects: true } },
  '4': { selinux: { asAtUse: true } },
  '6': { selinux: { asAtUse: true } },
  I1: { integrity: { hornetCtxFromValue: false } },
  I3: { integrity: { hookToken: 'aux' } },
  I4: { integrity: { hornetInvertedMemcmp: false } },
  I5: { integrity: { hornetCopyCountAsVerdict: false } },
};

/** `profile` with one finding's fix, or null where it changes nothing (the
 *  profile has not that layer, or already has the fix) */
export function withFix(profile: Profile, id: string): Profile | null {
  const fix = FINDING_FIXES[id];
  if (!fix) return null;
  if (fix.selinux) {
    const version = profile.lsm?.selinux;
    if (!version || version === 'none') return null;
    const cur = { ...SELINUX_VARIANTS[version], ...profile.lsm!.selinuxFix };
    const keys = Object.keys(fix.selinux) as Array<keyof SelinuxFixKnobs>;
    if (keys.every((k) => (cur[k] ?? false) === fix.selinux![k])) return null;
    return { ...profile, name: `${profile.name}+fix-${id}`, lsm: { ...profile.lsm!, selinuxFix: { ...profile.lsm!.selinuxFix, ...fix.selinux } } };
  }
  const integ = profile.integrity;
  if (!fix.integrity || !integ) return null;
  const keys = Object.keys(fix.integrity) as Array<keyof IntegrityVariant>;
  if (keys.every((k) => integ[k] === fix.integrity![k])) return null;
  return { ...profile, name: `${profile.name}+fix-${id}`, integrity: { ...integ, ...fix.integrity } };
}

/**
 * the known finding a failure is by cause: the first of the baseline's
 * findings (file order) whose fix alone makes the failing scenario hold the
 * property on the campaign's profile, along the same path (samePath; `at`:
 * the violating step)
 */
export function matchByFix(known: readonly KnownFinding[], property: string, s: Scenario, profile: Profile, at: number): KnownFinding | undefined {
  const prop = findProperty(property);
  if (!prop) return undefined;
  const tried = new Set<string>();
  let base: StepResult[] | undefined; // the campaign profile's run, the same for every fix tried
  for (const k of known) {
    if (tried.has(k.id)) continue;
    tried.add(k.id);
    const fixed = withFix(profile, k.id);
    if (!fixed) continue;
    let v: Violation | null;
    let same: boolean;
    try {
      v = prop.check(s, fixed);
      same = v === null && samePath((base ??= runScenario(s, { profile }).results), runScenario(s, { profile: fixed }).results, at);
    } catch {
      continue; // a check that throws on the fixed profile decides nothing
    }
    if (same) return { ...k, by: 'fix' };
  }
  return undefined;
}

/**
 * the fix changed decisions, not the path: every step before the violating one
 * has the same result, and at the violating step either
 * - the two runs ask the LSMs the same questions (hook, class, permission) in the
 *   same order up to the first question whose answer (contexts, verdict) the fix
 *   changed, after which they may part: the fix acted at a check the failing run
 *   made (found with fuzz --profile selinux-token-v7 --seeds 22 and 23: finding 1's
 *   fix asks the creator at bpf_prog_load, where v7 asked the caller, and refuses
 *   there), or
 * - the fixed run still asks every question the failing step asked, and maybe more:
 *   a refusal the fix turns into a success reaches the hooks after it (seed 21:
 *   finding 3's fd race refused map_create at its first hook, the fixed run went on).
 * A fix that makes the property hold by switching a check off, or by refusing at a
 * point the failing run never asked about, would hide any bug behind it, so it
 * names no cause.
 */
function samePath(a: readonly StepResult[], b: readonly StepResult[], at: number): boolean {
  for (let i = 0; i < at; i++) if (a[i]?.ret !== b[i]?.ret) return false;
  const fa = a[at]?.avc ?? [];
  const fb = b[at]?.avc ?? [];
  for (let j = 0; j < fa.length && j < fb.length; j++) {
    const x = fa[j]!;
    const y = fb[j]!;
    if (x.hook !== y.hook || x.tclass !== y.tclass || x.perm !== y.perm) break; // another question: the inclusion rule
    if (x.scontext !== y.scontext || x.tcontext !== y.tcontext || x.granted !== y.granted || (x.permissive ?? false) !== (y.permissive ?? false)) return true;
  }
  const left = new Map<string, number>();
  for (const x of b[at]?.avc ?? []) {
    const q = `${x.hook} ${x.tclass}:${x.perm}`;
    left.set(q, (left.get(q) ?? 0) + 1);
  }
  for (const x of a[at]?.avc ?? []) {
    const q = `${x.hook} ${x.tclass}:${x.perm}`;
    const n = left.get(q) ?? 0;
    if (n === 0) return false;
    left.set(q, n - 1);
  }
  return true;
}
