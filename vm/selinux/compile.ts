// The policy compiler: a scenario's SELinux declarations (scenario/types.ts
// PolicyDecl, the model's shorthand) -> a complete monolithic policy source
// (checkpolicy's policy.conf language) for the class map of the kernel being
// booted -> a binary policy the guest loads with one write to
// /sys/fs/selinux/load.
//
// What the policy says:
// - every class and permission of the kernel's class map (classmap.ts), with
//   bpf { map_create_as prog_load_as } left out when the scenario says
//   defines_token_perms: false (the kernel's handle_unknown then applies);
// - one type per actor context, per type a rule names, and the types of the
//   initial SIDs the model knows (kernel_t, unlabeled_t, file_t);
// - bpftc_harness_t, the domain the executor runs in, and bpftc_object_t for
//   the initial SIDs and file systems the model never sees;
// - every class the model does not decide (MODELLED_CLASSES) fully allowed
//   between all types, so the kernel's other checks never interfere;
// - the scenario's allow rules for the modelled classes, each with the same
//   auditallow rule, so the granted decisions are logged like the denials;
// - what the harness needs: all modelled permissions as subject, fd:use of its
//   fds by the actors, and (when no actor runs as kernel_t) kernel_t's own
//   capabilities for the kernel threads and the guest's init; none of these
//   is audited, and typebounds bpftc_harness_t over every actor type so a
//   thread of a multi-threaded executor may move to its context;
// - the permissive domains; handle_unknown is checkpolicy's -U;
// - the policy capabilities are not in the source (checkpolicy 3.4 does not
//   know bpf_token_perms): their bits are set in the binary (policydb.ts) by
//   the index of the kernel's policycap_names.h.
//
// No scenario text reaches the source unchecked: every type, class,
// permission and capability name must be an identifier ([A-Za-z][A-Za-z0-9_]*,
// no keyword of the policy language, not in the reserved bpftc_ namespace)
// and every class, permission and capability must exist in the kernel's map.

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDecl, Scenario } from '../../scenario/types.ts';
import { DEFAULT_CONTEXT } from '../../model/lsm/index.ts';
import { INITIAL_SIDS, TOKEN_PERMS } from '../../model/lsm/policy.ts';
import { HARNESS_TYPE, MODELLED_CLASSES, POLICY_ROLE, POLICY_USER } from './audit.ts';
import { selinuxCacheDir } from './cache.ts';
import { type ClassMap, loadClassMap } from './classmap.ts';
import { readPolicyHeader, setPolcaps } from './policydb.ts';

export { MODELLED_CLASSES, HARNESS_TYPE, POLICY_USER, POLICY_ROLE };
export const OBJECT_TYPE = 'bpftc_object_t';
const ALL = 'bpftc_all';
const SCEN = 'bpftc_scenario';
/** the policy version written (checkpolicy -c): POLICYDB_VERSION_COMP_FTRANS, read by every kernel since 5.7, 6.12 and 7.3 included */
export const POLICY_VERSION = 33;

/** the context a type runs in or labels an object with, in the compiled policies */
export function contextOf(type: string): string {
  return `${POLICY_USER}:${POLICY_ROLE}:${type}`;
}

/** a scenario's policy cannot be compiled: a one-line reason */
export class PolicyError extends Error {}

/** the words of checkpolicy's policy language (libsepol checkpolicy/policy_scan.l),
 *  matched case-insensitively; a type with such a name would change the statement */
const KEYWORDS = new Set(
  (
    'clone common class constrain validatetrans inherits sid role roles roleattribute attribute_role types ' +
    'typealias typeattribute typebounds type bool tunable if else alias attribute expandattribute ' +
    'type_transition type_member type_change role_transition range_transition sensitivity dominance dom ' +
    'domby incomp category level range mlsconstrain mlsvalidatetrans user neverallow allow auditallow ' +
    'auditdeny dontaudit allowxperm auditallowxperm dontauditxperm neverallowxperm source target sameuser ' +
    'module require optional or and not xor eq true false fscon ibpkeycon ibendportcon portcon netifcon ' +
    'nodecon pirqcon iomemcon ioportcon pcidevicecon devicetreecon fs_use_xattr fs_use_task fs_use_trans ' +
    'genfscon r1 r2 r3 u1 u2 u3 t1 t2 t3 l1 l2 h1 h2 policycap permissive neveraudit default_user ' +
    'default_role default_type default_range low_high high low glblub self object_r'
  ).split(' '),
);

