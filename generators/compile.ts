// Compiles abstract commands into a concrete scenario, running the model in
// the loop: every handle choice is resolved modulo the live objects of the
// right kind in the acting actor's fd table at that point.

import type { LsmAction, RaceDecl, Scenario, SelinuxDecl, Step, StepResult } from '../scenario/types.ts';
import { SCENARIO_FORMAT } from '../scenario/types.ts';
import { LIMITS } from '../scenario/sandbox.ts';
import type { Profile } from '../model/profile.ts';
import { type ModelState, declareForkChild, handleFile, performStep, refIn, setupScenario } from '../model/run.ts';
import type { File } from '../model/vfs.ts';
import type { BpfToken } from '../model/token.ts';
import { ATTACH, MAP, PROG } from '../model/enums.ts';
import type { Cmd, MapAttr, TokenChoice } from './commands.ts';
import type { World } from './world.ts';
import { emitProcs, isProcsCmd } from './procs.ts';
import { emitAttach, isAttachCmd } from './attach.ts';

/** scenario-level LSM set-up other than SELinux: the lsm= order, the IPE policy */
export type ScenarioExtra = Pick<Scenario, 'lsm_order' | 'ipe' | 'integrity'>;

export interface Compiled {
  scenario: Scenario;
  /** the model's results while compiling (same as runScenario's) */
  results: StepResult[];
}

type Kind = 'fsctx' | 'mount' | 'dir' | 'token' | 'btf' | 'map' | 'prog' | 'tmpfs' | 'any';

function kindOf(f: File): Kind[] {
  switch (f.obj.kind) {
    case 'fs_context':
      return ['fsctx'];
    case 'token':
      return ['token'];
    case 'btf':
      return ['btf'];
    case 'map':
      return ['map'];
    case 'prog':
      return ['prog'];
    case 'path': {
      const p = f.path!;
      // a tmpfs (generators/procs.ts): its own kind, so the bpffs commands leave it alone
      if (p.mnt.sb.fsType === 'tmpfs') return p.dentry.inode.isDir ? ['tmpfs'] : [];
      const out: Kind[] = [];
      if (f.opath && p.dentry === p.mnt.mnt_root) out.push('mount');
      if (!f.opath && p.dentry.inode.isDir) out.push('dir');
      return out;
    }
    default:
      return [];
  }
}

/** canonical valid attributes per map type (so most creations reach the capability checks) */
function validMapAttr(type: number): MapAttr {
  const base = { key_size: 4, value_size: 4, max_entries: 1, map_flags: 0, map_extra: 0 };
  switch (type) {
    case MAP.STACK_TRACE:
      return { ...base, value_size: 8 };
    case MAP.LPM_TRIE:
      return { ...base, key_size: 8, map_flags: 1 };
    case MAP.CGROUP_STORAGE_DEPRECATED:
    case MAP.PERCPU_CGROUP_STORAGE_DEPRECATED:
      return { ...base, key_size: 8, max_entries: 0 };
    case MAP.QUEUE:
    case MAP.STACK:
    case MAP.BLOOM_FILTER:
      return { ...base, key_size: 0 };
    case MAP.RINGBUF:
    case MAP.USER_RINGBUF:
      return { ...base, key_size: 0, value_size: 0, max_entries: 4096 };
    case MAP.ARENA:
      return { ...base, key_size: 0, value_size: 0, map_flags: 1024 };
    default:
      return base;
  }
}

