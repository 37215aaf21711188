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
import type { LsmHooks } from '../lsm.ts';
import type { BpfAttr, BpfProg } from '../include/linux/bpf.ts';
import type { BpfToken } from '../token.ts';
import type { IpePolicyDecl, KeyringName, SignatureDecl } from '../../scenario/types.ts';
import { EACCES, EBADMSG, EFAULT, EINVAL, EKEYREJECTED, ENOKEY, ENOMEM } from '../errno.ts';

import { LSM_INT_VERDICT, VERDICT_NAMES, type LsmId, type Verdict, verdictName } from '../include/linux/security.ts';
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

  constructor(k: Kernel) {
    this.k = k;
    if (k.profile.integrity?.phases === 'single') this.bpf_prog_load = (p, a, t, kern) => this.bpf_prog_load_integrity(p, a, t, kern);
  }

  /** hornet_check_program(): the verdict, or a negative errno */
  checkProgram(attr: BpfAttr): Verdict | number {
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
    if (attr.fault === 'sig_efault' || attr.fault === 'sig_short') {
      if (!(this.k.profile.integrity?.hornetCopyCountAsVerdict ?? true)) return -EFAULT;
      return attr.fault === 'sig_efault' ? SIG_SIZE : SIG_SIZE - SIG_SHORT_COPIED;
    }
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
    // hornet_verify_hashes() with the cast fixed: compare each map's hash with
    // the signed one; RFC 08/11 `err = memcmp(...); if (!err) return
    // LSM_INT_VERDICT_BADSIG;` (inverted: latent behind the cast, §I3.4)
    const matches = sig.maps === 'match';
    const inverted = this.k.profile.integrity?.hornetInvertedMemcmp ?? false;
    return matches !== inverted ? LSM_INT_VERDICT.OK : LSM_INT_VERDICT.BADSIG;
  }

  /** hornet_bpf_prog_load_integrity() */
  bpf_prog_load_integrity(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    const verdict = this.checkProgram(attr);
    // `if (result < 0) return result;` (spec/integrity-rfc.md §I3.2): an error
    // (-ENOMEM, the fixed copy's -EFAULT) is returned, not delivered
    if (verdict < 0) return verdict;
    const rc = this.k.security.bpfProgLoadPostIntegrity(prog, attr, token, kernel, LSM_ID_HORNET, verdict);
    // the kernel-doc: "it should return the same error code back to its caller"
    return this.k.profile.integrity?.hornetIgnoresPostIntegrity ? 0 : rc;
  }
}

/** struct ipe_bpf_prog: IPE's slice of the prog blob */
interface IpeBpfProg {
  verdict: Verdict | number;
}

function ipeSlot(prog: BpfProg): IpeBpfProg | null {
  const blob = prog.security as Record<string, unknown> | null;
  if (!blob) return null;
  return (blob.ipe as IpeBpfProg | undefined) ?? null;
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
    const blob = prog.security as Record<string, unknown> | null;
    if (blob) blob.ipe = { verdict } satisfies IpeBpfProg;
    if (this.policy?.fail_fast?.includes(verdictName(verdict))) return -EACCES;
    return 0;
  }

  /** ipe_bpf_prog_load() -> ipe_evaluate_event(): first matching rule, else the default */
  bpf_prog_load(prog: BpfProg, attr: BpfAttr, _token: BpfToken | null, kernel: boolean): number {
    const p = this.policy;
    if (!p) return 0;
    const verdict = verdictName(ipeSlot(prog)?.verdict ?? LSM_INT_VERDICT.NONE);
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