/** null, or why `name` may not appear in a policy */
export function badIdentifier(name: unknown): string | null {
  if (typeof name !== 'string') return `${JSON.stringify(name) ?? String(name)} is not a name`;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.length > 128)
    return `${JSON.stringify(name)} is not an identifier (letters, digits and _, starting with a letter)`;
  if (KEYWORDS.has(name.toLowerCase())) return `"${name}" is a word of the policy language`;
  if (name.toLowerCase().startsWith('bpftc_')) return `"${name}" is in the reserved bpftc_ namespace`;
  return null;
}

function ident(name: unknown, what: string): string {
  const why = badIdentifier(name);
  if (why) throw new PolicyError(`${what}: ${why}`);
  return name as string;
}

interface TeRule {
  source: string;
  target: string;
  tclass: string;
  perms: string[];
}

/** the type names of a rule text: ["source", "target"] or an error */
function splitRule(text: unknown, where: string): { source: string; target: string; tclass: string; perms: string[] } {
  if (typeof text !== 'string') throw new PolicyError(`${where}: not a rule text`);
  const m = /^[ \t]*(\S+)[ \t]+([^\s:]+):(\S+)[ \t]+([^\n\r]+?)[ \t]*$/.exec(text);
  if (!m) throw new PolicyError(`${where}: expected "source target:class perm...", got ${JSON.stringify(text)}`);
  return { source: m[1]!, target: m[2]!, tclass: m[3]!, perms: m[4]!.split(/[ \t]+/) };
}

/** every type a policy names (actor contexts aside) */
export function policyTypes(decl: PolicyDecl): string[] {
  const out: string[] = [];
  (decl.allow ?? []).forEach((r, i) => {
    const x = splitRule(r, `allow[${i}]`);
    for (const t of [x.source, x.target]) if (t !== '*') out.push(t);
  });
  for (const t of decl.permissive ?? []) out.push(t as string);
  return out;
}

/** every type a scenario names: actor contexts (default unconfined_t), its
 *  boot policy and its policy_load steps, so that every policy it loads
 *  knows every context that exists */
export function scenarioTypes(s: Scenario): string[] {
  const out = new Set<string>();
  for (const a of s.actors) out.add(a.context ?? DEFAULT_CONTEXT);
  for (const d of scenarioPolicies(s)) for (const t of policyTypes(d.decl)) out.add(t);
  return [...out];
}

/** the policies a scenario loads: at boot (unless loaded: false) and at its policy_load steps */
export function scenarioPolicies(s: Scenario): { at: 'boot' | number; decl: PolicyDecl }[] {
  const out: { at: 'boot' | number; decl: PolicyDecl }[] = [];
  if (s.selinux && s.selinux.loaded !== false) out.push({ at: 'boot', decl: s.selinux });
  s.steps.forEach((st, i) => {
    for (const a of st.lsm ?? []) if (a.action === 'policy_load') out.push({ at: i, decl: a.policy });
  });
  return out;
}

export interface PolicySource {
  source: string;
  /** the policy capability bits to set in the binary */
  polcapBits: number[];
  handleUnknown: 'allow' | 'deny' | 'reject';
  enforcing: boolean;
  /** what the translation dropped or subsumed, one line each */
  notes: string[];
}

