// The words a scenario file may use: capability names, errno names, the names
// of the four enums bpffs delegation works on, SELinux classes and their
// permissions, BPF-LSM hook names, profile names. The scenario layer is the
// ground floor: the model imports these tables from here, never the reverse
// (scenario/layering.test.ts checks no scenario/ module imports model/).

// ---------------------------------------------------------------- capabilities

/** capability names in number order (include/uapi/linux/capability.h), without CAP_ */
export const CAP_NAMES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
];

const CAP_INDEX = new Map(CAP_NAMES.map((n, i) => [n, i]));

/** a capability's number from "BPF", "CAP_BPF" or "cap_bpf" */
export function capByName(name: string): number | undefined {
  const hit = CAP_INDEX.get(name); // the common spelling, as traces use it
  if (hit !== undefined) return hit;
  return CAP_INDEX.get(name.toUpperCase().replace(/^CAP_/, ''));
}

export function capName(cap: number): string {
  return CAP_NAMES[cap] ?? String(cap);
}

// ---------------------------------------------------------------- errno

/** the errno names traces use (include/uapi/asm-generic/errno-base.h, errno.h;
 *  ENOTSUPP from include/linux/errno.h); any other errno is "E<n>" */
export const ERRNO_VALUES: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EBADF: 9,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EINVAL: 22,
  EMFILE: 24,
  ENAMETOOLONG: 36,
  ENOSPC: 28,
  EROFS: 30,
  ERANGE: 34,
  EOPNOTSUPP: 95,
  EOVERFLOW: 75,
  EBADFD: 77,
  E2BIG: 7,
  ENOTSUPP: 524,
  EBADMSG: 74,
  ENOKEY: 126,
  EKEYREJECTED: 129,
  // issue 11 language v2 (mount life cycle)
  EAGAIN: 11,
  ELOOP: 40,
};

