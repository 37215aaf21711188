// Parsing and validation of scenario files: every problem is reported with
// the JSON path where it sits, so a hand-written or corrupted file gets one
// precise line, never a stack trace.

import { ACTOR_KEYS, SCENARIO_FORMAT, SCENARIO_KEYS, USERNS_KEYS, type Scenario, type Step } from './types.ts';
import { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS, BPF_LSM_INTEGRITY_HOOKS, ENUMS, LSM_AT_HOOKS, LSM_NAMES, POLICY_CAPS, capByName, enumValue, errnoByName, knownProfile, parseRule } from './vocab.ts';
import { COMMON_KEYS, FD_ARRAY_MAX, opSpec } from './ops.ts';
import { LIMITS, REASONS, REFUSED, TARGET_NAME, limitMessage, literalFd, perCpuBytes } from './sandbox.ts';
import { checkExpectResult, checkExpectText } from './expect.ts';
import { type IntegrityStackDecl, checkIntegrityDecl, declaredNames } from './integrity.ts';
const BPF_LSM_ALL_HOOKS: readonly string[] = [...BPF_LSM_HOOKS, ...BPF_LSM_INTEGRITY_HOOKS, ...BPF_LSM_FILE_HOOKS];
const VERDICTS = ['NONE', 'OK', 'UNSIGNED', 'PARTIALSIG', 'BADSIG'];
const KEYRINGS = ['builtin', 'secondary', 'platform', 'session', 'user', 'missing'];

function oneOf(v: Json, path: string, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v)) fail(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
}

/** a prog_load "signature" (seed 002 / 6.18 signing, model only) */
function checkSignature(v: Json, path: string): void {
  if (!isObj(v)) fail(path, 'expected {"state", "keyring", "maps"?}');
  for (const key of Object.keys(v)) if (!['state', 'keyring', 'maps'].includes(key)) fail(`${path}.${key}`, `a signature takes no "${key}"`);
  oneOf(v.state, `${path}.state`, ['valid', 'bad', 'untrusted_key', 'malformed']);
  oneOf(v.keyring, `${path}.keyring`, KEYRINGS);
  if (v.maps !== undefined) oneOf(v.maps, `${path}.maps`, ['none', 'match', 'mismatch']);
}

/** the scenario's "ipe" policy (seed 002 consumer, model only) */
function checkIpe(v: Json, path: string): void {
  if (!isObj(v)) fail(path, 'expected {"default", "rules", "fail_fast"?}');
  for (const key of Object.keys(v)) if (!['default', 'rules', 'fail_fast'].includes(key)) fail(`${path}.${key}`, `an IPE policy takes no "${key}"`);
  oneOf(v.default, `${path}.default`, ['allow', 'deny']);
  if (!Array.isArray(v.rules)) fail(`${path}.rules`, 'expected a list');
  v.rules.forEach((r, i) => {
    const rp = `${path}.rules[${i}]`;
    if (!isObj(r)) fail(rp, 'expected an object');
    for (const key of Object.keys(r))
      if (!['action', 'bpf_signature', 'bpf_kernel', 'bpf_keyring'].includes(key)) fail(`${rp}.${key}`, `an IPE rule takes no "${key}"`);
    oneOf(r.action, `${rp}.action`, ['allow', 'deny']);
    if (r.bpf_signature !== undefined) oneOf(r.bpf_signature, `${rp}.bpf_signature`, VERDICTS);
    bool(r, 'bpf_kernel', rp);
    if (r.bpf_keyring !== undefined) oneOf(r.bpf_keyring, `${rp}.bpf_keyring`, ['builtin', 'secondary', 'platform']);
  });
  if (v.fail_fast !== undefined) strList(v.fail_fast, `${path}.fail_fast`).forEach((x, i) => oneOf(x, `${path}.fail_fast[${i}]`, VERDICTS));
}

/** refuses a key `allowed` does not list (what: "a scenario", "an actor", ...) */
function onlyKeys(o: Obj, allowed: readonly string[], path: string, what: string): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`${path}.${key}`, `${what} takes no "${key}" (known: ${allowed.join(', ')})`);
}

