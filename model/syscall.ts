// bpf(2) (kernel/bpf/syscall.c): __sys_bpf and the token-aware commands
// BPF_TOKEN_CREATE, BPF_MAP_CREATE, BPF_PROG_LOAD, BPF_BTF_LOAD,
// BPF_BTF_GET_FD_BY_ID, plus BPF_OBJ_GET_INFO_BY_FD for tokens.

import type { FileOperations, Kernel, Task, TokenSite } from './kernel.ts';
import { CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN } from './caps.ts';
import { E2BIG, EACCES, EBADF, EBADFD, EEXIST, EINVAL, ENOENT, ENOTSUPP, EPERM, retName } from './errno.ts';
import { REASON, refused } from '../scenario/sandbox.ts';
import {
  BPF_BTF_GET_FD_BY_ID,
  BPF_BTF_LOAD,
  BPF_MAP_CREATE,
  BPF_OBJ_GET_INFO_BY_FD,
  BPF_MAP_FREEZE,
  BPF_MAP_UPDATE_ELEM,
  BPF_MAP_DELETE_ELEM,
  BPF_PROG_LOAD,
  BPF_TOKEN_CREATE,
  BPF_OBJ_PIN,
  BPF_OBJ_GET,
  BPF_PROG_ATTACH,
  BPF_PROG_DETACH,
  BPF_LINK_CREATE,
  ATTACH,
  MAP,
  PROG,
  __MAX_BPF_MAP_TYPE,
  __MAX_BPF_PROG_TYPE,
} from './enums.ts';
import {
  type BpfToken,
  bpf_token_allow_cmd,
  bpf_token_allow_map_type,
  bpf_token_create,
  bpf_token_get_from_fd,
  bpf_token_get_info_by_fd,
  bpf_token_put,
} from './token.ts';
import { fdget } from './vfs.ts';
import type { BpfAttr, BpfMap, BpfProg, Btf } from './include/linux/bpf.ts';
export type { BpfAttr, BpfMap, BpfProg, Btf };
import { HOST_CONFIG, type KernelConfigFacts, arenaRefused, mapTypeConfigured, nrCpus, progTypeConfigured } from './kconfig.ts';
import { bpf_prog_verify_signature, KEYRING_ID } from './lsm/integrity.ts';
import { VERIFIER_CAPS_6_18 } from './profile.ts';
import { bpf_obj_get, bpf_obj_pin, BPF_F_PATH_FD } from './pin.ts';
import { bpf_map_put, bpf_prog_put } from './bpfobj.ts';
import { type VerifierEnv, process_fd_array, release_maps } from './verifier.ts';
import { bpf_prog_attach, bpf_prog_detach, link_create, CGROUP_TARGET_FD } from './link.ts';
import { security_bpf, security_bpf_map, security_bpf_map_create, security_bpf_map_free, security_bpf_prog, security_bpf_prog_free, security_bpf_prog_load } from './security.ts';
import { type ModelState, type StepTable, A as ARGS, fdOf, tailOf, withToken } from './step.ts';
import type { Step } from '../scenario/types.ts';
import { P } from './include/decision.ts';

export const BPF_F_TOKEN_FD = 1 << 16;
export const BPF_F_NO_PREALLOC = 1;
export const BPF_F_NO_COMMON_LRU = 2;
export const BPF_F_NUMA_NODE = 4;
export const BPF_F_RDONLY = 8;
export const BPF_F_WRONLY = 16;
export const BPF_F_ZERO_SEED = 64;
export const BPF_F_RDONLY_PROG = 128;
export const BPF_F_WRONLY_PROG = 256;
export const BPF_F_MMAPABLE = 1024;
export const BPF_F_PRESERVE_ELEMS = 2048;
export const BPF_F_INNER_MAP = 4096;
export const BPF_F_SLEEPABLE = 16;
const ACCESS_MASK = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;

export const SIZEOF_BPF_ATTR = 168;
const SIZEOF_ATTR_6_18 = SIZEOF_BPF_ATTR;
/** offsetof(union bpf_attr, fd_array_cnt) (6.18, 7.3.4 include/uapi/linux/bpf.h:1661) */
const FD_ARRAY_CNT_OFF = 148;
const PAGE_SIZE = 4096;
/** NR_CPUS of the 6.18 oracle machine's config (cpu_map_alloc(): max_entries >
 *  NR_CPUS -> E2BIG): CONFIG_NR_CPUS=256 (cpumap with 257 entries -> E2BIG on
 *  the kernel; the earlier guess 8192 said ok). Another kernel's comes from
 *  the profile knob kconfig (model/kconfig.ts). */
export const NR_CPUS = HOST_CONFIG.nrCpus;
/** kernel.perf_event_max_stack default (stack_map_alloc()) */
const PERF_EVENT_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id) */
const STACK_BUILD_ID_SIZE = 32;





/** byte layout of the fields, to zero what a short attr does not copy */
type NumField = Exclude<keyof BpfAttr, 'signature' | 'fault' | 'pathname' | 'fd_array'>;
const LAYOUT: Partial<Record<NumField, [number, number]>> = {
  flags: [0, 4],
  bpffs_fd: [4, 4],
};

/** the layouts of the issue-11 object commands (include/uapi/linux/bpf.h;
 *  offsets checked with gcc on the 7.3.4 header). The pointer attr
 *  pathname (bytes 0-7 of BPF_OBJ_*) and the executor's cgroup fd (target_fd)
 *  are not in them: a tail_byte there is ignored by model and executor alike;
 *  a short attr that cuts them makes them NULL / 0. */
const CMD_LAYOUT: Partial<Record<number, Partial<Record<NumField, [number, number]>>>> = {
  [BPF_OBJ_PIN]: { bpf_fd: [8, 4], file_flags: [12, 4], path_fd: [16, 4] },
  [BPF_OBJ_GET]: { bpf_fd: [8, 4], file_flags: [12, 4], path_fd: [16, 4] },
  [BPF_PROG_ATTACH]: { attach_bpf_fd: [4, 4], attach_type: [8, 4], attach_flags: [12, 4] },
  [BPF_PROG_DETACH]: { attach_bpf_fd: [4, 4], attach_type: [8, 4], attach_flags: [12, 4] },
  [BPF_LINK_CREATE]: { attach_bpf_fd: [0, 4], attach_type: [8, 4], attach_flags: [12, 4] },
};
/** where each object command's pointer / cgroup fd sits: [offset, width] */
const CMD_OPAQUE: Partial<Record<number, [NumField | 'pathname', number, number]>> = {
  [BPF_OBJ_PIN]: ['pathname', 0, 8],
  [BPF_OBJ_GET]: ['pathname', 0, 8],
  [BPF_PROG_ATTACH]: ['target_fd', 0, 4],
  [BPF_PROG_DETACH]: ['target_fd', 0, 4],
  [BPF_LINK_CREATE]: ['target_fd', 4, 4],
};

/** end of the last field of each command (BPF_*_LAST_FIELD): CHECK_ATTR()
 *  requires every byte after it to be zero */
const LAST_FIELD_END: Record<number, number> = {
  [BPF_TOKEN_CREATE]: 8,
  [BPF_MAP_CREATE]: 92,
  [BPF_PROG_LOAD]: 168,
  [BPF_BTF_LOAD]: 40,
  [BPF_BTF_GET_FD_BY_ID]: 16,
  [BPF_OBJ_GET_INFO_BY_FD]: 16,
  // BPF_MAP_FREEZE_LAST_FIELD map_fd (7.3.4 syscall.c:2306, as 6.18)
  [BPF_MAP_FREEZE]: 4,
  // BPF_MAP_UPDATE_ELEM_LAST_FIELD flags (map_fd, pad, key, value, flags: 32 bytes)
  [BPF_MAP_UPDATE_ELEM]: 32,
  // BPF_MAP_DELETE_ELEM_LAST_FIELD key (map_fd, pad, key: 16 bytes; 7.3.4 syscall.c:1898)
  [BPF_MAP_DELETE_ELEM]: 16,
  // BPF_OBJ_LAST_FIELD path_fd, BPF_PROG_{ATTACH,DETACH}_LAST_FIELD expected_revision
  // (6.12.118 syscall.c:2905, :4070, :4152; 7.3.4 :3203, :4581, :4663)
  [BPF_OBJ_PIN]: 20,
  [BPF_OBJ_GET]: 20,
  [BPF_PROG_ATTACH]: 32,
  [BPF_PROG_DETACH]: 32,
  // BPF_LINK_CREATE_LAST_FIELD link_create.uprobe_multi.pid (6.12.118 syscall.c:5223,
  // as 6.18); 7.3 has uprobe_multi.path_fd (7.3.4 :5809): 64 there (profile bpfAttr)
  [BPF_LINK_CREATE]: 60,
};

export interface BpfCall {
  cmd: number;
  attr: BpfAttr;
  /** attr size passed to bpf() */
  size: number;
  /** a byte of the user buffer set to 1 (null: none) */
  tailByte: number | null;
  /** uattr.is_kernel: the call comes from bpf_sys_bpf() (a loader program), model only */
  kernel?: boolean;
}

export type BpfResult = { ret: number; text?: string };

/** the fields of an attr layout as entries, made once per layout (issue 13: Object.entries
 *  per bpf() call was 3% of a model replay) */
const layoutCache = new WeakMap<object, Array<[NumField, [number, number]]>>();
function layoutEntries(l: object): Array<[NumField, [number, number]]> {
  let e = layoutCache.get(l);
  if (!e) layoutCache.set(l, (e = Object.entries(l) as Array<[NumField, [number, number]]>));
  return e;
}

