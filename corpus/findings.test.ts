// Claim discipline for FINDINGS.md (issue 9): every entry has a verdict class,
// a kernel/patch range, its evidence and a corpus scenario that still shows
// it (replayed on the model under its profile, and what its meta.shows claims
// is checked); the headline table lists exactly the entries that contradict
// their own text or are latent; every spec/...§X citation in the repository
// resolves to a clause of the project's own spec notes.

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCorpus } from './load.ts';
import { runScenario } from '../model/run.ts';
import { findProfile } from '../model/profile.ts';
import { findProperty } from '../properties/index.ts';
import type { FindingVerdict, Scenario } from '../scenario/types.ts';
import { parseEntries, type Entry } from './findings-md.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const FINDINGS = readFileSync(join(ROOT, 'FINDINGS.md'), 'utf8');
const DIR = join(ROOT, 'corpus/findings/');
const corpus = loadCorpus(DIR);

/** the verdict classes as FINDINGS.md writes them */
const VERDICTS: Record<string, FindingVerdict> = {
  'contradicts its own text': 'contradicts-text',
  latent: 'latent',
  'pre-existing in the base kernel': 'pre-existing',
  'design decision': 'design-decision',
  'design question': 'design-question',
  withdrawn: 'withdrawn',
};
/** which verdicts each section of FINDINGS.md may hold */
const SECTIONS: Record<string, FindingVerdict[]> = {
  'Headline findings': ['contradicts-text', 'latent'],
  'Pre-existing behaviour': ['pre-existing'],
  'Design questions': ['design-decision', 'design-question'],
  Withdrawn: ['withdrawn'],
};
/** the field each verdict needs besides Verdict, Range, Evidence and Scenario */
const NEEDS: Record<FindingVerdict, string[]> = {
  'contradicts-text': ['Text', 'Code'],
  latent: ['Trigger', 'Code'],
  'pre-existing': ['Base'],
  'design-decision': ['Discussion'],
  'design-question': ['Discussion'],
  withdrawn: ['Why'],
};

const entries = parseEntries(FINDINGS);
/** the real kernels every finding records (meta.kernels key, FINDINGS.md label) */
const KERNEL_LABELS = [
  ['6.18-host', '6.18 host'],
  ['6.12+v7-vm', '6.12+v7 VM'],
  ['7.3.4-vm', '7.3.4 VM'],
] as const;
const byFile = new Map(corpus.map((c) => [relative(ROOT, c.file), c.scenario] as const));

