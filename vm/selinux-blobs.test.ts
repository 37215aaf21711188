import { describe, expect, it } from 'vitest';
import { applyDelta } from './selinux/delta.ts';
import { MAX_BLOBS, newBlobStore, policyLines } from './selinux-oracle.ts';

/** the guest executor's reading of blob and policy lines, as oracle/executor.c does it:
 *  parse_blob() puts a blob in the oldest of MAX_BLOBS slots, parse_se_line() copies
 *  the named blob's bytes when it reads a `policy` line (else "policy: unknown blob") */
class GuestStore {
  private ring: Array<{ name: string; data: Buffer } | undefined> = new Array(MAX_BLOBS).fill(undefined);
  private next = 0;
  read(lines: string[]): Buffer[] {
    const pols: Buffer[] = [];
    for (const l of lines) {
      const b = /^blob id=(\S+) base=(\S+) ops=(\S*)$/.exec(l);
      const p = /^policy id=\d+ enforcing=[01] blob=(\S+)$/.exec(l);
      if (b) {
        const base = b[2] === '-' ? null : this.ring.find((x) => x?.name === b[2]);
        if (base === undefined) throw new Error(`blob: unknown base '${b[2]}'`);
        this.ring[this.next] = { name: b[1]!, data: applyDelta(base?.data ?? null, b[3]!) };
        this.next = (this.next + 1) % MAX_BLOBS;
      } else if (p) {
        const x = this.ring.find((y) => y?.name === p[1]);
        if (!x) throw new Error(`policy: unknown blob '${p[1]}'`);
        pols.push(x.data);
      }
    }
    return pols;
  }
}

const policy = (n: number): { binary: Buffer; hash: string; enforcing: boolean } => {
  const binary = Buffer.from(`policy-${n}-`.repeat(40));
  return { binary, hash: `${n}`.padStart(32, '0'), enforcing: true };
};

describe('the policy blobs a guest holds (vm/selinux-oracle.ts policyLines())', () => {
  it('a scenario that reuses the oldest blob and adds a new one: each policy line follows its blob, so nothing it needs is evicted first', () => {
    const host = newBlobStore();
    const guest = new GuestStore();
    // fill the store: 64 scenarios of one policy each
    for (let n = 0; n < MAX_BLOBS; n++) expect(guest.read(policyLines(host, [policy(n)]))).toEqual([policy(n).binary]);
    // policy 0 is the oldest; policy 100 is new and takes its slot
    const lines = policyLines(host, [policy(0), policy(100)]);
    expect(guest.read(lines)).toEqual([policy(0).binary, policy(100).binary]);
    // the old plan (every blob line first, then the policy lines) is what failed
    const host2 = newBlobStore();
    const guest2 = new GuestStore();
    for (let n = 0; n < MAX_BLOBS; n++) guest2.read(policyLines(host2, [policy(n)]));
    const plan = policyLines(host2, [policy(0), policy(100)]);
    const old = [...plan.filter((l) => l.startsWith('blob ')), ...plan.filter((l) => l.startsWith('policy '))];
    expect(() => guest2.read(old)).toThrow(/policy: unknown blob/);
  });

  it('a batch of scenarios with many policies each, deltas from the last blob, stays in step with the guest (200 scenarios, seeded)', () => {
    const host = newBlobStore();
    const guest = new GuestStore();
    let x = 7;
    const rnd = (m: number): number => ((x = (x * 1103515245 + 12345) % 2147483648), x % m);
    for (let i = 0; i < 200; i++) {
      const pols = Array.from({ length: 1 + rnd(12) }, () => policy(rnd(150)));
      expect(guest.read(policyLines(host, pols))).toEqual(pols.map((p) => p.binary));
    }
  });
});
