// Reads a coverage file (speccov/record.ts) for `bpftc coverage FILE`: a file
// from another machine is a stranger's file, so everything is checked and a
// problem is one line with the JSON path (exit 2), witnesses validated as
// scenarios before anything replays them.

import { MAX_JSON_DEPTH, jsonDepth, readTextFile } from '../scenario/io.ts';
import { ScenarioError, validateScenario } from '../scenario/validate.ts';
import { findProfile } from '../model/profile.ts';
import { COVERAGE_FORMAT, type CoverageFile, type CoverageSection, type Hits, type Witness } from './record.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function fail(path: string, msg: string): never {
  throw new ScenarioError(path, msg);
}

function hits(v: unknown, path: string): Hits {
  if (!isObj(v)) fail(path, 'expected an object of {pass, fail} counts');
  const out: Hits = {};
  for (const [k, h] of Object.entries(v)) {
    if (!isObj(h) || !count(h.pass) || !count(h.fail)) fail(`${path}[${JSON.stringify(k)}]`, 'expected {"pass": N, "fail": N}');
    Object.defineProperty(out, k, { value: { pass: h.pass, fail: h.fail }, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function witnesses(v: unknown, path: string): Record<string, Witness> {
  if (!isObj(v)) fail(path, 'expected an object of witnesses');
  const out: Record<string, Witness> = {};
  for (const [k, w] of Object.entries(v)) {
    const p = `${path}[${JSON.stringify(k)}]`;
    if (!isObj(w)) fail(p, 'expected a witness object');
    if (w.outcome !== 'pass' && w.outcome !== 'fail') fail(`${p}.outcome`, 'expected "pass" or "fail"');
    if (!Array.isArray(w.order) || w.order.length !== 3 || !w.order.every(count)) fail(`${p}.order`, 'expected three counts');
    const scenario = validateScenario(w.scenario, `${p}.scenario`);
    if (!count(w.step) || w.step >= scenario.steps.length) fail(`${p}.step`, 'expected the index of a step of the scenario');
    Object.defineProperty(out, k, {
      value: { outcome: w.outcome, step: w.step, order: w.order as [number, number, number], scenario },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function parseCoverageFile(text: string, file: string): CoverageFile {
  if (jsonDepth(text) > MAX_JSON_DEPTH) fail(`${file}:$`, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail(`${file}:$`, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObj(v)) fail(`${file}:$`, 'expected a JSON object');
  if (v.format !== COVERAGE_FORMAT) fail(`${file}:$.format`, `expected "${COVERAGE_FORMAT}" (a file written by --coverage FILE or coverage --save FILE)`);
  if (typeof v.command !== 'string') fail(`${file}:$.command`, 'expected a string');
  if (!Array.isArray(v.sections) || v.sections.length === 0) fail(`${file}:$.sections`, 'expected a non-empty array');
  const sections = v.sections.map((s: unknown, i: number): CoverageSection => {
    const p = `${file}:$.sections[${i}]`;
    if (!isObj(s)) fail(p, 'expected an object');
    if (typeof s.profile !== 'string' || !findProfile(s.profile))
      fail(`${p}.profile`, `unknown profile ${JSON.stringify(s.profile)}`);
    if (typeof s.source !== 'string') fail(`${p}.source`, 'expected a string');
    if (!count(s.seed)) fail(`${p}.seed`, 'expected a count');
    if (!count(s.scenarios)) fail(`${p}.scenarios`, 'expected a count');
    return {
      profile: s.profile,
      source: s.source,
      seed: s.seed,
      scenarios: s.scenarios,
      points: hits(s.points, `${p}.points`),
      avc: hits(s.avc, `${p}.avc`),
      witnesses: witnesses(s.witnesses, `${p}.witnesses`),
      avcWitnesses: witnesses(s.avcWitnesses, `${p}.avcWitnesses`),
    };
  });
  return { format: COVERAGE_FORMAT, command: v.command, sections };
}

export function loadCoverageFile(file: string): CoverageFile {
  return parseCoverageFile(readTextFile(file), file);
}
