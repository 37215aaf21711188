// Commands of the issue 11 language v2 attach ops: prog_attach, prog_detach and
// link_create on the scenario's cgroup (model/link.ts), and the program fds
// they need passed between tasks. Mixed into the command stream by
// GenOptions.attach (generators/scenario.ts; `bpftc oracle --attach`), with an
// attach life (attachLifeArb): a delegation hand-off, cgroup programs loaded
// by one task (through the token, or without one) and attached, linked and
// detached by others, whose capabilities differ from the loader's; the
// default generator's scenarios stay what they were.

import fc from 'fast-check';
import { record } from './record.ts';
import type { Step } from '../scenario/types.ts';
import { ATTACH, PROG } from '../model/enums.ts';
import { handleFile } from '../model/run.ts';
import { capSubsetArb } from './caps.ts';
import type { Cmd, TokenChoice } from './commands.ts';
import type { Compiler } from './compile.ts';

export type AttachCmd =
  | { k: 'prog_attach'; a: number; h: number; at: number; flags: number }
  | { k: 'prog_detach'; a: number; h: number; at: number; withProg: boolean }
  | { k: 'link_create'; a: number; h: number; at: number }
  /** a program fd of the actor's to another actor */
  | { k: 'send_prog'; a: number; h: number; to: number };

const ATTACH_KINDS: ReadonlySet<string> = new Set<AttachCmd['k']>(['prog_attach', 'prog_detach', 'link_create', 'send_prog']);

export function isAttachCmd(c: { k: string }): c is AttachCmd {
  return ATTACH_KINDS.has(c.k);
}

const A = ATTACH as Record<string, number>;
const P = PROG as Record<string, number>;

/** the cgroup program types drawn, CGROUP_SKB (the one with a capability check at attach) most often */
const PROG_TYPES = [P.CGROUP_SKB!, P.CGROUP_SKB!, P.CGROUP_SKB!, P.CGROUP_SOCK!, P.CGROUP_DEVICE!, P.CGROUP_SOCK_ADDR!];
/** attach types each program type attaches at (kernel/bpf/syscall.c attach_type_to_prog_type()) */
const ATTACH_OF: Record<number, number[]> = {
  [P.CGROUP_SKB!]: [A.CGROUP_INET_INGRESS!, A.CGROUP_INET_EGRESS!],
  [P.CGROUP_SOCK!]: [A.CGROUP_INET_SOCK_CREATE!, A.CGROUP_INET_SOCK_RELEASE!],
  [P.CGROUP_DEVICE!]: [A.CGROUP_DEVICE!],
  [P.CGROUP_SOCK_ADDR!]: [A.CGROUP_INET4_CONNECT!, A.CGROUP_INET4_BIND!],
};
/** the expected_attach_type of a load of each type (bpf_prog_load_check_attach() accepts it) */
const EAT_OF: Record<number, number[]> = {
  [P.CGROUP_SKB!]: [A.CGROUP_INET_INGRESS!, A.CGROUP_INET_EGRESS!],
  [P.CGROUP_SOCK!]: [A.CGROUP_INET_SOCK_CREATE!],
  [P.CGROUP_DEVICE!]: [A.CGROUP_DEVICE!],
  [P.CGROUP_SOCK_ADDR!]: [A.CGROUP_INET4_CONNECT!],
};
const ALL_ATTACH = Object.values(ATTACH_OF).flat();

const actor = fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.nat({ max: 7 }) });
const nat = fc.nat({ max: 1000 });
/** an attach type choice: resolved against the program (compile time), now and then any cgroup attach type */
const atChoice = fc.nat({ max: 15 });
/** attach_flags: 0 mostly, BPF_F_ALLOW_OVERRIDE, BPF_F_ALLOW_MULTI, both (EINVAL) */
const flagsArb = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constantFrom(1, 3) });

export const attachCmdArb: fc.Arbitrary<AttachCmd> = fc.oneof(
  { weight: 4, arbitrary: record({ k: fc.constant('prog_attach' as const), a: actor, h: nat, at: atChoice, flags: flagsArb }) },
  { weight: 2, arbitrary: record({ k: fc.constant('prog_detach' as const), a: actor, h: nat, at: atChoice, withProg: fc.boolean() }) },
  { weight: 3, arbitrary: record({ k: fc.constant('link_create' as const), a: actor, h: nat, at: atChoice }) },
  { weight: 2, arbitrary: record({ k: fc.constant('send_prog' as const), a: actor, h: nat, to: actor }) },
);

/** Attach life: the canonical hand-off (c1 opens, the grantor delegates
 *  prog_load of cgroup programs with every attach type, c1 creates the
 *  token), the token sometimes passed on; cgroup programs loaded by a task
 *  (through the token most of the time, else without one: then only tasks
 *  capable in the init namespace attach a CGROUP_SKB program); each program
 *  passed to other tasks; attach, link, detach and close steps by any of them,
 *  with capability changes among them. */
