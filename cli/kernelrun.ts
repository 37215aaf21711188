// bpftc run --kernel: the same scenario on the running kernel and on the
// model, side by side; exit 1 when they disagree or when the kernel's result
// differs from a step's `expect` / `expect_text` (a hand-written expectation
// the kernel does not meet is worth knowing even when the model agrees).

import { loadScenarioFile } from '../scenario/io.ts';
import { type DriverOptions, type KernelRun, type Probe, adaptToMachine, attachTargetNote, hostFactsNote, kernelUncheckable, probeKernel, runOnKernel } from '../oracle/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { type Comparison, compareWithKernel } from '../oracle/compare.ts';
import { formatSideBySide } from '../oracle/shrink.ts';
import { UsageError } from './args.ts';
import { unmetExpectations } from '../scenario/expect.ts';

/** another kernel than the running one (the VM oracle's guest) */
export interface KernelTarget {
  probe: Probe;
  label: string;
  run: (scenarios: Scenario[]) => Promise<KernelRun[]>;
  /** the scenario as this kernel's model sees it (the VM: its config facts) */
  adapt?: (s: Scenario) => Scenario;
  /** the VM oracle's SELinux scenarios (vm/selinux-oracle.ts): another
   *  checkability rule, comparison and report, and a profile override */
  transform?: (s: Scenario) => Scenario;
  uncheckable?: (s: Scenario) => string | null;
  compare?: (s: Scenario, k: KernelRun) => Comparison;
  format?: (s: Scenario, c: Comparison, k: KernelRun) => string;
}

/** one line per race step: repetitions, outcomes seen, kernel-confirmed or not */
export function formatRaces(r: KernelRun): string[] {
  return (r.races ?? []).map(
    (x) =>
      `race at step ${x.step + 1}: ${x.iterations} repetition(s), seen ${Object.entries(x.counts).map(([o, n]) => `${o} ${n}`).join(', ')}; ` +
      (x.confirmed ? `the model's outcome ${x.model} was seen: kernel-confirmed` : `the model's outcome ${x.model} was not seen: not confirmed`),
  );
}

export async function runOnKernelCommand(files: string[], json: boolean, out: (l: string) => void, target?: KernelTarget, driver: DriverOptions = {}): Promise<number> {
  // every file is read and checked before the kernel is probed
  const loaded = files.map((f) => {
    const s = (target?.transform ?? ((x: Scenario) => x))(loadScenarioFile(f));
    const why = (target?.uncheckable ?? kernelUncheckable)(s);
    if (why) throw new UsageError(`${f}: cannot run on the kernel (${why})`);
    return s;
  });
  const probe = target?.probe ?? (await probeKernel());
  if ('skip' in probe) {
    out(json ? JSON.stringify({ skipped: probe.skip }) : `skipped: ${probe.skip}`);
    return 0;
  }
  const attachNote = attachTargetNote(probe);
  const factsNote = hostFactsNote(probe);
  if (factsNote && !json && loaded.some((s) => s.steps.some((st) => st.op === 'map_create'))) out(factsNote);
  if (attachNote && !json && loaded.some((s) => s.steps.some((st) => st.op === 'prog_attach' || st.op === 'prog_detach' || st.op === 'link_create'))) out(attachNote);
  const scenarios = loaded.map((s) => adaptToMachine(target?.adapt ? target.adapt(s) : s, probe));
  const runs = target ? await target.run(scenarios) : await runOnKernel(scenarios, driver);
  if (target && !json) out(`kernel: ${target.label}`);
  let disagree = 0;
  const report: unknown[] = [];
  scenarios.forEach((s, i) => {
    const k = runs[i]!;
    const c = (target?.compare ?? compareWithKernel)(s, k);
    if (c.kind !== 'agree') disagree++;
    // scenario/expect.ts: exact, "fails", a set, a pattern or one field; a text
    // expectation is checked where the kernel side reports a text
    const unmet = unmetExpectations(s.steps, k.results, true).map((u) => ({ step: u.step, expected: u.expected, kernel: u.got }));
    if (unmet.length) disagree++;
    if (json)
      report.push({
        file: files[i],
        verdict: c.kind,
        model: c.model,
        kernel: c.kernel,
        error: k.error,
        unmet_expectations: unmet,
        ...(k.races ? { races: k.races } : {}),
        ...(c.kind === 'disagree' && c.lsmDiff ? { lsm_diff: c.lsmDiff } : {}),
      });
    else {
      out(`${files[i]}: ${c.kind === 'agree' ? 'model and kernel agree' : c.kind === 'disagree' ? `model and kernel disagree at step ${c.first.index + 1}` : `kernel error: ${c.error}`}`);
      out(target?.format ? target.format(s, c, k) : formatSideBySide(s, c.model, k));
      for (const u of unmet) out(`  UNMET step ${u.step}: expected ${u.expected}, kernel gave ${u.kernel}`);
      for (const l of formatRaces(k)) out(`  ${l}`);
    }
  });
  if (json) out(JSON.stringify({ release: probe.release, ...(target ? { kernel: target.label } : {}), results: report }, null, 2));
  return disagree ? 1 : 0;
}
