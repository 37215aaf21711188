// How a campaign divides its work, deterministically from one seed.
//
// A campaign is an infinite sequence of batches b = 0, 1, 2, ...; batch b runs
// `batchRuns` generated scenarios per property with its own seed. Shard i/n
// owns the batches with b % n == i - 1, so n machines never overlap; worker w
// of W takes every W-th batch of its shard. With --runs the campaign is the
// first ceil(runs / batchRuns) batches; with --time it goes on until the
// budget is spent.

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(v: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return null;
  return { index, count };
}

/** a 32-bit seed per batch (splitmix-style mixing of campaign seed and batch) */
export function batchSeed(seed: number, batch: number): number {
  let z = (seed ^ Math.imul(batch + 1, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** the k-th batch owned by worker w of W in shard s */
export function batchOf(shard: Shard, workers: number, worker: number, k: number): number {
  return (k * workers + worker) * shard.count + (shard.index - 1);
}

/** the batches of a --runs campaign owned by one worker of one shard */
export function batchesFor(totalBatches: number, shard: Shard, workers: number, worker: number): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const b = batchOf(shard, workers, worker, k);
    if (b >= totalBatches) return out;
    out.push(b);
  }
}
