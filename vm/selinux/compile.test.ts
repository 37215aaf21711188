import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../corpus/load.ts';
import { policyArb } from '../../generators/lsm.ts';
import type { PolicyDecl } from '../../scenario/types.ts';
import { PolicyError, badIdentifier, compilePolicy, policySource, scenarioPolicies, scenarioTypes } from './compile.ts';
import { readPolicyHeader } from './policydb.ts';
import { SMALL_MAP, TREE_612_PATCHED, TREE_73, compileUnavailable, tempCache } from './testing.ts';

const src = (d: Partial<PolicyDecl>, contexts: (string | undefined)[] = ['P_t', 'U_t']): string =>
  policySource({ allow: [], ...d }, contexts, SMALL_MAP).source;

/** a PolicyError with a one-line message */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    const m = (e as Error).message;
    expect(m).not.toMatch(/[\n\r]/);
    return m;
  }
  throw new Error('expected a PolicyError');
}

describe('policySource (the class map of a kernel, no tools)', () => {
  it('gives every actor context a type, pairs every modelled rule with an auditallow, and maps * to the scenario types', () => {
    const s = src({ allow: ['P_t U_t:bpf map_create prog_load', '* *:fd use', 'U_t P_t:cap2_userns *'], permissive: ['V_t'] }, ['P_t', 'U_t', undefined]);
    for (const t of ['P_t', 'U_t', 'V_t', 'unconfined_t', 'kernel_t', 'unlabeled_t', 'file_t']) expect(s).toContain(`type ${t}, bpftc_all, bpftc_scenario;`);
    expect(s).toContain('allow P_t U_t:bpf { map_create prog_load };\nauditallow P_t U_t:bpf { map_create prog_load };');
    expect(s).toContain('allow bpftc_scenario bpftc_scenario:fd use;\nauditallow bpftc_scenario bpftc_scenario:fd use;');
    expect(s).toContain('allow U_t P_t:cap2_userns *;');
    expect(s).toContain('permissive V_t;');
    // the classes the model does not decide: everything, for every type
    expect(s).toContain('allow bpftc_all bpftc_all:{ process file } *;');
    // the harness: all it needs, never audited
    expect(s).toMatch(/^allow bpftc_harness_t bpftc_all:\{ bpf capability capability2 cap_userns cap2_userns fd \} \*;$/m);
    expect(s).not.toMatch(/auditallow bpftc_harness_t/);
    expect(s).toContain('typebounds bpftc_harness_t P_t;');
    expect(s).toContain('sid kernel bpftc_u:bpftc_r:kernel_t');
    expect(s).toContain('sid unused4 bpftc_u:bpftc_r:bpftc_object_t');
  });

  it('leaves map_create_as and prog_load_as out of class bpf when the policy does not define them', () => {
    const p = policySource({ allow: ['U_t P_t:bpf map_create_as map_create', 'U_t P_t:bpf prog_load_as'], defines_token_perms: false }, ['P_t', 'U_t'], SMALL_MAP);
    expect(p.source).toContain('class bpf { map_create map_read map_write prog_load prog_run }');
    expect(p.source).toContain('allow U_t P_t:bpf map_create;');
    expect(p.source).not.toMatch(/_as\b/);
    expect(p.notes).toHaveLength(2);
    expect(src({ allow: [] })).toContain('class bpf { map_create map_read map_write prog_load prog_run map_create_as prog_load_as }');
  });

  it('turns polcap names into the kernel bits and handle_unknown / enforcing into the result', () => {
    const p = policySource({ allow: [], polcap: ['bpf_token_perms', 'open_perms'], handle_unknown: 'allow', enforcing: false }, [], SMALL_MAP);
    expect(p.polcapBits).toEqual([1, 2]);
    expect(p.handleUnknown).toBe('allow');
    expect(p.enforcing).toBe(false);
    expect(p.source).not.toMatch(/^policycap/m);
  });

  it('a rule of a class the model does not decide is subsumed, with a note', () => {
    const p = policySource({ allow: ['P_t U_t:file read'] }, ['P_t', 'U_t'], SMALL_MAP);
    expect(p.notes[0]).toMatch(/class file is not decided by the model/);
    expect(p.source).not.toMatch(/^allow P_t U_t:file/m);
  });

  it('refuses unknown classes, permissions and capabilities with one line', () => {
    expect(refusal(() => src({ allow: ['P_t U_t:nosuch read'] }))).toMatch(/no class nosuch/);
    expect(refusal(() => src({ allow: ['P_t U_t:bpf frobnicate'] }))).toMatch(/no permission frobnicate/);
    expect(refusal(() => src({ polcap: ['no_such_cap'] }))).toMatch(/no policy capability/);
    expect(refusal(() => src({ allow: ['P_t U_t bpf map_create'] }))).toMatch(/expected "source target:class perm/);
    expect(refusal(() => src({ handle_unknown: 'maybe' as 'allow' }))).toMatch(/handle_unknown/);
    expect(refusal(() => policySource({ allow: 'x' as unknown as string[] }, [], SMALL_MAP))).toMatch(/allow/);
  });

  it('never lets scenario text reach the source: names outside [A-Za-z][A-Za-z0-9_]*, words of the language and bpftc_ are refused', () => {
    const evil = ['P t', 'P_t;', 'P_t}', 'P_t\nallow x y:bpf *', 'a{', '__proto__', '_t', '1_t', '', 'P_t:s0', '{ P_t }', '$(id)', 'allow', 'SELF', 'Type', 'object_r', 'bpftc_harness_t', 'x'.repeat(200), 'é_t', 'P_t#'];
    for (const e of evil) {
      refusal(() => src({}, [e]));
      refusal(() => src({ permissive: [e] }));
      refusal(() => src({ polcap: [e] }));
      if (!/\s/.test(e) && e !== '' && !e.includes(':')) {
        refusal(() => src({ allow: [`${e} U_t:bpf map_create`] }));
        refusal(() => src({ allow: [`U_t ${e}:bpf map_create`] }));
        refusal(() => src({ allow: [`U_t U_t:${e} map_create`] }));
        refusal(() => src({ allow: [`U_t U_t:bpf ${e}`] }));
      }
    }
    refusal(() => src({ allow: ['U_t U_t:bpf map_create;\nallow U_t U_t:bpf *'] }));
    refusal(() => src({}, [42 as unknown as string]));
    // names that are only dangerous to careless JavaScript are fine policy identifiers
    for (const ok of ['constructor', 'toString', 'hasOwnProperty', 'prototype']) expect(src({ allow: [`${ok} ${ok}:bpf map_create`] }, [ok])).toContain(`type ${ok}, `);
  });

  it('any string as a type name is refused or is an identifier (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (name) => {
        let s: string;
        try {
          s = src({ allow: [`P_t U_t:bpf map_create`], permissive: [name] }, [name]);
        } catch (e) {
          expect(e).toBeInstanceOf(PolicyError);
          expect((e as Error).message).not.toMatch(/[\n\r]/);
          return;
        }
        expect(badIdentifier(name)).toBeNull();
        expect(s).toMatch(/^[A-Za-z0-9_ {}:;*,/#=.()\n-]*$/);
      }),
      { seed: 1, numRuns: 300 },
    );
  });
});

