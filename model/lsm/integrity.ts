// BPF program integrity verification (seed 002, "[RFC 01/11] lsm: framework
// for BPF integrity verification", and the series it heads;
// spec/integrity-rfc.md):
// - the core signature check of 6.18 bpf_prog_load(): bpf_prog_verify_signature();
// - the verdict enum lsm_integrity_verdict;
// - an integrity provider, Hornet as posted in RFC 08/11 (security/hornet/hornet_lsm.c);
// - an integrity consumer, IPE as in v4+ of the series (security/ipe/hooks.c).
// The framework itself (the two call_int_hook phases, the nested
// post_integrity hook, the error exit) is SecurityStack.bpfProgLoad() in
// model/lsm.ts; the knobs are Profile.integrity (model/profile.ts).

import type { Kernel } from '../kernel.ts';
import type { LsmHooks, SecurityStack } from '../lsm.ts';
import type { BpfAttr, BpfMap, BpfProg, ProgLoadFault } from '../include/linux/bpf.ts';
import { fdget } from '../file.ts';
import type { BpfToken } from '../token.ts';
import type { IpePolicyDecl, KeyringName, SignatureDecl } from '../../scenario/types.ts';
import type { ConsumerDecl, ProviderDecl, VerdictValue } from '../../scenario/integrity.ts';
import { EACCES, EBADMSG, EFAULT, EINVAL, EKEYREJECTED, ENOKEY, ENOMEM, EPERM } from '../errno.ts';

import { LSM_INT_VERDICT, VERDICT_NAMES, type LsmId, type Verdict, type VerdictSlot, verdictName } from '../include/linux/security.ts';
export { LSM_INT_VERDICT, VERDICT_NAMES, type LsmId, type Verdict, verdictName };

/** attr->signature_size of a scenario's signature (model only: a PKCS#7 blob of
 *  this size) and the bytes a short copy gets before it faults */
export const SIG_SIZE = 512;
export const SIG_SHORT_COPIED = 256;

export const LSM_ID_IPE: LsmId = { name: 'ipe', id: 113 };
export const LSM_ID_HORNET: LsmId = { name: 'hornet', id: 114 };
export const LSM_ID_BPF: LsmId = { name: 'bpf', id: 109 };

/** attr->keyring_id values (include/linux/verification.h, include/uapi/linux/keyctl.h) */
export const KEYRING_ID: Record<KeyringName, number> = {
  builtin: 0,
  secondary: 1, // VERIFY_USE_SECONDARY_KEYRING
  platform: 2, // VERIFY_USE_PLATFORM_KEYRING
  session: -3, // KEY_SPEC_SESSION_KEYRING
  user: -4, // KEY_SPEC_USER_KEYRING
  missing: 0x3fff0001, // a key serial that names nothing
};

export function keyringName(id: number): KeyringName {
  return (Object.entries(KEYRING_ID).find(([, v]) => v === id)?.[0] as KeyringName | undefined) ?? 'missing';
}

/** system_keyring_id_check() (include/linux/verification.h): ids 0..2 are the system keyrings */
function systemKeyringIdCheck(id: number): boolean {
  return id >= 0 && id <= 2;
}

/** bpf_prog_verify_signature() (kernel/bpf/syscall.c, 6.18;
 *  spec/integrity-rfc.md §I2.1): runs in bpf_prog_load() after the insns and license are
 *  copied, before find_prog_type() and security_bpf_prog_load(); a failure
 *  goes to free_prog: no LSM blob, no LSM callback. */
