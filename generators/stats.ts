// Labels of how deep a compiled scenario went, for fc.statistics-style
// reports (README, bench) and tests that the generator reaches deep states.

import type { Compiled } from './compile.ts';

const TOKEN_USERS = new Set(['map_create', 'prog_load', 'btf_load', 'btf_get_fd_by_id']);

export interface Depth {
  tokenCreated: boolean;
  tokenUseOk: boolean;
  tokenUseFail: boolean;
  steps: number;
}

export function depthOf(c: Compiled): Depth {
  let tokenCreated = false;
  let tokenUseOk = false;
  let tokenUseFail = false;
  c.scenario.steps.forEach((s, i) => {
    const r = c.results[i]!.ret;
    if (s.op === 'token_create' && r === 'ok') tokenCreated = true;
    if (tokenCreated && TOKEN_USERS.has(s.op) && 'token' in s && s.token !== undefined && (s.token_flag ?? true)) {
      if (r === 'ok') tokenUseOk = true;
      else tokenUseFail = true;
    }
  });
  return { tokenCreated, tokenUseOk, tokenUseFail, steps: c.scenario.steps.length };
}