function strList(v: Json, path: string): string[] {
  if (!Array.isArray(v)) fail(path, 'expected a list of strings');
  return v.map((x, i) => {
    if (typeof x !== 'string') fail(`${path}[${i}]`, `expected a string, got ${JSON.stringify(x)}`);
    return x;
  });
}

/** a SELinux policy (scenario "selinux" block, policy_load action) */
function checkPolicy(v: Json, path: string, boot: boolean): void {
  if (!isObj(v)) fail(path, 'expected a policy object');
  const keys = new Set(['allow', 'polcap', 'defines_token_perms', 'handle_unknown', 'enforcing', 'permissive', ...(boot ? ['loaded'] : [])]);
  for (const key of Object.keys(v)) if (!keys.has(key)) fail(`${path}.${key}`, `a policy takes no "${key}"`);
  strList(v.allow, `${path}.allow`).forEach((r, i) => {
    const x = parseRule(r);
    if (typeof x === 'string') fail(`${path}.allow[${i}]`, x);
  });
  if (v.polcap !== undefined)
    strList(v.polcap, `${path}.polcap`).forEach((c, i) => {
      if (!(POLICY_CAPS as readonly string[]).includes(c)) fail(`${path}.polcap[${i}]`, `unknown policy capability "${c}"`);
    });
  bool(v, 'defines_token_perms', path);
  bool(v, 'enforcing', path);
  if (boot) bool(v, 'loaded', path);
  if (v.handle_unknown !== undefined && v.handle_unknown !== 'allow' && v.handle_unknown !== 'deny' && v.handle_unknown !== 'reject')
    fail(`${path}.handle_unknown`, `expected allow, deny or reject, got ${JSON.stringify(v.handle_unknown)}`);
  if (v.permissive !== undefined) strList(v.permissive, `${path}.permissive`);
}

export class ScenarioError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

type Json = unknown;
type Obj = Record<string, Json>;

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, msg: string): never {
  throw new ScenarioError(path, msg);
}

function str(o: Obj, key: string, path: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') fail(`${path}.${key}`, `expected a string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function int(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${path}.${key}`, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function bool(o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${path}.${key}`, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function capsList(v: Json, path: string): string[] | 'all' {
  if (v === 'all') return 'all';
  if (!Array.isArray(v)) fail(path, 'expected "all" or a list of capability names');
  return v.map((c, i) => {
    if (typeof c !== 'string' || capByName(c) === undefined) fail(`${path}[${i}]`, `unknown capability ${JSON.stringify(c)}`);
    return c;
  });
}

const COMMON = new Set<string>(COMMON_KEYS);
const INT_MAX = 2 ** 32 - 1;

function checkResult(v: Json, path: string): void {
  if (typeof v !== 'string' || (v !== 'ok' && errnoByName(v) === undefined))
    fail(path, `expected "ok" or an errno name, got ${JSON.stringify(v)}`);
}

/** a step's expected result: also "REFUSED" (oracle/SANDBOX.md), "fails" or a
 *  set of results (task tokenc: scenario/expect.ts) */
function checkExpect(v: Json, path: string): void {
  const bad = checkExpectResult(v, (x) => errnoByName(x) !== undefined);
  if (bad) fail(`${path}${bad.at}`, bad.msg);
}

/** Scenario-level limits (oracle/SANDBOX.md "Limits"): every string (key or
 *  value) at most LIMITS.string bytes. Iterative, so a deeply nested file
 *  cannot exhaust the stack. */
function checkStrings(v: Json, root: string): void {
  const todo: Array<[Json, string]> = [[v, root]];
  const tooLong = (x: string): boolean => x.length > LIMITS.string || Buffer.byteLength(x, 'utf8') > LIMITS.string;
  while (todo.length) {
    const [x, p] = todo.pop()!;
    if (typeof x === 'string') {
      if (tooLong(x)) fail(p, limitMessage('string'));
    } else if (Array.isArray(x)) {
      x.forEach((e, i) => todo.push([e, `${p}[${i}]`]));
    } else if (isObj(x)) {
      for (const [k, e] of Object.entries(x)) {
        if (tooLong(k)) fail(p, limitMessage('string'));
        todo.push([e, `${p}.${k}`]);
      }
    }
  }
}

