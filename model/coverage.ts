// Spec coverage: every decision point of the model (one check in one kernel
// function) has a stable id, cites the function it mirrors, and names the
// errno it returns when the check fails. Campaigns record, per point, how
// often it passed and failed; `bpftc coverage` renders it.

export interface DecisionPoint<Id extends string = string> {
  /** `<kernel function>/<check>`: a DecisionPointId */
  id: Id;
  /** layer, for grouping: userns, bpffs, fs_context, mount, namei, token, map, prog, btf */
  layer: string;
  /** the kernel function (file) whose check this is */
  fn: string;
  /** what the check tests, in words */
  what: string;
  /** the errno when the check fails ("-" for a check that selects a branch) */
  fails: string;
}

/** the kernel function's name: the first word of `fn` */
type FnName<F extends string> = F extends `${infer W} ${string}` ? W : F;

/** one kernel function's decision points; the ids are literal types
 *  (`bpf_token_create/flags`), so DecisionPointId is their union */
function P<const F extends string, const R extends ReadonlyArray<readonly [string, string, string]>>(
  layer: string,
  fn: F,
  rows: R,
): Array<DecisionPoint<`${FnName<F>}/${R[number][0]}`>> {
  return rows.map(([id, what, fails]) => ({ id: `${fn.split(' ')[0]}/${id}` as `${FnName<F>}/${R[number][0]}`, layer, fn, what, fails }));
}

