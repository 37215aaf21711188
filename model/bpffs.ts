// BPF FS (kernel/bpf/inode.c): mount options incl. delegation, instance
// creation, and the show_options rendering seen in mountinfo.

import type { Cred } from './userns.ts';
import { hasGidMapping, hasMapping, isInit, makeKgid, makeKuid } from './userns.ts';
import type { FileSystemType, Kernel, Task } from './kernel.ts';
import type { FsContext, FsParameter } from './fs_context.ts';
import { EINVAL, ENOPARAM, EPERM, ERANGE } from './errno.ts';
import { CAP_SYS_ADMIN } from './caps.ts';
import { type DelegateEnum, BPF_ATTACH_TYPE, BPF_CMD, BPF_MAP_TYPE, BPF_PROG_TYPE, tokenName } from './enums.ts';
import { S_IALLUGO, S_IRWXUGO, S_ISVTX, type Dentry, type SuperBlock } from './vfs.ts';
import { vfs_parse_fs_param_source } from './fs_context.ts';
import type { Profile } from './profile.ts';
import { hasPreload } from './kconfig.ts';

import type { BpfMountOpts, DelegateKey } from './include/linux/bpf.ts';
import { security_sb_alloc } from './security.ts';
import { alloc_super, d_make_root } from './super.ts';
import { P } from './include/decision.ts';
export type { BpfMountOpts, DelegateKey };

export const U64_MAX = (1n << 64n) - 1n;


export const DELEGATE_KEYS: readonly DelegateKey[] = ['delegate_cmds', 'delegate_maps', 'delegate_progs', 'delegate_attachs'];

export const ENUM_OF: Record<DelegateKey, DelegateEnum> = {
  delegate_cmds: BPF_CMD,
  delegate_maps: BPF_MAP_TYPE,
  delegate_progs: BPF_PROG_TYPE,
  delegate_attachs: BPF_ATTACH_TYPE,
};

/** The enum as the profile's kernel has it: the 6.18 constants plus the
 *  profile's `enumTails` (built once per profile and key, so enumIndex()'s
 *  cache keeps working) */
const TAILED = new Map<string, DelegateEnum>();
export function delegateEnum(profile: Profile, key: DelegateKey): DelegateEnum {
  const base = ENUM_OF[key];
  const tail = profile.token.enumTails?.[key] ?? [];
  // enumDrop: the last 6.18 enumerators the profile's kernel lacks (6.12)
  const drop = profile.token.enumDrop?.[key] ?? 0;
  if (tail.length === 0 && drop === 0) return base;
  const id = `${profile.name}/${key}`;
  let e = TAILED.get(id);
  if (e) return e;
  const max = base.max - drop;
  const consts = [...base.consts.filter((c) => c.value < max), ...tail.map((n, i) => ({ name: base.prefix + n, value: max + i }))];
  e = { ...base, consts, max: max + tail.length };
  TAILED.set(id, e);
  return e;
}

/** bpf_init_fs_context(): mode 0777, uid/gid = the caller's fsuid/fsgid, no delegation */
export function bpf_init_fs_context(cred: Cred, fc: FsContext): void {
  fc.s_fs_info = {
    uid: cred.fsuid,
    gid: cred.gid,
    mode: S_IRWXUGO,
    delegate_cmds: 0n,
    delegate_maps: 0n,
    delegate_progs: 0n,
    delegate_attachs: 0n,
  };
}

/** kstrtoull(s, base) (lib/kstrtox.c): returns the value or a negative errno.
 *  One leading '+', radix fix-up for base 0/16, one trailing '\n'; overflow is
 *  detected while digits are consumed, so it wins over trailing junk. */
export function kstrtoull(input: string, base: number): bigint | number {
  let s = input;
  if (s[0] === '+') s = s.slice(1);
  // _parse_integer_fixup_radix()
  if (base === 0) {
    if (s[0] === '0') {
      const c2 = s[2];
      base = s[1] !== undefined && s[1].toLowerCase() === 'x' && c2 !== undefined && /[0-9a-fA-F]/.test(c2) ? 16 : 8;
    } else base = 10;
  }
  if (base === 16 && s[0] === '0' && s[1] !== undefined && s[1].toLowerCase() === 'x') s = s.slice(2);
  // _parse_integer_limit()
  let res = 0n;
  let rv = 0;
  let overflow = false;
  const b = BigInt(base);
  for (; rv < s.length; rv++) {
    const c = s.charCodeAt(rv);
    let val: number;
    if (c >= 48 && c <= 57) val = c - 48;
    else {
      const lc = c | 0x20;
      if (lc >= 97 && lc <= 102) val = lc - 97 + 10;
      else break;
    }
    if (val >= base) break;
    const next = res * b + BigInt(val);
    if (next > U64_MAX) overflow = true;
    res = next & U64_MAX;
  }
  if (overflow) return -ERANGE;
  if (rv === 0) return -EINVAL;
  let rest = s.slice(rv);
  if (rest[0] === '\n') rest = rest.slice(1);
  if (rest.length) return -EINVAL;
  return res;
}

