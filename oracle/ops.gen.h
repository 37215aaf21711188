/* Generated from scenario/ops.ts by oracle/ops-header.ts (npm install runs it
 * through oracle/build.mjs; so does npx tsx build/write-generated.ts).
 * Do not edit: change scenario/ops.ts. */
#ifndef BPFTC_OPS_GEN_H
#define BPFTC_OPS_GEN_H

/* the scenario ops the executor runs, in table order (enum op) */
#define BPFTC_SCENARIO_OPS_ENUM \
  OP_FSOPEN, \
  OP_FSCONFIG, \
  OP_FSMOUNT, \
  OP_OPEN, \
  OP_MKDIR, \
  OP_OPEN_TREE, \
  OP_MOVE_MOUNT, \
  OP_MOUNT, \
  OP_FSPICK, \
  OP_MOUNTINFO, \
  OP_TOKEN_CREATE, \
  OP_TOKEN_FDINFO, \
  OP_OBJ_GET_INFO, \
  OP_MAP_FREEZE, \
  OP_MAP_UPDATE_ELEM, \
  OP_MAP_DELETE_ELEM, \
  OP_MAP_CREATE, \
  OP_PROG_LOAD, \
  OP_BTF_LOAD, \
  OP_BTF_GET_FD_BY_ID, \
  OP_SEND_FD, \
  OP_DUP2, \
  OP_CLOSE, \
  OP_CAPSET, \
  OP_SETEUID, \
  OP_RLIMIT_NOFILE, \
  OP_TMPFS, \
  OP_UMOUNT, \
  OP_BIND, \
  OP_REMOUNT, \
  OP_OPEN_TARGET, \
  OP_EXIT, \
  OP_UNSHARE, \
  OP_SETRESUID, \
  OP_SETRESGID, \
  OP_SETGROUPS, \
  OP_DROP_CAPS, \
  OP_KEEPCAPS, \
  OP_OBJ_PIN, \
  OP_OBJ_GET, \
  OP_PROG_ATTACH, \
  OP_PROG_DETACH, \
  OP_LINK_CREATE, \
  OP_SETNS, \
  OP_CHMOD, \
  OP_FORK, \
  OP_IDMAP,

