// The four enums bpffs delegation works on, in vmlinux BTF order (6.18, dumped
// from /sys/kernel/btf/vmlinux; spec/token-core.md §T2.3). BTF order
// matters: find_btf_enum_const() (kernel/bpf/inode.c) takes the first match and
// seq_print_delegate_opts() prints the first alias.

export interface EnumConst {
  name: string; // full enumerator name
  value: number;
}

function seq(prefix: string, names: string[]): EnumConst[] {
  return names.map((n, i) => ({ name: prefix + n, value: i }));
}

function withAliases(base: EnumConst[], aliases: Array<[string, number]>): EnumConst[] {
  const out: EnumConst[] = [];
  for (const c of base) {
    out.push(c);
    for (const [name, after] of aliases) if (after === c.value) out.push({ name, value: c.value });
  }
  return out;
}

const CMD_NAMES = [
  'MAP_CREATE', 'MAP_LOOKUP_ELEM', 'MAP_UPDATE_ELEM', 'MAP_DELETE_ELEM', 'MAP_GET_NEXT_KEY',
  'PROG_LOAD', 'OBJ_PIN', 'OBJ_GET', 'PROG_ATTACH', 'PROG_DETACH', 'PROG_TEST_RUN',
  'PROG_GET_NEXT_ID', 'MAP_GET_NEXT_ID', 'PROG_GET_FD_BY_ID', 'MAP_GET_FD_BY_ID',
  'OBJ_GET_INFO_BY_FD', 'PROG_QUERY', 'RAW_TRACEPOINT_OPEN', 'BTF_LOAD', 'BTF_GET_FD_BY_ID',
  'TASK_FD_QUERY', 'MAP_LOOKUP_AND_DELETE_ELEM', 'MAP_FREEZE', 'BTF_GET_NEXT_ID',
  'MAP_LOOKUP_BATCH', 'MAP_LOOKUP_AND_DELETE_BATCH', 'MAP_UPDATE_BATCH', 'MAP_DELETE_BATCH',
  'LINK_CREATE', 'LINK_UPDATE', 'LINK_GET_FD_BY_ID', 'LINK_GET_NEXT_ID', 'ENABLE_STATS',
  'ITER_CREATE', 'LINK_DETACH', 'PROG_BIND_MAP', 'TOKEN_CREATE', 'PROG_STREAM_READ_BY_FD',
];

const MAP_NAMES = [
  'UNSPEC', 'HASH', 'ARRAY', 'PROG_ARRAY', 'PERF_EVENT_ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY',
  'STACK_TRACE', 'CGROUP_ARRAY', 'LRU_HASH', 'LRU_PERCPU_HASH', 'LPM_TRIE', 'ARRAY_OF_MAPS',
  'HASH_OF_MAPS', 'DEVMAP', 'SOCKMAP', 'CPUMAP', 'XSKMAP', 'SOCKHASH',
  'CGROUP_STORAGE_DEPRECATED', 'REUSEPORT_SOCKARRAY', 'PERCPU_CGROUP_STORAGE_DEPRECATED',
  'QUEUE', 'STACK', 'SK_STORAGE', 'DEVMAP_HASH', 'STRUCT_OPS', 'RINGBUF', 'INODE_STORAGE',
  'TASK_STORAGE', 'BLOOM_FILTER', 'USER_RINGBUF', 'CGRP_STORAGE', 'ARENA',
];

const PROG_NAMES = [
  'UNSPEC', 'SOCKET_FILTER', 'KPROBE', 'SCHED_CLS', 'SCHED_ACT', 'TRACEPOINT', 'XDP',
  'PERF_EVENT', 'CGROUP_SKB', 'CGROUP_SOCK', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'SOCK_OPS',
  'SK_SKB', 'CGROUP_DEVICE', 'SK_MSG', 'RAW_TRACEPOINT', 'CGROUP_SOCK_ADDR', 'LWT_SEG6LOCAL',
  'LIRC_MODE2', 'SK_REUSEPORT', 'FLOW_DISSECTOR', 'CGROUP_SYSCTL', 'RAW_TRACEPOINT_WRITABLE',
  'CGROUP_SOCKOPT', 'TRACING', 'STRUCT_OPS', 'EXT', 'LSM', 'SK_LOOKUP', 'SYSCALL', 'NETFILTER',
];

