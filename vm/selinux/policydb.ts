// A minimal reader and patcher for the head of a binary SELinux kernel
// policy (the format security/selinux/ss/policydb.c policydb_read() reads):
//
//   le32 magic (SELINUX_MAGIC 0xf97cff8c), le32 len, char[len] "SE Linux",
//   le32 version, le32 config (POLICYDB_CONFIG_MLS 1, REJECT_UNKNOWN 2,
//   ALLOW_UNKNOWN 4), le32 sym_num, le32 ocon_num,
//   ebitmap policycaps         (version >= POLICYDB_VERSION_POLCAP 22)
//   ebitmap permissive_map     (version >= POLICYDB_VERSION_PERMISSIVE 23)
//   ... the symbol tables, which this module never touches.
//
// An ebitmap on disk (ss/ebitmap.c ebitmap_read()): le32 mapunit (64),
// le32 highbit (one past the last 64-bit unit that has a bit), le32 count,
// then count x (le32 startbit, le64 bits), startbits ascending multiples of 64,
// no unit zero.
//
// Why: Debian's checkpolicy does not know every policy capability a kernel
// has (bookworm's 3.4 refuses `policycap bpf_token_perms`), so policies are
// compiled without them and the capability bits are set here, by the index
// the kernel's own policycap.h gives them.

export const SELINUX_MAGIC = 0xf97cff8c;
export const POLICYDB_STRING = 'SE Linux';
export const POLICYDB_CONFIG_MLS = 1;
export const REJECT_UNKNOWN = 2;
export const ALLOW_UNKNOWN = 4;
export const POLICYDB_VERSION_POLCAP = 22;
export const POLICYDB_VERSION_PERMISSIVE = 23;

export class PolicyDbError extends Error {}

export interface Ebitmap {
  /** bit numbers set, ascending */
  bits: number[];
  /** byte offsets of the ebitmap in the buffer: [start, end) */
  start: number;
  end: number;
}

export interface PolicyHeader {
  version: number;
  config: number;
  mls: boolean;
  handleUnknown: 'allow' | 'deny' | 'reject';
  symNum: number;
  oconNum: number;
  /** absent below version 22 */
  polcaps?: Ebitmap;
  /** permissive types, as type values - 1 (ebitmap bit = value - 1); absent below version 23 */
  permissive?: Ebitmap;
}

function u32(buf: Buffer, off: number): number {
  if (off + 4 > buf.length) throw new PolicyDbError(`truncated policy at byte ${off}`);
  return buf.readUInt32LE(off);
}

/** reads one ebitmap at `off` (ebitmap_read()) */
export function readEbitmap(buf: Buffer, off: number): Ebitmap {
  const start = off;
  const mapunit = u32(buf, off);
  const highbit = u32(buf, off + 4);
  const count = u32(buf, off + 8);
  off += 12;
  if (mapunit !== 64) throw new PolicyDbError(`ebitmap at byte ${start}: map unit ${mapunit}, expected 64`);
  if (highbit % 64 !== 0) throw new PolicyDbError(`ebitmap at byte ${start}: high bit ${highbit} is not a multiple of 64`);
  if (highbit === 0 && count !== 0) throw new PolicyDbError(`ebitmap at byte ${start}: ${count} units but no high bit`);
  if (highbit !== 0 && count === 0) throw new PolicyDbError(`ebitmap at byte ${start}: high bit ${highbit} but no unit`);
  const bits: number[] = [];
  let last = -1;
  for (let i = 0; i < count; i++) {
    const startbit = u32(buf, off);
    if (off + 12 > buf.length) throw new PolicyDbError(`truncated ebitmap at byte ${off}`);
    const map = buf.readBigUInt64LE(off + 4);
    off += 12;
    if (startbit % 64 !== 0 || startbit <= last || startbit + 64 > highbit)
      throw new PolicyDbError(`ebitmap at byte ${start}: bad unit start ${startbit}`);
    if (map === 0n) throw new PolicyDbError(`ebitmap at byte ${start}: empty unit`);
    last = startbit;
    for (let b = 0; b < 64; b++) if ((map >> BigInt(b)) & 1n) bits.push(startbit + b);
  }
  if (count > 0 && last + 64 !== highbit) throw new PolicyDbError(`ebitmap at byte ${start}: high bit ${highbit}, last unit at ${last}`);
  return { bits, start, end: off };
}

/** the on-disk form of a set of bits (libsepol ebitmap_write()) */
export function writeEbitmap(bits: Iterable<number>): Buffer {
  const units = new Map<number, bigint>();
  for (const b of bits) {
    if (!Number.isInteger(b) || b < 0 || b > 0xffff) throw new PolicyDbError(`bad ebitmap bit ${b}`);
    const s = b - (b % 64);
    units.set(s, (units.get(s) ?? 0n) | (1n << BigInt(b % 64)));
  }
  const starts = [...units.keys()].sort((a, b) => a - b);
  const out = Buffer.alloc(12 + 12 * starts.length);
  out.writeUInt32LE(64, 0);
  out.writeUInt32LE(starts.length ? starts[starts.length - 1]! + 64 : 0, 4);
  out.writeUInt32LE(starts.length, 8);
  starts.forEach((s, i) => {
    out.writeUInt32LE(s, 12 + 12 * i);
    out.writeBigUInt64LE(units.get(s)!, 16 + 12 * i);
  });
  return out;
}

/** reads the header of a binary kernel policy */
export function readPolicyHeader(buf: Buffer): PolicyHeader {
  const magic = u32(buf, 0);
  if (magic !== SELINUX_MAGIC) throw new PolicyDbError(`not a SELinux kernel policy (magic 0x${magic.toString(16)})`);
  const len = u32(buf, 4);
  if (len !== POLICYDB_STRING.length || buf.toString('latin1', 8, 8 + len) !== POLICYDB_STRING)
    throw new PolicyDbError('policy string is not "SE Linux"');
  let off = 8 + len;
  const version = u32(buf, off);
  const config = u32(buf, off + 4);
  const symNum = u32(buf, off + 8);
  const oconNum = u32(buf, off + 12);
  off += 16;
  const h: PolicyHeader = {
    version,
    config,
    mls: (config & POLICYDB_CONFIG_MLS) !== 0,
    handleUnknown: config & REJECT_UNKNOWN ? 'reject' : config & ALLOW_UNKNOWN ? 'allow' : 'deny',
    symNum,
    oconNum,
  };
  if (version >= POLICYDB_VERSION_POLCAP) {
    h.polcaps = readEbitmap(buf, off);
    off = h.polcaps.end;
  }
  if (version >= POLICYDB_VERSION_PERMISSIVE) h.permissive = readEbitmap(buf, off);
  return h;
}

/** the policy with its policy-capability ebitmap replaced by `bits` (everything else byte for byte) */
export function setPolcaps(buf: Buffer, bits: Iterable<number>): Buffer {
  const h = readPolicyHeader(buf);
  if (!h.polcaps) throw new PolicyDbError(`policy version ${h.version} has no policy capabilities (needs >= ${POLICYDB_VERSION_POLCAP})`);
  return Buffer.concat([buf.subarray(0, h.polcaps.start), writeEbitmap(bits), buf.subarray(h.polcaps.end)]);
}
