// The top-level arbitrary: a world, the sysctl, and a command sequence,
// compiled against a profile into a concrete scenario plus model results.

import fc from 'fast-check';
import { record } from './record.ts';
import { perKey } from './memo.ts';
import type { Profile } from '../model/profile.ts';
import { type Compiled, compile } from './compile.ts';
import { type Cmd, cmdArb, flowArb } from './commands.ts';
import { procsCmdArb } from './procs.ts';
import { attachCmdArb, attachLifeArb } from './attach.ts';
import { type World, worldArb } from './world.ts';
import type { ActorDecl } from '../scenario/types.ts';
import { type IntegrityGenOptions, integrityScenarioArb } from './integrity.ts';
import { type LsmGenOptions, lsmCmdArb, lsmPreArb, lsmSetupArb, lsmWorld, tokenLifeArb, tokenLifeArbWith } from './lsm.ts';

export interface GenOptions {
  profile: Profile;
  /** fixed sysctl (the oracle uses the machine's); default: mostly 2, sometimes 0 or 1 */
  sysctl?: 0 | 1 | 2;
  maxCommands?: number;
  /** fast-check size of the command list: 'small' | 'medium' | 'large' */
  size?: fc.SizeForArbitrary;
  /** 'sometimes': some worlds have no task privileged in the init namespace */
  grantor?: 'always' | 'sometimes';
  /** the LSM layer (contexts, SELinux policy, reloads, races, BPF-LSM denials); default off */
  lsm?: LsmGenOptions;
  /** BPF integrity (seed 002): signed loads, keyrings, loader (is_kernel) loads,
   *  LSM orders, IPE policies, BPF-LSM denials on the prog-load hooks; default off */
  integrity?: IntegrityGenOptions;
  /** the issue 11 language v2 ops of generators/procs.ts (credentials, tmpfs,
   *  literal fds, named targets) mixed into the commands; default off */
  procs?: boolean;
  /** the issue 11 language v2 attach ops of generators/attach.ts (prog_attach,
   *  prog_detach, link_create; an attach life most of the time); default off */
  attach?: boolean;
}

export function scenarioArb(o: GenOptions): fc.Arbitrary<Compiled> {
  const sysctl: fc.Arbitrary<0 | 1 | 2> =
    o.sysctl !== undefined
      ? fc.constant(o.sysctl)
      : fc.oneof({ weight: 6, arbitrary: fc.constant(2 as const) }, { weight: 2, arbitrary: fc.constant(0 as const) }, { weight: 1, arbitrary: fc.constant(1 as const) });
  if (o.lsm) return lsmScenarioArb(o, o.lsm, sysctl);
  if (o.integrity) return integrityScenarioArb(o, o.integrity, sysctl);
  // with the language v2 ops, a thread of the container task now and then (a task sharing its
  // fd table from set-up, with its own creds: withThread()); the default worlds stay as they were
  const world = o.procs ? fc.tuple(worldArb(o.grantor), fc.nat({ max: 5 })).map(([w, t]) => withThread(w, t)) : worldArb(o.grantor);
  return record({
      world,
      sysctl,
      // a delegation hand-off first most of the time, so sequences reach token use
      flows: fc.oneof(
        { weight: 4, arbitrary: fc.array(flowArb, { minLength: 1, maxLength: 2 }) },
        // a hand-off followed by token-backed operations (and passing the token on)
        { weight: 2, arbitrary: tokenLifeArb },
        { weight: 1, arbitrary: fc.constant([]) },
        // cgroup programs loaded by one task and attached by others (generators/attach.ts)
        ...(o.attach ? [{ weight: 14, arbitrary: attachLifeArb }] : []),
      ),
      cmds: fc.array(cmdsArb(o), { minLength: 1, maxLength: o.maxCommands ?? 40, size: o.size ?? 'medium' }),
    })
    .map(({ world, sysctl, flows, cmds }) => compile(world, o.profile, sysctl, [...flows, ...cmds]));
}

