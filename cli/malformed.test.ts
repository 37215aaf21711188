// Malformed input, across every subcommand and environment variable: each
// case is exit 2, exactly one line on stderr naming what was wrong ("bpftc: ..."),
// nothing on stdout, no stack trace -- and the corpus is byte-for-byte the same
// afterwards. The bulk runs main() in-process; a few cases run the real
// launcher as a subprocess (cli/malformed-subprocess.test.ts), and full / read-only /
// unreadable file systems run in a private mount namespace (cli/malformed-ns.test.ts).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { EXTRA, main } from './main.ts';
import { corpusHash } from './testing.ts';
import { probeKernelSync } from '../oracle/driver.ts';

const REPO = new URL('..', import.meta.url).pathname;
const CORPUS = join(REPO, 'corpus');
const GOOD_FILE = join(CORPUS, 'examples', 'canonical-delegation.json');
const BUILTINS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const kprobe = probeKernelSync();
const noKernel = 'skip' in kprobe ? kprobe.skip : null;

let T = '';
const corpusBefore = corpusHash(CORPUS);

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  try {
    const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  } finally {
    vi.unstubAllEnvs();
  }
}

/** the contract of one malformed-input case */
function expectOneLineError(r: { code: number; out: string[]; err: string[] }, names: RegExp | undefined, label: string): void {
  expect(r.code, `${label}: exit code (stderr: ${r.err.join(' | ')})`).toBe(2);
  expect(r.err, `${label}: exactly one stderr line`).toHaveLength(1);
  const line = r.err[0]!;
  expect(line, label).not.toContain('\n');
  expect(line, label).toMatch(/^bpftc: \S/);
  expect(line, label).not.toMatch(/^\s+at /m);
  expect(line, label).not.toMatch(/^(bpftc: )?(Type|Range|Reference|Syntax)?Error:/);
  expect(line, label).not.toMatch(/internal error/);
  expect(r.out, `${label}: nothing on stdout`).toEqual([]);
  if (names) expect(line, label).toMatch(names);
}

// ---------------------------------------------------------------- fixtures

/** a small valid scenario touching every name slot the validator checks */
function base(): Record<string, unknown> & { steps: Array<Record<string, unknown>>; actors: Array<Record<string, unknown>> } {
  return {
    format: 'bpftc/1',
    profile: 'selinux-token-v7',
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 2 } }],
    actors: [
      { name: 'priv', userns: 'init', kuid: 0, caps: 'all', mntns: 'init', context: 'P_t' },
      { name: 'user', userns: 'u1', kuid: 1000, caps: ['CAP_BPF'], context: 'U_t' },
    ],
    selinux: { allow: ['P_t P_t:bpf map_create'] },
    steps: [
      { actor: 'user', op: 'fsopen', as: 'fs' },
      { actor: 'user', op: 'fsconfig', fd: 'fs', cmd: 'set_string', key: 'delegate_cmds', value: 'any' },
      { actor: 'user', op: 'send_fd', fd: 'fs', to: 'priv', as: 'pfs' },
      { actor: 'priv', op: 'map_create', map_type: 1, token: 'tok' },
      { actor: 'priv', op: 'prog_load', prog_type: 1, signature: { state: 'valid', keyring: 'builtin' } },
    ],
  };
}

type Sc = ReturnType<typeof base>;

