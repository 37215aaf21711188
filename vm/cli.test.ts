import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { agreedSysctl } from './cli.ts';
import type { Scenario } from '../scenario/types.ts';

async function bpftc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origError = console.error;
  console.error = (l: string) => void err.push(l);
  try {
    const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.error = origError;
  }
}

describe('bpftc vm: every mistake is one line', () => {
  it('usage errors exit 2 with the reason', async () => {
    expect((await bpftc('vm')).code).toBe(2);
    expect((await bpftc('vm', 'frobnicate')).err).toMatch(/unknown vm subcommand/);
    expect((await bpftc('vm', 'build', '--lsm', 'apparmor')).err).toMatch(/--lsm takes/);
    expect((await bpftc('vm', 'build', '--source', 'linux-source-1.0')).err).toMatch(/--source takes/);
    expect((await bpftc('vm', 'build', '--patch', '/nonexistent.patch')).err).toMatch(/no such patch file/);
    expect((await bpftc('vm', 'check-kernel')).err).toMatch(/one kernel image/);
    expect((await bpftc('run', 'corpus/kernel/000-token-create-attr-size-4097-e2big.json', '--vm')).err).toMatch(/--vm needs --kernel/);
    expect((await bpftc('oracle', '--vm', '--kernel', '/nonexistent/bzImage')).err).toMatch(/no kernel image/);
    expect((await bpftc('oracle', '--kernel', 'x')).err).toMatch(/go with --vm/);
    expect((await bpftc('oracle', '--vms', '2')).err).toMatch(/go with --vm/);
    // the guest's sysctl is set at boot; the host's is only read
    expect((await bpftc('oracle', '--unprivileged-bpf-disabled', '0')).err).toMatch(/go with --vm \(the host's sysctl is only read\)/);
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--unprivileged-bpf-disabled', '3')).code).toBe(2);
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--vms', '0')).code).toBe(2);
    // SELinux profiles run in the guest (vm/selinux-oracle.ts); the integrity framework does not yet
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--profile', 'integrity-rfc')).err).toMatch(/not there yet/);
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--profile', 'selinux-token-merged')).err).toMatch(/no kernel image/);
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--core', 'frob')).err).toMatch(/unknown profile/);
    expect((await bpftc('oracle', '--vm', '--kernel', 'x', '--core', 'selinux-token-v7')).err).toMatch(/--core takes a core profile/);
  });

  it('check-kernel on something that is not a bzImage says so (exit 1)', async () => {
    const r = await bpftc('vm', 'check-kernel', 'package.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not an x86 bzImage/);
  });
});

describe('bpftc run --vm boots the guest with the scenarios\' own kernel.unprivileged_bpf_disabled', () => {
  const sc = (u?: number): Scenario => ({ actors: [], steps: [], ...(u !== undefined ? { sysctl: { unprivileged_bpf_disabled: u } } : {}) }) as unknown as Scenario;
  it('one value when every readable scenario names the same, else the image\'s default', () => {
    expect(agreedSysctl([sc(0), sc(0)])).toBe(0);
    expect(agreedSysctl([sc(2)])).toBe(2);
    expect(agreedSysctl([sc(0), sc(2)])).toBeUndefined();
    expect(agreedSysctl([sc(0), sc()])).toBeUndefined();
    expect(agreedSysctl([sc()])).toBeUndefined();
    expect(agreedSysctl([null])).toBeUndefined();
  });
});
