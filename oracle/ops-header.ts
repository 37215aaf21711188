// The C header of the executor, oracle/ops.gen.h, made from the op table
// (scenario/ops.ts): the scenario ops' enum constants, their protocol entries
// (key, kind, slot, default) and one named constant per argument slot, so
// the executor says c->n[N_MAP_CREATE_KEY_SIZE] instead of c->n[1].
// Written by oracle/build.mjs at npm install and by build/write-generated.ts;
// scenario/ops.test.ts checks the committed file is current.
//
// Slots: handles h[0..2] (resolved to fds fd[0..2]), strings s[0..2], numbers
// n[0..7]. Each kind is numbered in table order, except that a `token` handle
// is always h[1] and a `token_flag` always n[6] (the executor resolves and
// tests them in one place for every bpf command), and n[5] of
// btf_get_fd_by_id and n[7] of capset are the executor's own (EXECUTOR_OWN).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OPS, type ArgSpec, type OpSpec } from '../scenario/ops.ts';

type CKind = 'A_HANDLE' | 'A_STR' | 'A_NUM' | 'A_HEX' | 'A_ACTOR' | 'A_HLIST';

const KIND: Record<ArgSpec['kind'], CKind | null> = {
  handle: 'A_HANDLE',
  string: 'A_STR',
  choice: 'A_STR',
  int: 'A_NUM',
  bool: 'A_NUM',
  caps: 'A_HEX',
  actor: 'A_ACTOR',
  signature: null,
  handles: 'A_HLIST',
};

/** slot prefixes of the named constants, by C kind */
const PREFIX: Record<CKind, string> = { A_HANDLE: 'H', A_STR: 'S', A_NUM: 'N', A_HEX: 'N', A_ACTOR: 'ACTOR', A_HLIST: 'HL' };

export interface CArg {
  key: string;
  wire: string;
  kind: CKind;
  slot: number;
  /** the C default: a string literal's text, or null for NULL (the key is required) */
  def: string | null;
}

function cDefault(a: ArgSpec): string | null {
  switch (a.kind) {
    case 'handle':
    case 'handles':
      return '-';
    case 'caps':
      return a.required === true ? null : '';
    case 'bool':
      return a.default === true ? '1' : '0';
    default:
      if (a.default === null) return '-';
      if (a.default === undefined) return null;
      return String(a.default);
  }
}

/** the executor's view of one op's arguments (model-only arguments left out) */
export function cArgs(op: string, o: OpSpec): CArg[] {
  const own = Object.hasOwn(EXECUTOR_OWN, op) ? Object.values(EXECUTOR_OWN[op]!) : [];
  const used = { h: new Set<number>([1]), s: new Set<number>(), n: new Set<number>([6, ...own]) };
  const take = (set: Set<number>): number => {
    let i = 0;
    while (set.has(i)) i++;
    set.add(i);
    return i;
  };
  const out: CArg[] = [];
  for (const [key, a] of Object.entries(o.args)) {
    const kind = KIND[a.kind];
    if (kind === null || a.modelOnly === true) continue;
    let slot = 0;
    if (kind === 'A_HANDLE') slot = key === 'token' ? 1 : take(used.h);
    else if (kind === 'A_STR') slot = take(used.s);
    else if (kind === 'A_NUM' || kind === 'A_HEX') slot = key === 'token_flag' ? 6 : take(used.n);
    out.push({ key, wire: a.wire ?? key, kind, slot, def: cDefault(a) });
  }
  return out;
}

/** number slots the executor fills itself (named N_<OP>_<NAME> too) */
export const EXECUTOR_OWN: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  /** the FSCONFIG_* number of the cmd string */
  fsconfig: { cmd_num: 0 },
  /** the id of the BTF behind the `btf` handle (recorded by btf_load) */
  btf_get_fd_by_id: { btf_id: 5 },
  /** 1 when perm= was given */
  capset: { has_perm: 7 },
};

const cStr = (s: string): string => JSON.stringify(s);
const upper = (s: string): string => s.toUpperCase();

/** the protocol entry of one op, as the executor's OPS[] table spells it */
export function opspecEntry(op: string, o: OpSpec): string {
  const args = cArgs(op, o).map((a) => `{${cStr(a.wire)}, ${a.kind}, ${a.slot}, ${a.def === null ? 'NULL' : cStr(a.def)}}`);
  return `{${cStr(op)}, OP_${upper(op)}, ${o.returnsFd ? 1 : 0}, {${args.join(', ')}}}`;
}

/** the text of oracle/ops.gen.h */
export function opsHeaderText(): string {
  const ops = Object.entries(OPS) as Array<[string, OpSpec]>;
  const kernelOps = ops.filter(([, o]) => o.kernel);
  const lines: string[] = [];
  lines.push('/* Generated from scenario/ops.ts by oracle/ops-header.ts (npm install runs it');
  lines.push(' * through oracle/build.mjs; so does npx tsx build/write-generated.ts).');
  lines.push(' * Do not edit: change scenario/ops.ts. */');
  lines.push('#ifndef BPFTC_OPS_GEN_H');
  lines.push('#define BPFTC_OPS_GEN_H');
  lines.push('');
  lines.push('/* the scenario ops the executor runs, in table order (enum op) */');
  lines.push('#define BPFTC_SCENARIO_OPS_ENUM \\');
  lines.push(kernelOps.map(([op]) => `  OP_${upper(op)},`).join(' \\\n'));
  lines.push('');
  lines.push('/* their protocol entries (struct opspec): key, kind, slot, default (NULL: required) */');
  lines.push('#define BPFTC_SCENARIO_OPSPECS \\');
  lines.push(kernelOps.map(([op, o]) => `  ${opspecEntry(op, o)},`).join(' \\\n'));
  lines.push('');
  lines.push('/* named slots: H_<OP>_<ARG> indexes h[]/fd[], S_<OP>_<ARG> s[], N_<OP>_<ARG> n[] */');
  lines.push('enum {');
  for (const [op, o] of kernelOps) {
    for (const a of cArgs(op, o)) if (a.kind !== 'A_ACTOR') lines.push(`  ${PREFIX[a.kind]}_${upper(op)}_${upper(a.key)} = ${a.slot},`);
    for (const [name, slot] of Object.entries(Object.hasOwn(EXECUTOR_OWN, op) ? EXECUTOR_OWN[op]! : {})) lines.push(`  N_${upper(op)}_${upper(name)} = ${slot}, /* the executor's own */`);
  }
  lines.push('};');
  lines.push('');
  lines.push('/* slots a key has in every op (two or more) that takes it, for code those ops share */');
  lines.push('enum {');
  const common = new Map<string, number | null>();
  const uses = new Map<string, number>();
  for (const [op, o] of kernelOps)
    for (const a of cArgs(op, o)) {
      if (a.kind === 'A_ACTOR') continue;
      const name = `${PREFIX[a.kind]}_${upper(a.key)}`;
      const had = common.get(name);
      common.set(name, had === undefined || had === a.slot ? a.slot : null);
      uses.set(name, (uses.get(name) ?? 0) + 1);
    }
  for (const [name, slot] of common) if (slot !== null && uses.get(name)! > 1) lines.push(`  ${name} = ${slot},`);
  lines.push('};');
  lines.push('');
  lines.push('#endif');
  return lines.join('\n') + '\n';
}

/** writes oracle/ops.gen.h next to this file (oracle/build.mjs runs this at npm install) */
export function writeOpsHeader(): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'ops.gen.h');
  const text = opsHeaderText();
  let old: string | undefined;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== text) writeFileSync(file, text);
  return file;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(`bpftc: wrote ${writeOpsHeader()}`);
