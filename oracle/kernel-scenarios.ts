// Hand-written, labelled scenarios that the model and the real kernel must
// agree on (oracle/driver.test.ts). They cover the errno tables of
// spec/token-core.md §T1-§T4 plus fd passing, dup2, close, capset
// and seteuid. Plain data: `node --import tsx oracle/write-kernel-corpus.ts`
// saves them as corpus/kernel/*.json. Names are selftest-style labels naming
// the expectation; `expect` is set where the spec states the result.

import type { ActorDecl, Scenario, Step, UsernsDecl } from '../scenario/types.ts';
import { MAP, PROG, ATTACH, __MAX_BPF_MAP_TYPE, __MAX_BPF_PROG_TYPE } from '../model/enums.ts';

type S = Step;

// -- cast: a userns child "c" (root of u, own mount namespace), an init-root
//    helper "p" sharing the scenario's init-owned mount namespace, and "q", an
//    init actor whose kuid 100000 is mapped in u (can mkdir in c's bpffs).
const U: UsernsDecl = { name: 'u', parent: 'init', owner: 0, map: { base: 100000, count: 65536 } };
const C: ActorDecl = { name: 'c', userns: 'u', kuid: 100000, caps: 'all' };
const P: ActorDecl = { name: 'p', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' };
const Q: ActorDecl = { name: 'q', userns: 'init', kuid: 100000, caps: 'all', mntns: 'init' };
/** init root with its own (init-owned) mount namespace */
const R: ActorDecl = { name: 'r', userns: 'init', kuid: 0, caps: 'all', mntns: 'own' };

function scen(name: string, actors: ActorDecl[], steps: S[], userns: UsernsDecl[] = [U]): Scenario {
  const used = new Set(actors.map((a) => a.userns));
  return {
    format: 'bpftc/1',
    name,
    userns: userns.filter((u) => used.has(u.name) || userns.some((v) => v.parent === u.name && used.has(v.name))),
    actors,
    steps,
    meta: { kernel_checkable: true, note: 'hand-written kernel scenario (oracle/kernel-scenarios.ts)' },
  };
}

type NoActor = S extends infer T ? (T extends S ? Omit<T, 'actor'> : never) : never;
const c = (x: NoActor): S => ({ actor: 'c', ...x }) as S;
const p = (x: NoActor): S => ({ actor: 'p', ...x }) as S;
const q = (x: NoActor): S => ({ actor: 'q', ...x }) as S;
const r = (x: NoActor): S => ({ actor: 'r', ...x }) as S;

/** the canonical flow up to c's open bpffs root `root` (mount fd `mnt`, fs fd `fs`) */
function delegated(del: Array<[string, string]>): S[] {
  return [
    c({ op: 'fsopen', as: 'fs', expect: 'ok' }),
    c({ op: 'send_fd', fd: 'fs', to: 'p', as: 'pfs', expect: 'ok' }),
    ...del.map(([key, value]) => p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key, value, expect: 'ok' })),
    p({ op: 'fsconfig', fd: 'pfs', cmd: 'create', expect: 'ok' }),
    c({ op: 'fsmount', fd: 'fs', as: 'mnt', expect: 'ok' }),
    c({ op: 'open', dirfd: 'mnt', path: '.', as: 'root', expect: 'ok' }),
  ];
}
const withToken = (del: Array<[string, string]>): S[] => [...delegated(del), c({ op: 'token_create', bpffs: 'root', as: 'tok', expect: 'ok' })];
const ANY: Array<[string, string]> = [
  ['delegate_cmds', 'any'],
  ['delegate_maps', 'any'],
  ['delegate_progs', 'any'],
  ['delegate_attachs', 'any'],
];

/** an init-root bpffs of r's own, attached in r's mount namespace; root fd `rroot` */
function rBpffs(opts: Array<[string, string]>, as = 'rroot'): S[] {
  return [
    r({ op: 'fsopen', as: 'rfs', expect: 'ok' }),
    ...opts.map(([key, value]) => r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key, value })),
    r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', expect: 'ok' }),
    r({ op: 'fsmount', fd: 'rfs', as: 'rmnt', expect: 'ok' }),
    r({ op: 'move_mount', fd: 'rmnt', expect: 'ok' }),
    r({ op: 'open', dirfd: 'rmnt', path: '.', as, expect: 'ok' }),
  ];
}

const out: Scenario[] = [];
const add = (s: Scenario): void => void out.push(s);