/** __sys_bpf() */
export function sys_bpf(k: Kernel, t: Task, call: BpfCall): BpfResult {
  const { cmd, size, tailByte } = call;
  // union bpf_attr of the profile's kernel (6.12: 152 bytes, shorter LAST_FIELDs)
  const layout = k.profile.token.bpfAttr;
  const SIZEOF_BPF_ATTR = layout?.size ?? SIZEOF_ATTR_6_18;
  // bpf_check_uarg_tail_zero()
  if (k.check('__sys_bpf/size', size > PAGE_SIZE)) return { ret: -E2BIG };
  if (k.check('__sys_bpf/tail', size > SIZEOF_BPF_ATTR && tailByte !== null && tailByte >= SIZEOF_BPF_ATTR && tailByte < size))
    return { ret: -E2BIG };
  const copied = Math.min(size, SIZEOF_BPF_ATTR);
  // copy_from_bpfptr(&attr, uattr, size): bytes past `size` read as zero
  const attr: BpfAttr = { ...call.attr };
  const LAYOUT_ENTRIES = layoutEntries(CMD_LAYOUT[cmd] ?? LAYOUT);
  const opaque = CMD_OPAQUE[cmd];
  if (opaque && opaque[1] >= copied) {
    if (opaque[0] === 'pathname') attr.pathname = null;
    else attr[opaque[0] as NumField] = 0;
  }
  for (const [field, [off, width]] of LAYOUT_ENTRIES) {
    const v = attr[field];
    if (v === undefined || off + width <= copied) continue;
    const keep = Math.max(0, copied - off);
    attr[field] = keep === 0 ? 0 : v & ((1 << (8 * keep)) - 1);
  }
  // the executor's tail_byte sets one byte of the user buffer to 1; inside a
  // field the kernel sees that field's byte replaced (e.g. flags byte 3 ->
  // flags = 0x01000000, which token_create() rejects with EINVAL)
  if (tailByte !== null && tailByte < copied) {
    for (const [field, [off, width]] of LAYOUT_ENTRIES) {
      if (tailByte < off || tailByte >= off + width) continue;
      const shift = 8 * (tailByte - off);
      const v = (attr[field] ?? 0) >>> 0;
      attr[field] = ((v & ~(0xff << shift)) | (1 << shift)) >>> 0;
    }
  }
  const dirtyTail = tailByte !== null && tailByte < copied;
  const isKernel = call.kernel ?? false;
  const err = security_bpf(k, cmd, attr, copied, isKernel);
  if (k.check('__sys_bpf/lsm', err < 0)) return { ret: err };
  // CHECK_ATTR(cmd)
  const end = layout?.lastFieldEnd[cmd] ?? LAST_FIELD_END[cmd];
  if (end === undefined) return { ret: -EINVAL };
  if (k.check('__sys_bpf/check_attr', dirtyTail && tailByte! >= end)) return { ret: -EINVAL };
  // a kernel whose BPF_PROG_LOAD ends before fd_array_cnt (6.12: prog_token_fd, bytes
  // 144-147) sees the count as a non-zero byte after its last field
  if (cmd === BPF_PROG_LOAD && k.check('__sys_bpf/check_attr', (attr.fd_array_cnt ?? 0) !== 0 && end <= FD_ARRAY_CNT_OFF)) return { ret: -EINVAL };
  switch (cmd) {
    case BPF_TOKEN_CREATE:
      return { ret: token_create(k, t, attr) };
    case BPF_MAP_CREATE:
      return { ret: map_create(k, t, attr) };
    case BPF_PROG_LOAD:
      return { ret: bpf_prog_load(k, t, attr, isKernel) };
    case BPF_BTF_LOAD:
      return { ret: bpf_btf_load(k, t, attr) };
    case BPF_BTF_GET_FD_BY_ID:
      return { ret: bpf_btf_get_fd_by_id(k, t, attr) };
    case BPF_OBJ_GET_INFO_BY_FD:
      return bpf_obj_get_info_by_fd(k, t, attr);
    case BPF_MAP_FREEZE:
      return { ret: map_freeze(k, t, attr) };
    case BPF_MAP_UPDATE_ELEM:
      return { ret: map_update_elem(k, t, attr) };
    case BPF_MAP_DELETE_ELEM:
      return { ret: map_delete_elem(k, t, attr) };
    case BPF_OBJ_PIN:
      return { ret: bpf_obj_pin(k, t, attr) };
    case BPF_OBJ_GET:
      return { ret: bpf_obj_get(k, t, attr) };
    case BPF_PROG_ATTACH:
      return { ret: bpf_prog_attach(k, t, attr) };
    case BPF_PROG_DETACH:
      return { ret: bpf_prog_detach(k, t, attr) };
    case BPF_LINK_CREATE:
      return { ret: link_create(k, t, attr) };
    default:
      return { ret: -EINVAL };
  }
}

/** token_create() (syscall.c) */
function token_create(k: Kernel, t: Task, attr: BpfAttr): number {
  // no flags are supported yet
  if (k.check('bpf_token_create/flags', (attr.flags ?? 0) !== 0)) return -EINVAL;
  return bpf_token_create(k, t, attr);
}

// ---------------------------------------------------------------- maps

/** `kconfig`: the kernel's config facts (profile knob), for the checks that read one */
type MapCheck = (a: Required<Pick<BpfAttr, 'key_size' | 'value_size' | 'max_entries' | 'map_flags' | 'map_extra'>>, kconfig?: KernelConfigFacts) => number;

interface MapTypeSpec {
  /** capability class of map_create()'s switch */
  cls: 'unpriv' | 'bpf' | 'net_admin';
  /** ops->map_alloc_check(): runs before the capability checks */
  allocCheck?: MapCheck;
  /** the attribute checks of ops->map_alloc(): run after them */
  alloc?: MapCheck;
}

const flagsAccessOk = (f: number): boolean => !((f & BPF_F_RDONLY_PROG) && (f & BPF_F_WRONLY_PROG));

/** htab_map_alloc_check() (hashtab.c) */
function htabCheck(percpu: boolean, lru: boolean): MapCheck {
  const mask = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | ACCESS_MASK | BPF_F_ZERO_SEED;
  return (a) => {
    const prealloc = !(a.map_flags & BPF_F_NO_PREALLOC);
    const percpuLru = (a.map_flags & BPF_F_NO_COMMON_LRU) !== 0;
    if (a.map_flags & ~mask || !flagsAccessOk(a.map_flags)) return -EINVAL;
    if (!lru && percpuLru) return -EINVAL;
    if (lru && !prealloc) return -ENOTSUPP;
    if (a.max_entries === 0 || a.key_size === 0 || a.value_size === 0) return -EINVAL;
    void percpu;
    return 0;
  };
}

/** array_map_alloc_check() (arraymap.c) */
function arrayCheck(type: number): MapCheck {
  const mask = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
  return (a) => {
    if (a.max_entries === 0 || a.key_size !== 4 || a.value_size === 0 || a.map_flags & ~mask || !flagsAccessOk(a.map_flags))
      return -EINVAL;
    if (type !== MAP.ARRAY! && a.map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) return -EINVAL;
    if (type !== MAP.PERF_EVENT_ARRAY! && a.map_flags & BPF_F_PRESERVE_ELEMS) return -EINVAL;
    return 0;
  };
}

/** fd_array_map_alloc_check() */
function fdArrayCheck(type: number): MapCheck {
  const arr = arrayCheck(type);
  return (a) => {
    if (a.value_size !== 4) return -EINVAL;
    if (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) return -EINVAL;
    return arr(a);
  };
}

/** bpf_map_meta_alloc(inner_map_fd = 0): fd 0 is not a map */
const needsInnerMap: MapCheck = () => -EINVAL;

const localStorageCheck: MapCheck = () => -EINVAL; // needs BTF key/value ids, never given here

const ringbufAlloc: MapCheck = (a) => {
  if (a.map_flags & ~BPF_F_NUMA_NODE) return -EINVAL;
  const pow2 = a.max_entries > 0 && (a.max_entries & (a.max_entries - 1)) === 0;
  if (a.key_size || a.value_size || !pow2 || a.max_entries % PAGE_SIZE !== 0) return -EINVAL;
  return 0;
};