/** the policy source for `decl` on the kernel whose class map is `map` (pure) */
export function policySource(decl: PolicyDecl, contexts: readonly (string | undefined)[], map: ClassMap): PolicySource {
  if (decl === null || typeof decl !== 'object') throw new PolicyError('the policy is not an object');
  if (!Array.isArray(decl.allow)) throw new PolicyError('allow: expected a list of rules');
  for (const k of ['polcap', 'permissive'] as const)
    if (decl[k] !== undefined && !Array.isArray(decl[k])) throw new PolicyError(`${k}: expected a list of names`);
  const notes: string[] = [];
  const classes = new Map<string, string[]>();
  const definesTokenPerms = decl.defines_token_perms ?? true;
  for (const c of map.classes) {
    const perms = c.name === 'bpf' && !definesTokenPerms ? c.perms.filter((p) => !(TOKEN_PERMS as readonly string[]).includes(p)) : c.perms;
    classes.set(c.name, perms);
  }
  const handleUnknown = decl.handle_unknown ?? 'deny';
  if (!['allow', 'deny', 'reject'].includes(handleUnknown)) throw new PolicyError(`handle_unknown: ${JSON.stringify(handleUnknown)} is not allow, deny or reject`);
  const enforcing = decl.enforcing ?? true;
  if (typeof enforcing !== 'boolean') throw new PolicyError('enforcing: expected true or false');
  for (const c of MODELLED_CLASSES) if (!classes.has(c)) throw new PolicyError(`the kernel's class map has no class ${c}`);

  // types
  const types = new Set<string>();
  const addType = (t: unknown, where: string): string => {
    const n = ident(t, where);
    types.add(n);
    return n;
  };
  contexts.forEach((c, i) => addType(c ?? DEFAULT_CONTEXT, `actor ${i} context`));
  const initialTypes = new Set(Object.values(INITIAL_SIDS));
  for (const t of initialTypes) types.add(t);

  // rules
  const rules: TeRule[] = [];
  decl.allow.forEach((text, i) => {
    const where = `allow[${i}]`;
    const r = splitRule(text, where);
    const source = r.source === '*' ? SCEN : addType(r.source, `${where} source`);
    const target = r.target === '*' ? SCEN : addType(r.target, `${where} target`);
    const tclass = ident(r.tclass, `${where} class`);
    const known = classes.get(tclass);
    const kernelPerms = map.classes.find((c) => c.name === tclass)?.perms;
    if (!known || !kernelPerms) throw new PolicyError(`${where}: the kernel has no class ${tclass}`);
    const perms: string[] = [];
    for (const p of r.perms) {
      if (p === '*') {
        perms.push('*');
        continue;
      }
      const name = ident(p, `${where} permission`);
      if (!kernelPerms.includes(name)) throw new PolicyError(`${where}: class ${tclass} of the kernel has no permission ${name}`);
      if (!known.includes(name)) notes.push(`${where}: ${tclass} ${name} dropped: the policy does not define it (defines_token_perms: false)`);
      else perms.push(name);
    }
    if (!(MODELLED_CLASSES as readonly string[]).includes(tclass)) {
      notes.push(`${where}: class ${tclass} is not decided by the model; every type has all of it anyway`);
      return;
    }
    if (perms.length === 0) return;
    rules.push({ source, target, tclass, perms: perms.includes('*') ? ['*'] : [...new Set(perms)] });
  });
  const permissive = (decl.permissive ?? []).map((t, i) => addType(t, `permissive[${i}]`));

  // policy capabilities
  const polcapBits: number[] = [];
  (decl.polcap ?? []).forEach((c, i) => {
    const n = ident(c, `polcap[${i}]`);
    const bit = map.polcaps.indexOf(n);
    if (bit < 0) throw new PolicyError(`polcap[${i}]: the kernel has no policy capability ${n}`);
    if (!polcapBits.includes(bit)) polcapBits.push(bit);
  });
  polcapBits.sort((a, b) => a - b);

  const actorTypes = new Set(contexts.map((c) => c ?? DEFAULT_CONTEXT));
  const sorted = [...types].sort();
  const modelled = MODELLED_CLASSES.join(' ');
  const caps = ['capability', 'capability2', 'cap_userns', 'cap2_userns'].join(' ');
  const unmodelled = map.classes.map((c) => c.name).filter((c) => !(MODELLED_CLASSES as readonly string[]).includes(c));
  const sidType = (name: string): string => (initialTypes.has(`${name}_t`) ? `${name}_t` : OBJECT_TYPE);
  const L: string[] = [];
  const polcapNote = polcapBits.map((b) => `${map.polcaps[b]} (bit ${b})`).join(', ') || 'none';
  L.push(
    '# generated by bpftc vm/selinux/compile.ts: a scenario policy for the kernel class map ' + map.hash,
    `# handle_unknown=${handleUnknown} (checkpolicy -U) enforcing=${enforcing} (written to /sys/fs/selinux/enforce)`,
    `# policy capabilities set in the binary: ${polcapNote}`,
    '',
  );
  for (const c of map.classes) L.push(`class ${c.name}`);
  L.push('');
  map.initialSids.forEach((s, i) => {
    if (i > 0) L.push(`sid ${s ?? `unused${i}`}`);
  });
  L.push('');
  for (const c of map.classes) {
    const perms = classes.get(c.name)!;
    L.push(`class ${c.name} { ${perms.join(' ')} }`);
  }
  L.push('', `attribute ${ALL};`, `attribute ${SCEN};`, `type ${HARNESS_TYPE}, ${ALL};`, `type ${OBJECT_TYPE}, ${ALL};`);
  for (const t of sorted) L.push(`type ${t}, ${ALL}, ${SCEN};`);
  for (const t of sorted) if (actorTypes.has(t) && t !== 'kernel_t') L.push(`typebounds ${HARNESS_TYPE} ${t};`);
  L.push(`role ${POLICY_ROLE};`, `role ${POLICY_ROLE} types ${ALL};`, '');
  L.push('# the classes the model does not decide: everything, between all types');
  L.push(`allow ${ALL} ${ALL}:{ ${unmodelled.join(' ')} } *;`);
  L.push('# the harness (not audited)');
  L.push(`allow ${HARNESS_TYPE} ${ALL}:{ ${modelled} } *;`);
  L.push(`allow ${SCEN} ${HARNESS_TYPE}:fd use;`);
  if (!actorTypes.has('kernel_t')) L.push(`allow kernel_t kernel_t:{ ${caps} } *;`);
  L.push('# the rules of the scenario for the modelled classes, audited when granted');
  for (const r of rules) {
    const body = `${r.source} ${r.target}:${r.tclass} ${r.perms.length === 1 ? r.perms[0] : `{ ${r.perms.join(' ')} }`};`;
    L.push(`allow ${body}`, `auditallow ${body}`);
  }
  for (const t of permissive) L.push(`permissive ${t};`);
  L.push('', `user ${POLICY_USER} roles { ${POLICY_ROLE} };`, '');
  map.initialSids.forEach((s, i) => {
    if (i > 0) L.push(`sid ${s ?? `unused${i}`} ${contextOf(s ? sidType(s) : OBJECT_TYPE)}`);
  });
  L.push('');
  const obj = contextOf(OBJECT_TYPE);
  for (const fs of ['pipefs', 'sockfs']) L.push(`fs_use_task ${fs} ${obj};`);
  for (const fs of ['devpts', 'tmpfs', 'devtmpfs', 'mqueue', 'hugetlbfs']) L.push(`fs_use_trans ${fs} ${obj};`);
  for (const fs of ['proc', 'selinuxfs', 'sysfs', 'bpf', 'debugfs', 'tracefs', 'cgroup', 'cgroup2', 'rootfs', 'ramfs'])
    L.push(`genfscon ${fs} / ${obj}`);
  L.push('');
  return { source: L.join('\n'), polcapBits, handleUnknown, enforcing, notes };
}