/* their protocol entries (struct opspec): key, kind, slot, default (NULL: required) */
#define BPFTC_SCENARIO_OPSPECS \
  {"fsopen", OP_FSOPEN, 1, {{"fs", A_STR, 0, "bpf"}, {"flags", A_NUM, 0, "0"}}}, \
  {"fsconfig", OP_FSCONFIG, 0, {{"fd", A_HANDLE, 0, "-"}, {"cmd", A_STR, 0, NULL}, {"key", A_STR, 1, "-"}, {"value", A_STR, 2, "-"}}}, \
  {"fsmount", OP_FSMOUNT, 1, {{"fd", A_HANDLE, 0, "-"}}}, \
  {"open", OP_OPEN, 1, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, "."}, {"o_path", A_NUM, 0, "0"}}}, \
  {"mkdir", OP_MKDIR, 0, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, NULL}}}, \
  {"open_tree", OP_OPEN_TREE, 1, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, "."}}}, \
  {"move_mount", OP_MOVE_MOUNT, 0, {{"fd", A_HANDLE, 0, "-"}, {"target", A_STR, 0, "-"}}}, \
  {"mount", OP_MOUNT, 1, {{"data", A_STR, 0, "-"}}}, \
  {"fspick", OP_FSPICK, 1, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, ""}}}, \
  {"mountinfo", OP_MOUNTINFO, 0, {{"fd", A_HANDLE, 0, "-"}}}, \
  {"token_create", OP_TOKEN_CREATE, 1, {{"bpffs", A_HANDLE, 0, "-"}, {"flags", A_NUM, 0, "0"}, {"size", A_NUM, 1, "8"}, {"tail_byte", A_NUM, 2, "-1"}}}, \
  {"token_fdinfo", OP_TOKEN_FDINFO, 0, {{"fd", A_HANDLE, 0, "-"}}}, \
  {"obj_get_info", OP_OBJ_GET_INFO, 0, {{"fd", A_HANDLE, 0, "-"}, {"info_len", A_NUM, 0, "32"}}}, \
  {"map_freeze", OP_MAP_FREEZE, 0, {{"fd", A_HANDLE, 0, "-"}}}, \
  {"map_update_elem", OP_MAP_UPDATE_ELEM, 0, {{"fd", A_HANDLE, 0, "-"}, {"key", A_NUM, 0, "0"}, {"value", A_NUM, 1, "1"}, {"flags", A_NUM, 2, "0"}}}, \
  {"map_delete_elem", OP_MAP_DELETE_ELEM, 0, {{"fd", A_HANDLE, 0, "-"}, {"key", A_NUM, 0, "0"}}}, \
  {"map_create", OP_MAP_CREATE, 1, {{"map_type", A_NUM, 0, NULL}, {"key_size", A_NUM, 1, "4"}, {"value_size", A_NUM, 2, "4"}, {"max_entries", A_NUM, 3, "1"}, {"map_flags", A_NUM, 4, "0"}, {"map_extra", A_NUM, 5, "0"}, {"token", A_HANDLE, 1, "-"}, {"token_flag", A_NUM, 6, "0"}}}, \
  {"prog_load", OP_PROG_LOAD, 1, {{"prog_type", A_NUM, 0, NULL}, {"expected_attach_type", A_NUM, 1, "0"}, {"insn_cnt", A_NUM, 2, "2"}, {"prog_flags", A_NUM, 3, "0"}, {"token", A_HANDLE, 1, "-"}, {"token_flag", A_NUM, 6, "0"}, {"fd_array", A_HLIST, 0, "-"}, {"fd_array_cnt", A_NUM, 4, "0"}}}, \
  {"btf_load", OP_BTF_LOAD, 1, {{"btf_flags", A_NUM, 0, "0"}, {"token", A_HANDLE, 1, "-"}, {"token_flag", A_NUM, 6, "0"}}}, \
  {"btf_get_fd_by_id", OP_BTF_GET_FD_BY_ID, 1, {{"btf", A_HANDLE, 0, "-"}, {"open_flags", A_NUM, 0, "0"}, {"token", A_HANDLE, 1, "-"}, {"token_flag", A_NUM, 6, "0"}}}, \
  {"send_fd", OP_SEND_FD, 1, {{"fd", A_HANDLE, 0, "-"}, {"to", A_ACTOR, 0, NULL}}}, \
  {"dup2", OP_DUP2, 1, {{"fd", A_HANDLE, 0, "-"}, {"to", A_HANDLE, 2, "-"}}}, \
  {"close", OP_CLOSE, 0, {{"fd", A_HANDLE, 0, "-"}}}, \
  {"capset", OP_CAPSET, 0, {{"effective", A_HEX, 0, NULL}, {"permitted", A_HEX, 1, ""}}}, \
  {"seteuid", OP_SETEUID, 0, {{"euid", A_NUM, 0, NULL}}}, \
  {"rlimit_nofile", OP_RLIMIT_NOFILE, 0, {{"limit", A_NUM, 0, NULL}}}, \
  {"tmpfs", OP_TMPFS, 1, {}}, \
  {"umount", OP_UMOUNT, 0, {{"target", A_STR, 0, NULL}, {"flags", A_NUM, 0, "0"}}}, \
  {"bind", OP_BIND, 0, {{"src", A_HANDLE, 0, "-"}, {"target", A_STR, 0, NULL}}}, \
  {"remount", OP_REMOUNT, 0, {{"target", A_STR, 0, NULL}, {"ro", A_NUM, 0, "0"}}}, \
  {"open_target", OP_OPEN_TARGET, 1, {{"target", A_STR, 0, NULL}}}, \
  {"exit", OP_EXIT, 0, {}}, \
  {"unshare", OP_UNSHARE, 0, {{"ns", A_STR, 0, "mnt"}}}, \
  {"setresuid", OP_SETRESUID, 0, {{"ruid", A_NUM, 0, "4294967295"}, {"euid", A_NUM, 1, "4294967295"}, {"suid", A_NUM, 2, "4294967295"}}}, \
  {"setresgid", OP_SETRESGID, 0, {{"rgid", A_NUM, 0, "4294967295"}, {"egid", A_NUM, 1, "4294967295"}, {"sgid", A_NUM, 2, "4294967295"}}}, \
  {"setgroups", OP_SETGROUPS, 0, {{"gid", A_NUM, 0, "4294967295"}}}, \
  {"drop_caps", OP_DROP_CAPS, 0, {{"drop", A_HEX, 0, NULL}}}, \
  {"keepcaps", OP_KEEPCAPS, 0, {{"value", A_NUM, 0, NULL}}}, \
  {"obj_pin", OP_OBJ_PIN, 0, {{"fd", A_HANDLE, 0, "-"}, {"dirfd", A_HANDLE, 2, "-"}, {"path", A_STR, 0, NULL}, {"file_flags", A_NUM, 0, "0"}, {"size", A_NUM, 1, "168"}, {"tail_byte", A_NUM, 2, "-1"}}}, \
  {"obj_get", OP_OBJ_GET, 1, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, NULL}, {"file_flags", A_NUM, 0, "0"}, {"size", A_NUM, 1, "168"}, {"tail_byte", A_NUM, 2, "-1"}}}, \
  {"prog_attach", OP_PROG_ATTACH, 0, {{"prog", A_HANDLE, 0, "-"}, {"attach_type", A_NUM, 0, NULL}, {"attach_flags", A_NUM, 1, "0"}, {"size", A_NUM, 2, "168"}, {"tail_byte", A_NUM, 3, "-1"}}}, \
  {"prog_detach", OP_PROG_DETACH, 0, {{"prog", A_HANDLE, 0, "-"}, {"attach_type", A_NUM, 0, NULL}, {"size", A_NUM, 1, "168"}, {"tail_byte", A_NUM, 2, "-1"}}}, \
  {"link_create", OP_LINK_CREATE, 1, {{"prog", A_HANDLE, 0, "-"}, {"attach_type", A_NUM, 0, NULL}, {"size", A_NUM, 1, "168"}, {"tail_byte", A_NUM, 2, "-1"}}}, \
  {"setns", OP_SETNS, 0, {{"of", A_ACTOR, 0, NULL}, {"ns", A_STR, 0, "mnt"}}}, \
  {"chmod", OP_CHMOD, 0, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, "."}, {"mode", A_NUM, 0, NULL}}}, \
  {"fork", OP_FORK, 0, {{"child", A_ACTOR, 0, NULL}, {"clone_files", A_NUM, 0, "0"}}}, \
  {"idmap", OP_IDMAP, 0, {{"map", A_STR, 0, "uid"}, {"outside", A_NUM, 0, NULL}, {"count", A_NUM, 1, "1"}}},

