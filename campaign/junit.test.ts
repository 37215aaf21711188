// JUnit for CI dashboards (issue 14) and deduplication of shard findings by
// property and first violating decision.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { PROPERTIES } from '../properties/index.ts';
import { findingKey } from './merge.ts';
import { loadScenarioFile } from '../scenario/io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bpftc-junit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('fuzz --junit FILE', () => {
  it('failures carry claim, source, trace, seed and replay; n/a is <skipped> with the reason; own times, timestamp, hostname', async () => {
    const file = join(tmp, 'j.xml');
    const r = await cli('fuzz', '--profile', 'token-v10', '--runs', '100', '--seed', '1', '--workers', '1', '--junit', file);
    expect(r.code).toBe(1);
    const x = readFileSync(file, 'utf8');
    // one testcase per property; the inapplicable ones (the LSM layers token-v10 lacks) are <skipped>
    const suite = /<testsuite name="token-v10" tests="(\d+)" failures="\d+" errors="0" skipped="(\d+)" time="[\d.]+" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" hostname="[^"]+">/.exec(x);
    expect(suite, x.slice(0, 400)).not.toBeNull();
    expect(Number(suite![1])).toBe(PROPERTIES.length);
    expect(Number(suite![2])).toBe((x.match(/<skipped /g) ?? []).length);
    expect(Number(suite![2])).toBeGreaterThan(0);
    expect(Number(suite![2])).toBeLessThan(PROPERTIES.length);
    expect(x).toContain(`hostname="${hostname().replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
    const failure = /<testcase [^>]*name="delegation-needs-init-sysadmin"[^>]*>\s*<failure message="[^"]*" type="gap">([^<]*)<\/failure>/.exec(x);
    expect(failure, 'delegation-needs-init-sysadmin fails on token-v10').not.toBeNull();
    const body = failure![1]!;
    expect(body).toMatch(/^claim: Only a task with CAP_SYS_ADMIN in the init user namespace/);
    expect(body).toMatch(/\nsource: seeds\/001_7faa28146133d549.txt cover letter, v12 changelog: &quot;setting delegate_xxx/);
    expect(body).toMatch(/\n&gt;&gt; ?\d+\. /); // the trace, with the violating step marked
    expect(body).toMatch(/\nseed: \d+\npath: [\d:]+\nreplay: npx bpftc fuzz --profile token-v10 --property delegation-needs-init-sysadmin --seed \d+ --path [\d:]+/);
    expect(x).toMatch(/<testcase [^>]*name="selinux-creator-sid" time="0.000">\s*<skipped message="not applicable: token-v10 has no selinux-token-patch layer"\/>/);
    // each property's own time, not the campaign's divided evenly
    const times = new Set([...x.matchAll(/<testcase [^>]* time="([\d.]+)">(?!\s*<skipped)/g)].map((m) => m[1]));
    expect(times.size).toBeGreaterThan(1);
  });
});

describe('corpus merge: property + first violating decision', () => {
  it('different traces of one finding from two shards are one finding; another property stays apart', async () => {
    const base = ['fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '600', '--batch', '300', '--workers', '1'];
    const [a, b, c, into] = ['a', 'b', 'c', 'into'].map((d) => join(tmp, d));
    expect((await cli(...base, '--seed', '1', '--save', a!)).code).toBe(1);
    expect((await cli(...base, '--seed', '2', '--save', b!)).code).toBe(1);
    expect((await cli('fuzz', '--profile', 'token-v10', '--property', 'token-create-same-userns', '--runs', '600', '--batch', '300', '--workers', '1', '--save', c!)).code).toBe(1);
    const [sa, sb] = [a!, b!].map((d) => loadScenarioFile(join(d, readdirSync(d)[0]!)));
    expect(JSON.stringify(sa!.steps) === JSON.stringify(sb!.steps), 'the two shards found different traces').toBe(false);
    expect(findingKey(sa!)).toBe(findingKey(sb!));
    expect(findingKey(sa!)).toMatch(/^token-from-bpffs-root\ntoken-v10\ntoken_create -> ok\n.*bpf_token_create\/root:pass/);
    const r = await cli('corpus', 'merge', a!, b!, c!, '--into', into!);
    expect(r.out).toMatch(/3 findings read, 1 duplicates, 2 new/);
  });
});
