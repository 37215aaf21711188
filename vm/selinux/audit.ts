// SELinux AVC records in the kernel's audit text and the model's AvcRecord
// (scenario/types.ts), both ways, and the comparison of one step's decisions.
// Pure: no file system, no processes.
//
// The kernel's format (security/selinux/avc.c avc_audit_pre_callback() and
// avc_audit_post_callback(), after common_lsm_audit()'s pid/comm and the
// hook's own data):
//
//   avc:  denied  { map_create prog_load } for  pid=42 comm="bpftc-exec" \
//     scontext=u:r:P_t tcontext=u:r:U_t tclass=bpf permissive=0
//   avc:  granted  { bpf } for  pid=42 comm="x" capability=39  scontext=... tclass=capability2
//
// One record may carry several permissions (one avc_has_perm() call asking
// for several); the model records one permission per decision, so a record
// becomes one AvcRecord per permission. `permissive=` is written for denials
// only. A comm with a space, a quote or a control character is written in hex
// without quotes (audit_log_untrustedstring()), so no field value of a kernel
// record contains a space.

import type { AvcRecord } from '../../scenario/types.ts';

/** the classes whose decisions the model makes (model/lsm/selinux.ts, every
 *  avcHasPerm() call: cred_has_capability() -> capability, capability2,
 *  cap_userns, cap2_userns; the bpf hooks -> bpf; file_receive -> fd). The
 *  model's class `file` only holds rules, it decides nothing. */
export const MODELLED_CLASSES = ['bpf', 'capability', 'capability2', 'cap_userns', 'cap2_userns', 'fd'] as const;
/** the domain the executor runs in, and the user and role of every context, in the compiled policies */
export const HARNESS_TYPE = 'bpftc_harness_t';
export const POLICY_USER = 'bpftc_u';
export const POLICY_ROLE = 'bpftc_r';

export interface KernelAvcRecord extends AvcRecord {
  /** the full contexts as the kernel wrote them */
  scontextFull: string;
  tcontextFull: string;
  pid?: number;
  comm?: string;
  /** `capability=N` of capability checks */
  capability?: number;
}

/** the type of a context "user:role:type[:level]"; a bare name is taken as a type */
export function typeOf(context: string): string {
  const f = context.split(':');
  return f.length >= 3 ? f[2]! : context;
}

const RECORD = /avc:\s+(denied|granted)\s+\{([^}]*)\}\s+for\s+(.*)$/;

/** one kernel log or audit line -> its AVC decisions (none if it is not an AVC record) */
export function parseAvcLine(line: string): KernelAvcRecord[] {
  const m = RECORD.exec(line.replace(/\r/g, ''));
  if (!m) return [];
  const granted = m[1] === 'granted';
  const perms = m[2]!.trim().split(/\s+/).filter((p) => p !== '' && p !== 'null');
  const fields = new Map<string, string>();
  for (const tok of m[3]!.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq <= 0) continue;
    const k = tok.slice(0, eq);
    if (!fields.has(k)) fields.set(k, tok.slice(eq + 1));
  }
  const scontextFull = fields.get('scontext');
  const tcontextFull = fields.get('tcontext');
  const tclass = fields.get('tclass');
  if (scontextFull === undefined || tcontextFull === undefined || tclass === undefined) return [];
  const pid = fields.get('pid');
  const comm = fields.get('comm');
  const cap = fields.get('capability');
  const permissive = fields.get('permissive') === '1';
  return perms.map((perm) => {
    const r: KernelAvcRecord = {
      scontext: typeOf(scontextFull),
      tcontext: typeOf(tcontextFull),
      tclass,
      perm,
      granted,
      audited: !granted,
      hook: '',
      scontextFull,
      tcontextFull,
    };
    if (!granted && permissive) r.permissive = true;
    if (pid !== undefined && /^\d+$/.test(pid)) r.pid = Number(pid);
    if (comm !== undefined) r.comm = comm.startsWith('"') && comm.endsWith('"') && comm.length >= 2 ? comm.slice(1, -1) : comm;
    if (cap !== undefined && /^\d+$/.test(cap)) r.capability = Number(cap);
    return r;
  });
}

/** every AVC decision in a kernel log (dmesg, console or audit.log text) */
export function parseAvcLog(text: string): KernelAvcRecord[] {
  return text.split('\n').flatMap(parseAvcLine);
}

