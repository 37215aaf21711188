// Commands of the issue 11 language v2 ops of branch procs: credentials
// (setresuid, setresgid, setgroups, drop_caps, keepcaps), a filesystem that is
// not bpffs (tmpfs), literal fds (#-1, #0, #1, #2), the mount life cycle on
// named targets (move_mount target=, umount, bind, remount, open_target), exit, unshare, setns, chmod, prog_load with an fd_array, fork and idmap. Mixed into
// the command stream by GenOptions.procs (generators/scenario.ts; `bpftc
// oracle --procs`), so the default generator's scenarios stay what they were.

import fc from 'fast-check';
import { record } from './record.ts';
import type { Step } from '../scenario/types.ts';
import { OPS, UNCHANGED } from '../scenario/ops.ts';
import { capSubsetArb } from './caps.ts';
import { fromKuid } from '../model/userns.ts';
import type { Compiler } from './compile.ts';

export type ProcsCmd =
  | { k: 'setresuid'; a: number; ids: [number, number, number] }
  | { k: 'setresgid'; a: number; ids: [number, number, number] }
  | { k: 'setgroups'; a: number; id: number }
  | { k: 'drop_caps'; a: number; caps: string[] }
  | { k: 'keepcaps'; a: number; value: number }
  | { k: 'tmpfs'; a: number }
  | { k: 'tmpfs_use'; a: number; h: number; mk: boolean; path: string }
  | { k: 'literal'; a: number; lit: number; use: number }
  | { k: 'move_target'; a: number; h: number; tgt: number }
  | { k: 'umount'; a: number; tgt: number; flags: number }
  | { k: 'bind'; a: number; h: number; tgt: number }
  | { k: 'open_target'; a: number; tgt: number }
  | { k: 'exit'; a: number }
  | { k: 'remount'; a: number; tgt: number; ro: boolean }
  | { k: 'unshare'; a: number; user: boolean }
  | { k: 'setns'; a: number; of: number; user: boolean }
  | { k: 'chmod'; a: number; h: number; path: string; mode: number }
  | { k: 'fd_array'; a: number; hs: number[]; cnt: number; token: boolean; prog: number }
  | { k: 'fork'; a: number; use: number; share: boolean }
  | { k: 'idmap'; a: number; gid: boolean; id: number; count: number }
  | { k: 'map_freeze'; a: number; h: number; how: number }
  | { k: 'map_update'; a: number; h: number; key: number; value: number; flags: number };

const PROCS_KINDS: ReadonlySet<string> = new Set<ProcsCmd['k']>([
  'setresuid', 'setresgid', 'setgroups', 'drop_caps', 'keepcaps', 'tmpfs', 'tmpfs_use', 'literal', 'move_target', 'umount', 'bind', 'open_target', 'exit', 'remount', 'unshare', 'setns', 'chmod', 'fd_array', 'fork', 'idmap', 'map_freeze', 'map_update',
]);

export function isProcsCmd(c: { k: string }): c is ProcsCmd {
  return PROCS_KINDS.has(c.k);
}

const actor = fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat({ max: 7 }) });
const nat = fc.nat({ max: 1000 });
/** an id choice, resolved against the actor (compile time): unchanged, its own kuid, the next one, a sample */
const idChoice = fc.nat({ max: 5 + OPS.setresuid.args.ruid.samples.length });
const ids = fc.tuple(idChoice, idChoice, idChoice);
/** umount2 flags: 0 mostly, the others (MNT_EXPIRE is model-approximate: generators leave it out) */
const umountFlags = fc.oneof({ weight: 5, arbitrary: fc.constant(OPS.umount.args.flags.default) }, { weight: 2, arbitrary: fc.constantFrom(...OPS.umount.args.flags.samples) });

