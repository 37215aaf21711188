// What a kernel image can check: its embedded configuration (CONFIG_IKCONFIG,
// read straight out of the bzImage: boot-protocol header -> compressed
// payload -> vmlinux -> the gzipped config between IKCFG_ST and IKCFG_ED), or,
// failing that, what the booted guest reports (vm/initramfs.ts INIT).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync, constants as zc } from 'node:zlib';
import { HOST_CONFIG, type KernelConfigFacts, factsFromConfigValues } from '../model/kconfig.ts';

export class ImageError extends Error {}

export interface ImageInfo {
  /** the header's kernel_version string ("7.3.4 (root@host) #1 SMP ...") */
  version: string;
  /** .config text, or null (no IKCONFIG, or a compression this machine cannot undo) */
  config: string | null;
  /** why config is null */
  configWhy?: string;
}

const gunzipLoose = (b: Buffer): Buffer => gunzipSync(b, { finishFlush: zc.Z_SYNC_FLUSH });

const DECOMPRESSORS: Array<{ magic: number[]; name: string; cmd?: [string, string[]] }> = [
  { magic: [0x1f, 0x8b], name: 'gzip' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz', cmd: ['xz', ['-dc']] },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd', cmd: ['zstd', ['-dcq']] },
  { magic: [0x5d, 0x00, 0x00], name: 'lzma', cmd: ['xz', ['--format=lzma', '-dc']] },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2', cmd: ['bzip2', ['-dc']] },
  { magic: [0x02, 0x21, 0x4c, 0x18], name: 'lz4', cmd: ['lz4', ['-dc']] },
  { magic: [0x89, 0x4c, 0x5a, 0x4f], name: 'lzo', cmd: ['lzop', ['-dc']] },
];

function decompress(payload: Buffer): Buffer | string {
  const d = DECOMPRESSORS.find((x) => x.magic.every((b, i) => payload[i] === b));
  if (!d) return 'unknown compression of the kernel payload';
  if (!d.cmd) {
    try {
      return gunzipLoose(payload);
    } catch (e) {
      return `gzip payload unreadable (${(e as Error).message})`;
    }
  }
  const r = spawnSync(d.cmd[0], d.cmd[1], { input: payload, maxBuffer: 1 << 30 });
  // xz/zstd complain about the size word the kernel appends; the output is whole
  if (r.error) return `the payload is ${d.name}-compressed and ${d.cmd[0]} is not installed`;
  if (!r.stdout || r.stdout.length === 0) return `${d.cmd[0]} could not decompress the payload`;
  return r.stdout;
}

