// The trace as a reviewer pastes it (issue 14): the policy as .te allow rules
// one per line, AVC decisions in the kernel's audit format (audit2allow and
// audit2why read them), every other line within MAIL_WIDTH columns.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIL_WIDTH, formatTrace, teRule, wrapLine } from './format.ts';
import { findProfile } from '../model/profile.ts';
import { findProperty } from '../properties/index.ts';
import { checkProperty } from '../properties/check.ts';
import { parseAvcLog, typeOf } from '../vm/selinux/audit.ts';
import { compilePolicy } from '../vm/selinux/compile.ts';
import { TREE_73, compileUnavailable, tempCache } from '../vm/selinux/testing.ts';

const v7 = findProfile('selinux-token-v7')!;
/** a v7 counterexample with a denial: the token_create fd race (FINDINGS 3) */
const r = checkProperty(findProperty('fd-race-independence')!, v7, {
  runs: 1000,
  seed: 2980047484,
  path: '5:7:0:0:0:0:0:0:0:0:0:6:3:3:3:3:3:3:3:3:3:3:5:3:3:3:4:7:7:7:7:10:12:13:12:13:15:16:19:18:20:19:25:9:9:14:14:14:14:16:9:9',
});
if (r.ok) throw new Error('the v7 fd race counterexample is gone');
const ce = r.counterexample;
const text = formatTrace(ce.scenario, ce.results, ce.violation.step);
const avcLines = text.split('\n').filter((l) => l.includes(' avc:  '));

describe('formatTrace for mail', () => {
  it('writes the policy as .te allow rules, one per line', () => {
    expect(teRule('P_t U_t:bpf map_create prog_load')).toBe('allow P_t U_t:bpf { map_create prog_load };');
    expect(teRule('P_t P_t:capability *')).toBe('allow P_t P_t:capability *;');
    for (const rule of ce.scenario.selinux?.allow ?? []) expect(text).toContain(`\n     ${teRule(rule)}\n`);
  });

  it('keeps every line but the AVC records within the mail width', () => {
    expect(avcLines.length).toBeGreaterThan(0);
    for (const l of text.split('\n')) if (!l.includes(' avc:  ')) expect(l.length, l).toBeLessThanOrEqual(MAIL_WIDTH);
    expect(wrapLine(`   ${'word '.repeat(40).trim()}`).every((l) => l.length <= MAIL_WIDTH)).toBe(true);
  });

  it("prints each denial as the kernel's record: the audit parser reads back the model's decision", () => {
    const denied = ce.results[ce.violation.step]!.avc!.filter((a) => !a.granted);
    const back = parseAvcLog(avcLines.join('\n'));
    expect(back.map((a) => [typeOf(a.scontext), typeOf(a.tcontext), a.tclass, a.perm, a.granted])).toEqual(denied.map((a) => [a.scontext, a.tcontext, a.tclass, a.perm, false]));
    expect(avcLines[0]).toMatch(/avc: {2}denied {2}\{ \S+ \} for {2}pid=\d+ comm="\w+" scontext=\S+ tcontext=\S+ tclass=\S+ permissive=0$/);
  });

  let tools: string | null = compileUnavailable();
  try {
    if (!tools) execFileSync('audit2allow', ['--help'], { stdio: 'ignore' });
  } catch {
    tools = 'audit2allow is not installed (apt-get install -y policycoreutils-python-utils)';
  }
  it.skipIf(tools !== null)(`audit2allow and audit2why accept the records${tools ? ` (skipped: ${tools})` : ''}`, () => {
    const dir = tempCache();
    const policy = compilePolicy(ce.scenario.selinux!, ce.scenario.actors.map((a) => a.context), TREE_73!.path, { cacheDir: dir });
    writeFileSync(join(dir, 'policy.bin'), policy.binary);
    writeFileSync(join(dir, 'mail.txt'), `${text}\n`);
    const allow = execFileSync('audit2allow', ['-p', join(dir, 'policy.bin'), '-i', join(dir, 'mail.txt')], { encoding: 'utf8' });
    const denied = ce.results[ce.violation.step]!.avc!.filter((a) => !a.granted);
    for (const a of denied) expect(allow).toContain(`allow ${a.scontext} ${a.tcontext}:${a.tclass} ${a.perm};`);
    const why = execFileSync('audit2why', ['-p', join(dir, 'policy.bin'), '-i', join(dir, 'mail.txt')], { encoding: 'utf8' });
    expect(why).toMatch(/Missing type enforcement \(TE\) allow rule/);
  });
});