const ATTACH_NAMES = [
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

export const __MAX_BPF_CMD = CMD_NAMES.length; // 38
export const __MAX_BPF_MAP_TYPE = MAP_NAMES.length; // 34
export const __MAX_BPF_PROG_TYPE = PROG_NAMES.length; // 33
export const __MAX_BPF_ATTACH_TYPE = ATTACH_NAMES.length; // 58

export interface DelegateEnum {
  /** mount option key */
  option: 'delegate_cmds' | 'delegate_maps' | 'delegate_progs' | 'delegate_attachs';
  /** BTF enum name */
  btfName: string;
  /** prefix stripped by find_btf_enum_const() */
  prefix: string;
  /** constants in BTF order, aliases included, __MAX_* excluded */
  consts: EnumConst[];
  max: number;
}

export const BPF_CMD: DelegateEnum = {
  option: 'delegate_cmds',
  btfName: 'bpf_cmd',
  prefix: 'BPF_',
  consts: withAliases(seq('BPF_', CMD_NAMES), [['BPF_PROG_RUN', 10]]),
  max: __MAX_BPF_CMD,
};

export const BPF_MAP_TYPE: DelegateEnum = {
  option: 'delegate_maps',
  btfName: 'bpf_map_type',
  prefix: 'BPF_MAP_TYPE_',
  consts: withAliases(seq('BPF_MAP_TYPE_', MAP_NAMES), [
    ['BPF_MAP_TYPE_CGROUP_STORAGE', 19],
    ['BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE', 21],
  ]),
  max: __MAX_BPF_MAP_TYPE,
};

export const BPF_PROG_TYPE: DelegateEnum = {
  option: 'delegate_progs',
  btfName: 'bpf_prog_type',
  prefix: 'BPF_PROG_TYPE_',
  consts: seq('BPF_PROG_TYPE_', PROG_NAMES),
  max: __MAX_BPF_PROG_TYPE,
};

export const BPF_ATTACH_TYPE: DelegateEnum = {
  option: 'delegate_attachs',
  btfName: 'bpf_attach_type',
  prefix: 'BPF_',
  consts: seq('BPF_', ATTACH_NAMES),
  max: __MAX_BPF_ATTACH_TYPE,
};

export const DELEGATE_ENUMS = [BPF_CMD, BPF_MAP_TYPE, BPF_PROG_TYPE, BPF_ATTACH_TYPE] as const;

/** Lower-case, prefix-stripped token name of an enum constant (what bpffs prints). */
export function tokenName(e: DelegateEnum, c: EnumConst): string {
  return c.name.slice(e.prefix.length).toLowerCase();
}

// Commands and types the model refers to by name.
export const BPF_MAP_CREATE = 0;
export const BPF_PROG_LOAD = 5;
export const BPF_OBJ_GET_INFO_BY_FD = 15;
export const BPF_BTF_LOAD = 18;
export const BPF_BTF_GET_FD_BY_ID = 19;
export const BPF_TOKEN_CREATE = 36;

export const PROG = Object.fromEntries(PROG_NAMES.map((n, i) => [n, i])) as Record<string, number>;
export const MAP = Object.fromEntries(MAP_NAMES.map((n, i) => [n, i])) as Record<string, number>;
export const ATTACH = Object.fromEntries(ATTACH_NAMES.map((n, i) => [n, i])) as Record<string, number>;

export function mapTypeName(t: number): string {
  return MAP_NAMES[t] ?? String(t);
}
export function progTypeName(t: number): string {
  return PROG_NAMES[t] ?? String(t);
}
export function attachTypeName(t: number): string {
  return ATTACH_NAMES[t] ?? String(t);
}