const skip = compileUnavailable();
if (skip) console.log(`vm/selinux/compile.test.ts (checkpolicy part) skipped: ${skip}`);

/** POLICYDB_CAP_* enum order of a tree's policycap.h, read independently of classmap.ts */
function polcapIndex(tree: string, cap: string): number {
  const h = readFileSync(join(tree, 'security/selinux/include/policycap.h'), 'utf8');
  const body = /enum\s*\{([^}]*)\}/.exec(h)![1]!;
  const names = body.split(',').map((x) => x.replace(/\/\*.*?\*\//g, '').trim()).filter((x) => x.startsWith('POLICYDB_CAP_'));
  return names.indexOf(`POLICYDB_CAP_${cap}`);
}

describe.skipIf(skip !== null)(`compiling with checkpolicy for 7.3.4${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const cache = tempCache();
  const tree = TREE_73?.path ?? '';
  const corpus = loadCorpus('corpus').filter((e) => scenarioPolicies(e.scenario).length > 0);

  it('finds the SELinux scenarios of the corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(7);
  });

  it('compiles every SELinux policy of the corpus, with the polcap bit and handle_unknown as declared', () => {
    expect(polcapIndex(tree, 'BPF_TOKEN_PERMS')).toBe(14);
    for (const { file, scenario } of corpus) {
      const types = scenarioTypes(scenario);
      for (const { decl } of scenarioPolicies(scenario)) {
        const c = compilePolicy(decl, types, tree, { cacheDir: cache });
        const h = readPolicyHeader(c.binary);
        expect(h.polcaps?.bits, file).toEqual((decl.polcap ?? []).includes('bpf_token_perms') ? [14] : []);
        expect(h.handleUnknown, file).toBe(decl.handle_unknown ?? 'deny');
        expect(h.permissive?.bits.length, file).toBe((decl.permissive ?? []).length);
        expect(c.source.includes('map_create_as'), file).toBe(decl.defines_token_perms !== false);
      }
    }
  });

  it('compiles generated policies (every polcap / defines / handle_unknown / permissive mix the generators make)', () => {
    const decls = fc.sample(policyArb(4, {}), { seed: 7, numRuns: 12 });
    for (const d of decls) {
      const c = compilePolicy(d, ['P_t', 'U_t', 'V_t', 'W_t'], tree, { cacheDir: cache });
      expect(readPolicyHeader(c.binary).polcaps?.bits).toEqual((d.polcap ?? []).includes('bpf_token_perms') ? [14] : []);
    }
  });

  it('caches by hash: the same input gives the same bytes from the cache', () => {
    const d = corpus[0]!.scenario.selinux!;
    const a = compilePolicy(d, ['P_t', 'U_t'], tree, { cacheDir: cache });
    const files = readdirSync(join(cache, 'policies')).length;
    const b = compilePolicy(d, ['P_t', 'U_t'], tree, { cacheDir: cache });
    expect(b.binary.equals(a.binary)).toBe(true);
    expect(b.hash).toBe(a.hash);
    expect(readdirSync(join(cache, 'policies')).length).toBe(files);
    expect(existsSync(join(cache, 'policies', `${a.hash.slice(0, 32)}.bin`))).toBe(true);
  });

  it('checkpolicy accepts JavaScript-special names; a refused policy is one line', () => {
    const c = compilePolicy({ allow: ['constructor toString:bpf map_create'] }, ['constructor', 'toString'], tree, { cacheDir: cache });
    expect(c.binary.length).toBeGreaterThan(1000);
    expect(refusal(() => compilePolicy({ allow: ['P_t U_t:bpf map_create'] }, ['P_t;'], tree, { cacheDir: cache }))).toMatch(/not an identifier/);
  });

  it.skipIf(!TREE_612_PATCHED)(`sets the bit of the 6.12 tree with seed 000 at its own index${TREE_612_PATCHED ? '' : ' (skipped: no patched 6.12 tree)'}`, () => {
    const t = TREE_612_PATCHED!.path;
    const c = compilePolicy({ allow: ['U_t P_t:bpf map_create_as'], polcap: ['bpf_token_perms'] }, ['P_t', 'U_t'], t, { cacheDir: cache });
    const want = polcapIndex(t, 'BPF_TOKEN_PERMS');
    expect(want).toBeGreaterThan(0);
    expect(readPolicyHeader(c.binary).polcaps?.bits).toEqual([want]);
  });
});