function scenariosOf(e: Entry): string[] {
  return [...(e.fields.get('Scenario') ?? '').matchAll(/`(corpus\/findings\/[^`]+\.json)`/g)].map((m) => m[1]!);
}

describe('FINDINGS.md claim discipline', () => {
  it('has entries in every section, and only in known sections', () => {
    expect(entries.length).toBeGreaterThanOrEqual(12);
    for (const e of entries) expect(Object.keys(SECTIONS), `${e.id} is under "${e.section}"`).toContain(e.section);
    for (const s of Object.keys(SECTIONS)) expect(entries.some((e) => e.section === s), s).toBe(true);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s has a verdict class, a range, evidence and a scenario', (_id, e) => {
    const v = VERDICTS[(e.fields.get('Verdict') ?? '').replace(/\*/g, '').split(/[;(]/)[0]!.trim()];
    expect(v, `${e.id}: verdict "${e.fields.get('Verdict')}"`).toBeDefined();
    expect(SECTIONS[e.section], `${e.id} (${v}) is in section ${e.section}`).toContain(v);
    for (const f of ['Range', 'Evidence', 'Scenario', ...NEEDS[v!]]) expect((e.fields.get(f) ?? '').length, `${e.id}: field ${f}`).toBeGreaterThan(10);
    if (v === 'contradicts-text') expect(e.fields.get('Text'), `${e.id}: the text is quoted`).toMatch(/"[^"]{12,}"/);
    if (v === 'design-decision') expect(e.fields.get('Discussion'), `${e.id}: the message is cited`).toMatch(/<[^>]+@[^>]+>/);
    const files = scenariosOf(e);
    expect(files.length, `${e.id}: a corpus scenario`).toBeGreaterThan(0);
    for (const f of files) {
      const s = byFile.get(f);
      expect(s, `${e.id}: ${f} exists`).toBeDefined();
      expect(s!.meta?.finding, `${f}: meta.finding`).toBe(e.id);
      expect(s!.meta?.verdict, `${f}: meta.verdict`).toBe(v);
      expect(s!.meta?.shows?.length, `${f}: meta.shows`).toBeGreaterThan(0);
    }
  });

  // issue 10: every finding says on which real kernels it was checked, in one
  // format (FINDINGS.md "Kernels" = each scenario's meta.kernels): "<kernel>: <outcome>
  // (<note>)", and where the entry's scenarios differ on a kernel (a finding whose Range
  // covers one of them there, not another), every outcome of them in that kernel's part
  it.each(entries.map((e) => [e.id, e] as const))('%s records its outcome on each real kernel', (_id, e) => {
    const field = e.fields.get('Kernels') ?? '';
    const files = scenariosOf(e);
    const at = KERNEL_LABELS.map(([, label]) => field.indexOf(`${label}: `));
    for (const [n, [key, label]] of KERNEL_LABELS.entries()) {
      const m = new RegExp(`${label.replace(/[.+]/g, '\\$&')}: (reproduced|does not hold|not applicable|not run) \\(`).exec(field);
      expect(m, `${e.id}: Kernels names "${label}: <outcome> (<note>)"`).not.toBeNull();
      const next = at.filter((p) => p > at[n]!).sort((a, b) => a - b)[0] ?? field.length;
      const part = field.slice(at[n]!, next);
      const said = new Set([...part.matchAll(/(reproduced|does not hold|not applicable|not run) \(/g)].map((x) => x[1]!.replace(/ /g, '-')));
      for (const f of files) {
        const k = byFile.get(f)?.meta?.kernels?.[key];
        expect(k, `${f}: meta.kernels["${key}"]`).toBeDefined();
        expect(said.has(k!.outcome), `${f}: meta.kernels["${key}"] (${k!.outcome}) vs FINDINGS.md "${part.trim()}"`).toBe(true);
        expect((k!.note ?? '').length, `${f}: meta.kernels["${key}"].note`).toBeGreaterThan(10);
      }
    }
  });

  it('the headline table lists exactly the headline entries', () => {
    const head = FINDINGS.slice(0, FINDINGS.indexOf('\n## '));
    const rows = [...head.matchAll(/^\| ([A-Z]?\d+) \|/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual(entries.filter((e) => e.section === 'Headline findings').map((e) => e.id).sort());
  });

  it('every scenario under corpus/findings/ is the evidence of some entry', () => {
    const cited = new Set(entries.flatMap(scenariosOf));
    for (const f of byFile.keys()) expect(cited.has(f), `${f} is cited by FINDINGS.md`).toBe(true);
  });
});

describe('each finding scenario still shows what its entry claims', () => {
  it.each([...byFile.entries()])('%s', (_f, s: Scenario) => {
    const profile = findProfile(s.profile ?? 'linux-6.18')!;
    // the behaviour replays: every recorded result, on its profile
    const r = runScenario(s, { profile });
    expect(r.results.map((x) => x.ret)).toEqual(s.steps.map((st) => st.expect));
    for (const sh of s.meta?.shows ?? []) {
      const p = findProfile(sh.profile ?? s.profile ?? 'linux-6.18')!;
      expect(p, sh.profile).toBeDefined();
      if ('step' in sh) {
        const res = runScenario(s, { profile: p }).results[sh.step]!;
        expect(res.ret, `step ${sh.step + 1} on ${p.name}`).toBe(sh.ret);
        if (sh.text !== undefined) expect(res.text, `step ${sh.step + 1} text`).toBe(sh.text);
        continue;
      }
      if ('event' in sh) {
        const run = runScenario(s, { profile: p });
        expect(run.state.k.security.lsmTrace.filter((e) => e.hook === sh.event).length, `${sh.event} on ${p.name}`).toBe(sh.count);
        continue;
      }
      const prop = findProperty(sh.property);
      expect(prop, sh.property).toBeDefined();
      const v = prop!.check(s, p);
      if (sh.violated_at === undefined) expect(v, `${sh.property} holds on ${p.name}`).toBeNull();
      else expect(v?.step, `${sh.property} violated on ${p.name} at step ${sh.violated_at}: ${v?.message ?? 'holds'}`).toBe(sh.violated_at);
    }
  });
});

// ---------------------------------------------------------------- citations

/** the clause prefix of each spec file (unique per file) */
const PREFIX_FILE: Record<string, string> = { T: 'token-core.md', SE: 'selinux.md', S: 'selinux-token.md', I: 'integrity-rfc.md', B: 'bpf-lsm.md' };
const SPEC = join(ROOT, 'spec');

function clauses(file: string): Set<string> {
  const ids = new Set<string>();
  for (const m of readFileSync(join(SPEC, file), 'utf8').matchAll(/^#{2,4} §([A-Z]+\d+(?:\.\d+)*)\b/gm)) ids.add(m[1]!);
  return ids;
}
const CLAUSES = new Map(Object.values(PREFIX_FILE).map((f) => [f, clauses(f)] as const));

function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...textFiles(p));
    else if (/\.(ts|md|json|c|mjs)$/.test(n) && n !== 'package-lock.json') out.push(p);
  }
  return out;
}

describe('spec citations resolve inside the repository', () => {
  it('the spec files have their clauses', () => {
    for (const f of Object.values(PREFIX_FILE)) expect(existsSync(join(SPEC, f)), f).toBe(true);
    for (const [f, ids] of CLAUSES) expect(ids.size, f).toBeGreaterThan(3);
  });

  it('every §X cited in code, corpus, FINDINGS, README and spec names an existing clause of the right file', () => {
    const bad: string[] = [];
    let n = 0;
    for (const file of textFiles(ROOT)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:([a-z][a-z0-9-]*\.md)\s+)?§([A-Z]+?)(\d+(?:\.\d+)*)/g)) {
        const named = m[1];
        const prefix = m[2]!;
        const id = `${prefix}${m[3]!}`;
        const target = PREFIX_FILE[prefix];
        n++;
        if (!target) bad.push(`${relative(ROOT, file)}: §${id} has no spec file`);
        else if (named && named !== target && Object.values(PREFIX_FILE).includes(named)) bad.push(`${relative(ROOT, file)}: ${named} §${id} (§${prefix} clauses are in ${target})`);
        else if (!CLAUSES.get(target)!.has(id)) bad.push(`${relative(ROOT, file)}: spec/${target} has no §${id}`);
      }
    }
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(50);
  });

  it('nothing cites research notes outside the repository', () => {
    const bad = textFiles(ROOT).filter((f) => !f.endsWith('findings.test.ts') && /shared\/spec|integrity-lsm\.md|kernel-semantics\.md|selinux-token-history\.md/.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(ROOT, f))).toEqual(['spec/README.md']);
  });
});