/** an own property, even for "__proto__" (plain assignment would set the prototype) */
function own(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** each slot with a closed vocabulary: a built-in name there must be refused, naming the JSON path */
const SLOTS: Array<[string, (s: Sc, n: string) => void, RegExp]> = [
  ['op', (s, n) => (s.steps[0]!.op = n), /\$\.steps\[0\]\.op: unknown op/],
  ['step key', (s, n) => own(s.steps[0]!, n, 1), /\$\.steps\[0\]\.\S+: "fsopen" takes no/],
  ['SELinux class', (s, n) => ((s.selinux as { allow: string[] }).allow = [`P_t P_t:${n} map_create`]), /\$\.selinux\.allow\[0\]: unknown class/],
  ['SELinux permission', (s, n) => ((s.selinux as { allow: string[] }).allow = [`P_t P_t:bpf ${n}`]), /\$\.selinux\.allow\[0\]: class bpf has no permission/],
  ['policy capability', (s, n) => ((s.selinux as Record<string, unknown>).polcap = [n]), /\$\.selinux\.polcap\[0\]: unknown policy capability/],
  ['policy key', (s, n) => own(s.selinux as object, n, []), /\$\.selinux\.\S+: a policy takes no/],
  ['handle_unknown', (s, n) => ((s.selinux as Record<string, unknown>).handle_unknown = n), /\$\.selinux\.handle_unknown: expected allow, deny or reject/],
  ['profile', (s, n) => (s.profile = n), /\$\.profile: unknown profile/],
  ['format', (s, n) => (s.format = n), /\$\.format: expected "bpftc\/1"/],
  ['LSM name', (s, n) => (s.lsm_order = [n]), /\$\.lsm_order\[0\]: unknown LSM/],
  ['actor user namespace', (s, n) => (s.actors[1]!.userns = n), /\$\.actors\[1\]\.userns: unknown user namespace/],
  ['userns parent', (s, n) => ((s.userns as Array<Record<string, unknown>>)[0]!.parent = n), /\$\.userns\[0\]\.parent: unknown user namespace/],
  ['capability', (s, n) => (s.actors[1]!.caps = [n]), /\$\.actors\[1\]\.caps\[0\]: unknown capability/],
  ['mount namespace', (s, n) => (s.actors[1]!.mntns = n), /\$\.actors\[1\]\.mntns: expected "own", "init" or an earlier actor/],
  ['thread_of', (s, n) => (s.actors[1]!.thread_of = n), /\$\.actors\[1\]\.thread_of: unknown earlier actor/],
  ['step actor', (s, n) => (s.steps[0]!.actor = n), /\$\.steps\[0\]\.actor: unknown actor/],
  ['send_fd receiver', (s, n) => (s.steps[2]!.to = n), /\$\.steps\[2\]\.to: unknown actor/],
  ['expected result', (s, n) => (s.steps[0]!.expect = n), /\$\.steps\[0\]\.expect: expected "ok", an errno name or "REFUSED"/],
  ['fsconfig command', (s, n) => (s.steps[1]!.cmd = n), /\$\.steps\[1\]\.cmd: expected set_string, set_flag, create or reconfigure/],
  ['LSM action', (s, n) => (s.steps[0]!.lsm = [{ action: n }]), /\$\.steps\[0\]\.lsm\[0\]\.action: expected "policy_load" or "bpf_lsm_deny"/],
  ['BPF-LSM hook', (s, n) => (s.steps[0]!.lsm = [{ action: 'bpf_lsm_deny', hook: n, task: 'user', errno: 'EPERM' }]), /\$\.steps\[0\]\.lsm\[0\]\.hook: expected one of/],
  ['BPF-LSM task', (s, n) => (s.steps[0]!.lsm = [{ action: 'bpf_lsm_deny', hook: 'bpf_token_create', task: n, errno: 'EPERM' }]), /\$\.steps\[0\]\.lsm\[0\]\.(task: unknown actor|hook: expected one of)/],
  ['race actor', (s, n) => (s.steps[3]!.race = { actor: n, op: 'close', fd: 'tok' }), /\$\.steps\[3\]\.race\.actor: unknown actor/],
  ['signature keyring', (s, n) => ((s.steps[4]!.signature as Record<string, unknown>).keyring = n), /\$\.steps\[4\]\.signature\.keyring: expected one of/],
  ['signature key', (s, n) => own(s.steps[4]!.signature as object, n, 'x'), /\$\.steps\[4\]\.signature\.\S+: a signature takes no/],
  ['IPE default', (s, n) => (s.ipe = { default: n, rules: [] }), /\$\.ipe\.default: expected one of allow, deny/],
  // task tokenc: expectations (scenario/expect.ts)
  ['expected result in a set', (s, n) => (s.steps[0]!.expect = ['EPERM', n]), /\$\.steps\[0\]\.expect\[1\]: expected "ok", an errno name or "REFUSED"/],
  ['text expectation key', (s, n) => own((s.steps[0]!.expect_text = {}), n, 'x'), /\$\.steps\[0\]\.expect_text\.\S+: a text expectation takes no/],
];

// ---------------------------------------------------------------- suite

describe('malformed input: exit 2, one line, no stack trace, corpus untouched', () => {
  const files: Record<string, string> = {};
  beforeAll(() => {
    T = mkdtempSync(join(tmpdir(), 'bpftc-malformed-'));
    const w = (name: string, text: string): string => {
      const p = join(T, name);
      writeFileSync(p, text);
      return (files[name] = p);
    };
    w('good.json', readFileSync(GOOD_FILE, 'utf8'));
    w('empty.json', '');
    w('truncated.json', '{"format": "bpftc/1", "actors": [');
    w('array.json', '[]');
    w('string.json', '"bpftc/1"');
    w('number.json', '42');
    w('null.json', 'null');
    w('true.json', 'true');
    w('trailing.json', '{"format": "bpftc/1"} {}');
    w('comment.json', '// a comment\n{}');
    w('nul.json', '\u0000');
    w('binary.json', '\xff\xfe\u0000\u0001');
    w('newline-in-error.json', '{\n"format":\n"bpftc/1",\n\n\n}');
    w('wrong-format.json', JSON.stringify({ ...base(), format: 'bpftc/2' }));
    w('no-actors.json', JSON.stringify({ ...base(), actors: [] }));
    w('steps-object.json', JSON.stringify({ ...base(), steps: {} }));
    const huge = base();
    huge.actors[1]!.kuid = 1e400; // JSON text 1e400: Infinity
    w('huge-kuid.json', JSON.stringify(huge).replace('"kuid":null', '"kuid":1e400'));
    w('big-kuid.json', JSON.stringify(huge).replace('"kuid":null', '"kuid":123456789012345678901234567890'));
    w('negative-kuid.json', JSON.stringify(huge).replace('"kuid":null', '"kuid":-1'));
    w('fraction-kuid.json', JSON.stringify(huge).replace('"kuid":null', '"kuid":1000.5'));
    const bigMap = base();
    bigMap.steps[3]!.map_type = 4294967296;
    w('big-map-type.json', JSON.stringify(bigMap));
    // audit: euid 2^32-1 is (uid_t)-1, "unchanged" to setresuid() (the kernel said ok, the model EINVAL)
    w('seteuid-minus-one.json', JSON.stringify({ ...base(), steps: [{ actor: 'priv', op: 'seteuid', euid: 4294967295 }] }));
    // audit: per-CPU map values are not charged to the scenario's memory cgroup: a scenario-level limit
    w('percpu-huge.json', JSON.stringify({ ...base(), steps: [{ actor: 'priv', op: 'map_create', map_type: 6, value_size: 32768, max_entries: 20000 }] }));
    // task tokenc: malformed expectations (scenario/expect.ts, scenario/saferegex.ts)
    const withExpect = (name: string, expect: Record<string, unknown>): void => {
      const s = base();
      Object.assign(s.steps[0]!, expect);
      w(name, JSON.stringify(s));
    };
    withExpect('expect-empty-set.json', { expect: [] });
    withExpect('expect-fails-in-set.json', { expect: ['EPERM', 'fails'] });
    withExpect('expect-twice-in-set.json', { expect: ['EPERM', 'EPERM'] });
    withExpect('expect-huge-set.json', { expect: ['EPERM', 'EACCES', ...Array.from({ length: 15 }, (_, i) => `E${'X'.repeat(i + 1)}`)] });
    withExpect('expect-object.json', { expect: { any: ['EPERM'] } });
    withExpect('expect-text-array.json', { expect_text: ['allowed_cmds'] });
    withExpect('expect-text-lookaround.json', { expect_text: { match: '(?=allowed)' } });
    withExpect('expect-text-backref.json', { expect_text: { match: '(a)\\1' } });
    withExpect('expect-text-exploding-repeat.json', { expect_text: { match: '((a{100}){100}){100}' } });
    withExpect('expect-text-long-pattern.json', { expect_text: { match: 'a'.repeat(257) } });
    withExpect('expect-text-unclosed.json', { expect_text: { match: 'allowed_(cmds' } });
    withExpect('expect-text-pattern-number.json', { expect_text: { match: 5 } });
    withExpect('expect-text-field-alone.json', { expect_text: { field: 'allowed_cmds' } });
    withExpect('expect-text-field-both.json', { expect_text: { field: 'allowed_cmds', value: '0x1', match: '0x1' } });
    withExpect('expect-text-field-name.json', { expect_text: { field: 'allowed cmds\n', value: '0x1' } });
    withExpect('expect-text-value-alone.json', { expect_text: { value: '0x1' } });
    withExpect('expect-text-unknown-key.json', { expect_text: { regex: 'a' } });
    w('deep.json', '['.repeat(100_000) + ']'.repeat(100_000));
    w('deep-meta.json', JSON.stringify({ ...base(), meta: { x: 0 } }).replace('{"x":0}', `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
    w('big.json', '');
    truncateSync(join(T, 'big.json'), 17 * 1024 * 1024); // sparse: larger than a scenario may be
    w('name\nwith newline.json', '{');
    for (const [slot, mutate] of SLOTS)
      for (const n of BUILTINS) {
        const s = base();
        mutate(s, n);
        w(`slot-${slot.replace(/\W+/g, '_')}-${n}.json`, JSON.stringify(s));
      }
    symlinkSync(join(T, 'nowhere.json'), join(T, 'dangling.json'));
    symlinkSync(join(T, 'loop.json'), join(T, 'loop.json'));
    spawnSync('mkfifo', [join(T, 'fifo.json')]);
    files['fifo.json'] = join(T, 'fifo.json');
    // corpus directories to merge
    const dir = (name: string, fill: (d: string) => void): void => {
      const d = join(T, name);
      mkdirSync(d);
      fill(d);
    };
    dir('shard-good', (d) => writeFileSync(join(d, 'a.json'), readFileSync(GOOD_FILE)));
    dir('shard-dangling', (d) => symlinkSync(join(d, 'gone.json'), join(d, 'x.json')));
    dir('shard-self-loop', (d) => symlinkSync(join(d, 'l.json'), join(d, 'l.json')));
    dir('shard-dir-loop', (d) => {
      mkdirSync(join(d, 'sub'));
      symlinkSync('..', join(d, 'sub', 'up'));
    });
    // audit: a link out of the corpus would be read and quoted ("not valid JSON (Unexpected token 'r', "root:..."...)")
    writeFileSync(join(T, 'outside-secret.txt'), 'SECRET-TOKEN-0123456789\n');
    dir('shard-link-out-file', (d) => symlinkSync(join(T, 'outside-secret.txt'), join(d, 'leak.json')));
    dir('shard-link-out-dir', (d) => symlinkSync(join(T, 'shard-good'), join(d, 'elsewhere')));
    dir('shard-link-dev-zero', (d) => symlinkSync('/dev/zero', join(d, 'zero.json')));
    // audit: meta fields a command interpolates: "property": {"toString": 1} was a TypeError in corpus merge (exit 3)
    dir('shard-meta-object', (d) =>
      writeFileSync(join(d, 'a.json'), JSON.stringify({ ...JSON.parse(readFileSync(GOOD_FILE, 'utf8')), meta: { property: { toString: 1, valueOf: 1 } } })));
    dir('shard-meta-checkable', (d) =>
      writeFileSync(join(d, 'a.json'), JSON.stringify({ ...JSON.parse(readFileSync(GOOD_FILE, 'utf8')), meta: { kernel_checkable: 'yes', kernel: { results: 'x' } } })));
    dir('shard-bad-json', (d) => writeFileSync(join(d, 'a.json'), '{"format": '));
    dir('shard-array', (d) => writeFileSync(join(d, 'a.json'), '[1, 2]'));
    dir('shard-builtin-op', (d) => writeFileSync(join(d, 'a.json'), readFileSync(join(T, 'slot-op-constructor.json'))));
    dir('shard-deep', (d) => writeFileSync(join(d, 'a.json'), readFileSync(join(T, 'deep-meta.json'))));
    dir('shard-fifo', (d) => spawnSync('mkfifo', [join(d, 'p.json')]));
    dir('shard-dirjson', (d) => mkdirSync(join(d, 'x.json', 'inner.json'), { recursive: true }));
    writeFileSync(join(T, 'shard-dirjson', 'x.json', 'inner.json', 'bad.json'), '{');
    dir('into', () => {});
    dir('existing-out', (d) => writeFileSync(join(d, 'r.c'), 'old\n'));
    symlinkSync(join(T, 'nowhere-dir'), join(T, 'dangling-dir'));
  });

  afterAll(() => {
    rmSync(T, { recursive: true, force: true });
  });

  const f = (name: string): string => join(T, name);
  const quick = ['--runs', '1', '--workers', '1'];

  // [label, argv (a function: fixtures exist only once beforeAll ran), what the line must name, env]
  const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
    // ---- no command, unknown commands
    ['no command', () => [], /no command given/],
    ['unknown command', () => ['frobnicate'], /unknown command "frobnicate"/],
    ['empty command', () => [''], /unknown command ""/],
    ['command in capitals', () => ['FUZZ'], /unknown command "FUZZ"/],
    ['flag as command', () => ['--frob'], /unknown command "--frob"/],
    ['single-dash command', () => ['-x'], /unknown command "-x"/],
    ...BUILTINS.map((n): [string, () => string[], RegExp] => [`command ${n}`, () => [n], new RegExp(`unknown command "${n}"`)]),
    ['unknown command with --help', () => ['frobnicate', '--help'], /unknown command "frobnicate"/],
    ['help: unknown command', () => ['help', 'frobnicate'], /help: unknown command "frobnicate"/],
    ['help: command __proto__', () => ['help', '__proto__'], /help: unknown command "__proto__"/],
    ['help: command toString', () => ['help', 'toString'], /help: unknown command "toString"/],
    ['help: two commands', () => ['help', 'fuzz', 'run'], /help takes at most one command/],
    ['help: unknown flag', () => ['help', '--verbose'], /unknown flag --verbose/],
    ['--help: unknown flag', () => ['--help', '--frob'], /unknown flag --frob/],
    ['command with a newline', () => ['fu\nzz'], /unknown command "fu\\nzz"/],
    // ---- fuzz flags
    ['fuzz: unknown flag', () => ['fuzz', '--frobnicate'], /unknown flag --frobnicate/],
    ['fuzz: unknown flag with value', () => ['fuzz', '--frob=1'], /unknown flag --frob/],
    ['fuzz: empty flag name', () => ['fuzz', '--=1'], /unknown flag "--=1"/],
    ['fuzz: single-dash flag', () => ['fuzz', '-runs', '5'], /unknown flag "-runs"/],
    ...BUILTINS.map((n): [string, () => string[], RegExp] => [`fuzz: flag --${n}`, () => ['fuzz', `--${n}`], /unknown flag --/]),
    ['fuzz: positional', () => ['fuzz', 'extra'], /fuzz takes no positional argument \(got "extra"\)/],
    ['fuzz: --runs missing value', () => ['fuzz', '--runs'], /--runs needs a value/],
    ['fuzz: --runs empty', () => ['fuzz', '--runs='], /--runs needs a value/],
    ['fuzz: --runs followed by a flag', () => ['fuzz', '--runs', '--json'], /--runs needs a value/],
    ['fuzz: --runs non-numeric', () => ['fuzz', '--runs', 'x'], /--runs takes an integer in 1\.\.1000000000, got "x"/],
    ['fuzz: --runs negative', () => ['fuzz', '--runs', '-5'], /--runs takes an integer .*"-5"/],
    ['fuzz: --runs zero', () => ['fuzz', '--runs', '0'], /--runs must be at least 1/],
    ['fuzz: --runs fractional', () => ['fuzz', '--runs', '1.5'], /--runs takes an integer .*"1\.5"/],
    ['fuzz: --runs exponent', () => ['fuzz', '--runs', '1e3'], /--runs takes an integer .*"1e3"/],
    ['fuzz: --runs hex', () => ['fuzz', '--runs', '0x10'], /--runs takes an integer .*"0x10"/],
    ['fuzz: --runs with spaces', () => ['fuzz', '--runs', ' 5'], /--runs takes an integer .*" 5"/],
    ['fuzz: --runs huge', () => ['fuzz', '--runs', '99999999999999999999'], /--runs is too large/],
    ['fuzz: --runs over the bound', () => ['fuzz', '--runs', '1000000001'], /--runs is too large: 1000000001 \(at most 1000000000\)/],
    ['fuzz: --runs Infinity', () => ['fuzz', '--runs', 'Infinity'], /--runs takes an integer .*"Infinity"/],
    ['fuzz: --runs twice', () => ['fuzz', '--runs', '1', '--runs', '2'], /--runs given twice/],
    ['fuzz: --json twice', () => ['fuzz', '--json', '--json'], /--json given twice/],
    ['fuzz: --json with a value', () => ['fuzz', '--json=yes'], /--json takes no value/],
    ['fuzz: --seed non-numeric', () => ['fuzz', '--seed', 'abc'], /--seed takes an integer in 0\.\.4294967295, got "abc"/],
    ['fuzz: --seed negative', () => ['fuzz', '--seed', '-1'], /--seed takes an integer/],
    ['fuzz: --seed beyond 32 bits', () => ['fuzz', '--seed', '4294967296'], /--seed is too large/],
    ['fuzz: --workers zero', () => ['fuzz', '--workers', '0'], /--workers must be at least 1/],
    ['fuzz: --workers too many', () => ['fuzz', '--workers', '65'], /--workers is too large: 65 \(at most 64\)/],
    ['fuzz: --time zero', () => ['fuzz', '--time', '0'], /--time must be at least 1/],
    ['fuzz: --time huge', () => ['fuzz', '--time', '99999999'], /--time is too large/],
    ['fuzz: --time fractional', () => ['fuzz', '--time', '0.5'], /--time takes an integer/],
    ['fuzz: --batch zero', () => ['fuzz', '--batch', '0'], /--batch must be at least 1/],
    ['fuzz: --runs with --time', () => ['fuzz', '--runs', '10', '--time', '5'], /give --runs or --time, not both/],
    ['fuzz: unknown profile', () => ['fuzz', '--profile', 'nope'], /--profile: unknown profile "nope"/],
    ...BUILTINS.map((n): [string, () => string[], RegExp] => [`fuzz: profile ${n}`, () => ['fuzz', '--profile', n], new RegExp(`unknown profile "${n}"`)]),
    ['fuzz: unknown property', () => ['fuzz', '--property', 'nope'], /--property: unknown property "nope"/],
    ...BUILTINS.map((n): [string, () => string[], RegExp] => [`fuzz: property ${n}`, () => ['fuzz', '--property', n], new RegExp(`unknown property "${n}"`)]),
    ['fuzz: property with a newline', () => ['fuzz', '--property', 'a\nb'], /unknown property "a\\nb"/],
    ['fuzz: --shard 0/2', () => ['fuzz', ...quick, '--shard', '0/2'], /--shard takes i\/n .*"0\/2"/],
    ['fuzz: --shard 3/2', () => ['fuzz', ...quick, '--shard', '3/2'], /--shard takes i\/n/],
    ['fuzz: --shard 1/0', () => ['fuzz', ...quick, '--shard', '1/0'], /--shard takes i\/n/],
    ['fuzz: --shard a/b', () => ['fuzz', ...quick, '--shard', 'a/b'], /--shard takes i\/n/],
    ['fuzz: --shard 1/2/3', () => ['fuzz', ...quick, '--shard', '1/2/3'], /--shard takes i\/n/],
    ['fuzz: --shard 2', () => ['fuzz', ...quick, '--shard', '2'], /--shard takes i\/n/],
    ['fuzz: --shard -1/2', () => ['fuzz', ...quick, '--shard', '-1/2'], /--shard takes i\/n/],
    ['fuzz: --shard huge', () => ['fuzz', ...quick, '--shard', '1/99999999999999999999'], /--shard takes i\/n/],
    ['fuzz: --path not a path', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', 'abc'], /--path takes a replay path .*"abc"/],
    ['fuzz: --path with letters', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '1:a:2'], /--path takes a replay path/],
    ['fuzz: --path negative', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '-1'], /--path takes a replay path/],
    ['fuzz: --path trailing colon', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '1:2:'], /--path takes a replay path/],
    ['fuzz: --path no such path', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '1:2:3:4:5:6:7:8:9:9:9:9:9:9:9:9:9:9:9'], /--path 1:2:3.* is not a replay path of token-from-bpffs-root with seed 1/],
    ['fuzz: --path without --property', () => ['fuzz', '--path', '1:2'], /--path replays one property: give --property NAME/],
    ['fuzz: --path with --workers', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '1', '--workers', '2'], /--workers does not apply/],
    ['fuzz: --path with --junit', () => ['fuzz', '--property', 'token-from-bpffs-root', '--path', '1', '--junit', f('j.xml')], /--junit does not apply/],
    ['fuzz: --save a file', () => ['fuzz', ...quick, '--save', f('good.json')], /--save .*good\.json: not a directory/],
    ['fuzz: --save missing parent', () => ['fuzz', ...quick, '--save', f('no/such/dir')], /--save .*: directory .*no\/such does not exist/],
    ['fuzz: --save under a file', () => ['fuzz', ...quick, '--save', join(f('good.json'), 'x')], /--save .*: (.*good\.json is not a directory|a component of the path is not a directory)/],
    ['fuzz: --save dangling symlink', () => ['fuzz', ...quick, '--save', f('dangling-dir')], /--save .*dangling-dir: a dangling symbolic link/],
    ['fuzz: --save a symlink loop', () => ['fuzz', ...quick, '--save', f('loop.json')], /--save .*loop\.json: too many levels of symbolic links/],
    ['fuzz: --save a device', () => ['fuzz', ...quick, '--save', '/dev/null'], /--save \/dev\/null: not a directory/],
    ['fuzz: --junit a directory', () => ['fuzz', ...quick, '--junit', T], /--junit .*: is a directory, expected a file/],
    ['fuzz: --junit trailing slash', () => ['fuzz', ...quick, '--junit', `${f('new')}/`], /--junit .*: names a directory, expected a file/],
    ['fuzz: --junit missing parent', () => ['fuzz', ...quick, '--junit', f('no/such/j.xml')], /--junit .*: directory .*no\/such does not exist/],
    ['fuzz: --junit /dev/full', () => ['fuzz', ...quick, '--junit', '/dev/full'], /--junit \/dev\/full: not a regular file/],
    ['fuzz: --junit a FIFO', () => ['fuzz', ...quick, '--junit', f('fifo.json')], /--junit .*fifo\.json: not a regular file/],
    ['fuzz: --junit dangling symlink', () => ['fuzz', ...quick, '--junit', f('dangling.json')], /--junit .*dangling\.json: a dangling symbolic link/],
    ['fuzz: --junit symlink loop', () => ['fuzz', ...quick, '--junit', f('loop.json')], /--junit .*loop\.json: too many levels of symbolic links/],
    // ---- run
    ['run: no file', () => ['run'], /run needs at least one scenario file/],
    ['run: missing file', () => ['run', f('missing.json')], /missing\.json: cannot read: does not exist \(ENOENT\)/],
    ['run: a directory', () => ['run', T], /cannot read: is a directory/],
    ['run: /dev/null', () => ['run', '/dev/null'], /\/dev\/null: cannot read: not a regular file/],
    ['run: a FIFO (must not block)', () => ['run', f('fifo.json')], /fifo\.json: cannot read: not a regular file/],
    ['run: dangling symlink', () => ['run', f('dangling.json')], /dangling\.json: cannot read: does not exist/],
    ['run: symlink loop', () => ['run', f('loop.json')], /loop\.json: cannot read: too many levels of symbolic links/],
    ['run: path through a file', () => ['run', join(f('good.json'), 'x.json')], /cannot read: a component of the path is not a directory/],
    ['run: too large', () => ['run', f('big.json')], /big\.json: cannot read: larger than 16777216 bytes/],
    ['run: file name with a newline', () => ['run', f('name\nwith newline.json')], /name\\nwith newline\.json:\$: not valid JSON/],
    ['run: second file bad', () => ['run', f('good.json'), f('empty.json')], /empty\.json:\$: not valid JSON/],
    ['run: unknown flag', () => ['run', f('good.json'), '--frob'], /unknown flag --frob/],
    ['run: --avc with a value', () => ['run', f('good.json'), '--avc=1'], /--avc takes no value/],
    ['run: unknown --profile', () => ['run', f('good.json'), '--profile', 'constructor'], /unknown profile "constructor"/],
    ['run: --kernel with --profile', () => ['run', '--kernel', '--profile', 'linux-6.18', f('good.json')], /--kernel runs the scenario as the running kernel is: no --profile/],
    ['run --kernel: malformed file', () => ['run', '--kernel', f('truncated.json')], /truncated\.json:\$: not valid JSON/],
    ['run --kernel: builtin op', () => ['run', '--kernel', f('slot-op-__proto__.json')], /unknown op "__proto__"/],
    ['run --kernel: a pattern it would not run', () => ['run', '--kernel', f('expect-text-lookaround.json')], /expect_text\.match: pattern not accepted: lookaround/],
    ...(
      [
        ['empty.json', /empty\.json:\$: not valid JSON/],
        ['truncated.json', /truncated\.json:\$: not valid JSON/],
        ['array.json', /array\.json:\$: a scenario must be a JSON object/],
        ['string.json', /string\.json:\$: a scenario must be a JSON object/],
        ['number.json', /number\.json:\$: a scenario must be a JSON object/],
        ['null.json', /null\.json:\$: a scenario must be a JSON object/],
        ['true.json', /true\.json:\$: a scenario must be a JSON object/],
        ['trailing.json', /trailing\.json:\$: not valid JSON/],
        ['comment.json', /comment\.json:\$: not valid JSON/],
        ['nul.json', /nul\.json:\$: not valid JSON/],
        ['binary.json', /binary\.json:\$: not valid JSON/],
        ['newline-in-error.json', /newline-in-error\.json:\$: not valid JSON/],
        ['wrong-format.json', /\$\.format: expected "bpftc\/1", got "bpftc\/2"/],
        ['no-actors.json', /\$\.actors: expected a non-empty list/],
        ['steps-object.json', /\$\.steps: expected a list/],
        ['huge-kuid.json', /\$\.actors\[1\]\.kuid: expected an integer in/],
        ['big-kuid.json', /\$\.actors\[1\]\.kuid: expected an integer in/],
        ['negative-kuid.json', /\$\.actors\[1\]\.kuid: expected an integer in/],
        ['fraction-kuid.json', /\$\.actors\[1\]\.kuid: expected an integer in/],
        ['big-map-type.json', /\$\.steps\[3\]\.map_type: expected an integer in \[0, 4294967295\], got 4294967296/],
        ['seteuid-minus-one.json', /\$\.steps\[0\]\.euid: expected an integer in \[0, 4294967294\], got 4294967295/],
        ['percpu-huge.json', /\$\.steps\[0\]: limit: per-CPU map values \(at most 16777216 bytes\)/],
        ['deep.json', /deep\.json:\$: nested deeper than 64 levels/],
        ['expect-empty-set.json', /\$\.steps\[0\]\.expect: an empty list of results/],
        ['expect-fails-in-set.json', /\$\.steps\[0\]\.expect\[1\]: "fails" stands alone, not in a list/],
        ['expect-twice-in-set.json', /\$\.steps\[0\]\.expect\[1\]: "EPERM" is listed twice/],
        ['expect-huge-set.json', /\$\.steps\[0\]\.expect: a list of more than 16 results/],
        ['expect-object.json', /\$\.steps\[0\]\.expect: expected "ok", an errno name or "REFUSED", got \{"any":\["EPERM"\]\} \(or "fails", or a list of results\)/],
        ['expect-text-array.json', /\$\.steps\[0\]\.expect_text: expected a string, \{"match": pattern\}/],
        ['expect-text-lookaround.json', /\$\.steps\[0\]\.expect_text\.match: pattern not accepted: lookaround and named groups are not supported/],
        ['expect-text-backref.json', /\$\.steps\[0\]\.expect_text\.match: pattern not accepted: back-references/],
        ['expect-text-exploding-repeat.json', /\$\.steps\[0\]\.expect_text\.match: pattern not accepted: the pattern is too large once repeats are expanded/],
        ['expect-text-long-pattern.json', /\$\.steps\[0\]\.expect_text\.match: pattern not accepted: a pattern longer than 256 characters/],
        ['expect-text-unclosed.json', /\$\.steps\[0\]\.expect_text\.match: pattern not accepted: missing "\)" at offset 13/],
        ['expect-text-pattern-number.json', /\$\.steps\[0\]\.expect_text\.match: expected a pattern string, got 5/],
        ['expect-text-field-alone.json', /\$\.steps\[0\]\.expect_text: \{"field"\} needs exactly one of "value" and "match"/],
        ['expect-text-field-both.json', /\$\.steps\[0\]\.expect_text: \{"field"\} needs exactly one of "value" and "match"/],
        ['expect-text-field-name.json', /\$\.steps\[0\]\.expect_text\.field: expected a field name/],
        ['expect-text-value-alone.json', /\$\.steps\[0\]\.expect_text\.value: "value" needs "field"/],
        ['expect-text-unknown-key.json', /\$\.steps\[0\]\.expect_text\.regex: a text expectation takes no "regex"/],
        ['deep-meta.json', /deep-meta\.json:\$: nested deeper than 64 levels/],
      ] as Array<[string, RegExp]>
    ).map(([file, re]): [string, () => string[], RegExp] => [`run: ${file}`, () => ['run', f(file)], re]),
    // built-in names in every slot with a closed vocabulary
    ...SLOTS.flatMap(([slot, , re]) =>
      BUILTINS.map((n): [string, () => string[], RegExp] => [`run: ${slot} "${n}"`, () => ['run', f(`slot-${slot.replace(/\W+/g, '_')}-${n}.json`)], re]),
    ),
    // ---- diff
    ['diff: no flags', () => ['diff'], /diff needs --from PROFILE/],
    ['diff: no --to', () => ['diff', '--from', 'linux-6.18'], /diff needs --to PROFILE/],
    ['diff: unknown --from', () => ['diff', '--from', 'nope', '--to', 'linux-6.18'], /--from: unknown profile "nope"/],
    ['diff: --to __proto__', () => ['diff', '--from', 'linux-6.18', '--to', '__proto__'], /--to: unknown profile "__proto__"/],
    ['diff: --format xml', () => ['diff', '--from', 'linux-6.18', '--to', 'token-v10', '--format', 'xml'], /--format is text, markdown or json, got "xml"/],
    ['diff: --format toString', () => ['diff', '--from', 'linux-6.18', '--to', 'token-v10', '--format', 'toString'], /--format is text, markdown or json/],
    ['diff: --polcap maybe', () => ['diff', '--from', 'linux-6.18', '--to', 'token-v10', '--polcap', 'maybe'], /--polcap is on or off, got "maybe"/],
    ['diff: --runs zero', () => ['diff', '--from', 'linux-6.18', '--to', 'token-v10', '--runs', '0'], /--runs must be at least 1/],
    ['diff: --seed huge', () => ['diff', '--from', 'linux-6.18', '--to', 'token-v10', '--seed', '1e99'], /--seed takes an integer/],
    ['diff: positional', () => ['diff', 'linux-6.18', 'token-v10'], /diff takes no positional argument \(got "linux-6\.18"\)/],
    ['diff: --from twice', () => ['diff', '--from', 'linux-6.18', '--from', 'token-v10', '--to', 'token-v10'], /--from given twice/],
    // ---- repro
    ['repro: no file', () => ['repro', '--c'], /repro takes exactly one scenario file/],
    ['repro: two files', () => ['repro', '--c', f('good.json'), f('good.json')], /repro takes exactly one scenario file/],
    ['repro: no --c', () => ['repro', f('good.json')], /repro needs --c/],
    ['repro: --c with a value', () => ['repro', f('good.json'), '--c=yes'], /--c takes no value/],
    ['repro: missing file', () => ['repro', '--c', f('missing.json')], /missing\.json: cannot read: does not exist/],
    ['repro: malformed file', () => ['repro', '--c', f('truncated.json')], /truncated\.json:\$: not valid JSON/],
    ['repro: builtin class', () => ['repro', '--c', f('slot-SELinux_class-toString.json')], /unknown class "toString"/],
    ['repro: --out exists', () => ['repro', '--c', f('good.json'), '--out', f('existing-out/r.c')], /--out .*r\.c: already exists \(--force replaces it\)/],
    ['repro: --out a directory', () => ['repro', '--c', f('good.json'), '--out', T], /--out .*: is a directory, expected a file/],
    ['repro: --out missing parent', () => ['repro', '--c', f('good.json'), '--out', f('no/such/r.c')], /--out .*: directory .*no\/such does not exist/],
    ['repro: --out /dev/full', () => ['repro', '--c', f('good.json'), '--out', '/dev/full', '--force'], /--out \/dev\/full: not a regular file/],
    ['repro: --out dangling symlink', () => ['repro', '--c', f('good.json'), '--out', f('dangling.json')], /--out .*: a dangling symbolic link/],
    ['repro: --force without --out', () => ['repro', '--c', f('good.json'), '--force'], /--force only applies with --out FILE/],
    ['repro: --out without value', () => ['repro', '--c', f('good.json'), '--out'], /--out needs a value/],
    // ---- corpus merge
    ['corpus: no subcommand', () => ['corpus'], /corpus takes one subcommand: merge DIR\.\.\. \[--into DIR\]$/],
    ['corpus: unknown subcommand', () => ['corpus', 'split', T], /corpus takes one subcommand.*\(got "split"\)/],
    ['corpus: subcommand constructor', () => ['corpus', 'constructor'], /\(got "constructor"\)/],
    ['corpus merge: no directory', () => ['corpus', 'merge'], /corpus merge needs at least one directory of findings/],
    ['corpus merge: missing directory', () => ['corpus', 'merge', f('nope')], /corpus merge .*nope: does not exist/],
    ['corpus merge: a file', () => ['corpus', 'merge', f('good.json')], /corpus merge .*good\.json: not a directory/],
    ['corpus merge: dangling symlink as the directory', () => ['corpus', 'merge', f('dangling-dir')], /dangling-dir: a dangling symbolic link/],
    ['corpus merge: dangling symlink inside', () => ['corpus', 'merge', f('shard-dangling'), '--into', f('into')], /shard-dangling\/x\.json: a dangling symbolic link/],
    ['corpus merge: self-referencing symlink', () => ['corpus', 'merge', f('shard-self-loop'), '--into', f('into')], /shard-self-loop\/l\.json: a symbolic link loop/],
    ['corpus merge: directory link to an ancestor', () => ['corpus', 'merge', f('shard-dir-loop'), '--into', f('into')], /shard-dir-loop\/sub\/up: a symbolic link loop/],
    ['corpus merge: malformed JSON', () => ['corpus', 'merge', f('shard-good'), f('shard-bad-json'), '--into', f('into')], /shard-bad-json\/a\.json:\$: not valid JSON/],
    ['corpus merge: JSON array', () => ['corpus', 'merge', f('shard-array'), '--into', f('into')], /shard-array\/a\.json:\$: a scenario must be a JSON object/],
    ['corpus merge: builtin op', () => ['corpus', 'merge', f('shard-builtin-op'), '--into', f('into')], /unknown op "constructor"/],
    ['corpus merge: nested too deep', () => ['corpus', 'merge', f('shard-deep'), '--into', f('into')], /shard-deep\/a\.json:\$: nested deeper than 64 levels/],
    ['corpus merge: a FIFO', () => ['corpus', 'merge', f('shard-fifo'), '--into', f('into')], /p\.json: cannot read: not a regular file/],
    ['corpus merge: a directory named .json', () => ['corpus', 'merge', f('shard-dirjson'), '--into', f('into')], /bad\.json:\$: not valid JSON/],
    ['corpus merge: --into a file', () => ['corpus', 'merge', f('shard-good'), '--into', f('good.json')], /--into .*good\.json: not a directory/],
    ['corpus merge: --into missing parent', () => ['corpus', 'merge', f('shard-good'), '--into', f('no/such/into')], /--into .*: directory .*no\/such does not exist/],
    ['corpus merge: --into dangling symlink', () => ['corpus', 'merge', f('shard-good'), '--into', f('dangling-dir')], /--into .*: a dangling symbolic link/],
    ['corpus merge: --into a device', () => ['corpus', 'merge', f('shard-good'), '--into', '/dev/null'], /--into \/dev\/null: not a directory/],
    ['corpus merge: unknown flag', () => ['corpus', 'merge', f('shard-good'), '--out', f('into')], /unknown flag --out/],
    // ---- coverage
    ['coverage: a coverage file that is not there', () => ['coverage', 'x'], /x: cannot read: does not exist/],
    ['coverage: two files', () => ['coverage', 'x', 'y'], /coverage takes at most one coverage file \(got "y"\)/],
    ['coverage: a scenario, not a coverage file', () => ['coverage', f('good.json')], /good\.json:\$\.format: expected "bpftc-coverage\/1"/],
    ['coverage: a file and a campaign flag', () => ['coverage', f('good.json'), '--runs', '5'], /--runs makes a campaign of its own: not with a coverage file/],
    ['fuzz: --coverage a directory', () => ['fuzz', '--runs', '1', '--coverage', T], /--coverage .*: is a directory, expected a file/],
    ['fuzz: --plugin without a file', () => ['fuzz', '--plugin'], /--plugin needs a file/],
    ['fuzz: --plugin missing', () => ['fuzz', '--plugin', f('nope.js')], /--plugin .*nope\.js: no such file/],
    ['coverage: unknown profile', () => ['coverage', '--profile', 'valueOf'], /--profile: unknown profile "valueOf"/],
    ['coverage: --runs zero', () => ['coverage', '--runs', '0'], /--runs must be at least 1/],
    ['coverage: --runs text', () => ['coverage', '--runs', 'lots'], /--runs takes an integer/],
    ['coverage: --lsm with a value', () => ['coverage', '--lsm=on'], /--lsm takes no value/],
    ['coverage: --html a directory', () => ['coverage', '--runs', '1', '--html', T], /--html .*: is a directory, expected a file/],
    ['coverage: --html missing parent', () => ['coverage', '--runs', '1', '--html', f('no/such/c.html')], /--html .*: directory .*no\/such does not exist/],
    ['coverage: --html /dev/full', () => ['coverage', '--runs', '1', '--html', '/dev/full'], /--html \/dev\/full: not a regular file/],
    ['coverage: unknown flag', () => ['coverage', '--svg', 'x'], /unknown flag --svg/],
    // ---- properties, profiles
    ['properties: positional', () => ['properties', 'x'], /properties takes no argument \(got "x"\)/],
    ['properties: unknown flag', () => ['properties', '--json'], /unknown flag --json/],
    ['profiles: positional', () => ['profiles', 'all'], /profiles takes no argument \(got "all"\)/],
    ['profiles: unknown flag', () => ['profiles', '--verbose'], /unknown flag --verbose/],
    // ---- oracle (all checked before the kernel is probed)
    ['oracle: --runs text', () => ['oracle', '--runs', 'many'], /--runs takes an integer .*"many"/],
    ['oracle: positional', () => ['oracle', 'x'], /oracle takes no positional argument \(got "x"\)/],
    ['oracle: unknown flag', () => ['oracle', '--frob'], /unknown flag --frob/],
    ['oracle: --max-commands zero', () => ['oracle', '--max-commands', '0'], /--max-commands must be at least 1/],
    ['oracle: --max-commands huge', () => ['oracle', '--max-commands', '100000'], /--max-commands is too large/],
    ['oracle: --no-shrink with a value', () => ['oracle', '--no-shrink=1'], /--no-shrink takes no value/],
    ['oracle: --corpus missing', () => ['oracle', '--corpus', f('nope')], /--corpus .*nope: does not exist/],
    ['oracle: --corpus a file', () => ['oracle', '--corpus', f('good.json')], /--corpus .*good\.json: not a directory/],
    ['corpus merge: a symlink to a file out of the corpus', () => ['corpus', 'merge', f('shard-link-out-file'), '--into', f('into')], /leak\.json: a symbolic link out of the corpus directory \(to .*outside-secret\.txt\)$/],
    ['corpus merge: a symlink to a directory out of the corpus', () => ['corpus', 'merge', f('shard-link-out-dir'), '--into', f('into')], /elsewhere: a symbolic link out of the corpus directory/],
    ['oracle: --corpus with a symlink out of it (not read, not quoted)', () => ['oracle', '--corpus', f('shard-link-out-file')], /leak\.json: a symbolic link out of the corpus directory/],
    ['oracle: --corpus with a symlink to /dev/zero', () => ['oracle', '--corpus', f('shard-link-dev-zero')], /zero\.json: a symbolic link out of the corpus directory \(to \/dev\/zero\)/],
    ['corpus merge: meta.property an object with toString', () => ['corpus', 'merge', f('shard-meta-object'), '--into', f('into')], /a\.json:\$\.meta\.property: expected a string, got \{"toString":1,"valueOf":1\}/],
    ['oracle: --corpus meta.kernel_checkable not a boolean', () => ['oracle', '--corpus', f('shard-meta-checkable')], /a\.json:\$\.meta\.kernel_checkable: expected true or false, got "yes"/],
    ['oracle: --corpus dangling link inside', () => ['oracle', '--corpus', f('shard-dangling')], /x\.json: a dangling symbolic link/],
    ['oracle: --corpus loop inside', () => ['oracle', '--corpus', f('shard-dir-loop')], /a symbolic link loop/],
    ['oracle: --corpus malformed file', () => ['oracle', '--corpus', f('shard-bad-json')], /a\.json:\$: not valid JSON/],
    ['oracle: --save a file', () => ['oracle', '--save', f('good.json')], /--save .*good\.json: not a directory/],
    ['oracle: --save missing parent', () => ['oracle', '--save', f('no/such/dir')], /--save .*: directory .*no\/such does not exist/],
    // ---- environment variables (every one the code reads), on several commands
    ...(
      [
        ['BPFTC_RUNS', 'abc', /environment variable BPFTC_RUNS takes an integer in 1\.\.1000000000, got "abc"/],
        ['BPFTC_RUNS', '', /environment variable BPFTC_RUNS is empty/],
        ['BPFTC_RUNS', '0', /environment variable BPFTC_RUNS takes an integer in 1\.\.1000000000, got 0/],
        ['BPFTC_RUNS', '-1', /BPFTC_RUNS takes an integer/],
        ['BPFTC_RUNS', '1.5', /BPFTC_RUNS takes an integer/],
        ['BPFTC_RUNS', '1e3', /BPFTC_RUNS takes an integer/],
        ['BPFTC_RUNS', ' 10', /BPFTC_RUNS takes an integer/],
        ['BPFTC_RUNS', '99999999999999999999', /BPFTC_RUNS takes an integer/],
        ['BPFTC_RUNS', 'constructor', /BPFTC_RUNS takes an integer/],
        ['BPFTC_SEED', 'abc', /environment variable BPFTC_SEED takes an integer in 0\.\.4294967295/],
        ['BPFTC_SEED', '', /BPFTC_SEED is empty/],
        ['BPFTC_SEED', '-1', /BPFTC_SEED takes an integer/],
        ['BPFTC_SEED', '4294967296', /BPFTC_SEED takes an integer in 0\.\.4294967295, got 4294967296/],
        ['BPFTC_SEED', '0x1', /BPFTC_SEED takes an integer/],
        ['BPFTC_ORACLE_RUNS', 'abc', /BPFTC_ORACLE_RUNS takes an integer/],
        ['BPFTC_ORACLE_RUNS', '0', /BPFTC_ORACLE_RUNS takes an integer in 1\.\./],
        ['BPFTC_ORACLE_RUNS', '', /BPFTC_ORACLE_RUNS is empty/],
        ['BPFTC_DEBUG', '2', /BPFTC_DEBUG takes an integer in 0\.\.1, got 2/],
        ['BPFTC_DEBUG', 'yes', /BPFTC_DEBUG takes an integer in 0\.\.1, got "yes"/],
        ['BPFTC_DEBUG', '', /BPFTC_DEBUG is empty/],
      ] as Array<[string, string, RegExp]>
    ).flatMap(([name, value, re], i): Array<[string, () => string[], RegExp, Record<string, string>]> => {
      // each value on one command; the first of each variable also on the others
      const cmds = [['fuzz', ...quick], ['run', f('good.json')], ['diff', '--from', 'linux-6.18', '--to', 'token-v10'], ['coverage'], ['oracle'], ['properties'], ['corpus', 'merge', f('shard-good'), '--into', f('into')]];
      const pick = i % 3 === 0 ? cmds : [cmds[i % cmds.length]!];
      return pick.map((argv) => [`env ${name}=${JSON.stringify(value)}: ${argv[0]}`, () => argv, re, { [name]: value }]);
    }),
  ];

  it('the base of the name-slot cases is a valid scenario', async () => {
    writeFileSync(f('base.json'), JSON.stringify(base()));
    const r = await cli(['run', f('base.json')]);
    expect(r.err).toEqual([]);
    expect([0, 1]).toContain(r.code);
  });

  it(`has at least 150 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)('%s', async (label, argv, names, env) => {
    const r = await cli(argv(), env ?? {});
    expectOneLineError(r, names, label);
  });

  it('a failed merge writes nothing (every source is validated first)', () => {
    expect(readdirSync(f('into'))).toEqual([]);
    expect(readFileSync(f('existing-out/r.c'), 'utf8')).toBe('old\n');
  });

  it('the same scenario with built-in names as actor, user namespace and handle names runs the same', async () => {
    const orig = readFileSync(GOOD_FILE, 'utf8');
    const renamed = [
      ['"parent"', '"__proto__"'],
      ['"child"', '"constructor"'],
      ['"u1"', '"toString"'],
      ['"fs"', '"hasOwnProperty"'],
      ['"pfs"', '"valueOf"'],
      ['"tok"', '"__proto__"'],
      ['"root"', '"constructor"'],
    ].reduce((t, [a, b]) => t.replace(new RegExp(`(:\\s*)${a!}`, 'g'), `$1${b!}`), orig); // values only, not keys
    writeFileSync(f('builtin-names.json'), renamed);
    const a = await cli(['run', '--json', GOOD_FILE]);
    const b = await cli(['run', '--json', f('builtin-names.json')]);
    expect(a.code).toBe(0);
    expect(b.code, b.err.join('\n')).toBe(0);
    const results = (o: string[]): unknown => (JSON.parse(o.join('\n')) as Array<{ steps: Array<{ ret: string; text?: string }> }>)[0]!.steps.map((s) => [s.ret, s.text]);
    expect(results(b.out)).toEqual(results(a.out));
  });

  it(`fsconfig keys named like Object.prototype members are unknown bpffs parameters (ignored, as the kernel does)${noKernel ? ` (kernel part skipped: ${noKernel})` : ''}`, async () => {
    const s = {
      format: 'bpftc/1',
      actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'own' }],
      steps: [
        { actor: 'root', op: 'fsopen', as: 'fs', expect: 'ok' },
        ...BUILTINS.map((key) => ({ actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'set_string', key, value: '1', expect: 'ok' })),
        ...BUILTINS.map((key) => ({ actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'set_flag', key, expect: 'ok' })),
        { actor: 'root', op: 'fsconfig', fd: 'fs', cmd: 'create', expect: 'ok' },
        { actor: 'root', op: 'fsmount', fd: 'fs', as: 'mnt', expect: 'ok' },
        { actor: 'root', op: 'open', dirfd: 'mnt', path: '.', as: 'root', expect: 'ok' },
        { actor: 'root', op: 'mountinfo', fd: 'root', expect: 'ENOENT' },
      ],
    };
    writeFileSync(f('proto-keys.json'), JSON.stringify(s));
    const m = await cli(['run', f('proto-keys.json')]);
    expect(m.err).toEqual([]);
    expect(m.out.join('\n')).toMatch(/all expectations met/);
    expect(m.code).toBe(0);
    if (noKernel) return;
    for (const file of [f('proto-keys.json'), f('builtin-names.json')]) {
      const k = await cli(['run', '--kernel', file]);
      expect(k.out.join('\n'), file).toMatch(/model and kernel agree/);
      expect(k.code, k.out.join('\n')).toBe(0);
    }
  }, 60_000);

  it('control bytes in scenario text (terminal escape sequences, carriage returns) are printed escaped', async () => {
    const s = JSON.parse(readFileSync(GOOD_FILE, 'utf8')) as { name: string; steps: Array<Record<string, unknown>> };
    s.name = 'title\u001b]0;owned\u0007 \u001b[2J\r\u009b';
    s.steps[1]!.label = 'label\rover';
    s.steps[8]!.path = '.\u001b[1A';
    writeFileSync(f('escapes.json'), JSON.stringify(s));
    const r = await cli(['run', f('escapes.json')]);
    const text = [...r.out, ...r.err].join('\n');
    expect(text).toMatch(/title\\u001b\]0;owned\\u0007 \\u001b\[2J\\u000d\\u009b/);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // --json stays JSON and keeps the text
    const j = await cli(['run', '--json', f('escapes.json')]);
    expect(j.out.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(() => JSON.parse(j.out.join('\n')) as unknown).not.toThrow();
  });

  it('an unexpected exception is one line and exit 3; BPFTC_DEBUG=1 adds the stack', async () => {
    EXTRA.set('__boom', async () => () => {
      throw new TypeError('cannot read properties of undefined');
    });
    try {
      const r = await cli(['__boom']);
      expect(r.code).toBe(3);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^bpftc: internal error \(a bug in bpftc, please report it\): TypeError: cannot read properties of undefined \(BPFTC_DEBUG=1 shows the stack\)$/);
      expect(r.out).toEqual([]);
      const d = await cli(['__boom'], { BPFTC_DEBUG: '1' });
      expect(d.code).toBe(3);
      expect(d.err.join('\n')).toMatch(/^\s+at /m);
    } finally {
      EXTRA.delete('__boom');
    }
  });

  it('leaves the corpus byte-for-byte unchanged', () => {
    expect(corpusHash(CORPUS)).toBe(corpusBefore);
  });
});
