// Runnable C reproducers: one standalone C file per scenario. It carries the
// oracle executor (our own oracle/executor.c, verbatim, its main renamed, with
// its sandbox: oracle/SANDBOX.md), the scenario in the executor's line
// protocol, and the expected result of every step; its main runs the steps as
// root and prints each result next to the expected one, exiting 1 on a mismatch.
//
// Scenario files come from strangers: every byte of scenario text reaches the C
// source only through cLiteral() (an escaped string literal) and every number
// only through cInt(); the comments are fixed text (see cliteral.ts).

import { readFileSync } from 'node:fs';
import type { PolicyDecl, Scenario, StepResult } from '../scenario/types.ts';
import { toProtocol } from '../oracle/driver.ts';
import { runScenario } from '../model/run.ts';
import { formatSetup, formatStep } from '../scenario/format.ts';
import { cInt, cLiteral, printable } from './cliteral.ts';
import { exactResult, exactText } from '../scenario/expect.ts';

const EXECUTOR_C = new URL('../oracle/executor.c', import.meta.url);
const OPS_H = new URL('../oracle/ops.gen.h', import.meta.url);

export interface ReproOptions {
  /** per-scenario time limit of the embedded executor (ms) */
  timeoutMs?: number;
}

/** allow rules "S T:class perm..." as SELinux policy statements (`*` spelled out as a comment) */
export function policyText(p: PolicyDecl): string[] {
  const out: string[] = [];
  for (const cap of p.polcap ?? []) out.push(`policycap ${cap};`);
  for (const rule of p.allow) {
    const m = /^(\S+)\s+(\S+):(\S+)\s+(.+)$/.exec(rule.trim());
    if (!m) {
      out.push(`# ${rule}`);
      continue;
    }
    const [, src, tgt, cls, perms] = m;
    const ps = perms!.trim().split(/\s+/);
    const star = src === '*' || tgt === '*' || ps.includes('*') ? '  # "*": every type / permission of the class' : '';
    out.push(`allow ${src} ${tgt}:${cls} ${ps.length === 1 ? ps[0] : `{ ${ps.join(' ')} }`};${star}`);
  }
  if (p.defines_token_perms === false) out.push('# the policy does not define bpf { map_create_as prog_load_as }');
  if (p.handle_unknown) out.push(`# handle_unknown = ${p.handle_unknown}`);
  if (p.enforcing === false) out.push('# permissive mode (setenforce 0)');
  for (const d of p.permissive ?? []) out.push(`permissive ${d};`);
  return out;
}

/** what the executor cannot set up: SELinux contexts, policy, BPF-LSM programs, races */
function lsmNeeds(s: Scenario): string[] {
  const out: string[] = [];
  if (s.selinux) {
    out.push(`SELinux policy${s.selinux.loaded === false ? ' (loaded by a later step, not at boot)' : ''}:`);
    out.push(...policyText(s.selinux).map((l) => `  ${l}`));
  }
  for (const a of s.actors) if (a.context) out.push(`actor ${a.name} runs in domain ${a.context} (e.g. runcon -t ${a.context})`);
  for (const a of s.actors)
    if (a.thread_of !== undefined)
      out.push(`actor ${a.name} is a thread of ${a.thread_of} (one fd table); the embedded executor runs it as its own process (model-only)`);
  s.steps.forEach((st, i) => {
    for (const act of st.lsm ?? []) {
      if (act.action === 'policy_load') {
        out.push(`before step ${i + 1}: load this policy:`);
        out.push(...policyText(act.policy).map((l) => `  ${l}`));
      } else if (act.ret !== undefined)
        out.push(`before step ${i + 1}: a BPF-LSM program on lsm/${act.hook} returns ${act.ret} for ${act.task} (a verifier that checks the return range refuses it outside [-4095, 0]: nothing is attached)`);
      else out.push(`before step ${i + 1}: a BPF-LSM program on lsm/${act.hook} returns -${act.errno} for ${act.task} (selftest token_lsm)`);
    }
    if ('race' in st && st.race) out.push(`step ${i + 1}: another thread (${st.race.actor}) runs ${st.race.op} on ${st.race.fd} inside the syscall (model-only race)`);
  });
  return out;
}

/** The reproducer's C source. Expected results: each step's `expect`, else the
 *  model's result for the scenario's profile and sysctl. */