/** an expected_attach_type bpf_prog_load_check_attach() accepts for the type */
function validAttach(type: number, pick: number): number {
  const A = ATTACH as Record<string, number>;
  const lists: Record<number, number[]> = {
    [PROG.CGROUP_SKB!]: [A.CGROUP_INET_INGRESS!, A.CGROUP_INET_EGRESS!],
    [PROG.CGROUP_SOCK!]: [A.CGROUP_INET_SOCK_CREATE!, A.CGROUP_INET_SOCK_RELEASE!, A.CGROUP_INET4_POST_BIND!],
    [PROG.CGROUP_SOCK_ADDR!]: [A.CGROUP_INET4_BIND!, A.CGROUP_INET4_CONNECT!, A.CGROUP_UDP4_SENDMSG!, A.CGROUP_INET4_GETPEERNAME!],
    [PROG.CGROUP_SOCKOPT!]: [A.CGROUP_GETSOCKOPT!, A.CGROUP_SETSOCKOPT!],
    [PROG.SK_LOOKUP!]: [A.SK_LOOKUP!],
    [PROG.SK_REUSEPORT!]: [A.SK_REUSEPORT_SELECT!, A.SK_REUSEPORT_SELECT_OR_MIGRATE!],
    [PROG.NETFILTER!]: [A.NETFILTER!],
    [PROG.XDP!]: [A.XDP!, 0],
    [PROG.CGROUP_DEVICE!]: [A.CGROUP_DEVICE!, 0],
    [PROG.SK_MSG!]: [A.SK_MSG_VERDICT!, 0],
    [PROG.FLOW_DISSECTOR!]: [A.FLOW_DISSECTOR!, 0],
  };
  const l = lists[type] ?? [0];
  return l[pick % l.length]!;
}

const MAX_MAP = 34;
const MAX_PROG = 33;
const MAX_ATTACH = 58;

/** set bits of a mask below max, in order */
function bitsOf(mask: bigint, max: number): number[] {
  const out: number[] = [];
  // 32 bits at a time as numbers (a BigInt shift per bit was 1.6% of a v7 campaign)
  for (let base = 0; base < max && mask >> BigInt(base) !== 0n; base += 32) {
    const w = Number(BigInt.asUintN(32, mask >> BigInt(base)));
    for (let b = 0; b < 32 && base + b < max; b++) if ((w >>> b) & 1) out.push(base + b);
  }
  return out;
}

export class Compiler {
  readonly st: ModelState;
  readonly scenario: Scenario;
  readonly results: StepResult[] = [];
  private n = 0;
  /** LSM administration to attach to the next step */
  private pendingLsm: LsmAction[] = [];
  /** a race to attach to the next token_create / map_create / prog_load */
  private pendingRace: { op: 'dup2' | 'close'; h: number } | null = null;

  constructor(world: World, profile: Profile, sysctl: 0 | 1 | 2, selinux?: SelinuxDecl, extra?: ScenarioExtra) {
    this.scenario = {
      format: SCENARIO_FORMAT,
      profile: profile.name,
      sysctl: { unprivileged_bpf_disabled: sysctl },
      userns: world.userns,
      actors: [...world.actors], // a fork command adds to them (forkChild)
      steps: [],
    };
    if (selinux) this.scenario.selinux = selinux;
    if (extra?.lsm_order) this.scenario.lsm_order = extra.lsm_order;
    if (extra?.ipe) this.scenario.ipe = extra.ipe;
    if (extra?.integrity) this.scenario.integrity = extra.integrity;
    this.st = setupScenario(this.scenario, profile);
  }

  actor(i: number): string {
    const a = this.scenario.actors;
    return a[((i % a.length) + a.length) % a.length]!.name;
  }

  /** declares a new actor that `parent` forks (scenario/types.ts fork_of), or null at the
   *  actor limit (scenario/sandbox.ts LIMITS.actors) */
  forkChild(parent: string): string | null {
    if (this.scenario.actors.length >= LIMITS.actors) return null;
    const p = this.scenario.actors.find((a) => a.name === parent)!;
    if (p.thread_of !== undefined) return null; // a thread does not fork (scenario/validate.ts)
    const name = this.fresh('f');
    this.scenario.actors.push({ name, userns: p.userns, kuid: p.kuid, caps: p.caps, fork_of: parent });
    declareForkChild(this.st, name, parent);
    return name;
  }

  fresh(prefix: string): string {
    return `${prefix}${++this.n}`;
  }

  /** live handles of a kind in the actor's fd table, in creation order */
  private live(actor: string, kind: Kind): string[] {
    const t = this.st.tasks.get(actor)!;
    const out: string[] = [];
    for (const [name, ref] of this.st.handles) {
      if (!refIn(ref, t.files)) continue;
      const f = t.files.fds[ref.fd];
      if (!f) continue;
      if (kind === 'any' || kindOf(f).includes(kind)) out.push(name);
    }
    return out;
  }

  /** the newest live handle of a kind in the actor's fd table (else as pick()) */
  pickLast(actor: string, kind: Kind): string {
    const l = this.live(actor, kind);
    return l.length ? l[l.length - 1]! : this.pick(actor, kind, 0);
  }