export function bpf_prog_verify_signature(attr: BpfAttr): number {
  const sig = attr.signature;
  if (!sig) return 0;
  const id = attr.keyring_id ?? 0;
  // system_keyring_id_check(keyring_id) == 0 ? bpf_lookup_system_key() :
  // bpf_lookup_user_key(keyring_id, 0) (the caller's keyrings: session/user
  // exist, any other serial finds nothing)
  const found = systemKeyringIdCheck(id) || id === KEYRING_ID.session || id === KEYRING_ID.user;
  // `if (!key) return -EINVAL;` (scenario fault keyring: the lookup finds nothing)
  if (!found || attr.fault === 'keyring') return -EINVAL;
  // bpf_verify_pkcs7_signature() -> verify_pkcs7_signature() (certs/system_keyring.c):
  // pkcs7_parse_message() fails on a non-PKCS#7 blob: -EBADMSG
  if (sig.state === 'malformed') return -EBADMSG;
  // pkcs7_verify() -> pkcs7_digest(): "Message digest doesn't match" -> -EKEYREJECTED
  if (sig.state === 'bad') return -EKEYREJECTED;
  // pkcs7_validate_trust(pkcs7, trusted_keys): "PKCS#7 signature not signed
  // with a trusted key" -> -ENOKEY
  if (sig.state === 'untrusted_key') return -ENOKEY;
  return 0;
}

/** The Hornet LSM as posted in RFC 08/11 (security/hornet/hornet_lsm.c, message
 *  <20251211021257.1208712-9-bboscaccy@linux.microsoft.com>): an integrity
 *  provider. Its bpf_prog_load_integrity callback derives a verdict
 *  (hornet_check_program(), spec/integrity-rfc.md §I3.2) and delivers it
 *  through security_bpf_prog_load_post_integrity(), returning that call's result. */
export class HornetLsm implements LsmHooks {
  readonly name = 'hornet';
  readonly k: Kernel;

  /** only in the mutant 'single' phase: Hornet verifies inside bpf_prog_load,
   *  in LSM order with the authorizers (the design seed 002 replaces); the
   *  RFC's Hornet registers no bpf_prog_load callback */
  bpf_prog_load?: (prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean) => number;

  /** with hornetRecheckMaps: refuse a prog that uses a map the hash loop did not read */
  bpf_prog?: (prog: BpfProg) => number;

  constructor(k: Kernel) {
    this.k = k;
    if (k.profile.integrity?.phases === 'single') this.bpf_prog_load = (p, a, t, kern) => this.bpf_prog_load_integrity(p, a, t, kern);
    if (k.profile.integrity?.hornetRecheckMaps) this.bpf_prog = (p) => this.recheck(p);
  }

  /** hornet_verify_hashes() with the parse context fixed, entry by entry (the model:
   *  every entry of attr->fd_array is a signed index, and the signature's `maps` says
   *  whether each entry's hash equals the signed one): `copy_from_bpfptr_offset(&map_fd,
   *  attr->fd_array, ...)`, then in the loading task's table `CLASS(fd, f)(map_fd); if
   *  (fd_empty(f)) return BADSIG;`, `f_op != &bpf_map_fops` BADSIG, `if
   *  (!map->frozen) return BADSIG;` (RFC 08/11 tests it before `map` is assigned: knob
   *  hornetFrozenBeforeAssign), then `err = memcmp(...)` (RFC 08/11: `if (!err) return
   *  BADSIG;`, inverted: knob hornetInvertedMemcmp; fixed: `if (err)`). The maps it read
   *  go into `hashed`. The verifier reads the same user array again later
   *  (model/verifier.ts process_fd_array(), after security_bpf_prog_load() on 6.18):
   *  another thread may change an fd in between (scenario race at "fd_array"). Without
   *  an fd_array the loop reads nothing and the verdict is the signature's `maps` alone
   *  (as before the array was modelled). */
  private verifyHashes(attr: BpfAttr, sig: SignatureDecl, maps: BpfMap[]): Verdict {
    const t = this.k.current;
    const iv = this.k.profile.integrity;
    const matches = sig.maps === 'match';
    const inverted = iv?.hornetInvertedMemcmp ?? false;
    const entries = attr.fd_array ?? [];
    if (!entries.length) return matches !== inverted ? LSM_INT_VERDICT.OK : LSM_INT_VERDICT.BADSIG;
    let prev: BpfMap | undefined;
    for (const fd of entries) {
      const f = t ? fdget(t.files, fd) : null;
      if (!f) return LSM_INT_VERDICT.BADSIG;
      if (f.obj.kind !== 'map') return LSM_INT_VERDICT.BADSIG;
      const tested = iv?.hornetFrozenBeforeAssign ? prev : f.obj.map;
      if (tested && !tested.frozen) return LSM_INT_VERDICT.BADSIG;
      prev = f.obj.map;
      maps.push(f.obj.map);
      if (matches === inverted) return LSM_INT_VERDICT.BADSIG;
    }
    return LSM_INT_VERDICT.OK;
  }