export interface CompiledPolicy extends PolicySource {
  /** the binary kernel policy, polcap bits set */
  binary: Buffer;
  /** sha256 of what determined the binary (source, bits, handle_unknown, checkpolicy) */
  hash: string;
}

export interface CompileOptions {
  cacheDir?: string;
  checkpolicy?: string;
}

const checkpolicyChecked = new Map<string, string | null>();

/** null, or why policies cannot be compiled here (asked once per binary) */
export function checkpolicyUnavailable(bin = 'checkpolicy'): string | null {
  const known = checkpolicyChecked.get(bin);
  if (known !== undefined) return known;
  let why: string | null;
  try {
    execFileSync(bin, ['-V'], { stdio: 'ignore' });
    why = null;
  } catch {
    why = `${bin} is not installed (apt-get install -y checkpolicy)`;
  }
  checkpolicyChecked.set(bin, why);
  return why;
}

const checkpolicyVersions = new Map<string, string>();
/** class maps by (tree, cache dir), read once per process */
const classMaps = new Map<string, ClassMap>();

interface CompileJob {
  src: PolicySource;
  hash: string;
  /** the cached binary, when it is there */
  cached: string;
  work: string;
  bin: string;
}

function compileJob(decl: PolicyDecl, actorsContexts: readonly (string | undefined)[], kernelTree: string, opts: CompileOptions): CompileJob {
  const cacheDir = opts.cacheDir ?? selinuxCacheDir();
  const bin = opts.checkpolicy ?? 'checkpolicy';
  const mk = `${kernelTree}\0${cacheDir}`;
  let map = classMaps.get(mk);
  if (!map) classMaps.set(mk, (map = loadClassMap(kernelTree, cacheDir)));
  const src = policySource(decl, actorsContexts, map);
  const why = checkpolicyUnavailable(bin);
  if (why) throw new PolicyError(why);
  let version = checkpolicyVersions.get(bin);
  if (version === undefined) checkpolicyVersions.set(bin, (version = execFileSync(bin, ['-V'], { encoding: 'utf8' }).trim()));
  const hash = createHash('sha256')
    .update(`${version}\0${src.handleUnknown}\0${src.polcapBits.join(',')}\0${POLICY_VERSION}\0`)
    .update(src.source)
    .digest('hex');
  const dir = join(cacheDir, 'policies');
  return { src, hash, bin, cached: join(dir, `${hash.slice(0, 32)}.bin`), work: join(dir, `build-${hash.slice(0, 16)}-${process.pid}-${++jobSerial}`) };
}
let jobSerial = 0;

