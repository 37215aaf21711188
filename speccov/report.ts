// Coverage reports: text for terminals and test logs, a self-contained HTML
// page to look at. Both render a CoverageSection (speccov/record.ts): the
// scenarios of `bpftc coverage`'s own campaign, or of a fuzz / oracle / diff
// campaign saved with --coverage FILE. Every scenario text on the page comes
// from a scenario (a stranger's, possibly) and is escaped.

import { DECISION_POINTS, type DecisionPoint } from '../model/coverage.ts';
import { type Profile, findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { formatTrace } from '../scenario/format.ts';
import type { CoverageSection, Witness } from './record.ts';
import { SELINUX_DECISIONS, avcByDesign, decisionKey, pointByDesign } from './design.ts';

export interface PointRow extends DecisionPoint {
  pass: number;
  fail: number;
  /** outcomes never seen: 'pass', 'fail' (for checks that can fail), or 'both' */
  missing: 'none' | 'pass' | 'fail' | 'both';
  /** why the missing outcome cannot happen on this profile (speccov/design.ts); absent: a real miss */
  byDesign?: string;
}

function profileOfSection(s: CoverageSection): Profile | undefined {
  return findProfile(s.profile);
}

export function rows(run: CoverageSection): PointRow[] {
  const profile = profileOfSection(run);
  return DECISION_POINTS.map((d) => {
    const h = run.points[d.id] ?? { pass: 0, fail: 0 };
    // a branch point ('-') only needs to be reached; a check needs both outcomes
    const reached = h.pass + h.fail > 0;
    const missing = !reached ? 'both' : d.fails === '-' ? 'none' : h.pass === 0 ? 'pass' : h.fail === 0 ? 'fail' : 'none';
    const why = missing !== 'none' && profile ? pointByDesign(d.id, missing, profile) : undefined;
    return { ...d, ...h, missing, ...(why ? { byDesign: why } : {}) };
  });
}

/** decision points recorded but absent from the registry (a model check without an entry) */
export function unregistered(run: CoverageSection): string[] {
  const known = new Set<string>(DECISION_POINTS.map((d) => d.id));
  return Object.keys(run.points).filter((id) => !known.has(id)).sort();
}

export interface AvcRow {
  key: string;
  hook: string;
  tclass: string;
  perm: string;
  where: string;
  granted: number;
  denied: number;
  /** never decided at all */
  never: boolean;
  byDesign?: string;
  /** recorded, but not in SELINUX_DECISIONS (the list is incomplete: a bug of the list) */
  unlisted?: boolean;
}

/** every (hook, class, permission) the model can decide, decided or not, then anything else recorded */
export function avcRows(run: CoverageSection): AvcRow[] {
  const profile = profileOfSection(run);
  const listed = new Set<string>();
  const out: AvcRow[] = SELINUX_DECISIONS.map((d) => {
    const key = decisionKey(d);
    listed.add(key);
    const h = run.avc[key] ?? { pass: 0, fail: 0 };
    const never = h.pass + h.fail === 0;
    const why = never && profile ? avcByDesign(d, profile) : undefined;
    return { key, hook: d.hook, tclass: d.tclass, perm: d.perm, where: d.where, granted: h.pass, denied: h.fail, never, ...(why ? { byDesign: why } : {}) };
  });
  for (const [key, h] of Object.entries(run.avc).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (listed.has(key)) continue;
    const [hook = '', cp = ''] = key.split(' ');
    const [tclass = '', perm = ''] = cp.split(':');
    out.push({ key, hook, tclass, perm, where: '(not in speccov/design.ts SELINUX_DECISIONS)', granted: h.pass, denied: h.fail, never: false, unlisted: true });
  }
  return out;
}

const missText = (x: PointRow): string =>
  x.missing === 'none' ? '' : x.missing === 'both' ? 'never reached' : `never ${x.missing === 'fail' ? `fails (${x.fails})` : 'passes'}`;

export function formatText(run: CoverageSection): string {
  const r = rows(run);
  const full = r.filter((x) => x.missing === 'none').length;
  const real = r.filter((x) => x.missing !== 'none' && !x.byDesign);
  const out = [
    `spec coverage of ${run.profile}: ${run.scenarios} ${run.source === 'coverage' ? 'generated ' : ''}scenarios${run.source === 'coverage' ? '' : ` of the ${run.source} campaign`} (seed ${run.seed})`,
    `${r.length} decision points: ${full} seen passing and failing, ${r.filter((x) => x.missing === 'both').length} never reached; ${real.length} real misses, ${r.filter((x) => x.byDesign).length} by design`,
  ];
  let layer = '';
  for (const x of r) {
    if (x.layer !== layer) out.push('', `[${(layer = x.layer)}]`);
    const flag = x.missing === 'none' ? '  ' : x.missing === 'both' ? '!!' : ' !';
    const miss = x.missing === 'none' ? '' : `  ${missText(x)}${x.byDesign ? ' [by design]' : ''}`;
    out.push(`${flag} ${x.id.padEnd(40)} pass ${String(x.pass).padStart(7)}  fail ${String(x.fail).padStart(7)}${miss}`);
  }
  const extra = unregistered(run);
  if (extra.length) out.push('', `recorded but not in the registry: ${extra.join(', ')}`);
  if (Object.keys(run.avc).length) {
    out.push('', '[selinux access decisions]');
    for (const a of avcRows(run)) {
      if (a.never && a.byDesign) continue;
      out.push(`${a.never ? '!!' : '  '} ${a.key.padEnd(50)} granted ${String(a.granted).padStart(6)}  denied ${String(a.denied).padStart(6)}${a.never ? '  never decided' : ''}${a.unlisted ? '  (not in the list)' : ''}`);
    }
  }
  return out.join('\n');
}

/** HTML text and attribute escaping */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const anchor = (id: string): string => `p-${id.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;

function witnessHtml(w: Witness | undefined, profile: Profile | undefined): string {
  if (!w) return '';
  let trace: string;
  try {
    trace = profile ? formatTrace(w.scenario, runScenario(w.scenario, { profile }).results, w.step) : JSON.stringify(w.scenario.steps, null, 1);
  } catch (e) {
    trace = `(the witness does not replay: ${e instanceof Error ? e.message : String(e)})`;
  }
  return `<details><summary>witness: ${w.outcome === 'fail' ? 'fails' : 'passes'} at step ${w.step + 1} of ${w.scenario.steps.length}</summary><pre>${esc(trace)}</pre><details><summary>scenario JSON</summary><pre>${esc(JSON.stringify(w.scenario, null, 1))}</pre></details></details>`;
}

/** one page for the sections of a coverage file (diff --coverage: one per profile) */
export function formatHtml(sections: CoverageSection | CoverageSection[], command = ''): string {
  const all = Array.isArray(sections) ? sections : [sections];
  const title = all.map((s) => s.profile).join(', ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bpftc spec coverage: ${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:90em}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}td.hit{background:#d9f2d9;text-align:right}td.miss{background:#f8c9c4;font-weight:bold}
td.na{background:#eee;color:#666}td.ok{color:#2a7a2a}small{color:#666;font-weight:normal}pre{white-space:pre-wrap;font-size:12px;max-width:60em}
.bar{height:14px;background:#f8c9c4}.bar>div{height:14px;background:#5cb85c}</style></head><body>
${all.map((s, i) => sectionHtml(s, command, i)).join('\n<hr>\n')}
</body></html>
`;
}