export interface PrintOptions {
  /** contexts: a type becomes `${user}:${role}:${type}` (default the compiled policies' bpftc_u:bpftc_r) */
  user?: string;
  role?: string;
  /** an MLS level appended to the contexts, e.g. "s0" */
  level?: string;
  pid?: number;
  comm?: string;
  /** the audit(...) stamp: seconds and serial (default 0.000:N, N = 1, 2, ... per record) */
  time?: number;
  serial?: number;
  /** "audit" (type=AVC msg=audit(...): as in audit.log, which audit2allow reads) or "kernel" (the bare avc: text) */
  style?: 'audit' | 'kernel';
}

/** a comm as audit_log_untrustedstring() writes it */
function auditString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\s"\x00-\x1f\x7f-\uffff]/.test(s) || s === '') return Buffer.from(s, 'utf8').toString('hex').toUpperCase();
  return `"${s}"`;
}

/** a name that is safe inside a context (a type or user that could carry
 *  spaces or braces would change the record's fields) */
function safeName(s: string): string {
  return /^[A-Za-z0-9_.\-]+$/.test(s) ? s : `invalid_${Buffer.from(s, 'utf8').toString('hex')}`;
}

/** one AvcRecord in the kernel's audit format, one line, no newline */
export function printAvc(r: AvcRecord, o: PrintOptions = {}, index = 0): string {
  const ctx = (t: string): string => `${safeName(o.user ?? POLICY_USER)}:${safeName(o.role ?? POLICY_ROLE)}:${safeName(t)}${o.level ? `:${safeName(o.level)}` : ''}`;
  const body =
    `avc:  ${r.granted ? 'granted' : 'denied'}  { ${safeName(r.perm)} } for  pid=${o.pid ?? 1} comm=${auditString(o.comm ?? 'bpftc-exec')}` +
    // security/lsm_audit.c:194 `audit_log_format(ab, " capability=%d ", a->u.cap)`: hence two spaces before scontext
    (r.capability !== undefined ? ` capability=${r.capability} ` : '') +
    ` scontext=${ctx(r.scontext)} tcontext=${ctx(r.tcontext)} tclass=${safeName(r.tclass)}` +
    (r.granted ? '' : ` permissive=${r.permissive ? 1 : 0}`);
  if (o.style === 'kernel') return body;
  const serial = (o.serial ?? 1) + index;
  return `type=AVC msg=audit(${(o.time ?? 0).toFixed(3)}:${serial}): ${body}`;
}

/** a list of AvcRecords as audit.log text (audit2allow -i / audit2why -i read it) */
export function printAvcLog(records: readonly AvcRecord[], o: PrintOptions = {}): string {
  return records.map((r, i) => printAvc(r, o, i) + '\n').join('');
}

// ------------------------------------------------------------------ comparison

/** the decision a model record and a kernel record must share, and its audit
 *  data as far as the model records it: the capability= of a capability
 *  check (cred_has_capability()'s LSM_AUDIT_DATA_CAP, issue 12); a check that
 *  passes NULL audit data has none on either side. The other audit data the
 *  kernel prints (pid=, comm=, path= of file_has_perm()'s LSM_AUDIT_DATA_FILE)
 *  is the executor's or not modelled, and is not compared */
export interface AvcKey {
  scontext: string;
  tcontext: string;
  tclass: string;
  perm: string;
  granted: boolean;
  capability?: number;
}

export function avcKey(r: AvcKey): string {
  return `${r.scontext} ${r.tcontext}:${r.tclass} ${r.perm} ${r.granted ? 'granted' : 'denied'}${r.capability !== undefined ? ` capability=${r.capability}` : ''}`;
}

export interface AvcCompareOptions {
  /** the classes compared (default: the model's, compile.ts MODELLED_CLASSES) */
  classes?: readonly string[];
  /** types whose decisions are the harness's, not the scenario's (default bpftc_harness_t) */
  ignoreTypes?: readonly string[];
  /** the policy in force (for the decisions the kernel never logs) */
  policy?: { definesTokenPerms?: boolean; handleUnknown?: 'allow' | 'deny' | 'reject' };
  /** decisions already logged since the last policy load (mutated): a
   *  permissive denial is logged once, then the AVC caches it as granted
   *  (avc_denied() -> avc_update_node(AVC_CALLBACK_GRANT)) and no later
   *  check of it is logged until the next policy load (which flushes the AVC);
   *  pass one state per scenario through its steps, a new one at every load */
  state?: Set<string>;
  /** model decisions the caller knows the kernel does not log (e.g. in a
   *  permissive domain, init-namespace capability sys_admin: the unaudited
   *  check of selinux_vm_enough_memory() at every mmap/exec has already
   *  cached it as granted); they are not expected, and not refused if logged */
  unlogged?: (r: AvcKey) => boolean;
}