// ================================================================ spec/token-core.md §T1 BPF_TOKEN_CREATE
{
  const D: Array<[string, string]> = [['delegate_cmds', 'any']];
  const tc = (label: string, extra: S[], actors: ActorDecl[] = [C, P]): void =>
    add(scen(`token_create: ${label}`, actors, [...delegated(D), ...extra]));
  tc('attr size 4097 -> E2BIG', [c({ op: 'token_create', bpffs: 'root', size: 4097, expect: 'E2BIG' })]);
  tc('size 200 with non-zero tail byte 199 -> E2BIG; zero tail -> ok', [
    c({ op: 'token_create', bpffs: 'root', size: 200, tail_byte: 199, expect: 'E2BIG' }),
    c({ op: 'token_create', bpffs: 'root', size: 200, tail_byte: 168, expect: 'E2BIG' }),
    c({ op: 'token_create', bpffs: 'root', size: 200, expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', size: 4096, expect: 'ok' }),
  ]);
  tc('CHECK_ATTR: bytes 8, 9, 167 -> EINVAL; byte beyond size ignored', [
    c({ op: 'token_create', bpffs: 'root', size: 168, tail_byte: 8, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'root', size: 168, tail_byte: 9, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'root', size: 168, tail_byte: 167, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'root', size: 8, tail_byte: 8, expect: 'ok' }),
  ]);
  tc('flags=1 -> EINVAL, checked before the fd', [
    c({ op: 'token_create', bpffs: 'root', flags: 1, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'nosuch', flags: 1, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'nosuch', size: 168, tail_byte: 100, expect: 'EINVAL', label: 'CHECK_ATTR before fd' }),
  ]);
  tc('bad fd, another actor\'s fd, O_PATH fsmount fd, O_PATH open -> EBADF', [
    c({ op: 'token_create', bpffs: 'nosuch', expect: 'EBADF' }),
    c({ op: 'token_create', bpffs: 'pfs', expect: 'EBADF' }),
    c({ op: 'token_create', bpffs: 'mnt', expect: 'EBADF' }),
    c({ op: 'open', dirfd: 'mnt', path: '.', o_path: true, as: 'op', expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'op', expect: 'EBADF' }),
  ]);
  tc('short attr (size 4): bpffs_fd 0 = /dev/null, not a bpffs root -> EINVAL', [
    c({ op: 'token_create', bpffs: 'root', size: 4, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'root', size: 0, expect: 'EINVAL' }),
  ]);
  tc(
    'subdirectory, preload file, fs context fd -> EINVAL',
    [
      c({ op: 'send_fd', fd: 'root', to: 'q', as: 'qroot', expect: 'ok' }),
      q({ op: 'mkdir', dirfd: 'qroot', path: 'sub', expect: 'ok' }),
      c({ op: 'open', dirfd: 'root', path: 'sub', as: 'sub', expect: 'ok' }),
      c({ op: 'token_create', bpffs: 'sub', expect: 'EINVAL' }),
      q({ op: 'open', dirfd: 'qroot', path: 'maps.debug', as: 'dbg', expect: 'ENOENT', label: 'preload iterator files cannot be opened for reading on this kernel' }),
      q({ op: 'open', dirfd: 'qroot', path: 'maps.debug', o_path: true, as: 'dbgp', expect: 'ok' }),
      q({ op: 'token_create', bpffs: 'dbgp', expect: 'EBADF' }),
      c({ op: 'token_create', bpffs: 'fs', expect: 'EINVAL' }),
      c({ op: 'open_tree', dirfd: 'root', path: 'sub', as: 'subtree' }),
      c({ op: 'token_create', bpffs: 'subtree', expect: 'EBADF', label: 'open_tree fds are O_PATH' }),
    ],
    [C, P, Q],
  );
  tc('mkdir by init root in a userns bpffs: its fsuid is unmapped -> EOVERFLOW', [
    c({ op: 'send_fd', fd: 'root', to: 'p', as: 'proot' }),
    p({ op: 'mkdir', dirfd: 'proot', path: 'sub', expect: 'EOVERFLOW' }),
  ]);
  tc('init root (all caps) on a userns bpffs -> EPERM (namespace rule)', [
    c({ op: 'send_fd', fd: 'root', to: 'p', as: 'proot', expect: 'ok' }),
    p({ op: 'token_create', bpffs: 'proot', expect: 'EPERM' }),
  ]);
  tc('CAP_BPF dropped (SYS_ADMIN kept) -> EPERM; SYS_ADMIN dropped -> ok', [
    c({ op: 'capset', effective: ['SYS_ADMIN'], expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'EPERM' }),
    c({ op: 'capset', effective: ['BPF'], expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'ok' }),
  ]);
  tc('RLIMIT_NOFILE exhausted -> EMFILE; EINVAL checks still win', [
    c({ op: 'rlimit_nofile', limit: 6, expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', flags: 1, expect: 'EINVAL' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'EMFILE' }),
    c({ op: 'close', fd: 'mnt', expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', as: 'tok', expect: 'ok' }),
    c({ op: 'rlimit_nofile', limit: 4096, expect: 'EPERM', label: 'raising the hard limit needs CAP_SYS_RESOURCE in init' }),
  ]);
  tc('success; fdinfo shows any; info shows raw masks', [
    c({ op: 'token_create', bpffs: 'root', as: 'tok', expect: 'ok' }),
    c({ op: 'token_fdinfo', fd: 'tok', expect: 'ok' }),
    c({ op: 'obj_get_info', fd: 'tok', expect: 'ok' }),
    c({ op: 'obj_get_info', fd: 'tok', info_len: 16, expect: 'ok' }),
    c({ op: 'obj_get_info', fd: 'tok', info_len: 64, expect: 'ok' }),
    c({ op: 'obj_get_info', fd: 'tok', info_len: 5000, expect: 'E2BIG' }),
    c({ op: 'obj_get_info', fd: 'nosuch', expect: 'EBADFD' }),
    c({ op: 'obj_get_info', fd: 'root', expect: 'EINVAL' }),
    c({ op: 'obj_get_info', fd: 'fs', expect: 'EINVAL' }),
    c({ op: 'token_fdinfo', fd: 'root', expect: 'ENOENT' }),
    c({ op: 'token_fdinfo', fd: 'nosuch', expect: 'ENOENT' }),
  ]);
  add(
    scen('token_create: no delegation -> ENOENT; only unknown high bits count as delegation', [C, P], [
      ...delegated([]),
      c({ op: 'token_create', bpffs: 'root', expect: 'ENOENT' }),
      c({ op: 'fsopen', as: 'fs2' }),
      c({ op: 'send_fd', fd: 'fs2', to: 'p', as: 'pfs2' }),
      p({ op: 'fsconfig', fd: 'pfs2', cmd: 'set_string', key: 'delegate_attachs', value: '0x8000000000000000', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs2', cmd: 'create', expect: 'ok' }),
      c({ op: 'fsmount', fd: 'fs2', as: 'mnt2' }),
      c({ op: 'open', dirfd: 'mnt2', path: '.', as: 'root2' }),
      c({ op: 'token_create', bpffs: 'root2', as: 'tok', expect: 'ok' }),
      c({ op: 'token_fdinfo', fd: 'tok', expect: 'ok' }),
      c({ op: 'obj_get_info', fd: 'tok', expect: 'ok' }),
      c({ op: 'move_mount', fd: 'mnt2', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'root2', expect: 'ok', label: 'unknown bits are hidden' }),
    ]),
  );
  add(
    scen('token_create: init root on init bpffs -> EOPNOTSUPP, with and without delegation', [R], [
      ...rBpffs([['delegate_cmds', 'any']]),
      r({ op: 'token_create', bpffs: 'rroot', expect: 'EOPNOTSUPP' }),
      r({ op: 'mount', data: 'mode=0700', as: 'm2', expect: 'ok' }),
      r({ op: 'token_create', bpffs: 'm2', expect: 'EOPNOTSUPP' }),
    ]),
  );
  add(
    scen('token_create: userns root on an init-owned bpffs -> EPERM; sibling userns -> EPERM', [C, P, { name: 's', userns: 'v', kuid: 200000, caps: 'all' }], [
      p({ op: 'fsopen', as: 'pfs' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: 'any' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'create', expect: 'ok' }),
      p({ op: 'fsmount', fd: 'pfs', as: 'pmnt' }),
      p({ op: 'open', dirfd: 'pmnt', path: '.', as: 'proot', expect: 'ok' }),
      p({ op: 'send_fd', fd: 'proot', to: 'c', as: 'croot', expect: 'ok' }),
      c({ op: 'token_create', bpffs: 'croot', expect: 'EPERM' }),
      ...delegated([['delegate_cmds', 'any']]),
      c({ op: 'send_fd', fd: 'root', to: 's', as: 'sroot', expect: 'ok' }),
      { actor: 's', op: 'token_create', bpffs: 'sroot', expect: 'EPERM' },
      c({ op: 'token_create', bpffs: 'root', expect: 'ok' }),
    ], [U, { name: 'v', parent: 'init', owner: 0, map: { base: 200000, count: 65536 } }]),
  );
  add(
    scen('token_create: nested userns child on its parent userns bpffs -> EPERM', [C, P, { name: 'n', userns: 'w', kuid: 100000, caps: 'all' }], [
      ...delegated([['delegate_cmds', 'any']]),
      c({ op: 'send_fd', fd: 'root', to: 'n', as: 'nroot', expect: 'ok' }),
      { actor: 'n', op: 'token_create', bpffs: 'nroot', expect: 'EPERM' },
    ], [U, { name: 'w', parent: 'u', owner: 100000, map: { base: 100000, count: 1000 } }]),
  );
  add(
    scen('token_create: token survives unmount and closing of the bpffs fds', [C, P], [
      ...withToken([['delegate_cmds', 'map_create'], ['delegate_maps', 'array']]),
      c({ op: 'close', fd: 'root', expect: 'ok' }),
      c({ op: 'close', fd: 'mnt', expect: 'ok' }),
      c({ op: 'close', fd: 'fs', expect: 'ok' }),
      p({ op: 'close', fd: 'pfs', expect: 'ok' }),
      c({ op: 'map_create', map_type: MAP.ARRAY!, token: 'tok', expect: 'ok' }),
    ]),
  );
  add(
    scen('token_create: bind of the bpffs root via open_tree clone + move_mount -> ok', [C, P], [
      ...delegated([['delegate_cmds', 'any']]),
      c({ op: 'open_tree', dirfd: 'root', path: '', as: 'clone', expect: 'ok' }),
      c({ op: 'move_mount', fd: 'clone', expect: 'ok' }),
      c({ op: 'open', dirfd: 'clone', path: '.', as: 'croot', expect: 'ok' }),
      c({ op: 'token_create', bpffs: 'croot', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'croot', expect: 'ok' }),
    ]),
  );
}

// ================================================================ spec/token-core.md §T2 bpffs options
{
  const V = (key: string, value: string, expect?: string): S =>
    r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key, value, ...(expect ? { expect } : {}) });
  const mountAndShow = (): S[] => [
    r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', expect: 'ok' }),
    r({ op: 'fsmount', fd: 'rfs', as: 'rmnt', expect: 'ok' }),
    r({ op: 'move_mount', fd: 'rmnt', expect: 'ok' }),
    r({ op: 'open', dirfd: 'rmnt', path: '.', as: 'rroot', expect: 'ok' }),
    r({ op: 'mountinfo', fd: 'rroot', expect: 'ok' }),
  ];
  const grammar: Array<[string, string, string, string]> = [
    // key, value, expect, label
    ['delegate_cmds', 'map_create:0x20', 'ok', 'number overwrites'],
    ['delegate_cmds', '0x20:map_create', 'ok', 'number then name ORs'],
    ['delegate_cmds', 'ANY', 'EINVAL', 'any is case-sensitive'],
    ['delegate_cmds', 'Map_Create', 'ok', 'names are case-insensitive'],
    ['delegate_cmds', 'bpf_map_create', 'EINVAL', 'full name'],
    ['delegate_maps', 'map_create', 'EINVAL', 'wrong enum'],
    ['delegate_maps', 'map_type_array', 'EINVAL', 'prefixed'],
    ['delegate_cmds', '', 'EINVAL', 'empty'],
    ['delegate_cmds', 'map_create,prog_load', 'EINVAL', 'comma'],
    ['delegate_cmds', 'map_create::prog_load', 'EINVAL', 'empty piece'],
    ['delegate_cmds', ':map_create', 'EINVAL', 'leading colon'],
    ['delegate_cmds', 'map_create:', 'EINVAL', 'trailing colon'],
    ['delegate_cmds', 'max_bpf_cmd', 'EINVAL', '__MAX not nameable'],
    ['delegate_cmds', '99999999999999999999999', 'ERANGE', '> 2^64-1'],
    ['delegate_cmds', '18446744073709551615', 'ok', '2^64-1'],
    ['delegate_cmds', '-1', 'EINVAL', 'negative'],
    ['delegate_cmds', '0x', 'EINVAL', 'bare 0x'],
    ['delegate_cmds', '08', 'EINVAL', 'bad octal'],
    ['delegate_cmds', '010', 'ok', 'octal'],
    ['delegate_cmds', '+5', 'ok', 'plus sign'],
    ['delegate_cmds', '1\n', 'ok', 'trailing newline'],
    ['delegate_cmds', ' 1', 'EINVAL', 'leading space'],
    ['delegate_progs', 'xdp:socket_filter', 'ok', 'prog names'],
    ['delegate_attachs', 'cgroup_inet_ingress:xdp', 'ok', 'attach names'],
    ['delegate_cmds', 'prog_run', 'ok', 'alias'],
    ['delegate_maps', 'cgroup_storage:percpu_cgroup_storage', 'ok', 'aliases'],
    ['delegate_cmds', '0', 'ok', 'zero is a no-op'],
    ['delegate_cmds', 'any:map_create', 'ok', 'any then name'],
  ];
  for (const [key, value, expect, label] of grammar)
    add(
      scen(`fsconfig ${key}=${JSON.stringify(value)} by init root -> ${expect} (${label}); mountinfo renders it`, [R], [
        r({ op: 'fsopen', as: 'rfs', expect: 'ok' }),
        V(key, value, expect),
        ...mountAndShow(),
      ]),
    );
  add(
    scen('mountinfo: every option at once, hidden unknown bits, aliases print the first name', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      V('delegate_cmds', '0xc000000000000001', 'ok'),
      V('delegate_maps', 'cgroup_storage:percpu_cgroup_storage:0x8000000000000000', 'ok'),
      V('delegate_maps', 'cgroup_storage', 'ok'),
      V('delegate_progs', 'any', 'ok'),
      V('delegate_attachs', '0x3ffffffffffffff', 'ok'),
      V('mode', '1777', 'ok'),
      V('uid', '1000', 'ok'),
      V('gid', '2000', 'ok'),
      ...mountAndShow(),
    ]),
  );
  add(
    scen('fsconfig uid/gid/mode values: octal mode, bad values -> EINVAL', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      V('mode', '0x1ff', 'EINVAL'),
      V('mode', '8', 'EINVAL'),
      V('mode', '700', 'ok'),
      V('mode', '17777', 'ok'),
      V('mode', '', 'EINVAL'),
      V('uid', '-1', 'EINVAL'),
      V('uid', '4294967295', 'EINVAL'),
      V('uid', '0x10', 'ok'),
      V('uid', '4294967296', 'EINVAL'),
      V('gid', 'abc', 'EINVAL'),
      V('gid', '010', 'ok'),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'uid', expect: 'EINVAL' }),
      ...mountAndShow(),
    ]),
  );
  add(
    scen('fsconfig source: shown as mount source; a second source -> EINVAL; set_flag source -> EINVAL', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'source', expect: 'EINVAL' }),
      V('source', 'mysrc', 'ok'),
      V('source', 'other', 'EINVAL'),
      ...mountAndShow(),
    ]),
  );
  add(
    scen('fsconfig unknown keys are ignored; SET_FLAG on a delegate key -> EINVAL; generic sb flags', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      V('foo', 'bar', 'ok'),
      V('delegate_foo', 'any', 'ok'),
      V('Delegate_Cmds', 'any', 'ok'),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'foo', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'delegate_cmds', expect: 'EINVAL' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'mode', expect: 'EINVAL' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key: 'delegate_cmds', expect: 'EINVAL', label: 'NULL value' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'sync', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'lazytime', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'dirsync', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'mand' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'ro', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key: 'ro', value: 'x' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', key: 'x', expect: 'EINVAL' }),
      ...mountAndShow(),
    ]),
  );
  add(
    scen('fsconfig sb flags: rw/async/nolazytime/nomand clear them', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'ro' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'rw' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'sync' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'async' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'nomand' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_flag', key: 'nolazytime' }),
      ...mountAndShow(),
    ]),
  );
  add(
    scen('fsconfig by the unprivileged userns root: delegate != 0 -> EPERM, 0 ok, parse errors first, CMD_CREATE -> EPERM then EBUSY', [C], [
      c({ op: 'fsopen', as: 'fs', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'EPERM' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: '0', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: 'bogus', expect: 'EINVAL' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: '99999999999999999999999', expect: 'ERANGE' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_maps', value: 'array', expect: 'EPERM' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'uid', value: '0', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'uid', value: '65536', expect: 'EINVAL', label: 'unmapped in the caller userns' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'mode', value: '700', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'foo', value: 'bar', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'create', expect: 'EPERM', label: 'bpf_fill_super needs init CAP_SYS_ADMIN' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'foo', value: 'bar', expect: 'EBUSY', label: 'context FAILED' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'create', expect: 'EBUSY' }),
      c({ op: 'fsmount', fd: 'fs', expect: 'EINVAL' }),
    ]),
  );
  add(
    scen('userns root without its own mount namespace: fsopen -> EPERM', [P, { ...C, mntns: 'p' }], [
      c({ op: 'fsopen', as: 'fs', expect: 'EPERM' }),
      c({ op: 'mount', data: 'mode=0700', expect: 'EPERM' }),
    ]),
  );
  add(
    scen('init root with CAP_SYS_ADMIN dropped from effective: delegate != 0 -> EPERM, = 0 ok, CMD_CREATE -> EPERM (mount_capable, context stays usable)', [C, P], [
      c({ op: 'fsopen', as: 'fs' }),
      c({ op: 'send_fd', fd: 'fs', to: 'p', as: 'pfs' }),
      p({ op: 'capset', effective: ['BPF', 'NET_ADMIN', 'PERFMON'], expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'EPERM' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: '0', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'create', expect: 'EPERM' }),
      c({ op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'foo', value: 'x', expect: 'EBUSY', label: 'owner rule: p (euid 0) owns u, so mount_capable passed and bpf_fill_super failed the context' }),
      p({ op: 'fsopen', as: 'p2', expect: 'EPERM', label: 'fsopen needs SYS_ADMIN over the mount ns' }),
    ]),
  );
  add(
    scen('fs context phases: CMD_CREATE twice -> EBUSY; after fsmount SET_* ok, CMD_CREATE and fsmount -> EBUSY; reconfigure ignored', [R], [
      r({ op: 'fsopen', as: 'rfs' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'reconfigure', expect: 'EBUSY' }),
      r({ op: 'fsmount', fd: 'rfs', expect: 'EINVAL', label: 'no superblock yet' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', expect: 'EBUSY' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key: 'mode', value: '700', expect: 'EBUSY' }),
      r({ op: 'fsmount', fd: 'rfs', as: 'rmnt', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'create', expect: 'EBUSY' }),
      r({ op: 'fsmount', fd: 'rfs', expect: 'EBUSY' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'reconfigure', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'rfs', cmd: 'reconfigure', expect: 'ok' }),
      r({ op: 'move_mount', fd: 'rmnt', expect: 'ok' }),
      r({ op: 'move_mount', fd: 'rmnt', expect: 'ok', label: 'an attached mount of our namespace moves again' }),
      r({ op: 'open', dirfd: 'rmnt', path: '.', as: 'rroot' }),
      r({ op: 'mountinfo', fd: 'rroot', expect: 'ok', label: 'delegation unchanged by reconfigure' }),
      r({ op: 'fsmount', fd: 'nosuch', expect: 'EBADF' }),
      r({ op: 'fsmount', fd: 'rroot', expect: 'EINVAL' }),
    ]),
  );
  add(
    scen('fspick + reconfigure: delegation and mode accepted and ignored; unprivileged fspick context -> EPERM for delegation', [C, P], [
      ...delegated([['delegate_cmds', 'map_create']]),
      c({ op: 'move_mount', fd: 'mnt', expect: 'ok' }),
      c({ op: 'fspick', dirfd: 'root', path: '', as: 'pick', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'pick', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'EPERM' }),
      c({ op: 'fsconfig', fd: 'pick', cmd: 'set_string', key: 'mode', value: '700', expect: 'ok' }),
      c({ op: 'fsconfig', fd: 'pick', cmd: 'reconfigure', expect: 'ok' }),
      c({ op: 'send_fd', fd: 'pick', to: 'p', as: 'ppick' }),
      p({ op: 'fsconfig', fd: 'ppick', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'ppick', cmd: 'reconfigure', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'root', expect: 'ok' }),
      c({ op: 'fspick', dirfd: 'root', path: 'maps.debug', expect: 'EINVAL', label: 'not a mount root' }),
      c({ op: 'fspick', dirfd: 'nosuch', path: '', expect: 'EBADF' }),
      c({ op: 'token_create', bpffs: 'root', as: 'tok', expect: 'ok' }),
      c({ op: 'token_fdinfo', fd: 'tok', expect: 'ok' }),
    ]),
  );
  add(
    scen('fspick + reconfigure ro: generic sb flags do change', [R], [
      ...rBpffs([]),
      r({ op: 'fspick', dirfd: 'rroot', path: '', as: 'pick', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'pick', cmd: 'set_flag', key: 'ro', expect: 'ok' }),
      r({ op: 'fsconfig', fd: 'pick', cmd: 'reconfigure', expect: 'ok' }),
      r({ op: 'mountinfo', fd: 'rroot', expect: 'ok' }),
      r({ op: 'mkdir', dirfd: 'rroot', path: 'x', expect: 'EROFS' }),
    ]),
  );
  const legacy: Array<[string, string]> = [
    ['delegate_cmds=map_create:prog_load,delegate_maps=array,foo=bar,mode=0700', 'ok'],
    ['delegate_cmds=any,delegate_progs=xdp,uid=1000,gid=1000', 'ok'],
    ['mode=0x1ff', 'EINVAL'],
    ['delegate_cmds=bogus', 'EINVAL'],
    [',,mode=0755,,', 'ok'],
    ['ro,delegate_maps=0x8000000000000002', 'ok'],
    ['source=abc', 'EINVAL'],
    ['delegate_cmds', 'EINVAL'],
    ['=x,uid=5', 'ok'],
  ];
  for (const [data, expect] of legacy)
    add(
      scen(`legacy mount data ${JSON.stringify(data)} by init root -> ${expect}; mountinfo`, [R], [
        r({ op: 'mount', data, as: 'm', expect }),
        r({ op: 'mountinfo', fd: 'm' }),
      ]),
    );
  add(
    scen('legacy mount by the userns root -> EPERM', [C], [c({ op: 'mount', data: 'mode=0700', expect: 'EPERM' })]),
  );
  add(
    scen('mountinfo: uid/gid of a userns bpffs in init numbering; detached mount not in the table -> ENOENT', [C, P], [
      ...delegated([['delegate_progs', 'xdp'], ['delegate_attachs', 'any']]),
      c({ op: 'mountinfo', fd: 'root', expect: 'ENOENT' }),
      c({ op: 'mountinfo', fd: 'mnt', expect: 'ENOENT' }),
      c({ op: 'move_mount', fd: 'mnt', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'root', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'mnt', expect: 'ok' }),
      c({ op: 'mountinfo', fd: 'fs', expect: 'ENOENT' }),
      c({ op: 'send_fd', fd: 'root', to: 'p', as: 'proot' }),
      p({ op: 'mountinfo', fd: 'proot', expect: 'ENOENT', label: "another mount namespace" }),
    ]),
  );
  add(
    scen('fsconfig uid/gid by init root on a userns fs context: must be mapped in the fs userns', [C, P], [
      c({ op: 'fsopen', as: 'fs' }),
      c({ op: 'send_fd', fd: 'fs', to: 'p', as: 'pfs' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'uid', value: '0', expect: 'EINVAL' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'uid', value: '100005', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'gid', value: '165536', expect: 'EINVAL' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'gid', value: '165535', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'mode', value: '0750', expect: 'ok' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'create', expect: 'ok' }),
      c({ op: 'fsmount', fd: 'fs', as: 'mnt' }),
      c({ op: 'move_mount', fd: 'mnt' }),
      c({ op: 'open', dirfd: 'mnt', path: '.', as: 'root' }),
      c({ op: 'mountinfo', fd: 'root', expect: 'ok' }),
    ]),
  );
  add(
    scen('fsopen flags and filesystem names', [R], [
      r({ op: 'fsopen', flags: 2, expect: 'EINVAL' }),
      r({ op: 'fsopen', flags: 1, as: 'x', expect: 'ok' }),
      r({ op: 'fsopen', fs: 'nosuchfs', expect: 'REFUSED', expect_text: 'filesystem type not allowed', label: 'sandbox: only bpf (oracle/SANDBOX.md)' }),
      r({ op: 'fsconfig', fd: 'nosuch', cmd: 'set_string', key: 'a', value: 'b', expect: 'EBADF' }),
    ]),
  );
  add(
    scen('open/mkdir in a bpffs: mode 0700 root owned by another uid, DAC', [R, { name: 'n', userns: 'init', kuid: 1000, caps: [], mntns: 'r' }], [
      ...rBpffs([['mode', '0700']]),
      r({ op: 'mkdir', dirfd: 'rroot', path: 'd', expect: 'ok' }),
      r({ op: 'mkdir', dirfd: 'rroot', path: 'd', expect: 'EEXIST' }),
      r({ op: 'mkdir', dirfd: 'rroot', path: 'nodir/x', expect: 'ENOENT' }),
      r({ op: 'mkdir', dirfd: 'rroot', path: 'maps.debug/x', expect: 'ENOTDIR' }),
      r({ op: 'send_fd', fd: 'rroot', to: 'n', as: 'nroot' }),
      { actor: 'n', op: 'open', dirfd: 'nroot', path: 'd', expect: 'EACCES' },
      { actor: 'n', op: 'open', dirfd: 'nroot', path: '.', expect: 'EACCES' },
      { actor: 'n', op: 'open', dirfd: 'nroot', path: '.', o_path: true, expect: 'EACCES', label: 'lookup of "." needs MAY_EXEC' },
      { actor: 'n', op: 'mkdir', dirfd: 'nroot', path: 'e', expect: 'EACCES' },
      r({ op: 'open', dirfd: 'rroot', path: './maps.debug', as: 'dbg', expect: 'ENOENT' }),
      r({ op: 'open', dirfd: 'rroot', path: 'd/./../maps.debug', o_path: true, expect: 'REFUSED', expect_text: 'path escapes the scenario', label: 'sandbox: no ".." component' }),
      r({ op: 'open', dirfd: 'rroot', path: './maps.debug', o_path: true, expect: 'ok' }),
      r({ op: 'open', dirfd: 'rroot', path: 'nope', expect: 'ENOENT' }),
    ]),
  );
}

// ================================================================ spec/token-core.md §T3 map_create, prog_load, BTF
/** per map type: attributes that a privileged create accepts (or the type's own EINVAL) */
const MAP_ATTRS: Record<number, Partial<Record<'key_size' | 'value_size' | 'max_entries' | 'map_flags' | 'map_extra', number>>> = {
  [MAP.STACK_TRACE!]: { value_size: 8 },
  [MAP.LPM_TRIE!]: { key_size: 8, map_flags: 1 },
  [MAP.CGROUP_STORAGE_DEPRECATED!]: { key_size: 8, max_entries: 0 },
  [MAP.PERCPU_CGROUP_STORAGE_DEPRECATED!]: { key_size: 8, max_entries: 0 },
  [MAP.QUEUE!]: { key_size: 0 },
  [MAP.STACK!]: { key_size: 0 },
  [MAP.RINGBUF!]: { key_size: 0, value_size: 0, max_entries: 4096 },
  [MAP.USER_RINGBUF!]: { key_size: 0, value_size: 0, max_entries: 4096 },
  [MAP.BLOOM_FILTER!]: { key_size: 0 },
  [MAP.ARENA!]: { key_size: 0, value_size: 0, max_entries: 1, map_flags: 1024 },
};
/** per map type: one invalid attribute set (to see attribute checks vs capability checks) */
const MAP_BAD: Record<number, Partial<Record<'key_size' | 'value_size' | 'max_entries' | 'map_flags' | 'map_extra', number>>> = {
  [MAP.RINGBUF!]: { key_size: 0, value_size: 0, max_entries: 4095 },
  [MAP.USER_RINGBUF!]: { key_size: 0, value_size: 0, max_entries: 4095 },
  [MAP.CGROUP_STORAGE_DEPRECATED!]: { key_size: 4, max_entries: 0 },
  [MAP.PERCPU_CGROUP_STORAGE_DEPRECATED!]: { key_size: 4, max_entries: 0 },
  [MAP.ARENA!]: { key_size: 0, value_size: 0, max_entries: 1 },
};
const mapTypes = Array.from({ length: __MAX_BPF_MAP_TYPE + 2 }, (_, i) => i);
const mapStep = (actor: string, type: number, extra: Partial<S & { op: 'map_create' }> = {}, bad = false): S =>
  ({ actor, op: 'map_create', map_type: type, ...(bad ? { max_entries: 0, ...MAP_BAD[type] } : MAP_ATTRS[type]), ...extra }) as S;
{
  add(
    scen('map_create: every map type without token, with token (all delegated), and by init root', [C, P], [
      ...withToken(ANY),
      ...mapTypes.map((t) => mapStep('c', t, { label: 'no token' })),
      ...mapTypes.map((t) => mapStep('c', t, { token: 'tok', label: 'token' })),
      ...mapTypes.map((t) => mapStep('p', t, { label: 'init root' })),
    ]),
  );
  add(
    scen('map_create: invalid attributes per type, without token / with token / init root (attr checks vs capability checks)', [C, P], [
      ...withToken(ANY),
      ...mapTypes.map((t) => mapStep('c', t, { label: 'no token, bad attrs' }, true)),
      ...mapTypes.map((t) => mapStep('c', t, { token: 'tok', label: 'token, bad attrs' }, true)),
      ...mapTypes.map((t) => mapStep('p', t, { label: 'init root, bad attrs' }, true)),
    ]),
  );
  add(
    scen('map_create: per-type attribute edge cases by init root', [P], [
      mapStep('p', MAP.HASH!, { key_size: 0 }),
      mapStep('p', MAP.HASH!, { value_size: 0 }),
      mapStep('p', MAP.HASH!, { map_flags: 2 }),
      mapStep('p', MAP.LRU_HASH!, { map_flags: 1 }),
      mapStep('p', MAP.LRU_HASH!, { map_flags: 2 }),
      mapStep('p', MAP.HASH!, { map_flags: 64 }),
      mapStep('p', MAP.ARRAY!, { key_size: 8 }),
      mapStep('p', MAP.ARRAY!, { map_flags: 1024 }),
      mapStep('p', MAP.PERCPU_ARRAY!, { map_flags: 1024 }),
      mapStep('p', MAP.ARRAY!, { map_flags: 2048 }),
      mapStep('p', MAP.PERF_EVENT_ARRAY!, { map_flags: 2048 }),
      mapStep('p', MAP.ARRAY!, { map_flags: 8 | 16 }),
      mapStep('p', MAP.ARRAY!, { map_flags: 128 | 256 }),
      mapStep('p', MAP.ARRAY!, { map_flags: 128 }),
      mapStep('p', MAP.PROG_ARRAY!, { map_flags: 128 }),
      mapStep('p', MAP.PROG_ARRAY!, { value_size: 8 }),
      mapStep('p', MAP.ARRAY!, { map_extra: 1 }),
      mapStep('p', MAP.BLOOM_FILTER!, { map_extra: 15 }),
      mapStep('p', MAP.BLOOM_FILTER!, { map_extra: 16 }),
      mapStep('p', MAP.ARENA!, { map_extra: 4096 }),
      mapStep('p', MAP.ARENA!, { map_extra: 100 }),
      mapStep('p', MAP.CPUMAP!, { max_entries: 256 }),
      mapStep('p', MAP.CPUMAP!, { max_entries: 257 }),
      mapStep('p', MAP.CPUMAP!, { max_entries: 8193 }),
      mapStep('p', MAP.CPUMAP!, { value_size: 8 }),
      mapStep('p', MAP.CPUMAP!, { value_size: 12 }),
      mapStep('p', MAP.DEVMAP!, { value_size: 8 }),
      mapStep('p', MAP.DEVMAP!, { map_flags: 1024 }),
      mapStep('p', MAP.SOCKMAP!, { value_size: 8 }),
      mapStep('p', MAP.SOCKHASH!, { key_size: 16 }),
      mapStep('p', MAP.XSKMAP!, { value_size: 8 }),
      mapStep('p', MAP.STACK_TRACE!, { value_size: 12 }),
      mapStep('p', MAP.STACK_TRACE!, { value_size: 8, map_flags: 32 }),
      mapStep('p', MAP.LPM_TRIE!, { key_size: 4, map_flags: 1 }),
      mapStep('p', MAP.LPM_TRIE!, { key_size: 8, map_flags: 0 }),
      mapStep('p', MAP.QUEUE!, { key_size: 4 }),
      mapStep('p', MAP.QUEUE!, { key_size: 0, map_flags: 1 }),
      mapStep('p', MAP.REUSEPORT_SOCKARRAY!, { value_size: 8 }),
      mapStep('p', MAP.REUSEPORT_SOCKARRAY!, { value_size: 12 }),
      mapStep('p', MAP.RINGBUF!, { key_size: 0, value_size: 0, max_entries: 8192, map_flags: 4 }),
      mapStep('p', MAP.RINGBUF!, { key_size: 0, value_size: 0, max_entries: 12288 }),
      mapStep('p', MAP.HASH!, { map_flags: 1 << 20 }),
      mapStep('p', MAP.HASH!, { map_flags: 4 }),
    ]),
  );
  add(
    scen('map_create: token fd errors: bad fd -> EBADF, non-token -> EINVAL, flag without fd, fd without flag', [C, P], [
      ...withToken([['delegate_cmds', 'map_create'], ['delegate_maps', 'array:stack:devmap']]),
      mapStep('c', MAP.ARRAY!, { token: 'nosuch', token_flag: true, expect: 'EBADF' }),
      mapStep('c', MAP.ARRAY!, { token: 'root', expect: 'EINVAL' }),
      mapStep('c', MAP.ARRAY!, { token: 'mnt', expect: 'EBADF', label: 'O_PATH' }),
      mapStep('c', MAP.ARRAY!, { token_flag: true, label: 'map_token_fd 0 = /dev/null -> EINVAL' }),
      mapStep('c', MAP.ARRAY!, { token: 'tok', token_flag: false, expect: 'EPERM' }),
      mapStep('c', MAP.HASH!, { token: 'tok', expect: 'EPERM', label: 'type not delegated: token dropped' }),
      mapStep('c', 99, { token: 'nosuch', expect: 'EINVAL', label: 'type checked before the token fd' }),
      mapStep('c', MAP.ARRAY!, { token: 'nosuch', max_entries: 0, label: 'attr check before the token fd' }),
      mapStep('c', MAP.DEVMAP!, { token: 'tok', expect: 'ok' }),
      c({ op: 'capset', effective: ['BPF', 'SYS_ADMIN'] }),
      mapStep('c', MAP.DEVMAP!, { token: 'tok', label: 'NET_ADMIN via SYS_ADMIN fallback' }),
      c({ op: 'capset', effective: ['SYS_ADMIN'] }),
      mapStep('c', MAP.STACK!, { token: 'tok', label: 'CAP_BPF via SYS_ADMIN fallback' }),
      c({ op: 'capset', effective: ['BPF'] }),
      mapStep('c', MAP.DEVMAP!, { token: 'tok', expect: 'EPERM', label: 'no NET_ADMIN, no SYS_ADMIN' }),
      mapStep('c', MAP.ARRAY!, { token: 'tok', expect: 'ok' }),
      c({ op: 'capset', effective: [] }),
      mapStep('c', MAP.ARRAY!, { token: 'tok', expect: 'EPERM' }),
      c({ op: 'capset', effective: ['BPF'], expect: 'ok' }),
      c({ op: 'capset', effective: ['BPF'], permitted: ['BPF'], expect: 'ok' }),
      c({ op: 'capset', effective: ['SYS_ADMIN'], expect: 'EPERM', label: 'not in permitted' }),
      c({ op: 'capset', effective: ['BPF'], permitted: ['BPF', 'SYS_ADMIN'], expect: 'EPERM' }),
      mapStep('c', MAP.STACK!, { token: 'tok', expect: 'ok' }),
    ]),
  );
  add(
    scen('map_create by init actors: CAP_BPF only, CAP_SYS_ADMIN only, none', [
      { name: 'b', userns: 'init', kuid: 0, caps: ['BPF'], mntns: 'init' },
      { name: 's', userns: 'init', kuid: 0, caps: ['SYS_ADMIN'], mntns: 'init' },
      { name: 'n', userns: 'init', kuid: 1000, caps: [], mntns: 'init' },
      { name: 'na', userns: 'init', kuid: 0, caps: ['BPF', 'NET_ADMIN'], mntns: 'init' },
    ], [
      ...(['b', 's', 'n', 'na'] as const).flatMap((a) => [MAP.ARRAY!, MAP.STACK!, MAP.DEVMAP!, MAP.SOCKMAP!, MAP.LRU_HASH!, MAP.RINGBUF!, MAP.CGROUP_STORAGE_DEPRECATED!].map((t) => mapStep(a, t))),
    ], []),
  );
}
{
  const progTypes = Array.from({ length: __MAX_BPF_PROG_TYPE + 2 }, (_, i) => i);
  /** a valid expected_attach_type per type (where one is required) */
  const GOOD_EAT: Record<number, number> = {
    [PROG.CGROUP_SOCK_ADDR!]: ATTACH.CGROUP_INET4_BIND!,
    [PROG.CGROUP_SKB!]: ATTACH.CGROUP_INET_EGRESS!,
    [PROG.CGROUP_SOCKOPT!]: ATTACH.CGROUP_SETSOCKOPT!,
    [PROG.SK_LOOKUP!]: ATTACH.SK_LOOKUP!,
    [PROG.NETFILTER!]: ATTACH.NETFILTER!,
    [PROG.SK_REUSEPORT!]: ATTACH.SK_REUSEPORT_SELECT_OR_MIGRATE!,
    [PROG.CGROUP_SOCK!]: ATTACH.CGROUP_INET4_POST_BIND!,
    [PROG.XDP!]: ATTACH.XDP!,
    [PROG.TRACING!]: ATTACH.TRACE_FENTRY!,
    [PROG.LSM!]: ATTACH.LSM_MAC!,
  };
  const pl = (actor: string, type: number, extra: Partial<S & { op: 'prog_load' }> = {}): S =>
    ({ actor, op: 'prog_load', prog_type: type, ...extra }) as S;
  add(
    scen('prog_load: every program type, eat 0 and a valid eat, without token / with token / by init root', [C, P], [
      ...withToken(ANY),
      ...progTypes.flatMap((t) => [pl('c', t, { label: 'no token' }), pl('c', t, { token: 'tok', label: 'token' }), pl('p', t, { label: 'init root' })]),
      ...progTypes.flatMap((t) =>
        GOOD_EAT[t] === undefined ? [] : [pl('c', t, { expected_attach_type: GOOD_EAT[t]!, token: 'tok' }), pl('p', t, { expected_attach_type: GOOD_EAT[t]! })],
      ),
    ]),
  );
  add(
    scen('prog_load: invalid expected_attach_type per type (init root and token)', [C, P], [
      ...withToken(ANY),
      ...progTypes.flatMap((t) => [pl('p', t, { expected_attach_type: ATTACH.TRACE_UPROBE_SESSION! }), pl('c', t, { expected_attach_type: ATTACH.TRACE_UPROBE_SESSION!, token: 'tok' })]),
      ...[0, 1, 19, 29, 33, 34, 45, 57, 58, 1000].flatMap((e) => [
        pl('p', PROG.CGROUP_SOCK_ADDR!, { expected_attach_type: e }),
        pl('p', PROG.CGROUP_SOCK!, { expected_attach_type: e }),
        pl('p', PROG.SYSCALL!, { expected_attach_type: e }),
        pl('c', PROG.SOCKET_FILTER!, { expected_attach_type: e, token: 'tok' }),
      ]),
      pl('p', PROG.SYSCALL!, { prog_flags: 16, label: 'sleepable syscall prog' }),
      pl('p', PROG.XDP!, { prog_flags: 16, label: 'sleepable xdp' }),
      pl('p', PROG.XDP!, { prog_flags: 1 << 20, label: 'unknown flag' }),
      pl('p', PROG.XDP!, { prog_flags: 32, label: 'BPF_F_XDP_HAS_FRAGS' }),
    ]),
  );
  add(
    scen('prog_load: token delegation of type and attach (attach bit 0 requirement), caps via token', [C, P], [
      ...withToken([['delegate_cmds', 'prog_load'], ['delegate_progs', 'xdp:socket_filter:kprobe:cgroup_skb'], ['delegate_attachs', 'cgroup_inet_ingress']]),
      pl('c', PROG.XDP!, { token: 'tok', label: 'eat 0 = cgroup_inet_ingress delegated' }),
      pl('c', PROG.XDP!, { token: 'tok', expected_attach_type: ATTACH.XDP!, expect: 'EPERM', label: 'xdp attach not delegated' }),
      pl('c', PROG.CGROUP_SKB!, { token: 'tok', expected_attach_type: ATTACH.CGROUP_INET_EGRESS!, expect: 'EPERM' }),
      pl('c', PROG.CGROUP_SKB!, { token: 'tok' }),
      pl('c', PROG.KPROBE!, { token: 'tok' }),
      pl('c', PROG.SCHED_CLS!, { token: 'tok', expect: 'EPERM', label: 'type not delegated' }),
      pl('c', PROG.XDP!, { token: 'nosuch', token_flag: true, expect: 'EBADF' }),
      pl('c', PROG.XDP!, { token: 'root', expect: 'EINVAL' }),
      pl('c', PROG.XDP!, { token: 'tok', insn_cnt: 0, expect: 'E2BIG' }),
      pl('c', PROG.XDP!, { token: 'tok', insn_cnt: 4097 }),
      pl('c', PROG.XDP!, { token: 'tok', insn_cnt: 1000001, expect: 'E2BIG' }),
      pl('c', PROG.XDP!, { insn_cnt: 0, expect: 'EPERM', label: 'sysctl gate before the insn check' }),
      c({ op: 'capset', effective: ['BPF'] }),
      pl('c', PROG.XDP!, { token: 'tok', expect: 'EPERM', label: 'no NET_ADMIN' }),
      pl('c', PROG.KPROBE!, { token: 'tok', expect: 'EPERM', label: 'no PERFMON' }),
      pl('c', PROG.SOCKET_FILTER!, { token: 'tok', expect: 'ok' }),
      c({ op: 'capset', effective: ['SYS_ADMIN'] }),
      pl('c', PROG.XDP!, { token: 'tok', label: 'SYS_ADMIN stands in' }),
      pl('c', PROG.KPROBE!, { token: 'tok' }),
      c({ op: 'capset', effective: [] }),
      pl('c', PROG.SOCKET_FILTER!, { token: 'tok', expect: 'EPERM' }),
    ]),
  );
  add(
    scen('prog_load by init actors: CAP_BPF only / +NET_ADMIN / +PERFMON / SYS_ADMIN only / none; insn limits', [
      { name: 'b', userns: 'init', kuid: 0, caps: ['BPF'], mntns: 'init' },
      { name: 'bn', userns: 'init', kuid: 0, caps: ['BPF', 'NET_ADMIN'], mntns: 'init' },
      { name: 'bp', userns: 'init', kuid: 0, caps: ['BPF', 'PERFMON'], mntns: 'init' },
      { name: 's', userns: 'init', kuid: 0, caps: ['SYS_ADMIN'], mntns: 'init' },
      { name: 'n', userns: 'init', kuid: 1000, caps: [], mntns: 'init' },
    ], [
      ...(['b', 'bn', 'bp', 's', 'n'] as const).flatMap((a) =>
        [PROG.SOCKET_FILTER!, PROG.XDP!, PROG.KPROBE!, PROG.CGROUP_SKB!, PROG.EXT!, PROG.TRACEPOINT!, PROG.SK_LOOKUP!].map((t) => pl(a, t)),
      ),
      pl('b', PROG.SOCKET_FILTER!, { insn_cnt: 1000000 + 1, expect: 'E2BIG' }),
      pl('b', PROG.SOCKET_FILTER!, { insn_cnt: 5000 }),
      pl('n', PROG.SOCKET_FILTER!, { insn_cnt: 5000, expect: 'EPERM' }),
    ], []),
  );
  add(
    scen('btf_load / btf_get_fd_by_id: with and without token, flags, CAP_SYS_ADMIN exactness, ids across actors', [C, P], [
      ...withToken([['delegate_cmds', 'btf_load:btf_get_fd_by_id']]),
      c({ op: 'btf_load', expect: 'EPERM' }),
      c({ op: 'btf_load', token: 'tok', as: 'btf', expect: 'ok' }),
      c({ op: 'btf_load', btf_flags: 1, expect: 'EINVAL' }),
      c({ op: 'btf_load', token: 'nosuch', token_flag: true, expect: 'EBADF' }),
      c({ op: 'btf_load', token: 'root', expect: 'EINVAL' }),
      c({ op: 'btf_load', token_flag: true, label: 'fd 0' }),
      c({ op: 'btf_get_fd_by_id', btf: 'btf', expect: 'EPERM' }),
      c({ op: 'btf_get_fd_by_id', btf: 'btf', token: 'tok', as: 'btf2', expect: 'ok' }),
      c({ op: 'btf_get_fd_by_id', btf: 'btf', open_flags: 1, token: 'tok', expect: 'EINVAL' }),
      p({ op: 'btf_get_fd_by_id', btf: 'btf', as: 'pbtf', expect: 'ok' }),
      p({ op: 'btf_get_fd_by_id', btf: 'nosuch', expect: 'ENOENT' }),
      p({ op: 'btf_get_fd_by_id', btf: 'root', expect: 'ENOENT' }),
      c({ op: 'obj_get_info', fd: 'btf', expect: 'ok' }),
      c({ op: 'capset', effective: ['BPF'] }),
      c({ op: 'btf_get_fd_by_id', btf: 'btf', token: 'tok', expect: 'EPERM', label: 'needs exactly SYS_ADMIN' }),
      c({ op: 'btf_load', token: 'tok', expect: 'ok' }),
      c({ op: 'capset', effective: ['SYS_ADMIN'] }),
      c({ op: 'btf_load', token: 'tok', expect: 'ok', label: 'SYS_ADMIN stands in for BPF' }),
      c({ op: 'close', fd: 'btf', expect: 'ok' }),
      p({ op: 'btf_get_fd_by_id', btf: 'btf', expect: 'ENOENT', label: 'handle closed: id 0' }),
      p({ op: 'btf_get_fd_by_id', btf: 'btf2', expect: 'ok', label: 'still alive through btf2' }),
      c({ op: 'close', fd: 'btf2' }),
      p({ op: 'btf_get_fd_by_id', btf: 'pbtf', expect: 'ok', label: 'kept alive by p' }),
      p({ op: 'close', fd: 'pbtf' }),
      c({ op: 'btf_load', token: 'tok', as: 'b3' }),
      c({ op: 'send_fd', fd: 'b3', to: 'p', as: 'pb3' }),
      c({ op: 'close', fd: 'b3' }),
      p({ op: 'btf_get_fd_by_id', btf: 'pb3', expect: 'ok', label: 'id carried by send_fd' }),
      p({ op: 'dup2', fd: 'pb3', to: 'unbound', as: 'pb4' }),
      p({ op: 'close', fd: 'pb3' }),
      p({ op: 'btf_get_fd_by_id', btf: 'pb4', expect: 'ok', label: 'id carried by dup2' }),
    ]),
  );
  add(
    scen('btf: token without btf_load is dropped (EPERM); init root ok', [C, P], [
      ...withToken([['delegate_cmds', 'map_create']]),
      c({ op: 'btf_load', token: 'tok', expect: 'EPERM' }),
      c({ op: 'btf_get_fd_by_id', btf: 'x', token: 'tok', expect: 'EPERM' }),
      p({ op: 'btf_load', as: 'pb', expect: 'ok' }),
      c({ op: 'btf_get_fd_by_id', btf: 'pb', token: 'tok', expect: 'EPERM' }),
    ]),
  );
}

// ================================================================ spec/token-core.md §T4 owner rule
{
  const O: UsernsDecl = { name: 'u', parent: 'init', owner: 1000, map: { base: 100000, count: 65536 } };
  add(
    scen('owner rule: the init-userns owner (euid 1000, no caps) is capable in u; euid 1001 is not', [
      C, P,
      { name: 'o', userns: 'init', kuid: 1000, caps: [], mntns: 'c' },
      { name: 'x', userns: 'init', kuid: 1001, caps: [], mntns: 'c' },
    ], [
      ...withToken([['delegate_cmds', 'map_create:prog_load'], ['delegate_maps', 'stack'], ['delegate_progs', 'xdp'], ['delegate_attachs', 'any']]),
      c({ op: 'send_fd', fd: 'tok', to: 'o', as: 'otok' }),
      c({ op: 'send_fd', fd: 'tok', to: 'x', as: 'xtok' }),
      mapStep('o', MAP.STACK!, { token: 'otok', expect: 'ok' }),
      mapStep('x', MAP.STACK!, { token: 'xtok', expect: 'EPERM' }),
      mapStep('o', MAP.STACK!, { expect: 'EPERM' }),
      { actor: 'o', op: 'prog_load', prog_type: PROG.XDP!, expected_attach_type: ATTACH.XDP!, token: 'otok', expect: 'ok' },
      { actor: 'x', op: 'prog_load', prog_type: PROG.XDP!, expected_attach_type: ATTACH.XDP!, token: 'xtok', expect: 'EPERM' },
      { actor: 'o', op: 'fsopen', as: 'ofs', expect: 'ok', label: 'SYS_ADMIN over the mount ns owned by u' },
      { actor: 'x', op: 'fsopen', expect: 'EPERM' },
      { actor: 'o', op: 'token_create', bpffs: 'nosuch', expect: 'EBADF' },
      c({ op: 'send_fd', fd: 'root', to: 'o', as: 'oroot' }),
      { actor: 'o', op: 'token_create', bpffs: 'oroot', expect: 'EPERM', label: 'not in the bpffs userns' },
      { actor: 'o', op: 'seteuid', euid: 1001, expect: 'EPERM', label: 'no CAP_SETUID in init' },
    ], [O]),
  );
  add(
    scen('owner rule across nesting: owner of a grandchild userns', [
      { name: 'g', userns: 'w', kuid: 100000, caps: 'all' },
      { name: 'o', userns: 'u', kuid: 100005, caps: [] , mntns: 'g'},
      P,
    ], [
      { actor: 'g', op: 'fsopen', as: 'fs', expect: 'ok' },
      { actor: 'g', op: 'send_fd', fd: 'fs', to: 'p', as: 'pfs' },
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: 'map_create' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_maps', value: 'queue' }),
      p({ op: 'fsconfig', fd: 'pfs', cmd: 'create', expect: 'ok' }),
      { actor: 'g', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'g', op: 'open', dirfd: 'mnt', path: '.', as: 'root' },
      { actor: 'g', op: 'token_create', bpffs: 'root', as: 'tok', expect: 'ok' },
      { actor: 'g', op: 'send_fd', fd: 'tok', to: 'o', as: 'otok' },
      { actor: 'o', op: 'map_create', map_type: MAP.QUEUE!, key_size: 0, token: 'otok', expect: 'ok' },
      { actor: 'o', op: 'fsopen', expect: 'ok' },
    ], [U, { name: 'w', parent: 'u', owner: 100005, map: { base: 100000, count: 1000 } }]),
  );
}

// ================================================================ fds and creds
add(
  scen('fd tables: close, dup2 (lowest free and onto an open handle), send_fd across actors, stale handles', [C, P], [
    c({ op: 'fsopen', as: 'a', expect: 'ok' }),
    c({ op: 'fsopen', as: 'b', expect: 'ok' }),
    c({ op: 'close', fd: 'a', expect: 'ok' }),
    c({ op: 'close', fd: 'a', expect: 'EBADF' }),
    c({ op: 'dup2', fd: 'b', to: 'unbound', as: 'd', expect: 'ok' }),
    c({ op: 'fsconfig', fd: 'd', cmd: 'set_string', key: 'foo', value: 'x', expect: 'ok' }),
    c({ op: 'fsopen', as: 'e', expect: 'ok' }),
    c({ op: 'dup2', fd: 'b', to: 'e', as: 'f', expect: 'ok' }),
    c({ op: 'close', fd: 'e', expect: 'EBADF', label: 'e named the replaced file' }),
    c({ op: 'close', fd: 'f', expect: 'ok' }),
    c({ op: 'dup2', fd: 'b', to: 'b', as: 'g', expect: 'ok' }),
    c({ op: 'close', fd: 'b', expect: 'EBADF', label: 'rebound to g' }),
    c({ op: 'close', fd: 'g', expect: 'ok' }),
    c({ op: 'dup2', fd: 'nosuch', to: 'unbound', as: 'h', expect: 'EBADF' }),
    c({ op: 'close', fd: 'd', expect: 'ok' }),
    c({ op: 'fsopen', as: 'x', expect: 'ok' }),
    c({ op: 'close', fd: 'd', expect: 'EBADF', label: 'stale handle does not name the reused number' }),
    p({ op: 'close', fd: 'x', expect: 'EBADF' }),
    c({ op: 'send_fd', fd: 'x', to: 'p', as: 'px', expect: 'ok' }),
    c({ op: 'send_fd', fd: 'gone', to: 'p', as: 'py', expect: 'EBADF' }),
    p({ op: 'fsconfig', fd: 'px', cmd: 'set_string', key: 'delegate_cmds', value: 'any', expect: 'ok' }),
    c({ op: 'fsconfig', fd: 'px', cmd: 'set_string', key: 'delegate_cmds', value: '0', expect: 'EBADF' }),
    c({ op: 'fsconfig', fd: 'x', cmd: 'create', expect: 'EPERM', label: 'bpf_fill_super: c lacks init CAP_SYS_ADMIN' }),
    p({ op: 'rlimit_nofile', limit: 3 }),
    c({ op: 'send_fd', fd: 'x', to: 'p', as: 'pz', expect: 'EMFILE' }),
    p({ op: 'close', fd: 'px' }),
    c({ op: 'send_fd', fd: 'x', to: 'p', as: 'pz', expect: 'EMFILE', label: 'p can only hold fds 0..2' }),
    c({ op: 'dup2', fd: 'x', to: 'unbound', as: 'dd', expect: 'ok' }),
    c({ op: 'rlimit_nofile', limit: 4, expect: 'ok' }),
    c({ op: 'dup2', fd: 'x', to: 'unbound', as: 'de', expect: 'EBADF', label: 'newfd beyond RLIMIT_NOFILE' }),
  ]),
);
add(
  scen('seteuid: userns root to another uid drops effective caps, back restores them; unmapped -> EINVAL', [C, P], [
    ...delegated([['delegate_cmds', 'any']]),
    c({ op: 'seteuid', euid: 100001, expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'EPERM' }),
    c({ op: 'seteuid', euid: 100000, expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'ok' }),
    c({ op: 'seteuid', euid: 5, expect: 'EINVAL' }),
    c({ op: 'seteuid', euid: 100000, expect: 'ok', label: 'no-op' }),
    c({ op: 'capset', effective: ['BPF', 'SETUID'], permitted: ['BPF', 'SETUID'], expect: 'ok' }),
    c({ op: 'seteuid', euid: 100002, expect: 'ok' }),
    c({ op: 'seteuid', euid: 100000, expect: 'ok' }),
    c({ op: 'token_create', bpffs: 'root', expect: 'ok' }),
    c({ op: 'capset', effective: [], permitted: [] }),
    c({ op: 'seteuid', euid: 100003, expect: 'EPERM' }),
    p({ op: 'seteuid', euid: 1000, expect: 'ok' }),
    p({ op: 'fsopen', expect: 'EPERM', label: 'effective caps cleared' }),
    p({ op: 'seteuid', euid: 0, expect: 'ok' }),
    p({ op: 'fsopen', expect: 'ok' }),
    p({ op: 'seteuid', euid: 4000000000, expect: 'ok', label: 'mapped in init' }),
  ]),
);
add(
  scen('seteuid: non-root actor without CAP_SETUID can switch only among its own ids', [{ name: 'n', userns: 'init', kuid: 1000, caps: ['SETUID'], mntns: 'init' }], [
    { actor: 'n', op: 'seteuid', euid: 1001, expect: 'ok', label: 'CAP_SETUID' },
    { actor: 'n', op: 'seteuid', euid: 1000, expect: 'ok' },
    { actor: 'n', op: 'capset', effective: [], permitted: [] },
    { actor: 'n', op: 'seteuid', euid: 1001, expect: 'EPERM' },
    { actor: 'n', op: 'seteuid', euid: 0, expect: 'EPERM' },
  ], []),
);

export const KERNEL_SCENARIOS: readonly Scenario[] = out;