  /** the re-check (profile knob hornetRecheckMaps, ours): every used map was hashed */
  private recheck(prog: BpfProg): number {
    const slot = (prog.security as Record<string, unknown> | null)?.hornet as { maps: BpfMap[] } | undefined;
    if (!slot) return 0;
    return (prog.used_maps ?? []).every((m) => slot.maps.includes(m)) ? 0 : -EPERM;
  }

  /** hornet_check_program(): the verdict, or a negative errno; `out.hashed` gets the maps
   *  the hash loop read when it ran */
  checkProgram(attr: BpfAttr, out: { hashed: BpfMap[] | null }): Verdict | number {
    const sig: SignatureDecl | undefined = attr.signature;
    // attr->signature == 0: LSM_INT_VERDICT_UNSIGNED
    if (!sig) return LSM_INT_VERDICT.UNSIGNED;
    // `ctx = kzalloc(sizeof(struct hornet_parse_context), GFP_KERNEL); if (!ctx)
    // return -ENOMEM;` (scenario fault provider_enomem)
    if (attr.fault === 'provider_enomem') return -ENOMEM;
    // `sig = kmalloc(attr->signature_size, ...); err = copy_from_bpfptr(sig, ...);
    // if (err) return err;` -- copy_from_bpfptr() returns the number of bytes NOT
    // copied (>= 0), so a faulting copy returns a positive count, which
    // hornet_bpf_prog_load_integrity() (`if (result < 0) return result;`) delivers
    // as the verdict (spec/integrity-rfc.md §I3.2). Knob hornetCopyCountAsVerdict
    // false: the fix `if (copy_from_bpfptr(...)) return -EFAULT;`
    const buf = { copied: 0 };
    const notCopied = this.k.fn.copy_from_bpfptr(buf, SIG_SIZE, attr.fault);
    if (notCopied) {
      if (!(this.k.profile.integrity?.hornetCopyCountAsVerdict ?? true)) return -EFAULT;
      return notCopied;
    }
    // a buffer the copy did not fill (only a copy that misreports gets here)
    // holds kmalloc() garbage, not the caller's PKCS#7 message:
    // pkcs7_parse_message() fails, BADSIG
    if (buf.copied < SIG_SIZE) return LSM_INT_VERDICT.BADSIG;
    // (fault keyring never gets here: the core check's lookup refused the load, EINVAL)
    // pkcs7_parse_message() fails: BADSIG (unreachable after the core check,
    // which refused the load with -EBADMSG: spec/integrity-rfc.md §I2.1)
    if (sig.state === 'malformed') return LSM_INT_VERDICT.BADSIG;
    // validate_pkcs7_trust(msg, VERIFY_USE_SECONDARY_KEYRING): Hornet
    // hard-wires the secondary (+ builtin) keyring whatever attr->keyring_id
    // says: a signer in the platform or a user keyring is PARTIALSIG (§I3.5)
    const trusted = sig.state === 'valid' && (sig.keyring === 'builtin' || sig.keyring === 'secondary');
    if (!trusted) return LSM_INT_VERDICT.PARTIALSIG;
    // pkcs7_get_authattr(OID_hornet_data) == -ENODATA: PARTIALSIG
    if (sig.maps === undefined) return LSM_INT_VERDICT.PARTIALSIG;
    // asn1_ber_decoder(&hornet_decoder, ctx, ...): RFC 08/11's callbacks
    // hornet_next_map() / hornet_map_index() / hornet_map_hash() cast the
    // decoder's `value`, not `context`, to the parse context, so the real
    // ctx keeps hash_count == 0 and hornet_verify_hashes()'s loop
    // `for (i = 0; i < ctx->hash_count; i++)` never runs: OK whatever the
    // maps (§I3.3)
    if (this.k.profile.integrity?.hornetCtxFromValue ?? false) return LSM_INT_VERDICT.OK;
    if (sig.maps === 'none') return LSM_INT_VERDICT.OK;
    // hornet_verify_hashes() with the cast fixed (latent defects behind the cast, §I3.4)
    out.hashed = [];
    return this.verifyHashes(attr, sig, out.hashed);
  }

