// The guest's initramfs, generated per run: a newc cpio archive (written here,
// no cpio(1) or root needed, so /dev/console can be a device node), gzipped.
// It holds busybox (static), the static executor, and /init: mount proc, sys,
// dev; put the second serial port in raw mode; report what the kernel has on
// the console; run the executor with that port as stdin/stdout (the host
// driver speaks oracle/PROTOCOL.md over it); reboot -f (QEMU runs with
// -no-reboot, so the VM ends when the executor does).

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface CpioEntry {
  name: string;
  /** full st_mode (type and permission bits) */
  mode: number;
  data?: Buffer;
  /** device number of a char device */
  rdev?: [number, number];
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

/** a newc ("070701") archive of the entries, with its TRAILER!!! */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const put = (e: CpioEntry): void => {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(e.name + '\0', 'utf8');
    const fields = [
      ino++, e.mode, 0, 0, (e.mode & 0o170000) === 0o040000 ? 2 : 1, 0, data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0,
    ];
    const head = Buffer.from('070701' + fields.map(hex8).join(''), 'ascii');
    parts.push(head, name, pad4(head.length + name.length), data, pad4(data.length));
  };
  for (const e of entries) put(e);
  put({ name: 'TRAILER!!!', mode: 0 });
  return Buffer.concat(parts);
}

export const DIR = 0o040755;
export const EXE = 0o100755;
export const CHR = 0o020600;

/** the lines /init prints on the console before it starts the executor */
export const GUEST_MARK = 'bpftc-guest:';

/** /init: the facts check-kernel needs, then the executor on /dev/ttyS1 */
export const INIT = `#!/bin/busybox sh
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
busybox mount -t selinuxfs selinuxfs /sys/fs/selinux 2>/dev/null
# the executor's per-scenario attach target is a directory under its own cgroup2 cgroup
busybox mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
fact() { echo "${GUEST_MARK} $1=$2"; }
fact release "$(busybox uname -r)"
fact lsm "$(busybox cat /sys/kernel/security/lsm 2>/dev/null)"
[ -e /sys/kernel/btf/vmlinux ] && fact btf 1 || fact btf 0
[ -e /sys/fs/selinux/enforce ] && fact selinuxfs 1 || fact selinuxfs 0
[ -e /proc/self/ns/user ] && fact userns 1 || fact userns 0
[ -e /proc/sys/kernel/perf_event_paranoid ] && fact perf 1 || fact perf 0
[ -e /proc/config.gz ] && fact ikconfig 1 || fact ikconfig 0
fact cpus "$(busybox grep -c ^processor /proc/cpuinfo)"
# one open file for the port from here on: a last close would shut the UART
# down and lose what the host sent before the executor opened it again
exec 3<>/dev/ttyS1
busybox stty raw -echo -onlcr <&3
echo "${GUEST_MARK} ready"
/bin/bpftc-exec <&3 >&3 3<&-
echo "${GUEST_MARK} executor exited $?"
busybox reboot -f
`;

/** the gzipped initramfs for a run */
export function buildInitramfs(opts: { busybox: string; executor: string; init?: string }): Buffer {
  const entries: CpioEntry[] = [
    { name: 'bin', mode: DIR },
    { name: 'dev', mode: DIR },
    { name: 'dev/console', mode: CHR, rdev: [5, 1] },
    { name: 'proc', mode: DIR },
    { name: 'sys', mode: DIR },
    { name: 'tmp', mode: 0o041777 },
    { name: 'bin/busybox', mode: EXE, data: readFileSync(opts.busybox) },
    { name: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
    { name: 'bin/bpftc-exec', mode: EXE, data: readFileSync(opts.executor) },
    { name: 'init', mode: EXE, data: Buffer.from(opts.init ?? INIT) },
  ];
  return gzipSync(cpioNewc(entries), { level: 1 });
}

/** parses the console's `bpftc-guest: key=value` lines */
export function guestFacts(consoleText: string): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const l of consoleText.split(/\r?\n/)) {
    const i = l.indexOf(GUEST_MARK);
    if (i < 0) continue;
    const m = /^(\w+)=(.*)$/.exec(l.slice(i + GUEST_MARK.length).trim());
    if (m) facts[m[1]!] = m[2]!.trim();
  }
  return facts;
}
