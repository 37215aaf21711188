import type { Property } from './types.ts';
import { hornetOkHashed, mapIds, walkLoads } from './integrity-util.ts';

export const integrityHashedMapsUsed: Property = {
  name: 'integrity-hashed-maps-used',
  claim:
    'When Hornet\'s hash loop read the program\'s maps from fd_array and Hornet delivered OK, a load that succeeds runs with those maps: every map the verifier bound (prog->aux->used_maps) is one Hornet read.',
  source: {
    kind: 'ours',
    why: 'Hornet (RFC 08/11) is not among the seeds. Its commit message says it prevents "TOCTOU attacks against lskel map hashes" (spec/integrity-rfc.md §I3.1), and the review NACKed it because it reads the map fds from the user\'s fd_array, which can change before the verifier reads it again (§I3.7). "The maps an OK verdict vouched for are the maps the program uses" is the suite\'s reading of that purpose.',
  },
  dimensions: ['signed-load', 'fd-array-swap'],
  provenance: [
    'spec/integrity-rfc.md §I3.1 (RFC 08/11 commit message), §I3.7 (the TOCTOU in review; the model: Hornet reads fd_array at the integrity phase, the verifier at process_fd_array(), after security_bpf_prog_load() on 6.18; a race at "fd_array" runs between)',
    'scope: only loads where Hornet\'s hash loop ran (the RFC\'s context cast keeps it from running: integrity-rfc never gets here, §I3.3) and read at least one map',
  ],
  knownBad: ['integrity-fixed-no-recheck', 'integrity-rfc-cast-fixed'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: { fdArray: true } },
  check(s, profile) {
    return walkLoads(s, profile, (st, step, i, r, ev) => {
      const hashed = r.ret === 'ok' ? hornetOkHashed(st, ev) : null;
      if (!hashed) return null;
      const stray = (ev.prog!.used_maps ?? []).filter((m) => !hashed.includes(m));
      if (!stray.length) return null;
      return { step: i, message: `${step.op} succeeded with verdict OK from Hornet, which hashed ${mapIds(hashed)}, but the verifier bound ${mapIds(stray)} (fd_array read again after Hornet's check)` };
    });
  },
};
