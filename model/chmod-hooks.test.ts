// chmod's LSM hooks where the kernel calls them (7.3.4 fs/open.c chmod_common(), fs/attr.c
// notify_change()): security_path_chmod(path, mode) after mnt_want_write(), then
// security_inode_setattr() with ATTR_MODE | ATTR_CTIME and the new mode, both before
// setattr_prepare()'s owner check, so an LSM's refusal wins over EPERM. No LSM of the model
// implements them; a recording LSM pushed onto the stack shows the calls.

import { describe, expect, it } from 'vitest';
import type { LsmHooks } from './include/linux/lsm_hook_defs.ts';
import type { Scenario } from '../scenario/types.ts';
import { findProfile } from './profile.ts';
import { runScenario } from './run.ts';

const scenario: Scenario = {
  format: 'bpftc/1',
  name: 'chmod of a bpffs root by its owner and by another user',
  actors: [
    { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
    { name: 'u', userns: 'init', kuid: 1000, caps: [] },
  ],
  steps: [
    { actor: 'root', op: 'fsopen', as: 'fs' },
    { actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'create' },
    { actor: 'root', op: 'fsmount', fd: 'fs', as: 'mnt' },
    { actor: 'root', op: 'open', dirfd: 'mnt', path: '.', as: 'dir' },
    { actor: 'root', op: 'send_fd', fd: 'dir', to: 'u', as: 'udir' },
    { actor: 'root', op: 'chmod', dirfd: 'dir', path: '.', mode: 0o1755 },
    { actor: 'u', op: 'chmod', dirfd: 'udir', path: '.', mode: 0o777 },
  ],
};

function run(refuse: 'path_chmod' | 'inode_setattr' | null): { rets: string[]; log: string[] } {
  const log: string[] = [];
  const rec: LsmHooks = {
    name: 'rec',
    path_chmod(_p, mode) {
      log.push(`path_chmod ${mode.toString(8)}`);
      return refuse === 'path_chmod' ? -13 : 0;
    },
    inode_setattr(_p, attr) {
      log.push(`inode_setattr valid=${attr.ia_valid} mode=${attr.ia_mode.toString(8)}`);
      return refuse === 'inode_setattr' ? -13 : 0;
    },
  };
  const r = runScenario(scenario, { profile: findProfile('linux-6.18')!, setup: (st) => st.k.security.lsms.push(rec) });
  return { rets: r.results.map((x) => x.ret), log };
}

describe('chmod: security_path_chmod() and security_inode_setattr()', () => {
  it('are called in that order with the mode and ATTR_MODE | ATTR_CTIME, before the owner check', () => {
    const r = run(null);
    expect(r.rets.slice(-2)).toEqual(['ok', 'EPERM']);
    expect(r.log).toEqual(['path_chmod 1755', 'inode_setattr valid=65 mode=41755', 'path_chmod 777', 'inode_setattr valid=65 mode=40777']);
  });

  it('an LSM refusal at either hook is the result, before EPERM of the owner check', () => {
    expect(run('path_chmod').rets.slice(-2)).toEqual(['EACCES', 'EACCES']);
    const s = run('inode_setattr');
    expect(s.rets.slice(-2)).toEqual(['EACCES', 'EACCES']);
    expect(s.log.filter((l) => l.startsWith('path_chmod'))).toHaveLength(2);
  });
});
