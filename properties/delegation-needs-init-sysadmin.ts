import type { Property } from './types.ts';
import { taskOf, walk } from './walk.ts';
import { DELEGATE_KEYS, type DelegateKey, ENUM_OF, parseDelegateValue } from '../model/bpffs.ts';
import { cap_capable } from '../model/userns.ts';
import { CAP_SYS_ADMIN } from '../model/caps.ts';
import type { Profile } from '../model/profile.ts';
import type { Step } from '../scenario/types.ts';

/** non-zero delegation an fsconfig or mount(2) step asks for */
function delegationOf(profile: Profile, step: Step): string | null {
  const pairs: Array<[string, string]> = [];
  if (step.op === 'fsconfig' && step.cmd === 'set_string' && step.key !== undefined) pairs.push([step.key, step.value ?? '']);
  if (step.op === 'mount')
    for (const piece of step.data.split(',')) {
      const eq = piece.indexOf('=');
      if (eq > 0) pairs.push([piece.slice(0, eq), piece.slice(eq + 1)]);
    }
  for (const [key, value] of pairs) {
    if (!(DELEGATE_KEYS as readonly string[]).includes(key)) continue;
    const m = parseDelegateValue(profile, ENUM_OF[key as DelegateKey], value);
    if (typeof m === 'bigint' && m !== 0n) return `${key}=${value}`;
  }
  return null;
}

export const delegationNeedsInitSysadmin: Property = {
  name: 'delegation-needs-init-sysadmin',
  claim:
    'Only a task with CAP_SYS_ADMIN in the init user namespace can make delegation non-zero; no sequence of tasks without it ever yields a token.',
  source: { kind: 'document', file: "seeds/001_7faa28146133d549.txt", section: "cover letter, v12 changelog", quote: "setting delegate_xxx options require capable(CAP_SYS_ADMIN) (Christian);" },
  dimensions: [],
  provenance: [
    'seed 003 (commit 6fe01d3cbb92, inode.c): "setting these delegation options requires capable(CAP_SYS_ADMIN), so unprivileged process cannot set this up without involvement of a privileged process"',
    'seed 001 (v12 changelog): "setting delegate_xxx options require capable(CAP_SYS_ADMIN) (Christian)"',
    'kernel/bpf/inode.c bpf_parse_param() and bpf_fill_super()',
  ],
  knownBad: ['token-v10'],
  holdsOn: ['linux-6.18'],
  gen: { grantor: 'sometimes' },
  check(s, profile) {
    let privilegedSeen = false;
    return walk(s, profile, {
      before(st) {
        for (const t of st.tasks.values()) if (cap_capable(t.cred, st.k.initUserNs, CAP_SYS_ADMIN)) privilegedSeen = true;
        return null;
      },
      after(st, step, i, r) {
        if (r.ret !== 'ok') return null;
        if (step.op === 'token_create' && !privilegedSeen)
          return { step: i, message: 'a token was created although no task ever had CAP_SYS_ADMIN in the init user namespace' };
        const asked = delegationOf(profile, step);
        if (!asked) return null;
        const t = taskOf(st, step);
        if (cap_capable(t.cred, st.k.initUserNs, CAP_SYS_ADMIN)) return null;
        return { step: i, message: `${step.actor} set ${asked} without CAP_SYS_ADMIN in the init user namespace` };
      },
    });
  },
};
