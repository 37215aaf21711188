import type { Property } from './types.ts';
import { counterfactual, walk } from './walk.ts';
import type { Step, StepResult } from '../scenario/types.ts';

const key = (r: StepResult): string =>
  (r.avc ?? []).map((a) => `${a.hook}:${a.scontext}->${a.tcontext}:${a.tclass}:${a.perm}:${a.granted}`).sort().join('\n');

export const fdRaceIndependence: Property = {
  name: 'fd-race-independence',
  claim:
    "An access decision does not depend on what another thread does to the shared fd table after the kernel has resolved the syscall's fds: same result and same LSM decisions with or without the race.",
  source: { kind: 'semantic', where: "kernel/bpf/token.c bpf_token_create() resolves bpffs_fd once and hands the validated path to security_bpf_token_create(token, attr, &path); kernel/bpf/syscall.c map_create() hands the resolved token to security_bpf_map_create(): a hook decides on the objects the syscall resolved, not on fd numbers" },
  dimensions: ['fd-race', 'policy-reload'],
  provenance: [
    'issue 4: "a decision does not depend on what other threads do to the fd table"; hooks that resolve an fd number themselves see the table as it is at that moment',
    'spec/selinux-token.md §S4.1: bpf_token_create() resolves bpffs_fd and passes the validated path to security_bpf_token_create(); spec/token-core.md §T3.3: map_create() passes the token it resolved to security_bpf_map_create()',
  ],
  // merged (7.3.4 hooks.c:7439): the grantor comes from the validated path, no fd is re-read (FINDINGS.md 3)
  knownBad: ['selinux-token-v7', 'selinux-token-v7-6.12'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-fixed', 'selinux-token-merged'],
  requires: 'selinux',
  gen: { lsm: { races: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        if (!('race' in step) || !step.race) return null;
        const raced = ahead ?? counterfactual(st, step);
        const calm = counterfactual(st, { ...step, race: undefined } as Step);
        if (raced.ret === 'EMFILE' || calm.ret === 'EMFILE') return null; // the race may free an fd slot
        if (raced.ret === calm.ret && key(raced) === key(calm)) return null;
        const diff = key(raced) === key(calm) ? '' : `; decisions with the race: [${key(raced).split('\n').join('; ')}], without: [${key(calm).split('\n').join('; ')}]`;
        return { step: i, message: `${step.op} gives ${raced.ret} when ${step.race.actor} runs ${step.race.op}(${step.race.fd}) before the LSM hook, ${calm.ret} without${diff}` };
      },
    });
  },
};