  pick(actor: string, kind: Kind, i: number): string {
    const l = this.live(actor, kind);
    if (l.length === 0) return kind === 'any' ? 'none' : this.pickAny(actor, i, kind === 'tmpfs' ? undefined : 'tmpfs');
    return l[i % l.length]!;
  }

  /** fallback when no object of the wanted kind exists: any fd, else a bad handle */
  private pickAny(actor: string, i: number, but?: Kind): string {
    // (but 'tmpfs': a kind's fallback leaves the scenario's tmpfs alone, generators/procs.ts:
    // fspick/fsconfig of a tmpfs are not modelled; no tmpfs exists without GenOptions.procs)
    const skip = but === undefined ? new Set<string>() : new Set(this.live(actor, but));
    const l = this.live(actor, 'any').filter((h) => !skip.has(h));
    return l.length ? l[i % l.length]! : 'none';
  }

  /** integrity generators (IntegrityGenOptions.fdArray): the loader's own maps in the load's
   *  fd_array, and with `swap` a thread of its process dup2()s one more map onto the first
   *  entry right before the verifier reads the array */
  private fdArrayOf(a: string, s: Extract<Step, { op: 'prog_load' }>, o: { n: number; swap: boolean; thaw?: number }): string[] {
    const maps: string[] = [];
    for (let j = 0; j < o.n + (o.swap ? 1 : 0); j++) {
      const m = this.fresh('map');
      this.emit({ actor: a, op: 'map_create', map_type: 2, key_size: 4, value_size: 4, max_entries: 1, as: m });
      // frozen unless its bit of `thaw` is set (absent: none frozen, as before map_freeze)
      if (o.thaw !== undefined && !((o.thaw >> j) & 1)) this.emit({ actor: a, op: 'map_freeze', fd: m });
      maps.push(m);
    }
    s.fd_array = maps.slice(0, o.n);
    s.fd_array_cnt = o.n;
    const files = this.st.tasks.get(a)!.files;
    const thread = this.scenario.actors.find((x) => x.name !== a && x.thread_of !== undefined && this.st.tasks.get(x.name)!.files === files);
    if (o.swap && thread) s.race = { actor: thread.name, op: 'dup2', fd: maps[o.n]!, to: maps[0]!, at: 'fd_array' };
    return maps;
  }

  /** a race by another thread of the actor's process on the fd `target` */
  private raceFor(actor: string, target: string | undefined): RaceDecl | null {
    const pr = this.pendingRace;
    if (!pr || target === undefined) return null;
    const files = this.st.tasks.get(actor)!.files;
    const thread = this.scenario.actors.find((a) => a.name !== actor && this.st.tasks.get(a.name)!.files === files);
    if (!thread) return null;
    this.pendingRace = null;
    if (pr.op === 'close') return { actor: thread.name, op: 'close', fd: target };
    return { actor: thread.name, op: 'dup2', fd: this.pickAny(thread.name, pr.h), to: target };
  }

  emit(step: Step): StepResult {
    if (this.pendingLsm.length) {
      step.lsm = this.pendingLsm;
      this.pendingLsm = [];
    }
    if (step.op === 'token_create' || step.op === 'map_create' || step.op === 'prog_load') {
      const race = this.raceFor(step.actor, step.op === 'token_create' ? step.bpffs : step.token);
      if (race) step.race = race;
    }
    this.scenario.steps.push(step);
    const r = performStep(this.st, step);
    this.results.push(r);
    return r;
  }

  /** the token a handle names in the actor's table, if any */
  private tokenOf(actor: string, h: string | undefined): BpfToken | null {
    if (h === undefined) return null;
    const f = handleFile(this.st, this.st.tasks.get(actor)!, h);
    return f && f.obj.kind === 'token' ? f.obj.token : null;
  }

  private tokenArgs(actor: string, tok: TokenChoice): { token?: string; token_flag?: boolean } {
    switch (tok.use) {
      case 'none':
        return {};
      case 'bad':
        return { token: 'none' };
      case 'other-fd':
        return { token: this.pickAny(actor, tok.h) };
      case 'fd-no-flag':
        return { token: this.pick(actor, 'token', tok.h), token_flag: false };
      default:
        return { token: this.pick(actor, 'token', tok.h) };
    }
  }

