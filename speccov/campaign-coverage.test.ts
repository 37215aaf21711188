// Coverage of the run actually made (issue 14): fuzz --coverage FILE records
// the campaign's own scenarios, independent of the worker count; coverage FILE
// --html renders a saved file with the misses first, by-design points apart,
// witnesses, the full SELinux decision table, and every scenario text escaped.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { findProfile } from '../model/profile.ts';
import { collectCoverage } from './collect.ts';
import { type CoverageFile, CoverageRecorder, coverageFile, mergeSections } from './record.ts';
import { avcRows, formatHtml, rows } from './report.ts';
import { SELINUX_DECISIONS } from './design.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bpftc-speccov-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const read = (f: string): CoverageFile => JSON.parse(readFileSync(f, 'utf8')) as CoverageFile;

describe('fuzz --coverage FILE', () => {
  it('records the campaign scenarios; one and two workers write the same sections', async () => {
    const base = ['fuzz', '--property', 'token-within-delegation', '--runs', '400', '--batch', '100', '--seed', '3'];
    const [a, b] = [join(tmp, 'w1.json'), join(tmp, 'w2.json')];
    expect((await cli(...base, '--workers', '1', '--coverage', a)).code).toBe(0);
    expect((await cli(...base, '--workers', '2', '--coverage', b)).code).toBe(0);
    const [fa, fb] = [read(a), read(b)];
    expect(fa.sections).toHaveLength(1);
    expect(fa.sections[0]!.source).toBe('fuzz');
    expect(fa.sections[0]!.scenarios).toBe(400);
    expect(JSON.stringify(fb.sections) === JSON.stringify(fa.sections), 'one and two workers recorded different coverage').toBe(true);
    // the campaign's own cases, not a sample of its own: another seed gives other counts
    const c = join(tmp, 'w3.json');
    expect((await cli(...base.slice(0, -1), '4', '--workers', '1', '--coverage', c)).code).toBe(0);
    expect(JSON.stringify(read(c).sections[0]!.points) !== JSON.stringify(fa.sections[0]!.points)).toBe(true);
    // rendered from the file
    const html = join(tmp, 'w1.html');
    const r = await cli('coverage', a, '--html', html);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^spec coverage of linux-6\.18: 400 scenarios of the fuzz campaign \(seed 3\)/);
    expect(readFileSync(html, 'utf8')).toContain('bpftc fuzz --property token-within-delegation');
  });

  it('witnesses replay to the recorded outcome at the recorded step', () => {
    const profile = findProfile('linux-6.18')!;
    const s = collectCoverage(profile, { runs: 200, seed: 5 });
    const w = s.witnesses['bpf_token_create/root']!;
    expect(w.outcome).toBe('fail'); // the failing outcome is preferred
    const again = new CoverageRecorder(profile, 'coverage', 5);
    again.add(w.scenario, [0, 0, 0]);
    expect(again.section.points['bpf_token_create/root']!.fail).toBeGreaterThan(0);
    expect(again.section.witnesses['bpf_token_create/root']!.step).toBe(w.step);
    // merging is order-independent
    const t = { ...collectCoverage(profile, { runs: 100, seed: 6 }), seed: 5 }; // as a second shard of the same campaign
    const [st, ts] = [mergeSections(s, t), mergeSections(t, s)].map((x) => JSON.stringify(coverageFile('', [x])));
    expect(st === ts, 'merge(s, t) and merge(t, s) differ').toBe(true);
  });
});

