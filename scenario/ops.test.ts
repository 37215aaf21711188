import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPS, OP_NAMES, type OpName } from './ops.ts';
import type { RaceDecl, Scenario, SignatureDecl, Step } from './types.ts';
import { scenarioSchema, scenarioSchemaText, type Schema } from './schema.ts';
import { withProtocolRows, withReadmeTable } from './docs.ts';
import { ScenarioError, parseScenario, validateScenario } from './validate.ts';
import { formatStep } from './format.ts';
import { stepArgs, toProtocol } from '../oracle/driver.ts';
import { runScenario } from '../model/run.ts';
import { PROFILES } from '../model/profile.ts';
import { opsHeaderText, opspecEntry } from '../oracle/ops-header.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---- the Step type derived from the table (scenario/types.ts) is the one the code needs (checked by tsc)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type StepOf<O extends OpName> = Extract<Step, { op: O }>;
const typeChecks: Array<true> = [
  true satisfies Same<Step['op'], OpName>,
  true satisfies Same<StepOf<'map_create'>['map_type'], number>,
  true satisfies Same<StepOf<'map_create'>['token'], string | undefined>,
  true satisfies Same<StepOf<'fsconfig'>['cmd'], 'set_string' | 'set_flag' | 'create' | 'reconfigure'>,
  true satisfies Same<StepOf<'capset'>['effective'], string[]>,
  true satisfies Same<StepOf<'prog_load'>['signature'], SignatureDecl | undefined>,
  true satisfies Same<StepOf<'token_create'>['race'], RaceDecl | undefined>,
];
// @ts-expect-error map_type is required
const noMapType: Step = { actor: 'a', op: 'map_create' };
// @ts-expect-error close takes no race
const closeRace: Step = { actor: 'a', op: 'close', fd: 'x', race: { actor: 'b', op: 'close', fd: 'x' } };
void noMapType;
void closeRace;

/** A small JSON Schema checker for what scenario/schema.ts emits (type, const,
 *  enum, properties, required, additionalProperties: false, items, min/maxItems,
 *  minimum, maximum, pattern, anyOf, local $ref). The errors, as JSON paths. */