  add(c: Cmd): void {
    if (c.k === 'flow') return this.flow(c);
    if (c.k === 'policy_load') {
      this.pendingLsm.push(c.at === undefined ? { action: 'policy_load', policy: c.policy } : { action: 'policy_load', policy: c.policy, at: c.at });
      return;
    }
    if (c.k === 'bpf_lsm_deny') {
      this.pendingLsm.push({ action: 'bpf_lsm_deny', hook: c.hook, task: this.actor(c.to), errno: c.errno, ...(c.ret !== undefined ? { ret: c.ret } : {}) });
      return;
    }
    if (c.k === 'race_next') {
      this.pendingRace = { op: c.op, h: c.h };
      return;
    }
    if (isProcsCmd(c)) return emitProcs(this, c); // issue 11 language v2 (generators/procs.ts)
    if (isAttachCmd(c)) return emitAttach(this, c); // issue 11 language v2 (generators/attach.ts)
    const a = this.actor(c.a);
    switch (c.k) {
      case 'fsopen': {
        const s: Step = { actor: a, op: 'fsopen', as: this.fresh('fs') };
        if (c.odd === 0) s.flags = 2; // only FSOPEN_CLOEXEC (1) exists
        if (c.odd === 1) s.fs = 'nosuchfs';
        this.emit(s);
        return;
      }
      case 'fsconfig': {
        const fd = this.pick(a, 'fsctx', c.h);
        // malformed calls: fsconfig() checks the argument shape first
        if (c.odd === 0) return void this.emit({ actor: a, op: 'fsconfig', fd, cmd: 'set_string', key: c.key });
        if (c.odd === 1) return void this.emit({ actor: a, op: 'fsconfig', fd, cmd: 'create', key: c.key });
        if (c.odd === 2) return void this.emit({ actor: a, op: 'fsconfig', fd, cmd: 'set_string', key: 'k'.repeat(256), value: c.value });
        if (c.cmd === 'set_string') this.emit({ actor: a, op: 'fsconfig', fd, cmd: c.cmd, key: c.key, value: c.value });
        else if (c.cmd === 'set_flag') this.emit({ actor: a, op: 'fsconfig', fd, cmd: c.cmd, key: c.key });
        else this.emit({ actor: a, op: 'fsconfig', fd, cmd: c.cmd });
        return;
      }
      case 'fsmount':
        this.emit({ actor: a, op: 'fsmount', fd: this.pick(a, 'fsctx', c.h), as: this.fresh('mnt') });
        return;
      case 'open':
        this.emit({ actor: a, op: 'open', dirfd: this.pick(a, c.h % 2 ? 'mount' : 'dir', c.h), path: c.path, o_path: c.opath, as: this.fresh('dir') });
        return;
      case 'mkdir':
        this.emit({ actor: a, op: 'mkdir', dirfd: this.pick(a, c.h % 2 ? 'mount' : 'dir', c.h), path: c.path });
        return;
      case 'open_tree':
        this.emit({ actor: a, op: 'open_tree', dirfd: this.pick(a, c.h % 2 ? 'mount' : 'dir', c.h), path: c.path, as: this.fresh('mnt') });
        return;
      case 'move_mount':
        this.emit({ actor: a, op: 'move_mount', fd: this.pick(a, c.h % 3 ? 'mount' : 'dir', c.h) });
        return;
      case 'mount':
        this.emit({ actor: a, op: 'mount', data: c.opts.map((o) => `${o.key}=${o.value}`).join(','), as: this.fresh('dir') });
        return;
      case 'fspick':
        this.emit({ actor: a, op: 'fspick', dirfd: this.pick(a, c.h % 2 ? 'mount' : 'dir', c.h), path: '', as: this.fresh('fs') });
        return;
      case 'mountinfo':
        this.emit({ actor: a, op: 'mountinfo', fd: this.pick(a, c.h % 2 ? 'mount' : 'dir', c.h) });
        return;
      case 'token_create': {
        const s: Step = { actor: a, op: 'token_create', bpffs: this.pick(a, c.h % 4 ? 'dir' : 'any', c.h), as: this.fresh('tok') };
        if (c.flags) s.flags = c.flags;
        if (c.size !== 8) s.size = c.size;
        // a stray byte only matters inside the copied size: widen the default size
        if (c.tail !== null) {
          s.tail_byte = c.tail;
          if (c.size === 8) s.size = 200;
        }
        this.emit(s);
        return;
      }
      case 'token_fdinfo':
        this.emit({ actor: a, op: 'token_fdinfo', fd: this.pick(a, 'token', c.h) });
        return;
      case 'obj_get_info': {
        const s: Step = { actor: a, op: 'obj_get_info', fd: this.pick(a, c.h % 5 ? 'token' : 'any', c.h) };
        if (c.len !== 32) s.info_len = c.len;
        this.emit(s);
        return;
      }
      case 'map_create': {
        const tok = this.tokenArgs(a, c.tok);
        // resolve the type modulo what the token delegates, most of the time
        const delegated = bitsOf(this.tokenOf(a, tok.token)?.allowed_maps ?? 0n, MAX_MAP);
        const type = delegated.length && c.tok.h % 4 !== 0 ? delegated[c.type % delegated.length]! : c.type;
        const attr = c.attr ?? validMapAttr(type);
        this.emit({ actor: a, op: 'map_create', map_type: type, ...attr, ...tok, as: this.fresh('map') });
        return;
      }
      case 'prog_load': {
        const tok = this.tokenArgs(a, c.tok);
        const tk = this.tokenOf(a, tok.token);
        const progs = bitsOf(tk?.allowed_progs ?? 0n, MAX_PROG);
        const useMask = progs.length > 0 && c.tok.h % 4 !== 0;
        const type = useMask ? progs[c.type % progs.length]! : c.type;
        let eat = c.eat ?? validAttach(type, c.tok.h);
        const attachs = bitsOf(tk?.allowed_attachs ?? 0n, MAX_ATTACH);
        if (useMask && c.eat === null && attachs.length && !attachs.includes(eat)) eat = attachs[c.tok.h % attachs.length]!;
        const s: Step = { actor: a, op: 'prog_load', prog_type: type, expected_attach_type: eat, ...tok, as: this.fresh('prog') };
        if (c.insns !== 2) s.insn_cnt = c.insns;
        if (c.flags) s.prog_flags = c.flags;
        if (c.sig) s.signature = c.sig; // integrity generators (generators/integrity.ts)
        if (c.kernel) s.kernel = true;
        if (c.fault && c.fault !== 'none') s.fault = c.fault; // integrity generators: fault injection
        const maps = c.fda ? this.fdArrayOf(a, s, c.fda) : [];
        this.emit(s);
        // after the load, the loader writes one of the maps of its fd_array (`poke`): a change of
        // the contents a verdict vouched for, if the map is not frozen
        if (c.fda?.poke !== undefined && maps.length) this.emit({ actor: a, op: 'map_update_elem', fd: maps[c.fda.poke % maps.length]!, value: 2 });
        return;
      }
      case 'btf_load': {
        const s: Step = { actor: a, op: 'btf_load', ...this.tokenArgs(a, c.tok), as: this.fresh('btf') };
        if (c.odd === 0) s.btf_flags = 1;
        this.emit(s);
        return;
      }
      case 'btf_get_fd_by_id': {
        const btfs = [...this.st.handles.keys()].filter((n) => this.st.handles.get(n)!.btfId !== undefined);
        const btf = btfs.length ? btfs[c.h % btfs.length]! : 'none';
        const s: Step = { actor: a, op: 'btf_get_fd_by_id', btf, ...this.tokenArgs(a, c.tok), as: this.fresh('btf') };
        if (c.odd === 0) s.open_flags = 1;
        this.emit(s);
        return;
      }
      case 'send_fd': {
        const to = this.actor(c.to);
        const fd = this.pickAny(a, c.h);
        this.emit({ actor: a, op: 'send_fd', fd, to, as: this.fresh(fd.replace(/\d+$/, '')) });
        return;
      }
      case 'pass_token': {
        // hand a live token to another task (possibly in another user namespace)
        const to = this.actor(c.to);
        const fd = this.pick(a, 'token', c.h);
        this.emit({ actor: a, op: 'send_fd', fd, to, as: this.fresh('tok') });
        return;
      }
      case 'dup2': {
        const fd = this.pickAny(a, c.h);
        const to = c.h2 % 3 === 0 ? this.fresh('dup') : this.pickAny(a, c.h2);
        this.emit({ actor: a, op: 'dup2', fd, to });
        return;
      }
      case 'close':
        this.emit({ actor: a, op: 'close', fd: this.pickAny(a, c.h) });
        return;
      case 'capset':
        this.emit({ actor: a, op: 'capset', effective: c.caps });
        return;
      case 'seteuid':
        this.emit({ actor: a, op: 'seteuid', euid: c.euid });
        return;
      case 'rlimit':
        this.emit({ actor: a, op: 'rlimit_nofile', limit: c.limit });
        return;
    }
  }

