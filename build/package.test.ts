// The package others build on (issue 14): a scratch project installs it by
// name (a file: dependency, offline, no scripts), imports every entry point
// with plain node, type-checks TypeScript against the declarations, and runs
// the README's plugin example through the CLI (campaign workers, JUnit, check,
// one-line load errors). Everything it writes is below one temporary
// directory, removed at the end.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayOf } from '../campaign/report.ts';
// @ts-expect-error: a plain JavaScript module without declarations
import { distFresh } from './sources.mjs';

const root = join(import.meta.dirname, '..');
const fresh = (distFresh as (r: string) => boolean)(root);
const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = !fresh ? 'dist/ is missing or older than the sources (npm run build)' : npm.status !== 0 ? 'npm is not installed' : '';

// only when the tests run: a skipped describe runs no hooks, so nothing would remove it
const tmp = skip ? '' : mkdtempSync(join(tmpdir(), 'bpftc-package-'));
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function sh(cmd: string, args: string[], cwd = tmp): { code: number | null; out: string; err: string } {
  const env = { ...process.env };
  for (const k of ['NODE_OPTIONS', 'BPFTC_TSX', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete env[k];
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pluginBlock = (): string => {
  const m = /```js\n(\/\/ my-props\.js\n[\s\S]*?)```/.exec(readme);
  expect(m, 'the README has its plugin example').not.toBeNull();
  return m![1]!;
};

describe.skipIf(skip !== '')(`the package by name from a scratch project${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const bpftc = (...a: string[]): ReturnType<typeof sh> => sh(process.execPath, [join(root, 'cli', 'bpftc.js'), ...a]);

  it('installs offline as a file: dependency', () => {
    writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { 'bpf-token-conformance': `file:${root}` } }));
    const r = sh('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
    expect(r.code, r.err).toBe(0);
  });

  it('every entry point works under plain node', () => {
    writeFileSync(
      join(tmp, 'use.mjs'),
      `import { loadScenario, runOnModel, validateScenario, formatTrace } from 'bpf-token-conformance/scenarios';
import { listProperties, findProperty, checkScenario, checkProperty } from 'bpf-token-conformance/properties';
import { listProfiles, findProfile } from 'bpf-token-conformance/profiles';
import { sampleScenarios } from 'bpf-token-conformance/generators';
import * as all from 'bpf-token-conformance';
const s = loadScenario(${JSON.stringify(join(root, 'corpus/examples/canonical-delegation.json'))});
const results = runOnModel(s);
const verdicts = checkScenario(s);
const gen = sampleScenarios({ profile: findProfile('linux-6.18') }, 3, 1).map((x) => validateScenario(x).steps.length);
const ce = checkProperty(findProperty('token-from-bpffs-root'), { profile: 'token-v10', runs: 1000, seed: 1 });
console.log(JSON.stringify({
  steps: results.length, ok: results.every((r, i) => s.steps[i].expect === undefined || s.steps[i].expect === r.ret),
  properties: listProperties().length, profiles: listProfiles().map((p) => p.name).includes('linux-6.18'),
  holds: verdicts.filter((v) => v.outcome === 'holds').length, gen: gen.length,
  found: !ce.ok && ce.counterexample.scenario.steps.length, trace: !ce.ok && formatTrace(ce.counterexample.scenario, ce.counterexample.results, ce.counterexample.violation.step).includes('>>'),
  index: typeof all.runOnModel === 'function' && typeof all.listProperties === 'function' && typeof all.sampleScenarios === 'function',
}));
`,
    );
    const r = sh(process.execPath, ['use.mjs']);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out) as Record<string, unknown>;
    expect(o).toMatchObject({ steps: 16, ok: true, profiles: true, gen: 3, trace: true, index: true });
    expect(o.properties).toBeGreaterThanOrEqual(30);
    expect(o.holds).toBeGreaterThan(5);
    expect(o.found).toBeGreaterThan(0);
  });

  it('TypeScript checks against the declarations (and rejects a wrong use)', () => {
    writeFileSync(
      join(tmp, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
        files: ['use.ts', 'bad.ts'],
      }),
    );
    writeFileSync(
      join(tmp, 'use.ts'),
      `import { type Scenario, type StepResult, runOnModel } from 'bpf-token-conformance/scenarios';
import { type Property, listProperties } from 'bpf-token-conformance/properties';
import { type Profile, findProfile } from 'bpf-token-conformance/profiles';
import { scenarioArb } from 'bpf-token-conformance/generators';
const p: Profile | undefined = findProfile('linux-6.18');
const props: readonly Property[] = listProperties();
const s: Scenario = { format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }], steps: [{ actor: 'a', op: 'fsopen', as: 'fs' }] };
const r: StepResult[] = runOnModel(s, p);
export const n: number = r.length + props.length + (p ? 1 : 0) + scenarioArb({ profile: p! }).filter(() => true).toString().length;
`,
    );
    // the declarations are real types, not any: a wrong use is the one error
    writeFileSync(join(tmp, 'bad.ts'), `import { listProfiles } from 'bpf-token-conformance/profiles';\nexport const m: number = listProfiles();\n`);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = sh(process.execPath, [tsc, '-p', 'tsconfig.json']);
    expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^bad\.ts\(2,14\): error TS2322: Type 'readonly Profile\[\]' is not assignable to type 'number'/)]);
  });

  it("the README's plugin property fails on token-v10 with a counterexample and holds on linux-6.18, in campaigns, JUnit and check", () => {
    writeFileSync(join(tmp, 'my-props.js'), pluginBlock());
    const prop = ['--plugin', './my-props.js', '--property', 'my-no-token-in-init-userns'];
    const bad = bpftc('fuzz', ...prop, '--profile', 'token-v10', '--runs', '400', '--workers', '2', '--junit', 'j.xml', '--save', 'found');
    expect(bad.code, bad.err).toBe(1);
    expect(bad.out).toMatch(/^FAIL {2}my-no-token-in-init-userns {2}after \d+ runs/m);
    // the replay command as the shell reads it back (long lines are wrapped with " \\")
    expect(replayOf(bad.out)).toMatch(/^npx bpftc fuzz --profile token-v10 --property my-no-token-in-init-userns --seed \d+ --path /);
    expect(readFileSync(join(tmp, 'j.xml'), 'utf8')).toMatch(/<testcase classname="bpftc.token-v10" name="my-no-token-in-init-userns" [^>]*>\s*<failure [^>]*>claim: No task of the init user namespace/);
    const good = bpftc('fuzz', ...prop, '--profile', 'linux-6.18', '--runs', '300', '--workers', '2');
    expect(good.code, good.out + good.err).toBe(0);
    expect(good.out).toMatch(/^ok {4}my-no-token-in-init-userns {2}\(300 runs\)/m);
    // its profile, shards, check and the listings
    const shard = bpftc('fuzz', ...prop, '--profile', 'my-v10', '--runs', '400', '--batch', '100', '--shard', '2/2', '--workers', '1');
    expect(shard.code).toBe(1);
    const saved = spawnSync('ls', ['found'], { cwd: tmp, encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
    const check = bpftc('check', '--plugin', './my-props.js', '--property', 'my-no-token-in-init-userns', join('found', saved));
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/VIOLATED my-no-token-in-init-userns {2}step \d+: /);
    expect(bpftc('properties', '--plugin', './my-props.js').out).toMatch(/^my-no-token-in-init-userns +No task of the init/m);
    expect(bpftc('profiles', '--plugin', './my-props.js').out).toMatch(/^my-v10 +token-v10 under another name/m);
  });

  it('a plugin that cannot be used is one line and exit 2', () => {
    writeFileSync(join(tmp, 'syntax.js'), 'export const properties = [;\n');
    writeFileSync(join(tmp, 'empty.js'), 'export const x = 1;\n');
    writeFileSync(join(tmp, 'noclaim.js'), "export const properties = [{ name: 'x', source: { kind: 'ours', why: 'y' }, check: () => null }];\n");
    writeFileSync(join(tmp, 'clash.js'), "export const properties = [{ name: 'monotonic-privilege', claim: 'c', source: { kind: 'ours', why: 'y' }, check: () => null }];\n");
    writeFileSync(join(tmp, 'throws.js'), "throw new Error('boom');\n");
    for (const [f, what] of [
      ['nope.js', 'no such file'],
      ['syntax.js', 'SyntaxError'],
      ['empty.js', 'exports no properties and no profiles'],
      ['noclaim.js', 'needs a claim'],
      ['clash.js', 'exists already'],
      ['throws.js', 'boom'],
    ] as const) {
      const r = bpftc('fuzz', '--plugin', f, '--runs', '10');
      expect(r.code, f).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n'), f).toHaveLength(1);
      expect(r.err).toContain(what);
    }
    expect(bpftc('fuzz', '--plugin').code).toBe(2);
  });

  it('a config file names the plugins (paths relative to it); campaigns and listings use them', () => {
    mkdirSync(join(tmp, 'conf/props'), { recursive: true });
    writeFileSync(join(tmp, 'conf/props/my-props.js'), pluginBlock());
    writeFileSync(join(tmp, 'conf/bpftc.json'), JSON.stringify({ plugins: ['./props/my-props.js'] }));
    const bad = bpftc('fuzz', '--config', 'conf/bpftc.json', '--property', 'my-no-token-in-init-userns', '--profile', 'my-v10', '--runs', '400', '--workers', '2');
    expect(bad.code, bad.err).toBe(1);
    expect(bad.out).toMatch(/^FAIL {2}my-no-token-in-init-userns {2}after \d+ runs/m);
    expect(bpftc('properties', '--config', 'conf/bpftc.json').out).toMatch(/^my-no-token-in-init-userns +No task of the init/m);
    // the same plugin named twice (config and --plugin) is loaded once
    expect(bpftc('profiles', '--config', 'conf/bpftc.json', '--plugin', 'conf/props/my-props.js').code).toBe(0);
  });

  it('a config file that cannot be used is one line and exit 2', () => {
    const cases: [string, string, string][] = [
      ['notjson.json', '{plugins', 'not JSON'],
      ['array.json', '[]', 'must be a JSON object'],
      ['unknown.json', '{"plugin": []}', 'unknown key "plugin"'],
      ['proto.json', '{"__proto__": {"x": 1}}', 'unknown key "__proto__"'],
      ['badlist.json', '{"plugins": "x.js"}', 'must be a list of file names'],
      ['missing.json', '{"plugins": ["./nope.js"]}', 'no such file'],
    ];
    for (const [f, text] of cases) writeFileSync(join(tmp, f), text);
    for (const [f, , what] of [...cases, ['absent.json', '', 'no such file'] as [string, string, string]]) {
      const r = bpftc('properties', '--config', f);
      expect(r.code, f).toBe(2);
      expect(r.out, f).toBe('');
      expect(r.err.trimEnd().split('\n'), f).toHaveLength(1);
      expect(r.err, f).toContain(what);
    }
    expect(bpftc('properties', '--config').code).toBe(2);
    expect(bpftc('properties', '--config', 'array.json', '--config', 'array.json').code).toBe(2);
  });
});
