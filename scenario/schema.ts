// The JSON Schema of scenario files (draft 2020-12), built from the op table
// (scenario/ops.ts) and the format's names (scenario/vocab.ts). Published as
// scenario/scenario.schema.json so editors can check hand-written scenarios
// (`"$schema": "../../scenario/scenario.schema.json"` is not needed: point the
// editor at it). It states the shape; scenario/validate.ts also checks what a
// schema cannot say (handles and actors declared before use, kuids mapped,
// limits), so a file the schema accepts can still be refused, with a JSON path.
// Regenerate: npx tsx build/write-generated.ts (scenario/ops.test.ts checks it is current).

import { FD_ARRAY_MAX, OPS, type ArgSpec } from './ops.ts';
import { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS, BPF_LSM_INTEGRITY_HOOKS, LSM_AT_HOOKS, LSM_NAMES, POLICY_CAPS, enumSpellings } from './vocab.ts';
import { SCENARIO_FORMAT } from './types.ts';
import { LIMITS, REFUSED } from './sandbox.ts';
import { DECL_NAME, integritySchema } from './integrity.ts';

export type Schema = { [k: string]: unknown };

const UINT32_MAX = 2 ** 32 - 1;
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const uint = (max = UINT32_MAX, min = 0): Schema => ({ type: 'integer', minimum: min, maximum: max });
const list = (items: Schema, maxItems?: number): Schema => ({ type: 'array', items, ...(maxItems !== undefined ? { maxItems } : {}) });
const obj = (properties: Record<string, Schema>, required: string[] = [], description?: string): Schema => ({
  type: 'object',
  ...(description !== undefined ? { description } : {}),
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });

function argSchema(a: ArgSpec): Schema {
  const doc = { description: a.doc + (a.modelOnly === true ? ' (model only)' : '') };
  const dflt = a.default !== undefined && a.default !== null && a.required !== true ? { default: a.default } : {};
  switch (a.kind) {
    case 'handle':
    case 'string':
      return { ...doc, ...str, ...dflt };
    case 'actor':
      return { ...doc, ...str };
    case 'int': {
      const n = { ...uint(a.max) };
      if (a.names === undefined) return { ...doc, ...n, ...dflt };
      return { ...doc, anyOf: [n, { type: 'string', enum: enumSpellings(a.names) }], ...dflt };
    }
    case 'bool':
      return { ...doc, ...bool, ...dflt };
    case 'caps':
      return { ...doc, ...ref('capList') };
    case 'choice':
      return { ...doc, type: 'string', enum: [...(a.choices ?? [])] };
    case 'signature':
      return { ...doc, ...ref('signature') };
    case 'handles':
      return { ...doc, type: 'array', items: str, maxItems: FD_ARRAY_MAX };
  }
}

function stepSchema(op: string, o: { doc: string; race?: boolean; args: Readonly<Record<string, ArgSpec>> }): Schema {
  const common: Record<string, Schema> = {
    actor: { description: 'the acting actor', ...str },
    op: { const: op },
    as: { description: 'handle name for the fd a successful step returns', ...str },
    expect: ref('expect'),
    expect_text: ref('expectText'),
    label: { description: 'why this step is here', ...str },
    lsm: { description: 'model only: LSM administration right before the step', ...list(ref('lsmAction')) },
  };
  const props: Record<string, Schema> = { ...common };
  for (const [k, a] of Object.entries(o.args)) props[k] = argSchema(a);
  if (o.race === true) props.race = ref('race');
  const required = ['actor', 'op', ...Object.entries(o.args).filter(([, a]) => a.required === true).map(([k]) => k)];
  return obj(props, required, o.doc);
}

const policyProps: Record<string, Schema> = {
  allow: { description: 'allow rules "source target:class perm..."', ...list(str) },
  polcap: list({ type: 'string', enum: [...POLICY_CAPS] }),
  defines_token_perms: bool,
  handle_unknown: { type: 'string', enum: ['allow', 'deny', 'reject'] },
  enforcing: bool,
  permissive: list(str),
};

const VERDICTS = ['NONE', 'OK', 'UNSIGNED', 'PARTIALSIG', 'BADSIG'];