/** kstrtouint(): kstrtoull() then a u32 range test (ERANGE) */
export function kstrtouint(s: string, base: number): number {
  const r = kstrtoull(s, base);
  if (typeof r === 'number') return r;
  if (r > 0xffffffffn) return -ERANGE;
  return Number(r);
}

/** find_btf_enum_const(): constants whose name starts with the prefix
 *  (case-insensitive), remainder compared case-insensitively, first in BTF order */
export function find_btf_enum_const(e: DelegateEnum, str: string): number | null {
  return enumIndex(e).get(str.toLowerCase()) ?? null;
}

/** lower-cased, prefix-stripped name -> value, first in BTF order (built once per enum) */
const ENUM_INDEX = new Map<DelegateEnum, Map<string, number>>();
function enumIndex(e: DelegateEnum): Map<string, number> {
  let m = ENUM_INDEX.get(e);
  if (m) return m;
  m = new Map();
  const pfx = e.prefix.toLowerCase();
  for (const c of e.consts) {
    const name = c.name.toLowerCase();
    if (!name.startsWith(pfx)) continue;
    const key = name.slice(pfx.length);
    if (!m.has(key)) m.set(key, c.value);
  }
  ENUM_INDEX.set(e, m);
  return m;
}

/** The delegate_* value grammar of bpf_parse_param(): returns the mask or -errno. */
export function parseDelegateValue(profile: Profile, e: DelegateEnum, value: string): bigint | number {
  // a pure function of the enum and the text: remembered per enum (issue 13: 3% of a model
  // replay parsed the same few option strings again), bounded
  const symbolic = profile.token.symbolicDelegateNames === true;
  let memos = DELEGATE_MEMO.get(e);
  if (!memos) DELEGATE_MEMO.set(e, (memos = { symbolic: new Map(), numeric: new Map() }));
  const memo = symbolic ? memos.symbolic : memos.numeric;
  const hit = memo.get(value);
  if (hit !== undefined) return hit;
  const r = parseDelegateValueOnce(symbolic, e, value);
  if (memo.size >= 4096) memo.clear();
  memo.set(value, r);
  return r;
}

/** per enum, one memo per grammar (symbolic names or v10's numbers only) */
const DELEGATE_MEMO = new WeakMap<DelegateEnum, { symbolic: Map<string, bigint | number>; numeric: Map<string, bigint | number> }>();

function parseDelegateValueOnce(symbolic: boolean, e: DelegateEnum, value: string): bigint | number {
  if (!symbolic) {
    // v10: "any" or one number (seed 003: the symbolic form came later)
    if (value === 'any') return U64_MAX;
    return kstrtoull(value, 0);
  }
  let msk = 0n;
  // strsep(&str, ":") visits every piece, empty ones included
  for (const p of value.split(':')) {
    if (p === 'any') {
      msk |= U64_MAX;
    } else {
      const v = find_btf_enum_const(e, p);
      if (v !== null) {
        msk |= 1n << BigInt(v);
      } else {
        const r = kstrtoull(p, 0); // assigns: overwrites what was accumulated
        if (typeof r === 'number') return r;
        msk = r;
      }
    }
  }
  return msk;
}

/** fs_param_is_u32 / fs_param_is_u32 octal / fs_param_is_string for the keys bpffs declares */
const BPF_FS_PARAMETERS: Record<string, 'u32' | 'u32oct' | 'string'> = {
  uid: 'u32',
  gid: 'u32',
  mode: 'u32oct',
  delegate_cmds: 'string',
  delegate_maps: 'string',
  delegate_progs: 'string',
  delegate_attachs: 'string',
};

