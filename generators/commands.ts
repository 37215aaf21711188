// Abstract commands: what to do, with integer choices instead of handles.
// The compiler (compile.ts) resolves each choice modulo the live objects of
// the right kind in the acting actor's fd table, so no command is ever
// rejected for a missing precondition.

import fc from 'fast-check';
import { record } from './record.ts';
import { capSubsetArb } from './caps.ts';
import { coherentDelegation, mountOption } from './delegate.ts';
import type { ProgLoadFault } from '../model/include/linux/bpf.ts';
import type { LsmCmd } from './lsm.ts';
import type { ProcsCmd } from './procs.ts';
import type { AttachCmd } from './attach.ts';
import type { SignatureDecl } from '../scenario/types.ts';
import { OPS } from '../scenario/ops.ts';
import { ENUMS } from '../scenario/vocab.ts';

/** each op's arguments (scenario/ops.ts): defaults and the values drawn besides them */
const A = OPS;

export type TokenChoice = { use: 'token' | 'none' | 'other-fd' | 'fd-no-flag' | 'bad'; h: number };

export type FlowVariant = 'root' | 'subdir' | 'clone_root' | 'clone_subdir' | 'legacy' | 'fspick';

export type Cmd =
  | {
      k: 'flow';
      opener: number;
      grantor: number;
      tokenBy: number;
      opts: Array<{ key: string; value: string }>;
      create: boolean;
      variant: FlowVariant;
      reconf: Array<{ key: string; value: string }>;
    }
  | { k: 'fsopen'; a: number; odd: number }
  | { k: 'fsconfig'; a: number; h: number; cmd: 'set_string' | 'set_flag' | 'create' | 'reconfigure'; key: string; value: string; odd: number }
  | { k: 'fsmount'; a: number; h: number }
  | { k: 'open'; a: number; h: number; path: string; opath: boolean }
  | { k: 'mkdir'; a: number; h: number; path: string }
  | { k: 'open_tree'; a: number; h: number; path: string }
  | { k: 'move_mount'; a: number; h: number }
  | { k: 'mount'; a: number; opts: Array<{ key: string; value: string }> }
  | { k: 'fspick'; a: number; h: number }
  | { k: 'mountinfo'; a: number; h: number }
  | { k: 'token_create'; a: number; h: number; flags: number; size: number; tail: number | null }
  | { k: 'token_fdinfo'; a: number; h: number }
  | { k: 'obj_get_info'; a: number; h: number; len: number }
  | { k: 'map_create'; a: number; type: number; attr: MapAttr | null; tok: TokenChoice }
  | { k: 'prog_load'; a: number; type: number; eat: number | null; insns: number; flags: number; tok: TokenChoice; sig?: SignatureDecl; kernel?: boolean; fault?: ProgLoadFault; fda?: { n: number; swap: boolean; thaw?: number; poke?: number } }
  | { k: 'btf_load'; a: number; tok: TokenChoice; odd: number }
  | { k: 'btf_get_fd_by_id'; a: number; h: number; tok: TokenChoice; odd: number }
  | { k: 'send_fd'; a: number; h: number; to: number }
  | { k: 'pass_token'; a: number; h: number; to: number }
  | { k: 'dup2'; a: number; h: number; h2: number }
  | { k: 'close'; a: number; h: number }
  | { k: 'capset'; a: number; caps: string[] }
  | { k: 'seteuid'; a: number; euid: number }
  | { k: 'rlimit'; a: number; limit: number }
  | LsmCmd
  | ProcsCmd
  | AttachCmd;

export interface MapAttr {
  key_size: number;
  value_size: number;
  max_entries: number;
  map_flags: number;
  map_extra: number;
}

const nat = fc.nat({ max: 1000 });
/** actor choice: biased towards the container's first actor (index 1) and the grantor (0) */
const actor = fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat({ max: 7 }) });