/* named slots: H_<OP>_<ARG> indexes h[]/fd[], S_<OP>_<ARG> s[], N_<OP>_<ARG> n[] */
enum {
  S_FSOPEN_FS = 0,
  N_FSOPEN_FLAGS = 0,
  H_FSCONFIG_FD = 0,
  S_FSCONFIG_CMD = 0,
  S_FSCONFIG_KEY = 1,
  S_FSCONFIG_VALUE = 2,
  N_FSCONFIG_CMD_NUM = 0, /* the executor's own */
  H_FSMOUNT_FD = 0,
  H_OPEN_DIRFD = 0,
  S_OPEN_PATH = 0,
  N_OPEN_O_PATH = 0,
  H_MKDIR_DIRFD = 0,
  S_MKDIR_PATH = 0,
  H_OPEN_TREE_DIRFD = 0,
  S_OPEN_TREE_PATH = 0,
  H_MOVE_MOUNT_FD = 0,
  S_MOVE_MOUNT_TARGET = 0,
  S_MOUNT_DATA = 0,
  H_FSPICK_DIRFD = 0,
  S_FSPICK_PATH = 0,
  H_MOUNTINFO_FD = 0,
  H_TOKEN_CREATE_BPFFS = 0,
  N_TOKEN_CREATE_FLAGS = 0,
  N_TOKEN_CREATE_SIZE = 1,
  N_TOKEN_CREATE_TAIL_BYTE = 2,
  H_TOKEN_FDINFO_FD = 0,
  H_OBJ_GET_INFO_FD = 0,
  N_OBJ_GET_INFO_INFO_LEN = 0,
  H_MAP_FREEZE_FD = 0,
  H_MAP_UPDATE_ELEM_FD = 0,
  N_MAP_UPDATE_ELEM_KEY = 0,
  N_MAP_UPDATE_ELEM_VALUE = 1,
  N_MAP_UPDATE_ELEM_FLAGS = 2,
  H_MAP_DELETE_ELEM_FD = 0,
  N_MAP_DELETE_ELEM_KEY = 0,
  N_MAP_CREATE_MAP_TYPE = 0,
  N_MAP_CREATE_KEY_SIZE = 1,
  N_MAP_CREATE_VALUE_SIZE = 2,
  N_MAP_CREATE_MAX_ENTRIES = 3,
  N_MAP_CREATE_MAP_FLAGS = 4,
  N_MAP_CREATE_MAP_EXTRA = 5,
  H_MAP_CREATE_TOKEN = 1,
  N_MAP_CREATE_TOKEN_FLAG = 6,
  N_PROG_LOAD_PROG_TYPE = 0,
  N_PROG_LOAD_EXPECTED_ATTACH_TYPE = 1,
  N_PROG_LOAD_INSN_CNT = 2,
  N_PROG_LOAD_PROG_FLAGS = 3,
  H_PROG_LOAD_TOKEN = 1,
  N_PROG_LOAD_TOKEN_FLAG = 6,
  HL_PROG_LOAD_FD_ARRAY = 0,
  N_PROG_LOAD_FD_ARRAY_CNT = 4,
  N_BTF_LOAD_BTF_FLAGS = 0,
  H_BTF_LOAD_TOKEN = 1,
  N_BTF_LOAD_TOKEN_FLAG = 6,
  H_BTF_GET_FD_BY_ID_BTF = 0,
  N_BTF_GET_FD_BY_ID_OPEN_FLAGS = 0,
  H_BTF_GET_FD_BY_ID_TOKEN = 1,
  N_BTF_GET_FD_BY_ID_TOKEN_FLAG = 6,
  N_BTF_GET_FD_BY_ID_BTF_ID = 5, /* the executor's own */
  H_SEND_FD_FD = 0,
  H_DUP2_FD = 0,
  H_DUP2_TO = 2,
  H_CLOSE_FD = 0,
  N_CAPSET_EFFECTIVE = 0,
  N_CAPSET_PERMITTED = 1,
  N_CAPSET_HAS_PERM = 7, /* the executor's own */
  N_SETEUID_EUID = 0,
  N_RLIMIT_NOFILE_LIMIT = 0,
  S_UMOUNT_TARGET = 0,
  N_UMOUNT_FLAGS = 0,
  H_BIND_SRC = 0,
  S_BIND_TARGET = 0,
  S_REMOUNT_TARGET = 0,
  N_REMOUNT_RO = 0,
  S_OPEN_TARGET_TARGET = 0,
  S_UNSHARE_NS = 0,
  N_SETRESUID_RUID = 0,
  N_SETRESUID_EUID = 1,
  N_SETRESUID_SUID = 2,
  N_SETRESGID_RGID = 0,
  N_SETRESGID_EGID = 1,
  N_SETRESGID_SGID = 2,
  N_SETGROUPS_GID = 0,
  N_DROP_CAPS_DROP = 0,
  N_KEEPCAPS_VALUE = 0,
  H_OBJ_PIN_FD = 0,
  H_OBJ_PIN_DIRFD = 2,
  S_OBJ_PIN_PATH = 0,
  N_OBJ_PIN_FILE_FLAGS = 0,
  N_OBJ_PIN_SIZE = 1,
  N_OBJ_PIN_TAIL_BYTE = 2,
  H_OBJ_GET_DIRFD = 0,
  S_OBJ_GET_PATH = 0,
  N_OBJ_GET_FILE_FLAGS = 0,
  N_OBJ_GET_SIZE = 1,
  N_OBJ_GET_TAIL_BYTE = 2,
  H_PROG_ATTACH_PROG = 0,
  N_PROG_ATTACH_ATTACH_TYPE = 0,
  N_PROG_ATTACH_ATTACH_FLAGS = 1,
  N_PROG_ATTACH_SIZE = 2,
  N_PROG_ATTACH_TAIL_BYTE = 3,
  H_PROG_DETACH_PROG = 0,
  N_PROG_DETACH_ATTACH_TYPE = 0,
  N_PROG_DETACH_SIZE = 1,
  N_PROG_DETACH_TAIL_BYTE = 2,
  H_LINK_CREATE_PROG = 0,
  N_LINK_CREATE_ATTACH_TYPE = 0,
  N_LINK_CREATE_SIZE = 1,
  N_LINK_CREATE_TAIL_BYTE = 2,
  S_SETNS_NS = 0,
  H_CHMOD_DIRFD = 0,
  S_CHMOD_PATH = 0,
  N_CHMOD_MODE = 0,
  N_FORK_CLONE_FILES = 0,
  S_IDMAP_MAP = 0,
  N_IDMAP_OUTSIDE = 0,
  N_IDMAP_COUNT = 1,
};

/* slots a key has in every op (two or more) that takes it, for code those ops share */
enum {
  H_FD = 0,
  S_PATH = 0,
  S_TARGET = 0,
  N_KEY = 0,
  H_TOKEN = 1,
  N_TOKEN_FLAG = 6,
  S_NS = 0,
  N_FILE_FLAGS = 0,
  H_PROG = 0,
  N_ATTACH_TYPE = 0,
};

#endif
