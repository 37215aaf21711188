// Coverage reports: text for terminals and test logs, HTML to look at.

import { DECISION_POINTS, type DecisionPoint } from '../model/coverage.ts';
import type { CoverageRun } from './collect.ts';

export interface PointRow extends DecisionPoint {
  pass: number;
  fail: number;
  /** outcomes never seen: 'pass', 'fail' (for checks that can fail), or 'both' */
  missing: 'none' | 'pass' | 'fail' | 'both';
}

export function rows(run: CoverageRun): PointRow[] {
  return DECISION_POINTS.map((d) => {
    const h = run.points.hits.get(d.id) ?? { pass: 0, fail: 0 };
    // a branch point ('-') only needs to be reached; a check needs both outcomes
    const reached = h.pass + h.fail > 0;
    const missing = !reached ? 'both' : d.fails === '-' ? 'none' : h.pass === 0 ? 'pass' : h.fail === 0 ? 'fail' : 'none';
    return { ...d, ...h, missing };
  });
}

/** decision points recorded but absent from the registry (a model check without an entry) */
export function unregistered(run: CoverageRun): string[] {
  const known = new Set(DECISION_POINTS.map((d) => d.id));
  return [...run.points.hits.keys()].filter((id) => !known.has(id)).sort();
}

export function formatText(run: CoverageRun): string {
  const r = rows(run);
  const full = r.filter((x) => x.missing === 'none').length;
  const out = [
    `spec coverage of ${run.profile}: ${run.scenarios} generated scenarios (seed ${run.seed})`,
    `${r.length} decision points: ${full} seen passing and failing, ${r.filter((x) => x.missing === 'both').length} never reached`,
  ];
  let layer = '';
  for (const x of r) {
    if (x.layer !== layer) out.push('', `[${(layer = x.layer)}]`);
    const flag = x.missing === 'none' ? '  ' : x.missing === 'both' ? '!!' : ' !';
    const miss = x.missing === 'none' ? '' : x.missing === 'both' ? '  never reached' : `  never ${x.missing === 'fail' ? `fails (${x.fails})` : 'passes'}`;
    out.push(`${flag} ${x.id.padEnd(40)} pass ${String(x.pass).padStart(7)}  fail ${String(x.fail).padStart(7)}${miss}`);
  }
  const extra = unregistered(run);
  if (extra.length) out.push('', `recorded but not in the registry: ${extra.join(', ')}`);
  if (run.avc.hits.size) {
    out.push('', '[selinux access decisions]');
    for (const [k, h] of [...run.avc.hits].sort(([a], [b]) => (a < b ? -1 : 1)))
      out.push(`   ${k.padEnd(52)} granted ${String(h.pass).padStart(6)}  denied ${String(h.fail).padStart(6)}`);
  }
  return out.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function formatHtml(run: CoverageRun): string {
  const r = rows(run);
  const layers = [...new Set(r.map((x) => x.layer))];
  const cell = (n: number, expectable: boolean): string =>
    `<td class="${n > 0 ? 'hit' : expectable ? 'miss' : 'na'}">${n}</td>`;
  const sections = layers.map((l) => {
    const body = r
      .filter((x) => x.layer === l)
      .map(
        (x) =>
          // a branch point ('-') only needs to be reached: neither of its cells is a miss
          `<tr><td><code>${esc(x.id)}</code></td><td>${esc(x.fn)}</td><td>${esc(x.what)}</td>${cell(x.pass, x.fails !== '-' || x.pass + x.fail === 0)}${cell(x.fail, x.fails !== '-')}<td>${esc(x.fails)}</td></tr>`,
      )
      .join('\n');
    const done = r.filter((x) => x.layer === l && x.missing === 'none').length;
    const all = r.filter((x) => x.layer === l).length;
    return `<h2>${esc(l)} <small>${done}/${all} points with both outcomes</small></h2>
<table><tr><th>decision point</th><th>kernel function</th><th>check</th><th>pass</th><th>fail</th><th>fails with</th></tr>
${body}</table>`;
  });
  const avc = [...run.avc.hits]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, h]) => `<tr><td><code>${esc(k)}</code></td>${cell(h.pass, true)}${cell(h.fail, true)}</tr>`)
    .join('\n');
  const full = r.filter((x) => x.missing === 'none').length;
  return `<!doctype html><meta charset="utf-8"><title>bpftc spec coverage: ${esc(run.profile)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td.hit{background:#d9f2d9;text-align:right}td.miss{background:#f8c9c4;text-align:right;font-weight:bold}
td.na{background:#eee;color:#999;text-align:right}small{color:#666;font-weight:normal}.bar{height:14px;background:#f8c9c4}.bar>div{height:14px;background:#5cb85c}</style>
<h1>Spec coverage of <code>${esc(run.profile)}</code></h1>
<p>${run.scenarios} generated scenarios, seed ${run.seed}. Each row is one check of the model, citing the kernel function it mirrors.
Red: an outcome the campaign never produced. Grey: a check that selects a branch and cannot fail.</p>
<div class="bar"><div style="width:${((100 * full) / r.length).toFixed(1)}%"></div></div>
<p>${full} of ${r.length} decision points seen both passing and failing.</p>
${sections.join('\n')}
${avc ? `<h2>SELinux access decisions <small>from the AVC records</small></h2><table><tr><th>hook class:perm</th><th>granted</th><th>denied</th></tr>\n${avc}</table>` : ''}
`;
}
