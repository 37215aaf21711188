import { validateScenario, ScenarioError } from './scenario/validate.ts';
import { runScenario } from './model/run.ts';
import { loadCorpus } from './corpus/load.ts';
import { adaptToMachine, kernelUncheckable, probeKernelSync, runOnKernel } from './oracle/driver.ts';
import type { Scenario } from './scenario/types.ts';
import { compareWithKernel } from './oracle/compare.ts';
const corpus = loadCorpus('./corpus').filter((e) => e.scenario.meta?.kernel_checkable);
const probe = probeKernelSync();
if ('skip' in probe) throw new Error(probe.skip);
let seed = Number(process.argv[3] ?? 777);
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const WEIRD: unknown[] = ['__proto__', 'constructor', '-', '', 'a b', 'x'.repeat(300), 0, 1, 2, 3, 4, 5, 6, 7, 8, 999, 1000, 1001, 1002, 1003, 4096, 2 ** 31, 2 ** 32 - 1, 2 ** 32 - 2, 65535, 'init', 'own', '.', './', 'a/b', '', 'delegate_cmds', 'any', 'ro', 'rw', 'source', 'uid', 'mode', '0', '-1', 'tmpfs', 'ramfs', 'bpf', true, false];
function mutate(o: any, depth = 0): void {
  if (o === null || typeof o !== 'object') return;
  const keys = Object.keys(o);
  if (!keys.length) return;
  const k = Array.isArray(o) ? rnd(o.length) : keys[rnd(keys.length)];
  if (rnd(2) === 0 && typeof o[k] === 'object' && o[k] !== null && depth < 6) return mutate(o[k], depth + 1);
  o[k] = structuredClone(WEIRD[rnd(WEIRD.length)]);
}
const out: Scenario[] = [];
for (let i = 0; out.length < Number(process.argv[2] ?? 200) && i < 200000; i++) {
  const s = JSON.parse(JSON.stringify(corpus[rnd(corpus.length)]!.scenario));
  for (let m = 0, n = 1 + rnd(3); m < n; m++) mutate(s.steps);
  try { const v = validateScenario(s); if (!kernelUncheckable(v)) out.push(adaptToMachine(v, probe)); } catch (e) { if (!(e instanceof ScenarioError)) console.log('CRASH validate', e); }
}
const runs = await runOnKernel(out);
let agree = 0, dis = 0, errs = 0;
const kinds = new Map<string, number>();
runs.forEach((k, i) => {
  const s = out[i]!;
  const m = runScenario(s).results;
  if (k.error) { errs++; const key = 'error ' + k.error.replace(/\d+/g, 'N'); kinds.set(key, (kinds.get(key) ?? 0) + 1); if ((kinds.get(key) ?? 0) <= 1) console.log('ERR', k.error, JSON.stringify(s.steps).slice(0, 400)); return; }
  const c = compareWithKernel(s, k) as any;
  if (c.kind === 'agree') { agree++; return; }
  if (c.kind === 'error') { errs++; const key = 'error ' + c.error.replace(/\d+/g, 'N'); kinds.set(key, (kinds.get(key) ?? 0) + 1); if ((kinds.get(key) ?? 0) <= 1) console.log('ERR', c.error, JSON.stringify(s.steps).slice(0, 500)); return; } const j = c.first.step;
  dis++;
  const st = s.steps[j]!;
  const key = `${st.op} model=${m[j]!.ret} kernel=${k.results[j]?.ret}`;
  kinds.set(key, (kinds.get(key) ?? 0) + 1);
  if ((kinds.get(key) ?? 0) <= 1) console.log('DIS', key, JSON.stringify(st), '\n   ', JSON.stringify(s.steps.slice(Math.max(0, j - 4), j + 1)).slice(0, 700));
});
console.log({ n: out.length, agree, dis, errs });
console.log([...kinds].sort((a, b) => b[1] - a[1]).slice(0, 30));