/** bpf_parse_param() */
export function bpf_parse_param(k: Kernel, cred: Cred, fc: FsContext, param: FsParameter): number {
  const opts = fc.s_fs_info!;
  const type = Object.hasOwn(BPF_FS_PARAMETERS, param.key) ? BPF_FS_PARAMETERS[param.key] : undefined; // a key "constructor" is unknown
  if (k.check('bpf_parse_param/unknown_key', type === undefined)) {
    // fs_parse() -> -ENOPARAM: "traditionally we've ignored all mount options"
    const ret = vfs_parse_fs_param_source(fc, param);
    if (ret !== -ENOPARAM) return ret;
    return 0;
  }
  // fs_parse(): the value must convert to the declared type ("Bad value")
  const str = param.string ?? '';
  let num = 0;
  if (type === 'u32' || type === 'u32oct') num = param.type === 'string' ? kstrtouint(str, type === 'u32' ? 0 : 8) : -EINVAL;
  // a flag, a bad number, or an empty string (string params may not be empty)
  const bad = param.type !== 'string' || num < 0 || (type === 'string' && str === '');
  if (k.check('bpf_parse_param/type', bad)) return -EINVAL;
  switch (param.key) {
    case 'uid': {
      const uid = makeKuid(cred.userns, num);
      // valid in the caller's userns, and representable in the filesystem's idmapping
      if (k.check('bpf_parse_param/uid_mapped', uid < 0 || !hasMapping(fc.user_ns, uid))) return -EINVAL;
      opts.uid = uid;
      return 0;
    }
    case 'gid': {
      // make_kgid(current_user_ns(), ...) (kernel/bpf/inode.c bpf_parse_param(), 7.3.4 :1035, 6.12.118 :868):
      // the gid map, which an idmap step may make differ from the uid map (oracle --procs --seed 72)
      const gid = makeKgid(cred.userns, num);
      if (k.check('bpf_parse_param/uid_mapped', gid < 0 || !hasGidMapping(fc.user_ns, gid))) return -EINVAL;
      opts.gid = gid;
      return 0;
    }
    case 'mode':
      opts.mode = num & S_IALLUGO;
      return 0;
    default: {
      const key = param.key as DelegateKey;
      const msk = parseDelegateValue(k.profile, delegateEnum(k.profile, key), str);
      k.check('bpf_parse_param/delegate_parse', typeof msk === 'number');
      if (typeof msk === 'number') return msk;
      // Setting delegation mount options requires privileges
      if (k.profile.token.delegateNeedsSysAdmin && msk !== 0n && k.check('bpf_parse_param/delegate_capable', !k.capable(cred, CAP_SYS_ADMIN)))
        return -EPERM;
      opts[key] |= msk;
      return 0;
    }
  }
}

/** bpf_get_tree() = get_tree_nodev(fc, bpf_fill_super): always a new instance */
export function bpf_get_tree(k: Kernel, t: Task, fc: FsContext): number {
  const opts = fc.s_fs_info!;
  // bpf_fill_super(): mounting an instance of BPF FS requires privileges
  if (!isInit(fc.user_ns) && k.check('bpf_fill_super/capable', !k.capable(t.cred, CAP_SYS_ADMIN))) return -EPERM;
  const sb = alloc_super(k.nextId(), 'bpf', fc.user_ns, opts, {
    ro: fc.sb_flags.ro ?? false,
    sync: fc.sb_flags.sync ?? false,
    dirsync: fc.sb_flags.dirsync ?? false,
    mand: fc.sb_flags.mand ?? false,
    lazytime: fc.sb_flags.lazytime ?? false,
  });
  const ret = security_sb_alloc(k, sb);
  if (ret) return ret;
  const root = d_make_root(k.nextId(), sb, S_ISVTX | opts.mode, opts.uid, opts.gid);
  // populate_bpffs(): the preloaded iterator links (CONFIG_BPF_PRELOAD=y;
  // without it bpf_preload_mod_get() fails and the root stays empty: profile
  // knob kconfig, model/kconfig.ts hasPreload())
  for (const name of hasPreload(k.profile.token.kconfig) ? ['maps.debug', 'progs.debug'] : []) {
    root.children.set(name, {
      id: k.nextId(),
      sb,
      name,
      parent: root,
      children: new Map(),
      inode: { ino: sb.nextIno++, mode: 0o400, isDir: false, uid: t.cred.fsuid, gid: t.cred.gid, iterLink: true },
    });
  }
  fc.s_fs_info = null; // moved into the superblock by sget_fc()
  fc.root = root;
  return 0;
}

/** seq_print_delegate_opts(): names of set bits in BTF order, first alias
 *  wins; called through Kernel.fn */
export function seq_print_delegate_opts(profile: Profile, e: DelegateEnum, msk: bigint): string {
  // a pure function of the enum and the mask, printed for every mountinfo read:
  // remembered per enum (issue 13: a BigInt per constant was 2% of a campaign), bounded
  let memo = PRINT_MEMO.get(e);
  if (!memo) PRINT_MEMO.set(e, (memo = new Map()));
  const hit = memo.get(msk);
  if (hit !== undefined) return hit;
  const r = printDelegateOptsOnce(e, msk);
  if (memo.size >= 4096) memo.clear();
  memo.set(msk, r);
  return r;
}