  /** the canonical delegation hand-off (selftest token.c), with perturbations */
  private flow(c: Extract<Cmd, { k: 'flow' }>): void {
    const o = this.actor(c.opener);
    const g = this.actor(c.grantor);
    const tb = c.tokenBy < 0 ? o : this.actor(c.tokenBy);
    let dir: string;
    if (c.variant === 'legacy') {
      dir = this.fresh('dir');
      this.emit({ actor: g, op: 'mount', data: c.opts.map((x) => `${x.key}=${x.value}`).join(','), as: dir });
      if (tb !== g) {
        const d2 = this.fresh('dir');
        this.emit({ actor: g, op: 'send_fd', fd: dir, to: tb, as: d2 });
        dir = d2;
      }
      this.emit({ actor: tb, op: 'token_create', bpffs: dir, as: this.fresh('tok') });
      return;
    }
    const fs = this.fresh('fs');
    this.emit({ actor: o, op: 'fsopen', as: fs });
    let gfs = fs;
    if (g !== o) {
      gfs = this.fresh('fs');
      this.emit({ actor: o, op: 'send_fd', fd: fs, to: g, as: gfs });
    }
    for (const x of c.opts) this.emit({ actor: g, op: 'fsconfig', fd: gfs, cmd: 'set_string', key: x.key, value: x.value });
    if (c.create) this.emit({ actor: g, op: 'fsconfig', fd: gfs, cmd: 'create' });
    const mnt = this.fresh('mnt');
    this.emit({ actor: o, op: 'fsmount', fd: fs, as: mnt });
    dir = this.fresh('dir');
    switch (c.variant) {
      case 'subdir':
        this.emit({ actor: o, op: 'mkdir', dirfd: mnt, path: 'd' });
        this.emit({ actor: o, op: 'open', dirfd: mnt, path: 'd', as: dir });
        break;
      case 'clone_root':
      case 'clone_subdir': {
        if (c.variant === 'clone_subdir') this.emit({ actor: o, op: 'mkdir', dirfd: mnt, path: 'd' });
        const m2 = this.fresh('mnt');
        this.emit({ actor: o, op: 'open_tree', dirfd: mnt, path: c.variant === 'clone_subdir' ? 'd' : '', as: m2 });
        this.emit({ actor: o, op: 'open', dirfd: m2, path: '.', as: dir });
        break;
      }
      default:
        this.emit({ actor: o, op: 'open', dirfd: mnt, path: '.', as: dir });
    }
    if (c.variant === 'fspick') {
      const p = this.fresh('fs');
      this.emit({ actor: o, op: 'fspick', dirfd: dir, path: '', as: p });
      for (const x of c.reconf) this.emit({ actor: o, op: 'fsconfig', fd: p, cmd: 'set_string', key: x.key, value: x.value });
      this.emit({ actor: o, op: 'fsconfig', fd: p, cmd: 'reconfigure' });
    }
    if (tb !== o) {
      const d2 = this.fresh('dir');
      this.emit({ actor: o, op: 'send_fd', fd: dir, to: tb, as: d2 });
      dir = d2;
    }
    this.emit({ actor: tb, op: 'token_create', bpffs: dir, as: this.fresh('tok') });
  }
}

/** Compiles a whole abstract sequence. */
export function compile(world: World, profile: Profile, sysctl: 0 | 1 | 2, cmds: Cmd[], selinux?: SelinuxDecl, extra?: ScenarioExtra): Compiled {
  const c = new Compiler(world, profile, sysctl, selinux, extra);
  for (const cmd of cmds) c.add(cmd);
  return { scenario: c.scenario, results: c.results };
}
