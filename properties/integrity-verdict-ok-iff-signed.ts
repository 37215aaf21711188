import type { Property } from './types.ts';
import type { SignatureDecl } from '../scenario/types.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

/** Hornet's notion of a correct signature (RFC 08/11, spec/integrity-rfc.md
 *  §I3.1-§I3.2): valid over the instructions, by a key
 *  the secondary (or builtin) keyring trusts, with the signed map hashes
 *  (if any) equal to the maps' */
export function correctlySigned(sig: SignatureDecl | undefined): boolean {
  return !!sig && sig.state === 'valid' && (sig.keyring === 'builtin' || sig.keyring === 'secondary') && (sig.maps === 'none' || sig.maps === 'match');
}

export const integrityVerdictOkIffSigned: Property = {
  name: 'integrity-verdict-ok-iff-signed',
  claim:
    'The integrity provider (Hornet) delivers verdict OK for a correctly signed program (trusted signer, matching map hashes) and never for one whose signed map hashes do not match or whose signer is not trusted.',
  source: { kind: 'ours', why: "Hornet (RFC 08/11) is not among the seeds and no seed states its verdict rules; seed 002 only names the verdicts (enum lsm_integrity_verdict: OK, UNSIGNED, PARTIALSIG, BADSIG). \"OK exactly for a correctly signed program\" is the suite's reading of those names." },
  dimensions: ['signed-load', 'kernel-load'],
  provenance: [
    'seed 002: enum lsm_integrity_verdict (OK, UNSIGNED, PARTIALSIG, BADSIG); RFC 08/11 Hornet hornet_check_program() / hornet_verify_hashes()',
    'RFC 08/11 commit message: "It further hardens it by providing deterministic, in-kernel checking of map hashes to solidify auditing along with preventing TOCTOU attacks against lskel map hashes." (spec/integrity-rfc.md §I3.1); verdict derivation §I3.2',
  ],
  knownBad: ['integrity-rfc', 'integrity-rfc-cast-fixed', 'mutant-copy-not-copied-ok'],
  holdsOn: ['integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    return walkLoads(s, profile, (_st, step, i, _r, ev) => {
      const want = correctlySigned(step.signature);
      for (const e of ev.mine) {
        if (e.hook !== 'deliver' || e.lsm !== 'hornet') continue;
        const sig = step.signature ? `${step.signature.state}/${step.signature.keyring}/maps:${step.signature.maps ?? 'no authattr'}` : 'unsigned';
        if (want && e.verdict !== 'OK') return { step: i, message: `a correctly signed program (${sig}) got verdict ${e.verdict} from hornet (${eventsText(ev)})` };
        if (!want && e.verdict === 'OK') return { step: i, message: `a program that is not correctly signed (${sig}) got verdict OK from hornet (${eventsText(ev)})` };
      }
      return null;
    });
  },
};
