import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cpioNewc, guestFacts } from './initramfs.ts';
import { featuresFromConfig, readImage } from './kconfig.ts';
import { configFragment, fragmentOptions, unmetOptions } from './build.ts';

/** a minimal x86 bzImage: boot header, then a gzip payload holding a
 *  "vmlinux" with an embedded config between IKCFG_ST and IKCFG_ED */
function fakeBzImage(config: string | null, version = '7.3.4 (test@host) #1 SMP'): Buffer {
  const setupSects = 1;
  const setup = Buffer.alloc((setupSects + 1) * 512);
  setup[0x1f1] = setupSects;
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(0x20f, 0x206);
  setup.writeUInt16LE(0x300 - 0x200, 0x20e);
  setup.write(version + '\0', 0x300, 'latin1');
  const vmlinux = Buffer.concat([
    Buffer.from('\x7fELF...kernel text...'),
    ...(config === null ? [] : [Buffer.from('IKCFG_ST'), gzipSync(config), Buffer.from('IKCFG_ED')]),
    Buffer.alloc(64),
  ]);
  const payload = gzipSync(vmlinux);
  setup.writeUInt32LE(16, 0x248);
  setup.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([setup, Buffer.alloc(16), payload, Buffer.alloc(4)]);
}

describe('kernel image reading (check-kernel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpftc-image-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the version and the embedded config of a bzImage', () => {
    const f = join(dir, 'bzImage');
    writeFileSync(f, fakeBzImage('CONFIG_USER_NS=y\nCONFIG_LSM="capability,selinux"\n'));
    const info = readImage(f);
    expect(info.version).toBe('7.3.4 (test@host) #1 SMP');
    expect(info.config).toContain('CONFIG_USER_NS=y');
  });

  it('says why there is no config, and refuses what is not a bzImage', () => {
    const f = join(dir, 'noconfig');
    writeFileSync(f, fakeBzImage(null));
    expect(readImage(f).configWhy).toMatch(/IKCONFIG is off/);
    const g = join(dir, 'garbage');
    writeFileSync(g, Buffer.alloc(4096, 7));
    expect(() => readImage(g)).toThrow(/not an x86 bzImage/);
    expect(() => readImage(join(dir, 'absent'))).toThrow(/cannot read/);
  });

  it('names what a missing option rules out', () => {
    const cfg = 'CONFIG_USER_NS=y\nCONFIG_MULTIUSER=y\nCONFIG_BPF_SYSCALL=y\nCONFIG_SECURITY_SELINUX=y\nCONFIG_LSM="capability,selinux"\n';
    const fs = featuresFromConfig(cfg, '7.3.4 #1');
    const by = (n: string) => fs.find((f) => f.name === n)!;
    expect(by('user namespaces').ok).toBe(true);
    expect(by('SELinux').ok).toBe(true);
    expect(by('BPF-LSM').ok).toBe(false);
    expect(by('BTF').rulesOut).toMatch(/delegate_/);
    expect(featuresFromConfig(cfg, '6.6.1').find((f) => f.name === 'BPF token')!.ok).toBe(false);
  });
});

describe('config fragments', () => {
  it('adds CONFIG_LSM for the LSMs asked for, and finds options the final config lacks', () => {
    const frag = configFragment(['selinux']);
    expect(frag).toContain('CONFIG_LSM="capability,selinux"');
    expect(frag).not.toContain('CONFIG_BPF_LSM=y');
    expect(configFragment(['selinux', 'bpf'])).toContain('CONFIG_LSM="capability,selinux,bpf"');
    expect(fragmentOptions('CONFIG_A=y\n# CONFIG_B is not set\n')).toEqual(new Map([['CONFIG_A', 'y'], ['CONFIG_B', 'n']]));
    expect(unmetOptions('CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n', 'CONFIG_A=y\nCONFIG_C=y\n')).toEqual([
      'CONFIG_B=y (got not set)',
      'CONFIG_C=n (got y)',
    ]);
  });
});

describe('initramfs', () => {
  it('writes a newc archive that cpio(1) lists, device node included', () => {
    const a = cpioNewc([
      { name: 'dev', mode: 0o040755 },
      { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
      { name: 'init', mode: 0o100755, data: Buffer.from('#!/bin/sh\n') },
    ]);
    expect(a.length % 4).toBe(0);
    expect(a.subarray(-124).toString('latin1')).toContain('TRAILER!!!');
    const r = spawnSync('cpio', ['-t', '--quiet'], { input: a, encoding: 'utf8' });
    if (r.error) return; // cpio not installed: the byte-level checks above stand
    expect(r.stdout.trim().split('\n')).toEqual(['dev', 'dev/console', 'init']);
    expect(gunzipSync(gzipSync(a)).equals(a)).toBe(true);
  });

  it('parses the guest facts from the console', () => {
    expect(guestFacts('[    1.0] boot\r\nbpftc-guest: release=7.3.4\r\nbpftc-guest: lsm=capability,selinux,bpf\r\nbpftc-guest: ready\r\n')).toEqual({
      release: '7.3.4',
      lsm: 'capability,selinux,bpf',
    });
  });
});