function sectionHtml(run: CoverageSection, command: string, n: number): string {
  const profile = profileOfSection(run);
  const r = rows(run);
  const layers = [...new Set(r.map((x) => x.layer))];
  const full = r.filter((x) => x.missing === 'none').length;
  const real = r.filter((x) => x.missing !== 'none' && !x.byDesign);
  const design = r.filter((x) => x.byDesign);
  const cell = (n: number, cls: string): string => `<td class="${n > 0 ? 'hit' : cls}">${n}</td>`;
  const status = (x: PointRow): string =>
    x.missing === 'none' ? '<td class="ok">both outcomes</td>' : x.byDesign ? `<td class="na">${esc(missText(x))}: by design: ${esc(x.byDesign)}</td>` : `<td class="miss">${esc(missText(x))}</td>`;
  const listItem = (x: PointRow): string =>
    `<li><a href="#s${n}-${anchor(x.id)}"><code>${esc(x.id)}</code></a> (${esc(x.fn)}): ${esc(x.what)}: <b>${esc(missText(x))}</b>${x.byDesign ? `: ${esc(x.byDesign)}` : ''}</li>`;
  const sections = layers.map((l) => {
    const body = r
      .filter((x) => x.layer === l)
      .map((x) => {
        const missCls = (outcome: 'pass' | 'fail'): string =>
          x.fails === '-' && outcome === 'fail' ? 'na' : x.missing === 'both' || x.missing === outcome ? (x.byDesign ? 'na' : 'miss') : 'na';
        return `<tr id="s${n}-${anchor(x.id)}"><td><code>${esc(x.id)}</code></td><td>${esc(x.fn)}</td><td>${esc(x.what)}</td>${cell(x.pass, missCls('pass'))}${cell(x.fail, missCls('fail'))}<td>${esc(x.fails)}</td>${status(x)}<td>${witnessHtml(run.witnesses[x.id], profile)}</td></tr>`;
      })
      .join('\n');
    const done = r.filter((x) => x.layer === l && x.missing === 'none').length;
    const all = r.filter((x) => x.layer === l).length;
    return `<h2>${esc(l)} <small>${done}/${all} points with both outcomes</small></h2>
<table><tr><th>decision point</th><th>kernel function</th><th>check</th><th>pass</th><th>fail</th><th>fails with</th><th>status</th><th>witness</th></tr>
${body}</table>`;
  });
  const avc = Object.keys(run.avc).length || (profile?.lsm?.order.includes('selinux') ?? false) ? avcRows(run) : [];
  const avcTable = avc.length
    ? `<h2>SELinux access decisions <small>every (hook, class, permission) the model can decide; ${avc.filter((a) => !a.never).length} of ${avc.length} decided</small></h2>
<table><tr><th>hook</th><th>class</th><th>permission</th><th>asked in</th><th>granted</th><th>denied</th><th>status</th><th>witness</th></tr>
${avc
  .map(
    (a) =>
      `<tr><td><code>${esc(a.hook)}</code></td><td>${esc(a.tclass)}</td><td>${esc(a.perm)}</td><td>${esc(a.where)}</td>${cell(a.granted, 'na')}${cell(a.denied, 'na')}${
        a.never ? (a.byDesign ? `<td class="na">never decided: by design: ${esc(a.byDesign)}</td>` : '<td class="miss">never decided</td>') : a.unlisted ? '<td class="miss">decided, but missing from the list</td>' : '<td class="ok">decided</td>'
      }<td>${witnessHtml(run.avcWitnesses[a.key], profile)}</td></tr>`,
  )
  .join('\n')}</table>`
    : '';
  const extra = unregistered(run);
  return `<h1>Spec coverage of <code>${esc(run.profile)}</code></h1>
<p>${run.scenarios} scenarios of the ${esc(run.source)} campaign, seed ${run.seed}${command ? `: <code>bpftc ${esc(command)}</code>` : ''}. Each row is one check of the model, citing the kernel function it mirrors;
a reached point links one witness: the shortest scenario prefix that decided it (its failing outcome preferred).</p>
<div class="bar"><div style="width:${((100 * full) / r.length).toFixed(1)}%"></div></div>
<p>${full} of ${r.length} decision points seen both passing and failing.</p>
<h2 id="s${n}-misses">Never reached or one-sided: real misses <small>${real.length}</small></h2>
${real.length ? `<ul>${real.map(listItem).join('\n')}</ul>` : '<p>none</p>'}
<h2 id="s${n}-by-design">Cannot happen by design <small>${design.length}</small></h2>
${design.length ? `<ul>${design.map(listItem).join('\n')}</ul>` : '<p>none</p>'}
${extra.length ? `<p class="miss">Recorded but not in the registry (model/coverage.ts): ${esc(extra.join(', '))}</p>` : ''}
${sections.join('\n')}
${avcTable}`;
}