export const DECISION_POINTS = [
  // not a kernel check: the scenario sandbox refuses these steps before any syscall,
  // on the model and on the executor alike (REFUSED with the reason)
  ...P('sandbox', 'staticRefusal (scenario/sandbox.ts, oracle/SANDBOX.md)', [
    ['path', 'a path argument is relative, without "..", NUL or control bytes, at most 1024 bytes', 'REFUSED'],
    ['fs_type', 'fsopen of bpf only', 'REFUSED'],
    ['rlimit', 'rlimit_nofile at most 4096', 'REFUSED'],
  ]),
  ...P('userns', 'cap_capable (security/commoncap.c)', [
    ['own_ns', 'target is the cred userns: effective set decides', 'EPERM'],
    ['owner_rule', 'creator euid of a child namespace has every capability', '-'],
    ['not_ancestor', 'target is not a descendant of the cred userns: denied', '-'],
  ]),
  ...P('fs_context', 'fsopen (fs/fsopen.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['flags', 'only FSOPEN_CLOEXEC', 'EINVAL'],
    ['fs_type', 'a known filesystem', 'ENODEV'],
  ]),
  ...P('fs_context', 'fsconfig (fs/fsopen.c)', [
    ['args', 'key/value/aux shape for the command', 'EINVAL'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['fscontext', 'the fd is an fs context', 'EINVAL'],
    ['key_len', 'key and value within 255 bytes', 'EINVAL'],
  ]),
  ...P('fs_context', 'vfs_fsconfig_locked (fs/fsopen.c)', [['phase', 'SET_* only in CREATE_PARAMS / RECONF_PARAMS', 'EBUSY']]),
  ...P('fs_context', 'vfs_parse_fs_param (fs/fs_context.c)', [
    ['sb_flag', 'a generic superblock flag (ro, sync, ...)', '-'],
    ['lsm', 'an LSM claims or refuses the parameter', 'LSM'],
  ]),
  ...P('fs_context', 'vfs_cmd_create (fs/fsopen.c)', [
    ['phase', 'CMD_CREATE only in CREATE_PARAMS', 'EBUSY'],
    ['mount_capable', 'CAP_SYS_ADMIN in fc->user_ns', 'EPERM'],
  ]),
  ...P('fs_context', 'vfs_cmd_reconfigure (fs/fsopen.c)', [
    ['phase', 'CMD_RECONFIGURE only in RECONF_PARAMS', 'EBUSY'],
    ['capable', 'CAP_SYS_ADMIN in sb->s_user_ns', 'EPERM'],
    ['rmt_mask', 'only remountable flags (MS_RMT_MASK)', 'EINVAL'],
  ]),
  ...P('fs_context', 'reconfigure_super (fs/super.c)', [
    ['remove_count', 'remount read-only: no unlinked inode still open (sb_prepare_remount_readonly)', 'EBUSY'],
  ]),
  ...P('bpffs', 'bpf_parse_param (kernel/bpf/inode.c)', [
    ['unknown_key', 'an unknown key is ignored (source is taken)', '-'],
    ['type', 'the value converts to the parameter type', 'EINVAL'],
    ['uid_mapped', 'uid/gid valid in the caller userns and mapped in fc->user_ns', 'EINVAL'],
    ['delegate_parse', 'every piece is any, a name or a number', 'EINVAL/ERANGE'],
    ['delegate_capable', 'a non-zero mask needs capable(CAP_SYS_ADMIN)', 'EPERM'],
  ]),
  ...P('bpffs', 'bpf_fill_super (kernel/bpf/inode.c)', [['capable', 'a non-init fc needs capable(CAP_SYS_ADMIN)', 'EPERM']]),
  ...P('bpffs', 'bpf_lookup (kernel/bpf/inode.c)', [
    ['dotted', 'names with a dot are reserved', 'EPERM'],
    ['name_max', 'simple_lookup(): a name of at most NAME_MAX (255) bytes', 'ENAMETOOLONG'],
  ]),
  ...P('mount', 'fsmount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['fscontext', 'the fd is an fs context', 'EINVAL'],
    ['root', 'the context has a superblock', 'EINVAL'],
    ['phase', 'AWAITING_MOUNT', 'EBUSY'],
  ]),
  ...P('mount', 'open_tree (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['check_mnt', 'may_copy_tree(): the source mount is ours, or in an anonymous namespace copied from ours or made by fsmount (seq_origin)', 'EINVAL'],
    ['pseudo_dentry', '6.12.118/7.3.4 __do_loopback(): the source dentry is not a pseudo one (DCACHE_NORCU: the token file)', 'EINVAL'],
    ['fd_first', 'linux-7.3: FD_ADD() reserves the fd before any other check (profile knob openTreeFdFirst)', 'EMFILE'],
    ['fd_before_lookup', 'linux-6.12: get_unused_fd_flags() after may_mount(), before the lookup (profile knob openTreeFdBeforeLookup)', 'EMFILE'],
  ]),
  ...P('mount', 'do_move_mount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mnt_root', 'the source is the root of its mount', 'EINVAL'],
    ['attachable', 'the source is ours or the root of an anonymous namespace', 'EINVAL'],
    ['dir_match', 'source and mountpoint are both directories (the mountpoint is one)', 'EINVAL'],
  ]),
  ...P('mount', 'fspick (fs/fsopen.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mnt_root', 'the path is the root of its mount', 'EINVAL'],
  ]),
  ...P('mount', 'path_mount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mount_capable', 'CAP_SYS_ADMIN in fc->user_ns', 'EPERM'],
  ]),
  ...P('namei', 'link_path_walk (fs/namei.c)', [
    ['dirfd', 'an open dirfd', 'EBADF'],
    ['notdir', 'every component but the last is a directory', 'ENOTDIR'],
    ['may_lookup', 'MAY_EXEC on each directory', 'EACCES'],
    ['lookup', 'the name exists', 'ENOENT'],
  ]),
  ...P('namei', 'may_open (fs/namei.c)', [['read', 'MAY_READ for O_RDONLY', 'EACCES']]),
  ...P('namei', 'vfs_mkdir (fs/namei.c)', [
    ['exists', 'the name does not exist', 'EEXIST'],
    ['rofs', 'a writable superblock', 'EROFS'],
    ['mapping', 'fsuid/fsgid mapped in sb->s_user_ns', 'EOVERFLOW'],
    ['may_create', 'MAY_WRITE | MAY_EXEC on the parent', 'EACCES'],
  ]),
  ...P('token', '__sys_bpf (kernel/bpf/syscall.c)', [
    ['size', 'attr size at most a page', 'E2BIG'],
    ['tail', 'bytes beyond sizeof(union bpf_attr) are zero', 'E2BIG'],
    ['lsm', 'security_bpf() (a negative return only)', 'LSM'],
    ['check_attr', 'bytes after the last field of the command are zero', 'EINVAL'],
  ]),
  ...P('token', 'bpf_token_create (kernel/bpf/token.c)', [
    ['flags', 'token_create.flags == 0', 'EINVAL'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['root', 'the fd is the root of its superblock (v10: of its mount)', 'EINVAL'],
    ['bpffs', 'the superblock is bpffs', 'EINVAL'],
    ['same_userns', 'the creator is in the bpffs user namespace', 'EPERM'],
    ['cap_bpf', 'ns_capable(s_user_ns, CAP_BPF)', 'EPERM'],
    ['init_ns', 'not in init_user_ns', 'EOPNOTSUPP'],
    ['delegation', 'some delegate mask is non-zero', 'ENOENT'],
    ['fd_first', 'linux-7.3: FD_PREPARE() reserves the fd before kzalloc() and the hook (profile knob tokenFdBeforeHook)', 'EMFILE'],
    ['lsm', 'security_bpf_token_create()', 'LSM'],
  ]),
  ...P('token', 'bpf_token_get_from_fd (kernel/bpf/token.c)', [
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['is_token', 'the file is a token', 'EINVAL'],
  ]),
  ...P('token', 'bpf_token_allow_cmd (kernel/bpf/token.c)', [
    ['bit', 'the command is in allowed_cmds', 'dropped'],
    ['lsm', 'security_bpf_token_cmd()', 'dropped'],
  ]),
  ...P('token', 'bpf_token_capable (kernel/bpf/token.c)', [
    ['ns_capable', 'cap (or CAP_SYS_ADMIN) in the token userns, or init without a token', 'EPERM'],
    ['lsm', 'security_bpf_token_capable()', 'EPERM'],
  ]),
  ...P('map', 'map_create (kernel/bpf/syscall.c)', [
    ['map_extra', 'map_extra only for bloom filter and arena', 'EINVAL'],
    ['file_flag', 'not both BPF_F_RDONLY and BPF_F_WRONLY (bpf_get_file_flag)', 'EINVAL'],
    ['type', 'a map type with ops', 'EINVAL'],
    ['alloc_check', 'ops->map_alloc_check(): attributes checked before the capabilities', 'EINVAL/ENOTSUPP/E2BIG'],
    ['token_allowed', 'the token allows MAP_CREATE and the map type (else it is dropped)', 'dropped'],
    ['sysctl', 'unprivileged_bpf_disabled: CAP_BPF through the token', 'EPERM'],
    ['cap_class', 'the map type class: CAP_BPF or CAP_NET_ADMIN through the token', 'EPERM'],
    ['alloc', 'ops->map_alloc(): attributes checked after the capabilities', 'EINVAL/E2BIG'],
    ['lsm', 'security_bpf_map_create()', 'LSM'],
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
  // issue 11 language v2 (branch bpfobj): BPF objects (model/pin.ts, model/link.ts)
  ...P('pin', 'bpf_obj_pin (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_PATH_FD in file_flags; path_fd only with it', 'EINVAL'],
    ['probe', 'bpf_fd_probe_obj(): the fd is a map, prog or link', 'EINVAL'],
    ['not_bpffs', 'bpf_obj_do_pin(): the parent directory is a bpffs directory', 'EPERM'],
    ['may_create', 'vfs_mkobj() -> may_create(): MAY_WRITE | MAY_EXEC on the directory', 'EACCES'],
  ]),
  ...P('pin', 'bpf_obj_get (kernel/bpf/syscall.c)', [
    ['flags', 'only BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_PATH_FD; not both RDONLY and WRONLY', 'EINVAL'],
    ['permission', 'bpf_obj_do_get() -> path_permission(ACC_MODE(flags)) on the pinned inode', 'EACCES'],
    ['inode_type', 'bpf_inode_type(): the inode is a pinned map, prog or link', 'EACCES'],
    ['link_rdwr', 'a link only with O_RDWR', 'EINVAL'],
  ]),
  ...P('attach', 'bpf_prog_attach (kernel/bpf/syscall.c)', [
    ['ptype', 'attach_type_to_prog_type() knows the attach type', 'EINVAL'],
    ['flags', 'only the attach flags of the program type', 'EINVAL'],
    ['prog', 'bpf_prog_get_type(): a program of that type', 'EBADF/EINVAL'],
    ['check_attach_type', 'bpf_prog_attach_check_attach_type() (any failure becomes EINVAL)', 'EINVAL'],
  ]),
  ...P('attach', 'bpf_prog_attach_check_attach_type (kernel/bpf/syscall.c)', [
    ['net_admin', 'cgroup skb: bpf_token_capable(prog->aux->token, CAP_NET_ADMIN) of the attaching task', 'EPERM'],
    ['expected', 'the attach type fits the expected attach type', 'EINVAL'],
  ]),
  ...P('attach', 'cgroup_bpf_attach (kernel/bpf/cgroup.c)', [
    ['target', 'cgroup_get_from_fd(): target_fd is a cgroup v2 directory', 'EBADF'],
    ['flags', 'ALLOW_OVERRIDE and ALLOW_MULTI not both, no REPLACE', 'EINVAL'],
    ['saved_flags', 'programs attached with other flags', 'EPERM'],
    ['twice', 'the same program twice with ALLOW_MULTI', 'EINVAL'],
  ]),
  ...P('attach', 'bpf_prog_detach (kernel/bpf/syscall.c)', [
    ['flags', 'no attach flags for cgroup types; a known attach type', 'EINVAL'],
    ['entry', 'find_detach_entry(): something (that program) is attached', 'ENOENT/EINVAL'],
  ]),
  ...P('attach', 'link_create (kernel/bpf/syscall.c)', [
    ['prog', 'bpf_prog_get(): a program', 'EBADF/EINVAL'],
    ['check_attach_type', 'bpf_prog_attach_check_attach_type() (its errno)', 'EPERM/EINVAL'],
    ['prog_type', 'a cgroup program type (others not in the language)', 'EINVAL'],
  ]),
  // issue 11 language v2 (branch procs): a literal fd -1 reaches it
  ...P('fs_context', 'fsconfig (fs/fsopen.c)', [['fd_negative', 'a negative fd (first of all)', 'EINVAL']]),
  // issue 11 language v2 (branch procs): the mount life cycle (model/mountlife.ts)
  ...P('mount', 'ksys_umount (fs/namespace.c)', [['flags', 'only MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW', 'EINVAL']]),
  ...P('mount', 'can_umount (fs/namespace.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['path_mounted', 'something is mounted on the target', 'EINVAL'],
    ['locked', 'not MNT_LOCKED (a copy into another user namespace\'s mount namespace)', 'EINVAL'],
    ['force', 'MNT_FORCE needs CAP_SYS_ADMIN in the superblock userns', 'EPERM'],
  ]),
  ...P('mount', 'do_umount (fs/namespace.c)', [
    ['expire_flags', 'MNT_EXPIRE without MNT_FORCE / MNT_DETACH', 'EINVAL'],
    ['expire_busy', 'MNT_EXPIRE: no other reference to the mount', 'EBUSY'],
    ['busy', 'without MNT_DETACH: no file open on the mount', 'EBUSY'],
  ]),
  ...P('mount', 'do_remount (fs/namespace.c)', [
    ['path_mounted', 'something is mounted on the target', 'EINVAL'],
    ['locked_flags', 'can_change_locked_flags(): a locked read-only copy stays read-only', 'EPERM'],
    ['capable', 'CAP_SYS_ADMIN in the superblock userns', 'EPERM'],
  ]),
  ...P('mount', 'do_loopback (fs/namespace.c)', [['may_copy_tree', 'the source mount may be copied (6.12: is in our namespace)', 'EINVAL'], ['pseudo_dentry', '6.12.118/7.3.4: the source dentry is not a pseudo one (DCACHE_NORCU: the token file)', 'EINVAL']]),
  ...P('mount', 'graft_tree (fs/namespace.c)', [['dir_match', 'the bound root is a directory like the target', 'ENOTDIR']]),
  ...P('mount', 'do_move_mount (fs/namespace.c)', [
    ['loop', 'the moved mount is not on the target already', 'ELOOP'],
    ['locked', 'an attached mount of ours that is not MNT_LOCKED', 'EINVAL'],
  ]),
  ...P('userns', 'unshare_nsproxy_namespaces (kernel/nsproxy.c)', [['capable', 'CAP_SYS_ADMIN in the caller\'s user namespace', 'EPERM']]),
  ...P('userns', 'userns_install (kernel/user_namespace.c)', [
    ['same', "the caller's own user namespace", 'EINVAL'],
    ['capable', 'CAP_SYS_ADMIN in the user namespace joined', 'EPERM'],
  ]),
  ...P('userns', 'create_user_ns (kernel/user_namespace.c)', [
    ['level', 'the parent namespace at most 32 levels below init', 'ENOSPC'],
    ['mapping', "the caller's euid and egid mapped in the parent namespace", 'EPERM'],
    ['lsm', 'security_create_user_ns()', 'LSM'],
  ]),
  ...P('userns', 'setns (kernel/nsproxy.c)', [['nsfd', 'the caller has a free fd for the nsfs file it opens first (/proc/<pid>/ns/mnt)', 'EMFILE']]),
  ...P('userns', 'mntns_install (fs/namespace.c, via setns())', [['capable', 'CAP_SYS_ADMIN over the joined namespace\'s owner, CAP_SYS_CHROOT and CAP_SYS_ADMIN in the caller\'s user namespace', 'EPERM']]),
  // issue 11 language v2 (branch procs): credentials during a scenario (model/cred.ts)
  ...P('cred', 'setresuid (kernel/sys.c __sys_setresuid)', [
    ['ruid_valid', 'a given ruid maps into the caller\'s user namespace', 'EINVAL'],
    ['euid_valid', 'a given euid maps into the caller\'s user namespace', 'EINVAL'],
    ['suid_valid', 'a given suid maps into the caller\'s user namespace', 'EINVAL'],
    ['cap_setuid', 'an id other than the current three needs CAP_SETUID in the cred userns', 'EPERM'],
  ]),
  ...P('cred', 'setresgid (kernel/sys.c __sys_setresgid)', [
    ['rgid_valid', 'a given rgid maps into the caller\'s user namespace', 'EINVAL'],
    ['egid_valid', 'a given egid maps into the caller\'s user namespace', 'EINVAL'],
    ['sgid_valid', 'a given sgid maps into the caller\'s user namespace', 'EINVAL'],
    ['cap_setgid', 'an id other than the current three needs CAP_SETGID in the cred userns', 'EPERM'],
  ]),
  ...P('cred', 'setgroups (kernel/groups.c)', [
    ['may_setgroups', 'CAP_SETGID in the cred userns and setgroups allowed there (init only: the set-up denies it)', 'EPERM'],
    ['gid_valid', 'every group maps into the caller\'s user namespace', 'EINVAL'],
  ]),
  ...P('cred', 'cap_task_prctl (security/commoncap.c)', [['keepcaps_arg', 'PR_SET_KEEPCAPS takes 0 or 1', 'EINVAL']]),
] as const;

/** every decision point's id: k.check() takes only these, so a misspelt id
 *  fails to compile */
export type DecisionPointId = (typeof DECISION_POINTS)[number]['id'];

export function findDecisionPoint(id: string): DecisionPoint | undefined {
  return DECISION_POINTS.find((d) => d.id === id);
}

/** pass/fail counts per decision point */
export class Coverage {
  readonly hits = new Map<string, { pass: number; fail: number }>();

  record(id: string, failed: boolean): void {
    let h = this.hits.get(id);
    if (!h) {
      h = { pass: 0, fail: 0 };
      this.hits.set(id, h);
    }
    if (failed) h.fail++;
    else h.pass++;
  }

  merge(o: Coverage | Record<string, { pass: number; fail: number }>): void {
    const entries = o instanceof Coverage ? [...o.hits] : Object.entries(o);
    for (const [id, h] of entries) {
      const mine = this.hits.get(id) ?? { pass: 0, fail: 0 };
      this.hits.set(id, { pass: mine.pass + h.pass, fail: mine.fail + h.fail });
    }
  }

  toJSON(): Record<string, { pass: number; fail: number }> {
    return Object.fromEntries([...this.hits].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
