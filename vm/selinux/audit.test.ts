import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AvcRecord, Scenario } from '../../scenario/types.ts';
import { runScenario } from '../../model/run.ts';
import { findProfile } from '../../model/profile.ts';
import '../../mutants/index.ts';
import { MODELLED_CLASSES, compareAvc, formatAvcComparison, parseAvcLine, parseAvcLog, printAvc, printAvcLog, typeOf } from './audit.ts';
import { compilePolicy } from './compile.ts';
import { TREE_73, compileUnavailable, tempCache } from './testing.ts';

const rec = (scontext: string, tcontext: string, tclass: string, perm: string, granted: boolean, extra: Partial<AvcRecord> = {}): AvcRecord => ({
  scontext,
  tcontext,
  tclass,
  perm,
  granted,
  audited: !granted,
  hook: 'h',
  ...extra,
});

describe('parseAvcLine', () => {
  it('reads a denial from the kernel log, with several permissions in one record', () => {
    const line =
      '[   12.345678] audit: type=1400 audit(1764633600.123:45): avc:  denied  { map_create prog_load } for  pid=42 comm="bpftc-exec" scontext=bpftc_u:bpftc_r:P_t tcontext=bpftc_u:bpftc_r:U_t tclass=bpf permissive=0\r';
    const r = parseAvcLine(line);
    expect(r.map((x) => x.perm)).toEqual(['map_create', 'prog_load']);
    expect(r[0]).toMatchObject({ scontext: 'P_t', tcontext: 'U_t', tclass: 'bpf', granted: false, audited: true, pid: 42, comm: 'bpftc-exec' });
    expect(r[0]!.permissive).toBeUndefined();
  });

  it('reads granted records, MLS contexts, capability=, hex comms and permissive=1', () => {
    const [g] = parseAvcLine('avc:  granted  { bpf } for  pid=7 comm=62706620746F6B656E capability=39  scontext=u:r:U_t:s0 tcontext=u:r:U_t:s0-s0:c0.c1023 tclass=cap2_userns');
    expect(g).toMatchObject({ scontext: 'U_t', tcontext: 'U_t', tclass: 'cap2_userns', perm: 'bpf', granted: true, capability: 39, comm: '62706620746F6B656E' });
    const [p] = parseAvcLine('type=AVC msg=audit(0.0:1): avc:  denied  { use } for  pid=1 comm="x" path="/a b" dev="bpf" scontext=u:r:V_t tcontext=u:r:P_t tclass=fd permissive=1');
    expect(p).toMatchObject({ tclass: 'fd', perm: 'use', granted: false, permissive: true });
  });

  it('reads what the 7.3.4 guest wrote (dmesg, a policy from compile.ts loaded and enforcing)', () => {
    const log = [
      'audit: type=1400 audit(1796168709.284:5): avc:  granted  { sys_admin } for  pid=47 comm="busybox" capability=21  scontext=bpftc_u:bpftc_r:P_t tcontext=bpftc_u:bpftc_r:P_t tclass=capability',
      'audit: type=1400 audit(1796168709.292:6): avc:  denied  { sys_admin } for  pid=49 comm="busybox" capability=21  scontext=bpftc_u:bpftc_r:U_t tcontext=bpftc_u:bpftc_r:U_t tclass=capability permissive=0',
      'audit: type=1400 audit(1796168547.260:9): avc:  denied  { use } for  pid=48 comm="init" path="/dev/console" dev="rootfs" ino=3 scontext=bpftc_u:bpftc_r:P_t tcontext=bpftc_u:bpftc_r:kernel_t tclass=fd permissive=0',
      'audit: type=1404 audit(1796168780.305:7): enforcing=0 old_enforcing=1 auid=4294967295 ses=4294967295 enabled=1 old-enabled=1 lsm=selinux res=1',
    ].join('\n');
    const r = parseAvcLog(log);
    expect(r.map((x) => `${x.scontext} ${x.tcontext}:${x.tclass} ${x.perm} ${x.granted}`)).toEqual([
      'P_t P_t:capability sys_admin true',
      'U_t U_t:capability sys_admin false',
      'P_t kernel_t:fd use false',
    ]);
    expect(r[0]!.capability).toBe(21);
    expect(compareAvc([rec('P_t', 'P_t', 'capability', 'sys_admin', true, { capability: 21 }), rec('U_t', 'U_t', 'capability', 'sys_admin', false, { capability: 21 })], r.slice(0, 2)).ok).toBe(true);
    // the capability= of the audit data is compared too (issue 12)
    expect(compareAvc([rec('P_t', 'P_t', 'capability', 'sys_admin', true), rec('U_t', 'U_t', 'capability', 'sys_admin', false, { capability: 21 })], r.slice(0, 2)).ok).toBe(false);
  });

  it('ignores what is not an AVC record', () => {
    expect(parseAvcLine('[    0.1] SELinux:  policy capability bpf_token_perms=1')).toEqual([]);
    expect(parseAvcLine('avc:  denied  { x } for pid=1')).toEqual([]);
    expect(parseAvcLog('a\nb\n\n')).toEqual([]);
    expect(typeOf('P_t')).toBe('P_t');
  });
});