export function errnoByName(name: string): number | undefined {
  if (Object.hasOwn(ERRNO_VALUES, name)) return ERRNO_VALUES[name];
  const m = /^E(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------- the delegation enums

// In vmlinux BTF order (6.18, dumped from /sys/kernel/btf/vmlinux;
// spec/token-core.md §T2.3); the model's enums (model/enums.ts) are built on these.

export const CMD_NAMES: readonly string[] = [
  'MAP_CREATE', 'MAP_LOOKUP_ELEM', 'MAP_UPDATE_ELEM', 'MAP_DELETE_ELEM', 'MAP_GET_NEXT_KEY',
  'PROG_LOAD', 'OBJ_PIN', 'OBJ_GET', 'PROG_ATTACH', 'PROG_DETACH', 'PROG_TEST_RUN',
  'PROG_GET_NEXT_ID', 'MAP_GET_NEXT_ID', 'PROG_GET_FD_BY_ID', 'MAP_GET_FD_BY_ID',
  'OBJ_GET_INFO_BY_FD', 'PROG_QUERY', 'RAW_TRACEPOINT_OPEN', 'BTF_LOAD', 'BTF_GET_FD_BY_ID',
  'TASK_FD_QUERY', 'MAP_LOOKUP_AND_DELETE_ELEM', 'MAP_FREEZE', 'BTF_GET_NEXT_ID',
  'MAP_LOOKUP_BATCH', 'MAP_LOOKUP_AND_DELETE_BATCH', 'MAP_UPDATE_BATCH', 'MAP_DELETE_BATCH',
  'LINK_CREATE', 'LINK_UPDATE', 'LINK_GET_FD_BY_ID', 'LINK_GET_NEXT_ID', 'ENABLE_STATS',
  'ITER_CREATE', 'LINK_DETACH', 'PROG_BIND_MAP', 'TOKEN_CREATE', 'PROG_STREAM_READ_BY_FD',
];

export const MAP_NAMES: readonly string[] = [
  'UNSPEC', 'HASH', 'ARRAY', 'PROG_ARRAY', 'PERF_EVENT_ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY',
  'STACK_TRACE', 'CGROUP_ARRAY', 'LRU_HASH', 'LRU_PERCPU_HASH', 'LPM_TRIE', 'ARRAY_OF_MAPS',
  'HASH_OF_MAPS', 'DEVMAP', 'SOCKMAP', 'CPUMAP', 'XSKMAP', 'SOCKHASH',
  'CGROUP_STORAGE_DEPRECATED', 'REUSEPORT_SOCKARRAY', 'PERCPU_CGROUP_STORAGE_DEPRECATED',
  'QUEUE', 'STACK', 'SK_STORAGE', 'DEVMAP_HASH', 'STRUCT_OPS', 'RINGBUF', 'INODE_STORAGE',
  'TASK_STORAGE', 'BLOOM_FILTER', 'USER_RINGBUF', 'CGRP_STORAGE', 'ARENA',
];

/** BTF aliases of map types (include/uapi/linux/bpf.h: BPF_MAP_TYPE_CGROUP_STORAGE =
 *  BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED, likewise PERCPU_): accepted as input */
export const MAP_ALIASES: Readonly<Record<string, number>> = { CGROUP_STORAGE: 19, PERCPU_CGROUP_STORAGE: 21 };

export const PROG_NAMES: readonly string[] = [
  'UNSPEC', 'SOCKET_FILTER', 'KPROBE', 'SCHED_CLS', 'SCHED_ACT', 'TRACEPOINT', 'XDP',
  'PERF_EVENT', 'CGROUP_SKB', 'CGROUP_SOCK', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'SOCK_OPS',
  'SK_SKB', 'CGROUP_DEVICE', 'SK_MSG', 'RAW_TRACEPOINT', 'CGROUP_SOCK_ADDR', 'LWT_SEG6LOCAL',
  'LIRC_MODE2', 'SK_REUSEPORT', 'FLOW_DISSECTOR', 'CGROUP_SYSCTL', 'RAW_TRACEPOINT_WRITABLE',
  'CGROUP_SOCKOPT', 'TRACING', 'STRUCT_OPS', 'EXT', 'LSM', 'SK_LOOKUP', 'SYSCALL', 'NETFILTER',
];

export const ATTACH_NAMES: readonly string[] = [
  'CGROUP_INET_INGRESS', 'CGROUP_INET_EGRESS', 'CGROUP_INET_SOCK_CREATE', 'CGROUP_SOCK_OPS',
  'SK_SKB_STREAM_PARSER', 'SK_SKB_STREAM_VERDICT', 'CGROUP_DEVICE', 'SK_MSG_VERDICT',
  'CGROUP_INET4_BIND', 'CGROUP_INET6_BIND', 'CGROUP_INET4_CONNECT', 'CGROUP_INET6_CONNECT',
  'CGROUP_INET4_POST_BIND', 'CGROUP_INET6_POST_BIND', 'CGROUP_UDP4_SENDMSG',
  'CGROUP_UDP6_SENDMSG', 'LIRC_MODE2', 'FLOW_DISSECTOR', 'CGROUP_SYSCTL',
  'CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG', 'CGROUP_GETSOCKOPT', 'CGROUP_SETSOCKOPT',
  'TRACE_RAW_TP', 'TRACE_FENTRY', 'TRACE_FEXIT', 'MODIFY_RETURN', 'LSM_MAC', 'TRACE_ITER',
  'CGROUP_INET4_GETPEERNAME', 'CGROUP_INET6_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME',
  'CGROUP_INET6_GETSOCKNAME', 'XDP_DEVMAP', 'CGROUP_INET_SOCK_RELEASE', 'XDP_CPUMAP',
  'SK_LOOKUP', 'XDP', 'SK_SKB_VERDICT', 'SK_REUSEPORT_SELECT', 'SK_REUSEPORT_SELECT_OR_MIGRATE',
  'PERF_EVENT', 'TRACE_KPROBE_MULTI', 'LSM_CGROUP', 'STRUCT_OPS', 'NETFILTER', 'TCX_INGRESS',
  'TCX_EGRESS', 'TRACE_UPROBE_MULTI', 'CGROUP_UNIX_CONNECT', 'CGROUP_UNIX_SENDMSG',
  'CGROUP_UNIX_RECVMSG', 'CGROUP_UNIX_GETPEERNAME', 'CGROUP_UNIX_GETSOCKNAME',
  'NETKIT_PRIMARY', 'NETKIT_PEER', 'TRACE_KPROBE_SESSION', 'TRACE_UPROBE_SESSION',
];

export function mapTypeName(t: number): string {
  return MAP_NAMES[t] ?? String(t);
}
export function progTypeName(t: number): string {
  return PROG_NAMES[t] ?? String(t);
}
export function attachTypeName(t: number): string {
  return ATTACH_NAMES[t] ?? String(t);
}

/** An enum a numeric scenario argument may be spelt in (scenario/ops.ts `names`). */
export interface NamedEnum {
  /** the C enum (include/uapi/linux/bpf.h) */
  cEnum: string;
  /** prefix of its enumerators: accepted in input, never printed */
  prefix: string;
  names: readonly string[];
  aliases: Readonly<Record<string, number>>;
}

export const ENUMS = {
  map_type: { cEnum: 'bpf_map_type', prefix: 'BPF_MAP_TYPE_', names: MAP_NAMES, aliases: MAP_ALIASES },
  prog_type: { cEnum: 'bpf_prog_type', prefix: 'BPF_PROG_TYPE_', names: PROG_NAMES, aliases: {} },
  attach_type: { cEnum: 'bpf_attach_type', prefix: 'BPF_', names: ATTACH_NAMES, aliases: {} },
} as const satisfies Record<string, NamedEnum>;

export type EnumName = keyof typeof ENUMS;

/** The value of an enumerator spelt "STACK" or "BPF_MAP_TYPE_STACK" (aliases too), or undefined. */
export function enumValue(e: EnumName, name: string): number | undefined {
  const en: NamedEnum = ENUMS[e];
  const short = name.startsWith(en.prefix) ? name.slice(en.prefix.length) : name;
  const i = en.names.indexOf(short);
  if (i >= 0) return i;
  return Object.hasOwn(en.aliases, short) ? en.aliases[short] : undefined;
}

/** every spelling enumValue() accepts, short names first (the JSON Schema lists them) */
export function enumSpellings(e: EnumName): string[] {
  const en: NamedEnum = ENUMS[e];
  const short = [...en.names, ...Object.keys(en.aliases)];
  return [...short, ...short.map((n) => en.prefix + n)];
}

// ---------------------------------------------------------------- SELinux policy text

/** the token patch adds map_create_as and prog_load_as to class bpf (seed 000 classmap.h) */
export const TOKEN_PERMS = ['map_create_as', 'prog_load_as'] as const;

const CAP_LAST_CAP = CAP_NAMES.length - 1;
const CAPS_0_31 = Array.from({ length: 32 }, (_, i) => capName(i).toLowerCase());
const CAPS_32_63 = Array.from({ length: CAP_LAST_CAP - 31 }, (_, i) => capName(32 + i).toLowerCase());

/** the classes and permissions of the kernel's class map
 *  (security/selinux/include/classmap.h) that the model uses */
export const CLASSES: Record<string, readonly string[]> = {
  bpf: ['map_create', 'map_read', 'map_write', 'prog_load', 'prog_run', ...TOKEN_PERMS],
  capability: CAPS_0_31,
  capability2: CAPS_32_63,
  cap_userns: CAPS_0_31,
  cap2_userns: CAPS_32_63,
  fd: ['use'],
  file: ['read', 'write', 'open', 'getattr'],
};

export const POLICY_CAPS = ['bpf_token_perms'] as const;
export type PolicyCap = (typeof POLICY_CAPS)[number];

export interface Rule {
  source: string;
  target: string;
  tclass: string;
  perms: string[];
}

/** parses "S T:class p1 p2"; returns an error message or the rule */
export function parseRule(text: string): Rule | string {
  const m = /^\s*(\S+)\s+(\S+):(\S+)\s+(.+?)\s*$/.exec(text);
  if (!m) return `expected "source target:class perm...", got ${JSON.stringify(text)}`;
  const [, source, target, tclass, rest] = m as unknown as [string, string, string, string, string];
  const known = Object.hasOwn(CLASSES, tclass) ? CLASSES[tclass] : undefined; // not Object.prototype's "constructor"
  if (!known) return `unknown class "${tclass}" (known: ${Object.keys(CLASSES).join(', ')})`;
  const perms = rest.split(/\s+/);
  for (const p of perms) if (p !== '*' && !known.includes(p)) return `class ${tclass} has no permission "${p}"`;
  return { source, target, tclass, perms };
}

// ---------------------------------------------------------------- BPF LSM

/** the hooks a bpf_lsm_deny action may name (model/lsm/bpf_lsm.ts) */
export const BPF_LSM_HOOKS = ['bpf', 'bpf_map_create', 'bpf_prog_load', 'bpf_token_create', 'bpf_token_cmd', 'bpf_token_capable'] as const;
/** seed 002's new hooks: security/bpf/hooks.c registers a bpf_lsm_<hook>
 *  trampoline for every hook of lsm_hook_defs.h, so the BPF LSM implements
 *  them too (a program may deny; it cannot deliver a verdict: no kfunc) */
export const BPF_LSM_INTEGRITY_HOOKS = ['bpf_prog_load_integrity', 'bpf_prog_load_post_integrity'] as const;
/** hooks outside bpf(2) a program may attach to: chmod's security_inode_setattr()
 *  (notify_change(); bpf_lsm_inode_setattr exists on every kernel with the BPF LSM,
 *  unlike security_path_chmod(), which needs CONFIG_SECURITY_PATH) */
export const BPF_LSM_FILE_HOOKS = ['inode_setattr'] as const;
/** the hook points an in-syscall policy_load may name as `at` (README "In-syscall
 *  policy loads"): the load runs right before the first call of that hook in the
 *  step's syscall, i.e. at the preemption point between it and the hook before */
export const LSM_AT_HOOKS = ['capable', ...BPF_LSM_HOOKS, ...BPF_LSM_INTEGRITY_HOOKS] as const;
export type LsmAtHook = (typeof LSM_AT_HOOKS)[number];

// ---------------------------------------------------------------- profiles

/** the profiles a scenario may name: model/profile.ts installs its live list
 *  (PROFILES, which a plugin extends) when it is loaded, as every process that
 *  runs scenarios does; until then none is known */
let profileNames: () => readonly string[] = () => [];
let profileFound: (name: string) => boolean = () => false;

/** model/profile.ts hands in its live list (a plugin adds profiles to it, api/plugins.ts)
 *  and its lookup, which also takes derived names (`<profile>+kconfig:<facts>`, the
 *  oracle's machine-adapted scenarios) */
export function setProfileNames(source: () => readonly string[], found?: (name: string) => boolean): void {
  profileNames = source;
  if (found) profileFound = found;
}

/** a profile a scenario may name: a built-in one, one a loaded plugin added, or one of
 *  them with kernel-config facts */
export function knownProfile(name: string): boolean {
  return profileNames().includes(name) || profileFound(name);
}

export const LSM_NAMES = ['capability', 'selinux', 'bpf', 'ipe', 'hornet'] as const;
