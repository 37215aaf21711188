// Output paths on a full disk, on a read-only file system, and files or
// directories the user may not read or write: one line, exit 2; a
// counterexample is printed before it is saved, and a failed save leaves no
// 0-byte, truncated or temporary file behind, nor changes a file it was to
// replace. Runs cli/malformed-ns.ts in a private mount namespace (tmpfs
// mounts there vanish with it); skipped where unshare/mount are not allowed.

import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('..', import.meta.url).pathname;
const probeDir = mkdtempSync(join(tmpdir(), 'bpftc-ns-probe-'));
const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'mount', '-t', 'tmpfs', 'bpftc-probe', probeDir], { encoding: 'utf8' });
rmSync(probeDir, { recursive: true, force: true });
const skip = process.getuid?.() !== 0 ? 'not root' : probe.status !== 0 ? `no private mount namespace (${(probe.stderr || probe.error?.message || 'unshare failed').trim().split('\n')[0]})` : null;

interface Case {
  name: string;
  code: number;
  out: string[];
  err: string[];
  left: Array<[string, number]>;
  kept?: string;
}

describe('output on full, read-only and forbidden file systems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpftc-ns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(skip !== null)(`one line, exit 2, nothing half-written${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BPFTC_')));
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, '--import', 'tsx', join(REPO, 'cli', 'malformed-ns.ts'), dir], {
      cwd: REPO,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status, r.stderr).toBe(0);
    const { cases } = JSON.parse(r.stdout) as { cases: Case[] };
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) {
      // a campaign's progress lines ("[2.4s] 153 runs, ... 1 findings") are status, not errors
      c.err = c.err.filter((l) => !/^\[\d+(\.\d+)?s\] \d+ runs, /.test(l));
      const label = `${c.name}: ${c.err.join(' | ')}`;
      expect(c.code, label).toBe(2);
      expect(c.err, label).toHaveLength(1);
      expect(c.err[0], label).toMatch(/^bpftc: \S/);
      expect(c.err[0], label).not.toMatch(/internal error|\n|^\s+at /);
      // what the line names
      if (c.name.startsWith('full')) expect(c.err[0], label).toMatch(/no space left on the device \(ENOSPC\)/);
      if (c.name.startsWith('read-only')) expect(c.err[0], label).toMatch(/read-only file system \(EROFS\)/);
      if (c.name.startsWith('unreadable: run') || c.name.startsWith('unreadable: repro')) expect(c.err[0], label).toMatch(/secret\.json: cannot read: permission denied \(EACCES\)$/);
      if (c.name.startsWith('unreadable: corpus') || c.name.startsWith('unreadable: oracle')) expect(c.err[0], label).toMatch(/closed: cannot read the directory: permission denied \(EACCES\)$/);
      if (c.name.startsWith('unwritable')) expect(c.err[0], label).toMatch(/: cannot write in \S*\/priv\/rootonly: permission denied \(EACCES\)$/);
      // nothing written: no file at all in the watched directory, except what was there before
      const before = c.name.startsWith('full') ? ['old.c', 'old.xml'] : c.name.startsWith('read-only') ? ['old.c'] : [];
      expect(c.left.map(([f]) => f).filter((f) => !before.includes(f)), label).toEqual([]);
      for (const [f, size] of c.left) expect(size, `${label}: ${f} keeps its content`).toBe(4);
      if (c.kept !== undefined) expect(c.kept, label).toBe('old\n');
      // a counterexample found before the failed save is printed in full
      if (c.name.startsWith('full: fuzz')) {
        expect(c.out.join('\n'), label).toMatch(/^FAIL {2}token-from-bpffs-root/m);
        expect(c.out.join('\n'), label).toMatch(/replay: npx bpftc fuzz/);
      } else if (!c.name.startsWith('full: coverage')) expect(c.out, label).toEqual([]);
    }
  }, 120_000);
});