const checkpolicyArgs = (j: CompileJob): string[] => ['-U', j.src.handleUnknown, '-c', String(POLICY_VERSION), '-o', join(j.work, 'policy.bin'), join(j.work, 'policy.conf')];

function refused(e: unknown): PolicyError {
  const err = `${(e as { stderr?: Buffer | string }).stderr?.toString() ?? ''}${(e as { stdout?: Buffer | string }).stdout?.toString() ?? ''}`;
  const line = err.split('\n').find((l) => /error|ERROR/.test(l)) ?? err.split('\n')[0] ?? String(e);
  return new PolicyError(`checkpolicy refused the policy: ${line.trim()}`);
}

function finishJob(j: CompileJob): CompiledPolicy {
  const binary = setPolcaps(readFileSync(join(j.work, 'policy.bin')), j.src.polcapBits);
  readPolicyHeader(binary);
  writeFileSync(join(j.work, 'out.bin'), binary);
  renameSync(join(j.work, 'out.bin'), j.cached);
  return { ...j.src, binary, hash: j.hash };
}

/** compiles `decl` for the kernel tree `kernelTree`, whose actors run in
 *  `actorsContexts` (undefined: unconfined_t); cached by hash. Throws
 *  PolicyError (scenario text) or ClassMapError (kernel tree) with one line. */
export function compilePolicy(decl: PolicyDecl, actorsContexts: readonly (string | undefined)[], kernelTree: string, opts: CompileOptions = {}): CompiledPolicy {
  const j = compileJob(decl, actorsContexts, kernelTree, opts);
  if (existsSync(j.cached)) return { ...j.src, binary: readFileSync(j.cached), hash: j.hash };
  mkdirSync(j.work, { recursive: true });
  try {
    writeFileSync(join(j.work, 'policy.conf'), j.src.source);
    try {
      execFileSync(j.bin, checkpolicyArgs(j), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw refused(e);
    }
    return finishJob(j);
  } finally {
    rmSync(j.work, { recursive: true, force: true });
  }
}

/** compilePolicy() with checkpolicy run asynchronously (to compile ahead of
 *  the guest); the same cache, the same errors */
export async function compilePolicyAsync(decl: PolicyDecl, actorsContexts: readonly (string | undefined)[], kernelTree: string, opts: CompileOptions = {}): Promise<CompiledPolicy> {
  const j = compileJob(decl, actorsContexts, kernelTree, opts);
  if (existsSync(j.cached)) return { ...j.src, binary: readFileSync(j.cached), hash: j.hash };
  mkdirSync(j.work, { recursive: true });
  try {
    writeFileSync(join(j.work, 'policy.conf'), j.src.source);
    await new Promise<void>((resolve, reject) => {
      execFile(j.bin, checkpolicyArgs(j), (e, stdout, stderr) => (e ? reject(refused({ stdout, stderr })) : resolve()));
    });
    return finishJob(j);
  } finally {
    rmSync(j.work, { recursive: true, force: true });
  }
}
