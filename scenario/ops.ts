// The op table: one entry per scenario op, the only place an op's arguments
// are listed. It drives the validator (scenario/validate.ts), the model's
// defaults (model/step.ts), the executor wire protocol (oracle/driver.ts), the
// C header of the executor (oracle/ops-header.ts -> oracle/bin/ops.gen.h, at
// npm install), the op tables of README.md and oracle/PROTOCOL.md (checked by
// scenario/ops.test.ts), the JSON Schema of scenario files
// (scenario/scenario.schema.json, scenario/schema.ts) and the generator's
// argument values (generators/commands.ts).
//
// The TypeScript type of a step (scenario/types.ts Step) is derived from it.
//
// Adding an op: its entry here; its behaviour in the model, in the layer that
// performs it (the kernel functions, their decision points and the op's entry in
// that layer's step table: model/step.ts); its handler in the executor
// (oracle/executor.c, with its named slots from oracle/ops.gen.h); then
// `npx tsx build/write-generated.ts` regenerates the rest.

import type { EnumName } from './vocab.ts';

export type ArgKind =
  /** a handle name (an fd of the acting actor's table) */
  | 'handle'
  | 'string'
  /** an unsigned integer; with `names`, also an enumerator name */
  | 'int'
  | 'bool'
  /** a list of capability names */
  | 'caps'
  /** the name of a declared actor */
  | 'actor'
  /** one of `choices` */
  | 'choice'
  /** a prog_load signature object (scenario/types.ts SignatureDecl) */
  | 'signature'
  /** a list of handle names (literal fds "#-1", "#0".."#2" too), at most FD_ARRAY_MAX */
  | 'handles';

export interface ArgSpec {
  kind: ArgKind;
  /** one line: what the argument is (README, PROTOCOL.md, the JSON Schema) */
  doc: string;
  /** a scenario step must give it */
  required?: boolean;
  /** what an absent argument stands for, in the model and the executor alike
   *  (null: the C NULL of an fsconfig key/value or mount data). A required
   *  argument's default is the executor's, for a protocol line without it. */
  default?: number | string | boolean | null;
  /** bool only: absent means "the step gives `token`" (BPF_F_TOKEN_FD with a token fd) */
  defaultIsTokenGiven?: boolean;
  /** int: inclusive upper bound (default 2^32-1) */
  max?: number;
  /** int: the enum whose enumerator names are accepted (scenario/vocab.ts ENUMS) */
  names?: EnumName;
  /** choice: the accepted strings */
  choices?: readonly string[];
  /** never sent to the kernel: a step giving it runs on the model only */
  modelOnly?: boolean;
  /** the executor protocol's key, where it is not the scenario's own (no argument needs one today) */
  wire?: string;
  /** values the generator draws besides the default (generators/commands.ts) */
  samples?: readonly number[];
  /** what the sandbox checks (scenario/sandbox.ts, oracle/SANDBOX.md): a path the kernel
   *  resolves (relative, no "..", at most MAX_PATH_BYTES), or the fd a step's path or mount
   *  operation starts from (on a superblock the scenario created, checked at run time) */
  sandbox?: 'path' | 'fd';
}

export interface OpSpec {
  /** one line: what the step does */
  doc: string;
  /** a successful step returns a new fd, which `as` names */
  returnsFd: boolean;
  /** the executor (oracle/executor.c) runs it on a real kernel */
  kernel: boolean;
  /** the system calls it stands for */
  syscalls: string;
  /** a `race` (scenario/types.ts RaceDecl) may be declared on it (model only) */
  race?: boolean;
  /** in step order = protocol order */
  args: Readonly<Record<string, ArgSpec>>;
}

/** the longest `handles` list (prog_load fd_array): the executor's array */
export const FD_ARRAY_MAX = 8;

/** (uid_t)-1 / (gid_t)-1: "unchanged" to setresuid(2) and setresgid(2) */
export const UNCHANGED = 4294967295;

const handle = <D extends string>(doc: D) => ({ kind: 'handle', doc, required: true }) as const;
const token = { kind: 'handle', doc: 'a BPF token fd (attr *_token_fd)' } as const;
const tokenFlag = {
  kind: 'bool',
  doc: 'set BPF_F_TOKEN_FD in the flags (default: when token is given)',
  defaultIsTokenGiven: true,
} as const;

