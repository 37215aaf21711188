// bpftc oracle from the command line: exit codes, text and JSON output.

import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { probeKernelSync } from '../oracle/driver.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bpftc oracle', () => {
  it('bad flags: one line, exit 2', async () => {
    for (const argv of [['oracle', '--runs', 'many'], ['oracle', 'x'], ['oracle', '--frob'], ['oracle', '--workers', '0'], ['oracle', '--workers', '65'], ['oracle', '--vm', '--workers', '2']]) {
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
    const tmp = mkdtempSync(join(tmpdir(), 'bpftc-'));
    made.push(tmp);
    const f = join(tmp, 'wrong.json');
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

  it.skipIf(skip !== null)(`never runs a model-only file that says kernel_checkable (race by another actor, LSM action, a thread whose process exits first), and says so${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bpftc-'));
    made.push(tmp);
    const R = { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' };
    const sc = (steps: unknown[], actors: unknown[] = [R]): string =>
      JSON.stringify({ format: 'bpftc/1', actors, steps, meta: { kernel_checkable: true } });
    writeFileSync(join(tmp, 'race.json'), sc([{ actor: 'root', op: 'fsopen', as: 'f' }, { actor: 'root', op: 'map_create', map_type: 2, race: { actor: 'root', op: 'close', fd: 'f' } }]));
    // a thread_of actor's own steps run (a process sharing the table), but not after its process exited
    writeFileSync(join(tmp, 'thread-ok.json'), sc([{ actor: 't', op: 'map_create', map_type: 2 }], [R, { name: 't', userns: 'init', kuid: 0, caps: 'all', thread_of: 'root' }]));
    writeFileSync(join(tmp, 'lsm.json'), sc([{ actor: 'root', op: 'map_create', map_type: 2, lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf_map_create', task: 'root', errno: 'EPERM' }] }]));
    writeFileSync(join(tmp, 'thread.json'), sc([{ actor: 'root', op: 'exit' }, { actor: 't', op: 'map_create', map_type: 2 }], [R, { name: 't', userns: 'init', kuid: 0, caps: 'all', thread_of: 'root' }]));
    const j = JSON.parse((await cli('oracle', '--corpus', tmp, '--runs', '1', '--json')).out) as { corpus: number; unsupported: number; scenarios: number; disagreements: number };
    expect({ corpus: j.corpus, unsupported: j.unsupported, scenarios: j.scenarios, disagreements: j.disagreements }).toEqual({ corpus: 4, unsupported: 3, scenarios: 2, disagreements: 0 });
    const t = await cli('oracle', '--corpus', tmp, '--runs', '1');
    expect(t.out).toMatch(/^3 corpus scenario\(s\) marked kernel_checkable are model-only and were not run on the kernel$/m);
  }, 60_000);
});