export function reproC(s: Scenario, o: ReproOptions = {}): string {
  const model = runScenario(s).results;
  const expected: StepResult[] = s.steps.map((st, i) => ({
    // an exact expectation is compared as is; "fails", a set, a pattern or a
    // field (scenario/expect.ts) fall back to the model's result
    ret: exactResult(st.expect) ?? model[i]!.ret,
    ...(exactText(st.expect_text) !== undefined ? { text: exactText(st.expect_text) } : model[i]!.text !== undefined ? { text: model[i]!.text } : {}),
  }));
  const sysctl = s.sysctl?.unprivileged_bpf_disabled ?? 2;
  const script = toProtocol(s, 1, o.timeoutMs ?? 5000) + 'quit\n';
  const desc = s.steps.map((st, i) => printable(`${i + 1}. ${formatStep(st)}`));
  const setup = formatSetup(s).map(printable);
  const needs = lsmNeeds(s).map(printable);
  // its op header (oracle/ops.gen.h, generated from scenario/ops.ts) inlined: the reproducer is one file
  const executor = readFileSync(EXECUTOR_C, 'utf8').replace(/^#include "ops\.gen\.h".*$/m, () => readFileSync(OPS_H, 'utf8').trimEnd());
  const list = (name: string, xs: ReadonlyArray<string | undefined>): string =>
    `static const char *const ${name}[] = {\n${xs.map((x) => `  ${x === undefined ? '0' : cLiteral(x, '    ')},\n`).join('')}  0 };`;
  const lines: string[] = [];
  // fixed text only: no byte of the scenario appears outside a cLiteral()/cInt()
  lines.push('/*');
  lines.push(' * bpftc reproducer (bpf-token-conformance: bpftc repro FILE --c)');
  lines.push(' *');
  lines.push(' * Build and run as root on a kernel with BPF token support:');
  lines.push(' *   cc -O2 -o repro repro.c && sudo ./repro');
  lines.push(' * ./repro --describe prints the scenario (set-up, steps with their expected');
  lines.push(' * results, what it needs beyond the embedded executor) and runs nothing.');
  lines.push(' * Exit code: 0 every step gave the expected result, 1 a step differs, 2 set-up failed.');
  lines.push(' *');
  lines.push(' * The scenario appears in this file only as data: escaped C string literals');
  lines.push(' * (every byte outside [A-Za-z0-9 ] is an octal escape) and integers.');
  lines.push(' * Everything runs in private user and mount namespaces created by the embedded');
  lines.push(' * executor (oracle/executor.c), under its sandbox rules (oracle/SANDBOX.md);');
  lines.push(' * no sysctl is written.');
  lines.push(' */');
  lines.push('#define main bpftc_executor_main');
  lines.push('#define BPFTC_NO_LSMTRACE 1 /* the executor\'s BPF-LSM tracing (oracle/lsmtrace.c) is not embedded */');
  lines.push(executor);
  lines.push('#undef main');
  lines.push('');
  lines.push(`static const char repro_script[] =\n  ${cLiteral(script)};`);
  lines.push(`static const char *const repro_name = ${s.name === undefined ? '0' : cLiteral(printable(s.name))};`);
  lines.push(`static const int repro_nsteps = ${cInt(s.steps.length)};`);
  lines.push(list('repro_setup', setup));
  lines.push(list('repro_desc', desc));
  lines.push(list('repro_ret', expected.map((e) => e.ret)));
  lines.push(list('repro_text', expected.map((e) => (e.text === undefined ? undefined : JSON.stringify(e.text).slice(1, -1)))));
  lines.push(list('repro_needs', needs));
  lines.push(`static const int repro_sysctl = ${cInt(sysctl)};`);
  lines.push(`static const int repro_needs_lsm = ${cInt(needs.length ? 1 : 0)};`);
  lines.push(REPRO_MAIN);
  return lines.join('\n') + '\n';
}

/** main(): feed the script to the executor in a child, check its JSON lines */
const REPRO_MAIN = String.raw`
/* The executor's lines have a fixed shape (oracle/PROTOCOL.md "Output"); they are matched at
 * the start of the line only, so text inside a value (a mountinfo source, say) can never pass
 * for a key. A JSON string value is copied up to its closing quote, without unescaping
 * (expected texts are stored JSON-escaped too); out has room for the whole line. */
static const char *repro_jstr(const char *p, char *out) {
  size_t k = 0;
  while (*p && *p != '"') {
    if (*p == '\\' && p[1]) out[k++] = *p++;
    out[k++] = *p++;
  }
  out[k] = 0;
  return *p == '"' ? p + 1 : NULL;
}

/* {"scenario":N,"error":"..."} or {"error":"..."}: the message */
static int repro_error_line(const char *line, char *msg) {
  long long id;
  int n = 0;
  if (sscanf(line, "{\"scenario\":%lld,\"error\":\"%n", &id, &n) >= 1 && n > 0) return repro_jstr(line + n, msg) != NULL;
  if (!strncmp(line, "{\"error\":\"", 10)) return repro_jstr(line + 10, msg) != NULL;
  return 0;
}

/* {"scenario":N,"step":I,"ret":"R"[,"text":"T"]...}: I, R, T */
static int repro_step_line(const char *line, int *step, char *ret, char *text, int *has_text) {
  long long id;
  int n = 0;
  if (sscanf(line, "{\"scenario\":%lld,\"step\":%d,\"ret\":\"%n", &id, step, &n) < 2 || n == 0) return 0;
  const char *p = repro_jstr(line + n, ret);
  if (!p) return 0;
  *has_text = !strncmp(p, ",\"text\":\"", 9) && repro_jstr(p + 9, text) != NULL;
  return 1;
}

static void repro_describe(void) {
  if (repro_name) printf("scenario: %s\n", repro_name);
  for (int i = 0; repro_setup[i]; i++) printf("  %s\n", repro_setup[i]);
  for (int i = 0; i < repro_nsteps; i++)
    printf("  %s  -> expect %s%s%s%s\n", repro_desc[i], repro_ret[i], repro_text[i] ? " \"" : "", repro_text[i] ? repro_text[i] : "",
           repro_text[i] ? "\"" : "");
  if (repro_needs[0]) {
    printf("This scenario also needs what the embedded executor does not set up; the expected\n"
           "results come from the model with it, so they differ on a kernel without it:\n");
    for (int i = 0; repro_needs[i]; i++) printf("  %s\n", repro_needs[i]);
  }
  printf("Expected results assume kernel.unprivileged_bpf_disabled=%d.\n", repro_sysctl);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--describe")) { repro_describe(); return 0; }
  if (argc > 1) { printf("usage: %s [--describe]\n", argv[0]); return 2; }
  if (repro_name) printf("scenario: %s\n", repro_name);
  char buf[64];
  FILE *sf = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "r");
  if (sf && fgets(buf, sizeof buf, sf) && atoi(buf) != repro_sysctl)
    printf("warning: kernel.unprivileged_bpf_disabled is %d here, the expectations assume %d\n", atoi(buf), repro_sysctl);
  if (sf) fclose(sf);
  if (geteuid() != 0) { printf("this reproducer must run as root\n"); return 2; }
  if (repro_needs_lsm) printf("note: this scenario needs the SELinux/BPF-LSM set-up that --describe lists\n");
  int in[2], out[2];
  if (pipe(in) || pipe(out)) { perror("pipe"); return 2; }
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 2; }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    unsetenv("BPFTC_EXEC_TEST_OPS"); /* the executor's test-only ops bypass its sandbox: never in a reproducer */
    _exit(bpftc_executor_main());
  }
  close(in[0]);
  close(out[1]);
  if (write(in[1], repro_script, sizeof repro_script - 1) < 0) { perror("write"); return 2; }
  close(in[1]);
  FILE *f = fdopen(out[0], "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int seen = 0, bad = 0, failed = 0;
  while (f && (len = getline(&line, &cap, f)) > 0) {
    char *ret = malloc((size_t)len + 1), *text = malloc((size_t)len + 1);
    if (!ret || !text) { printf("out of memory\n"); return 2; }
    int i, has_text = 0;
    if (repro_error_line(line, text)) { printf("set-up failed: %s\n", text); failed = 1; }
    else if (repro_step_line(line, &i, ret, text, &has_text) && i >= 0 && i < repro_nsteps) {
      int ok = !strcmp(ret, repro_ret[i]) && (!repro_text[i] || (has_text && !strcmp(text, repro_text[i])));
      printf("%s %-70s got %-10s expected %s\n", ok ? "  " : "<>", repro_desc[i], ret, repro_ret[i]);
      if (repro_text[i] && !ok) printf("      text: got \"%s\", expected \"%s\"\n", has_text ? text : "", repro_text[i]);
      seen++;
      bad += !ok;
    }
    free(ret);
    free(text);
  }
  free(line);
  waitpid(pid, NULL, 0);
  if (failed || seen < repro_nsteps) { printf("%d of %d steps ran\n", seen, repro_nsteps); return 2; }
  printf(bad ? "%d step(s) differ from the expected results\n" : "all %d steps gave the expected results\n", bad ? bad : seen);
  return bad ? 1 : 0;
}
`;