export const attachLifeArb: fc.Arbitrary<Cmd[]> = record({
    progs: fc.constantFrom('any', 'cgroup_skb', 'cgroup_skb:cgroup_sock:cgroup_device:cgroup_sock_addr'),
    pass: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant(2) }, { weight: 2, arbitrary: fc.nat({ max: 7 }) }), { freq: 2 }),
    loads: fc.array(
      record({
        byHolder: fc.boolean(),
        noToken: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        loader: fc.nat({ max: 7 }),
        type: fc.constantFrom(...PROG_TYPES),
        eat: fc.nat({ max: 3 }),
        to: fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    steps: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: attachCmdArb },
        { weight: 1, arbitrary: record({ k: fc.constant('capset' as const), a: actor, caps: capSubsetArb }) },
        { weight: 1, arbitrary: record({ k: fc.constant('close' as const), a: actor, h: nat }) },
      ),
      { minLength: 2, maxLength: 8 },
    ),
    // the hand-off most of the time (shrinks to none: a counterexample without a token is
    // shorter; last, so that it is shrunk after the loads' loaders)
    flow: fc.nat({ max: 4 }).map((n) => n !== 0),
  })
  .map(({ flow, progs, pass, loads, steps }) => {
    const out: Cmd[] = [];
    if (flow)
      out.push({
        k: 'flow',
        opener: 1,
        grantor: 0,
        tokenBy: -1,
        opts: [
          { key: 'delegate_cmds', value: 'prog_load' },
          { key: 'delegate_progs', value: progs },
          { key: 'delegate_attachs', value: 'any' },
        ],
        create: true,
        variant: 'root',
        reconf: [],
      });
    if (flow && pass !== null) out.push({ k: 'pass_token', a: 1, h: 0, to: pass });
    const holder = pass ?? 1;
    for (const l of loads) {
      // the token's holder (through the token), or any task without one
      // (without the hand-off the same task loads, without a token: one change for the shrinker)
      const noToken = l.noToken || !flow;
      const a = l.noToken ? l.loader : l.byHolder ? holder : 1;
      // h = 0 (mod 4): the compiler keeps the drawn type (no delegated-type resolution)
      const tok: TokenChoice = { use: noToken ? 'none' : 'token', h: 0 };
      const eats = EAT_OF[l.type]!;
      out.push({ k: 'prog_load', a, type: l.type, eat: eats[l.eat % eats.length]!, insns: 2, flags: 0, tok });
      // the program just loaded is the actor's newest: h = -1 picks the last
      for (const to of l.to) out.push({ k: 'send_prog', a, h: -1, to });
    }
    out.push(...steps);
    return out;
  });

/** the program a handle names in the actor's table, if any */
function progTypeOf(c: Compiler, actor: string, h: string): { type: number; eat: number } | null {
  const f = handleFile(c.st, c.st.tasks.get(actor)!, h);
  return f && f.obj.kind === 'prog' ? { type: f.obj.prog.type, eat: f.obj.prog.expected_attach_type } : null;
}

/** the cgroup program a handle names (the attach types are drawn from cgroup ones only) */
function cgroupProgOf(c: Compiler, actor: string, h: string): { type: number; eat: number } | null {
  const p = progTypeOf(c, actor, h);
  return p && p.type in ATTACH_OF ? p : null;
}

/** an attach type for the program: its expected one, another of its type's, or (choice 0) any cgroup one */
function attachFor(p: { type: number; eat: number } | null, choice: number): number {
  if (!p || choice === 0) return ALL_ATTACH[choice % ALL_ATTACH.length]!;
  const l = ATTACH_OF[p.type] ?? ALL_ATTACH;
  return choice % 3 === 1 ? l[choice % l.length]! : p.eat;
}

/** emits the step of one command through the compiler (handles resolved on the model) */
export function emitAttach(c: Compiler, cmd: AttachCmd): void {
  // an actor holding no cgroup program hands most of its commands to one that holds one
  // (h % 4 != 0): its own attempts (EBADF, EINVAL on another fd) stay, less often
  const holders = c.scenario.actors.map((x) => x.name).filter((n) => [...c.st.handles.keys()].some((h) => cgroupProgOf(c, n, h) !== null));
  const own = c.actor(cmd.a);
  const a = holders.length && !holders.includes(own) && cmd.h % 4 !== 0 ? holders[cmd.a % holders.length]! : own;
  const emit = (s: Step): void => void c.emit(s);
  // the actor's cgroup programs (model/link.ts: other program types reach only their first
  // checks there), else any program (then any fd, as the compiler's pick())
  const prog = (h: number): string => {
    const cg = [...c.st.handles.keys()].filter((n) => cgroupProgOf(c, a, n) !== null);
    if (cg.length) return h < 0 ? cg[cg.length - 1]! : cg[h % cg.length]!;
    return h < 0 ? c.pickLast(a, 'prog') : c.pick(a, 'prog', h);
  };
  switch (cmd.k) {
    case 'prog_attach': {
      const p = prog(cmd.h);
      const s: Step = { actor: a, op: 'prog_attach', prog: p, attach_type: attachFor(cgroupProgOf(c, a, p), cmd.at) };
      if (cmd.flags) s.attach_flags = cmd.flags;
      return emit(s);
    }
    case 'prog_detach': {
      const p = prog(cmd.h);
      const at = attachFor(cgroupProgOf(c, a, p), cmd.at);
      return emit(cmd.withProg ? { actor: a, op: 'prog_detach', prog: p, attach_type: at } : { actor: a, op: 'prog_detach', attach_type: at });
    }
    case 'link_create': {
      const p = prog(cmd.h);
      return emit({ actor: a, op: 'link_create', prog: p, attach_type: attachFor(cgroupProgOf(c, a, p), cmd.at), as: c.fresh('link') });
    }
    case 'send_prog':
      return emit({ actor: a, op: 'send_fd', fd: prog(cmd.h), to: c.actor(cmd.to), as: c.fresh('prog') });
  }
}
