// The language v2 ops of branch procs in generated scenarios (generators/procs.ts):
// only with GenOptions.procs, every one of them made, valid, replayable; and on the
// host kernel (when the oracle can run) the branch's kernel corpus agrees with the model.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { expectOpsGated, expectReplaysAsCompiled } from './options.testkit.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import { unmetExpectations } from '../scenario/expect.ts';
import { probeKernelSync } from '../oracle/driver.ts';
import { expectAgreeOnKernel } from '../oracle/kernel.testkit.ts';

const profile = findProfile('linux-6.18')!;
const NEW_OPS = ['tmpfs', 'umount', 'bind', 'open_target', 'setresuid', 'setresgid', 'setgroups', 'drop_caps', 'keepcaps', 'exit', 'remount', 'unshare'];
describe('generators/procs.ts', () => {
  it('makes every new op with GenOptions.procs, none without', () => expectOpsGated(profile, { procs: true }, NEW_OPS, 150));
  it('emits valid scenarios whose replay equals the results seen while compiling', () => expectReplaysAsCompiled(profile, { procs: true }, 60));
});

const ROOT = new URL('..', import.meta.url).pathname;
const FILES = [
  'corpus/kernel/095-credentials-setresuid-setresgid-setgroups-drop-caps-keepcaps.json',
  'corpus/kernel/096-literal-fds-1-and-0-2-dev-null-as-bpffs-token-and-fs-fds.json',
  'corpus/kernel/097-tmpfs-a-scenario-created-filesystem-that-is-not-bpffs.json',
  'corpus/kernel/098-mount-life-cycle-named-targets-umount2-bind-mounts.json',
  'corpus/kernel/099-exit-an-actor-process-exits-its-fd-table-is-released.json',
  'corpus/kernel/100-remount-legacy-mount-2-ms-remount-on-a-named-target.json',
  'corpus/kernel/101-unshare-a-mount-namespace-copy-locked-in-another-user-namespace.json',
  'corpus/kernel/103-setns-join-another-actor-s-mount-namespace.json',
];
const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;

describe('the language v2 kernel corpus (corpus/kernel/095-098) on the host kernel', () => {
  it('holds every expectation on the model', () => {
    for (const f of FILES) {
      const s = loadScenarioFile(join(ROOT, f));
      expect(unmetExpectations(s.steps, runScenario(s).results), f).toEqual([]);
    }
  });

  it.skipIf(skip !== null)(`model and kernel agree, every expectation holds on the kernel${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    if ('skip' in probe) return;
    await expectAgreeOnKernel(ROOT, FILES, probe);
  });
});
