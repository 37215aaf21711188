import { readFileSync } from 'node:fs';
import { validateScenario, ScenarioError } from './scenario/validate.ts';
import { runScenario, profileOf } from './model/run.ts';
import { reproC } from './repro/repro.ts';
import { toProtocol } from './oracle/driver.ts';
import { loadCorpus } from './corpus/load.ts';
import { PROPERTIES } from './properties/index.ts';
import { formatStep, formatSetup } from './scenario/format.ts';
const corpus = loadCorpus('./corpus');
let seed = 12345;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const WEIRD: unknown[] = ['__proto__', 'constructor', 'toString', '-', '', '%00', '%', '=', 'a b', '\n', 'x'.repeat(300), -1, 0, 2 ** 32 - 1, 2 ** 32, -0, 0.5, 1e308, null, true, [], {}, ['CAP_BPF'], 'all', 'init', 'own', 'ok', 'EPERM', 'REFUSED', { toString: 1 }, '.', '..', '/', 5, 6, 21, 4096];
function mutate(o: any, depth = 0): void {
  if (o === null || typeof o !== 'object') return;
  const keys = Object.keys(o);
  if (!keys.length) return;
  const k = Array.isArray(o) ? rnd(o.length) : keys[rnd(keys.length)];
  if (rnd(3) === 0 && typeof o[k] === 'object' && o[k] !== null && depth < 6) return mutate(o[k], depth + 1);
  if (rnd(10) === 0 && !Array.isArray(o)) { const kk = WEIRD[rnd(WEIRD.length)]; if (typeof kk === 'string') Object.defineProperty(o, kk, { value: structuredClone(WEIRD[rnd(WEIRD.length)]), enumerable: true, writable: true, configurable: true }); return; }
  o[k] = structuredClone(WEIRD[rnd(WEIRD.length)]);
}
let crashes = 0, valid = 0;
const seen = new Set<string>();
for (let i = 0; i < Number(process.argv[2] ?? 3000); i++) {
  const e = corpus[rnd(corpus.length)]!;
  const s = JSON.parse(JSON.stringify(e.scenario));
  for (let m = 0, n = 1 + (rnd(4) === 0 ? 1 : 0); m < n; m++) mutate(s);
  let v;
  try { v = validateScenario(JSON.parse(JSON.stringify(s))); } catch (err) { if (err instanceof ScenarioError) continue; report('validate', err, s); continue; }
  valid++;
  try { runScenario(v); } catch (err) { report('model', err, s); continue; }
  try { toProtocol(v, 1); } catch (err) { report('protocol', err, s); }
  try { reproC(v); } catch (err) { report('repro', err, s); }
  try { v.steps.forEach(formatStep); formatSetup(v); } catch (err) { report('format', err, s); }
  for (const p of PROPERTIES) { try { p.check(v, profileOf(v)); } catch (err) { report('prop ' + p.name, err, s); } }
}
function report(where: string, err: unknown, s: unknown) {
  const msg = `${where}: ${(err as Error).message}`.slice(0, 200);
  crashes++;
  if (seen.has(msg)) return; seen.add(msg);
  console.log('CRASH', msg, '\n  ', JSON.stringify(s).slice(0, 600));
}
console.log(`valid ${valid}, crashes ${crashes}`);