const KERNEL_OUTCOMES = ['reproduced', 'does-not-hold', 'not-applicable', 'not-run'];
const VERDICT_CLASSES = ['contradicts-text', 'latent', 'pre-existing', 'design-decision', 'design-question', 'withdrawn'];

/** the metadata block (scenario/types.ts ScenarioMeta): every known field has its type, so
 *  a stranger's `"property": {"toString": 1}` is one error line here, not a TypeError where
 *  a command interpolates it (corpus merge). Unknown fields are kept and never read. */
function checkMeta(m: Json, path: string): void {
  if (!isObj(m)) fail(path, 'expected an object');
  for (const key of ['property', 'profile', 'date', 'path', 'note', 'finding']) str(m, key, path, true);
  if (m.seed !== undefined && (typeof m.seed !== 'number' || !Number.isSafeInteger(m.seed)))
    fail(`${path}.seed`, `expected an integer, got ${JSON.stringify(m.seed)}`);
  bool(m, 'kernel_checkable', path);
  if (m.verdict !== undefined) oneOf(m.verdict, `${path}.verdict`, VERDICT_CLASSES);
  if (m.kernel !== undefined) {
    const k = m.kernel;
    const kp = `${path}.kernel`;
    if (!isObj(k)) fail(kp, 'expected {"release"?, "results": [{"ret", "text"?}, ...]}');
    str(k, 'release', kp, true);
    if (!Array.isArray(k.results)) fail(`${kp}.results`, 'expected a list of results');
    k.results.forEach((r, i) => {
      const rp = `${kp}.results[${i}]`;
      if (!isObj(r)) fail(rp, 'expected {"ret", "text"?}');
      str(r, 'ret', rp);
      str(r, 'text', rp, true);
    });
  }
  if (m.kernel_bug !== undefined) {
    const b = m.kernel_bug;
    const bp = `${path}.kernel_bug`;
    if (!isObj(b)) fail(bp, 'expected {"id", "kernels": [...], "expect", "at_step"?, "oops"?}');
    str(b, 'id', bp);
    str(b, 'expect', bp);
    str(b, 'oops', bp, true);
    strList(b.kernels, `${bp}.kernels`);
    if (b.at_step !== undefined && (typeof b.at_step !== 'number' || !Number.isSafeInteger(b.at_step))) fail(`${bp}.at_step`, 'expected an integer');
  }
  if (m.kernels !== undefined) {
    const kp = `${path}.kernels`;
    if (!isObj(m.kernels)) fail(kp, 'expected {"<kernel>": {"outcome", "note"?}, ...}');
    for (const [k, v] of Object.entries(m.kernels)) {
      if (!isObj(v)) fail(`${kp}.${k}`, 'expected {"outcome", "note"?}');
      oneOf(v.outcome, `${kp}.${k}.outcome`, KERNEL_OUTCOMES);
      str(v, 'note', `${kp}.${k}`, true);
    }
  }
  if (m.shows !== undefined) {
    if (!Array.isArray(m.shows)) fail(`${path}.shows`, 'expected a list');
    m.shows.forEach((x, i) => {
      if (!isObj(x)) fail(`${path}.shows[${i}]`, 'expected an object');
    });
  }
}