const tokenChoice: fc.Arbitrary<TokenChoice> = record({
  use: fc.oneof(
    { weight: 14, arbitrary: fc.constant('token' as const) },
    { weight: 3, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constant('other-fd' as const) },
    { weight: 1, arbitrary: fc.constant('fd-no-flag' as const) },
    { weight: 1, arbitrary: fc.constant('bad' as const) },
  ),
  h: nat,
});

const mc = A.map_create.args;
const mapAttr: fc.Arbitrary<MapAttr> = record({
  key_size: fc.constantFrom(...mc.key_size.samples),
  value_size: fc.constantFrom(...mc.value_size.samples),
  max_entries: fc.constantFrom(...mc.max_entries.samples),
  map_flags: fc.constantFrom(...mc.map_flags.samples),
  map_extra: fc.constantFrom(...mc.map_extra.samples),
});

const COMMON_MAPS = mc.map_type.samples;
const COMMON_PROGS = A.prog_load.args.prog_type.samples;
/** the enum's __MAX_* (one past its last enumerator), for an argument that names one */
const enumMax = (a: { names: keyof typeof ENUMS }): number => ENUMS[a.names].names.length;

const options = fc.array(mountOption, { minLength: 0, maxLength: 4 });

export const flowArb: fc.Arbitrary<Cmd> = record({
  k: fc.constant('flow' as const),
  opener: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  grantor: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  tokenBy: fc.oneof({ weight: 6, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  opts: fc.oneof(coherentDelegation, fc.array(mountOption, { minLength: 1, maxLength: 4 })),
  create: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  variant: fc.oneof(
    { weight: 6, arbitrary: fc.constant('root' as const) },
    { weight: 1, arbitrary: fc.constantFrom<FlowVariant>('subdir', 'clone_root', 'clone_subdir', 'legacy', 'fspick') },
  ),
  reconf: fc.array(mountOption, { minLength: 0, maxLength: 2 }),
});

export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: flowArb },
  // odd: 0 -> bad flags, 1 -> unknown filesystem, else a plain fsopen("bpf")
  { weight: 1, arbitrary: record({ k: fc.constant('fsopen' as const), a: actor, odd: fc.nat({ max: 9 }) }) },
  {
    weight: 2,
    arbitrary: record({
      k: fc.constant('fsconfig' as const),
      a: actor,
      h: nat,
      cmd: fc.constantFrom('set_string' as const, 'set_string' as const, 'set_flag' as const, 'create' as const, 'reconfigure' as const),
      key: mountOption.map((o) => o.key),
      value: mountOption.map((o) => o.value),
      // odd: 0 -> no value, 1 -> a command with a key, 2 -> a key over 255 bytes
      odd: fc.nat({ max: 19 }),
    }),
  },
  { weight: 1, arbitrary: record({ k: fc.constant('fsmount' as const), a: actor, h: nat }) },
  {
    weight: 1,
    arbitrary: record({ k: fc.constant('open' as const), a: actor, h: nat, path: fc.constantFrom('.', '.', 'd', 'maps.debug'), opath: fc.boolean() }),
  },
  { weight: 1, arbitrary: record({ k: fc.constant('mkdir' as const), a: actor, h: nat, path: fc.constantFrom('d', 'e', 'maps.debug') }) },
  { weight: 1, arbitrary: record({ k: fc.constant('open_tree' as const), a: actor, h: nat, path: fc.constantFrom('', '.', 'd') }) },
  { weight: 1, arbitrary: record({ k: fc.constant('move_mount' as const), a: actor, h: nat }) },
  { weight: 1, arbitrary: record({ k: fc.constant('mount' as const), a: actor, opts: options }) },
  { weight: 1, arbitrary: record({ k: fc.constant('fspick' as const), a: actor, h: nat }) },
  { weight: 1, arbitrary: record({ k: fc.constant('mountinfo' as const), a: actor, h: nat }) },
  {
    weight: 3,
    arbitrary: record({
      k: fc.constant('token_create' as const),
      a: actor,
      h: nat,
      flags: fc.oneof({ weight: 15, arbitrary: fc.constant(A.token_create.args.flags.default) }, { weight: 1, arbitrary: fc.constantFrom(...A.token_create.args.flags.samples) }),
      size: fc.oneof({ weight: 12, arbitrary: fc.constant(A.token_create.args.size.default) }, { weight: 1, arbitrary: fc.constantFrom(...A.token_create.args.size.samples) }),
      tail: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...A.token_create.args.tail_byte.samples) }),
    }),
  },
  { weight: 1, arbitrary: record({ k: fc.constant('token_fdinfo' as const), a: actor, h: nat }) },
  { weight: 1, arbitrary: record({ k: fc.constant('obj_get_info' as const), a: actor, h: nat, len: fc.constantFrom(A.obj_get_info.args.info_len.default, A.obj_get_info.args.info_len.default, ...A.obj_get_info.args.info_len.samples) }) },
  {
    weight: 6,
    arbitrary: record({
      k: fc.constant('map_create' as const),
      a: actor,
      type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...COMMON_MAPS) }, { weight: 2, arbitrary: fc.nat({ max: enumMax(mc.map_type) + 1 }) }),
      attr: fc.option(mapAttr, { freq: 4 }),
      tok: tokenChoice,
    }),
  },
  {
    weight: 5,
    arbitrary: record({
      k: fc.constant('prog_load' as const),
      a: actor,
      type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...COMMON_PROGS) }, { weight: 2, arbitrary: fc.nat({ max: enumMax(A.prog_load.args.prog_type) + 1 }) }),
      eat: fc.option(fc.nat({ max: enumMax(A.prog_load.args.expected_attach_type) + 1 }), { freq: 3 }),
      // 4097: one past BPF_MAXINSNS, the unprivileged limit (kernel/bpf/syscall.c bpf_prog_load())
      insns: fc.oneof({ weight: 8, arbitrary: fc.constant(A.prog_load.args.insn_cnt.default) }, { weight: 2, arbitrary: fc.constant(4097) }, { weight: 2, arbitrary: fc.constantFrom(...A.prog_load.args.insn_cnt.samples) }),
      flags: fc.oneof({ weight: 12, arbitrary: fc.constant(A.prog_load.args.prog_flags.default) }, { weight: 1, arbitrary: fc.constantFrom(...A.prog_load.args.prog_flags.samples) }),
      tok: tokenChoice,
    }),
  },
  // odd 0: an unknown flag bit besides BPF_F_TOKEN_FD
  { weight: 2, arbitrary: record({ k: fc.constant('btf_load' as const), a: actor, tok: tokenChoice, odd: fc.nat({ max: 14 }) }) },
  { weight: 1, arbitrary: record({ k: fc.constant('btf_get_fd_by_id' as const), a: actor, h: nat, tok: tokenChoice, odd: fc.nat({ max: 14 }) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('send_fd' as const), a: actor, h: nat, to: actor }) },
  { weight: 2, arbitrary: record({ k: fc.constant('pass_token' as const), a: actor, h: nat, to: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: record({ k: fc.constant('dup2' as const), a: actor, h: nat, h2: nat }) },
  { weight: 1, arbitrary: record({ k: fc.constant('close' as const), a: actor, h: nat }) },
  { weight: 1, arbitrary: record({ k: fc.constant('capset' as const), a: actor, caps: capSubsetArb }) },
  { weight: 1, arbitrary: record({ k: fc.constant('seteuid' as const), a: actor, euid: fc.constantFrom(...A.seteuid.args.euid.samples) }) },
  { weight: 1, arbitrary: record({ k: fc.constant('rlimit' as const), a: actor, limit: fc.constantFrom(...A.rlimit_nofile.args.limit.samples) }) },
);
