// bpftc oracle from the command line: exit codes, text and JSON output.

import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { probeKernelSync } from '../oracle/driver.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bpftc oracle', () => {
  it('bad flags: one line, exit 2', async () => {
    for (const argv of [['oracle', '--runs', 'many'], ['oracle', 'x'], ['oracle', '--frob']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
    }
  });

  it.skipIf(skip !== null)(`run --kernel shows model and kernel side by side${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const dir = new URL('../corpus/', import.meta.url).pathname;
    const ok = await cli('run', '--kernel', `${dir}findings/token-core-mountinfo-hides-delegation.json`);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/model and kernel agree/);
    expect(ok.out).toMatch(/token_create .* ok +ok/);
    const lsm = await cli('run', '--kernel', `${dir}findings/v7-passed-token-skips-as-check.json`);
    expect(lsm.code).toBe(2);
    expect(lsm.err).toMatch(/cannot run on the kernel \(profile selinux-token-v7: its LSMs .* are model-only\)$/);
  }, 60_000);

  it.skipIf(skip !== null)(`run --kernel reports an expectation the kernel does not meet, even when the model agrees${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const src = new URL('../corpus/kernel/087-open-tree-clone-seq-origin-may-copy-tree.json', import.meta.url).pathname;
    const good = await cli('run', '--kernel', src);
    expect(good.code).toBe(0);
    expect(good.out).not.toMatch(/UNMET/);
    // a 0700 root directory: c cannot even look up "." (EACCES before may_copy_tree's EINVAL)
    const f = join(mkdtempSync(join(tmpdir(), 'bpftc-')), 'wrong.json');
    writeFileSync(f, readFileSync(src, 'utf8').replace('"data": "mode=0755"', '"data": "mode=0700"'));
    const bad = await cli('run', '--kernel', f);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/model and kernel agree/);
    expect(bad.out).toMatch(/^  UNMET step 4: expected EINVAL, kernel gave EACCES$/m);
  }, 60_000);

  it.skipIf(skip !== null)(`agrees and prints the coverage table${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const r = await cli('oracle', '--runs', '40', '--seed', '3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ scenarios \(\d+ from the corpus\): (\d+) agree, 0 disagree/);
    expect(r.out).toMatch(/^token_create +ok \d+\/\d+/m);
    const j = JSON.parse((await cli('oracle', '--runs', '10', '--json')).out) as { disagreements: number; scenarios: number };
    expect(j.disagreements).toBe(0);
    expect(j.scenarios).toBeGreaterThan(10);
  }, 120_000);
});
