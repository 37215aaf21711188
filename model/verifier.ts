// The verifier's binding of maps a program carries (kernel/bpf/verifier.c):
// process_fd_array() with attr->fd_array_cnt (the "new API" of 6.14+: every
// fd of fd_array[0..cnt) is resolved and bound up front), add_fd_from_fd_array(),
// __add_used_map() / __add_used_btf() and check_map_prog_compatibility(), and
// release_maps() when bpf_check() fails. The trivial programs of the scenarios
// reference no map by instruction, so fd_array_cnt is the only way a map gets
// into prog->aux->used_maps here (the legacy API, cnt 0, binds nothing).
//
// Sources: 7.3.4 kernel/bpf/verifier.c process_fd_array() :20785-20808,
// process_fd_array_continuous() :20758-20783, add_fd_from_fd_array() :20719-20748,
// __add_used_map() :18939-18986, check_map_prog_compatibility() :18829-18937;
// 6.18 (the host) as mainline since 6.14 ("bpf: add fd_array_cnt attribute for
// prog_load"): the same loop without the in-memory slot cache, an overflow
// check `fd_array_cnt >= U32_MAX / sizeof(int)` (EINVAL) instead of
// MAX_FD_ARRAY_CNT, and no check of a NULL fd_array (the first copy faults:
// EFAULT) - profile knob fdArrayContinuous is the 7.3.4 form. 6.12 has no
// fd_array_cnt (BPF_PROG_LOAD_LAST_FIELD prog_token_fd, 6.12.118
// kernel/bpf/syscall.c:2636): CHECK_ATTR refuses a non-zero count (sys_bpf).

import type { Kernel, Task } from './kernel.ts';
import type { BpfAttr, BpfMap, BpfProg, Btf } from './include/linux/bpf.ts';
import { E2BIG, EBADF, EBUSY, EFAULT, EINVAL, EPERM } from './errno.ts';
import { MAP } from './enums.ts';
import { fdget } from './vfs.ts';
import { bpf_free_used_maps, bpf_map_inc } from './bpfobj.ts';
import { P } from './include/decision.ts';

/** MAX_USED_MAPS, MAX_USED_BTFS (include/linux/bpf_verifier.h) */
const MAX_USED_MAPS = 64;
const MAX_USED_BTFS = 64;
/** 7.3.4 verifier.c:20756 */
const MAX_FD_ARRAY_CNT = 4096;
const U32_MAX = 0xffffffff;

/** the env fields check_map_prog_compatibility() reads (bpf_check() set them
 *  from the capability calls, model/syscall.ts bpf_check_caps()) */
export interface VerifierEnv {
  allow_ptr_leaks: boolean;
  bpf_capable: boolean;
}

/** check_map_prog_compatibility(): the checks a map of the model can reach
 *  (no map of the model has BTF fields, an excl_prog_hash, an offload device,
 *  or is a STRUCT_OPS map: those cannot be created here) */
function check_map_prog_compatibility(k: Kernel, env: VerifierEnv, map: BpfMap, prog: BpfProg): number {
  // `if (prog->sleepable) switch (map->map_type) { ... default: return -EINVAL; }`
  const sleepableOk = SLEEPABLE_MAPS.has(map.map_type) || (k.profile.token.sleepableMapsExtra ?? []).some((n) => MAP[n] === map.map_type);
  if (k.check('check_map_prog_compatibility/sleepable', prog.sleepable === true && !sleepableOk)) return -EINVAL;
  // `if (bpf_map_is_cgroup_storage(map) && bpf_cgroup_storage_assign(env->prog->aux, map))
  // return -EBUSY;` (kernel/bpf/local_storage.c bpf_cgroup_storage_assign(): another
  // map of the same storage type is already assigned)
  const stype = map.map_type === MAP.CGROUP_STORAGE_DEPRECATED ? 0 : map.map_type === MAP.PERCPU_CGROUP_STORAGE_DEPRECATED ? 1 : -1;
  if (stype >= 0) {
    prog.cgroup_storage ??= [];
    const had = prog.cgroup_storage[stype];
    if (k.check('check_map_prog_compatibility/cgroup_storage', had !== undefined && had !== map)) return -EBUSY;
    prog.cgroup_storage[stype] = map;
  }
  if (map.map_type === MAP.ARENA) {
    if (k.check('check_map_prog_compatibility/arena_one', prog.arena !== undefined)) return -EBUSY;
    if (k.check('check_map_prog_compatibility/arena_caps', !env.allow_ptr_leaks || !env.bpf_capable)) return -EPERM;
    // jit_requested and bpf_jit_supports_arena(): the JIT is on (x86-64, bpf_jit_enable=1)
    prog.arena = map;
    // `if (!bpf_arena_get_user_vm_start(env->prog->aux->arena)) return -EINVAL;`: the
    // user address comes from map_extra (arena_map_alloc()) or an mmap(), never made here
    if (k.check('check_map_prog_compatibility/arena_vm_start', (map.map_extra ?? 0) === 0)) return -EINVAL;
  }
  return 0;
}

