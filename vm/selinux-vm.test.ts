// The bounded SELinux VM check of npm test: four SELinux finding scenarios in
// one boot of a cached kernel image that has a kernel tree for its policies
// (BPFTC_VM_KERNEL=IMAGE, else a cached 7.3 or 6.12 image), compared with the
// model step by step, results AND AVC decisions (vm/selinux-oracle.ts).
// Skipped with the reason when QEMU, checkpolicy, an image or its tree is missing.

import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/io.ts';
import { adaptToMachine } from '../oracle/driver.ts';
import { cachedImages } from './cache.ts';
import { readImage } from './kconfig.ts';
import { bootVm, vmMissing } from './qemu.ts';
import { checkpolicyUnavailable } from './selinux/compile.ts';
import { coreProfileFor, selinuxComparer, selinuxProtocol, treeForRelease } from './selinux-oracle.ts';

const versionOf = (img: string): string => {
  try {
    return readImage(img).version.split(' ')[0] ?? '';
  } catch {
    return '';
  }
};
const image = process.env.BPFTC_VM_KERNEL ?? cachedImages().find((p) => treeForRelease(versionOf(p)) !== null);
const release = image ? versionOf(image) : '';
const tree = treeForRelease(release);
const skip =
  image === undefined ? 'no cached kernel image with its kernel tree (bpftc vm build makes one)' : (vmMissing(image) ?? checkpolicyUnavailable() ?? (tree ? null : `no cached kernel tree for ${release}`));
// the SELinux code each image carries: 6.12 + seed 000 (v7), 7.3.4 (merged)
const profile = release.startsWith('6.12') ? 'selinux-token-v7' : 'selinux-token-merged';
const FILES = [
  'v7-passed-token-skips-as-check',
  'v7-polcap-off-creator-check',
  'v7-polcap-off-not-backward-compatible',
  'selinux-v7-permissive-caller-enforcing-creator',
];

describe.skipIf(skip !== null)(`SELinux VM oracle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it(`${FILES.length} SELinux finding scenarios: results and AVC decisions agree in one boot`, async () => {
    const vm = await bootVm({ image: image!, protocol: selinuxProtocol(tree!) });
    try {
      const compare = selinuxComparer(coreProfileFor(vm.probe.release));
      const scenarios = FILES.map((f) => adaptToMachine({ ...loadScenarioFile(new URL(`../corpus/findings/${f}.json`, import.meta.url).pathname), profile }, vm.probe));
      const runs = await Promise.all(scenarios.map((s) => vm.executor.run(s)));
      const verdicts = scenarios.map((s, i) => {
        const c = compare(s, runs[i]!);
        return c.kind === 'agree' ? 'agree' : c.kind === 'error' ? c.error : `step ${c.first.index + 1}: ${(c.lsmDiff?.[c.first.index] ?? [c.first.what]).join('; ')}`;
      });
      expect(verdicts).toEqual(FILES.map(() => 'agree'));
      // the kernel logged granted decisions (auditallow) as well as denials
      const all = runs.flatMap((r) => (r.avc ?? []).flat());
      expect(all.some((l) => /avc: {2}granted/.test(l))).toBe(true);
      expect(all.some((l) => /avc: {2}denied/.test(l))).toBe(true);
      // known-bad: without the kernel's records of one step, the AVC comparison disagrees there
      const s0 = scenarios[0]!;
      const r0 = runs[0]!;
      const at = r0.avc!.findIndex((a) => a.length > 0);
      const doctored = { ...r0, avc: r0.avc!.map((a, i) => (i === at ? [] : a)) };
      const c = compare(s0, doctored);
      expect(c.kind === 'disagree' ? [c.first.index, c.first.what] : c.kind).toEqual([at, 'avc']);
    } finally {
      await vm.close();
    }
  }, 180_000);
});
