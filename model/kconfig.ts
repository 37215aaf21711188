// Kernel-config facts: the CONFIG_* options the model reads, as data. A
// kernel built without an option has no ops for the map and program types
// that option guards (include/linux/bpf_types.h), no preloaded iterator links
// in a new bpffs (CONFIG_BPF_PRELOAD), and a cpumap bounded by its NR_CPUS.
// The default is the 6.18 oracle host's config (/proc/config.gz of 6.18.44:
// every option below set except BPF_LIRC_MODE2, NR_CPUS 256). A VM kernel's
// facts come from its embedded config (vm/kconfig.ts kconfigFacts()) and reach
// the model as a profile knob: the profile name `<base>+kconfig:<facts>`
// (model/profile.ts findProfile()), so a saved scenario carries them.
//
// Citations: B = include/linux/bpf_types.h, identical in Debian 6.12.117 and
// 7.3.4 for the lines used here (6.12.117 numbers; 7.3.4 has the same guards
// at the same lines); kernel/bpf/syscall.c map_create() `ops =
// bpf_map_types[map_type]; if (!ops) return -EINVAL;` (7.3.4 :1441, 6.12.117
// :1257) and find_prog_type() (7.3.4 :2354, 6.12.117 :2107) turn an
// unconfigured type into EINVAL.

import { MAP, PROG } from './enums.ts';

const nameOf = (e: Record<string, number>): Map<number, string> => new Map(Object.entries(e).map(([n, i]) => [i, n]));
const MAP_TYPE_NAMES = nameOf(MAP);
const PROG_TYPE_NAMES = nameOf(PROG);

/** the options the model reads, in the order they are printed */
export const KCONFIG_OPTIONS = [
  'BPF_PRELOAD',
  'XDP_SOCKETS',
  'NETFILTER_BPF_LINK',
  'BPF_LIRC_MODE2',
  'BPF_LSM',
  'BPF_JIT',
  'CGROUP_BPF',
  'CGROUPS',
  'BPF_EVENTS',
  'PERF_EVENTS',
  'INET',
  'NET',
] as const;
export type KconfigOption = (typeof KCONFIG_OPTIONS)[number];

export interface KernelConfigFacts {
  /** options of KCONFIG_OPTIONS that the kernel does not have */
  unset: readonly KconfigOption[];
  /** CONFIG_NR_CPUS */
  nrCpus: number;
  /** not a config option but a fact of one vendor kernel: every BPF_MAP_TYPE_ARENA
   *  map_create() fails with EPERM after the token lookup (a bad token fd is still
   *  EBADF) and before any of arena_map_alloc()'s attribute checks, even for init
   *  root with CAP_BPF. Measured 2026-12-04 on the oracle host 6.18.44-fc-v1252 (a
   *  PVM guest build, CONFIG_PVM_GUEST=y; its predecessor 6.18.44-fc-v669 created
   *  arenas). Upstream 6.18 has no such path: map_create()'s only check for ARENA is
   *  bpf_token_capable(token, CAP_BPF), and arena_map_alloc() fails with EOPNOTSUPP,
   *  EINVAL, E2BIG or ENOMEM (so does 7.3.4: kernel/bpf/arena.c has no EPERM). The executor's probe measures it ("arena"), and the
   *  host oracle runs the model with it (oracle/driver.ts adaptToMachine(); spec/token-core.md §T7.2). */
  arenaEperm?: boolean;
}

/** the 6.18 oracle host (6.18.44, /proc/config.gz) */
export const HOST_CONFIG: KernelConfigFacts = { unset: ['BPF_LIRC_MODE2'], nrCpus: 256 };

/** the guards of B, as (option, what it guards): a type is configured when
 *  every option guarding it is set */