/** the ops, in protocol order (the executor numbers them in this order) */
export const OPS = {
  fsopen: {
    doc: 'open a filesystem context',
    returnsFd: true,
    kernel: true,
    syscalls: 'fsopen(2)',
    args: {
      fs: { kind: 'string', doc: 'filesystem type', default: 'bpf' },
      flags: { kind: 'int', doc: 'fsopen flags', default: 0 },
    },
  },
  fsconfig: {
    doc: 'configure a filesystem context',
    returnsFd: false,
    kernel: true,
    syscalls: 'fsconfig(2)',
    args: {
      fd: handle('the filesystem context (fsopen, fspick)'),
      cmd: { kind: 'choice', doc: 'FSCONFIG_SET_STRING, _SET_FLAG, _CMD_CREATE, _CMD_RECONFIGURE', required: true, choices: ['set_string', 'set_flag', 'create', 'reconfigure'] },
      key: { kind: 'string', doc: 'parameter name (absent: NULL)', default: null },
      value: { kind: 'string', doc: 'parameter value (absent: NULL)', default: null },
    },
  },
  fsmount: {
    doc: 'a detached mount of a created filesystem context',
    returnsFd: true,
    kernel: true,
    syscalls: 'fsmount(2)',
    args: { fd: handle('the filesystem context') },
  },
  open: {
    doc: 'open a path beneath a directory fd',
    returnsFd: true,
    kernel: true,
    syscalls: 'openat2(2)',
    args: {
      dirfd: { ...handle('the directory'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'relative path', required: true, default: '.', sandbox: 'path' },
      o_path: { kind: 'bool', doc: 'O_PATH instead of O_RDONLY', default: false },
    },
  },
  mkdir: {
    doc: 'make a directory beneath a directory fd',
    returnsFd: false,
    kernel: true,
    syscalls: 'mkdirat(2)',
    args: {
      dirfd: { ...handle('the directory'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'relative path', required: true, sandbox: 'path' },
    },
  },
  open_tree: {
    doc: 'a detached clone of a mount',
    returnsFd: true,
    kernel: true,
    syscalls: 'open_tree(2) with OPEN_TREE_CLONE',
    args: {
      dirfd: { ...handle('the directory'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'relative path ("" = the dirfd itself)', required: true, default: '.', sandbox: 'path' },
    },
  },
  move_mount: {
    doc: "attach a detached mount at a fresh directory of the actor's mount namespace, or on a named target",
    returnsFd: false,
    kernel: true,
    syscalls: 'move_mount(2)',
    args: {
      fd: { ...handle('the detached mount'), sandbox: 'fd' },
      target: { kind: 'string', doc: 'a named target (a directory of every mount namespace of the scenario, [a-z0-9_-]{1,32}; absent: a fresh directory)', default: null },
    },
  },
  mount: {
    doc: 'a bpffs mounted with legacy mount(2) at a fresh directory, then opened',
    returnsFd: true,
    kernel: true,
    syscalls: 'mount(2), open(2)',
    args: { data: { kind: 'string', doc: 'mount options', required: true, default: null } },
  },
  fspick: {
    doc: 'a filesystem context for reconfiguring an existing mount',
    returnsFd: true,
    kernel: true,
    syscalls: 'fspick(2)',
    args: {
      dirfd: { ...handle('the directory'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'relative path ("" = the dirfd itself)', required: true, default: '', sandbox: 'path' },
    },
  },
  mountinfo: {
    doc: "read the fd's mount from /proc/self/mountinfo: text = <fstype> <source> <super options>",
    returnsFd: false,
    kernel: true,
    syscalls: 'read of /proc/self/fdinfo, /proc/self/mountinfo',
    args: { fd: { ...handle('an fd on the mount'), sandbox: 'fd' } },
  },
  token_create: {
    doc: 'create a BPF token from a bpffs fd',
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_TOKEN_CREATE)',
    race: true,
    args: {
      bpffs: { ...handle('the bpffs root fd (attr bpffs_fd)') },
      flags: { kind: 'int', doc: 'attr flags', default: 0, samples: [1] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 8, samples: [0, 4, 168, 200, 4097] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [8, 9, 167, 168, 199] },
    },
  },
  token_fdinfo: {
    doc: "read a token's /proc/self/fdinfo: text = the allowed_* lines",
    returnsFd: false,
    kernel: true,
    syscalls: 'read of /proc/self/fdinfo',
    args: { fd: handle('the token') },
  },
  obj_get_info: {
    doc: 'BPF_OBJ_GET_INFO_BY_FD on a token: text = cmds=,maps=,progs=,attachs=',
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_OBJ_GET_INFO_BY_FD)',
    args: {
      fd: handle('the object'),
      info_len: { kind: 'int', doc: 'info buffer length', default: 32, samples: [0, 8, 24, 40] },
    },
  },
  map_freeze: {
    doc: 'BPF_MAP_FREEZE: the map becomes read-only for bpf(2) (Hornet hashes only frozen maps)',
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_MAP_FREEZE)',
    args: {
      fd: handle('the map'),
    },
  },
  map_update_elem: {
    doc: 'BPF_MAP_UPDATE_ELEM of an ARRAY or HASH map: one element, key and value as little-endian integers zero-padded to the map\'s key_size and value_size (other map types, and values above 64 KiB, are refused: not modelled)',
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_MAP_UPDATE_ELEM)',
    args: {
      fd: handle('the map (attr map_fd)'),
      key: { kind: 'int', doc: 'the key (u32: its key_size low bytes, zero-padded)', default: 0, max: 4294967295, samples: [0, 1, 2, 7, 4294967295] },
      value: { kind: 'int', doc: 'the value (its first bytes, little-endian, zero-padded)', default: 1, samples: [0, 1, 42, 4294967295] },
      flags: { kind: 'int', doc: 'BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, BPF_F_LOCK 4', default: 0, max: 7, samples: [0, 1, 2, 3, 4] },
    },
  },
  map_delete_elem: {
    doc: 'BPF_MAP_DELETE_ELEM of an ARRAY or HASH map: one element, the key as a little-endian integer zero-padded to the map\'s key_size (other map types, and values above 64 KiB, are refused: not modelled)',
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_MAP_DELETE_ELEM)',
    args: {
      fd: handle('the map (attr map_fd)'),
      key: { kind: 'int', doc: 'the key (u32: its key_size low bytes, zero-padded)', default: 0, max: 4294967295, samples: [0, 1, 2, 7, 4294967295] },
    },
  },
  map_create: {
    doc: 'create a map',
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_MAP_CREATE)',
    race: true,
    args: {
      map_type: { kind: 'int', doc: 'enum bpf_map_type (a number or a name: "STACK")', required: true, names: 'map_type', samples: [1, 2, 5, 6, 7, 9, 11, 14, 15, 16, 17, 22, 23, 27, 30, 33] },
      key_size: { kind: 'int', doc: 'attr key_size', default: 4, samples: [0, 4, 8] },
      value_size: { kind: 'int', doc: 'attr value_size', default: 4, samples: [0, 4, 8] },
      max_entries: { kind: 'int', doc: 'attr max_entries', default: 1, samples: [0, 1, 4096] },
      map_flags: { kind: 'int', doc: 'attr map_flags (BPF_F_TOKEN_FD: see token_flag)', default: 0, samples: [0, 1, 1024, 24] },
      map_extra: { kind: 'int', doc: 'attr map_extra', default: 0, samples: [0, 0, 1] },
      token,
      token_flag: tokenFlag,
    },
  },
  prog_load: {
    doc: 'load a trivial program (r0 = 0; exit)',
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_PROG_LOAD)',
    race: true,
    args: {
      prog_type: { kind: 'int', doc: 'enum bpf_prog_type (a number or a name: "SOCKET_FILTER")', required: true, names: 'prog_type', samples: [1, 1, 2, 3, 5, 6, 8, 8, 9, 17, 18, 21, 26, 28, 30, 31] },
      expected_attach_type: { kind: 'int', doc: 'enum bpf_attach_type (a number or a name: "CGROUP_INET_INGRESS")', default: 0, names: 'attach_type' },
      insn_cnt: { kind: 'int', doc: 'number of instructions', default: 2, samples: [0, 4096, 1000001] },
      prog_flags: { kind: 'int', doc: 'attr prog_flags (BPF_F_TOKEN_FD: see token_flag)', default: 0, samples: [1, 16, 4096] },
      token,
      token_flag: tokenFlag,
      fd_array: { kind: 'handles', doc: 'attr fd_array: the fds of these handles (a map, a BTF, any fd; a closed or unknown one: a bad fd; "#-1", "#0".."#2": those numbers), at most 8 (absent: NULL)' },
      fd_array_cnt: { kind: 'int', doc: 'attr fd_array_cnt: the verifier binds the maps of fd_array[0..cnt) up front (0: the legacy API, nothing bound); at most the length of fd_array when it is given', default: 0, samples: [1, 2, 3] },
      signature: { kind: 'signature', doc: 'attr signature / keyring_id (6.18 signing, seed 002)', modelOnly: true },
      kernel: { kind: 'bool', doc: 'loaded by a signed light-skeleton loader through bpf_sys_bpf() (uattr.is_kernel)', modelOnly: true },
      fault: {
        kind: 'choice',
        doc: 'an injected fault (seed 002 integrity path): blob_enomem (lsm_bpf_prog_alloc), provider_enomem (Hornet kzalloc), sig_efault / sig_short (copy_from_bpfptr() of the signature copies none / part), keyring (key lookup finds nothing)',
        choices: ['none', 'blob_enomem', 'provider_enomem', 'sig_efault', 'sig_short', 'keyring'],
        default: 'none',
        modelOnly: true,
      },
    },
  },
  btf_load: {
    doc: 'load a minimal BTF (one int type)',
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_BTF_LOAD)',
    args: {
      btf_flags: { kind: 'int', doc: 'attr btf_flags (BPF_F_TOKEN_FD: see token_flag)', default: 0 },
      token,
      token_flag: tokenFlag,
    },
  },
  btf_get_fd_by_id: {
    doc: "a new fd for a loaded BTF, by the id of the BTF behind a handle",
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_BTF_GET_FD_BY_ID)',
    args: {
      btf: handle('a loaded BTF whose id is used'),
      open_flags: { kind: 'int', doc: 'attr open_flags (BPF_F_TOKEN_FD: see token_flag)', default: 0 },
      token,
      token_flag: tokenFlag,
    },
  },
  send_fd: {
    doc: "pass an fd to another actor (SCM_RIGHTS); `as` names it in the receiver's table",
    returnsFd: true,
    kernel: true,
    syscalls: 'sendmsg(2), recvmsg(2)',
    args: {
      fd: handle('the fd to pass'),
      to: { kind: 'actor', doc: 'the receiving actor', required: true },
    },
  },
  dup2: {
    doc: 'duplicate an fd onto another handle\'s number, or the lowest free one',
    returnsFd: true,
    kernel: true,
    syscalls: 'dup2(2)',
    args: {
      fd: handle('the fd'),
      to: handle('the handle whose number is replaced'),
    },
  },
  close: {
    doc: 'close an fd',
    returnsFd: false,
    kernel: true,
    syscalls: 'close(2)',
    args: { fd: handle('the fd') },
  },
  capset: {
    doc: "set the actor's effective (and permitted) capabilities",
    returnsFd: false,
    kernel: true,
    syscalls: 'capset(2)',
    args: {
      effective: { kind: 'caps', doc: 'effective set', required: true },
      permitted: { kind: 'caps', doc: 'permitted set (default: unchanged)' },
    },
  },
  seteuid: {
    doc: "change the effective uid (a kuid, mapped into the actor's user namespace)",
    returnsFd: false,
    kernel: true,
    syscalls: 'setresuid(2)',
    args: { euid: { kind: 'int', doc: 'the new effective uid, as a kuid', required: true, max: 2 ** 32 - 2, samples: [0, 1000, 1001, 100000, 100001] } },
  },
  rlimit_nofile: {
    doc: 'set RLIMIT_NOFILE (soft = hard)',
    returnsFd: false,
    kernel: true,
    syscalls: 'setrlimit(2)',
    args: { limit: { kind: 'int', doc: 'the limit', required: true, samples: [3, 4, 5, 8, 64] } },
  },
  // ---- issue 11 language v2, files that are not bpffs (branch procs)
  tmpfs: {
    doc: 'a fresh detached tmpfs (no options); returns its mount fd (O_PATH)',
    returnsFd: true,
    kernel: true,
    syscalls: 'fsopen("tmpfs"), fsconfig(FSCONFIG_CMD_CREATE), fsmount(2), close(2) of the context',
    args: {},
  },
  // ---- issue 11 language v2, mount life cycle (branch procs)
  umount: {
    doc: 'unmount what is on top of a named target',
    returnsFd: false,
    kernel: true,
    syscalls: 'umount2(2)',
    args: {
      target: { kind: 'string', doc: 'the named target', required: true },
      flags: { kind: 'int', doc: 'MNT_FORCE 1, MNT_DETACH 2, MNT_EXPIRE 4, UMOUNT_NOFOLLOW 8', default: 0, samples: [1, 2, 8, 16] },
    },
  },
  bind: {
    doc: 'bind-mount the file behind a handle (on a scenario superblock) on a named target',
    returnsFd: false,
    kernel: true,
    syscalls: 'mount(2) with MS_BIND of /proc/self/fd/N',
    args: {
      src: { ...handle('the source: a file on a superblock the scenario created'), sandbox: 'fd' },
      target: { kind: 'string', doc: 'the named target', required: true },
    },
  },
  remount: {
    doc: 'remount the superblock of the mount on top of a named target (legacy mount(2), no options)',
    returnsFd: false,
    kernel: true,
    syscalls: 'mount(2) with MS_REMOUNT',
    args: {
      target: { kind: 'string', doc: 'the named target', required: true },
      ro: { kind: 'bool', doc: 'MS_RDONLY (absent: read-write; the other remountable flags are cleared)', default: false },
    },
  },
  open_target: {
    doc: 'open the mount on top of a named target',
    returnsFd: true,
    kernel: true,
    syscalls: 'open(2) with O_RDONLY and O_DIRECTORY',
    args: { target: { kind: 'string', doc: 'the named target', required: true } },
  },
  // ---- issue 11 language v2, processes (branch procs)
  exit: {
    doc: "the actor's process exits: its fd table is released (close_files()); its later steps, and fds sent to it, are ESRCH",
    returnsFd: false,
    kernel: true,
    syscalls: 'exit(2)',
    args: {},
  },
  unshare: {
    doc: 'the actor moves to a new namespace: mnt, a copy of its mount namespace (CLONE_NEWNS); user, a child of its user namespace owned by its euid, with every capability there and no uid_map or gid_map until an idmap step writes them (CLONE_NEWUSER)',
    returnsFd: false,
    kernel: true,
    syscalls: 'unshare(2)',
    args: { ns: { kind: 'choice', doc: 'the namespace: mnt (CLONE_NEWNS) or user (CLONE_NEWUSER)', choices: ['mnt', 'user'], default: 'mnt' } },
  },
  // ---- issue 11 language v2, credentials (branch procs)
  setresuid: {
    doc: "set the real, effective and saved uid (kuids, mapped into the actor's user namespace); cap_emulate_setxuid() follows",
    returnsFd: false,
    kernel: true,
    syscalls: 'setresuid(2)',
    args: {
      ruid: { kind: 'int', doc: 'the new real uid, a kuid (4294967295 = (uid_t)-1: unchanged, the default)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
      euid: { kind: 'int', doc: 'the new effective uid, a kuid (default unchanged)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
      suid: { kind: 'int', doc: 'the new saved uid, a kuid (default unchanged)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
    },
  },
  setresgid: {
    doc: "set the real, effective and saved gid (kgids, mapped into the actor's user namespace)",
    returnsFd: false,
    kernel: true,
    syscalls: 'setresgid(2)',
    args: {
      rgid: { kind: 'int', doc: 'the new real gid, a kgid (4294967295 = (gid_t)-1: unchanged, the default)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
      egid: { kind: 'int', doc: 'the new effective gid, a kgid (default unchanged)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
      sgid: { kind: 'int', doc: 'the new saved gid, a kgid (default unchanged)', default: UNCHANGED, samples: [0, 1000, 100000, 100001] },
    },
  },
  setgroups: {
    doc: 'set the supplementary groups: none, or one kgid',
    returnsFd: false,
    kernel: true,
    syscalls: 'setgroups(2)',
    args: {
      gid: { kind: 'int', doc: 'the one supplementary group, a kgid (4294967295, the default: the empty list, setgroups(0, NULL))', default: UNCHANGED, samples: [0, 1000, 100000] },
    },
  },
  drop_caps: {
    doc: "drop capabilities by name from the actor's effective and permitted sets",
    returnsFd: false,
    kernel: true,
    syscalls: 'capget(2), capset(2)',
    args: { drop: { kind: 'caps', doc: 'the capabilities dropped ("BPF")', required: true } },
  },
  keepcaps: {
    doc: 'set or clear SECURE_KEEP_CAPS',
    returnsFd: false,
    kernel: true,
    syscalls: 'prctl(PR_SET_KEEPCAPS)',
    args: { value: { kind: 'int', doc: 'arg2 of prctl(PR_SET_KEEPCAPS, arg2): 0 or 1 (more: EINVAL)', required: true, samples: [0, 1, 2] } },
  },
  // ---- issue 11 language v2, BPF objects (branch bpfobj)
  obj_pin: {
    doc: 'pin a map, prog or link in a directory (dirfd) under a name: BPF_OBJ_PIN with BPF_F_PATH_FD',
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_OBJ_PIN)',
    args: {
      fd: handle('the object (attr bpf_fd)'),
      dirfd: { ...handle('the directory (attr path_fd)'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'a name in that directory, no "/" (attr pathname)', required: true, sandbox: 'path' },
      file_flags: { kind: 'int', doc: 'attr file_flags besides BPF_F_PATH_FD (always set)', default: 0, samples: [8, 16] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 168, samples: [0, 16, 20, 200, 4097] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [20, 21, 167, 168, 199] },
    },
  },
  obj_get: {
    doc: 'open a pinned object by name in a directory (dirfd): BPF_OBJ_GET with BPF_F_PATH_FD',
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_OBJ_GET)',
    args: {
      dirfd: { ...handle('the directory (attr path_fd)'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'a name in that directory, no "/" (attr pathname)', required: true, sandbox: 'path' },
      file_flags: { kind: 'int', doc: 'attr file_flags besides BPF_F_PATH_FD: BPF_F_RDONLY 8, BPF_F_WRONLY 16', default: 0, samples: [8, 16, 24, 1] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 168, samples: [0, 16, 20, 200, 4097] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [20, 21, 167, 168, 199] },
    },
  },
  prog_attach: {
    doc: "attach a program to the scenario's cgroup (attr target_fd: a cgroup v2 directory the executor made for the scenario)",
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_PROG_ATTACH)',
    args: {
      prog: handle('the program (attr attach_bpf_fd)'),
      attach_type: { kind: 'int', doc: 'enum bpf_attach_type (a number or a name: "CGROUP_INET_EGRESS")', required: true, names: 'attach_type', samples: [0, 1, 2, 3, 6, 8, 18, 21] },
      attach_flags: { kind: 'int', doc: 'attr attach_flags: BPF_F_ALLOW_OVERRIDE 1, BPF_F_ALLOW_MULTI 2', default: 0, samples: [1, 2, 3] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 168, samples: [0, 12, 32, 200, 4097] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [32, 33, 167, 168, 199] },
    },
  },
  prog_detach: {
    doc: "detach a program (or, without prog, the one program) of an attach type from the scenario's cgroup",
    returnsFd: false,
    kernel: true,
    syscalls: 'bpf(BPF_PROG_DETACH)',
    args: {
      prog: { kind: 'handle', doc: 'the program (attr attach_bpf_fd; absent: 0)' },
      attach_type: { kind: 'int', doc: 'enum bpf_attach_type', required: true, names: 'attach_type', samples: [0, 1, 2, 3, 6, 8, 18, 21] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 168, samples: [0, 32, 200] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [32, 168] },
    },
  },
  link_create: {
    doc: "a bpf_link of a program on the scenario's cgroup (closing its last fd detaches it)",
    returnsFd: true,
    kernel: true,
    syscalls: 'bpf(BPF_LINK_CREATE)',
    args: {
      prog: handle('the program (attr link_create.prog_fd)'),
      attach_type: { kind: 'int', doc: 'enum bpf_attach_type', required: true, names: 'attach_type', samples: [0, 1, 2, 3, 6, 8, 18, 21] },
      size: { kind: 'int', doc: 'attr size passed to bpf()', default: 168, samples: [0, 16, 60, 64, 200, 4097] },
      tail_byte: { kind: 'int', doc: 'byte offset of the attr buffer set to 1 (-1: none)', default: -1, samples: [16, 60, 63, 64, 167, 168] },
    },
  },
  // ---- issue 11 language v2, processes (branch procs2)
  setns: {
    doc: "the actor joins another actor's current mount namespace (an fd on /proc/PID/ns/mnt) or user namespace (/proc/PID/ns/user: every capability there, the ids kept)",
    returnsFd: false,
    kernel: true,
    syscalls: 'setns(2) with CLONE_NEWNS or CLONE_NEWUSER',
    args: {
      of: { kind: 'actor', doc: 'the actor whose mount namespace is joined', required: true },
      ns: { kind: 'choice', doc: 'the namespace: mnt (CLONE_NEWNS) or user (CLONE_NEWUSER)', choices: ['mnt', 'user'], default: 'mnt' },
    },
  },
  // ---- issue 11: a new op in three files (scenario/ops.ts, model/namei.ts, oracle/executor.c)
  chmod: {
    doc: 'change the permission bits of a file or directory on a scenario filesystem',
    returnsFd: false,
    kernel: true,
    syscalls: 'fchmodat(2)',
    args: {
      dirfd: { ...handle('the directory the path starts from'), sandbox: 'fd' },
      path: { kind: 'string', doc: 'relative path ("." = the dirfd itself)', required: true, default: '.', sandbox: 'path' },
      mode: { kind: 'int', doc: 'the new mode bits (07777 at most)', required: true, max: 4095, samples: [0o777, 0o700, 0o755, 0o1777, 0o2775, 0] },
    },
  },
  // ---- issue 11 language v2: a process made during a scenario
  fork: {
    doc: "the actor forks: the child (an actor declared with fork_of) starts with a copy of its fd table (every handle names the same fd in both), or with clone_files the same table (a thread's fd table: an fd opened, closed or replaced by one is the other's), and a copy of its credentials, namespaces and RLIMIT_NOFILE",
    returnsFd: false,
    kernel: true,
    syscalls: 'fork(2) (clone(2) with SIGCHLD, or CLONE_FILES | SIGCHLD)',
    args: {
      child: { kind: 'actor', doc: 'the new process: an actor declared with fork_of this actor', required: true },
      clone_files: { kind: 'bool', doc: 'CLONE_FILES: the child shares the fd table instead of a copy (rlimits, credentials and namespaces stay per process)', default: false },
    },
  },
  // ---- issue 11 language v2: the id maps of a user namespace made by unshare
  idmap: {
    doc: 'the actor writes one extent "0 <outside> <count>" to its own /proc/self/uid_map, or "deny" to /proc/self/setgroups and then that extent to gid_map',
    returnsFd: false,
    kernel: true,
    syscalls: 'open(2) and write(2) of /proc/self/uid_map, setgroups, gid_map',
    args: {
      map: { kind: 'choice', doc: 'which map: uid (uid_map) or gid (setgroups "deny", then gid_map)', choices: ['uid', 'gid'], default: 'uid' },
      outside: { kind: 'int', doc: "the extent's first id in the parent user namespace (lower_first, as written)", required: true, samples: [0, 1, 1000, 100000, 4294967295] },
      count: { kind: 'int', doc: 'the number of ids mapped (in-namespace ids 0..count-1)', default: 1, samples: [0, 2, 1000, 65536] },
    },
  },
} as const satisfies Record<string, OpSpec>;

export type OpName = keyof typeof OPS;

export const OP_NAMES = Object.keys(OPS) as OpName[];

/** the keys every step may carry, whatever its op (scenario/types.ts StepBase) */
export const COMMON_KEYS = ['actor', 'op', 'as', 'expect', 'expect_text', 'label', 'lsm'] as const;

/** does the step name the actor: as its actor, in an argument of kind actor (send_fd's
 *  `to`, setns's `of`, fork's `child`), or as the task of one of its BPF-LSM programs */
export function stepNames(st: { actor: string; op: string; lsm?: ReadonlyArray<{ action: string; task?: string }> }, name: string): boolean {
  if (st.actor === name) return true;
  if (st.lsm?.some((a) => a.action === 'bpf_lsm_deny' && a.task === name)) return true;
  const spec = opSpec(st.op);
  if (!spec) return false;
  const rec = st as unknown as Record<string, unknown>;
  for (const [k, a] of Object.entries(spec.args)) if (a.kind === 'actor' && rec[k] === name) return true;
  return false;
}

/** the entry of an op named by a stranger (own properties only: "constructor" is no op) */
export function opSpec(op: string): OpSpec | undefined {
  return Object.hasOwn(OPS, op) ? (OPS as Record<string, OpSpec>)[op] : undefined;
}
