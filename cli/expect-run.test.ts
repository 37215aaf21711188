// bpftc run / run --kernel report a step whose expectation ("fails", a set, a
// pattern, a field: scenario/expect.ts) is unmet, step by step, exit 1.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import { probeKernelSync } from '../oracle/driver.ts';

const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;
const SRC = new URL('../corpus/selftest/token-12-bpf_token_info.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bpftc-expect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** token-12 with wrong expectations at steps 23 (set), 24 (field), 26 (pattern) */
function wrong(): string {
  const s = JSON.parse(readFileSync(SRC, 'utf8')) as { steps: Array<Record<string, unknown>> };
  s.steps[22]!.expect = ['EPERM', 'EACCES'];
  s.steps[23]!.expect_text = { field: 'allowed_cmds', value: '0x2' };
  s.steps[25]!.expect_text = { match: 'allowed_progs:\\t0x10000000' };
  const f = join(dir, 'wrong.json');
  writeFileSync(f, JSON.stringify(s));
  return f;
}

describe('unmet expectations', () => {
  it('bpftc run: one MISMATCH line per step, exit 1; --json carries them', async () => {
    const f = wrong();
    const r = await cli('run', f);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => l.startsWith('  MISMATCH'))).toEqual([
      '  MISMATCH step 23: expected one of EPERM, EACCES, got ok',
      '  MISMATCH step 24: expected ok allowed_cmds = "0x2", got ok "cmds=0x1,maps=0x0,progs=0x40,attachs=0xffffffffffffffff"',
      '  MISMATCH step 26: expected ok text matching /allowed_progs:\\t0x10000000/, got ok "allowed_cmds:\\t0x1\\nallowed_maps:\\t0x0\\nallowed_progs:\\t0x40\\nallowed_attachs:\\tany"',
    ]);
    expect(r.out).toMatch(/^3 step\(s\) differ from their expectation$/m);
    const j = await cli('run', '--json', f);
    const steps = (JSON.parse(j.out) as Array<{ steps: Array<{ unmet?: { step: number } }> }>)[0]!.steps;
    expect(steps.filter((s) => s.unmet).map((s) => s.unmet!.step)).toEqual([23, 24, 26]);
    expect((await cli('run', SRC)).code).toBe(0);
  });

  it.skipIf(skip !== null)(`bpftc run --kernel: one UNMET line per step the kernel does not meet${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const r = await cli('run', '--kernel', wrong());
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/model and kernel agree/);
    expect(r.out.split('\n').filter((l) => l.startsWith('  UNMET'))).toEqual([
      '  UNMET step 23: expected one of EPERM, EACCES, kernel gave ok',
      '  UNMET step 24: expected allowed_cmds = "0x2", kernel gave "cmds=0x1,maps=0x0,progs=0x40,attachs=0xffffffffffffffff"',
      '  UNMET step 26: expected text matching /allowed_progs:\\t0x10000000/, kernel gave "allowed_cmds:\\t0x1\\nallowed_maps:\\t0x0\\nallowed_progs:\\t0x40\\nallowed_attachs:\\tany"',
    ]);
  });
});