const MAP_TYPES: Record<number, MapTypeSpec> = {
  [MAP.HASH!]: { cls: 'unpriv', allocCheck: htabCheck(false, false) },
  [MAP.ARRAY!]: { cls: 'unpriv', allocCheck: arrayCheck(MAP.ARRAY!) },
  [MAP.PROG_ARRAY!]: { cls: 'unpriv', allocCheck: fdArrayCheck(MAP.PROG_ARRAY!) },
  [MAP.PERF_EVENT_ARRAY!]: { cls: 'unpriv', allocCheck: fdArrayCheck(MAP.PERF_EVENT_ARRAY!) },
  [MAP.PERCPU_HASH!]: { cls: 'unpriv', allocCheck: htabCheck(true, false) },
  [MAP.PERCPU_ARRAY!]: { cls: 'unpriv', allocCheck: arrayCheck(MAP.PERCPU_ARRAY!) },
  [MAP.STACK_TRACE!]: {
    cls: 'bpf',
    // stack_map_alloc() (stackmap.c): with BPF_F_STACK_BUILD_ID the value is
    // an array of struct bpf_stack_build_id (32 bytes), else of u64 ips; both
    // bounded by perf_event_max_stack (kernel: value 8 + BUILD_ID -> EINVAL)
    alloc: (a) => {
      if (a.map_flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | 32 /* STACK_BUILD_ID */)) return -EINVAL;
      if (a.max_entries === 0 || a.key_size !== 4 || a.value_size < 8 || a.value_size % 8) return -EINVAL;
      if (a.map_flags & 32) {
        if (a.value_size % STACK_BUILD_ID_SIZE || a.value_size / STACK_BUILD_ID_SIZE > PERF_EVENT_MAX_STACK) return -EINVAL;
      } else if (Math.floor(a.value_size / 8) > PERF_EVENT_MAX_STACK) return -EINVAL;
      if (a.max_entries > 2 ** 31) return -E2BIG;
      return 0;
    },
  },
  [MAP.CGROUP_ARRAY!]: { cls: 'unpriv', allocCheck: fdArrayCheck(MAP.CGROUP_ARRAY!) },
  [MAP.LRU_HASH!]: { cls: 'bpf', allocCheck: htabCheck(false, true) },
  [MAP.LRU_PERCPU_HASH!]: { cls: 'bpf', allocCheck: htabCheck(true, true) },
  [MAP.LPM_TRIE!]: {
    cls: 'bpf',
    // trie_alloc()
    alloc: (a) => {
      const mask = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | ACCESS_MASK;
      if (a.max_entries === 0 || !(a.map_flags & BPF_F_NO_PREALLOC) || a.map_flags & ~mask || !flagsAccessOk(a.map_flags))
        return -EINVAL;
      if (a.key_size < 5 || a.key_size > 260 || a.value_size < 1) return -EINVAL;
      return 0;
    },
  },
  [MAP.ARRAY_OF_MAPS!]: { cls: 'unpriv', allocCheck: fdArrayCheck(MAP.ARRAY_OF_MAPS!), alloc: needsInnerMap },
  [MAP.HASH_OF_MAPS!]: {
    cls: 'unpriv',
    allocCheck: (a) => (a.value_size !== 4 ? -EINVAL : htabCheck(false, false)(a)),
    alloc: needsInnerMap,
  },
  [MAP.DEVMAP!]: { cls: 'net_admin', allocCheck: devmapAlloc },
  [MAP.SOCKMAP!]: {
    cls: 'net_admin',
    // sock_map_alloc()
    alloc: (a) =>
      a.max_entries === 0 ||
      a.key_size !== 4 ||
      (a.value_size !== 4 && a.value_size !== 8) ||
      a.map_flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
        ? -EINVAL
        : 0,
  },
  [MAP.CPUMAP!]: {
    cls: 'bpf',
    // cpu_map_alloc() (NR_CPUS: profile knob kconfig, model/kconfig.ts nrCpus())
    alloc: (a, kconfig) => {
      if (a.max_entries === 0 || a.key_size !== 4 || (a.value_size !== 4 && a.value_size !== 8) || a.map_flags & ~BPF_F_NUMA_NODE)
        return -EINVAL;
      if (a.max_entries > nrCpus(kconfig)) return -E2BIG;
      return 0;
    },
  },
  [MAP.XSKMAP!]: {
    cls: 'net_admin',
    // xsk_map_alloc()
    alloc: (a) =>
      a.max_entries === 0 || a.key_size !== 4 || a.value_size !== 4 || a.map_flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
        ? -EINVAL
        : 0,
  },
  [MAP.SOCKHASH!]: {
    cls: 'net_admin',
    // sock_hash_alloc()
    alloc: (a) =>
      a.max_entries === 0 ||
      a.key_size === 0 ||
      (a.value_size !== 4 && a.value_size !== 8) ||
      a.map_flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
        ? -EINVAL
        : 0,
  },
  [MAP.CGROUP_STORAGE_DEPRECATED!]: { cls: 'unpriv', alloc: cgroupStorageAlloc },
  [MAP.REUSEPORT_SOCKARRAY!]: {
    cls: 'bpf',
    allocCheck: (a) => (a.value_size !== 4 && a.value_size !== 8 ? -EINVAL : arrayCheck(MAP.REUSEPORT_SOCKARRAY!)(a)),
  },
  [MAP.PERCPU_CGROUP_STORAGE_DEPRECATED!]: { cls: 'unpriv', alloc: cgroupStorageAlloc },
  [MAP.QUEUE!]: { cls: 'bpf', allocCheck: queueStackCheck },
  [MAP.STACK!]: { cls: 'bpf', allocCheck: queueStackCheck },
  [MAP.SK_STORAGE!]: { cls: 'bpf', allocCheck: localStorageCheck },
  [MAP.DEVMAP_HASH!]: { cls: 'net_admin', allocCheck: devmapHashAllocCheck },
  [MAP.STRUCT_OPS!]: {
    cls: 'bpf',
    // bpf_struct_ops_map_alloc_check(): needs btf_vmlinux_value_type_id
    allocCheck: () => -EINVAL,
  },
  [MAP.RINGBUF!]: { cls: 'unpriv', alloc: ringbufAlloc },
  [MAP.INODE_STORAGE!]: { cls: 'bpf', allocCheck: localStorageCheck },
  [MAP.TASK_STORAGE!]: { cls: 'bpf', allocCheck: localStorageCheck },
  [MAP.BLOOM_FILTER!]: {
    cls: 'bpf',
    // bloom_map_alloc()
    alloc: (a) => {
      const mask = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | ACCESS_MASK;
      if (a.key_size !== 0 || a.value_size === 0 || a.max_entries === 0 || a.map_flags & ~mask || !flagsAccessOk(a.map_flags))
        return -EINVAL;
      if (a.map_extra & ~0xf) return -EINVAL;
      return 0;
    },
  },
  [MAP.USER_RINGBUF!]: { cls: 'unpriv', alloc: ringbufAlloc },
  [MAP.CGRP_STORAGE!]: { cls: 'bpf', allocCheck: localStorageCheck },
  [MAP.ARENA!]: {
    cls: 'bpf',
    // arena_map_alloc()
    alloc: (a) => {
      if (a.key_size || a.value_size || a.max_entries === 0 || !(a.map_flags & BPF_F_MMAPABLE)) return -EINVAL;
      if (a.map_flags & ~(BPF_F_MMAPABLE | 8192 /* SEGV_ON_FAULT */ | 32768 /* NO_USER_CONV */)) return -EINVAL;
      if (a.map_extra % PAGE_SIZE) return -EINVAL;
      return 0;
    },
  },
};

/** dev_map_alloc_check() (devmap.c): an ops->map_alloc_check, so it runs
 *  before the capability checks (kernel: unprivileged devmap with
 *  max_entries 0 -> EINVAL, not EPERM). DEVMAP_HASH: max_entries <= 2^31. */
function devmapAlloc(a: Parameters<MapCheck>[0]): number {
  if (a.max_entries === 0 || a.key_size !== 4 || (a.value_size !== 4 && a.value_size !== 8)) return -EINVAL;
  if (a.map_flags & ~(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)) return -EINVAL;
  return 0;
}
function devmapHashAllocCheck(a: Parameters<MapCheck>[0]): number {
  const err = devmapAlloc(a);
  if (err) return err;
  return a.max_entries > 2 ** 31 ? -EINVAL : 0;
}

/** cgroup_storage_map_alloc() */
function cgroupStorageAlloc(a: Parameters<MapCheck>[0]): number {
  if (a.key_size !== 12 && a.key_size !== 8) return -EINVAL;
  if (a.value_size === 0) return -EINVAL;
  if (a.map_flags & ~(BPF_F_NUMA_NODE | ACCESS_MASK) || !flagsAccessOk(a.map_flags)) return -EINVAL;
  if (a.max_entries) return -EINVAL;
  return 0;
}

/** queue_stack_map_alloc_check() */
function queueStackCheck(a: Parameters<MapCheck>[0]): number {
  if (a.max_entries === 0 || a.key_size !== 0 || a.value_size === 0) return -EINVAL;
  if (a.map_flags & ~(BPF_F_NUMA_NODE | ACCESS_MASK) || !flagsAccessOk(a.map_flags)) return -EINVAL;
  return 0;
}

/** The map types after 6.18's __MAX_BPF_MAP_TYPE (34) that a kernel has ops
 *  for (profile knob tailMapTypes, by name in enum order from 34), with their
 *  map_alloc_check() / map_alloc() attribute checks. T = Debian
 *  linux-source-7.3 7.3.4-1~bpo13+1. */
const TAIL_MAP_TYPES: Record<string, MapTypeSpec & { mapExtra?: boolean }> = {
  // BPF_MAP_TYPE_INSN_ARRAY: bpf_types.h:136 insn_array_map_ops; CAP_BPF class
  // (T kernel/bpf/syscall.c:1517); insn_array_alloc_check() (T
  // kernel/bpf/bpf_insn_array.c:26-35): value_size is sizeof(struct
  // bpf_insn_array_value) = 16 (T include/uapi/linux/bpf.h:7821-7826) and
  // map_flags (BPF_F_TOKEN_FD already cleared) must be 0
  INSN_ARRAY: {
    cls: 'bpf',
    allocCheck: (a) => (a.max_entries === 0 || a.key_size !== 4 || a.value_size !== 16 || a.map_flags !== 0 ? -EINVAL : 0),
  },
  // BPF_MAP_TYPE_RHASH: bpf_types.h:137 rhtab_map_ops; unprivileged (T
  // syscall.c:1493); map_extra is the size hint (T syscall.c:1419-1425, uapi
  // bpf.h:1558); rhtab_map_alloc_check() (T kernel/bpf/hashtab.c:2884-2903)
  // then htab_map_alloc_check() (:413-465, neither percpu nor LRU); in
  // rhtab_map_alloc() (:2846-2848) max_entries > 2^31 -> E2BIG
  RHASH: {
    cls: 'unpriv',
    mapExtra: true,
    allocCheck: (a) => {
      if (!(a.map_flags & BPF_F_NO_PREALLOC)) return -EINVAL;
      if (a.map_flags & BPF_F_ZERO_SEED) return -EINVAL;
      if (a.key_size > 0xffff) return -E2BIG;
      if (a.map_extra >= 2 ** 32) return -EINVAL; // map_extra >> 32
      const hint = a.map_extra % 2 ** 32; // (u32)map_extra
      if (hint > 0xffff) return -E2BIG;
      if (hint > a.max_entries) return -EINVAL;
      return htabCheck(false, false)(a);
    },
    alloc: (a) => (a.max_entries > 2 ** 31 ? -E2BIG : 0),
  },
};

/** the profile's map type spec: 6.18's table, then its tailMapTypes */
function mapTypeSpec(k: Kernel, type: number): (MapTypeSpec & { mapExtra?: boolean }) | undefined {
  if (type < __MAX_BPF_MAP_TYPE) return MAP_TYPES[type];
  const name = k.profile.token.tailMapTypes?.[type - __MAX_BPF_MAP_TYPE];
  return name === undefined ? undefined : TAIL_MAP_TYPES[name];
}

export function mapTypeClass(type: number): 'unpriv' | 'bpf' | 'net_admin' | 'invalid' {
  return MAP_TYPES[type]?.cls ?? 'invalid';
}

/** The token part of map_create(), bpf_prog_load(), bpf_btf_load() and
 *  bpf_btf_get_fd_by_id(): bpf_token_get_from_fd() errors are returned; a
 *  token that does not allow the request is silently dropped (put, NULL) and
 *  the system-wide checks apply. */
function fetchToken(k: Kernel, t: Task, site: TokenSite, ufd: number, allowed: (tk: BpfToken) => boolean): BpfToken | null | number {
  const tk = bpf_token_get_from_fd(k, t, ufd);
  if (typeof tk === 'number') return tk;
  if (!k.check(`${site}/token_allowed`, !allowed(tk))) return tk;
  return k.fn.bpf_token_drop(k, site, tk);
}

/** the `bpf_token_put(token); token = NULL;` after a failed bpf_token_allow_*()
 *  (map_create(), bpf_prog_load(), bpf_btf_load(), bpf_btf_get_fd_by_id());
 *  called through Kernel.fn */
