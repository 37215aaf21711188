// Arbitrary delegate_* option values: symbolic names in random case (aliases
// included), "any", numbers in three bases (unknown high bits too), invalid
// pieces, colon lists. Grammar: kernel/bpf/inode.c bpf_parse_param().

import fc from 'fast-check';
import { perKey } from './memo.ts';
import { DELEGATE_ENUMS, type DelegateEnum, tokenName } from '../model/enums.ts';
import type { DelegateKey } from '../model/bpffs.ts';

const randomCase = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) =>
    s
      .split('')
      .map((c, i) => (up[i] ? c.toUpperCase() : c))
      .join(''),
  );

// The arbitraries below are made once per enum, name and key (generators/memo.ts),
// not once per generated value inside a chain (issue 13: 2.6% of a campaign).

/** a name as it is, or in random case */
const spelling = perKey((n: string): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: randomCase(n) }));

const symbolic = perKey((e: DelegateEnum): fc.Arbitrary<string> => fc.constantFrom(...e.consts.map((c) => tokenName(e, c))).chain(spelling));

const mask64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.integer({ min: 0, max: 63 }).map((b) => 1n << BigInt(b)),
  fc.constantFrom(0n, 1n, (1n << 64n) - 1n, 1n << 63n, (1n << 38n) - 1n, (1n << 34n) - 1n),
);

const numeric = fc.oneof(
  mask64.map((m) => '0x' + m.toString(16)),
  mask64.map((m) => '0X' + m.toString(16).toUpperCase()),
  mask64.map((m) => m.toString(10)),
  mask64.map((m) => (m === 0n ? '0' : '0' + m.toString(8))),
  fc.constantFrom('+1', '1\n', '010', '0'),
);

const invalid = fc.constantFrom(
  '', 'ANY', 'Any', '-1', '0x', '08', '0xg', ' 1', 'map_create,prog_load', 'bpf_map_create', 'map_type_array',
  'prog_type_xdp', 'max_bpf_cmd', '__max_bpf_cmd', '18446744073709551616', '99999999999999999999999', '0x10000000000000000', 'bogus',
);

/** one piece of a colon list, for the enum of `key` */
function piece(key: DelegateKey): fc.Arbitrary<string> {
  const e = DELEGATE_ENUMS.find((d) => d.option === key)!;
  const other = DELEGATE_ENUMS.filter((d) => d !== e);
  return fc.oneof(
    { weight: 8, arbitrary: symbolic(e) },
    { weight: 2, arbitrary: fc.constant('any') },
    { weight: 3, arbitrary: numeric },
    { weight: 1, arbitrary: fc.constantFrom(...other).chain(symbolic) },
    { weight: 1, arbitrary: invalid },
  );
}

/** a delegate_* value: 1-3 pieces joined with ':' */
export const delegateValue = perKey((key: DelegateKey): fc.Arbitrary<string> => fc.array(piece(key), { minLength: 1, maxLength: 3 }).map((p) => p.join(':')));

const delegateOption = perKey((key: DelegateKey): fc.Arbitrary<{ key: string; value: string }> => delegateValue(key).map((value) => ({ key, value })));

export const delegateKey: fc.Arbitrary<DelegateKey> = fc.constantFrom('delegate_cmds', 'delegate_maps', 'delegate_progs', 'delegate_attachs');

/** a whole fsconfig(SET_STRING) option for a bpffs context, delegation most often */
export const mountOption: fc.Arbitrary<{ key: string; value: string }> = fc.oneof(
  { weight: 10, arbitrary: delegateKey.chain(delegateOption) },
  { weight: 1, arbitrary: fc.constantFrom('700', '750', '0777', '1777', '8', '0x1ff', '').map((value) => ({ key: 'mode', value })) },
  { weight: 1, arbitrary: fc.constantFrom('0', '1000', '1001', '0x3e8', 'x').map((value) => ({ key: 'uid', value })) },
  { weight: 1, arbitrary: fc.constantFrom('0', '1000', '1001').map((value) => ({ key: 'gid', value })) },
  { weight: 1, arbitrary: fc.constantFrom('foo', 'Delegate_Cmds', 'delegate_foo', 'ro', 'rw', 'sync', 'dirsync', 'lazytime').map((key) => ({ key, value: '1' })) },
  { weight: 1, arbitrary: fc.constantFrom('bpffs', 'none', '').map((value) => ({ key: 'source', value })) },
);

/** a coherent delegation (what a container manager would set), with random
 *  omissions: lets generated sequences reach successful token use */
export const coherentDelegation: fc.Arbitrary<Array<{ key: string; value: string }>> = fc
  .record({
    cmds: fc.constantFrom('any', 'map_create:prog_load:btf_load:btf_get_fd_by_id', 'map_create', 'prog_load', 'btf_load', 'MAP_CREATE:PROG_LOAD'),
    maps: fc.constantFrom('any', 'array:hash:stack:queue:ringbuf', 'hash', '0x800006'),
    progs: fc.constantFrom('any', 'socket_filter:xdp:kprobe', 'xdp', 'socket_filter:cgroup_skb'),
    attachs: fc.constantFrom('any', 'cgroup_inet_ingress:xdp', 'xdp', 'cgroup_inet_ingress'),
    drop: fc.subarray(['delegate_maps', 'delegate_progs', 'delegate_attachs'], { maxLength: 1 }),
  })
  .map(({ cmds, maps, progs, attachs, drop }) =>
    [
      { key: 'delegate_cmds', value: cmds },
      { key: 'delegate_maps', value: maps },
      { key: 'delegate_progs', value: progs },
      { key: 'delegate_attachs', value: attachs },
    ].filter((o) => !drop.includes(o.key)),
  );