/** Validates parsed JSON as a scenario; throws ScenarioError with a JSON path. */
export function validateScenario(v: Json, root = '$'): Scenario {
  if (!isObj(v)) fail(root, 'a scenario must be a JSON object');
  if (v.format !== SCENARIO_FORMAT) fail(`${root}.format`, `expected "${SCENARIO_FORMAT}", got ${JSON.stringify(v.format)}`);
  checkStrings(v, root);
  onlyKeys(v, SCENARIO_KEYS, root, 'a scenario');
  str(v, '$schema', root, true);
  if (Array.isArray(v.steps) && v.steps.length > LIMITS.steps) fail(`${root}.steps`, limitMessage('steps'));
  if (Array.isArray(v.actors) && v.actors.length > LIMITS.actors) fail(`${root}.actors`, limitMessage('actors'));
  if (Array.isArray(v.userns) && v.userns.length > LIMITS.userns) fail(`${root}.userns`, limitMessage('userns'));
  str(v, 'name', root, true);
  str(v, 'description', root, true);
  const profile = str(v, 'profile', root, true);
  if (profile !== undefined && !knownProfile(profile)) fail(`${root}.profile`, `unknown profile "${profile}" (see: bpftc profiles)`);
  if (v.integrity !== undefined) checkIntegrityDecl(v.integrity, `${root}.integrity`, LSM_NAMES, fail);
  const lsmNames: readonly string[] = [...LSM_NAMES, ...declaredNames(v.integrity as IntegrityStackDecl | undefined)];
  if (v.lsm_order !== undefined)
    strList(v.lsm_order, `${root}.lsm_order`).forEach((n, i) => {
      if (!lsmNames.includes(n)) fail(`${root}.lsm_order[${i}]`, `unknown LSM "${n}" (known: ${lsmNames.join(', ')})`);
    });
  if (v.selinux !== undefined) checkPolicy(v.selinux, `${root}.selinux`, true);
  if (v.ipe !== undefined) checkIpe(v.ipe, `${root}.ipe`);
  if (v.sysctl !== undefined) {
    if (!isObj(v.sysctl)) fail(`${root}.sysctl`, 'expected an object');
    onlyKeys(v.sysctl, ['unprivileged_bpf_disabled'], `${root}.sysctl`, 'sysctl');
    const u = v.sysctl.unprivileged_bpf_disabled;
    if (u !== undefined && u !== 0 && u !== 1 && u !== 2)
      fail(`${root}.sysctl.unprivileged_bpf_disabled`, `expected 0, 1 or 2, got ${JSON.stringify(u)}`);
  }
  const userns = new Map<string, { base: number; count: number; depth: number }>([['init', { base: 0, count: INT_MAX, depth: 0 }]]);
  if (v.userns !== undefined) {
    if (!Array.isArray(v.userns)) fail(`${root}.userns`, 'expected a list');
    v.userns.forEach((u, i) => {
      const p = `${root}.userns[${i}]`;
      if (!isObj(u)) fail(p, 'expected an object');
      onlyKeys(u, USERNS_KEYS, p, 'a user namespace');
      const name = str(u, 'name', p)!;
      if (userns.has(name)) fail(`${p}.name`, `duplicate user namespace "${name}"`);
      const parent = str(u, 'parent', p)!;
      const par = userns.get(parent);
      if (!par) fail(`${p}.parent`, `unknown user namespace "${parent}" (declare parents first)`);
      const owner = int(u, 'owner', p, 0, INT_MAX - 1);
      if (owner === undefined) fail(`${p}.owner`, 'missing');
      if (!isObj(u.map)) fail(`${p}.map`, 'expected {"base": kuid, "count": n}');
      const base = int(u.map, 'base', `${p}.map`, 0, INT_MAX - 1);
      const count = int(u.map, 'count', `${p}.map`, 1, 65536);
      if (base === undefined || count === undefined) fail(`${p}.map`, 'needs base and count');
      if (base < par.base || base + count > par.base + par.count)
        fail(`${p}.map`, `kuids ${base}..${base + count - 1} are not all mapped in the parent "${parent}"`);
      if (owner < par.base || owner >= par.base + par.count) fail(`${p}.owner`, `kuid ${owner} is not mapped in the parent "${parent}"`);
      if (par.depth + 1 > LIMITS.depth) fail(`${p}.parent`, limitMessage('depth'));
      userns.set(name, { base, count, depth: par.depth + 1 });
    });
  }
  if (!Array.isArray(v.actors) || v.actors.length === 0) fail(`${root}.actors`, 'expected a non-empty list');
  const actors = new Map<string, string>();
  /** fork_of actors, by name: the actor that forks them */
  const forkOf = new Map<string, string>();
  /** the actors with userns, kuid and caps filled in for fork_of actors (canonical form) */
  const filled: Json[] = [];
  v.actors.forEach((a0, i) => {
    const p = `${root}.actors[${i}]`;
    if (!isObj(a0)) fail(p, 'expected an object');
    onlyKeys(a0, ACTOR_KEYS, p, 'an actor');
    const name = str(a0, 'name', p)!;
    if (actors.has(name)) fail(`${p}.name`, `duplicate actor "${name}"`);
    let a = a0;
    const fo = str(a0, 'fork_of', p, true);
    if (fo !== undefined) {
      // a forked process: what it is comes from its parent at the fork step
      const pi = (v.actors as Json[]).findIndex((x, j) => j < i && isObj(x) && x.name === fo);
      if (!actors.has(fo) || pi < 0) fail(`${p}.fork_of`, `unknown earlier actor "${fo}"`);
      const pa = filled[pi] as Obj;
      if (pa.thread_of !== undefined) fail(`${p}.fork_of`, `"${fo}" is a thread_of actor (the executor forks processes only)`);
      for (const k of ['mntns', 'context', 'thread_of'] as const)
        if (a0[k] !== undefined) fail(`${p}.${k}`, `a fork_of actor takes no "${k}" (it has its parent's at the fork)`);
      for (const k of ['userns', 'kuid', 'caps'] as const)
        if (a0[k] !== undefined && JSON.stringify(a0[k]) !== JSON.stringify(pa[k])) fail(`${p}.${k}`, `a fork_of actor's ${k} is its parent's declared one (${JSON.stringify(pa[k])}); leave it out`);
      a = { name, userns: pa.userns, kuid: pa.kuid, caps: pa.caps, fork_of: fo };
      forkOf.set(name, fo);
    }
    filled.push(a);
    const ns = str(a, 'userns', p)!;
    const m = userns.get(ns);
    if (!m) fail(`${p}.userns`, `unknown user namespace "${ns}"`);
    const kuid = int(a, 'kuid', p, 0, INT_MAX - 1);
    if (kuid === undefined) fail(`${p}.kuid`, 'missing');
    if (kuid < m.base || kuid >= m.base + m.count) fail(`${p}.kuid`, `kuid ${kuid} is not mapped in "${ns}"`);
    capsList(a.caps, `${p}.caps`);
    const mnt = str(a, 'mntns', p, true);
    if (mnt !== undefined && mnt !== 'own' && mnt !== 'init' && !actors.has(mnt))
      fail(`${p}.mntns`, `expected "own", "init" or an earlier actor, got "${mnt}"`);
    str(a, 'context', p, true);
    const th = str(a, 'thread_of', p, true);
    if (th !== undefined) {
      if (!actors.has(th)) fail(`${p}.thread_of`, `unknown earlier actor "${th}"`);
    }
    // set-up needs these to exist before the first step
    for (const k of ['thread_of', 'mntns'] as const)
      if (typeof a[k] === 'string' && forkOf.has(a[k] as string)) fail(`${p}.${k}`, `"${a[k] as string}" is a fork_of actor, made at a step, not at set-up`);
    actors.set(name, ns);
  });
  const forked = new Set<string>();
  if (!Array.isArray(v.steps)) fail(`${root}.steps`, 'expected a list');
  /** the steps with enumerator names as numbers (the scenario's canonical form) */
  const steps: Json[] = [];
  v.steps.forEach((s, i) => {
    const p = `${root}.steps[${i}]`;
    if (!isObj(s)) fail(p, 'expected an object');
    const actor = str(s, 'actor', p)!;
    if (!actors.has(actor)) fail(`${p}.actor`, `unknown actor "${actor}"`);
    const op = str(s, 'op', p)! as Step['op'];
    /** enumerator names given for numbers ("map_type": "STACK"), by key */
    const named: Obj = {};
    // own properties only: an op named "constructor" or "__proto__" is unknown, not Object's
    const spec = opSpec(op);
    if (!spec) fail(`${p}.op`, `unknown op "${op}"`);
    const keys = spec.args;
    if (s.lsm !== undefined) {
      if (!Array.isArray(s.lsm)) fail(`${p}.lsm`, 'expected a list of LSM actions');
      s.lsm.forEach((act, j) => {
        const ap = `${p}.lsm[${j}]`;
        if (!isObj(act)) fail(ap, 'expected an object');
        if (act.action === 'policy_load') {
          checkPolicy(act.policy, `${ap}.policy`, false);
          if (act.at !== undefined && !(LSM_AT_HOOKS as readonly unknown[]).includes(act.at)) fail(`${ap}.at`, `expected one of ${LSM_AT_HOOKS.join(', ')}`);
        }
        else if (act.action === 'bpf_lsm_deny') {
          const hook = str(act, 'hook', ap)!;
          if (!BPF_LSM_ALL_HOOKS.includes(hook)) fail(`${ap}.hook`, `expected one of ${BPF_LSM_ALL_HOOKS.join(', ')}`);
          const task = str(act, 'task', ap)!;
          if (!actors.has(task)) fail(`${ap}.task`, `unknown actor "${task}"`);
          checkResult(str(act, 'errno', ap), `${ap}.errno`);
          if (act.ret !== undefined) int(act, 'ret', ap, -2147483648, 2147483647);
        } else fail(`${ap}.action`, `expected "policy_load" or "bpf_lsm_deny", got ${JSON.stringify(act.action)}`);
      });
    }
    if (s.race !== undefined) {
      const rp = `${p}.race`;
      if (spec.race !== true) fail(rp, `"${op}" takes no "race" (only token_create, map_create, prog_load)`);
      const r = s.race;
      if (!isObj(r)) fail(rp, 'expected {"actor", "op": "dup2"|"close", "fd", "to"?}');
      const ra = str(r, 'actor', rp)!;
      if (!actors.has(ra)) fail(`${rp}.actor`, `unknown actor "${ra}"`);
      if (r.op !== 'dup2' && r.op !== 'close') fail(`${rp}.op`, `expected "dup2" or "close", got ${JSON.stringify(r.op)}`);
      str(r, 'fd', rp);
      str(r, 'to', rp, true);
      if (r.at !== undefined && r.at !== 'hook' && !(r.at === 'fd_array' && op === 'prog_load'))
        fail(`${rp}.at`, `expected "hook"${op === 'prog_load' ? ' or "fd_array"' : ''}, got ${JSON.stringify(r.at)}`);
      for (const rk of Object.keys(r)) if (!['actor', 'op', 'fd', 'to', 'at'].includes(rk)) fail(`${rp}.${rk}`, `a race takes no "${rk}"`);
    }
    for (const key of Object.keys(s)) {
      if (COMMON.has(key) || key === 'race') continue;
      const arg = Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (!arg) fail(`${p}.${key}`, `"${op}" takes no "${key}"`);
      const val = s[key];
      const kp = `${p}.${key}`;
      switch (arg.kind) {
        case 'string':
        case 'handle':
          if (typeof val !== 'string') fail(kp, `expected a string, got ${JSON.stringify(val)}`);
          break;
        case 'actor':
          if (typeof val !== 'string' || !actors.has(val)) fail(kp, `unknown actor ${JSON.stringify(val)}`);
          break;
        case 'int':
          if (typeof val === 'string' && arg.names !== undefined) {
            const n = enumValue(arg.names, val);
            if (n === undefined) fail(kp, `expected an integer or a name of enum ${ENUMS[arg.names].cEnum}, got ${JSON.stringify(val)}`);
            named[key] = n;
          } else int(s, key, p, 0, arg.max ?? INT_MAX);
          break;
        case 'bool':
          bool(s, key, p);
          break;
        case 'caps':
          if (!Array.isArray(val)) fail(kp, 'expected a list of capability names');
          capsList(val, kp);
          break;
        case 'signature':
          checkSignature(val, kp);
          break;
        case 'handles':
          if (!Array.isArray(val) || val.some((x) => typeof x !== 'string' || x === '')) fail(kp, `expected a list of (non-empty) handle names, got ${JSON.stringify(val)}`);
          if (val.length > FD_ARRAY_MAX) fail(kp, `at most ${FD_ARRAY_MAX} entries (the executor's array)`);
          break;
        case 'choice': {
          const c = arg.choices ?? [];
          if (typeof val !== 'string' || !c.includes(val)) fail(kp, `expected ${c.slice(0, -1).join(', ')} or ${c[c.length - 1]}, got ${JSON.stringify(val)}`);
          break;
        }
      }
    }
    for (const [req, a] of Object.entries(keys)) if (a.required === true && s[req] === undefined) fail(`${p}.${req}`, `"${op}" needs "${req}"`);
    if (op === 'fork') {
      // one fork step makes a fork_of actor, by the actor it names
      const child = s.child as string;
      if (forkOf.get(child) !== actor) fail(`${p}.child`, `"${child}" is not declared with "fork_of": ${JSON.stringify(actor)}`);
      if (forked.has(child)) fail(`${p}.child`, `"${child}" is forked by an earlier step already`);
      forked.add(child);
    }
    // (seteuid: euid's bound 2^32-2, scenario/ops.ts: 2^32-1 is (uid_t)-1, "unchanged" to setresuid(), not a kuid)
    if (op === 'token_create' && s.tail_byte !== undefined && (s.tail_byte as number) < 8)
      fail(`${p}.tail_byte`, 'must be >= 8 (bytes 0..7 are the token_create fields)');
    // fd_array_cnt past the given list would make the kernel read memory the scenario does not describe
    if (op === 'prog_load' && Array.isArray(s.fd_array) && typeof s.fd_array_cnt === 'number' && s.fd_array_cnt > s.fd_array.length)
      fail(`${p}.fd_array_cnt`, `must be at most the length of fd_array (${s.fd_array.length}); without fd_array any count is allowed (a NULL array)`);
    if (s.as !== undefined && typeof s.as !== 'string') fail(`${p}.as`, 'expected a handle name');
    if (s.target !== undefined && (typeof s.target !== 'string' || !TARGET_NAME.test(s.target))) fail(`${p}.target`, `a target name is ${TARGET_NAME.source}, got ${JSON.stringify(s.target)}`);
    if (literalFd(s.as as string | undefined) !== undefined) fail(`${p}.as`, `${JSON.stringify(s.as)} is a literal fd (scenario/sandbox.ts LITERAL_FDS), not a name`);
    if (op === 'dup2' && literalFd(s.to as string | undefined) !== undefined) fail(`${p}.to`, 'dup2 takes no literal fd as "to" (a handle whose number is replaced)');
    if (s.expect !== undefined) checkExpect(s.expect, `${p}.expect`);
    if (s.expect_text !== undefined) {
      // task tokenc: exact text, {"match"} or {"field", "value"|"match"} (scenario/expect.ts)
      const bad = checkExpectText(s.expect_text);
      if (bad) fail(`${p}.expect_text${bad.at}`, bad.msg);
    }
    if (s.expect === REFUSED && s.expect_text !== undefined && !(REASONS as readonly string[]).includes(s.expect_text as string))
      fail(`${p}.expect_text`, `expected a refusal reason (${REASONS.map((r) => JSON.stringify(r)).join(', ')}), got ${JSON.stringify(s.expect_text)}`);
    steps.push(Object.keys(named).length ? { ...s, ...named } : s);
  });
  // per-CPU map values, summed over the steps in order (oracle/SANDBOX.md "Limits")
  let perCpu = 0;
  (steps as Step[]).forEach((s, i) => {
    perCpu += perCpuBytes(s);
    if (perCpu > LIMITS.percpu) fail(`${root}.steps[${i}]`, limitMessage('percpu'));
  });
  if (v.meta !== undefined) checkMeta(v.meta, `${root}.meta`);
  // names given for numbers: a copy with the numbers (same key order), else the object itself
  const out = forkOf.size ? { ...v, actors: filled } : v;
  return (steps.some((s, i) => s !== (v.steps as Json[])[i]) ? { ...out, steps } : out) as unknown as Scenario;
}

/** Parses scenario text (JSON). */
export function parseScenario(text: string, where = '$'): Scenario {
  let v: Json;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(where, `not valid JSON (${(e as Error).message})`);
  }
  return validateScenario(v, where);
}
