// Decision points, the bottom half (model/coverage.ts is the registry): the
// row type, P() that makes one kernel function's rows with literal ids, and
// the id type. Each layer declares its own rows next to its checks and adds
// their ids to DecisionPointIds (a module augmentation), so k.check() takes
// exactly the registered ids (a misspelt one does not compile) and a new check
// is written in its layer alone.

export interface DecisionPoint<Id extends string = string> {
  /** `<kernel function>/<check>`: a DecisionPointId */
  id: Id;
  /** layer, for grouping: userns, bpffs, fs_context, mount, namei, token, map, prog, btf */
  layer: string;
  /** the kernel function (file) whose check this is */
  fn: string;
  /** what the check tests, in words */
  what: string;
  /** the errno when the check fails ("-" for a check that selects a branch) */
  fails: string;
}

/** the kernel function's name: the first word of `fn` */
type FnName<F extends string> = F extends `${infer W} ${string}` ? W : F;

/** one kernel function's decision points; the ids are literal types
 *  (`bpf_token_create/flags`), so DecisionPointId is their union */
export function P<const F extends string, const R extends ReadonlyArray<readonly [string, string, string]>>(
  layer: string,
  fn: F,
  rows: R,
): Array<DecisionPoint<`${FnName<F>}/${R[number][0]}`>> {
  return rows.map(([id, what, fails]) => ({ id: `${fn.split(' ')[0]}/${id}` as `${FnName<F>}/${R[number][0]}`, layer, fn, what, fails }));
}

/** the registered ids, as keys: each layer's `declare module` adds its own */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DecisionPointIds {}

/** every decision point's id: k.check() takes only these, so a misspelt id
 *  fails to compile */
export type DecisionPointId = keyof DecisionPointIds & string;

/** pass/fail counts per decision point */
export class Coverage {
  readonly hits = new Map<string, { pass: number; fail: number }>();

  record(id: string, failed: boolean): void {
    let h = this.hits.get(id);
    if (!h) {
      h = { pass: 0, fail: 0 };
      this.hits.set(id, h);
    }
    if (failed) h.fail++;
    else h.pass++;
  }

  merge(o: Coverage | Record<string, { pass: number; fail: number }>): void {
    const entries = o instanceof Coverage ? [...o.hits] : Object.entries(o);
    for (const [id, h] of entries) {
      const mine = this.hits.get(id) ?? { pass: 0, fail: 0 };
      this.hits.set(id, { pass: mine.pass + h.pass, fail: mine.fail + h.fail });
    }
  }

  toJSON(): Record<string, { pass: number; fail: number }> {
    return Object.fromEntries([...this.hits].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