const PRINT_MEMO = new WeakMap<DelegateEnum, Map<bigint, string>>();

function printDelegateOptsOnce(e: DelegateEnum, msk: bigint): string {
  const parts: string[] = [];
  let left = msk;
  for (const c of e.consts) {
    const bit = 1n << BigInt(c.value);
    if (!(left & bit)) continue;
    left &= ~bit;
    parts.push(tokenName(e, c));
  }
  if (left) parts.push('0x' + left.toString(16));
  return parts.join(':');
}

/** bpf_show_options(): the bpffs part of the super options in mountinfo */
export function bpf_show_options(k: Kernel, sb: SuperBlock, root: Dentry = sb.s_root): string {
  const profile = k.profile;
  // show_options(m, mnt->mnt_root): uid/gid/mode come from the *mount's* root
  // inode (kernel: an open_tree clone of a 0755 subdirectory shows mode=755)
  const inode = root.inode;
  const opts = sb.s_fs_info!;
  const mode = inode.mode & S_IALLUGO & ~S_ISVTX;
  let out = '';
  // uid/gid are printed in init-userns numbering (from_kuid_munged(&init_user_ns))
  if (inode.uid !== 0) out += `,uid=${inode.uid}`;
  if (inode.gid !== 0) out += `,gid=${inode.gid}`;
  if (mode !== S_IRWXUGO) out += `,mode=${mode.toString(8)}`;
  const any = opts.delegate_cmds || opts.delegate_maps || opts.delegate_progs || opts.delegate_attachs;
  if (!any) return out;
  for (const key of DELEGATE_KEYS) {
    const e = delegateEnum(profile, key);
    const raw = opts[key];
    if (profile.token.showOptions === 'hex') {
      // v10: "any" when every known bit is set, else the raw mask in hex
      const mask = (1n << BigInt(e.max)) - 1n;
      if ((raw & mask) === mask) out += `,${key}=any`;
      else if (raw) out += `,${key}=0x${raw.toString(16)}`;
      continue;
    }
    const mask = (1n << BigInt(e.max)) - 1n;
    const msk = raw & mask;
    if (msk === mask) out += `,${key}=any`;
    else if (msk) out += `,${key}=${k.fn.seq_print_delegate_opts(profile, e, msk)}`;
  }
  return out;
}

/** show_sb_opts() + show_options: the "super options" field of mountinfo */
export function superOptions(k: Kernel, sb: SuperBlock, root: Dentry = sb.s_root): string {
  let out = sb.flags.ro ? 'ro' : 'rw';
  if (sb.flags.sync) out += ',sync';
  if (sb.flags.dirsync) out += ',dirsync';
  if (sb.flags.mand) out += ',mand';
  if (sb.flags.lazytime) out += ',lazytime';
  if (sb.fsType === 'bpf') out += bpf_show_options(k, sb, root);
  else if (sb.s_op?.show_options) out += sb.s_op.show_options(sb);
  return out;
}

/** bpf_fs_type (kernel/bpf/inode.c): .init_fs_context = bpf_init_fs_context,
 *  which sets fc->ops = &bpf_context_ops (.parse_param, .get_tree) */
export const bpf_fs_type: FileSystemType = {
  name: 'bpf',
  init_fs_context: bpf_init_fs_context,
  context_ops: { parse_param: bpf_parse_param, get_tree: bpf_get_tree },
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const BPFFS_DECISIONS = [
  ...P('bpffs', 'bpf_parse_param (kernel/bpf/inode.c)', [
    ['unknown_key', 'an unknown key is ignored (source is taken)', '-'],
    ['type', 'the value converts to the parameter type', 'EINVAL'],
    ['uid_mapped', 'uid/gid valid in the caller userns and mapped in fc->user_ns', 'EINVAL'],
    ['delegate_parse', 'every piece is any, a name or a number', 'EINVAL/ERANGE'],
    ['delegate_capable', 'a non-zero mask needs capable(CAP_SYS_ADMIN)', 'EPERM'],
  ]),
  ...P('bpffs', 'bpf_fill_super (kernel/bpf/inode.c)', [['capable', 'a non-init fc needs capable(CAP_SYS_ADMIN)', 'EPERM']]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof BPFFS_DECISIONS)[number]['id'], true> {}
}