  /** hornet_bpf_prog_load_integrity() */
  bpf_prog_load_integrity(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    const out: { hashed: BpfMap[] | null } = { hashed: null };
    const verdict = this.checkProgram(attr, out);
    const hashed = out.hashed;
    if (hashed) {
      this.k.security.hashed.push({ prog, maps: hashed });
      const blob = prog.security as Record<string, unknown> | null;
      if (this.k.profile.integrity?.hornetRecheckMaps && blob) blob.hornet = { maps: hashed };
    }
    // `if (result < 0) return result;` (spec/integrity-rfc.md §I3.2): an error
    // (-ENOMEM, the fixed copy's -EFAULT) is returned, not delivered
    if (verdict < 0) return verdict;
    const rc = this.k.security.bpfProgLoadPostIntegrity(prog, attr, token, kernel, LSM_ID_HORNET, verdict, this.name);
    // the kernel-doc: "it should return the same error code back to its caller"
    return this.k.profile.integrity?.hornetIgnoresPostIntegrity ? 0 : rc;
  }
}

/** copy_from_bpfptr() (include/linux/bpfptr.h: copy_from_kernel_nofault() or
 *  copy_from_user()): the number of bytes NOT copied. Scenario faults:
 *  sig_efault copies none, sig_short the first SIG_SHORT_COPIED bytes. */
export function copy_from_bpfptr(dst: { copied: number }, size: number, fault: ProgLoadFault | undefined): number {
  const copied = fault === 'sig_efault' ? 0 : fault === 'sig_short' ? Math.min(SIG_SHORT_COPIED, size) : size;
  dst.copied = copied;
  return size - copied;
}

/** an integrity consumer's slice of prog->aux->security (struct ipe_bpf_prog
 *  and the like): lsm_bpf_prog_alloc() zeroed it, so it reads NONE until a
 *  verdict is stored; null when the prog has no blob */
export function integrity_verdict_slot(_s: SecurityStack, lsm: string, prog: BpfProg): VerdictSlot | null {
  const blob = prog.security as Record<string, unknown> | null;
  if (!blob) return null;
  const slot = blob[lsm] as VerdictSlot | undefined;
  if (slot) return slot;
  const zeroed: VerdictSlot = { verdict: LSM_INT_VERDICT.NONE };
  blob[lsm] = zeroed;
  return zeroed;
}

const KEYRING_PROP: Record<string, number> = { builtin: 0, secondary: 1, platform: 2 };

/** IPE as an integrity consumer (v4+ of the Hornet series, security/ipe/hooks.c;
 *  spec/integrity-rfc.md §I4): stores the verdict in its blob on
 *  post_integrity (last writer wins, lsmid ignored), decides at bpf_prog_load. */
export class IpeLsm implements LsmHooks {
  readonly name = 'ipe';
  readonly k: Kernel;
  policy: IpePolicyDecl | null;

  constructor(k: Kernel, policy: IpePolicyDecl | null) {
    this.k = k;
    this.policy = policy;
  }

