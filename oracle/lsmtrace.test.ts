// Unit tests of oracle/lsmtrace.c built stand-alone (-DLSMTRACE_SELFTEST): the
// BTF parser on a hand-made blob (and on this machine's vmlinux BTF when
// readable), and the instruction assembler's programs. Loading the programs
// needs a kernel that accepts them: vm/lsmtrace.test.ts (VM) does that.

import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bpftc-lsmtrace-'));
const bin = join(dir, 'lsmtrace');
const cc = spawnSync(process.env.CC || 'cc', ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-DLSMTRACE_SELFTEST', '-o', bin, join(here, 'lsmtrace.c')], { encoding: 'utf8' });
const skip = cc.error || cc.status !== 0 ? `no C compiler for oracle/lsmtrace.c (${cc.error?.message ?? cc.stderr.split('\n')[0]})` : null;

function run(...args: string[]): string {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return r.stdout;
}

/** a BTF blob (include/uapi/linux/btf.h): int, a 2-argument FUNC_PROTO, FUNCs named as given */
function btfBlob(funcs: string[]): Buffer {
  const strs: string[] = ['', 'int', 'a', 'b', ...funcs];
  const off = (s: string): number => strs.slice(0, strs.indexOf(s)).reduce((n, x) => n + Buffer.byteLength(x) + 1, 0);
  const types: number[] = [];
  const u32 = (...v: number[]): void => void types.push(...v);
  u32(off('int'), 1 << 24, 4, 32); // [1] INT int, 32 bits
  u32(0, (13 << 24) | 2, 1, off('a'), 1, off('b'), 1); // [2] FUNC_PROTO int (int a, int b)
  for (const f of funcs) u32(off(f), 12 << 24, 2); // FUNC f: [2]
  const t = Buffer.alloc(types.length * 4);
  types.forEach((v, i) => t.writeUInt32LE(v >>> 0, i * 4));
  const s = Buffer.from(strs.map((x) => `${x}\0`).join(''), 'latin1');
  const h = Buffer.alloc(24);
  h.writeUInt16LE(0xeb9f, 0);
  h.writeUInt8(1, 2);
  h.writeUInt32LE(24, 4);
  h.writeUInt32LE(0, 8);
  h.writeUInt32LE(t.length, 12);
  h.writeUInt32LE(t.length, 16);
  h.writeUInt32LE(s.length, 20);
  return Buffer.concat([h, t, s]);
}

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}
function asm(hook: string, nargs: number, mode: string): Insn[] {
  return run('asm', hook, String(nargs), mode)
    .trim()
    .split('\n')
    .map((l) => {
      const [c, d, s, o, i] = l.split(' ');
      return { code: parseInt(c!, 16), dst: parseInt(d!, 16), src: parseInt(s!, 16), off: Number(o), imm: Number(i) };
    });
}
const JMP = new Set([0x05, 0x15, 0x55, 0x25]);
/** every jump lands on an instruction start (not the second slot of an ld_imm64) inside the program */
function jumpsValid(p: Insn[]): boolean {
  const second = new Set<number>();
  p.forEach((x, i) => x.code === 0x18 && second.add(i + 1));
  return p.every((x, i) => !JMP.has(x.code) || (i + 1 + x.off >= 0 && i + 1 + x.off < p.length && !second.has(i + 1 + x.off)));
}
const maps = (p: Insn[]): number[] => p.filter((x) => x.code === 0x18).map((x) => x.imm);

