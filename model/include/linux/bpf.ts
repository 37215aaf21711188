// include/linux/bpf.h (and the bpffs part of kernel/bpf/inode.c): the BPF
// objects the token layers pass around. Types only, at the bottom of model/.

import type { Cred, UserNamespace } from '../../userns.ts';
import type { SignatureDecl } from '../../../scenario/types.ts';

export interface BpfMountOpts {
  uid: number; // kuid
  gid: number; // kgid
  mode: number;
  delegate_cmds: bigint;
  delegate_maps: bigint;
  delegate_progs: bigint;
  delegate_attachs: bigint;
}

export type DelegateKey = 'delegate_cmds' | 'delegate_maps' | 'delegate_progs' | 'delegate_attachs';

export interface BpfToken {
  id: number;
  userns: UserNamespace;
  allowed_cmds: bigint;
  allowed_maps: bigint;
  allowed_progs: bigint;
  allowed_attachs: bigint;
  /** LSM blob (token->security) */
  security: unknown;
  refcnt: number;
}

/** The attr fields the scenarios set. Absent = 0. */
export interface BpfAttr {
  flags?: number;
  bpffs_fd?: number;
  map_type?: number;
  key_size?: number;
  value_size?: number;
  max_entries?: number;
  map_flags?: number;
  map_extra?: number;
  map_token_fd?: number;
  prog_type?: number;
  insn_cnt?: number;
  prog_flags?: number;
  expected_attach_type?: number;
  prog_token_fd?: number;
  btf_flags?: number;
  btf_token_fd?: number;
  btf_id?: number;
  open_flags?: number;
  fd_by_id_token_fd?: number;
  bpf_fd?: number;
  info_len?: number;
  /** BPF_MAP_FREEZE (and the element commands): attr->map_fd */
  map_fd?: number;
  /** BPF_MAP_UPDATE_ELEM: the key and value the pointers point at (little-endian, zero-padded), attr->flags */
  key?: number;
  value?: number;
  elem_flags?: number;
  /** BPF_PROG_LOAD attr->signature (non-zero: this signature) and attr->keyring_id (6.18 signing) */
  signature?: SignatureDecl;
  keyring_id?: number;
  /** BPF_OBJ_PIN / BPF_OBJ_GET (null: a NULL pointer, cut by a short attr) */
  pathname?: string | null;
  file_flags?: number;
  path_fd?: number;
  /** BPF_PROG_ATTACH / _DETACH / BPF_LINK_CREATE (link_create.prog_fd is attach_bpf_fd here) */
  target_fd?: number;
  attach_bpf_fd?: number;
  attach_type?: number;
  attach_flags?: number;
  /** BPF_PROG_LOAD attr->fd_array: the fd numbers in user memory (null/absent: NULL), and fd_array_cnt */
  fd_array?: number[] | null;
  fd_array_cnt?: number;
  /** model only: a fault injected on the load's integrity path (scenario prog_load `fault`) */
  fault?: ProgLoadFault;
}

export interface BpfMap {
  id: number;
  /** references besides the first fd's (pins): undefined = 1 */
  refcnt?: number;
  map_type: number;
  security: unknown;
  /** attr->map_extra of an ARENA map (arena->user_vm_start) */
  map_extra?: number;
  /** map->frozen: set by BPF_MAP_FREEZE, never cleared */
  frozen?: boolean;
  /** the creation attributes (map->key_size, value_size, max_entries) */
  key_size: number;
  value_size: number;
  max_entries: number;
  /** the elements BPF_MAP_UPDATE_ELEM wrote (ARRAY: by index, absent = zeroes; HASH: the
   *  elements present), by key, each value as the integer its first bytes hold */
  elems?: Map<number, number>;
  /** successful BPF_MAP_UPDATE_ELEM calls: what a change of the contents is seen by */
  updates?: number;
}

export interface BpfProg {
  id: number;
  type: number;
  expected_attach_type: number;
  /** prog->aux->token: where bpf_prog_load() moves the token */
  aux_token: BpfToken | null;
  security: unknown;
  /** references (fds, pins, attachments, links): undefined = 1 */
  refcnt?: number;
  /** CGROUP_SKB egress with a return value outside 2..3 (check_return_code()) */
  enforce_expected_attach_type?: boolean;
  /** prog->aux->used_maps (bound by the verifier: fd_array with fd_array_cnt, in order, each once) */
  used_maps?: BpfMap[];
  /** prog->aux->used_btfs */
  used_btfs?: Btf[];
  /** prog->sleepable (BPF_F_SLEEPABLE) */
  sleepable?: boolean;
  /** prog->aux->cgroup_storage[stype] (bpf_cgroup_storage_assign()) and prog->aux->arena */
  cgroup_storage?: Array<BpfMap | undefined>;
  arena?: BpfMap;
  /** the loader's cred: not a kernel field (prog->aux->user is its uid); only
   *  the mutant mutant-attach-capable-as-loader reads it */
  loader_cred?: Cred;
}

/** struct bpf_link (a cgroup link: struct bpf_cgroup_link) */
export interface BpfLink {
  id: number;
  prog: BpfProg;
  attach_type: number;
  refcnt: number;
  /** detached from its cgroup (the cgroup of the scenario) */
  detached: boolean;
}

/** a pinned object (inode->i_private, kind by inode->i_op) */
/** struct bpf_prog_list: one entry of a cgroup's list of an attach type */
export interface BpfProgListEntry {
  prog: BpfProg | null;
  link: BpfLink | null;
}

/** struct cgroup_bpf of the scenario's cgroup: progs[atype], flags[atype] */
export interface CgroupBpf {
  progs: Map<number, BpfProgListEntry[]>;
  flags: Map<number, number>;
}

export type BpfPinned = { kind: 'prog'; prog: BpfProg } | { kind: 'map'; map: BpfMap } | { kind: 'link'; link: BpfLink };

export interface Btf {
  id: number;
  refcnt: number;
}

/** prog_load `fault` values (scenario/ops.ts): where a failure is injected */
export type ProgLoadFault = 'none' | 'blob_enomem' | 'provider_enomem' | 'sig_efault' | 'sig_short' | 'keyring';