  /** ipe_bpf_prog_load_post_integrity(): the blob was zeroed by
   *  lsm_bpf_prog_alloc() (verdict NONE); store this verdict, whoever sent it */
  bpf_prog_load_post_integrity(prog: BpfProg, _attr: BpfAttr, _token: BpfToken | null, _kernel: boolean, _lsmid: LsmId, verdict: Verdict | number): number {
    const slot = this.k.fn.integrity_verdict_slot(this.k.security, this.name, prog);
    if (slot) slot.verdict = verdict;
    if (this.policy?.fail_fast?.includes(verdictName(verdict))) return -EACCES;
    return 0;
  }

  /** ipe_bpf_prog_load() -> ipe_evaluate_event(): first matching rule, else the default */
  bpf_prog_load(prog: BpfProg, attr: BpfAttr, _token: BpfToken | null, kernel: boolean): number {
    const p = this.policy;
    if (!p) return 0;
    const verdict = verdictName(this.k.fn.integrity_verdict_slot(this.k.security, this.name, prog)?.verdict ?? LSM_INT_VERDICT.NONE);
    const keyring = attr.signature ? (attr.keyring_id ?? 0) : null;
    for (const r of p.rules) {
      if (r.bpf_signature !== undefined && r.bpf_signature !== verdict) continue;
      if (r.bpf_kernel !== undefined && r.bpf_kernel !== kernel) continue;
      if (r.bpf_keyring !== undefined && (Object.hasOwn(KEYRING_PROP, r.bpf_keyring) ? KEYRING_PROP[r.bpf_keyring] : undefined) !== keyring) continue;
      return r.action === 'allow' ? 0 : -EACCES;
    }
    return p.default === 'allow' ? 0 : -EACCES;
  }
}

// ---- issue 12: integrity providers and consumers as a deployment configures
// them (scenario `integrity`, scenario/integrity.ts). Neither is a posted LSM:
// each does, with the framework of seed 002, what its declaration says, so
// that the framework's handling of every configuration can be checked. What
// the framework does with them is SecurityStack.bpfProgLoad() and
// bpfProgLoadPostIntegrity() (model/lsm.ts): two call_int_hook() phases and a
// bare call_int_hook() for post_integrity, nothing more.

/** the lsm_ids of include/uapi/linux/lsm.h the model's LSMs use (and Hornet's of RFC 08/11) */
const BUILTIN_LSM_IDS: Record<number, string> = { 100: 'capability', 101: 'selinux', [LSM_ID_BPF.id]: 'bpf', [LSM_ID_IPE.id]: 'ipe', [LSM_ID_HORNET.id]: 'hornet' };

/** a verdict of a declaration as the int the C enum argument carries */
export function verdictValue(v: VerdictValue | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  return typeof v === 'number' ? v : LSM_INT_VERDICT[v];
}

/** the struct lsm_id with this id: a built-in LSM's, a declared one's (`names`), or a nameless one */
export function lsmIdOf(id: number, names: ReadonlyMap<number, string>): LsmId {
  return { name: names.get(id) ?? BUILTIN_LSM_IDS[id] ?? `lsm_id_${id}`, id };
}

/** a configured integrity provider: its bpf_prog_load_integrity callback
 *  delivers its verdict never, once, twice, or once after bpf() returned */
export class DeclaredProvider implements LsmHooks {
  readonly name: string;
  readonly k: Kernel;
  readonly decl: ProviderDecl;
  readonly lsmid: LsmId;

  /** only in the mutant 'single' phase (as HornetLsm): verifies in bpf_prog_load */
  bpf_prog_load?: (prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean) => number;

  constructor(k: Kernel, decl: ProviderDecl, lsmid: LsmId) {
    this.k = k;
    this.name = decl.name;
    this.decl = decl;
    this.lsmid = lsmid;
    if (k.profile.integrity?.phases === 'single') this.bpf_prog_load = (p, a, t, kern) => this.bpf_prog_load_integrity(p, a, t, kern);
  }

