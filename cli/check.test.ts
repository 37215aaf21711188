// bpftc check: a trace against the claims. Per property holds / VIOLATED
// (with the step) / QUESTION (the suite's own rule) / n/a; a property asked
// for by name that does not apply is n/a with exit 1, never a pass.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const F = 'corpus/findings';

// every temporary directory of these tests, removed at the end
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
function scratch(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

describe('bpftc check', () => {
  it('reports a violated claim with its step (exit 1)', async () => {
    const r = await cli('check', `${F}/v7-prog-load-creator-check-dead-code.json`, '--property', 'selinux-token-checks-at-use');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}VIOLATED selinux-token-checks-at-use {2}step 12: prog_load through a token/m);
  });

  it("reports a counterexample to the suite's own rule as a QUESTION", async () => {
    const r = await cli('check', `${F}/v7-passed-token-skips-as-check.json`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}QUESTION selinux-token-headline {2}step \d+:/m);
    expect(r.out).toMatch(/^ {2}holds {4}selinux-token-as-at-create$/m);
    expect(r.out).toMatch(/\d+ hold, 0 violated, 1 questions, \d+ not applicable$/);
  });

  it('every claim holds on the canonical delegation (n/a for absent layers, exit 0)', async () => {
    const r = await cli('check', 'corpus/examples/canonical-delegation.json');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}holds {4}token-within-delegation$/m);
    expect(r.out).toMatch(/^ {2}n\/a {6}selinux-token-headline {2}\(linux-6\.18 has no selinux-token-patch layer\)$/m);
  });

  it('a property asked for by name where it does not apply is n/a with exit 1, never a pass', async () => {
    const r = await cli('check', 'corpus/examples/canonical-delegation.json', '--property', 'selinux-token-headline');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/n\/a {6}selinux-token-headline/);
    expect(r.out).not.toMatch(/holds {4}selinux-token-headline/);
    expect(r.out).toMatch(/asked for by name: not a pass/);
  });

  it('--profile overrides the trace profile; --json gives the outcomes', async () => {
    const r = await cli('check', 'corpus/examples/canonical-delegation.json', '--profile', 'linux-6.18-selinux', '--property', 'selinux-denial-audited', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Array<{ profile: string; outcomes: Array<{ property: string; outcome: string; source: string }> }>;
    expect(j[0]!.profile).toBe('linux-6.18-selinux');
    expect(j[0]!.outcomes).toEqual([{ property: 'selinux-denial-audited', outcome: 'holds', source: 'semantic' }]);
  });

  it('bad input is one line and exit 2', async () => {
    const dir = scratch('bpftc-check-');
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{"format": "bpftc/1", "actors": 3}');
    try {
      for (const argv of [['check'], ['check', f], ['check', 'nope.json'], ['check', f, '--property', 'nope'], ['check', 'corpus/examples/canonical-delegation.json', '--profile', 'nope']]) {
        const r = await cli(...argv);
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.err.split('\n')).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fuzz reports a counterexample to an "ours" property as a question', () => {
  it('text, JSON and JUnit say question', async () => {
    const dir = scratch('bpftc-q-');
    const junit = join(dir, 'j.xml');
    const args = ['fuzz', '--profile', 'selinux-token-v7', '--property', 'selinux-token-headline', '--runs', '300', '--seed', '2', '--workers', '1'];
    const t = await cli(...args, '--junit', junit);
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/^QUESTION {2}selinux-token-headline/m);
    expect(t.out).toMatch(/0 passed, 0 failed, 1 questions/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure message="question: [^"]*" type="question">/);
    const j = JSON.parse((await cli(...args, '--json')).out) as { results: Array<{ verdict?: string }> };
    expect(j.results[0]!.verdict).toBe('question');
    rmSync(dir, { recursive: true, force: true });
  });
});