export const procsCmdArb: fc.Arbitrary<ProcsCmd> = fc.oneof(
  { weight: 2, arbitrary: record({ k: fc.constant('setresuid' as const), a: actor, ids }) },
  { weight: 1, arbitrary: record({ k: fc.constant('setresgid' as const), a: actor, ids }) },
  { weight: 1, arbitrary: record({ k: fc.constant('setgroups' as const), a: actor, id: idChoice }) },
  { weight: 1, arbitrary: record({ k: fc.constant('drop_caps' as const), a: actor, caps: capSubsetArb }) },
  { weight: 1, arbitrary: record({ k: fc.constant('keepcaps' as const), a: actor, value: fc.constantFrom(...OPS.keepcaps.args.value.samples) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('tmpfs' as const), a: actor }) },
  { weight: 2, arbitrary: record({ k: fc.constant('tmpfs_use' as const), a: actor, h: nat, mk: fc.boolean(), path: fc.constantFrom('.', 'd', 'e') }) },
  { weight: 2, arbitrary: record({ k: fc.constant('literal' as const), a: actor, lit: fc.nat({ max: 3 }), use: fc.nat({ max: 9 }) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('move_target' as const), a: actor, h: nat, tgt: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('umount' as const), a: actor, tgt: fc.nat({ max: 2 }), flags: umountFlags }) },
  { weight: 2, arbitrary: record({ k: fc.constant('bind' as const), a: actor, h: nat, tgt: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('open_target' as const), a: actor, tgt: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: record({ k: fc.constant('remount' as const), a: actor, tgt: fc.nat({ max: 2 }), ro: fc.boolean() }) },
  // user first shrinks to mnt (fc.boolean shrinks to false)
  { weight: 1, arbitrary: record({ k: fc.constant('unshare' as const), a: actor, user: fc.boolean() }) },
  { weight: 1, arbitrary: record({ k: fc.constant('setns' as const), a: actor, of: actor, user: fc.boolean() }) },
  { weight: 2, arbitrary: record({ k: fc.constant('chmod' as const), a: actor, h: nat, path: fc.constantFrom('.', 'd', 'e'), mode: fc.constantFrom(...OPS.chmod.args.mode.samples) }) },
  // prog_load with an fd_array of the actor's maps and BTFs (and now and then another fd)
  {
    weight: 2,
    arbitrary: record({
      k: fc.constant('fd_array' as const),
      a: actor,
      hs: fc.array(nat, { minLength: 0, maxLength: 4 }),
      cnt: fc.nat({ max: 4 }),
      token: fc.boolean(),
      prog: fc.constantFrom(1, 1, 8, 18),
    }),
  },
  // BPF_MAP_FREEZE of a map of its own (created read-only or write-only now and then), twice
  // now and then, or of any handle
  { weight: 1, arbitrary: record({ k: fc.constant('map_freeze' as const), a: actor, h: nat, how: fc.nat({ max: 7 }) }) },
  // BPF_MAP_UPDATE_ELEM of a map it holds (frozen, read-only, full ...): keys near the bounds
  {
    weight: 1,
    arbitrary: record({
      k: fc.constant('map_update' as const),
      a: actor,
      h: nat,
      key: fc.constantFrom(...OPS.map_update_elem.args.key.samples),
      value: fc.constantFrom(...OPS.map_update_elem.args.value.samples),
      flags: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constantFrom(...OPS.map_update_elem.args.flags.samples) }),
    }),
  },
  // an actor forks; the child uses what it inherited at once (and later, as any actor)
  // (a third of them with clone_files: one table for both; shrinks to a plain fork)
  { weight: 2, arbitrary: record({ k: fc.constant('fork' as const), a: actor, use: fc.nat({ max: 11 }), share: fc.nat({ max: 2 }).map((n) => n === 2) }) },
  // an actor maps ids of its namespace (one made by unshare, mostly): its own id, another, 0
  { weight: 2, arbitrary: record({ k: fc.constant('idmap' as const), a: actor, gid: fc.boolean(), id: fc.nat({ max: 7 }), count: fc.constantFrom(1, 1, 1, 2, 0) }) },
  // an actor other than the grantor (index 0) exits, now and then
  { weight: 1, arbitrary: record({ k: fc.constant('exit' as const), a: fc.integer({ min: 1, max: 7 }) }) },
);

const TARGETS = ['a', 'b', 'c'];
const LITERALS = ['#-1', '#0', '#1', '#2'];

/** an id choice as a kuid for the actor: unchanged, its kuid, kuid + 1, or a sample */
function idFor(kuid: number, choice: number): number {
  const samples = OPS.setresuid.args.ruid.samples;
  if (choice <= 1) return UNCHANGED;
  if (choice <= 3) return kuid;
  if (choice === 4) return kuid + 1;
  return samples[(choice - 5) % samples.length]!;
}

