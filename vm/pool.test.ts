// VmPool (--vms N) without QEMU: fake guests that answer out of order. The
// pool sends each scenario to the guest with the least in flight, and a
// campaign over it reports its disagreements in scenario order.

import { describe, expect, it } from 'vitest';
import { type PoolGuest, VmPool, oopsExcerpt } from './pool.ts';
import type { KernelRun } from '../oracle/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { runOracleCampaign } from '../oracle/campaign.ts';
import { runScenario } from '../model/run.ts';

const probe = { root: true, userns: true, bpf_token: true, unprivileged_bpf_disabled: 2, caps_all: '1ffffffffff', release: 'fake', memcg: false, pidscg: false } as const;

/** init root runs close(fd 999): the model says EBADF */
const scenario = (i: number): Scenario => ({
  format: 'bpftc/1',
  name: `s${i}`,
  actors: [{ name: 'r', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
  steps: [{ actor: 'r', op: 'close', fd: `h${i}` }],
});

/** answers like the model, except "ok" for the scenarios in `wrong`; guest 0 is slow */
function guest(id: number, seen: string[], wrong: Set<string>): PoolGuest {
  return {
    boots: 1,
    deaths: [],
    crashes: [],
    async run(s: Scenario): Promise<KernelRun> {
      seen.push(`${id}:${s.name}`);
      await new Promise((r) => setImmediate(r));
      if (id === 0) for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
      const m = runScenario(s).results.map((r) => ({ ret: r.ret }));
      return { results: wrong.has(s.name ?? '') ? m.map(() => ({ ret: 'ok' })) : m };
    },
    async close() {},
  };
}

describe('VmPool: several guests, results in scenario order', () => {
  it('the least-loaded guest gets the next scenario; every scenario runs once', async () => {
    const seen: string[] = [];
    const pool = new VmPool([guest(0, seen, new Set()), guest(1, seen, new Set())]);
    await Promise.all([0, 1, 2, 3].map((i) => pool.run(scenario(i))));
    expect(seen.slice(0, 2)).toEqual(['0:s0', '1:s1']);
    expect(seen.map((x) => x.split(':')[1]).sort()).toEqual(['s0', 's1', 's2', 's3']);
    expect(pool.boots).toBe(2);
  });

  it('a campaign over two guests reports its disagreements in scenario order', async () => {
    const wrong = new Set(['s1', 's2', 's5']);
    const seen: string[] = [];
    const pool = new VmPool([guest(0, seen, wrong), guest(1, seen, wrong)]);
    const r = await runOracleCampaign({ scenarios: [0, 1, 2, 3, 4, 5].map(scenario), probe, executor: pool, shrink: false });
    expect(r.disagreements).toBe(3);
    expect(r.shrunk.map((d) => d.scenario.name)).toEqual(['s1', 's2', 's5']);
    expect(r.shrunk.map((d) => d.index)).toEqual([1, 2, 5]);
  });

  it('the oops excerpt starts just before the crash, past the messages of earlier scenarios', () => {
    const console = [
      'bpftc-guest: ready',
      '[  0.500000] WARNING: The mand mount option has been deprecated and',
      ...Array.from({ length: 12 }, (_, i) => `[  ${i + 1}.000000] SELinux: failed to load policy`),
      '[ 20.000000] VFS: Busy inodes after unmount of bpf (bpf)',
      '[ 20.000001] ------------[ cut here ]------------',
      '[ 20.000002] kernel BUG at fs/super.c:759!',
      '[ 20.000003] Oops: invalid opcode: 0000 [#1] SMP',
      '[ 20.000004] Call Trace:',
      '[ 20.000005]  <TASK>',
      '[ 20.000006]  generic_shutdown_super+0x10/0x20',
      '[ 20.000007]  </TASK>',
      '[ 20.000008] Kernel panic - not syncing: Fatal exception',
    ].join('\n');
    expect(oopsExcerpt(console)).toEqual([
      'SELinux: failed to load policy',
      'VFS: Busy inodes after unmount of bpf (bpf)',
      'kernel BUG at fs/super.c:759!',
      'Oops: invalid opcode: 0000 [#1] SMP',
      '  generic_shutdown_super+0x10/0x20',
      'Kernel panic - not syncing: Fatal exception',
    ]);
    // no crash mark: the first lines, as before
    expect(oopsExcerpt('bpftc-guest: ready\na\nb', 1)).toEqual(['a']);
  });
});