/** the schema, as an object; `profiles`: the built-in profile names (model/profile.ts), listed as examples */
export function scenarioSchema(profiles: readonly string[]): Schema {
  const capName: Schema = { type: 'string', description: 'a capability name without CAP_ ("BPF"); CAP_BPF and lower case are accepted too' };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `bpftc scenario (${SCENARIO_FORMAT})`,
    description: 'A scenario of bpf-token-conformance (README "The scenario format"); generated from scenario/ops.ts by build/write-generated.ts',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'the path or URL of this schema (scenario/scenario.schema.json), for editors' },
      format: { const: SCENARIO_FORMAT },
      name: str,
      description: str,
      profile: { description: 'the profile to run on (bpftc profiles; a plugin may add more); default linux-6.18', type: 'string', examples: [...profiles] },
      lsm_order: list({ type: 'string', description: 'a built-in LSM or a name the integrity declaration gives', anyOf: [{ enum: [...LSM_NAMES] }, { pattern: DECL_NAME.source }] }),
      selinux: obj({ ...policyProps, loaded: bool }, ['allow']),
      ipe: obj(
        {
          default: { type: 'string', enum: ['allow', 'deny'] },
          rules: list(
            obj(
              {
                action: { type: 'string', enum: ['allow', 'deny'] },
                bpf_signature: { type: 'string', enum: VERDICTS },
                bpf_kernel: bool,
                bpf_keyring: { type: 'string', enum: ['builtin', 'secondary', 'platform'] },
              },
              ['action'],
            ),
          ),
          fail_fast: list({ type: 'string', enum: VERDICTS }),
        },
        ['default', 'rules'],
      ),
      integrity: integritySchema(),
      sysctl: obj({ unprivileged_bpf_disabled: { enum: [0, 1, 2] } }),
      userns: list(
        obj(
          {
            name: str,
            parent: { description: '"init" or an earlier user namespace', ...str },
            owner: uint(UINT32_MAX - 1),
            map: obj({ base: uint(UINT32_MAX - 1), count: uint(65536, 1) }, ['base', 'count']),
          },
          ['name', 'parent', 'owner', 'map'],
        ),
        LIMITS.userns,
      ),
      actors: {
        ...list(
          {
            ...obj(
              {
                name: str,
                userns: str,
                kuid: uint(UINT32_MAX - 1),
                caps: { anyOf: [{ const: 'all' }, ref('capList')] },
                mntns: { description: '"own" (default), "init" or an earlier actor', ...str },
                thread_of: str,
                context: str,
                fork_of: { description: 'an earlier actor whose fork step makes this one (its userns, kuid and caps are that actor\'s)', ...str },
              },
              ['name'],
            ),
            anyOf: [{ required: ['userns', 'kuid', 'caps'] }, { required: ['fork_of'] }],
          },
          LIMITS.actors,
        ),
        minItems: 1,
      },
      steps: list({ anyOf: Object.keys(OPS).map((op) => ref(`step_${op}`)) }, LIMITS.steps),
      meta: { type: 'object', description: 'provenance and recorded results (scenario/types.ts ScenarioMeta)' },
    },
    required: ['format', 'actors', 'steps'],
    additionalProperties: false,
    $defs: {
      capList: list(capName),
      result: { type: 'string', pattern: `^(ok|fails|${REFUSED}|E[A-Z0-9]+)$` },
      expect: {
        description: '"ok", an errno name, "REFUSED", "fails" (any errno), or a list of results one of which must occur (scenario/expect.ts)',
        anyOf: [ref('result'), { type: 'array', items: ref('result'), minItems: 1 }],
      },
      expectText: {
        description: 'exact text, {"match": pattern}, or one field {"field", "value"|"match"} (scenario/expect.ts)',
        anyOf: [str, obj({ match: str }, ['match']), obj({ field: str, value: str }, ['field', 'value']), obj({ field: str, match: str }, ['field', 'match'])],
      },
      signature: obj(
        {
          state: { type: 'string', enum: ['valid', 'bad', 'untrusted_key', 'malformed'] },
          keyring: { type: 'string', enum: ['builtin', 'secondary', 'platform', 'session', 'user', 'missing'] },
          maps: { type: 'string', enum: ['none', 'match', 'mismatch'] },
        },
        ['state', 'keyring'],
      ),
      race: obj({ actor: str, op: { type: 'string', enum: ['dup2', 'close'] }, fd: str, to: str, at: { type: 'string', enum: ['hook', 'fd_array'] } }, ['actor', 'op', 'fd']),
      lsmAction: {
        anyOf: [
          obj({ action: { const: 'policy_load' }, policy: obj(policyProps, ['allow']), at: { enum: [...LSM_AT_HOOKS] } }, ['action', 'policy']),
          obj({ action: { const: 'bpf_lsm_deny' }, hook: { type: 'string', enum: [...BPF_LSM_HOOKS, ...BPF_LSM_INTEGRITY_HOOKS, ...BPF_LSM_FILE_HOOKS] }, task: str, errno: str, ret: { type: 'integer', minimum: -2147483648, maximum: 2147483647 } }, ['action', 'hook', 'task', 'errno']),
        ],
      },
      ...Object.fromEntries(Object.entries(OPS).map(([op, o]) => [`step_${op}`, stepSchema(op, o)])),
    },
  };
}

/** the text of scenario/scenario.schema.json */
export function scenarioSchemaText(profiles: readonly string[]): string {
  return JSON.stringify(scenarioSchema(profiles), null, 2) + '\n';
}