/** emits the step(s) of one command through the compiler (handles resolved on the model) */
export function emitProcs(c: Compiler, cmd: ProcsCmd): void {
  const a = c.actor(cmd.a);
  const kuid = c.scenario.actors.find((x) => x.name === a)!.kuid;
  const emit = (s: Step): void => void c.emit(s);
  switch (cmd.k) {
    case 'setresuid': {
      const [r, e, s] = cmd.ids.map((i) => idFor(kuid, i)) as [number, number, number];
      return emit({ actor: a, op: 'setresuid', ruid: r, euid: e, suid: s });
    }
    case 'setresgid': {
      const [r, e, s] = cmd.ids.map((i) => idFor(kuid, i)) as [number, number, number];
      return emit({ actor: a, op: 'setresgid', rgid: r, egid: e, sgid: s });
    }
    case 'setgroups': {
      const id = idFor(kuid, cmd.id);
      return emit(id === UNCHANGED ? { actor: a, op: 'setgroups' } : { actor: a, op: 'setgroups', gid: id });
    }
    case 'drop_caps':
      return emit({ actor: a, op: 'drop_caps', drop: cmd.caps });
    case 'keepcaps':
      return emit({ actor: a, op: 'keepcaps', value: cmd.value });
    case 'tmpfs':
      return emit({ actor: a, op: 'tmpfs', as: c.fresh('tmp') });
    case 'tmpfs_use': {
      const h = c.pick(a, 'tmpfs', cmd.h);
      if (cmd.mk && cmd.path !== '.') return emit({ actor: a, op: 'mkdir', dirfd: h, path: cmd.path });
      return emit({ actor: a, op: 'open', dirfd: h, path: cmd.path, as: c.fresh('tdir') });
    }
    case 'literal': {
      // a literal fd where an fd goes: the bpf commands' fds, the fs calls, close
      const lit = LITERALS[cmd.lit]!;
      switch (cmd.use % 10) {
        case 0:
        case 1:
          return emit({ actor: a, op: 'token_create', bpffs: lit, as: c.fresh('tok') });
        case 2:
          return emit({ actor: a, op: 'map_create', map_type: 2, token: lit, as: c.fresh('map') });
        case 3:
          return emit({ actor: a, op: 'prog_load', prog_type: 1, token: lit, as: c.fresh('prog') });
        case 4:
          return emit({ actor: a, op: 'fsconfig', fd: lit, cmd: 'create' });
        case 5:
          return emit({ actor: a, op: 'open', dirfd: lit, path: '.', as: c.fresh('dir') });
        case 6:
          return emit({ actor: a, op: 'mountinfo', fd: lit });
        case 7:
          return emit({ actor: a, op: 'obj_get_info', fd: lit });
        case 8:
          return emit({ actor: a, op: 'send_fd', fd: lit, to: c.actor(cmd.a + 1), as: c.fresh('null') });
        default:
          return emit({ actor: a, op: 'close', fd: lit });
      }
    }
    case 'move_target': {
      const h = c.pick(a, cmd.h % 2 ? 'tmpfs' : 'mount', cmd.h);
      return emit({ actor: a, op: 'move_mount', fd: h, target: TARGETS[cmd.tgt]! });
    }
    case 'umount': {
      const s: Step = { actor: a, op: 'umount', target: TARGETS[cmd.tgt]! };
      if (cmd.flags) s.flags = cmd.flags;
      return emit(s);
    }
    case 'bind': {
      const kinds = ['dir', 'mount', 'tmpfs'] as const;
      return emit({ actor: a, op: 'bind', src: c.pick(a, kinds[cmd.h % 3]!, cmd.h), target: TARGETS[cmd.tgt]! });
    }
    case 'open_target':
      return emit({ actor: a, op: 'open_target', target: TARGETS[cmd.tgt]!, as: c.fresh('tgt') });
    case 'exit':
      return emit({ actor: a, op: 'exit' });
    case 'unshare':
      return emit(cmd.user ? { actor: a, op: 'unshare', ns: 'user' } : { actor: a, op: 'unshare' });
    case 'setns':
      return emit(cmd.user ? { actor: a, op: 'setns', of: c.actor(cmd.of), ns: 'user' } : { actor: a, op: 'setns', of: c.actor(cmd.of) });
    case 'chmod': {
      // a directory of a bpffs, a mount root, or a tmpfs; a name made by mkdir ("d", "e") or the dirfd itself
      const h = c.pick(a, (['dir', 'mount', 'tmpfs'] as const)[cmd.h % 3]!, cmd.h);
      return emit({ actor: a, op: 'chmod', dirfd: h, path: cmd.path, mode: cmd.mode });
    }
    case 'fd_array': {
      // each entry: a map (mostly), a BTF, or a directory fd (EINVAL); the count never above the list
      // a map of its own first, so that the array holds a live one (then what hs picks)
      const own = c.fresh('map');
      emit({ actor: a, op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, as: own });
      const fds = [own, ...cmd.hs.map((h) => c.pick(a, (['map', 'map', 'btf', 'dir'] as const)[h % 4]!, h))];
      const s: Step = { actor: a, op: 'prog_load', prog_type: cmd.prog, fd_array: fds, fd_array_cnt: Math.min(cmd.cnt + 1, fds.length), as: c.fresh('prog') };
      if (cmd.token) s.token = c.pick(a, 'token', cmd.cnt);
      return emit(s);
    }
    case 'map_freeze': {
      if (cmd.how >= 6) return emit({ actor: a, op: 'map_freeze', fd: c.pick(a, cmd.how === 6 ? 'map' : 'any', cmd.h) });
      const m = c.fresh('map');
      const flags = [0, 0, 0, 8, 16, 0][cmd.how]!;
      emit({ actor: a, op: 'map_create', map_type: 2, ...(flags ? { map_flags: flags } : {}), token: c.pick(a, 'token', cmd.h), as: m });
      emit({ actor: a, op: 'map_freeze', fd: m });
      if (cmd.how === 2 || cmd.how === 5) emit({ actor: a, op: 'map_freeze', fd: m });
      return;
    }
    case 'map_update': {
      // three in four on a small ARRAY or HASH map made for it (with a token it holds, if
      // any), so that updates reach the type's rules; the rest on any map or fd it holds
      let fd: string;
      if (cmd.h % 4 < 3) {
        fd = c.fresh('map');
        const mk: Step = { actor: a, op: 'map_create', map_type: cmd.h % 2 === 0 ? 2 : 1, key_size: 4, value_size: 8, max_entries: 2, token: c.pick(a, 'token', cmd.h), as: fd };
        // an actor that may not create it gets one the first actor made and sent it (the fd
        // is what the update needs: no capability check on this path)
        if (c.emit(mk).ret !== 'ok' && a !== c.actor(0)) {
          const made = c.fresh('map');
          const { token: _t, ...plain } = mk; // no token: the first actor is the privileged one, mostly
          if (c.emit({ ...plain, actor: c.actor(0), as: made }).ret === 'ok') c.emit({ actor: c.actor(0), op: 'send_fd', fd: made, to: a, as: fd });
        }
      } else fd = c.pick(a, cmd.h % 8 === 7 ? 'any' : 'map', cmd.h);
      // a value of 0 (a quarter of them) deletes the key instead (BPF_MAP_DELETE_ELEM), on a
      // map made for it after an update of that key, so that a HASH has it to lose
      if (cmd.value === 0) {
        if (cmd.h % 4 < 2) emit({ actor: a, op: 'map_update_elem', fd, key: cmd.key, value: 1 });
        return emit({ actor: a, op: 'map_delete_elem', fd, key: cmd.key });
      }
      const s: Step = { actor: a, op: 'map_update_elem', fd, key: cmd.key, value: cmd.value };
      if (cmd.flags) s.flags = cmd.flags;
      return emit(s);
    }
    case 'idmap': {
      // an unshare of the user namespace first, mostly (a declared namespace's maps are written)
      const t = c.st.tasks.get(a)!;
      if (cmd.id < 6 && !t.dead && t.cred.userns.mapCount !== 0) emit({ actor: a, op: 'unshare', ns: 'user' });
      const cred = c.st.tasks.get(a)!.cred;
      const parent = cred.userns.parent;
      const own = parent ? fromKuid(parent, cmd.gid ? (cred.egid ?? cred.gid) : cred.euid) : 0;
      const outside = cmd.id < 4 && own >= 0 ? own : cmd.id < 6 ? Math.max(own, 0) + 1 : OPS.idmap.args.outside.samples[cmd.id % 5]!;
      const s: Step = { actor: a, op: 'idmap', outside };
      if (cmd.gid) s.map = 'gid';
      if (cmd.count !== 1) s.count = cmd.count;
      return emit(s);
    }
    case 'fork': {
      const ch = c.forkChild(a);
      if (ch === null) return;
      emit(cmd.share ? { actor: a, op: 'fork', child: ch, clone_files: true } : { actor: a, op: 'fork', child: ch });
      // the copy of the table at work: a token, a bpffs directory or a map of the parent's, by
      // the child; or the parent closes or replaces one the child keeps (with clone_files the
      // child closes one of the shared table, and the parent then uses it)
      if (cmd.share && cmd.use % 3 === 0) {
        const h = c.pick(ch, 'any', cmd.use);
        emit({ actor: ch, op: 'close', fd: h });
        return emit({ actor: a, op: 'obj_get_info', fd: h });
      }
      switch (cmd.use % 6) {
        case 0:
        case 1:
          return emit({ actor: ch, op: 'map_create', map_type: 2, token: c.pick(ch, 'token', cmd.use), as: c.fresh('map') });
        case 2:
          return emit({ actor: ch, op: 'token_create', bpffs: c.pick(ch, 'dir', cmd.use), as: c.fresh('tok') });
        case 3:
          return emit({ actor: a, op: 'close', fd: c.pick(a, 'any', cmd.use) });
        case 4:
          return emit({ actor: ch, op: 'prog_load', prog_type: 1, token: c.pick(ch, 'token', cmd.use), as: c.fresh('prog') });
        default:
          return emit({ actor: ch, op: 'obj_get_info', fd: c.pick(ch, 'any', cmd.use) });
      }
    }
    case 'remount':
      return emit(cmd.ro ? { actor: a, op: 'remount', target: TARGETS[cmd.tgt]!, ro: true } : { actor: a, op: 'remount', target: TARGETS[cmd.tgt]! });
  }
}
