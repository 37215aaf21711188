// Which dimensions of the scenario space a generated (or hand-written)
// scenario touches: policy reloads (between steps, and on the very step that
// uses a token), BPF-LSM programs, tokens passed between tasks and domains,
// fd-table races, each command a token can delegate, and the types named by
// token-backed steps. Properties declare the dimensions their claims range
// over (Property.dimensions); generators/dimensions.test.ts counts them over
// a deterministic sample of each property's generator.

import type { Scenario, StepResult } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import type { Dimension } from './types.ts';
import { fileOf, taskOf, tokenOfStep, walk } from './walk.ts';
import { selinuxOf } from '../model/lsm/index.ts';
import { fixupAttachType } from '../model/syscall.ts';
import { declaredNames, defaultLsmId } from '../scenario/integrity.ts';

export interface ScenarioDimensions {
  dims: Set<Dimension>;
  /** types named by token-backed steps */
  mapTypes: Set<number>;
  progTypes: Set<number>;
  attachTypes: Set<number>;
}

const TOKEN_CMD: Record<string, Dimension> = {
  map_create: 'token-map_create',
  prog_load: 'token-prog_load',
  btf_load: 'token-btf_load',
  btf_get_fd_by_id: 'token-btf_get_fd_by_id',
};

/** the dimensions of one scenario, read off a run on the model */
export function dimensionsOf(s: Scenario, profile: Profile, results?: readonly StepResult[]): ScenarioDimensions {
  const out: ScenarioDimensions = { dims: new Set(), mapTypes: new Set(), progTypes: new Set(), attachTypes: new Set() };
  const d = out.dims;
  // what the raw steps say (the walk hands visitors steps without `lsm`)
  s.steps.forEach((st, i) => {
    for (const a of st.lsm ?? []) {
      if (a.action === 'policy_load') {
        d.add('policy-reload');
        if (st.op in TOKEN_CMD && 'token' in st && st.token !== undefined) d.add('reload-at-use');
        if (a.at !== undefined) d.add('reload-in-syscall');
      } else {
        d.add('bpf-lsm');
        if (a.ret !== undefined) d.add('bpf-lsm-any-ret');
      }
    }
    if ('race' in st && st.race) d.add('fd-race');
    if (st.op === 'prog_load' && st.signature) d.add('signed-load');
    if (st.op === 'prog_load' && st.kernel) d.add('kernel-load');
    if (st.op === 'prog_load' && st.signature && (st.fd_array_cnt ?? 0) > 0 && 'race' in st && st.race?.at === 'fd_array' && st.race.op === 'dup2') d.add('fd-array-swap');
    if ((st.op === 'map_update_elem' || st.op === 'map_delete_elem') && s.steps.slice(0, i).some((p) => p.op === 'prog_load' && p.signature && p.fd_array?.includes(st.fd ?? ''))) d.add('map-contents');
    if (st.op === 'prog_load' && st.fault !== undefined && st.fault !== 'none') d.add('fault');
  });
  integrityDimensions(s, profile, d);
  if (s.selinux && (s.selinux.enforcing === false || (s.selinux.permissive?.length ?? 0) > 0)) d.add('permissive');
  for (const st of s.steps)
    for (const a of st.lsm ?? []) if (a.action === 'policy_load' && (a.policy.enforcing === false || (a.policy.permissive?.length ?? 0) > 0)) d.add('permissive');
  try {
    walk(s, profile, {
      before(st, step) {
        const se = selinuxOf(st.k);
        if (se?.initialized && se.policy && se.variant.tokenPatch && !se.polcap('bpf_token_perms')) d.add('polcap-off');
        const tk = tokenOfStep(st, step);
        if (tk) {
          d.add(TOKEN_CMD[step.op]!);
          const t = taskOf(st, step);
          if (t.cred.userns !== tk.userns) d.add('foreign-userns-use');
          if (step.op === 'map_create') out.mapTypes.add(step.map_type);
          if (step.op === 'prog_load') {
            out.progTypes.add(step.prog_type);
            out.attachTypes.add(fixupAttachType(step.prog_type, step.expected_attach_type ?? 0));
          }
        }
        if ((step.op === 'prog_attach' || step.op === 'link_create') && step.prog !== undefined) {
          const f = fileOf(st, step, step.prog);
          const lc = f?.obj.kind === 'prog' ? f.obj.prog.loader_cred : undefined;
          const c = taskOf(st, step).cred;
          if (lc && (lc.userns !== c.userns || lc.cap_effective !== c.cap_effective || lc.euid !== c.euid)) d.add('attach-by-other');
        }
        if (step.op === 'token_create') {
          const sb = fileOf(st, step, step.bpffs)?.path?.mnt.sb;
          if (sb && sb.fsType === 'bpf' && sb.s_user_ns !== taskOf(st, step).cred.userns) d.add('cross-userns-create');
        }
        return null;
      },
      after(st, step, i, r) {
        const ok = (results?.[i] ?? r).ret === 'ok';
        if (step.op === 'send_fd' && ok) {
          const f = fileOf(st, { ...step, actor: step.to }, step.as);
          if (f && f.obj.kind === 'token') {
            d.add('token-passed');
            const se = selinuxOf(st.k);
            if (se) {
              const from = se.contextOf(se.credSid(st.tasks.get(step.actor)!.cred));
              const to = se.contextOf(se.credSid(st.tasks.get(step.to)!.cred));
              if (from !== to) d.add('token-passed-domain');
            }
          }
        }
        return null;
      },
    });
  } catch {
    // a hand-written scenario the model cannot run counts what its steps say
  }
  return out;
}

/** the dimensions of a scenario's integrity declaration (issue 12), for a
 *  scenario with a prog_load on a profile with the framework */
function integrityDimensions(s: Scenario, profile: Profile, d: Set<Dimension>): void {
  const decl = s.integrity;
  if (!decl || !profile.integrity || !s.steps.some((st) => st.op === 'prog_load')) return;
  const order = s.lsm_order ?? [...(profile.lsm?.order ?? []), ...declaredNames(decl)];
  const providers = (decl.providers ?? []).filter((p) => order.includes(p.name));
  const consumers = (decl.consumers ?? []).filter((c) => order.includes(c.name));
  if (providers.length + (order.includes('hornet') ? 1 : 0) >= 2) d.add('multi-provider');
  if (providers.some((p) => p.deliveries === 'twice')) d.add('repeat-verdict');
  if (providers.some((p) => p.deliveries === 'after_return')) d.add('late-verdict');
  const own = new Map(declaredNames(decl).map((n, i) => [n, defaultLsmId(i)] as const));
  const idOf = (x: { name: string; lsm_id?: number }): number => x.lsm_id ?? own.get(x.name)!;
  const all = [...providers, ...consumers];
  const ids = all.map(idOf);
  if (all.some((x, i) => [113, 114, 109].includes(ids[i]!) || ids.indexOf(ids[i]!) !== i || (x.lsm_id !== undefined && x.lsm_id !== own.get(x.name))))
    d.add('wrong-lsm-id');
  if (consumers.some((c) => c.reenter === true)) d.add('reentering-consumer');
  const outside = (v: unknown): boolean => typeof v === 'number' && (v < 0 || v > 4);
  if (providers.some((p) => outside(p.verdict) || (p.deliveries === 'twice' && outside(p.second_verdict)))) d.add('out-of-enum-verdict');
  if (providers.some((p) => (p.ret ?? 0) > 0)) d.add('positive-return');
}