export function bpf_token_drop(k: Kernel, _site: TokenSite, token: BpfToken): BpfToken | null {
  bpf_token_put(k, token);
  return null;
}

/** bpf_prog_load(): `insn_cnt > (bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS :
 *  BPF_MAXINSNS)`; called through Kernel.fn */
export function bpf_prog_insn_limit(bpfCap: boolean): number {
  return bpfCap ? 1_000_000 : 4096;
}

/** map_create() */
function map_create(k: Kernel, t: Task, attr: BpfAttr): number {
  // remember BPF_F_TOKEN_FD and clear it so per-type flag checks don't trip on it
  const tokenFlag = ((attr.map_flags ?? 0) & BPF_F_TOKEN_FD) !== 0;
  const a = {
    key_size: attr.key_size ?? 0,
    value_size: attr.value_size ?? 0,
    max_entries: attr.max_entries ?? 0,
    map_flags: (attr.map_flags ?? 0) & ~BPF_F_TOKEN_FD,
    map_extra: attr.map_extra ?? 0,
  };
  const type = attr.map_type ?? 0;
  // bpf_map_types[]: 6.18's types, plus the profile's tailMapTypes (7.3.4 INSN_ARRAY, RHASH)
  const spec = mapTypeSpec(k, type);
  // 7.3.4 lets RHASH have a map_extra too (T kernel/bpf/syscall.c:1419-1425)
  if (k.check('map_create/map_extra', type !== MAP.BLOOM_FILTER && type !== MAP.ARENA && spec?.mapExtra !== true && a.map_extra !== 0)) return -EINVAL;
  // bpf_get_file_flag(): 6.18 map_create() runs it here, first; 7.3 after
  // map_create_alloc() (profile knob mapFileFlagAfterAlloc)
  const badFileFlag = (a.map_flags & BPF_F_RDONLY) !== 0 && (a.map_flags & BPF_F_WRONLY) !== 0;
  const fileFlagLate = k.profile.token.mapFileFlagAfterAlloc === true;
  if (!fileFlagLate && k.check('map_create/file_flag', badFileFlag)) return -EINVAL;
  // find map type: bpf_map_types[] has no ops for 0 and >= __MAX_BPF_MAP_TYPE
  // (the profile's: 6.18's 34, 7.3.4's 36 with tailMapTypes)
  // ... and none for a type this kernel's config does not build (profile knob
  // kconfig, model/kconfig.ts: include/linux/bpf_types.h guards)
  if (k.check('map_create/type', !spec || !mapTypeConfigured(k.profile.token.kconfig, type)) || !spec) return -EINVAL;
  let err = spec.allocCheck ? spec.allocCheck(a) : 0;
  if (k.check('map_create/alloc_check', err !== 0)) return err;
  let token: BpfToken | null = null;
  if (tokenFlag) {
    // a token that doesn't grant map creation is ignored: system-wide checks apply
    const tk = fetchToken(k, t, 'map_create', attr.map_token_fd ?? 0, (x) => bpf_token_allow_cmd(k, x, BPF_MAP_CREATE) && bpf_token_allow_map_type(k, x, type));
    if (typeof tk === 'number') return tk;
    token = tk;
  }
  const putToken = (ret: number): number => {
    bpf_token_put(k, token);
    return ret;
  };
  // unprivileged_bpf_disabled blocks map creation for unprivileged users
  if (k.sysctl.unprivileged_bpf_disabled && k.check('map_create/sysctl', !k.fn.bpf_token_capable(k, t, token, CAP_BPF))) return putToken(-EPERM);
  if (spec.cls === 'bpf' && k.check('map_create/cap_class', !k.fn.bpf_token_capable(k, t, token, CAP_BPF))) return putToken(-EPERM);
  if (spec.cls === 'net_admin' && k.check('map_create/cap_class', !k.fn.bpf_token_capable(k, t, token, CAP_NET_ADMIN))) return putToken(-EPERM);
  // a vendor kernel's refusal of every arena (model/kconfig.ts arenaEperm; not upstream)
  if (type === MAP.ARENA && k.check('map_create/vendor_arena', arenaRefused(k.profile.token.kconfig))) return putToken(-EPERM);
  err = spec.alloc ? spec.alloc(a, k.profile.token.kconfig) : 0;
  if (k.check('map_create/alloc', err !== 0)) return putToken(err);
  // 7.3.4 map_create(): bpf_get_file_flag() after map_create_alloc(), before
  // security_bpf_map_create(); the map is freed, no id was allocated
  if (fileFlagLate && k.check('map_create/file_flag', badFileFlag)) return putToken(-EINVAL);
  const map: BpfMap = { id: k.nextObjId('map'), map_type: type, security: null, key_size: a.key_size, value_size: a.value_size, max_entries: a.max_entries };
  if (type === MAP.ARENA && a.map_extra) map.map_extra = a.map_extra;
  k.preemptionPoint();
  // security_bpf_map_create() frees the blob itself when a hook refuses;
  // free_map_sec's security_bpf_map_free() then finds it NULL
  err = security_bpf_map_create(k, map, attr, token, false);
  if (k.check('map_create/lsm', err !== 0)) {
    // 7.3.4 (knob mapLsmRefusalFreeOnce): goto free_map, no second free (T kernel/bpf/syscall.c:1664)
    if (!k.profile.token.mapLsmRefusalFreeOnce) security_bpf_map_free(k, map);
    return putToken(err);
  }
  bpf_token_put(k, token);
  // bpf_map_new_fd(map, f_flags): security_bpf_map(map, OPEN_FMODE(f_flags)), then
  // the fd; bpf_get_file_flag(): BPF_F_RDONLY -> O_RDONLY, BPF_F_WRONLY -> O_WRONLY,
  // else O_RDWR, so FMODE_READ (1), FMODE_WRITE (2) or both
  const fmode = a.map_flags & BPF_F_RDONLY ? 1 : a.map_flags & BPF_F_WRONLY ? 2 : 3;
  err = security_bpf_map(k, map, fmode);
  if (err) {
    security_bpf_map_free(k, map);
    return err;
  }
  const fd = k.newAnonFd(t, { kind: 'map', map, fmode });
  if (fd < 0) security_bpf_map_free(k, map);
  return fd;
}

/** attr->flags of the element commands (include/uapi/linux/bpf.h) */
const BPF_NOEXIST = 1;
const BPF_EXIST = 2;
const BPF_F_LOCK = 4;

/** the element commands' first checks (map_update_elem(), map_delete_elem()): the fd's
 *  map (__bpf_map_get(): EBADF, EINVAL for another file), then map_get_sys_perms(): EPERM
 *  unless the fd may write and the map is not frozen. The map, or -errno. */
function writableMap(k: Kernel, t: Task, attr: BpfAttr, cmd: 'map_update_elem' | 'map_delete_elem'): BpfMap | number {
  const f = fdget(t.files, attr.map_fd ?? 0);
  const obj = f?.obj.kind === 'map' ? f.obj : null;
  if (k.check(`${cmd}/map`, !obj) || !obj) return f ? -EINVAL : -EBADF;
  const canWrite = ((obj.fmode ?? 3) & 2) !== 0 && !obj.map.frozen;
  if (k.check(`${cmd}/perms`, !canWrite)) return -EPERM;
  return obj.map;
}

/** the key the kernel copies: the u32's low key_size bytes (zero above) */
function elemKey(map: BpfMap, attr: BpfAttr): number {
  const raw = (attr.key ?? 0) >>> 0;
  return map.key_size >= 4 ? raw : raw & ((1 << (8 * map.key_size)) - 1);
}

/** BPF_MAP_UPDATE_ELEM: map_update_elem() (7.3.4 kernel/bpf/syscall.c:1847-1896; 6.12.118
 *  :1594-1643 alike), after CHECK_ATTR (sys_bpf): __bpf_map_get() (EBADF, EINVAL for another
 *  file); map_get_sys_perms() EPERM unless the fd may write and the map is not frozen;
 *  BPF_F_LOCK without a spin lock in the value (no model map has a BTF record) EINVAL
 *  (6.12.118 inline; 7.3.4 bpf_map_check_op_flags(), whose other flags are above the op's 7);
 *  then the type's update: array_map_update_elem() (kernel/bpf/arraymap.c:392-413) EINVAL for
 *  flags above BPF_EXIST, E2BIG for an index >= max_entries, EEXIST for BPF_NOEXIST;
 *  htab_map_update_elem() (kernel/bpf/hashtab.c) EINVAL for flags above BPF_EXIST, then
 *  check_flags() (:1180-1192) EEXIST for BPF_NOEXIST of a present key, ENOENT for BPF_EXIST
 *  of an absent one, then alloc_htab_elem() E2BIG for a new key in a full map. The key is
 *  the low key_size bytes of the u32 (zero above), the value its first bytes. Only ARRAY
 *  and HASH maps get here (BPF_STEPS: others are refused, REASON.mapType). No capability,
 *  token or LSM check but security_bpf() at the syscall's entry. */
function map_update_elem(k: Kernel, t: Task, attr: BpfAttr): number {
  const map = writableMap(k, t, attr, 'map_update_elem');
  if (typeof map === 'number') return map;
  const flags = attr.elem_flags ?? 0;
  if (k.check('map_update_elem/lock', (flags & BPF_F_LOCK) !== 0)) return -EINVAL;
  if (k.check('map_update_elem/flags', (flags & ~BPF_F_LOCK) > BPF_EXIST)) return -EINVAL;
  const key = elemKey(map, attr);
  const elems = (map.elems ??= new Map());
  if (map.map_type === MAP.ARRAY!) {
    if (k.check('map_update_elem/index', key >= map.max_entries)) return -E2BIG;
    if (k.check('map_update_elem/exists', (flags & BPF_NOEXIST) !== 0)) return -EEXIST;
  } else {
    const present = elems.has(key);
    if (k.check('map_update_elem/exists', present && flags === BPF_NOEXIST)) return -EEXIST;
    if (k.check('map_update_elem/absent', !present && flags === BPF_EXIST)) return -ENOENT;
    if (k.check('map_update_elem/full', !present && elems.size >= map.max_entries)) return -E2BIG;
  }
  const v = attr.value ?? 0;
  elems.set(key, map.value_size >= 8 ? v : v % 2 ** (8 * map.value_size));
  map.updates = (map.updates ?? 0) + 1;
  return 0;
}