const MAP_GUARDS: Partial<Record<string, readonly KconfigOption[]>> = {
  // B:91-94 CGROUP_ARRAY, CGRP_STORAGE under CONFIG_CGROUPS
  CGROUP_ARRAY: ['CGROUPS'],
  CGRP_STORAGE: ['CGROUPS'],
  // B:95-98 under CONFIG_CGROUP_BPF
  CGROUP_STORAGE: ['CGROUP_BPF'],
  PERCPU_CGROUP_STORAGE: ['CGROUP_BPF'],
  // B:104-106 under CONFIG_PERF_EVENTS
  STACK_TRACE: ['PERF_EVENTS'],
  // B:109-111 under CONFIG_BPF_LSM
  INODE_STORAGE: ['BPF_LSM'],
  // B:113-126 under CONFIG_NET; XSKMAP also CONFIG_XDP_SOCKETS (:118), the socket maps CONFIG_INET (:121)
  DEVMAP: ['NET'],
  DEVMAP_HASH: ['NET'],
  SK_STORAGE: ['NET'],
  CPUMAP: ['NET'],
  XSKMAP: ['NET', 'XDP_SOCKETS'],
  SOCKMAP: ['NET', 'INET'],
  SOCKHASH: ['NET', 'INET'],
  REUSEPORT_SOCKARRAY: ['NET', 'INET'],
  // B:129-131 under CONFIG_BPF_JIT
  STRUCT_OPS: ['BPF_JIT'],
};

const PROG_GUARDS: Partial<Record<string, readonly KconfigOption[]>> = {
  // B:4-37 under CONFIG_NET, the cgroup ones also CONFIG_CGROUP_BPF (:13-20)
  SOCKET_FILTER: ['NET'],
  SCHED_CLS: ['NET'],
  SCHED_ACT: ['NET'],
  XDP: ['NET'],
  CGROUP_SKB: ['NET', 'CGROUP_BPF'],
  CGROUP_SOCK: ['NET', 'CGROUP_BPF'],
  CGROUP_SOCK_ADDR: ['NET', 'CGROUP_BPF'],
  LWT_IN: ['NET'],
  LWT_OUT: ['NET'],
  LWT_XMIT: ['NET'],
  LWT_SEG6LOCAL: ['NET'],
  SOCK_OPS: ['NET'],
  SK_SKB: ['NET'],
  SK_MSG: ['NET'],
  FLOW_DISSECTOR: ['NET'],
  // B:38-51 under CONFIG_BPF_EVENTS
  KPROBE: ['BPF_EVENTS'],
  TRACEPOINT: ['BPF_EVENTS'],
  PERF_EVENT: ['BPF_EVENTS'],
  RAW_TRACEPOINT: ['BPF_EVENTS'],
  RAW_TRACEPOINT_WRITABLE: ['BPF_EVENTS'],
  TRACING: ['BPF_EVENTS'],
  // B:52-59 under CONFIG_CGROUP_BPF
  CGROUP_DEVICE: ['CGROUP_BPF'],
  CGROUP_SYSCTL: ['CGROUP_BPF'],
  CGROUP_SOCKOPT: ['CGROUP_BPF'],
  // B:60-63 under CONFIG_BPF_LIRC_MODE2
  LIRC_MODE2: ['BPF_LIRC_MODE2'],
  // B:64-69 under CONFIG_INET
  SK_REUSEPORT: ['INET'],
  SK_LOOKUP: ['INET'],
  // B:70-79 under CONFIG_BPF_JIT, LSM also CONFIG_BPF_LSM
  STRUCT_OPS: ['BPF_JIT'],
  EXT: ['BPF_JIT'],
  LSM: ['BPF_JIT', 'BPF_LSM'],
  // B:82-85 under CONFIG_NETFILTER_BPF_LINK
  NETFILTER: ['NETFILTER_BPF_LINK'],
};

const configured = (facts: KernelConfigFacts, guards: readonly KconfigOption[] | undefined): boolean =>
  (guards ?? []).every((o) => !facts.unset.includes(o));

/** bpf_map_types[type] has ops in this config (a type the enum knows) */
export function mapTypeConfigured(facts: KernelConfigFacts | undefined, type: number): boolean {
  const name = MAP_TYPE_NAMES.get(type);
  return name === undefined || configured(facts ?? HOST_CONFIG, MAP_GUARDS[name]);
}