describe('oracle and diff --coverage FILE', () => {
  it('diff: one section per profile over the same compared scenarios', async () => {
    const f = join(tmp, 'diff.json');
    expect((await cli('diff', '--from', 'token-v10', '--to', 'linux-6.18', '--runs', '60', '--coverage', f)).code).toBe(0);
    const d = read(f);
    expect(d.sections.map((x) => [x.profile, x.source, x.scenarios])).toEqual([
      ['token-v10', 'diff', 60],
      ['linux-6.18', 'diff', 60],
    ]);
    // the two profiles decide differently: linux-6.18 has the same-userns check, token-v10 does not
    expect(d.sections[0]!.points['bpf_token_create/same_userns']).toBeUndefined();
    expect(d.sections[1]!.points['bpf_token_create/same_userns']!.pass).toBeGreaterThan(0);
  });

  it('oracle: the scenarios compared on the kernel (or no file where the oracle is skipped)', async () => {
    const f = join(tmp, 'oracle.json');
    const r = await cli('oracle', '--runs', '5', '--seed', '2', '--coverage', f);
    if (r.out.startsWith('skipped:')) {
      expect(existsSync(f)).toBe(false);
      return;
    }
    const o = read(f);
    const compared = Number(/^(\d+) scenarios \((\d+) from the corpus\)/m.exec(r.out)![1]);
    expect(o.sections[0]).toMatchObject({ profile: 'linux-6.18', source: 'oracle', seed: 2, scenarios: compared });
    expect(o.command).toBe('oracle --runs 5 --seed 2 --coverage ' + f);
  });
});

describe('coverage FILE --html', () => {
  it('lists misses first, by-design points with their reason, and every SELinux decision the model can make', () => {
    const s = collectCoverage(findProfile('selinux-token-v7')!, { runs: 150, seed: 1, lsm: true });
    const html = formatHtml(s);
    const table = rows(s);
    const design = table.filter((r) => r.byDesign);
    expect(design.map((r) => r.id)).toContain('bpf_token_create/bpffs');
    expect(html).toContain(design.find((r) => r.id === 'bpf_token_create/bpffs')!.byDesign!.replace(/'/g, '&#39;'));
    // a by-design point is not among the real misses
    const missList = html.slice(html.indexOf('real misses'), html.indexOf('Cannot happen by design'));
    expect(missList).not.toContain('bpf_token_create/bpffs');
    // every (hook, class, permission) of the model, decided or not, plus nothing unlisted
    const avc = avcRows(s);
    expect(avc.filter((a) => !a.unlisted)).toHaveLength(SELINUX_DECISIONS.length);
    expect(avc.filter((a) => a.unlisted)).toEqual([]);
    expect(avc.some((a) => a.never)).toBe(true);
    expect(avc.some((a) => !a.never && a.denied > 0)).toBe(true);
    expect(html.match(/<tr><td><code>[a-z_]+<\/code><\/td><td>[a-z_0-9]+<\/td><td>[a-z_]+<\/td>/g)!.length).toBe(avc.length);
    expect(html).toContain('witness: fails at step');
  });

  it('escapes every scenario text; a malformed file is one line and exit 2', async () => {
    const profile = findProfile('linux-6.18')!;
    const rec = new CoverageRecorder(profile, 'fuzz', 1);
    const evil = '<script>alert(1)</script>"\'&';
    rec.add(
      {
        format: 'bpftc/1',
        name: evil,
        actors: [{ name: `a${evil}`, userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
        steps: [{ actor: `a${evil}`, op: 'fsopen', as: `h${evil}`, label: evil }],
      },
      [0, 0, 0],
    );
    const f = join(tmp, 'evil.json');
    writeFileSync(f, JSON.stringify(coverageFile(`fuzz ${evil}`, [rec.section])));
    const out = join(tmp, 'evil.html');
    expect((await cli('coverage', f, '--html', out)).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const [text, what] of [
      ['{', 'not JSON'],
      ['{"format":"bpftc-coverage/1","command":"","sections":[{"profile":"__proto__"}]}', 'unknown profile'],
      [JSON.stringify({ ...coverageFile('', [rec.section]), sections: [{ ...rec.section, witnesses: { x: { outcome: 'fail', step: 0, order: [0, 0, 0], scenario: { steps: [{ op: 'constructor' }] } } } }] }), 'witnesses'],
    ] as const) {
      writeFileSync(f, text);
      const r = await cli('coverage', f, '--html', out);
      expect(r.code, text).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toContain(what);
    }
    expect((await cli('coverage', f, '--runs', '5')).code).toBe(2);
  });
});