function check(schema: Schema, v: unknown, defs: Record<string, Schema>, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return check(defs[schema.$ref.replace('#/$defs/', '')]!, v, defs, path);
  if (Array.isArray(schema.anyOf)) {
    const all = (schema.anyOf as Schema[]).map((s) => check(s, v, defs, path));
    return all.some((e) => e.length === 0) ? [] : [`${path}: matches none of anyOf (${all.map((e) => e[0]).join(' / ')})`];
  }
  const errs: string[] = [];
  if ('const' in schema && v !== schema.const) return [`${path}: expected ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !(schema.enum as unknown[]).includes(v)) return [`${path}: not in enum`];
  const t = schema.type;
  if (t === 'object') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${path}: expected an object`];
    const o = v as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) errs.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (Object.hasOwn(props, k)) errs.push(...check(props[k]!, x, defs, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}.${k}: not allowed`);
    }
  } else if (t === 'array') {
    if (!Array.isArray(v)) return [`${path}: expected an array`];
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) errs.push(`${path}: too many items`);
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) errs.push(`${path}: too few items`);
    if (schema.items) v.forEach((x, i) => errs.push(...check(schema.items as Schema, x, defs, `${path}[${i}]`)));
  } else if (t === 'string') {
    if (typeof v !== 'string') return [`${path}: expected a string`];
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(v)) errs.push(`${path}: does not match ${schema.pattern}`);
  } else if (t === 'integer') {
    if (typeof v !== 'number' || !Number.isInteger(v)) return [`${path}: expected an integer`];
    if (typeof schema.minimum === 'number' && v < schema.minimum) errs.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) errs.push(`${path}: above maximum`);
  } else if (t === 'boolean') {
    if (typeof v !== 'boolean') return [`${path}: expected a boolean`];
  }
  return errs;
}

const schema = scenarioSchema(PROFILES.map((p) => p.name));
const defs = schema.$defs as Record<string, Schema>;
const schemaErrors = (v: unknown): string[] => check(schema, v, defs);

function corpusFiles(dir = join(root, 'corpus')): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? corpusFiles(p) : p.endsWith('.json') ? [p] : [];
    })
    .sort();
}

const base = (steps: unknown[]): Record<string, unknown> => ({
  format: 'bpftc/1',
  actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }],
  steps,
});

describe('the op table (scenario/ops.ts)', () => {
  it('gives the Step type its fields (a compile-time check)', () => {
    expect(typeChecks.every((x) => x)).toBe(true);
  });

  it('gives every op distinct wire keys and a doc line', () => {
    for (const op of OP_NAMES) {
      const o = OPS[op];
      expect(o.doc.length, op).toBeGreaterThan(0);
      const wires = Object.entries(o.args).map(([k, a]) => ('wire' in a && a.wire !== undefined ? a.wire : k));
      expect(new Set(wires).size, op).toBe(wires.length);
    }
  });

  it('scenario/scenario.schema.json, README.md, oracle/PROTOCOL.md and oracle/ops.gen.h are current (npx tsx build/write-generated.ts)', () => {
    expect(readFileSync(join(root, 'scenario', 'scenario.schema.json'), 'utf8')).toBe(scenarioSchemaText(PROFILES.map((p) => p.name)));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withReadmeTable(readme)).toBe(readme);
    const protocol = readFileSync(join(root, 'oracle', 'PROTOCOL.md'), 'utf8');
    const p = withProtocolRows(protocol);
    expect(p.added).toEqual([]);
    expect(p.text).toBe(protocol);
    expect(readFileSync(join(root, 'oracle', 'ops.gen.h'), 'utf8')).toBe(opsHeaderText());
  });
});

describe('the executor (oracle/executor.c)', () => {
  it('knows every kernel op of the table by the table\'s keys, kinds, slots and defaults', () => {
    const c = readFileSync(join(root, 'oracle', 'executor.c'), 'utf8');
    if (c.includes('BPFTC_SCENARIO_OPSPECS')) {
      expect(c).toContain('#include "ops.gen.h"');
      return;
    }
    // not yet generated into the executor: its own OPS[] rows must equal the generated ones
    for (const op of OP_NAMES) if (OPS[op].kernel) expect(c, op).toContain(`  ${opspecEntry(op, OPS[op])},`);
  });
});

describe('the JSON Schema', () => {
  const files = corpusFiles();
  it('accepts every corpus file', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) expect(schemaErrors(JSON.parse(readFileSync(f, 'utf8'))), f).toEqual([]);
  });

  it('refuses what the validator refuses for its shape', () => {
    const bad: Array<[unknown[], RegExp]> = [
      [[{ actor: 'a', op: 'nosuch' }], /anyOf/],
      [[{ actor: 'a', op: 'map_create' }], /anyOf/], // map_type missing
      [[{ actor: 'a', op: 'map_create', map_type: 'NOPE' }], /anyOf/],
      [[{ actor: 'a', op: 'close', fd: 'x', extra: 1 }], /anyOf/],
      [[{ actor: 'a', op: 'fsconfig', fd: 'x', cmd: 'frob' }], /anyOf/],
    ];
    for (const [steps, re] of bad) {
      expect(schemaErrors(base(steps)).join('\n'), JSON.stringify(steps)).toMatch(re);
      expect(() => validateScenario(base(steps)), JSON.stringify(steps)).toThrow(ScenarioError);
    }
    expect(schemaErrors(base([{ actor: 'a', op: 'map_create', map_type: 'STACK' }]))).toEqual([]);
    expect(() => validateScenario({ ...base([]), profile: 'linux-9.99' })).toThrow('$.profile: unknown profile "linux-9.99"');
  });
});

describe('enumerator names for numbers', () => {
  const named = base([
    { actor: 'a', op: 'map_create', map_type: 'STACK', key_size: 0, value_size: 8, as: 'm' },
    { actor: 'a', op: 'map_create', map_type: 'BPF_MAP_TYPE_CGROUP_STORAGE', as: 'm2' },
    { actor: 'a', op: 'prog_load', prog_type: 'SOCKET_FILTER', as: 'p' },
    { actor: 'a', op: 'prog_load', prog_type: 'CGROUP_SKB', expected_attach_type: 'CGROUP_INET_INGRESS', as: 'q' },
  ]);
  const numbered = base([
    { actor: 'a', op: 'map_create', map_type: 23, key_size: 0, value_size: 8, as: 'm' },
    { actor: 'a', op: 'map_create', map_type: 19, as: 'm2' },
    { actor: 'a', op: 'prog_load', prog_type: 1, as: 'p' },
    { actor: 'a', op: 'prog_load', prog_type: 8, expected_attach_type: 0, as: 'q' },
  ]);

  it('are read as the numbers (short, full and alias spellings), keys in place', () => {
    const s = validateScenario(structuredClone(named));
    expect(s).toEqual(numbered);
    expect(JSON.stringify(s)).toBe(JSON.stringify(numbered));
  });

  it('leave a scenario without names the very object given', () => {
    const s = structuredClone(numbered);
    expect(validateScenario(s)).toBe(s);
  });

  it('run, print and go on the wire exactly like the numbers', () => {
    const a = validateScenario(structuredClone(named)) as Scenario;
    const b = validateScenario(structuredClone(numbered)) as Scenario;
    expect(runScenario(a)).toEqual(runScenario(b));
    expect(toProtocol(a, 1)).toBe(toProtocol(b, 1));
    expect(a.steps.map(formatStep)).toEqual(b.steps.map(formatStep));
    expect(formatStep(a.steps[0]!)).toContain('map_type=STACK');
    expect(stepArgs(a.steps[3]!)).toEqual(stepArgs(b.steps[3]!));
  });

  it('refuse an unknown name with its path, never a stack trace', () => {
    expect(() => parseScenario(JSON.stringify(base([{ actor: 'a', op: 'map_create', map_type: 'STAK' }])))).toThrow(
      '$.steps[0].map_type: expected an integer or a name of enum bpf_map_type, got "STAK"',
    );
    expect(() => parseScenario(JSON.stringify(base([{ actor: 'a', op: 'map_create', map_type: 'toString' }])))).toThrow(ScenarioError);
    expect(() => parseScenario(JSON.stringify(base([{ actor: 'a', op: 'seteuid', euid: 'ROOT' }])))).toThrow('$.steps[0].euid: expected an integer');
  });
});