export interface AvcComparison {
  ok: boolean;
  /** decisions the model made that the kernel did not log */
  onlyModel: AvcKey[];
  /** decisions the kernel logged that the model did not make */
  onlyKernel: AvcKey[];
  /** model decisions the kernel cannot log (handle_unknown=allow of an
   *  undefined permission, a permissive denial already logged): not compared */
  unobservable: AvcKey[];
  /** records of classes or types outside the comparison */
  ignored: number;
}

const TOKEN = ['map_create_as', 'prog_load_as'];

const plain = (r: AvcKey): AvcKey => {
  const k: AvcKey = { scontext: r.scontext, tcontext: r.tcontext, tclass: r.tclass, perm: r.perm, granted: r.granted };
  if (r.capability !== undefined) k.capability = r.capability;
  return k;
};

/** one step: the model's decisions vs the kernel's records, as sets of
 *  (scontext type, tcontext type, tclass, perm, granted, capability=) */
export function compareAvc(model: readonly AvcRecord[], kernel: readonly AvcRecord[], o: AvcCompareOptions = {}): AvcComparison {
  const classes = new Set(o.classes ?? MODELLED_CLASSES);
  const ignoreTypes = new Set(o.ignoreTypes ?? [HARNESS_TYPE]);
  let ignored = 0;
  const inScope = (r: AvcRecord): boolean => {
    const ok = classes.has(r.tclass) && !ignoreTypes.has(r.scontext) && !ignoreTypes.has(r.tcontext);
    if (!ok) ignored++;
    return ok;
  };
  const unknownAllowed = o.policy?.definesTokenPerms === false && o.policy.handleUnknown === 'allow';
  const unobservable = new Map<string, AvcKey>();
  const want = new Map<string, AvcKey>();
  for (const r of model) {
    if (!inScope(r)) continue;
    const k = avcKey(r);
    // map_decision(): an unmapped permission under allow_unknown is added to
    // avd->allowed but never to avd->auditallow
    if (unknownAllowed && r.granted && r.tclass === 'bpf' && TOKEN.includes(r.perm)) unobservable.set(k, plain(r));
    else if (!r.granted && r.permissive && o.state?.has(k)) unobservable.set(k, plain(r));
    // a grant by the AVC cache alone (an earlier permissive denial): no auditallow rule
    else if (r.granted && r.cachedGrant) unobservable.set(k, plain(r));
    else if (o.unlogged?.(r)) unobservable.set(k, plain(r));
    else want.set(k, plain(r));
  }
  const got = new Map<string, AvcKey>();
  for (const r of kernel) if (inScope(r)) got.set(avcKey(r), plain(r));
  const onlyModel = [...want].filter(([k]) => !got.has(k)).map(([, v]) => v);
  const onlyKernel = [...got].filter(([k]) => !want.has(k) && !unobservable.has(k)).map(([, v]) => v);
  if (o.state) for (const r of kernel) if (!r.granted && r.permissive) o.state.add(avcKey(r));
  const byKey = (a: AvcKey, b: AvcKey): number => (avcKey(a) < avcKey(b) ? -1 : avcKey(a) > avcKey(b) ? 1 : 0);
  return {
    ok: onlyModel.length === 0 && onlyKernel.length === 0,
    onlyModel: onlyModel.sort(byKey),
    onlyKernel: onlyKernel.sort(byKey),
    unobservable: [...unobservable.values()].sort(byKey),
    ignored,
  };
}

/** the differences of a comparison, one line each (empty when they agree) */
export function formatAvcComparison(c: AvcComparison): string[] {
  return [...c.onlyModel.map((k) => `model only:  ${avcKey(k)}`), ...c.onlyKernel.map((k) => `kernel only: ${avcKey(k)}`)];
}