/** the map types a sleepable program may use on 6.18: 7.3.4's list (verifier.c:18874-18896)
 *  without RHASH, LPM_TRIE and INSN_ARRAY (profile knob sleepableMapsExtra: a sleepable
 *  KPROBE program with an LPM_TRIE in fd_array is EINVAL on the host 6.18, with an ARRAY ok) */
const SLEEPABLE_MAPS = new Set(
  ['HASH', 'LRU_HASH', 'ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY', 'LRU_PERCPU_HASH', 'ARRAY_OF_MAPS', 'HASH_OF_MAPS', 'RINGBUF', 'USER_RINGBUF', 'INODE_STORAGE', 'SK_STORAGE', 'TASK_STORAGE', 'CGRP_STORAGE', 'QUEUE', 'STACK', 'ARENA', 'PROG_ARRAY']
    .map((n) => MAP[n])
    .filter((v): v is number => v !== undefined),
);

/** __add_used_map(): a map already bound is not bound again (its index is
 *  returned: no error for a duplicate); then the count limit, the compatibility
 *  checks, bpf_map_inc() and the slot */
function add_used_map(k: Kernel, env: VerifierEnv, prog: BpfProg, map: BpfMap): number {
  const used = (prog.used_maps ??= []);
  const i = used.indexOf(map);
  if (i >= 0) return i;
  // (7.3.4 :18948-18953: a signed program whose signature is verified binds no map the
  // signature does not cover; bpf_prog_verify_signature() runs after process_fd_array()
  // there, so not at this point)
  if (k.check('__add_used_map/max', used.length >= MAX_USED_MAPS)) return -E2BIG;
  const err = check_map_prog_compatibility(k, env, map, prog);
  if (err) return err;
  bpf_map_inc(map);
  used.push(map);
  return used.length - 1;
}

/** __add_used_btf() */
function add_used_btf(k: Kernel, prog: BpfProg, btf: Btf): number {
  const used = (prog.used_btfs ??= []);
  const i = used.indexOf(btf);
  if (i >= 0) return i;
  if (k.check('__add_used_btf/max', used.length >= MAX_USED_BTFS)) return -E2BIG;
  btf.refcnt++;
  used.push(btf);
  return used.length - 1;
}

/** add_fd_from_fd_array(): CLASS(fd, f)(fd); a map (__bpf_map_get(): no file
 *  -EBADF, not bpf_map_fops -EINVAL), else a BTF (__btf_get_by_fd()), else
 *  `return PTR_ERR(map)`: EBADF for a bad fd, EINVAL for any other file */
function add_fd_from_fd_array(k: Kernel, t: Task, env: VerifierEnv, prog: BpfProg, fd: number): number {
  // fdget(): an O_PATH file is no file here (FMODE_PATH)
  const f = fdget(t.files, fd);
  if (k.check('add_fd_from_fd_array/fd', f === null)) return -EBADF;
  if (f!.obj.kind === 'map') {
    const err = add_used_map(k, env, prog, f!.obj.map);
    return err < 0 ? err : 0;
  }
  if (f!.obj.kind === 'btf') {
    const err = add_used_btf(k, prog, f!.obj.btf);
    return err < 0 ? err : 0;
  }
  k.check('add_fd_from_fd_array/kind', true);
  return -EINVAL;
}

