// The failure board of a campaign with several workers (issue 13): each
// worker writes, per property, the lowest batch in which it saw that property
// fail, the moment it sees it (before shrinking), and reads the others'. A
// worker then drops a property in any batch above the lowest failing one known:
// the campaign reports the failure of the lowest batch only (campaign/run.ts),
// so a failure above it is never reported, and shrinking it is wasted work.
// The lowest batch's own worker never drops it (no lower batch failed), so the
// counterexample, its run count and the report stay what they were: the board
// changes how fast a campaign ends, not what it says.
//
// The board is an unlinked file the parent opened and passed to every worker
// as one more fd (fork's stdio): one int32 slot per (property, worker), the
// failing batch + 1 (0: none yet), written by that worker only (pwrite of 4
// aligned bytes) and read whole (pread). Workers look at most once a
// millisecond, so the board costs a few syscalls per millisecond of search.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** the board's fd in a worker (stdio: ignore, inherit, inherit, ipc, board) */
export const BOARD_FD = 4;
/** how often a worker reads the board at most (ms) */
const REFRESH_MS = 1;

/** a new board of `properties` x `workers` slots: its fd (the file is already unlinked) */
export function createBoard(properties: number, workers: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'bpftc-board-'));
  const file = join(dir, 'board');
  try {
    const fd = openSync(file, 'w+', 0o600);
    writeSync(fd, Buffer.alloc(properties * workers * 4), 0, properties * workers * 4, 0);
    return fd;
  } finally {
    unlinkSync(file);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function closeBoard(fd: number): void {
  closeSync(fd);
}

/** one worker's view of the board */
export class FailureBoard {
  private readonly buf: Buffer;
  private readonly own: Int32Array;
  private lastRead = -Infinity;

  constructor(
    private readonly fd: number,
    properties: number,
    private readonly workers: number,
    private readonly worker: number,
    private readonly refreshMs = REFRESH_MS,
  ) {
    this.buf = Buffer.alloc(properties * workers * 4);
    this.own = new Int32Array(properties);
  }

  /** property p failed in this worker's batch b (told at once, before shrinking) */
  report(p: number, batch: number): void {
    if (this.own[p] !== 0 && this.own[p]! <= batch + 1) return;
    this.own[p] = batch + 1;
    const b = Buffer.alloc(4);
    b.writeInt32LE(batch + 1, 0);
    writeSync(this.fd, b, 0, 4, (p * this.workers + this.worker) * 4);
  }

  /** the lowest batch known to have failed property p, or Infinity */
  lowest(p: number): number {
    const now = performance.now();
    if (now - this.lastRead >= this.refreshMs) {
      this.lastRead = now;
      readSync(this.fd, this.buf, 0, this.buf.length, 0);
    }
    let m = Infinity;
    for (let w = 0; w < this.workers; w++) {
      const v = this.buf.readInt32LE((p * this.workers + w) * 4);
      if (v > 0 && v - 1 < m) m = v - 1;
    }
    const mine = this.own[p]!;
    return mine > 0 && mine - 1 < m ? mine - 1 : m;
  }
}
