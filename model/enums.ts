// The four enums bpffs delegation works on, in vmlinux BTF order (6.18, dumped
// from /sys/kernel/btf/vmlinux; spec/token-core.md §T2.3). BTF order
// matters: find_btf_enum_const() (kernel/bpf/inode.c) takes the first match and
// seq_print_delegate_opts() prints the first alias.

import { ATTACH_NAMES, CMD_NAMES, MAP_NAMES, PROG_NAMES, attachTypeName, mapTypeName, progTypeName } from '../scenario/vocab.ts';

export interface EnumConst {
  name: string; // full enumerator name
  value: number;
}

function seq(prefix: string, names: readonly string[]): EnumConst[] {
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
export const BPF_OBJ_PIN = 6;
export const BPF_OBJ_GET = 7;
export const BPF_PROG_ATTACH = 8;
export const BPF_PROG_DETACH = 9;
export const BPF_OBJ_GET_INFO_BY_FD = 15;
export const BPF_MAP_FREEZE = 22;
export const BPF_MAP_UPDATE_ELEM = 2;
export const BPF_MAP_DELETE_ELEM = 3;
export const BPF_LINK_CREATE = 28;
export const BPF_BTF_LOAD = 18;
export const BPF_BTF_GET_FD_BY_ID = 19;
export const BPF_TOKEN_CREATE = 36;

export const PROG = Object.fromEntries(PROG_NAMES.map((n, i) => [n, i])) as Record<string, number>;
export const MAP = Object.fromEntries(MAP_NAMES.map((n, i) => [n, i])) as Record<string, number>;
export const ATTACH = Object.fromEntries(ATTACH_NAMES.map((n, i) => [n, i])) as Record<string, number>;

export { attachTypeName, mapTypeName, progTypeName };