/** Reads an x86 bzImage: its version string and, when embedded, its .config. */
export function readImage(path: string): ImageInfo {
  let img: Buffer;
  try {
    img = readFileSync(path);
  } catch (e) {
    throw new ImageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (img.length < 0x300 || img.toString('latin1', 0x202, 0x206) !== 'HdrS') throw new ImageError(`${path} is not an x86 bzImage (no "HdrS" boot header)`);
  const protocol = img.readUInt16LE(0x206);
  const vptr = img.readUInt16LE(0x20e);
  const vend = img.indexOf(0, 0x200 + vptr);
  const version = vptr ? img.toString('latin1', 0x200 + vptr, vend > 0 ? vend : 0x200 + vptr + 128) : '';
  if (protocol < 0x208) return { version, config: null, configWhy: `boot protocol ${protocol.toString(16)} has no payload fields` };
  const setupSects = img[0x1f1] || 4;
  const pm = (setupSects + 1) * 512;
  const off = pm + img.readUInt32LE(0x248);
  const len = img.readUInt32LE(0x24c);
  const vmlinux = decompress(img.subarray(off, off + len));
  if (typeof vmlinux === 'string') return { version, config: null, configWhy: vmlinux };
  const st = vmlinux.indexOf('IKCFG_ST');
  const ed = st < 0 ? -1 : vmlinux.indexOf('IKCFG_ED', st);
  if (st < 0 || ed < 0) return { version, config: null, configWhy: 'no embedded config (CONFIG_IKCONFIG is off)' };
  try {
    return { version, config: gunzipLoose(vmlinux.subarray(st + 8, ed)).toString('utf8') };
  } catch {
    return { version, config: null, configWhy: 'the embedded config is unreadable' };
  }
}

export function configValues(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const x = /^(CONFIG_\w+)=(.*)$/.exec(l);
    if (x) m.set(x[1]!, x[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return m;
}

export interface Feature {
  name: string;
  ok: boolean;
  /** the evidence (config options or guest facts) */
  evidence: string;
  /** what its absence rules out */
  rulesOut: string;
}

/** `major.minor` of a version string, as a number pair */
function versionAtLeast(v: string, major: number, minor: number): boolean | null {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

/** Features from the embedded config. */
export function featuresFromConfig(config: string, version: string): Feature[] {
  const c = configValues(config);
  const y = (k: string): boolean => c.get(k) === 'y';
  const lsm = (c.get('CONFIG_LSM') ?? '').split(',');
  const all = (...ks: string[]): [boolean, string] => [ks.every(y), ks.map((k) => `${k}=${c.get(k) ?? 'n'}`).join(' ')];
  const f = (name: string, [ok, evidence]: [boolean, string], rulesOut: string): Feature => ({ name, ok, evidence, rulesOut });
  const token = versionAtLeast(version, 6, 9);
  return [
    f('boots in the VM oracle', all('CONFIG_SERIAL_8250_CONSOLE', 'CONFIG_BLK_DEV_INITRD', 'CONFIG_RD_GZIP', 'CONFIG_DEVTMPFS', 'CONFIG_BINFMT_SCRIPT'), 'every VM run (no console or no gzip initramfs)'),
    f('user namespaces', all('CONFIG_USER_NS', 'CONFIG_MULTIUSER'), 'every scenario (each actor lives in a user namespace)'),
    f('BPF token', [y('CONFIG_BPF_SYSCALL') && token !== false, `CONFIG_BPF_SYSCALL=${c.get('CONFIG_BPF_SYSCALL') ?? 'n'}, version ${version.split(' ')[0] ?? '?'}${token === false ? ' < 6.9' : ''}`], 'every token scenario'),
    f('BTF', all('CONFIG_DEBUG_INFO_BTF'), 'symbolic delegate_* names (the kernel parses numbers only) and mountinfo texts: most corpus scenarios disagree'),
    f('SELinux', [y('CONFIG_SECURITY_SELINUX') && lsm.includes('selinux'), `CONFIG_SECURITY_SELINUX=${c.get('CONFIG_SECURITY_SELINUX') ?? 'n'} CONFIG_LSM=${c.get('CONFIG_LSM') ?? ''}`], 'SELinux profiles and AVC comparisons'),
    f('BPF-LSM', [y('CONFIG_BPF_LSM') && y('CONFIG_DEBUG_INFO_BTF') && lsm.includes('bpf'), `CONFIG_BPF_LSM=${c.get('CONFIG_BPF_LSM') ?? 'n'} CONFIG_DEBUG_INFO_BTF=${c.get('CONFIG_DEBUG_INFO_BTF') ?? 'n'} CONFIG_LSM=${c.get('CONFIG_LSM') ?? ''}`], 'bpf_lsm_deny steps and BPF-LSM hook traces'),
    f('perf and kprobes', all('CONFIG_PERF_EVENTS', 'CONFIG_KPROBES', 'CONFIG_KPROBE_EVENTS', 'CONFIG_BPF_EVENTS'), 'KPROBE/PERF_EVENT/TRACEPOINT program loads (EINVAL instead of the token checks)'),
    f('tc programs', all('CONFIG_NET_CLS_BPF', 'CONFIG_NET_ACT_BPF'), 'nothing the executor checks today (SCHED_CLS/ACT loads do not need them)'),
    f('SMP', all('CONFIG_SMP'), 'races (real threads on two CPUs)'),
  ];
}

/** Features from a booted guest's facts (no embedded config). */
export function featuresFromGuest(facts: Record<string, string>): Feature[] {
  const lsm = (facts.lsm ?? '').split(',');
  const fact = (k: string): string => `${k}=${facts[k] ?? '?'}`;
  return [
    { name: 'boots in the VM oracle', ok: facts.release !== undefined, evidence: `booted ${facts.release ?? '?'}`, rulesOut: 'every VM run' },
    { name: 'user namespaces', ok: facts.userns === '1', evidence: fact('userns'), rulesOut: 'every scenario' },
    { name: 'BTF', ok: facts.btf === '1', evidence: fact('btf'), rulesOut: 'symbolic delegate_* names and mountinfo texts' },
    { name: 'SELinux', ok: lsm.includes('selinux') && facts.selinuxfs === '1', evidence: `lsm=${facts.lsm ?? ''} ${fact('selinuxfs')}`, rulesOut: 'SELinux profiles and AVC comparisons' },
    { name: 'BPF-LSM', ok: lsm.includes('bpf') && facts.btf === '1', evidence: `lsm=${facts.lsm ?? ''} ${fact('btf')}`, rulesOut: 'bpf_lsm_deny steps and BPF-LSM hook traces' },
    { name: 'perf and kprobes', ok: facts.perf === '1', evidence: fact('perf'), rulesOut: 'KPROBE/PERF_EVENT program loads' },
    { name: 'SMP', ok: Number(facts.cpus ?? '1') > 1, evidence: `${fact('cpus')} (booted with -smp ${facts.cpus ?? '1'})`, rulesOut: 'races' },
  ];
}

/** The model's kernel-config facts (model/kconfig.ts) of an image, from its
 *  embedded config; null when it has none (the model then assumes the 6.18
 *  host's config, and the report says so). */
export function imageKconfig(path: string): { facts: KernelConfigFacts | null; why?: string } {
  const info = readImage(path);
  if (!info.config) return { facts: null, why: info.configWhy ?? 'no embedded config' };
  return { facts: factsFromConfigValues(configValues(info.config)) };
}

/** the host's facts from /proc/config.gz, else the 6.18 host defaults */
export function hostKconfig(): KernelConfigFacts {
  try {
    return factsFromConfigValues(configValues(gunzipSync(readFileSync('/proc/config.gz')).toString('utf8')));
  } catch {
    return HOST_CONFIG;
  }
}