  private deliver(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean, verdict: number): number {
    return this.k.security.bpfProgLoadPostIntegrity(prog, attr, token, kernel, this.lsmid, verdict, this.name);
  }

  bpf_prog_load_integrity(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    const d = this.decl;
    const v1 = verdictValue(d.verdict, LSM_INT_VERDICT.OK);
    let rc = 0;
    switch (d.deliveries ?? 'once') {
      case 'never':
        break;
      case 'once':
        rc = this.deliver(prog, attr, token, kernel, v1);
        break;
      case 'twice':
        // the kernel-doc: "If the LSM calling into this hook receives a
        // non-zero error code, it should return the same error code back to
        // its caller": no second delivery after a refusal
        rc = this.deliver(prog, attr, token, kernel, v1);
        if (!rc) rc = this.deliver(prog, attr, token, kernel, verdictValue(d.second_verdict, v1));
        break;
      case 'after_return':
        // seed 002: "This LSM hook is intended to be called from within the
        // bpf_prog_load_integrity() callback"; a provider that queues its
        // verdict (a worker, a completion) delivers it after bpf() returned.
        // The framework cannot tell: the consumers' callbacks run on the prog
        // as it is then (a refused load's prog is freed: its blob pointer is
        // NULL here, in the kernel the prog itself is gone)
        this.k.security.queueAfterReturn(() => void this.deliver(prog, attr, token, kernel, v1));
        break;
    }
    return d.ret ?? rc;
  }
}

/** a configured integrity consumer: keeps the first, last or worst verdict in
 *  its blob slot, may refuse at once (fail_fast), may re-enter the framework,
 *  and decides at bpf_prog_load on the kept verdict */
export class DeclaredConsumer implements LsmHooks {
  readonly name: string;
  readonly k: Kernel;
  readonly decl: ConsumerDecl;
  readonly lsmid: LsmId;

  constructor(k: Kernel, decl: ConsumerDecl, lsmid: LsmId) {
    this.k = k;
    this.name = decl.name;
    this.decl = decl;
    this.lsmid = lsmid;
  }

  bpf_prog_load_post_integrity(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean, lsmid: LsmId, verdict: Verdict | number): number {
    const d = this.decl;
    // a re-entering consumer takes a delivery with its own lsm_id for its own
    // (else it would re-enter on its own delivery without end); the framework
    // passes whatever lsm_id the caller gave, so another LSM's delivery with
    // that id is dropped too
    if (d.reenter === true && lsmid.id === this.lsmid.id) return 0;
    if (d.trust !== undefined && !d.trust.includes(lsmid.id)) return 0;
    const slot = this.k.fn.integrity_verdict_slot(this.k.security, this.name, prog);
    let changed = false;
    if (slot) {
      const old = slot.verdict;
      const keep = d.keep ?? 'last';
      // the enum is unsigned: `verdict > slot->verdict` compares as unsigned int
      if (keep === 'last' || (keep === 'first' && old === LSM_INT_VERDICT.NONE) || (keep === 'worst' && verdict >>> 0 > old >>> 0)) slot.verdict = verdict;
      changed = slot.verdict !== old;
    }
    if ((d.fail_fast ?? []).some((n) => LSM_INT_VERDICT[n] === verdict)) return -EACCES;
    if (d.reenter === true && changed && slot) return this.k.security.bpfProgLoadPostIntegrity(prog, attr, token, kernel, this.lsmid, slot.verdict, this.name);
    return 0;
  }

  bpf_prog_load(prog: BpfProg, _attr: BpfAttr, _token: BpfToken | null, _kernel: boolean): number {
    const v = this.k.fn.integrity_verdict_slot(this.k.security, this.name, prog)?.verdict ?? LSM_INT_VERDICT.NONE;
    return (this.decl.allow ?? ['OK']).some((n) => LSM_INT_VERDICT[n] === v) ? 0 : -EACCES;
  }
}