/** t < 2: a thread_of actor of the world's container task (actor 1, else 0), after the
 *  others (so the command stream's actor indices keep their actors): its kuid and caps (t 0),
 *  or no capabilities and, where its process may give it its ids (CAP_SETUID and CAP_SETGID:
 *  the executor's set-up calls setresgid() and setresuid(); the id mapped), the next kuid (t 1) */
function withThread(w: World, t: number): World {
  const p = w.actors[1] ?? w.actors[0];
  if (t >= 2 || !p) return w;
  const ns = w.userns.find((u) => u.name === p.userns);
  const mapped = ns === undefined || (p.kuid + 1 >= ns.map.base && p.kuid + 1 < ns.map.base + ns.map.count);
  const setuid = p.caps === 'all' || (p.caps.includes('SETUID') && p.caps.includes('SETGID'));
  const th: ActorDecl =
    t === 0 ? { name: `${p.name}t`, userns: p.userns, kuid: p.kuid, caps: p.caps, thread_of: p.name } : { name: `${p.name}t`, userns: p.userns, kuid: mapped && setuid ? p.kuid + 1 : p.kuid, caps: [], thread_of: p.name };
  return { ...w, actors: [...w.actors, th] };
}

/** the command stream: the core commands, with the language v2 ones asked for mixed in */
function cmdsArb(o: GenOptions): fc.Arbitrary<Cmd> {
  const arbs: Array<fc.WeightedArbitrary<Cmd>> = [{ weight: 3, arbitrary: cmdArb }];
  if (o.procs) arbs.push({ weight: 2, arbitrary: procsCmdArb });
  if (o.attach) arbs.push({ weight: 2, arbitrary: attachCmdArb });
  return arbs.length === 1 ? cmdArb : fc.oneof(...arbs);
}

/** the part of an LSM case drawn after its setup */
interface LsmBody {
  world: World;
  sysctl: 0 | 1 | 2;
  flows: readonly Cmd[];
  cmds: readonly Cmd[];
  lateLoad: number;
}

function lsmScenarioArb(o: GenOptions, l: LsmGenOptions, sysctl: fc.Arbitrary<0 | 1 | 2>): fc.Arbitrary<Compiled> {
  // the arbitrary of a setup's world and commands depends only on its number of
  // domains and its focus: made once per pair (generators/memo.ts), not once per
  // generated case (issue 13: building it was a tenth of a campaign)
  const bodyOf = perKey((n: number) =>
    perKey(
      (focus: boolean): fc.Arbitrary<LsmBody> =>
        record({
          world: worldArb(o.grantor),
          sysctl,
          // a race on the hand-off's own token_create, sometimes
          flows: fc.oneof(
            { weight: 6, arbitrary: fc.array(flowArb, { minLength: 1, maxLength: 2 }) },
            // token life across domains, most of the time in a focused world
            { weight: focus ? 12 : 2, arbitrary: tokenLifeArbWith(lsmPreArb(n, l) ?? undefined) },
            { weight: l.races ? 2 : 0, arbitrary: fc.tuple(lsmCmdArb(n, { races: true }), flowArb).map((x): Cmd[] => [...x]) },
            { weight: 1, arbitrary: fc.constant([]) },
          ),
          cmds: fc.array(fc.oneof({ weight: 5, arbitrary: cmdArb }, { weight: 2, arbitrary: lsmCmdArb(n, l) }), {
            minLength: 1,
            maxLength: o.maxCommands ?? 40,
            size: o.size ?? 'medium',
          }),
          lateLoad: fc.nat({ max: 6 }),
        }),
    ),
  );
  return lsmSetupArb(l).chain((setup) =>
    bodyOf(setup.domains)(setup.focus).map(({ world, sysctl, flows, cmds, lateLoad }) => {
      const w = lsmWorld(world, setup);
      const all = [...flows, ...cmds];
      // no policy at boot: it is loaded somewhere among the first steps
      if (!setup.loadedAtBoot) all.splice(Math.min(lateLoad, all.length), 0, { k: 'policy_load', policy: setup.policy });
      return compile(w.world, o.profile, sysctl, all, w.selinux);
    }),
  );
}