/** process_fd_array(): with fd_array_cnt, each fd of the user's array is read
 *  (copy_from_bpfptr_offset(), one at a time: another thread may change the fd
 *  table between two reads) and bound in array order; the first error ends it.
 *  Maps bound before an error stay in used_maps until release_maps(). */
export function process_fd_array(k: Kernel, t: Task, env: VerifierEnv, prog: BpfProg, attr: BpfAttr): number {
  const cnt = (attr.fd_array_cnt ?? 0) >>> 0;
  const arr = attr.fd_array ?? null;
  const continuous = k.profile.token.fdArrayContinuous === true;
  if (continuous && arr === null) {
    // 7.3.4 :20789-20795: `if (bpfptr_is_null(fd_array)) { if (attr->fd_array_cnt) return -EINVAL; return 0; }`
    if (k.check('process_fd_array/null_cnt', cnt !== 0)) return -EINVAL;
    return 0;
  }
  // the legacy API: no fd_array_cnt, nothing bound up front
  if (cnt === 0) return 0;
  if (continuous) {
    // 7.3.4 process_fd_array_continuous() :20764-20768
    if (k.check('process_fd_array/cnt', cnt > MAX_FD_ARRAY_CNT)) return -E2BIG;
  } else if (k.check('process_fd_array/cnt', cnt >= Math.floor(U32_MAX / 4))) return -EINVAL; // 6.18: integer overflow check
  for (let i = 0; i < cnt; i++) {
    // copy_from_bpfptr_offset(&fd, fd_array, i * sizeof(fd), sizeof(fd)): a NULL
    // array (6.18) or one shorter than cnt (the validator refuses that) faults
    if (k.check('process_fd_array/copy', arr === null || i >= arr.length)) return -EFAULT;
    const ret = add_fd_from_fd_array(k, t, env, prog, arr![i]!);
    if (ret) return ret;
  }
  return 0;
}

/** release_maps() / release_btfs(): bpf_check() failed, the maps and BTFs it
 *  bound are put (before bpf_prog_load()'s free_used_maps frees the prog) */
export function release_maps(k: Kernel, prog: BpfProg): void {
  bpf_free_used_maps(k, prog);
}

/** this layer's decision points (model/coverage.ts) */
export const VERIFIER_DECISIONS = [
  ...P('prog', 'process_fd_array (kernel/bpf/verifier.c)', [
    ['null_cnt', 'linux-7.3: a count without an array (profile knob fdArrayContinuous)', 'EINVAL'],
    ['cnt', 'the count: 6.18 below U32_MAX / 4 (EINVAL); 7.3.4 at most MAX_FD_ARRAY_CNT 4096 (E2BIG)', 'EINVAL/E2BIG'],
    ['copy', 'copy_from_bpfptr_offset() of each fd (a NULL array faults)', 'EFAULT'],
  ]),
  ...P('prog', 'add_fd_from_fd_array (kernel/bpf/verifier.c)', [
    ['fd', 'fdget(): an open, non-O_PATH fd', 'EBADF'],
    ['kind', 'a map or a BTF', 'EINVAL'],
  ]),
  ...P('prog', '__add_used_map (kernel/bpf/verifier.c)', [['max', 'at most MAX_USED_MAPS (64) maps', 'E2BIG']]),
  ...P('prog', '__add_used_btf (kernel/bpf/verifier.c)', [['max', 'at most MAX_USED_BTFS (64) BTFs', 'E2BIG']]),
  ...P('prog', 'check_map_prog_compatibility (kernel/bpf/verifier.c)', [
    ['sleepable', 'a sleepable program uses only array, hash, ringbuf, local storage (and a few more) maps', 'EINVAL'],
    ['cgroup_storage', 'one cgroup storage map of each storage type (bpf_cgroup_storage_assign())', 'EBUSY'],
    ['arena_one', 'one arena per program', 'EBUSY'],
    ['arena_caps', 'an arena needs allow_ptr_leaks (CAP_PERFMON) and bpf_capable (CAP_BPF)', 'EPERM'],
    ['arena_vm_start', "the arena's user address is set (map_extra)", 'EINVAL'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof VERIFIER_DECISIONS)[number]['id'], true> {}
}