describe('printAvc', () => {
  it('writes the kernel format', () => {
    expect(printAvc(rec('U_t', 'P_t', 'bpf', 'prog_load_as', false), { style: 'kernel' })).toBe(
      'avc:  denied  { prog_load_as } for  pid=1 comm="bpftc-exec" scontext=bpftc_u:bpftc_r:U_t tcontext=bpftc_u:bpftc_r:P_t tclass=bpf permissive=0',
    );
    expect(printAvc(rec('U_t', 'U_t', 'cap2_userns', 'bpf', true), { level: 's0', pid: 9, comm: 'a b', time: 1.5, serial: 3 })).toBe(
      'type=AVC msg=audit(1.500:3): avc:  granted  { bpf } for  pid=9 comm=612062 scontext=bpftc_u:bpftc_r:U_t:s0 tcontext=bpftc_u:bpftc_r:U_t:s0 tclass=cap2_userns',
    );
  });

  it('a capability check carries capability=N as security/lsm_audit.c:194 writes it (" capability=%d "), and parses back', () => {
    const r = { ...rec('U_t', 'U_t', 'cap2_userns', 'bpf', false), capability: 39 };
    const line = printAvc(r, { style: 'kernel', comm: 'c1' });
    expect(line).toBe('avc:  denied  { bpf } for  pid=1 comm="c1" capability=39  scontext=bpftc_u:bpftc_r:U_t tcontext=bpftc_u:bpftc_r:U_t tclass=cap2_userns permissive=0');
    expect(parseAvcLine(line)[0]!.capability).toBe(39);
  });

  it('the model: capable() records carry the capability number, the bpf hooks none (they pass no audit data, e.g. hooks.c:7510-7511)', () => {
    const s = JSON.parse(readFileSync(new URL('../../corpus/regressions/selinux-create-mediated--mutant-fixed-polcap-race--seed2980047484.json', import.meta.url), 'utf8')) as Scenario;
    const avc = runScenario({ ...s, meta: undefined }, { profile: findProfile('mutant-fixed-polcap-race')! }).results[9]!.avc ?? [];
    const caps = avc.filter((a) => a.hook === 'capable');
    expect(caps.length).toBeGreaterThan(0);
    for (const a of caps) expect(a.capability, `${a.tclass}:${a.perm}`).toBe(a.perm === 'bpf' ? 39 : a.perm === 'perfmon' ? 38 : a.capability);
    expect(caps.every((a) => typeof a.capability === 'number')).toBe(true);
    expect(avc.filter((a) => a.hook !== 'capable').every((a) => a.capability === undefined)).toBe(true);
  });

  it('round-trips through the parser (fast-check), and text in a record cannot add fields', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/);
    const arb = fc.record({ scontext: name, tcontext: name, tclass: name, perm: name, granted: fc.boolean(), permissive: fc.boolean() });
    fc.assert(
      fc.property(arb, fc.string({ maxLength: 16 }), (r, comm) => {
        const a = rec(r.scontext, r.tcontext, r.tclass, r.perm, r.granted, r.granted || !r.permissive ? {} : { permissive: true });
        const back = parseAvcLine(printAvc(a, { comm }));
        expect(back).toHaveLength(1);
        const { scontextFull, tcontextFull, pid, comm: c, ...core } = back[0]!;
        void scontextFull, tcontextFull, pid, c;
        expect({ ...core, hook: 'h' }).toEqual(a);
      }),
      { seed: 3, numRuns: 200 },
    );
    const evil = rec('P_t tcontext=x', 'U_t}', 'bpf tclass=fd', 'map_create } for', false);
    const [back] = parseAvcLine(printAvc(evil, { comm: '" scontext=bad' }));
    expect(back!.tclass).not.toBe('fd');
    expect(back!.scontext).not.toBe('bad');
    expect(printAvc(evil)).not.toMatch(/\n/);
  });
});