/** bpf_prog_types[type] has ops in this config (a type the enum knows) */
export function progTypeConfigured(facts: KernelConfigFacts | undefined, type: number): boolean {
  const name = PROG_TYPE_NAMES.get(type);
  return name === undefined || configured(facts ?? HOST_CONFIG, PROG_GUARDS[name]);
}

/** populate_bpffs() -> bpf_preload_mod_get(): without CONFIG_BPF_PRELOAD no
 *  module sets bpf_preload_ops, so a new bpffs has no maps.debug/progs.debug
 *  (kernel/bpf/inode.c 7.3.4 :1123-1131, :1164; 6.12.117 :956, :997) */
export function hasPreload(facts: KernelConfigFacts | undefined): boolean {
  return !(facts ?? HOST_CONFIG).unset.includes('BPF_PRELOAD');
}

/** CONFIG_BPF_LSM: bpf_cgroup_atype_find() has the cgroup LSM slots (kernel/bpf/cgroup.c
 *  7.3.4 :182-202, else :232-239 EOPNOTSUPP) */
export function hasBpfLsm(facts: KernelConfigFacts | undefined): boolean {
  return !(facts ?? HOST_CONFIG).unset.includes('BPF_LSM');
}

/** cpu_map_alloc(): max_entries > NR_CPUS -> E2BIG (kernel/bpf/cpumap.c
 *  7.3.4 :97-98, 6.12.117 :94-95) */
export function nrCpus(facts: KernelConfigFacts | undefined): number {
  return (facts ?? HOST_CONFIG).nrCpus;
}

/** the vendor fact arenaEperm: ARENA maps refused with EPERM before their allocation */
export function arenaRefused(facts: KernelConfigFacts | undefined): boolean {
  return (facts ?? HOST_CONFIG).arenaEperm === true;
}

/** "NR_CPUS=2,-BPF_PRELOAD,-XDP_SOCKETS" (and ",ARENA=EPERM"): the facts as a profile-name suffix */
export function formatKconfig(facts: KernelConfigFacts): string {
  return [`NR_CPUS=${facts.nrCpus}`, ...KCONFIG_OPTIONS.filter((o) => facts.unset.includes(o)).map((o) => `-${o}`), ...(facts.arenaEperm ? ['ARENA=EPERM'] : [])].join(',');
}

/** the inverse of formatKconfig(); null when the text is not in that form */
export function parseKconfig(text: string): KernelConfigFacts | null {
  const unset: KconfigOption[] = [];
  let cpus: number | null = null;
  let arenaEperm = false;
  for (const part of text.split(',')) {
    if (part === 'ARENA=EPERM') {
      if (arenaEperm) return null;
      arenaEperm = true;
      continue;
    }
    const m = /^NR_CPUS=([1-9][0-9]{0,4})$/.exec(part);
    if (m) {
      if (cpus !== null) return null;
      cpus = Number(m[1]);
      continue;
    }
    const o = part.startsWith('-') ? part.slice(1) : '';
    if (!(KCONFIG_OPTIONS as readonly string[]).includes(o) || unset.includes(o as KconfigOption)) return null;
    unset.push(o as KconfigOption);
  }
  if (cpus === null) return null;
  const facts: KernelConfigFacts = { unset: KCONFIG_OPTIONS.filter((o) => unset.includes(o)), nrCpus: cpus, ...(arenaEperm ? { arenaEperm } : {}) };
  return formatKconfig(facts) === text ? facts : null;
}

/** the facts from a kernel config's values (CONFIG_X -> "y"/"m"/...) */
export function factsFromConfigValues(values: ReadonlyMap<string, string>): KernelConfigFacts {
  const set = (o: string): boolean => {
    const v = values.get(`CONFIG_${o}`);
    return v === 'y' || v === 'm';
  };
  const n = Number(values.get('CONFIG_NR_CPUS') ?? '');
  return { unset: KCONFIG_OPTIONS.filter((o) => !set(o)), nrCpus: Number.isInteger(n) && n > 0 ? n : 1 };
}
