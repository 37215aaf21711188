// npm test lists the decision points the default campaign never reaches, and
// fails when a must-reach point is missed (both outcomes of each named check).

import { describe, expect, it } from 'vitest';
import { collectCoverage } from './collect.ts';
import { formatHtml, formatText, rows, unregistered } from './report.ts';
import { findProfile } from '../model/profile.ts';
import { main } from '../cli/main.ts';

const MUST_REACH = [
  // fsopen/fs_type (ENODEV) is out of reach: the sandbox refuses every name but bpf, tmpfs, ramfs first
  'staticRefusal/fs_type', 'fsopen/may_mount', 'fsopen/flags', 'fsconfig/args', 'fsconfig/fdget', 'fsconfig/fscontext', 'fsconfig/key_len',
  'vfs_fsconfig_locked/phase', 'vfs_cmd_create/phase', 'vfs_cmd_create/mount_capable', 'vfs_cmd_reconfigure/phase',
  'bpf_parse_param/type', 'bpf_parse_param/uid_mapped', 'bpf_parse_param/delegate_parse', 'bpf_parse_param/delegate_capable',
  'bpf_fill_super/capable', 'bpf_lookup/dotted', 'fsmount/may_mount', 'fsmount/root', 'fsmount/phase', 'open_tree/check_mnt',
  'do_move_mount/attachable', 'fspick/mnt_root', 'link_path_walk/dirfd', 'link_path_walk/notdir', 'link_path_walk/lookup',
  'vfs_mkdir/exists', 'vfs_mkdir/mapping', 'bpf_token_create/fdget', 'bpf_token_create/root', 'bpf_token_create/same_userns',
  'bpf_token_create/cap_bpf', 'bpf_token_create/init_ns', 'bpf_token_create/delegation', 'bpf_token_allow_cmd/bit',
  'bpf_token_capable/ns_capable', 'cap_capable/own_ns', 'cap_capable/owner_rule', 'cap_capable/not_ancestor',
  '__sys_bpf/size', '__sys_bpf/tail', '__sys_bpf/check_attr', 'bpf_token_create/flags', 'bpf_token_get_from_fd/fdget',
  'bpf_token_get_from_fd/is_token', 'map_create/map_extra', 'map_create/file_flag', 'map_create/type', 'map_create/alloc_check',
  'map_create/token_allowed', 'map_create/sysctl', 'map_create/cap_class', 'map_create/alloc', 'bpf_prog_load/flags',
  'bpf_prog_load/token_allowed', 'bpf_prog_load/sysctl', 'bpf_prog_load/insn_cnt', 'bpf_prog_load/bpf_cap',
  'bpf_prog_load/check_attach', 'bpf_prog_load/prog_type', 'bpf_prog_load/verifier', 'bpf_btf_load/flags', 'bpf_btf_load/cap_bpf',
  'bpf_btf_get_fd_by_id/flags', 'bpf_btf_get_fd_by_id/cap_sys_admin', 'bpf_btf_get_fd_by_id/id',
];

describe('spec coverage of the default campaign', () => {
  const run = collectCoverage(findProfile('linux-6.18')!, { runs: 1500, seed: 1 });
  const table = rows(run);

  it('lists the decision points it never reaches', () => {
    const missed = table.filter((r) => r.missing !== 'none').map((r) => `${r.id} (${r.missing === 'both' ? 'never reached' : `never ${r.missing === 'fail' ? 'fails' : 'passes'}`})`);
    console.log(`decision points the default campaign misses (${missed.length} of ${table.length}):\n  ${missed.join('\n  ')}`);
    expect(table.length).toBeGreaterThan(50);
  });

  it.each(MUST_REACH)('reaches %s with every outcome', (id) => {
    const r = table.find((x) => x.id === id);
    expect(r, `${id} is not in the registry`).toBeDefined();
    expect(r!.missing).toBe('none');
  });

  it('every recorded decision point is registered (cites its kernel function)', () => {
    expect(unregistered(run)).toEqual([]);
  });

  it('renders text and HTML reports, and the CLI rejects bad flags', async () => {
    expect(formatText(run)).toMatch(/^spec coverage of linux-6\.18: 1500 generated scenarios/);
    const html = formatHtml(run);
    expect(html).toMatch(/<h2>token <small>\d+\/\d+ points with both outcomes<\/small><\/h2>/);
    // the page starts with the misses, then the points that cannot happen by design, then the tables
    const [misses, design, table] = ['real misses', 'Cannot happen by design', '<h2>token'].map((t) => html.indexOf(t));
    expect(misses).toBeGreaterThan(0);
    expect(misses).toBeLessThan(design);
    expect(design).toBeLessThan(table!);
    expect(html).toContain('bpf_token_create/same_userns');
    const err: string[] = [];
    expect(await main(['coverage', '--profile', 'nope'], () => {}, (l) => err.push(l))).toBe(2);
    expect(err).toHaveLength(1);
  });
});
