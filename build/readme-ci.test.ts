// The README's CI example is a workflow a runner accepts (issue 14): it
// parses as YAML, and has the keys a GitHub Actions runner needs and the
// steps the README promises, with bpftc flags that exist.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { main } from '../cli/main.ts';

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string; name?: string };
type Job = { 'runs-on'?: string; needs?: string | string[]; if?: string; strategy?: { matrix?: { shard?: number[] } }; steps?: Step[] };

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

function ciBlock(): string {
  const at = readme.indexOf('A CI workflow (GitHub Actions)');
  expect(at, 'the README has its CI example').toBeGreaterThan(0);
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m).not.toBeNull();
  return m![1]!;
}

const helpText = async (): Promise<string> => {
  const out: string[] = [];
  await main(['help'], (l) => out.push(l));
  return out.join('\n');
};

const flagsOf = (cmd: string): string[] => [...cmd.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((m) => m[1]!);

describe("the README's CI example", () => {
  const doc = parseDocument(ciBlock(), { strict: true, uniqueKeys: true });

  it('parses as YAML without errors or warnings', () => {
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(doc.warnings.map((e) => e.message)).toEqual([]);
  });

  const wf = doc.toJS() as { on?: unknown; jobs?: Record<string, Job> };
  const jobs = wf.jobs ?? {};
  const steps = (j: string): Step[] => jobs[j]?.steps ?? [];
  const runs = (j: string): string[] => steps(j).flatMap((s) => (s.run ? [s.run.replace(/\s+/g, ' ').trim()] : []));
  const uses = (j: string, action: string): Step[] => steps(j).filter((s) => s.uses?.startsWith(`${action}@`));

  it('has a trigger, and every job a runner, a checkout, Node 20 and an install', () => {
    expect(wf.on).toBeDefined();
    expect(Object.keys(jobs).sort()).toEqual(['fuzz', 'merge']);
    for (const j of ['fuzz', 'merge']) {
      expect(jobs[j]!['runs-on'], `${j}: runs-on`).toMatch(/\S/);
      expect(uses(j, 'actions/checkout'), `${j}: checkout`).toHaveLength(1);
      const node = uses(j, 'actions/setup-node');
      expect(node, `${j}: setup-node`).toHaveLength(1);
      expect(String(node[0]!.with?.['node-version'])).toBe('20');
      expect(runs(j).some((r) => /^npm (ci|install)\b/.test(r)), `${j}: npm ci`).toBe(true);
      // checkout, then Node, then the install, then everything else
      const idx = (p: (s: Step) => boolean): number => steps(j).findIndex(p);
      expect(idx((s) => !!s.uses?.startsWith('actions/checkout@'))).toBeLessThan(idx((s) => !!s.uses?.startsWith('actions/setup-node@')));
      expect(idx((s) => !!s.uses?.startsWith('actions/setup-node@'))).toBeLessThan(idx((s) => /^npm (ci|install)\b/.test(s.run ?? '')));
    }
  });

  it('fuzzes one shard per matrix entry and uploads what it found', async () => {
    const shards = jobs.fuzz!.strategy?.matrix?.shard ?? [];
    expect(shards.length).toBeGreaterThan(1);
    const fuzz = runs('fuzz').find((r) => r.startsWith('npx bpftc fuzz '));
    expect(fuzz).toBeDefined();
    expect(fuzz).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    const save = / --save (\S+)/.exec(fuzz!)?.[1];
    expect(save).toBeDefined();
    const help = await helpText();
    for (const f of flagsOf(fuzz!)) expect(help, `bpftc fuzz ${f}`).toContain(f);
    const up = uses('fuzz', 'actions/upload-artifact');
    expect(up).toHaveLength(1);
    expect(up[0]!.if).toBe('always()');
    expect(String(up[0]!.with?.path).split('\n')).toContain(save);
    expect(String(up[0]!.with?.name)).toContain('${{ matrix.shard }}');
  });

  it('merges the shards and uploads the merged corpus', async () => {
    expect(jobs.merge!.needs).toBe('fuzz');
    expect(jobs.merge!.if).toBe('always()');
    expect(uses('merge', 'actions/download-artifact')).toHaveLength(1);
    const merge = runs('merge').find((r) => r.includes('npx bpftc corpus merge '));
    expect(merge).toBeDefined();
    const into = / --into (\S+)/.exec(merge!)?.[1];
    expect(into).toBeDefined();
    const help = await helpText();
    for (const f of flagsOf(merge!)) expect(help, `bpftc corpus merge ${f}`).toContain(f);
    const up = uses('merge', 'actions/upload-artifact');
    expect(up).toHaveLength(1);
    expect(String(up[0]!.with?.path)).toBe(into);
  });
});