describe.skipIf(skip !== null)(`oracle/lsmtrace.c${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('BTF: finds the FUNC ids of bpf_lsm_<hook> / security_<hook> and their argument counts', () => {
    const f = join(dir, 'btf');
    writeFileSync(f, btfBlob(['other', 'bpf_lsm_bpf_token_cmd', 'security_bpf', 'bpf_lsm_bpf']));
    const lsm = Object.fromEntries(run('btf', f).trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    expect(lsm.bpf_token_cmd).toBe('4 2');
    expect(lsm.bpf).toBe('6 2');
    expect(lsm.bpf_map_create).toBe('0 -1');
    const sec = Object.fromEntries(run('btf', f, 'security_').trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    expect(sec.bpf).toBe('5 2');
    expect(sec.bpf_token_cmd).toBe('0 -1');
  });

  it('BTF: a truncated or foreign blob is refused, not read past its end', () => {
    const f = join(dir, 'bad');
    const b = btfBlob(['bpf_lsm_bpf']);
    writeFileSync(f, b.subarray(0, b.length - 9));
    expect(run('btf', f)).toMatch(/^error: Invalid argument/);
    writeFileSync(f, Buffer.from('not btf at all, not btf at all'));
    expect(run('btf', f)).toMatch(/^error: Invalid argument/);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('BTF: this machine\'s vmlinux has every traced hook, with the 6.18 argument counts (lsm_hook_defs.h)', () => {
    const got = Object.fromEntries(run('btf', '/sys/kernel/btf/vmlinux').trim().split('\n').map((l) => [l.split(' ')[0], Number(l.split(' ')[2])]));
    // 6.18: bpf, bpf_map_create and bpf_prog_load take `bool kernel` (4 arguments), as 7.3.4 does (lsm_hook_defs.h:441-448);
    // inode_setattr (idmap, dentry, iattr)
    expect(got).toEqual({ bpf: 4, bpf_map: 2, bpf_prog: 1, bpf_map_create: 4, bpf_map_free: 1, bpf_prog_load: 4, bpf_prog_free: 1, bpf_token_create: 3, bpf_token_free: 1, bpf_token_cmd: 2, bpf_token_capable: 2, inode_setattr: 3 });
  });

  it('assembler: an LSM program filters by pid, denies from the deny map, records into the queue, returns r8', () => {
    const p = asm('bpf_token_capable', 2, 'lsm');
    expect(p[0]).toEqual({ code: 0xbf, dst: 6, src: 1, off: 0, imm: 0 }); // r6 = ctx
    expect(p[1]).toMatchObject({ code: 0x85, imm: 14 }); // bpf_get_current_pid_tgid
    expect(maps(p)).toEqual([11, 12, 14]); // pids, deny, queue (no objs: not a create hook)
    expect(p.filter((x) => x.code === 0x85).map((x) => x.imm)).toEqual([14, 1, 1, 87]);
    expect(p.some((x) => x.code === 0x1f && x.dst === 8)).toBe(true); // r8 = 0 - errno
    expect(p.some((x) => x.code === 0x25 && x.imm === 4095)).toBe(true); // errno bounded by MAX_ERRNO
    expect(p.at(-4)).toEqual({ code: 0xbf, dst: 0, src: 8, off: 0, imm: 0 }); // return r8
    expect(p.at(-1)!.code).toBe(0x95);
    expect(jumpsValid(p)).toBe(true);
    // the context slots read: arg0 and arg1 only (2 arguments)
    expect(p.filter((x) => x.code === 0x79 && x.src === 6).map((x) => x.off)).toEqual([0, 8]);
  });

  it('assembler: a create hook records its object, a free hook records only the scenario\'s objects', () => {
    const c = asm('bpf_map_create', 4, 'lsm');
    expect(maps(c)).toEqual([11, 12, 13, 14]);
    expect(c.filter((x) => x.code === 0x85).map((x) => x.imm)).toEqual([14, 1, 1, 2, 87]);
    expect(jumpsValid(c)).toBe(true);
    const f = asm('bpf_map_free', 1, 'lsm');
    expect(maps(f)).toEqual([11, 13, 14]); // no deny: a void hook
    expect(f.some((x) => x.code === 0x1f)).toBe(false);
    expect(f.at(-4)).toEqual({ code: 0xbf, dst: 0, src: 8, off: 0, imm: 0 });
    expect(jumpsValid(f)).toBe(true);
  });

  it('assembler: kprobe programs read pt_regs (di, si, dx), the return probe reads ax, neither denies', () => {
    const k = asm('bpf_token_cmd', 2, 'kprobe');
    expect(k.filter((x) => x.code === 0x79 && x.src === 6).map((x) => x.off)).toEqual([112, 104]);
    expect(maps(k)).toEqual([11, 14]);
    expect(k.at(-4)).toEqual({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 });
    expect(jumpsValid(k)).toBe(true);
    const r = asm('bpf_token_cmd', 2, 'kret');
    expect(r.filter((x) => x.code === 0x79 && x.src === 6).map((x) => x.off)).toEqual([80]);
    expect(r.find((x) => x.code === 0x62)!.imm).toBe(0x80 | 9); // hook 9 with the return flag
    expect(jumpsValid(r)).toBe(true);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
