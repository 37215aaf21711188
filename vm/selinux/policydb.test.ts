import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.ts';
import { PolicyDbError, readEbitmap, readPolicyHeader, setPolcaps, writeEbitmap } from './policydb.ts';
import { TREE_73, compileUnavailable, tempCache } from './testing.ts';

describe('ebitmap', () => {
  it('round-trips sets of bits', () => {
    for (const bits of [[], [0], [14], [12, 14], [63, 64], [1, 70, 200, 1000]]) {
      const buf = writeEbitmap(bits);
      const e = readEbitmap(buf, 0);
      expect(e.bits).toEqual(bits);
      expect(e.end).toBe(buf.length);
    }
  });

  it('writes what libsepol writes: map unit 64, high bit one past the last unit, one entry per non-empty unit', () => {
    const b = writeEbitmap([14]);
    expect([b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12)]).toEqual([64, 64, 1, 0]);
    expect(b.readBigUInt64LE(16)).toBe(1n << 14n);
    expect(writeEbitmap([]).length).toBe(12);
  });

  it('refuses what ebitmap_read() refuses', () => {
    const bad = (words: number[]): Buffer => Buffer.from(Uint32Array.from(words).buffer);
    expect(() => readEbitmap(bad([32, 0, 0]), 0)).toThrow(PolicyDbError); // map unit
    expect(() => readEbitmap(bad([64, 64, 0]), 0)).toThrow(PolicyDbError); // high bit, no unit
    expect(() => readEbitmap(bad([64, 64, 1, 0, 0, 0]), 0)).toThrow(PolicyDbError); // empty unit
    expect(() => readEbitmap(bad([64, 128, 1, 0, 1, 0]), 0)).toThrow(PolicyDbError); // high bit past the last unit
    expect(() => readEbitmap(bad([64, 64, 1]), 0)).toThrow(PolicyDbError); // truncated
  });

  it('refuses what is not a policy', () => {
    expect(() => readPolicyHeader(Buffer.from('not a policy at all'))).toThrow(PolicyDbError);
    expect(() => readPolicyHeader(Buffer.alloc(2))).toThrow(PolicyDbError);
  });
});

const skip = compileUnavailable();
if (skip) console.log(`vm/selinux/policydb.test.ts (binary part) skipped: ${skip}`);

describe.skipIf(skip !== null)(`binary policies from checkpolicy${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const cache = tempCache();
  const decl = { allow: ['P_t P_t:cap_userns *', 'P_t U_t:bpf map_create_as'], permissive: ['U_t'], handle_unknown: 'reject' as const };
  const plain = (): Buffer => compilePolicy({ ...decl, polcap: [] }, ['P_t', 'U_t'], TREE_73!.path, { cacheDir: cache }).binary;

  it('reads the header checkpolicy wrote', () => {
    const h = readPolicyHeader(plain());
    expect(h.version).toBe(33);
    expect(h.mls).toBe(false);
    expect(h.handleUnknown).toBe('reject');
    expect(h.polcaps?.bits).toEqual([]);
    expect(h.permissive?.bits.length).toBe(1);
  });

  it('rewrites only the policy-capability ebitmap, and rewriting it back gives the same bytes', () => {
    const bin = plain();
    expect(setPolcaps(bin, []).equals(bin)).toBe(true);
    const with14 = setPolcaps(bin, [14]);
    expect(readPolicyHeader(with14).polcaps?.bits).toEqual([14]);
    expect(with14.length).toBe(bin.length + 12);
    const h = readPolicyHeader(bin);
    expect(with14.subarray(readPolicyHeader(with14).polcaps!.end).equals(bin.subarray(h.polcaps!.end))).toBe(true);
    expect(setPolcaps(with14, []).equals(bin)).toBe(true);
  });

  it('sets bpf_token_perms at bit 14 on 7.3.4 (POLICYDB_CAP_BPF_TOKEN_PERMS)', () => {
    const c = compilePolicy({ ...decl, polcap: ['bpf_token_perms'] }, ['P_t', 'U_t'], TREE_73!.path, { cacheDir: cache });
    expect(c.polcapBits).toEqual([14]);
    expect(readPolicyHeader(c.binary).polcaps?.bits).toEqual([14]);
  });

  let seinfo: string | null = null;
  try {
    execFileSync('seinfo', ['--version'], { stdio: 'ignore' });
  } catch {
    seinfo = 'seinfo (setools) is not installed';
  }
  it.skipIf(seinfo !== null)(`agrees with setools' seinfo${seinfo ? ` (skipped: ${seinfo})` : ''}`, () => {
    // seinfo 4.4 names only the capabilities its libsepol knows (up to
    // ioctl_skip_cloexec, bit 7) and crashes listing bit 14; it counts it
    const f = join(cache, 'check.bin');
    writeFileSync(f, setPolcaps(plain(), [1, 7]));
    const out = execFileSync('seinfo', [f, '--polcap'], { encoding: 'utf8' });
    expect(out).toMatch(/Polcap: 2/);
    expect(out).toContain('open_perms');
    expect(out).toContain('ioctl_skip_cloexec');
    writeFileSync(f, setPolcaps(plain(), [14]));
    expect(execFileSync('seinfo', [f], { encoding: 'utf8' })).toMatch(/Polcap:\s+1\b/);
    expect(execFileSync('seinfo', [f, '--permissive'], { encoding: 'utf8' })).toMatch(/Permissive Types: 1\s+U_t/);
  });
});
