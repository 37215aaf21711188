import type { Property } from './types.ts';
import { fileOf, walk } from './walk.ts';
import { DELEGATE_KEYS, delegateEnum, parseDelegateValue } from '../model/bpffs.ts';

export const mountinfoRoundtrip: Property = {
  name: 'mountinfo-roundtrip',
  claim: 'What mountinfo shows round-trips: parsing the shown delegate_* options gives the visible masks (the raw masks without bits no name reaches).',
  source: { kind: 'document', file: "seeds/003_f755b24cb41e53d5.txt", section: "commit 6c1752e0b6ca \"bpf: Support symbolic BPF FS delegation mount options\"", quote: "The case doesn't matter, but it is normalized to lower case in mount option output." },
  dimensions: [],
  provenance: [
    'seed 003 (commit 6c1752e0b6ca, inode.c): show_options prints the symbolic names that bpf_parse_param() accepts, "normalized to lower case"',
    'kernel/bpf/inode.c bpf_show_options(), seq_print_delegate_opts(), bpf_parse_param()',
  ],
  knownBad: ['mutant-show-full-names'],
  holdsOn: ['linux-6.18', 'linux-7.3'],
  check(s, profile) {
    return walk(s, profile, {
      after(st, step, i, r) {
        if (step.op !== 'mountinfo' || r.ret !== 'ok' || r.text === undefined) return null;
        const sb = fileOf(st, step, step.fd)?.path?.mnt.sb;
        if (!sb || sb.fsType !== 'bpf') return null;
        const shown = new Map<string, string>();
        for (const o of r.text.split(' ')[2]!.split(',')) {
          const eq = o.indexOf('=');
          if (eq > 0) shown.set(o.slice(0, eq), o.slice(eq + 1));
        }
        for (const key of DELEGATE_KEYS) {
          // the enum of the profile's kernel (7.3.4: longer, 6.12.117: shorter)
          const e = delegateEnum(profile, key);
          const known = (1n << BigInt(e.max)) - 1n;
          const visible = sb.s_fs_info![key] & known;
          const text = shown.get(key);
          const parsed = text === undefined ? 0n : parseDelegateValue(profile, e, text);
          if (typeof parsed === 'number')
            return { step: i, message: `mountinfo shows ${key}=${text}, which bpf_parse_param() rejects (errno ${-parsed})` };
          if ((parsed & known) !== visible)
            return {
              step: i,
              message: `mountinfo shows ${key}=${text ?? '(nothing)'} = 0x${(parsed & known).toString(16)}, visible mask is 0x${visible.toString(16)}`,
            };
        }
        return null;
      },
    });
  },
};
