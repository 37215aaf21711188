// The failure board (campaign/board.ts): what one worker reports the others
// read, and a campaign of several workers reports what one worker reports,
// having dropped the failures above the lowest.

import { describe, expect, it } from 'vitest';
import { FailureBoard, closeBoard, createBoard } from './board.ts';
import { type BatchResult, dispatchedLoop, runCampaign, unitsOf, workerLoop } from './run.ts';

describe('the failure board', () => {
  it('a failure one worker reports is the lowest the others read; each keeps its own lowest', () => {
    const fd = createBoard(3, 2);
    try {
      const a = new FailureBoard(fd, 3, 2, 0, 0);
      const b = new FailureBoard(fd, 3, 2, 1, 0);
      expect(b.lowest(1)).toBe(Infinity);
      a.report(1, 6);
      expect(b.lowest(1)).toBe(6);
      b.report(1, 3);
      a.report(1, 8); // higher than its own: kept at 6
      expect(a.lowest(1)).toBe(3);
      expect(b.lowest(0)).toBe(Infinity);
      expect(b.lowest(2)).toBe(Infinity);
      b.report(2, 0);
      expect(a.lowest(2)).toBe(0);
    } finally {
      closeBoard(fd);
    }
  });

  it('two workers report what one does (the failures of the lowest batches), dropping higher ones', async () => {
    // v7's failing properties fail in nearly every batch of 50: the second worker's
    // failures are above the first's and are dropped instead of shrunk
    const properties = ['selinux-token-as-at-create', 'selinux-polcap-off-compat', 'fd-race-independence', 'token-within-delegation'];
    const spec = { profile: 'selinux-token-v7', properties, seed: 7, shard: { index: 1, count: 1 }, batchRuns: 50, runs: 400 };
    const one = await runCampaign({ ...spec, workers: 1 });
    const two = await runCampaign({ ...spec, workers: 2 });
    const view = (r: typeof one): unknown => r.properties.map((p) => ({ p: p.property, runs: p.runs, batch: p.batch, ce: p.counterexample }));
    expect(view(two)).toEqual(view(one));
    expect(one.properties.filter((p) => p.counterexample).length).toBeGreaterThanOrEqual(3);
    expect(one.abandoned).toBe(0);
  }, 120_000);

  it('a worker drops a property in every batch above one another worker saw fail, and checks it below', () => {
    const properties = ['selinux-token-as-at-create', 'token-within-delegation'];
    const fd = createBoard(2, 2);
    try {
      new FailureBoard(fd, 2, 2, 0, 0).report(0, 2); // worker 0: batch 2 failed the first property
      const spec = { profile: 'selinux-token-v7', properties, seed: 7, shard: { index: 1, count: 1 }, workers: 2, batchRuns: 50, runs: 400 };
      const got: BatchResult[] = [];
      workerLoop({ spec, worker: 1, boardFd: fd }, (r) => got.push(r));
      const first = got.filter((r) => r.property === properties[0]);
      // batch 1 is below 2: checked (and it fails there); nothing of it is dropped
      expect(first.map((r) => [r.batch, r.abandoned === true, r.counterexample !== undefined])).toEqual([[1, false, true]]);
      // with the board saying batch 0, batch 1 is dropped, and no batch of it is shrunk
      const fd2 = createBoard(2, 2);
      try {
        new FailureBoard(fd2, 2, 2, 0, 0).report(0, 0);
        const got2: BatchResult[] = [];
        workerLoop({ spec, worker: 1, boardFd: fd2 }, (r) => got2.push(r));
        expect(got2.filter((r) => r.property === properties[0]).map((r) => [r.batch, r.abandoned === true, r.counterexample !== undefined])).toEqual([[1, true, false]]);
        // the other property is checked in every batch of the worker (1, 3, 5, 7), as without a board
        expect(got2.filter((r) => r.property === properties[1]).map((r) => r.batch)).toEqual([1, 3, 5, 7]);
      } finally {
        closeBoard(fd2);
      }
    } finally {
      closeBoard(fd);
    }
  }, 60_000);

  it('a dispatched campaign hands out the shard\'s batches in order, each group in turn; a worker runs what it is given', async () => {
    const properties = ['token-within-delegation', 'mountinfo-roundtrip', 'delegation-needs-init-sysadmin'];
    const spec = { profile: 'linux-6.18', properties, seed: 3, shard: { index: 2, count: 3 }, workers: 2, batchRuns: 300, runs: 3000 };
    // two generator groups (the first two share one); batches 1, 4, 7 of 10 in shard 2/3
    expect([...unitsOf(spec)]).toEqual([1, 4, 7].flatMap((batch) => [0, 1].map((group) => ({ batch, group }))));
    expect([...unitsOf({ ...spec, runs: 300, shard: { index: 2, count: 3 } })]).toEqual([]);
    const given = [{ batch: 4, group: 1 }, { batch: 7, group: 0 }];
    const got: BatchResult[] = [];
    await dispatchedLoop({ spec, worker: 0 }, (r) => got.push(r), async () => given.shift() ?? null);
    expect(got.map((r) => [r.batch, r.property])).toEqual([[4, 'delegation-needs-init-sysadmin'], [7, 'token-within-delegation'], [7, 'mountinfo-roundtrip']]);
  });
  it('three dispatched workers report what one does', async () => {
    const properties = ['selinux-token-as-at-create', 'selinux-polcap-off-compat', 'token-within-delegation'];
    const spec = { profile: 'selinux-token-v7', properties, seed: 9, shard: { index: 1, count: 1 }, batchRuns: 40, runs: 400 };
    const view = (r: Awaited<ReturnType<typeof runCampaign>>): unknown => r.properties.map((p) => ({ p: p.property, runs: p.runs, batch: p.batch, ce: p.counterexample }));
    expect(view(await runCampaign({ ...spec, workers: 3 }))).toEqual(view(await runCampaign({ ...spec, workers: 1 })));
  }, 120_000);
});