describe('compareAvc', () => {
  const model = [rec('U_t', 'P_t', 'bpf', 'map_create_as', true), rec('U_t', 'U_t', 'cap2_userns', 'bpf', false, { capability: 39 }), rec('U_t', 'U_t', 'file', 'read', true)];

  it('agrees on the same set of decisions whatever the order, repetition and multi-permission records', () => {
    const kernel = parseAvcLog(
      [
        'avc:  denied  { bpf } for  pid=1 comm="x" capability=39  scontext=u:r:U_t tcontext=u:r:U_t tclass=cap2_userns permissive=0',
        'avc:  granted  { map_create_as } for  pid=1 comm="x" scontext=u:r:U_t tcontext=u:r:P_t tclass=bpf',
        'avc:  denied  { bpf } for  pid=1 comm="x" capability=39  scontext=u:r:U_t tcontext=u:r:U_t tclass=cap2_userns permissive=0',
        'avc:  granted  { read open } for  pid=1 comm="x" scontext=u:r:U_t tcontext=u:r:U_t tclass=file',
        'avc:  granted  { sys_admin } for  pid=1 comm="x" capability=21  scontext=u:r:bpftc_harness_t tcontext=u:r:bpftc_harness_t tclass=capability',
      ].join('\n'),
    );
    const c = compareAvc(model, kernel);
    expect(c.ok).toBe(true);
    expect(c.ignored).toBe(4);
    expect(formatAvcComparison(c)).toEqual([]);
  });

  it('reports what only one side has', () => {
    const kernel = parseAvcLog(
      [
        'avc:  granted  { bpf } for  pid=1 comm="x" scontext=u:r:U_t tcontext=u:r:U_t tclass=cap2_userns',
        // the same decision with another capability= (issue 12: the audit data is compared)
        'avc:  denied  { bpf } for  pid=1 comm="x" capability=7  scontext=u:r:U_t tcontext=u:r:U_t tclass=cap2_userns permissive=0',
      ].join('\n'),
    );
    const c = compareAvc(model, kernel);
    expect(c.ok).toBe(false);
    expect(formatAvcComparison(c)).toEqual([
      'model only:  U_t P_t:bpf map_create_as granted',
      'model only:  U_t U_t:cap2_userns bpf denied capability=39',
      'kernel only: U_t U_t:cap2_userns bpf denied capability=7',
      'kernel only: U_t U_t:cap2_userns bpf granted',
    ]);
  });

  it('does not expect what the kernel never logs: handle_unknown=allow grants, a permissive denial already logged', () => {
    const policy = { definesTokenPerms: false, handleUnknown: 'allow' as const };
    expect(compareAvc([model[0]!], [], { policy }).ok).toBe(true);
    expect(compareAvc([model[0]!], [], { policy: { ...policy, handleUnknown: 'deny' } }).ok).toBe(false);
    const perm = rec('U_t', 'P_t', 'bpf', 'map_create_as', false, { permissive: true });
    const state = new Set<string>();
    const first = parseAvcLog('avc:  denied  { map_create_as } for  pid=1 comm="x" scontext=u:r:U_t tcontext=u:r:P_t tclass=bpf permissive=1');
    expect(compareAvc([perm], first, { state }).ok).toBe(true);
    const second = compareAvc([perm], [], { state });
    expect(second.ok).toBe(true);
    expect(second.unobservable).toHaveLength(1);
    expect(compareAvc([perm], [], { state: new Set() }).ok).toBe(false);
    const sysAdmin = rec('V_t', 'V_t', 'capability', 'sys_admin', false, { permissive: true });
    expect(compareAvc([sysAdmin], [], { unlogged: (k) => k.tclass === 'capability' && k.perm === 'sys_admin' }).ok).toBe(true);
  });

  it('compares the classes the model decides', () => {
    expect([...MODELLED_CLASSES]).toEqual(['bpf', 'capability', 'capability2', 'cap_userns', 'cap2_userns', 'fd']);
  });
});

let tools: string | null = compileUnavailable();
if (!tools) {
  try {
    execFileSync('audit2why', ['--version'], { stdio: 'ignore' });
    execFileSync('audit2allow', ['--version'], { stdio: 'ignore' });
  } catch {
    tools = 'audit2allow/audit2why are not installed (apt-get install -y policycoreutils-python-utils)';
  }
}
if (tools) console.log(`vm/selinux/audit.test.ts (audit2allow part) skipped: ${tools}`);

describe.skipIf(tools !== null)(`audit2allow and audit2why read the printed records${tools ? ` (skipped: ${tools})` : ''}`, () => {
  it('audit2allow turns the model denials into the missing rules; audit2why names them against the compiled policy', () => {
    const cache = tempCache();
    const pol = compilePolicy({ allow: ['U_t P_t:bpf map_create_as', 'U_t U_t:cap2_userns bpf'], permissive: ['V_t'] }, ['P_t', 'U_t', 'V_t'], TREE_73!.path, { cacheDir: cache });
    const p = join(cache, 'policy.bin');
    writeFileSync(p, pol.binary);
    const log = join(cache, 'avc.log');
    writeFileSync(
      log,
      printAvcLog([
        rec('U_t', 'P_t', 'bpf', 'prog_load_as', false),
        rec('U_t', 'P_t', 'bpf', 'map_create_as', true),
        rec('V_t', 'P_t', 'bpf', 'map_create_as', false, { permissive: true }),
      ]),
    );
    const allow = execFileSync('audit2allow', ['-p', p, '-i', log], { encoding: 'utf8' });
    expect(allow).toMatch(/allow U_t P_t:bpf prog_load_as;/);
    expect(allow).toMatch(/allow V_t P_t:bpf map_create_as;/);
    expect(allow).not.toMatch(/allow U_t P_t:bpf map_create_as;/); // a granted record asks for nothing
    const why = execFileSync('audit2why', ['-p', p, '-i', log], { encoding: 'utf8' });
    expect(why).toMatch(/prog_load_as[\s\S]*Missing type enforcement \(TE\) allow rule/);
  });
});