/** BPF_MAP_DELETE_ELEM: map_delete_elem() (7.3.4 kernel/bpf/syscall.c:1900-1948; 6.12.118
 *  alike), after CHECK_ATTR (sys_bpf): __bpf_map_get() (EBADF, EINVAL for another file);
 *  map_get_sys_perms() EPERM unless the fd may write and the map is not frozen (as for an
 *  update); then the type's delete: array_map_delete_elem() is always EINVAL (an ARRAY's
 *  elements cannot be removed, kernel/bpf/arraymap.c:482-485), htab_map_delete_elem()
 *  ENOENT for an absent key (kernel/bpf/hashtab.c:1523-1553). The key as for an update. */
function map_delete_elem(k: Kernel, t: Task, attr: BpfAttr): number {
  const map = writableMap(k, t, attr, 'map_delete_elem');
  if (typeof map === 'number') return map;
  if (k.check('map_delete_elem/array', map.map_type === MAP.ARRAY!)) return -EINVAL;
  const key = elemKey(map, attr);
  const elems = (map.elems ??= new Map());
  if (k.check('map_delete_elem/absent', !elems.has(key))) return -ENOENT;
  elems.delete(key);
  map.updates = (map.updates ?? 0) + 1;
  return 0;
}

/** the maps map_update_elem() covers (ARRAY, HASH with a value of at most 64 KiB): the
 *  executor's buffers; the step of another is refused, on the model and the kernel alike */
export function elemUpdateModelled(map: BpfMap): boolean {
  return (map.map_type === MAP.ARRAY! || map.map_type === MAP.HASH!) && map.value_size <= 65536;
}

/** map_freeze() (7.3.4 kernel/bpf/syscall.c:2308-2340; 6.18 alike): the map of the
 *  fd (__bpf_map_get(): EBADF, EINVAL for another file), no STRUCT_OPS map and no map
 *  with a BTF record (the model's maps have none: ENOTSUPP), the fd may write as
 *  map_get_sys_perms() says (a frozen map may not: a second freeze is EPERM, not the
 *  EBUSY after it, which only bpf_map_write_active() reaches: writable mmaps and
 *  updates in flight, none in the model) */
function map_freeze(k: Kernel, t: Task, attr: BpfAttr): number {
  const f = fdget(t.files, attr.map_fd ?? 0);
  const obj = f?.obj.kind === 'map' ? f.obj : null;
  if (k.check('map_freeze/map', !obj) || !obj) return f ? -EINVAL : -EBADF;
  const map = obj.map;
  if (k.check('map_freeze/type', map.map_type === MAP.STRUCT_OPS!)) return -ENOTSUPP;
  const canWrite = ((obj.fmode ?? 3) & 2) !== 0 && !map.frozen;
  if (k.check('map_freeze/perms', !canWrite)) return -EPERM;
  map.frozen = true;
  return 0;
}

// ---------------------------------------------------------------- programs

/** is_net_admin_prog_type() */
const NET_ADMIN_PROGS = new Set(
  [
    'SCHED_CLS', 'SCHED_ACT', 'XDP', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL', 'SK_SKB', 'SK_MSG',
    'FLOW_DISSECTOR', 'CGROUP_DEVICE', 'CGROUP_SOCK', 'CGROUP_SOCK_ADDR', 'CGROUP_SOCKOPT', 'CGROUP_SYSCTL',
    'SOCK_OPS', 'EXT', 'NETFILTER',
  ].map((n) => PROG[n]!),
);

/** is_perfmon_prog_type() */
const PERFMON_PROGS = new Set(
  ['KPROBE', 'TRACEPOINT', 'PERF_EVENT', 'RAW_TRACEPOINT', 'RAW_TRACEPOINT_WRITABLE', 'TRACING', 'LSM', 'STRUCT_OPS', 'EXT'].map(
    (n) => PROG[n]!,
  ),
);

export function progTypeCaps(type: number): { netAdmin: boolean; perfmon: boolean } {
  return { netAdmin: NET_ADMIN_PROGS.has(type), perfmon: PERFMON_PROGS.has(type) };
}

const PROG_FLAGS_OK = 1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | BPF_F_TOKEN_FD;

/** program types without ops in this kernel's config (find_prog_type() -> EINVAL) */
export const UNCONFIGURED_PROG_TYPES = new Set<number>([PROG.UNSPEC!, PROG.LIRC_MODE2!]);

/** bpf_prog_load_fixup_attach_type() */
export function fixupAttachType(type: number, eat: number): number {
  if (type === PROG.CGROUP_SOCK && eat === 0) return ATTACH.CGROUP_INET_SOCK_CREATE!;
  if (type === PROG.SK_REUSEPORT && eat === 0) return ATTACH.SK_REUSEPORT_SELECT!;
  return eat;
}

const A = ATTACH as Record<string, number>;
const CHECK_ATTACH: Record<number, number[] | 'zero'> = {
  [PROG.CGROUP_SOCK!]: [A.CGROUP_INET_SOCK_CREATE!, A.CGROUP_INET_SOCK_RELEASE!, A.CGROUP_INET4_POST_BIND!, A.CGROUP_INET6_POST_BIND!],
  [PROG.CGROUP_SOCK_ADDR!]: [
    'CGROUP_INET4_BIND', 'CGROUP_INET6_BIND', 'CGROUP_INET4_CONNECT', 'CGROUP_INET6_CONNECT', 'CGROUP_UNIX_CONNECT',
    'CGROUP_INET4_GETPEERNAME', 'CGROUP_INET6_GETPEERNAME', 'CGROUP_UNIX_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME',
    'CGROUP_INET6_GETSOCKNAME', 'CGROUP_UNIX_GETSOCKNAME', 'CGROUP_UDP4_SENDMSG', 'CGROUP_UDP6_SENDMSG',
    'CGROUP_UNIX_SENDMSG', 'CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG', 'CGROUP_UNIX_RECVMSG',
  ].map((n) => A[n]!),
  [PROG.CGROUP_SKB!]: [A.CGROUP_INET_INGRESS!, A.CGROUP_INET_EGRESS!],
  [PROG.CGROUP_SOCKOPT!]: [A.CGROUP_SETSOCKOPT!, A.CGROUP_GETSOCKOPT!],
  [PROG.SK_LOOKUP!]: [A.SK_LOOKUP!],
  [PROG.SK_REUSEPORT!]: [A.SK_REUSEPORT_SELECT!, A.SK_REUSEPORT_SELECT_OR_MIGRATE!],
  [PROG.NETFILTER!]: [A.NETFILTER!],
  [PROG.SYSCALL!]: 'zero',
  [PROG.EXT!]: 'zero',
};

/** bpf_prog_load_check_attach() with no attach_btf / attach_prog */
function checkAttach(type: number, eat: number): number {
  const allowed = CHECK_ATTACH[type];
  if (allowed === undefined) return 0;
  if (allowed === 'zero') return eat ? -EINVAL : 0;
  return allowed.includes(eat) ? 0 : -EINVAL;
}

/** attach types whose cgroup/sock_addr programs must return 1 (check_return_code()) */
const RET_ONE = new Set(
  [
    'CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG', 'CGROUP_UNIX_RECVMSG', 'CGROUP_INET4_GETPEERNAME',
    'CGROUP_INET6_GETPEERNAME', 'CGROUP_UNIX_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME', 'CGROUP_INET6_GETSOCKNAME',
    'CGROUP_UNIX_GETSOCKNAME',
  ].map((n) => A[n]!),
);

/** trampoline-based programs: fentry/fexit/fmod_ret tracing, LSM, freplace */
function trampolineProg(type: number, eat: number): boolean {
  if (type === PROG.LSM || type === PROG.EXT) return true;
  return type === PROG.TRACING && (eat === A.TRACE_FENTRY || eat === A.TRACE_FEXIT || eat === A.MODIFY_RETURN);
}

/** can_be_sleepable() (verifier.c) */
function canBeSleepable(type: number, eat: number, tracepoints = false): boolean {
  if (type === PROG.TRACING) return eat === A.TRACE_FENTRY || eat === A.TRACE_FEXIT || eat === A.MODIFY_RETURN || eat === A.TRACE_ITER;
  // 7.3.4 (profile knob sleepableTracepoints): RAW_TRACEPOINT and TRACEPOINT
  // too (T kernel/bpf/verifier.c:20530-20531)
  if (tracepoints && (type === PROG.RAW_TRACEPOINT || type === PROG.TRACEPOINT)) return true;
  return type === PROG.LSM || type === PROG.KPROBE /* only for uprobes */ || type === PROG.STRUCT_OPS;
}

/** bpf_check() on the trivial program "r0 = 0; ...; exit" (insn_cnt - 1 times "r0 = 0")
 *  with no attach target */
function verifyTrivial(type: number, eat: number, flags: number, insnCnt: number, tracingMulti = false, sleepableTracepoints = false): number {
  const sleepable = (flags & BPF_F_SLEEPABLE) !== 0;
  // check_attach_btf_id()
  if (type === PROG.SYSCALL) {
    if (!sleepable) return -EINVAL;
  } else if (tracingMulti) {
    // 7.3.4 tracing_multi (profile knob tracingMultiAttach): attach_btf_id is
    // bpf_multi_func's (T kernel/bpf/syscall.c:3072), so no "must provide
    // btf_id"; can_be_sleepable() takes the *_MULTI types (T
    // kernel/bpf/verifier.c:20507-20520); bpf_check_attach_target() needs no
    // address for them (:20397-20403) and check_attach_btf_id() returns before
    // the trampoline (:20619-20621); check_return_code() range [0, 0] (:17488-17497)
  } else {
    // "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable"
    if (sleepable && !canBeSleepable(type, eat, sleepableTracepoints)) return -EINVAL;
    if (type === PROG.STRUCT_OPS) return -ENOTSUPP; // check_struct_ops_btf_id(): no attach_btf_id
    if (type === PROG.TRACING || type === PROG.LSM || type === PROG.EXT) return -EINVAL; // "must provide btf_id"
  }
  // do_check(), BPF_EXIT: check_return_code() reads R0 first; a lone "exit" (insn_cnt 1)
  // has never written it: "R0 !read_ok" (check_reg_arg() -> -EACCES)
  if (insnCnt === 1) return -EACCES;
  // check_return_code(): r0 = 0 is out of range [1, 1] for these sock_addr hooks
  if (type === PROG.CGROUP_SOCK_ADDR && RET_ONE.has(eat)) return -EINVAL;
  return 0;
}

