// Hostile scenarios: labelled data for oracle/hostile.test.ts. Each one tries
// to reach something outside what the scenario itself created (oracle/SANDBOX.md)
// and says how it must be refused. Absolute paths point INTO a stand-in host
// (a scratch tmpfs the test mounts in a private mount namespace, see
// STANDIN_LAYOUT), so a sandbox failure would be visible there and contained.

import { SCENARIO_FORMAT, type Scenario, type Step } from '../scenario/types.ts';
import { LIMITS, REASON, limitMessage, type LimitName, type RefusalReason } from '../scenario/sandbox.ts';

/** what the test puts in the stand-in host before anything runs (paths relative to it) */
export const STANDIN_LAYOUT = {
  files: { 'etc/secret': 'stand-in host secret\n', 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n', 'dir/sub/deep/file': 'deep\n' },
  dirs: ['dir/empty'],
  fifo: 'fifo',
  devices: { 'dev/null': 'c 1 3', 'dev/zero': 'c 1 5' },
  symlinks: { 'link-dir': 'dir', 'link-up': '../..' } as Record<string, string>,
  /** a symlink to the absolute path of etc/secret */
  absSymlink: 'link-abs',
  /** a bpffs mounted there beforehand (mode=0700, delegate_cmds=any), with a directory in it */
  bpffs: 'bpf',
  bpffsDir: 'bpf/pinned',
} as const;

export interface HostileCase {
  /** file-name stem */
  id: string;
  /** the escape class it belongs to */
  klass: string;
  /** how it must be refused, in words (the report's table) */
  refusal: string;
  /** the scenario (raw JSON for the ones the validator must refuse) */
  scenario: Scenario;
  /** the validator refuses the whole scenario with this message (one line, exit 2) */
  limit?: string;
  /** the executor's parser refuses it too (checked through the reproducer, which skips the validator) */
  parserLimit?: LimitName;
  /** step index -> results the kernel may give (the model need not predict them: memory) */
  loose?: Record<number, string[]>;
  /** runs normally (injected text): no step is refused */
  runsNormally?: boolean;
}

const ROOT = { name: 'root', userns: 'init', kuid: 0, caps: 'all' as const, mntns: 'init' };
/** a bpffs of the scenario's own, as handle `mnt` (steps 1-3) */
const OWN: Step[] = [
  { actor: 'root', op: 'fsopen', fs: 'bpf', as: 'fsc', expect: 'ok' },
  { actor: 'root', op: 'fsconfig', fd: 'fsc', cmd: 'create', expect: 'ok' },
  { actor: 'root', op: 'fsmount', fd: 'fsc', as: 'mnt', expect: 'ok' },
];

const sc = (name: string, steps: Step[], extra: Partial<Scenario> = {}): Scenario => ({
  format: SCENARIO_FORMAT,
  name,
  description: 'hostile: must be refused without touching the host (oracle/hostile.test.ts)',
  actors: [ROOT],
  steps: [...OWN, ...steps],
  ...extra,
});

const refused = (st: Step, reason: RefusalReason): Step => ({ ...st, expect: 'REFUSED', expect_text: reason } as Step);
/** a handle a refused step named is not bound: using it is EBADF (fd 999) */
const unbound = (h: string): Step => ({ actor: 'root', op: 'close', fd: h, expect: 'EBADF' });
const open = (path: string, o_path = false): Step => ({ actor: 'root', op: 'open', dirfd: 'mnt', path, ...(o_path ? { o_path } : {}), as: 'x' });
const openRefused = (path: string, reason: RefusalReason = REASON.pathEscapes, o_path = false): Step[] => [refused(open(path, o_path), reason), unbound('x')];

/** every hostile case, for a stand-in host at absolute path `host` */
export function hostileCases(host: string): HostileCase[] {
  const H = host.replace(/\/+$/, '');
  const esc = REASON.pathEscapes;
  const cases: HostileCase[] = [];
  const add = (c: HostileCase): void => void cases.push(c);
  const path = (id: string, klass: string, steps: Step[], refusal: string = esc): void =>
    add({ id, klass, refusal, scenario: sc(`hostile ${id}`, steps) });

  // ---- absolute paths (static: absolute)
  path('abs-file', 'absolute path to a host file', openRefused(`${H}/etc/secret`));
  path('abs-dir', 'absolute path to a host directory', openRefused(`${H}/dir`, esc, true));
  path('abs-root', 'absolute path to /', openRefused('/', esc, true));
  path('abs-trailing-slash', 'absolute path with trailing slashes', openRefused(`${H}/dir///`, esc, true));
  path('abs-proc-magic-root', '/proc magic link into the host', openRefused(`/proc/self/root${H}/etc/secret`));
  path('abs-proc-fd', '/proc fd magic link', openRefused('/proc/self/fd/0'));
  path('abs-sys', '/sys', [...openRefused('/sys/fs/bpf', esc, true), ...openRefused('/sys/kernel/mm', esc, true)]);
  path('dev-null', 'device /dev/null', openRefused('/dev/null'));
  path('dev-zero', 'device /dev/zero', openRefused('/dev/zero'));
  path('dev-tty', 'device /dev/tty', openRefused('/dev/tty'));
  path('standin-device', 'device node on the stand-in host', [...openRefused(`${H}/dev/null`), ...openRefused(`${H}/dev/zero`)]);
  path('standin-fifo', 'FIFO on the stand-in host (a real open would block)', openRefused(`${H}/fifo`));
  path('standin-symlink', 'symlinks on the stand-in host', [
    ...openRefused(`${H}/link-dir/sub/deep/file`),
    ...openRefused(`${H}/link-abs`),
    ...openRefused(`${H}/link-up`, esc, true),
  ]);
  // ---- '..' components (static: a '..' component)
  path('dotdot-start', '".." at the start', openRefused(`../../..${H}/etc/secret`));
  path('dotdot-middle', '".." in the middle', openRefused('a/../../etc', esc, true));
  path('dotdot-end', '".." at the end', openRefused('a/..', esc, true));
  path('dotdot-only', '".." alone and with a trailing slash', [...openRefused('..', esc, true), ...openRefused('../', esc, true)]);
  path('dot-slash-slash-dotdot', '".//.." and "./../."', [...openRefused('.//..', esc, true), ...openRefused('./.././', esc, true)]);
  path('dotdot-after-1024', '".." after byte 1024 (escapes before length)', openRefused(`${'a/'.repeat(600)}..`, esc, true));
  // ---- length
  path('long-1025', 'a path of 1025 bytes', openRefused(`${'a/'.repeat(512)}b`, REASON.pathTooLong, true), REASON.pathTooLong);
  add({
    id: 'long-pathmax',
    klass: 'a path longer than PATH_MAX (5000 bytes)',
    refusal: `whole scenario: ${limitMessage('string')} (validator and executor parser)`,
    scenario: sc('hostile long-pathmax', openRefused('b'.repeat(5000), REASON.pathTooLong, true)),
    limit: limitMessage('string'),
    parserLimit: 'string',
  });
  // ---- NUL and control bytes
  path('nul-byte', 'a NUL byte in a path (C would see a shorter path)', [
    ...openRefused(`a\u0000/../../..${H}/etc/secret`),
    ...openRefused('\u0000', esc, true),
  ]);
  path('control-bytes', 'control bytes in paths (newline, tab, ESC, DEL)', [
    ...openRefused('a\nb', esc, true),
    ...openRefused('a\tb', esc, true),
    ...openRefused('\u001b[2J', esc, true),
    ...openRefused('a\u007f', esc, true),
  ]);
  // ---- other path ops
  path('mkdir-abs', 'mkdir at an absolute host path', [refused({ actor: 'root', op: 'mkdir', dirfd: 'mnt', path: `${H}/dir/evil` }, esc)]);
  path('mkdir-dotdot', 'mkdir through ".."', [refused({ actor: 'root', op: 'mkdir', dirfd: 'mnt', path: '../evil' }, esc)]);
  path('open_tree-abs-move_mount', 'open_tree clone of a host directory, then move_mount', [
    refused({ actor: 'root', op: 'open_tree', dirfd: 'mnt', path: `${H}/dir`, as: 't' }, esc),
    { actor: 'root', op: 'move_mount', fd: 't', expect: 'EBADF' },
  ]);
  path('open_tree-dotdot', 'open_tree through ".."', [refused({ actor: 'root', op: 'open_tree', dirfd: 'mnt', path: '..', as: 't' }, esc), unbound('t')]);
  path('fspick-host-tmpfs-ro', 'fspick of the stand-in host tmpfs + reconfigure ro', [
    refused({ actor: 'root', op: 'fspick', dirfd: 'mnt', path: H, as: 'p' }, esc),
    { actor: 'root', op: 'fsconfig', fd: 'p', cmd: 'set_flag', key: 'ro', expect: 'EBADF' },
    { actor: 'root', op: 'fsconfig', fd: 'p', cmd: 'reconfigure', expect: 'EBADF' },
  ]);
  // ---- the host's bpffs (mounted on the stand-in host beforehand)
  path('host-bpffs-mkdir', 'mkdir into a host bpffs', [refused({ actor: 'root', op: 'mkdir', dirfd: 'mnt', path: `${H}/bpf/evil` }, esc)]);
  path('host-bpffs-fspick-ro', 'fspick of a host bpffs + reconfigure ro', [
    refused({ actor: 'root', op: 'fspick', dirfd: 'mnt', path: `${H}/bpf`, as: 'p' }, esc),
    { actor: 'root', op: 'fsconfig', fd: 'p', cmd: 'set_flag', key: 'ro', expect: 'EBADF' },
    { actor: 'root', op: 'fsconfig', fd: 'p', cmd: 'reconfigure', expect: 'EBADF' },
  ]);
  path('host-bpffs-open_tree-mkdir', 'open_tree clone of a host bpffs + mkdir in the clone', [
    refused({ actor: 'root', op: 'open_tree', dirfd: 'mnt', path: `${H}/bpf`, as: 't' }, esc),
    { actor: 'root', op: 'mkdir', dirfd: 't', path: 'evil', expect: 'EBADF' },
  ]);
  path('host-bpffs-move_mount', 'open_tree clone of a host bpffs dir + move_mount', [
    refused({ actor: 'root', op: 'open_tree', dirfd: 'mnt', path: `${H}/bpf/pinned`, as: 't' }, esc),
    { actor: 'root', op: 'move_mount', fd: 't', expect: 'EBADF' },
  ]);
  path('host-bpffs-token', 'a BPF token from a host bpffs', [
    refused({ actor: 'root', op: 'open', dirfd: 'mnt', path: `${H}/bpf`, as: 'b' }, esc),
    { actor: 'root', op: 'token_create', bpffs: 'b', expect: 'EBADF' },
  ]);
  add({
    id: 'host-bpffs-from-userns',
    klass: 'a host bpffs from an actor in its own user and mount namespaces',
    refusal: esc,
    scenario: {
      format: SCENARIO_FORMAT,
      name: 'hostile host-bpffs-from-userns',
      userns: [{ name: 'u', parent: 'init', owner: 0, map: { base: 100000, count: 65536 } }],
      actors: [ROOT, { name: 'c', userns: 'u', kuid: 100000, caps: 'all', mntns: 'own' }],
      steps: [
        ...OWN,
        { actor: 'root', op: 'send_fd', fd: 'mnt', to: 'c', as: 'cm', expect: 'ok' },
        refused({ actor: 'c', op: 'fspick', dirfd: 'cm', path: `${H}/bpf`, as: 'p' }, esc),
        refused({ actor: 'c', op: 'mkdir', dirfd: 'cm', path: `../../..${H}/bpf/evil` }, esc),
      ],
    },
  });
  // ---- fsopen of filesystems with host superblocks, or whose name autoloads a module
  // tmpfs / ramfs (audit): fresh superblocks, but the model has only bpffs (it said ENODEV, the kernel ok)
  for (const fs of ['ext4', 'proc', 'sysfs', 'cgroup2', 'devtmpfs', 'vfat', 'bpftc-no-such-fs', '', 'bpf\n', 'BPF', 'tmpfs', 'ramfs'])
    add({
      id: `fsopen-${fs.replace(/[^a-z0-9]/gi, '_') || 'empty'}`,
      klass: `fsopen of ${JSON.stringify(fs)} (host superblock or module autoload)`,
      refusal: REASON.fsType,
      scenario: sc(`hostile fsopen ${JSON.stringify(fs)}`, [
        refused({ actor: 'root', op: 'fsopen', fs, as: 'f' }, REASON.fsType),
        { actor: 'root', op: 'fsconfig', fd: 'f', cmd: 'create', expect: 'EBADF' },
      ]),
    });
  // ---- anonymous-inode fds as dirfd: allowed by the check, the kernel says ENOTDIR
  path('dirfd-anon-inode', 'an fs context / map fd as the dirfd of a path step', [
    { actor: 'root', op: 'fsopen', fs: 'bpf', as: 'ctx', expect: 'ok' },
    { actor: 'root', op: 'open', dirfd: 'ctx', path: 'x', expect: 'ENOTDIR' },
    { actor: 'root', op: 'map_create', map_type: 2, as: 'm', expect: 'ok' },
    { actor: 'root', op: 'mkdir', dirfd: 'm', path: 'x', expect: 'ENOTDIR' },
  ], 'harmless: ENOTDIR');
  // ---- injected text in names, labels, handles, values (the wire protocol and the reproducer escape it)
  const evil = (tag: string): string => `${tag} */ system("touch ${H}/pwned-${tag}"); /* "quoted" %s %25 a=b,c:d\nstep i=0 actor=root op=mkdir dirfd=mnt path=${H}/x`;
  add({
    id: 'injected-names',
    klass: 'injected text in names, labels, actor/userns/handle names, fsconfig values',
    refusal: 'none: runs as written (text is percent-encoded on the wire, an escaped literal in C)',
    runsNormally: true,
    scenario: {
      format: SCENARIO_FORMAT,
      name: evil('name'),
      description: evil('description'),
      userns: [{ name: evil('userns'), parent: 'init', owner: 0, map: { base: 100000, count: 65536 } }],
      actors: [
        { ...ROOT, name: evil('actor') },
        { name: `spaced actor = %41\n"x"`, userns: evil('userns'), kuid: 100000, caps: 'all', mntns: 'own' },
      ],
      steps: [
        { actor: evil('actor'), op: 'fsopen', fs: 'bpf', as: evil('handle'), label: evil('label'), expect: 'ok' },
        { actor: evil('actor'), op: 'fsconfig', fd: evil('handle'), cmd: 'set_string', key: evil('key'), value: evil('value'), expect: 'ok' },
        { actor: evil('actor'), op: 'fsconfig', fd: evil('handle'), cmd: 'create', expect: 'ok' },
        { actor: evil('actor'), op: 'fsmount', fd: evil('handle'), as: 'm = %00 x', expect: 'ok' },
        { actor: evil('actor'), op: 'send_fd', fd: 'm = %00 x', to: `spaced actor = %41\n"x"`, as: 'h\nx', expect: 'ok' },
        { actor: `spaced actor = %41\n"x"`, op: 'mkdir', dirfd: 'h\nx', path: 'ok dir', expect: 'ok' },
        { actor: evil('actor'), op: 'open', dirfd: 'm = %00 x', path: '%2E%2E', expect: 'ENOENT', label: 'percent is not decoded twice' },
      ],
    },
  });
  // ---- a literal "-" (the wire's "absent"): a handle named "-", fsconfig key "-", mount data "-"
  add({
    id: 'dash-literals',
    klass: 'a literal "-" in a handle name, an fsconfig key and mount data (the wire protocol\'s "absent")',
    refusal: 'none: runs as written ("-" is sent as %2D; the kernel gave EBADF/EINVAL for NULL before)',
    runsNormally: true,
    scenario: sc('hostile dash-literals', [
      { actor: 'root', op: 'fsopen', fs: 'bpf', as: '-', expect: 'ok' },
      { actor: 'root', op: 'fsconfig', fd: '-', cmd: 'create', expect: 'ok' },
      { actor: 'root', op: 'fsmount', fd: '-', as: 'm2', expect: 'ok' },
      { actor: 'root', op: 'fsopen', fs: 'bpf', as: 'f', expect: 'ok' },
      { actor: 'root', op: 'fsconfig', fd: 'f', cmd: 'set_string', key: '-', value: 'x', expect: 'ok' },
      { actor: 'root', op: 'fsconfig', fd: 'f', cmd: 'set_flag', key: '-', expect: 'ok' },
      { actor: 'root', op: 'mount', data: '-', as: '-', expect: 'ok' },
      { actor: 'root', op: 'close', fd: '-', expect: 'ok' },
    ]),
  });
  // ---- the fd table's edge: the executor's own fds must not take numbers a scenario can allocate
  add({
    id: 'fd-table-full',
    klass: 'an actor fills its fd table to RLIMIT_NOFILE (1024), then dup2 without a target (control fds at 1000-1002 took three numbers)',
    refusal: 'none: runs as written (fds 3..1023 are the scenario\'s; EMFILE at 1024, dup2 EBADF), model and kernel agree',
    runsNormally: true,
    scenario: sc('hostile fd-table-full', [
      ...Array.from({ length: 1021 - 1 }, (_, i): Step => ({ actor: 'root', op: 'fsopen', fs: 'bpf', as: `h${i}` })),
      { actor: 'root', op: 'fsopen', fs: 'bpf', as: 'last', expect: 'EMFILE' },
      { actor: 'root', op: 'dup2', fd: 'h0', to: 'nosuch', expect: 'EBADF' },
      { actor: 'root', op: 'close', fd: 'h5', expect: 'ok' },
      { actor: 'root', op: 'dup2', fd: 'h0', to: 'nosuch', as: 'd', expect: 'ok' },
      { actor: 'root', op: 'fsopen', fs: 'bpf', expect: 'EMFILE' },
    ]),
  });
  // ---- legacy mount data at the page boundary (audit: the model parsed 4096 bytes, the kernel 4095;
  // the model refused keys over 255 bytes, which only fsconfig() does)
  add({
    id: 'mount-data-page',
    klass: 'legacy mount data of 4096 bytes (the kernel keeps 4095) and a 300-byte option key',
    refusal: 'none: runs as written (data is data), model and kernel agree',
    runsNormally: true,
    scenario: sc('hostile mount-data-page', [
      { actor: 'root', op: 'mount', data: `uid=${'0'.repeat(4091)}7`, as: 'big', expect: 'ok' },
      { actor: 'root', op: 'mountinfo', fd: 'big', expect: 'ok', expect_text: 'bpf none rw' },
      { actor: 'root', op: 'mount', data: 'k'.repeat(300), expect: 'ok' },
      { actor: 'root', op: 'mount', data: `mode=0700,${'k'.repeat(256)}=1`, expect: 'ok' },
    ]),
  });
  // ---- path components over NAME_MAX and the empty path (audit: the model created a 256-byte name)
  path('name-max', 'path components of 255/256/300 bytes (also in UTF-8: 128 x "é"), and mkdir of ""', [
    { actor: 'root', op: 'open', dirfd: 'mnt', path: '.', as: 'd', expect: 'ok' },
    { actor: 'root', op: 'mkdir', dirfd: 'd', path: 'a'.repeat(255), expect: 'ok' },
    { actor: 'root', op: 'mkdir', dirfd: 'd', path: 'a'.repeat(256), expect: 'ENAMETOOLONG' },
    { actor: 'root', op: 'open', dirfd: 'd', path: 'b'.repeat(300), expect: 'ENAMETOOLONG' },
    { actor: 'root', op: 'open_tree', dirfd: 'd', path: `${'a'.repeat(255)}/${'c'.repeat(256)}`, expect: 'ENAMETOOLONG' },
    { actor: 'root', op: 'fspick', dirfd: 'd', path: 'é'.repeat(128), expect: 'ENAMETOOLONG' },
    { actor: 'root', op: 'mkdir', dirfd: 'd', path: 'é'.repeat(127) + 'a', expect: 'ok' },
    { actor: 'root', op: 'mkdir', dirfd: 'd', path: '', expect: 'ENOENT' },
    { actor: 'root', op: 'mkdir', dirfd: 'd', path: 'x.y', expect: 'EPERM' },
  ], 'harmless: ENAMETOOLONG / ENOENT, model and kernel agree');
  // ---- numbers at their edges the model did not know (audit)
  path('prog-lone-exit', 'prog_load with insn_cnt 1 (a lone "exit": R0 never written)', [
    { actor: 'root', op: 'prog_load', prog_type: 1, insn_cnt: 1, expect: 'EACCES' },
    { actor: 'root', op: 'prog_load', prog_type: 31, insn_cnt: 1, prog_flags: 16, expect: 'EACCES' },
    { actor: 'root', op: 'prog_load', prog_type: 26, insn_cnt: 1, expect: 'EINVAL' },
    { actor: 'root', op: 'prog_load', prog_type: 1, insn_cnt: 2, expect: 'ok' },
  ], 'harmless: the verifier says EACCES, model and kernel agree');
  // ---- resource exhaustion
  path('rlimit-nofile-huge', 'rlimit_nofile 2^32-1 and 4097', [
    refused({ actor: 'root', op: 'rlimit_nofile', limit: 2 ** 32 - 1 }, REASON.fds),
    refused({ actor: 'root', op: 'rlimit_nofile', limit: 4097 }, REASON.fds),
    { actor: 'root', op: 'rlimit_nofile', limit: 4096 }, // allowed: ok or EPERM (no CAP_SYS_RESOURCE in the bounding set)
  ], REASON.fds);
  path('prog-load-2g-insns', 'prog_load with insn_cnt 2^31', [{ actor: 'root', op: 'prog_load', prog_type: 1, insn_cnt: 2 ** 31, expect: 'E2BIG' }], 'harmless: E2BIG');
  add({
    id: 'map-huge-max-entries',
    klass: 'map_create with huge max_entries',
    refusal: 'harmless: the kernel refuses the allocation (E2BIG/ENOMEM), memory limits hold',
    scenario: sc('hostile map-huge-max-entries', [
      { actor: 'root', op: 'map_create', map_type: 1, max_entries: 2 ** 32 - 1 },
      { actor: 'root', op: 'map_create', map_type: 2, value_size: 4096, max_entries: 2 ** 31 },
    ]),
    loose: { 3: ['E2BIG', 'ENOMEM', 'EINVAL'], 4: ['E2BIG', 'ENOMEM', 'EINVAL'] },
  });
  const limitCase = (id: string, klass: string, name: LimitName, s: Scenario): void =>
    add({ id, klass, refusal: `whole scenario: ${limitMessage(name)}`, scenario: s, limit: limitMessage(name), parserLimit: name });
  limitCase('steps-4097', `${LIMITS.steps + 1} steps`, 'steps', sc('hostile steps-4097', Array.from({ length: LIMITS.steps + 1 - OWN.length }, () => unbound('x'))));
  limitCase('actors-33', `${LIMITS.actors + 1} actors`, 'actors', {
    ...sc('hostile actors-33', []),
    actors: Array.from({ length: LIMITS.actors + 1 }, (_, i) => (i === 0 ? ROOT : { name: `a${i}`, userns: 'init', kuid: 1000 + i, caps: [] })),
  });
  limitCase('userns-33', `${LIMITS.userns + 1} user namespaces`, 'userns', {
    ...sc('hostile userns-33', []),
    userns: Array.from({ length: LIMITS.userns + 1 }, (_, i) => ({ name: `u${i}`, parent: 'init', owner: 0, map: { base: 100000 + i * 1000, count: 1000 } })),
  });
  limitCase('userns-depth-9', `user namespaces nested ${LIMITS.depth + 1} deep`, 'depth', {
    ...sc('hostile userns-depth-9', []),
    userns: Array.from({ length: LIMITS.depth + 1 }, (_, i) => ({ name: `d${i}`, parent: i ? `d${i - 1}` : 'init', owner: 100000, map: { base: 100000, count: 1000 } })),
  });
  // per-CPU map values: the memory cgroup does not charge them (oracle/SANDBOX.md "Limits")
  limitCase('percpu-array-655mb', 'a per-CPU array of 655 MB per CPU (not charged to the memory cgroup)', 'percpu',
    sc('hostile percpu-array-655mb', [{ actor: 'root', op: 'map_create', map_type: 6, value_size: 32768, max_entries: 20000 }]));
  limitCase('percpu-maps-cumulative', 'per-CPU hash maps of 10 MB each, two of them (the limit is per scenario)', 'percpu',
    sc('hostile percpu-maps-cumulative', [
      { actor: 'root', op: 'map_create', map_type: 5, value_size: 1024, max_entries: 10240 },
      { actor: 'root', op: 'map_create', map_type: 10, value_size: 1021, max_entries: 10240 },
    ]));
  limitCase('percpu-overflow', 'a per-CPU map whose size overflows 64 bits (2^32-1 * 2^32-1)', 'percpu',
    sc('hostile percpu-overflow', [{ actor: 'root', op: 'map_create', map_type: 21, value_size: 2 ** 32 - 1, max_entries: 2 ** 32 - 1 }]));
  return cases;
}
