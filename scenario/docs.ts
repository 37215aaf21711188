// The op tables of README.md ("The scenario format") and oracle/PROTOCOL.md
// ("Steps"), made from the op table (scenario/ops.ts). README's table is
// generated whole between its markers; PROTOCOL.md's rows keep their
// hand-written third column (attr offsets, sandbox rules), their first two
// columns are generated. scenario/ops.test.ts checks both files are current;
// npx tsx build/write-generated.ts rewrites them.

import { OPS, type ArgSpec, type OpSpec } from './ops.ts';
import { ENUMS } from './vocab.ts';

export const README_BEGIN = '<!-- op table: generated from scenario/ops.ts by build/write-generated.ts -->';
export const README_END = '<!-- end of op table -->';

function readmeArg(key: string, a: ArgSpec): string {
  const notes: string[] = [];
  if (a.kind === 'choice') notes.push((a.choices ?? []).map((c) => `\`${c}\``).join(', '));
  if (a.default !== undefined && a.default !== null && a.required !== true) notes.push(`\`${String(a.default)}\``);
  if (a.names !== undefined) notes.push(`or a \`${ENUMS[a.names].cEnum}\` name`);
  if (a.modelOnly === true) notes.push('model only');
  const req = a.required === true ? '' : '?';
  return `\`${key}\`${req}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** README.md's op table (between README_BEGIN and README_END) */
export function readmeOpTable(): string {
  const rows = ['| op | arguments (`?` optional, default) | returns an fd (`as`) | the syscalls | what it does |', '|---|---|---|---|---|'];
  for (const [op, o] of Object.entries(OPS) as Array<[string, OpSpec]>) {
    const args = Object.entries(o.args).map(([k, a]) => readmeArg(k, a));
    if (o.race === true) args.push('`race`? (model only)');
    rows.push(`| \`${op}\` | ${args.join(', ')} | ${o.returnsFd ? 'yes' : ''} | ${o.syscalls}${o.kernel ? '' : ' (model only)'} | ${o.doc.replace(/\|/g, '\\|')} |`);
  }
  return rows.join('\n');
}

/** the protocol's `key=default` form of one argument (PROTOCOL.md "Steps") */
function protocolArg(key: string, a: ArgSpec): string {
  const wire = a.wire ?? key;
  switch (a.kind) {
    case 'handle':
      return `${wire}=${a.required === true ? 'h' : '-'}`;
    case 'actor':
      return `${wire}=a`;
    case 'caps':
      return `${wire}=<hex>`;
    case 'choice':
      return `${wire}=${(a.choices ?? []).join('\\|')}`;
    case 'bool':
      return `${wire}=${a.defaultIsTokenGiven === true ? '0' : a.default === true ? '1' : '0'}`;
    case 'int':
      return `${wire}=${a.required === true ? 'n' : String(a.default)}`;
    case 'string':
      return `${wire}=${a.default === null ? '-' : a.default === undefined ? 's' : String(a.default)}`;
    case 'signature':
      return '';
    case 'handles':
      return `${wire}=-`;
  }
}

/** PROTOCOL.md's first two columns of one op's row: `| \`op\` | \`args\` |` */
export function protocolRowStart(op: string, o: OpSpec): string {
  const args = Object.entries(o.args)
    .filter(([, a]) => a.modelOnly !== true)
    .map(([k, a]) => protocolArg(k, a))
    .join(' ');
  return `| \`${op}\` | \`${args}\` |`;
}

/** README.md with its op table replaced; undefined when the markers are missing */
export function withReadmeTable(readme: string): string | undefined {
  const b = readme.indexOf(README_BEGIN);
  const e = readme.indexOf(README_END);
  if (b < 0 || e < b) return undefined;
  return readme.slice(0, b + README_BEGIN.length) + '\n' + readmeOpTable() + '\n' + readme.slice(e);
}

/** PROTOCOL.md with the first two columns of every op row regenerated (rows
 *  are found by their first cell); an op without a row gets one after the
 *  row of the op before it, its third column from the table (listed in `added`) */
export function withProtocolRows(protocol: string): { text: string; added: string[] } {
  const lines = protocol.split('\n');
  const added: string[] = [];
  let last = -1;
  for (const [op, o] of Object.entries(OPS) as Array<[string, OpSpec]>) {
    if (!o.kernel) continue;
    const i = lines.findIndex((l) => l.startsWith(`| \`${op}\` |`));
    if (i < 0) {
      if (last < 0) continue; // no op table at all: nothing to anchor a row to
      lines.splice(last + 1, 0, `${protocolRowStart(op, o)} ${o.syscalls}: ${o.doc.replace(/\|/g, '\\|')} |`);
      added.push(op);
      last++;
      continue;
    }
    // the third column starts after the second cell: `| op | args | rest`
    const m = /^\| `[^`]+` \| `(?:[^`\\]|\\.)*` \|(.*)$/.exec(lines[i]!);
    const rest = m ? m[1]! : ' |';
    lines[i] = protocolRowStart(op, o) + rest;
    last = i;
  }
  return { text: lines.join('\n'), added };
}