/** bpf_check()'s env setup: env->allow_ptr_leaks, allow_uninit_stack,
 *  bypass_spec_v1, bypass_spec_v4 and bpf_capable, each a
 *  bpf_token_capable(env->prog->aux->token, cap) call in kernel order (profile
 *  data verifierCaps, cited there). For the trivial programs of the scenarios
 *  their results decide nothing; the calls are what the capable and
 *  bpf_token_capable hooks (and so the AVC) see. */
function bpf_check_caps(k: Kernel, t: Task, prog: BpfProg): VerifierEnv {
  const vc = k.profile.token.verifierCaps ?? VERIFIER_CAPS_6_18;
  const env: VerifierEnv = { allow_ptr_leaks: false, bpf_capable: false };
  for (const c of vc.bpfCheck) {
    // bpf_bypass_spec_v1/v4(): bpf_jit_bypass_spec_v*() || cpu_mitigations_off() || ...
    if (c.spec && vc.mitigationsOff) continue;
    const ok = k.fn.bpf_token_capable(k, t, prog.aux_token, c.cap);
    if (c.field === 'allow_ptr_leaks') env.allow_ptr_leaks = ok;
    if (c.field === 'bpf_capable') env.bpf_capable = ok;
  }
  return env;
}

/** bpf_prog_load() */
function bpf_prog_load(k: Kernel, t: Task, attr: BpfAttr, isKernel: boolean): number {
  const type = attr.prog_type ?? 0;
  const flags = attr.prog_flags ?? 0;
  const insnCnt = attr.insn_cnt ?? 0;
  if (k.check('bpf_prog_load/flags', (flags & ~PROG_FLAGS_OK) !== 0)) return -EINVAL;
  const eat = fixupAttachType(type, attr.expected_attach_type ?? 0);
  // Observed on the oracle kernel (6.18.44-fc): loading a trampoline program
  // (fentry/fexit/fmod_ret tracing, LSM, freplace) is refused with EPERM for
  // everyone (init root with all caps too), right after the prog_flags check:
  // it wins over a bad token fd (EBADF), insn_cnt 0 (E2BIG) and
  // bpf_prog_load_check_attach() (EINVAL), but not over unknown flags. Not in
  // upstream bpf_prog_load() (syscall.c @ kernel-patches/bpf 00136386): a
  // local hardening of that kernel build, hence a profile knob.
  if (k.profile.token.denyTrampolineProgs && k.check('bpf_prog_load/trampoline', trampolineProg(type, eat))) return -EPERM;
  let token: BpfToken | null = null;
  if (flags & BPF_F_TOKEN_FD) {
    const tk = fetchToken(k, t, 'bpf_prog_load', attr.prog_token_fd ?? 0, (x) => bpf_token_allow_cmd(k, x, BPF_PROG_LOAD) && k.fn.bpf_token_allow_prog_type(k, x, type, eat));
    if (typeof tk === 'number') return tk;
    token = tk;
  }
  const putToken = (ret: number): number => {
    bpf_token_put(k, token);
    return ret;
  };
  const bpfCap = k.fn.bpf_token_capable(k, t, token, CAP_BPF);
  // (ANY_ALIGNMENT needs bpf_cap only without efficient unaligned access: not x86)
  if (k.sysctl.unprivileged_bpf_disabled && k.check('bpf_prog_load/sysctl', !bpfCap)) return putToken(-EPERM);
  const limit = k.fn.bpf_prog_insn_limit(bpfCap);
  if (k.check('bpf_prog_load/insn_cnt', insnCnt === 0 || insnCnt > limit)) return putToken(-E2BIG);
  if (type !== PROG.SOCKET_FILTER && type !== PROG.CGROUP_SKB && k.check('bpf_prog_load/bpf_cap', !bpfCap)) return putToken(-EPERM);
  if (NET_ADMIN_PROGS.has(type) && k.check('bpf_prog_load/net_admin', !k.fn.bpf_token_capable(k, t, token, CAP_NET_ADMIN))) return putToken(-EPERM);
  if (PERFMON_PROGS.has(type) && k.check('bpf_prog_load/perfmon', !k.fn.bpf_token_capable(k, t, token, CAP_PERFMON))) return putToken(-EPERM);
  // 7.3.4 (profile knob tracingMultiAttach): multi_func = is_tracing_multi(eat)
  // (T kernel/bpf/syscall.c:3010) takes the vmlinux BTF as attach_btf
  // (:3033-3044; the VM kernels have CONFIG_DEBUG_INFO_BTF) and
  // bpf_prog_load_check_attach() (:2769-2775) accepts it for TRACING only,
  // before the per-type attach lists
  const tracingMulti = k.profile.token.tracingMultiAttach?.includes(eat) === true;
  const attachErr = tracingMulti ? (type === PROG.TRACING ? 0 : -EINVAL) : checkAttach(type, eat);
  if (k.check('bpf_prog_load/check_attach', attachErr !== 0)) return putToken(-EINVAL);
  // move the token into prog->aux; the local `token` is NULL from here on
  const prog: BpfProg = { id: 0, type, expected_attach_type: eat, aux_token: token, security: null, loader_cred: t.cred };
  // `prog->sleepable = !!(attr->prog_flags & BPF_F_SLEEPABLE);`
  if (flags & BPF_F_SLEEPABLE) prog.sleepable = true;
  // check_return_code() (kernel/bpf/verifier.c, 7.3.4 :17640-17641, :17666-17668; 6.18
  // alike): a cgroup skb egress program whose r0 is known to be IN 2..3 gets
  // enforce_expected_attach_type = 1. The executor's programs return r0 = 0: never
  // enforced, so an egress program attaches at ingress too (kernel-seen, corpus/kernel/104)
  const R0 = 0;
  if (type === PROG.CGROUP_SKB && eat === ATTACH.CGROUP_INET_EGRESS && R0 >= 2 && R0 <= 3) prog.enforce_expected_attach_type = true;
  token = null;
  const freeProg = (ret: number): number => {
    bpf_token_put(k, prog.aux_token);
    return ret;
  };
  const inVerifier = k.profile.token.progLoadHookInVerifier === true;
  let err = 0;
  if (!inVerifier) {
    // copy insns and license (never fail here), then 6.18's core signature
    // check: `if (attr->signature) { err = bpf_prog_verify_signature(prog,
    // attr, uattr.is_kernel); if (err) goto free_prog; }` -- before
    // find_prog_type() and before any LSM blob or callback
    err = bpf_prog_verify_signature(attr);
    if (k.check('bpf_prog_load/signature', err !== 0)) return freeProg(err);
  }
  // find_prog_type()
  // (profile knob kconfig: the types this kernel's config builds, model/kconfig.ts)
  if (k.check('bpf_prog_load/prog_type', type >= __MAX_BPF_PROG_TYPE || UNCONFIGURED_PROG_TYPES.has(type) || !progTypeConfigured(k.profile.token.kconfig, type)))
    return freeProg(-EINVAL);
  if (!inVerifier) {
    // security_bpf_prog_load(prog, attr, token, uattr.is_kernel) receives the
    // local token: NULL (spec/integrity-rfc.md §I2.2); profile knob hookToken 'aux'
    // is the fix that passes prog->aux->token
    const hookToken = k.profile.integrity?.hookToken === 'aux' ? prog.aux_token : token;
    k.preemptionPoint();
    err = security_bpf_prog_load(k, prog, attr, hookToken, isKernel);
    if (k.check('bpf_prog_load/lsm', err !== 0)) {
      security_bpf_prog_free(k, prog);
      return freeProg(err);
    }
  }
  // bpf_check(): the env's capability flags first (profile verifierCaps)
  const env = bpf_check_caps(k, t, prog);
  // bpf_check(): process_fd_array() (6.18 after bpf_vlog_init(); 7.3.4
  // verifier.c:21258, before the signature check and security_bpf_prog_load()):
  // a failure releases what it bound (release_maps()) and frees the prog
  k.preemptionPoint('fd_array');
  err = process_fd_array(k, t, env, prog, attr);
  if (k.check('bpf_prog_load/fd_array', err !== 0)) {
    release_maps(k, prog);
    security_bpf_prog_free(k, prog);
    return freeProg(err);
  }
  if (inVerifier) {
    // 7.3.4 bpf_check(): `if (env->signature) { ret = bpf_prog_verify_signature(env,
    // attr, uattr.is_kernel); ... }` (kernel/bpf/verifier.c:21263), then
    // `ret = security_bpf_prog_load(env->prog, attr, env->prog->aux->token,
    // uattr.is_kernel)` (:21268); bpf_check() fails and bpf_prog_load() goes to
    // free_used_maps (syscall.c:3150, :3185): __bpf_prog_put_noref() ->
    // __bpf_prog_put_rcu() -> security_bpf_prog_free() (:2447), with a NULL blob
    // after a bad signature and a second time after a refusal
    err = bpf_prog_verify_signature(attr);
    if (k.check('bpf_prog_load/signature', err !== 0)) {
      release_maps(k, prog);
      security_bpf_prog_free(k, prog);
      return freeProg(err);
    }
    k.preemptionPoint();
    err = security_bpf_prog_load(k, prog, attr, prog.aux_token, isKernel);
    if (k.check('bpf_prog_load/lsm', err !== 0)) {
      release_maps(k, prog);
      security_bpf_prog_free(k, prog);
      return freeProg(err);
    }
  }
  err = verifyTrivial(type, eat, flags, insnCnt, tracingMulti, k.profile.token.sleepableTracepoints === true);
  if (k.check('bpf_prog_load/verifier', err !== 0)) {
    release_maps(k, prog);
    security_bpf_prog_free(k, prog);
    return freeProg(err);
  }
  prog.id = k.nextObjId('prog');
  // bpf_prog_kallsyms_add(): a JITed program is added to kallsyms only when
  // bpf_token_capable(fp->aux->token, CAP_BPF) (6.12.117 kernel/bpf/core.c:697,
  // 7.3.4 :674; called after bpf_prog_alloc_id(), syscall.c:2876 / :3176)
  if ((k.profile.token.verifierCaps ?? VERIFIER_CAPS_6_18).kallsyms) k.fn.bpf_token_capable(k, t, prog.aux_token, CAP_BPF);
  // bpf_prog_new_fd(): security_bpf_prog(), then the fd
  err = security_bpf_prog(k, prog);
  if (err) {
    k.release({ id: 0, obj: { kind: 'prog', prog }, path: null, opath: false, refs: 0 });
    return err;
  }
  const fd = k.newAnonFd(t, { kind: 'prog', prog });
  if (fd < 0) k.release({ id: 0, obj: { kind: 'prog', prog }, path: null, opath: false, refs: 0 });
  return fd;
}

