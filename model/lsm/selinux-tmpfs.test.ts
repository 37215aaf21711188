// A superblock other than bpffs through the SELinux sb hooks (issue 12): a
// scenario-created tmpfs (model/tmpfs.ts: sget_fc() -> security_sb_alloc(),
// vfs_get_tree() -> security_sb_set_mnt_opts(), vfs_cmd_create() ->
// security_sb_kern_mount()) gets the token patch's creator_sid as a bpffs does:
// seed 000 puts `sbsec->creator_sid = current_sid();` in selinux_set_mnt_opts()
// for every filesystem (7.3.4 security/selinux/hooks.c:749).
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run.ts';
import { findProfile } from '../profile.ts';
import { selinuxOf } from './index.ts';
import type { Scenario } from '../../scenario/types.ts';

const s: Scenario = {
  format: 'bpftc/1',
  actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all', mntns: 'init', context: 'U_t' }],
  selinux: { allow: ['U_t U_t:capability *'] },
  steps: [{ actor: 'a', op: 'tmpfs', as: 't', expect: 'ok' }],
};

function tmpfsCreator(profile: string): { creator: string; results: string[] } {
  const r = runScenario(s, { profile: findProfile(profile)! });
  const se = selinuxOf(r.state.k)!;
  const f = r.state.tasks.get('a')!.files.fds.find((x) => x?.path?.mnt.sb.fsType === 'tmpfs');
  const sb = f!.path!.mnt.sb;
  return { creator: se.contextOf(se.creatorOf(sb)), results: r.results.map((x) => x.ret) };
}

describe('a tmpfs superblock through the SELinux sb hooks', () => {
  it('the token patch (v7, merged) records the tmpfs creator as it does a bpffs\'s; SELinux without the patch does not', () => {
    expect(tmpfsCreator('selinux-token-v7')).toEqual({ creator: 'U_t', results: ['ok'] });
    expect(tmpfsCreator('selinux-token-merged')).toEqual({ creator: 'U_t', results: ['ok'] });
    expect(tmpfsCreator('linux-6.18-selinux').creator).not.toBe('U_t');
  });
});