// ---------------------------------------------------------------- BTF

/** bpf_btf_load() */
function bpf_btf_load(k: Kernel, t: Task, attr: BpfAttr): number {
  const flags = attr.btf_flags ?? 0;
  if (k.check('bpf_btf_load/flags', (flags & ~BPF_F_TOKEN_FD) !== 0)) return -EINVAL;
  let token: BpfToken | null = null;
  if (flags & BPF_F_TOKEN_FD) {
    const tk = fetchToken(k, t, 'bpf_btf_load', attr.btf_token_fd ?? 0, (x) => bpf_token_allow_cmd(k, x, BPF_BTF_LOAD));
    if (typeof tk === 'number') return tk;
    token = tk;
  }
  if (k.check('bpf_btf_load/cap_bpf', !k.fn.bpf_token_capable(k, t, token, CAP_BPF))) {
    bpf_token_put(k, token);
    return -EPERM;
  }
  bpf_token_put(k, token);
  // btf_new_fd(): the one-int BTF always parses
  const btf: Btf = { id: k.nextObjId('btf'), refcnt: 1 };
  k.btfs.set(btf.id, btf);
  const fd = k.newAnonFd(t, { kind: 'btf', btf });
  if (fd < 0) k.btfPut(btf);
  return fd;
}

/** bpf_btf_get_fd_by_id() */
function bpf_btf_get_fd_by_id(k: Kernel, t: Task, attr: BpfAttr): number {
  const flags = attr.open_flags ?? 0;
  // 6.12 (profile knob btfGetFdByIdNoToken): LAST_FIELD btf_id, so
  // CHECK_ATTR() rejects open_flags and fd_by_id_token_fd; capable() only
  if (k.profile.token.btfGetFdByIdNoToken) {
    if (k.check('bpf_btf_get_fd_by_id/check_attr_6_12', flags !== 0 || (attr.fd_by_id_token_fd ?? 0) !== 0)) return -EINVAL;
  } else if (k.check('bpf_btf_get_fd_by_id/flags', (flags & ~BPF_F_TOKEN_FD) !== 0)) return -EINVAL;
  let token: BpfToken | null = null;
  if (flags & BPF_F_TOKEN_FD) {
    const tk = fetchToken(k, t, 'bpf_btf_get_fd_by_id', attr.fd_by_id_token_fd ?? 0, (x) => bpf_token_allow_cmd(k, x, BPF_BTF_GET_FD_BY_ID));
    if (typeof tk === 'number') return tk;
    token = tk;
  }
  // CAP_SYS_ADMIN has no fallback: exactly CAP_SYS_ADMIN in the token's userns
  if (k.check('bpf_btf_get_fd_by_id/cap_sys_admin', !k.fn.bpf_token_capable(k, t, token, CAP_SYS_ADMIN))) {
    bpf_token_put(k, token);
    return -EPERM;
  }
  bpf_token_put(k, token);
  // btf_get_fd_by_id()
  const btf = k.btfs.get(attr.btf_id ?? 0);
  if (k.check('bpf_btf_get_fd_by_id/id', !btf) || !btf) return -ENOENT;
  btf.refcnt++;
  const fd = k.newAnonFd(t, { kind: 'btf', btf });
  if (fd < 0) k.btfPut(btf);
  return fd;
}

// ---------------------------------------------------------------- info

/** bpf_obj_get_info_by_fd(): a bad fd is EBADFD, not EBADF */
function bpf_obj_get_info_by_fd(k: Kernel, t: Task, attr: BpfAttr): BpfResult {
  const f = fdget(t.files, attr.bpf_fd ?? 0);
  if (!f) return { ret: -EBADFD };
  switch (f.obj.kind) {
    case 'token':
      // 6.12 (profile knob noTokenInfo): no token branch, falls to -EINVAL
      if (k.check('bpf_obj_get_info_by_fd/no_token_info', k.profile.token.noTokenInfo === true)) return { ret: -EINVAL };
      return bpf_token_get_info_by_fd(f.obj.token, attr.info_len ?? 0);
    case 'prog':
      return bpf_prog_get_info_by_fd(k, t, attr.info_len ?? 0);
    case 'map':
    case 'btf':
    case 'link':
      // object info of other kinds: success, contents not compared (a link:
      // bpf_link_get_info_by_fd(), 7.3.4 syscall.c:5493-5533, :5570-5572, 6.18
      // alike: bpf_check_uarg_tail_zero() first; kernel-seen on the host 6.18
      // kernel, bpftc oracle --attach)
      return { ret: (attr.info_len ?? 0) > PAGE_SIZE ? -E2BIG : 0 };
    default:
      return { ret: -EINVAL };
  }
}

/** bpf_prog_get_info_by_fd() (kernel/bpf/syscall.c; 6.12.118 :4579, 7.3.4 :5116):
 *  bpf_check_uarg_tail_zero() (E2BIG) first, then, to decide whether the
 *  jited/xlated lengths are shown, `if (!bpf_capable())` (6.12.118 :4643, 7.3.4
 *  :5180), bpf_capable() = capable(CAP_BPF) || capable(CAP_SYS_ADMIN)
 *  (include/linux/capability.h:200-203 on both): init-namespace checks of the
 *  caller, whatever its token, asked on success only; the result does not
 *  depend on them (contents not compared) */
function bpf_prog_get_info_by_fd(k: Kernel, t: Task, infoLen: number): BpfResult {
  if (infoLen > PAGE_SIZE) return { ret: -E2BIG };
  if (!k.capable(t.cred, CAP_BPF)) k.capable(t.cred, CAP_SYS_ADMIN);
  return { ret: 0 };
}

/** bpf_map_fops (kernel/bpf/syscall.c): ->release = bpf_map_release() ->
 *  bpf_map_put() -> security_bpf_map_free() */
export const bpf_map_fops: FileOperations = {
  release(k, f) {
    if (f.obj.kind === 'map') bpf_map_put(k, f.obj.map);
  },
};

/** bpf_prog_fops (kernel/bpf/syscall.c): ->release = bpf_prog_release() ->
 *  bpf_prog_put(): the token of prog->aux, then security_bpf_prog_free() */
export const bpf_prog_fops: FileOperations = {
  release(k, f) {
    if (f.obj.kind === 'prog') bpf_prog_put(k, f.obj.prog);
  },
};

/** btf_fops (kernel/bpf/btf.c): ->release = btf_release() -> btf_put() */
export const btf_fops: FileOperations = {
  release(k, f) {
    if (f.obj.kind === 'btf') k.btfPut(f.obj.btf);
  },
};

/** an element step on fd goes to the kernel: not a map this model's element store does not
 *  cover (the executor's leader refuses those too, REASON.mapType); no map at all goes on
 *  to EBADF / EINVAL */
function elemStepModelled(t: Task, fd: number): boolean {
  const f = fdget(t.files, fd);
  return f?.obj.kind !== 'map' || elemUpdateModelled(f.obj.map);
}

/** this layer's ops (model/step.ts): each a bpf(2) command with the attr the executor builds */
export const BPF_STEPS: StepTable<'token_create' | 'obj_get_info' | 'map_freeze' | 'map_update_elem' | 'map_delete_elem' | 'map_create' | 'prog_load' | 'btf_load' | 'btf_get_fd_by_id' | 'obj_pin' | 'obj_get' | 'prog_attach' | 'prog_detach' | 'link_create'> = {
  token_create: (st, t, step) =>
    sys_bpf(st.k, t, {
      cmd: BPF_TOKEN_CREATE,
      attr: { flags: step.flags ?? ARGS.token_create.flags.default, bpffs_fd: fdOf(st, t, step.bpffs) },
      size: step.size ?? ARGS.token_create.size.default,
      tailByte: step.tail_byte ?? null, // absent: ARGS.token_create.tail_byte.default (-1), no byte set
    }).ret,
  obj_get_info: (st, t, step) => {
    const r = sys_bpf(st.k, t, {
      cmd: BPF_OBJ_GET_INFO_BY_FD,
      attr: { bpf_fd: fdOf(st, t, step.fd), info_len: step.info_len ?? ARGS.obj_get_info.info_len.default },
      size: 168,
      tailByte: null,
    });
    return r.text === undefined ? { ret: retName(r.ret) } : { ret: retName(r.ret), text: r.text };
  },
  map_freeze: (st, t, step) => sys_bpf(st.k, t, { cmd: BPF_MAP_FREEZE, attr: { map_fd: fdOf(st, t, step.fd) }, size: 168, tailByte: null }).ret,
  map_update_elem: (st, t, step) => {
    const fd = fdOf(st, t, step.fd);
    if (!elemStepModelled(t, fd)) return refused(REASON.mapType);
    const A = ARGS.map_update_elem;
    return sys_bpf(st.k, t, {
      cmd: BPF_MAP_UPDATE_ELEM,
      attr: { map_fd: fd, key: step.key ?? A.key.default, value: step.value ?? A.value.default, elem_flags: step.flags ?? A.flags.default },
      size: 168,
      tailByte: null,
    }).ret;
  },
  map_delete_elem: (st, t, step) => {
    const fd = fdOf(st, t, step.fd);
    if (!elemStepModelled(t, fd)) return refused(REASON.mapType);
    return sys_bpf(st.k, t, { cmd: BPF_MAP_DELETE_ELEM, attr: { map_fd: fd, key: step.key ?? ARGS.map_delete_elem.key.default }, size: 168, tailByte: null }).ret;
  },
  map_create: (st, t, step) =>
    sys_bpf(st.k, t, {
      cmd: BPF_MAP_CREATE,
      attr: {
        map_type: step.map_type,
        key_size: step.key_size ?? ARGS.map_create.key_size.default,
        value_size: step.value_size ?? ARGS.map_create.value_size.default,
        max_entries: step.max_entries ?? ARGS.map_create.max_entries.default,
        map_flags: (step.map_flags ?? ARGS.map_create.map_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
        map_extra: step.map_extra ?? ARGS.map_create.map_extra.default,
        map_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
      },
      size: 168,
      tailByte: null,
    }).ret,
  prog_load: (st, t, step) =>
    sys_bpf(st.k, t, {
      cmd: BPF_PROG_LOAD,
      attr: {
        prog_type: step.prog_type,
        expected_attach_type: step.expected_attach_type ?? ARGS.prog_load.expected_attach_type.default,
        insn_cnt: step.insn_cnt ?? ARGS.prog_load.insn_cnt.default,
        prog_flags: (step.prog_flags ?? ARGS.prog_load.prog_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
        prog_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
        // the fd numbers the user's array holds (resolved now: a race changes the table, not the numbers)
        fd_array: step.fd_array === undefined ? null : step.fd_array.map((h) => fdOf(st, t, h)),
        fd_array_cnt: step.fd_array_cnt ?? ARGS.prog_load.fd_array_cnt.default,
        // model only (seed 002): attr->signature, attr->keyring_id
        ...(step.signature ? { signature: step.signature, keyring_id: KEYRING_ID[step.signature.keyring] } : {}),
        ...(step.fault && step.fault !== 'none' ? { fault: step.fault } : {}),
      },
      size: 168,
      tailByte: null,
      kernel: step.kernel ?? false,
    }).ret,
  btf_load: (st, t, step) =>
    sys_bpf(st.k, t, {
      cmd: BPF_BTF_LOAD,
      attr: {
        btf_flags: (step.btf_flags ?? ARGS.btf_load.btf_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
        btf_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
      },
      size: 168,
      tailByte: null,
    }).ret,
  btf_get_fd_by_id: (st, t, step) =>
    sys_bpf(st.k, t, {
      cmd: BPF_BTF_GET_FD_BY_ID,
      attr: {
        btf_id: st.handles.get(step.btf)?.btfId ?? 0,
        open_flags: (step.open_flags ?? ARGS.btf_get_fd_by_id.open_flags.default) | withToken(BPF_F_TOKEN_FD, step.token, step.token_flag),
        fd_by_id_token_fd: step.token === undefined ? 0 : fdOf(st, t, step.token),
      },
      size: 168,
      tailByte: null,
    }).ret,
  // issue 11 language v2: BPF objects (model/pin.ts, model/link.ts)
  obj_pin: (st, t, step) => objPinGet(st, t, step),
  obj_get: (st, t, step) => objPinGet(st, t, step),
  prog_attach: (st, t, step) => attachCmd(st, t, step, BPF_PROG_ATTACH),
  prog_detach: (st, t, step) => attachCmd(st, t, step, BPF_PROG_DETACH),
  link_create: (st, t, step) => attachCmd(st, t, step, BPF_LINK_CREATE),
};

function objPinGet(st: ModelState, t: Task, step: Extract<Step, { op: 'obj_pin' | 'obj_get' }>): number {
  const pin = step.op === 'obj_pin';
  return sys_bpf(st.k, t, {
    cmd: pin ? BPF_OBJ_PIN : BPF_OBJ_GET,
    attr: {
      pathname: step.path,
      bpf_fd: pin ? fdOf(st, t, step.fd) : 0,
      file_flags: (step.file_flags ?? 0) | BPF_F_PATH_FD,
      path_fd: fdOf(st, t, step.dirfd),
    },
    size: step.size ?? ARGS.obj_pin.size.default,
    tailByte: tailOf(step.tail_byte),
  }).ret;
}

function attachCmd(st: ModelState, t: Task, step: Extract<Step, { op: 'prog_attach' | 'prog_detach' | 'link_create' }>, cmd: number): number {
  return sys_bpf(st.k, t, {
    cmd,
    attr: {
      target_fd: CGROUP_TARGET_FD,
      attach_bpf_fd: step.prog === undefined ? 0 : fdOf(st, t, step.prog),
      attach_type: step.attach_type,
      attach_flags: step.op === 'prog_attach' ? (step.attach_flags ?? 0) : 0,
    },
    size: step.size ?? ARGS.prog_attach.size.default,
    tailByte: tailOf(step.tail_byte),
  }).ret;
}

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const BPF_DECISIONS = [
  ...P('token', '__sys_bpf (kernel/bpf/syscall.c)', [
    ['size', 'attr size at most a page', 'E2BIG'],
    ['tail', 'bytes beyond sizeof(union bpf_attr) are zero', 'E2BIG'],
    ['lsm', 'security_bpf() (a negative return only)', 'LSM'],
    ['check_attr', 'bytes after the last field of the command are zero', 'EINVAL'],
  ]),
  ...P('map', 'map_create (kernel/bpf/syscall.c)', [
    ['map_extra', 'map_extra only for bloom filter and arena', 'EINVAL'],
    ['file_flag', 'not both BPF_F_RDONLY and BPF_F_WRONLY (bpf_get_file_flag)', 'EINVAL'],
    ['type', 'a map type with ops', 'EINVAL'],
    ['alloc_check', 'ops->map_alloc_check(): attributes checked before the capabilities', 'EINVAL/ENOTSUPP/E2BIG'],
    ['token_allowed', 'the token allows MAP_CREATE and the map type (else it is dropped)', 'dropped'],
    ['sysctl', 'unprivileged_bpf_disabled: CAP_BPF through the token', 'EPERM'],
    ['cap_class', 'the map type class: CAP_BPF or CAP_NET_ADMIN through the token', 'EPERM'],
    ['vendor_arena', 'this kernel build refuses every arena map (host fact ARENA=EPERM, model/kconfig.ts; not upstream)', 'EPERM'],
    ['alloc', 'ops->map_alloc(): attributes checked after the capabilities', 'EINVAL/E2BIG'],
    ['lsm', 'security_bpf_map_create()', 'LSM'],
  ]),
  ...P('map', 'map_update_elem (kernel/bpf/syscall.c, arraymap.c, hashtab.c)', [
    ['map', '__bpf_map_get(): the fd is a map', 'EBADF/EINVAL'],
    ['perms', 'map_get_sys_perms(): the fd may write and the map is not frozen', 'EPERM'],
    ['lock', 'BPF_F_LOCK only with a spin lock in the value (none here)', 'EINVAL'],
    ['flags', 'the type\'s update: flags at most BPF_EXIST', 'EINVAL'],
    ['index', 'ARRAY: the index below max_entries', 'E2BIG'],
    ['exists', 'BPF_NOEXIST: no element with the key (an ARRAY has them all)', 'EEXIST'],
    ['absent', 'HASH, BPF_EXIST: an element with the key', 'ENOENT'],
    ['full', 'HASH: a new key while max_entries are present (alloc_htab_elem())', 'E2BIG'],
  ]),
  ...P('map', 'map_delete_elem (kernel/bpf/syscall.c, arraymap.c, hashtab.c)', [
    ['map', '__bpf_map_get(): the fd is a map', 'EBADF/EINVAL'],
    ['perms', 'map_get_sys_perms(): the fd may write and the map is not frozen', 'EPERM'],
    ['array', 'ARRAY: array_map_delete_elem() removes nothing', 'EINVAL'],
    ['absent', 'HASH: an element with the key', 'ENOENT'],
  ]),
  ...P('map', 'map_freeze (kernel/bpf/syscall.c)', [
    ['map', '__bpf_map_get(): the fd is a map', 'EBADF/EINVAL'],
    ['type', 'not a STRUCT_OPS map (nor one with a BTF record)', 'ENOTSUPP'],
    ['perms', 'map_get_sys_perms(): the fd may write and the map is not frozen yet', 'EPERM'],
  ]),
  ...P('prog', 'bpf_prog_load (kernel/bpf/syscall.c)', [
    ['flags', 'only the known prog_flags', 'EINVAL'],
    ['trampoline', 'this kernel build refuses trampoline programs (profile knob, not upstream)', 'EPERM'],
    ['token_allowed', 'the token allows PROG_LOAD, the program type and the attach type (else it is dropped)', 'dropped'],
    ['sysctl', 'unprivileged_bpf_disabled: CAP_BPF through the token', 'EPERM'],
    ['insn_cnt', 'insn_cnt in 1..(CAP_BPF ? 1,000,000 : 4096)', 'E2BIG'],
    ['bpf_cap', 'CAP_BPF for every type but socket filter and cgroup skb', 'EPERM'],
    ['net_admin', 'CAP_NET_ADMIN for networking types', 'EPERM'],
    ['perfmon', 'CAP_PERFMON for tracing types', 'EPERM'],
    ['check_attach', 'bpf_prog_load_check_attach(): the expected attach type fits the type', 'EINVAL'],
    ['signature', 'bpf_prog_verify_signature() when a signature is given', 'EINVAL/EBADMSG/EKEYREJECTED/ENOKEY'],
    ['prog_type', 'find_prog_type(): a configured program type', 'EINVAL'],
    ['lsm', 'security_bpf_prog_load()', 'LSM'],
    ['fd_array', 'bpf_check(): process_fd_array() binds fd_array[0..fd_array_cnt)', 'EINVAL/EBADF/EFAULT/EBUSY/EPERM/E2BIG'],
    ['verifier', 'bpf_check() on the trivial program', 'EINVAL/ENOTSUPP'],
  ]),
  ...P('btf', 'bpf_btf_load (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_TOKEN_FD', 'EINVAL'],
    ['token_allowed', 'the token allows BTF_LOAD (else it is dropped)', 'dropped'],
    ['cap_bpf', 'CAP_BPF through the token (no sysctl gate)', 'EPERM'],
  ]),
  ...P('btf', 'bpf_btf_get_fd_by_id (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_TOKEN_FD', 'EINVAL'],
    ['check_attr_6_12', 'linux-6.12: no open_flags/fd_by_id_token_fd (LAST_FIELD btf_id; profile knob btfGetFdByIdNoToken)', 'EINVAL'],
    ['token_allowed', 'the token allows BTF_GET_FD_BY_ID (else it is dropped)', 'dropped'],
    ['cap_sys_admin', 'exactly CAP_SYS_ADMIN through the token (no fallback)', 'EPERM'],
    ['id', 'a BTF object with that id exists', 'ENOENT'],
  ]),
  ...P('token', 'bpf_obj_get_info_by_fd (kernel/bpf/syscall.c)', [
    ['no_token_info', 'linux-6.12: no token branch, a token fd is EINVAL (profile knob noTokenInfo)', 'EINVAL'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof BPF_DECISIONS)[number]['id'], true> {}
}
