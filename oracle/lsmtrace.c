// lsmtrace.c: BPF-LSM programs for the guest executor (issue 10, BPF-LSM part).
//
// No clang, no libbpf: the FUNC type ids of bpf_lsm_<hook> come from parsing
// /sys/kernel/btf/vmlinux here, and the programs are assembled here from raw
// instructions. One BPF_PROG_TYPE_LSM program per BPF-related hook
// (expected_attach_type BPF_LSM_MAC, attached with BPF_LINK_CREATE, fallback
// BPF_RAW_TRACEPOINT_OPEN) does two things for the scenario's tasks (their
// tgids are keys of the `pids` map the executor fills):
//   * records the call: hook, actor, the first three hook arguments (raw u64
//     slots of the trampoline context), and the program's own return value,
//     pushed into a BPF_MAP_TYPE_QUEUE the executor drains after each step;
//   * returns -errno from the hook when the `deny` map has an entry for
//     (hook, actor): the scenario's `bpf_lsm_deny` steps made real (selftest
//     token_lsm.c does the same with a pid filter).
// The free hooks (bpf_map_free, bpf_prog_free, bpf_token_free) run wherever the
// deferred free happens (RCU callbacks, kworkers): they are recorded for any
// task when the object is one of the scenario's (its pointer was recorded by a
// create hook of a scenario task, `objs` map) or when a scenario task runs them.
//
// Hook signatures (the context slots each program may read):
//   6.12.117 include/linux/lsm_hook_defs.h:429-442, 7.3.4 :441-454. The
//   differences: 7.3.4 adds `bool kernel` to bpf (:441), bpf_map_create (:444-445)
//   and bpf_prog_load (:447-448). The programs read at most the first three
//   slots, which are the same in both (cmd, attr, size / map|prog, attr, token /
//   token, attr, path / token, cmd|cap), so one program text fits both; the
//   argument count found in BTF is reported by `lsmtrace on`.
//
// Built into the executor by `#include "lsmtrace.c"` (oracle/executor.c); with
// -DLSMTRACE_SELFTEST it is a stand-alone tool for the unit tests
// (oracle/lsmtrace.test.ts): `btf FILE` prints the hooks' FUNC ids and argument
// counts, `asm HOOK` prints one assembled program.

#ifdef LSMTRACE_SELFTEST
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* ---------- BTF (include/uapi/linux/btf.h) ---------- */
#define LT_BTF_MAGIC 0xeB9F
enum {
  LT_BTF_KIND_INT = 1, LT_BTF_KIND_PTR, LT_BTF_KIND_ARRAY, LT_BTF_KIND_STRUCT, LT_BTF_KIND_UNION,
  LT_BTF_KIND_ENUM, LT_BTF_KIND_FWD, LT_BTF_KIND_TYPEDEF, LT_BTF_KIND_VOLATILE, LT_BTF_KIND_CONST,
  LT_BTF_KIND_RESTRICT, LT_BTF_KIND_FUNC, LT_BTF_KIND_FUNC_PROTO, LT_BTF_KIND_VAR, LT_BTF_KIND_DATASEC,
  LT_BTF_KIND_FLOAT, LT_BTF_KIND_DECL_TAG, LT_BTF_KIND_TYPE_TAG, LT_BTF_KIND_ENUM64,
};

/* the hooks traced, in this order (their index is the event's hook id) */
enum { LT_TASK, LT_CREATE, LT_FREE };
struct lt_hook { const char *name; int kind; };
static const struct lt_hook LT_HOOKS[] = {
  {"bpf", LT_TASK},
  {"bpf_map", LT_TASK},
  {"bpf_prog", LT_TASK},
  {"bpf_map_create", LT_CREATE},
  {"bpf_map_free", LT_FREE},
  {"bpf_prog_load", LT_CREATE},
  {"bpf_prog_free", LT_FREE},
  {"bpf_token_create", LT_CREATE},
  {"bpf_token_free", LT_FREE},
  {"bpf_token_cmd", LT_TASK},
  {"bpf_token_capable", LT_TASK},
  {"inode_setattr", LT_TASK},
};
#define LT_NHOOKS ((int)(sizeof LT_HOOKS / sizeof LT_HOOKS[0]))

struct lt_func { int id; int nargs; };

static uint32_t lt_rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Finds the FUNC types named <prefix><hook> (bpf_lsm_ or security_) for every hook of
 * LT_HOOKS in a raw BTF blob; out[i].id = 0 when absent. Returns 0, or -EINVAL for a
 * malformed blob. */
static int lt_btf_find(const uint8_t *b, size_t n, const char *prefix, struct lt_func *out) {
  size_t pl = strlen(prefix);
  for (int i = 0; i < LT_NHOOKS; i++) out[i].id = 0, out[i].nargs = -1;
  if (n < 24 || (b[0] | b[1] << 8) != LT_BTF_MAGIC) return -EINVAL;
  uint32_t hdr = lt_rd32(b + 4), toff = lt_rd32(b + 8), tlen = lt_rd32(b + 12), soff = lt_rd32(b + 16), slen = lt_rd32(b + 20);
  if ((uint64_t)hdr + toff + tlen > n || (uint64_t)hdr + soff + slen > n) return -EINVAL;
  const uint8_t *t = b + hdr + toff, *end = t + tlen, *str = b + hdr + soff;
  /* pass 1: offsets of every type (ids start at 1); FUNC protos need them */
  size_t cap = 1 << 16, cnt = 1;
  const uint8_t **at = malloc(cap * sizeof *at);
  if (!at) return -ENOMEM;
  at[0] = NULL;
  while (t + 12 <= end) {
    uint32_t info = lt_rd32(t + 4);
    int kind = (int)((info >> 24) & 0x1f), vlen = (int)(info & 0xffff);
    size_t extra;
    switch (kind) {
    case LT_BTF_KIND_INT: case LT_BTF_KIND_VAR: case LT_BTF_KIND_DECL_TAG: extra = 4; break;
    case LT_BTF_KIND_ARRAY: extra = 12; break;
    case LT_BTF_KIND_STRUCT: case LT_BTF_KIND_UNION: case LT_BTF_KIND_DATASEC: case LT_BTF_KIND_ENUM64: extra = (size_t)vlen * 12; break;
    case LT_BTF_KIND_ENUM: case LT_BTF_KIND_FUNC_PROTO: extra = (size_t)vlen * 8; break;
    case LT_BTF_KIND_PTR: case LT_BTF_KIND_FWD: case LT_BTF_KIND_TYPEDEF: case LT_BTF_KIND_VOLATILE: case LT_BTF_KIND_CONST:
    case LT_BTF_KIND_RESTRICT: case LT_BTF_KIND_FUNC: case LT_BTF_KIND_FLOAT: case LT_BTF_KIND_TYPE_TAG: extra = 0; break;
    default: free(at); return -EINVAL;
    }
    if (t + 12 + extra > end) { free(at); return -EINVAL; }
    if (cnt == cap) {
      const uint8_t **na = realloc(at, 2 * cap * sizeof *at);
      if (!na) { free(at); return -ENOMEM; }
      at = na;
      cap *= 2;
    }
    at[cnt++] = t;
    t += 12 + extra;
  }
  for (size_t id = 1; id < cnt; id++) {
    const uint8_t *ty = at[id];
    uint32_t info = lt_rd32(ty + 4);
    if (((info >> 24) & 0x1f) != LT_BTF_KIND_FUNC) continue;
    uint32_t no = lt_rd32(ty);
    if (no >= slen) continue;
    const char *name = (const char *)str + no;
    size_t maxl = slen - no;
    if (strnlen(name, maxl) == maxl || strncmp(name, prefix, pl) != 0) continue;
    for (int i = 0; i < LT_NHOOKS; i++) {
      if (strcmp(name + pl, LT_HOOKS[i].name) != 0) continue;
      uint32_t proto = lt_rd32(ty + 8);
      out[i].id = (int)id;
      out[i].nargs = -1;
      if (proto > 0 && proto < cnt && ((lt_rd32(at[proto] + 4) >> 24) & 0x1f) == LT_BTF_KIND_FUNC_PROTO)
        out[i].nargs = (int)(lt_rd32(at[proto] + 4) & 0xffff);
    }
  }
  free(at);
  return 0;
}

/* reads a whole file (sysfs BTF has no useful st_size) */
static uint8_t *lt_read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 1 << 20, n = 0;
  uint8_t *b = malloc(cap);
  while (b) {
    if (n == cap) {
      uint8_t *nb = realloc(b, cap * 2);
      if (!nb) { free(b); b = NULL; break; }
      b = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, b + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  *len = n;
  return b;
}

/* ---------- the instruction assembler (include/uapi/linux/bpf.h, bpf_common.h) ---------- */
struct lt_insn { uint8_t code; uint8_t regs; int16_t off; int32_t imm; };
#define LT_R(dst, src) ((uint8_t)((dst) | (src) << 4))
#define LT_MOV64_X(d, s) ((struct lt_insn){0xbf, LT_R(d, s), 0, 0})
#define LT_MOV64_K(d, k) ((struct lt_insn){0xb7, LT_R(d, 0), 0, k})
#define LT_ADD64_K(d, k) ((struct lt_insn){0x07, LT_R(d, 0), 0, k})
#define LT_SUB64_X(d, s) ((struct lt_insn){0x1f, LT_R(d, s), 0, 0})
#define LT_RSH64_K(d, k) ((struct lt_insn){0x77, LT_R(d, 0), 0, k})
#define LT_LDX_W(d, s, o) ((struct lt_insn){0x61, LT_R(d, s), o, 0})
#define LT_LDX_DW(d, s, o) ((struct lt_insn){0x79, LT_R(d, s), o, 0})
#define LT_STX_W(d, s, o) ((struct lt_insn){0x63, LT_R(d, s), o, 0})
#define LT_STX_DW(d, s, o) ((struct lt_insn){0x7b, LT_R(d, s), o, 0})
#define LT_ST_W(d, o, k) ((struct lt_insn){0x62, LT_R(d, 0), o, k})
#define LT_ST_DW(d, o, k) ((struct lt_insn){0x7a, LT_R(d, 0), o, k})
#define LT_JEQ_K(d, k, o) ((struct lt_insn){0x15, LT_R(d, 0), o, k})
#define LT_JNE_K(d, k, o) ((struct lt_insn){0x55, LT_R(d, 0), o, k})
#define LT_JGT_K(d, k, o) ((struct lt_insn){0x25, LT_R(d, 0), o, k})
#define LT_CALL(f) ((struct lt_insn){0x85, 0, 0, f})
#define LT_EXIT() ((struct lt_insn){0x95, 0, 0, 0})
/* BPF_LD | BPF_DW | BPF_IMM with src BPF_PSEUDO_MAP_FD: two slots */
#define LT_LD_MAP(d, fd) ((struct lt_insn){0x18, LT_R(d, 1), 0, fd}), ((struct lt_insn){0, 0, 0, 0})

#define LT_FN_map_lookup_elem 1
#define LT_FN_map_update_elem 2
#define LT_FN_get_current_pid_tgid 14
#define LT_FN_map_push_elem 87
#define LT_MAX_ERRNO 4095
#define LT_EVENT_SIZE 40 /* u32 hook, u32 actor+1, u64 arg0..arg2, s64 ret */
#define LT_DENY_KEY(hook, actor) ((hook) * 64 + (actor))

struct lt_maps { int pids, deny, objs, queue; };

/* Program flavours. LT_MODE_LSM: BPF_PROG_TYPE_LSM on bpf_lsm_<hook> (context: the
 * trampoline's u64 argument slots; records and denies). Kernels whose trampolines
 * cannot attach (no CONFIG_FUNCTION_TRACER: no fentry site to patch, x86
 * bpf_arch_text_poke() -EBUSY) get LT_MODE_KPROBE: BPF_PROG_TYPE_KPROBE on
 * security_<hook> (context: struct pt_regs; arguments in rdi, rsi, rdx) records the
 * call of the LSM hook itself, and LT_MODE_KRET on its return records rax: the hook's
 * result over every LSM (call_int_hook()). No deny in those (no override). */
enum { LT_MODE_LSM, LT_MODE_KPROBE, LT_MODE_KRET };
#define LT_RET_FLAG 0x80u /* event hook id of a kretprobe event */
/* x86_64 struct pt_regs offsets (arch/x86/include/asm/ptrace.h) */
static const int16_t LT_PT_ARG[3] = {112 /* di */, 104 /* si */, 96 /* dx */};
#define LT_PT_AX 80

/* Assembles the program of hook h (nargs arguments) in a mode. Returns the count. */
static int lt_assemble(int h, int nargs, int mode, const struct lt_maps *m, struct lt_insn *p, int max) {
  int n = 0, kind = LT_HOOKS[h].kind, na = nargs < 0 ? 1 : nargs;
  int16_t argoff[3] = {0, 8, 16};
  if (mode != LT_MODE_LSM) memcpy(argoff, LT_PT_ARG, sizeof argoff);
  if (mode == LT_MODE_KRET) na = 0, kind = LT_TASK;
  if (max < 64) return -1;
#define E(...) do { struct lt_insn _i[] = {__VA_ARGS__}; for (size_t _k = 0; _k < sizeof _i / sizeof _i[0]; _k++) p[n++] = _i[_k]; } while (0)
  E(LT_MOV64_X(6, 1));                         /* r6 = ctx */
  E(LT_CALL(LT_FN_get_current_pid_tgid));
  E(LT_RSH64_K(0, 32));                        /* tgid */
  E(LT_STX_W(10, 0, -4));
  E(LT_LD_MAP(1, m->pids));
  E(LT_MOV64_X(2, 10), LT_ADD64_K(2, -4));
  E(LT_CALL(LT_FN_map_lookup_elem));
  E(LT_MOV64_K(7, 0));                         /* r7 = actor + 1, 0 = not a scenario task */
  E(LT_JEQ_K(0, 0, 2));
  E(LT_LDX_W(7, 0, 0), LT_ADD64_K(7, 1));
  E(LT_MOV64_K(8, 0));                         /* r8 = the program's return (KRET: the hook's) */
  if (mode == LT_MODE_KRET) E(LT_LDX_DW(8, 6, LT_PT_AX));
  if (na > 0) E(LT_LDX_DW(9, 6, argoff[0])); /* r9 = arg0 */
  else E(LT_MOV64_K(9, 0));
  int j_none = -1;
  if (kind == LT_FREE) {
    /* a scenario task, or an object a scenario task created */
    E(LT_JNE_K(7, 0, 7));   /* over the objs lookup */
    E(LT_STX_DW(10, 9, -16));
    E(LT_LD_MAP(1, m->objs));
    E(LT_MOV64_X(2, 10), LT_ADD64_K(2, -16));
    E(LT_CALL(LT_FN_map_lookup_elem));
    j_none = n;
    E(LT_JEQ_K(0, 0, 0));                      /* patched: to exit0 */
  } else {
    j_none = n;
    E(LT_JEQ_K(7, 0, 0));                      /* patched: to exit0 */
  }
  if (kind != LT_FREE && mode == LT_MODE_LSM) {
    /* deny[(hook, actor)] = errno (1..MAX_ERRNO): return -errno */
    E(LT_MOV64_X(1, 7), LT_ADD64_K(1, LT_DENY_KEY(h, 0) - 1));
    E(LT_STX_W(10, 1, -8));
    E(LT_LD_MAP(1, m->deny));
    E(LT_MOV64_X(2, 10), LT_ADD64_K(2, -8));
    E(LT_CALL(LT_FN_map_lookup_elem));
    E(LT_JEQ_K(0, 0, 3));
    E(LT_LDX_W(1, 0, 0));
    E(LT_JGT_K(1, LT_MAX_ERRNO, 1));
    E(LT_SUB64_X(8, 1));                       /* r8 = 0 - errno, in [-MAX_ERRNO, 0] */
  }
  if (kind == LT_CREATE) {
      /* objs[arg0] = 1: its frees are recorded from any context */
      E(LT_STX_DW(10, 9, -16));
      E(LT_ST_DW(10, -24, 1));
      E(LT_LD_MAP(1, m->objs));
      E(LT_MOV64_X(2, 10), LT_ADD64_K(2, -16));
      E(LT_MOV64_X(3, 10), LT_ADD64_K(3, -24));
      E(LT_MOV64_K(4, 0));
      E(LT_CALL(LT_FN_map_update_elem));
  }
  /* the event at r10-64 */
  E(LT_ST_W(10, -64, mode == LT_MODE_KRET ? (int32_t)(h | LT_RET_FLAG) : h));
  E(LT_STX_W(10, 7, -60));
  E(LT_STX_DW(10, 9, -56));
  for (int a = 1; a < 3; a++) {
    if (a < na) E(LT_LDX_DW(1, 6, argoff[a]));
    else E(LT_MOV64_K(1, 0));
    E(LT_STX_DW(10, 1, (int16_t)(-56 + 8 * a)));
  }
  E(LT_STX_DW(10, 8, -32));
  E(LT_LD_MAP(1, m->queue));
  E(LT_MOV64_X(2, 10), LT_ADD64_K(2, -64));
  E(LT_MOV64_K(3, 0));
  E(LT_CALL(LT_FN_map_push_elem));
  if (mode == LT_MODE_LSM) E(LT_MOV64_X(0, 8));
  else E(LT_MOV64_K(0, 0));
  E(LT_EXIT());
  int exit0 = n;
  E(LT_MOV64_K(0, 0));
  E(LT_EXIT());
#undef E
  p[j_none].off = (int16_t)(exit0 - j_none - 1);
  return n;
}

static int lt_bpf(int cmd, void *attr, unsigned size) { return (int)syscall(321 /* NR_bpf */, cmd, attr, size); }
static void lt_put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void lt_put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

#define LT_BPF_MAP_CREATE 0
#define LT_BPF_MAP_LOOKUP_ELEM 1
#define LT_BPF_MAP_UPDATE_ELEM 2
#define LT_BPF_MAP_DELETE_ELEM 3
#define LT_BPF_MAP_GET_NEXT_KEY 4
#define LT_BPF_PROG_LOAD 5
#define LT_BPF_RAW_TRACEPOINT_OPEN 17
#define LT_BPF_MAP_LOOKUP_AND_DELETE_ELEM 21
#define LT_BPF_LINK_CREATE 28
#define LT_BPF_PROG_TYPE_LSM 29
#define LT_BPF_PROG_TYPE_KPROBE 2
#define LT_BPF_LSM_MAC 27
#define LT_MAP_HASH 1
#define LT_MAP_QUEUE 22
#define LT_QUEUE_LEN 16384

static char lt_log[1 << 16];

/* BPF_PROG_LOAD of an LSM program (prog_type@0 insn_cnt@4 insns@8 license@16 log_level@24
 * log_size@28 log_buf@32 prog_name@48 expected_attach_type@68 attach_btf_id@108) */
static __attribute__((unused)) int lt_load(const struct lt_insn *p, int n, int mode, int btf_id, const char *name, int with_log) {
  uint8_t a[160] = {0};
  lt_put32(a, 0, mode == LT_MODE_LSM ? LT_BPF_PROG_TYPE_LSM : LT_BPF_PROG_TYPE_KPROBE);
  lt_put32(a, 4, (uint32_t)n);
  lt_put64(a, 8, (uint64_t)(uintptr_t)p);
  lt_put64(a, 16, (uint64_t)(uintptr_t)"GPL");
  if (with_log) {
    lt_log[0] = 0;
    lt_put32(a, 24, 1);
    lt_put32(a, 28, sizeof lt_log);
    lt_put64(a, 32, (uint64_t)(uintptr_t)lt_log);
  }
  char pn[16] = {0};
  snprintf(pn, sizeof pn, "bt_%.12s", name);
  memcpy(a + 48, pn, 16);
  if (mode == LT_MODE_LSM) {
    lt_put32(a, 68, LT_BPF_LSM_MAC);
    lt_put32(a, 108, (uint32_t)btf_id);
  }
  return lt_bpf(LT_BPF_PROG_LOAD, a, sizeof a);
}

static __attribute__((unused)) int lt_map(int type, int ks, int vs, int entries) {
  uint8_t a[72] = {0};
  lt_put32(a, 0, (uint32_t)type);
  lt_put32(a, 4, (uint32_t)ks);
  lt_put32(a, 8, (uint32_t)vs);
  lt_put32(a, 12, (uint32_t)entries);
  return lt_bpf(LT_BPF_MAP_CREATE, a, sizeof a);
}

/* map element ops: map_fd@0 key@8 value@16 flags@24 */
static __attribute__((unused)) int lt_elem(int cmd, int fd, const void *key, void *val) {
  uint8_t a[32] = {0};
  lt_put32(a, 0, (uint32_t)fd);
  lt_put64(a, 8, (uint64_t)(uintptr_t)key);
  lt_put64(a, 16, (uint64_t)(uintptr_t)val);
  return lt_bpf(cmd, a, sizeof a);
}

#ifndef LSMTRACE_SELFTEST
/* ---------- executor glue (this file is included into oracle/executor.c) ---------- */
static struct {
  int on;              /* programs attached */
  int mode;            /* LT_MODE_LSM (records, denies) or LT_MODE_KPROBE (records) */
  struct lt_maps m;
  struct lt_func f[LT_NHOOKS];
  int fds[2 * LT_NHOOKS]; /* links / perf events */
  int nfds;
  char err[256];
  char why[256];       /* LT_MODE_KPROBE: why not LT_MODE_LSM */
} LT = {0, 0, {-1, -1, -1, -1}, {{0, 0}}, {0}, 0, "", ""};

/* the scenario's bpf_lsm_deny actions (PROTOCOL.md `lsm_deny`) */
#define LT_MAX_DENY 256
struct lt_deny { int step, actor, hook, err; };
static struct lt_deny LT_D[LT_MAX_DENY];
static int LT_ND;

static int lt_hook_index(const char *name) {
  for (int i = 0; i < LT_NHOOKS; i++)
    if (!strcmp(LT_HOOKS[i].name, name)) return i;
  return -1;
}

static int lt_high(int fd) {
  if (fd < 0) return fd;
  int h = fcntl(fd, F_DUPFD_CLOEXEC, 4500);
  if (h < 0) h = fcntl(fd, F_DUPFD_CLOEXEC, 2000);
  if (h >= 0) { close(fd); return h; }
  return fd;
}

static void lt_undo(void) {
  for (int i = 0; i < LT.nfds; i++) close(LT.fds[i]);
  LT.nfds = 0;
}

/* loads one program; on failure LT.err says why (with the verifier's last line) */
static int lt_load_one(int h, int mode, int btf_id, int nargs) {
  struct lt_insn p[128];
  int cnt = lt_assemble(h, nargs, mode, &LT.m, p, 128);
  int pfd = lt_load(p, cnt, mode, btf_id, LT_HOOKS[h].name, 0);
  if (pfd >= 0) return lt_high(pfd);
  int e = errno;
  lt_load(p, cnt, mode, btf_id, LT_HOOKS[h].name, 1);
  char *nl = strrchr(lt_log, '\n');
  while (nl && nl > lt_log && nl[1] == 0) { *nl = 0; nl = strrchr(lt_log, '\n'); }
  const char *last = nl ? nl + 1 : lt_log;
  snprintf(LT.err, sizeof LT.err, "prog_load %s%s%s: %s%s%.120s", mode == LT_MODE_LSM ? "bpf_lsm_" : "security_", LT_HOOKS[h].name,
           mode == LT_MODE_KRET ? " (return)" : "", strerror(e), *last ? ": " : "", last);
  errno = e;
  return -1;
}

/* LT_MODE_LSM: every bpf_lsm_<hook> program loaded and attached (BPF_LINK_CREATE, else
 * BPF_RAW_TRACEPOINT_OPEN); 0 or -errno */
static int lt_start_lsm(void) {
  size_t n = 0;
  uint8_t *btf = lt_read_file("/sys/kernel/btf/vmlinux", &n);
  if (!btf) { snprintf(LT.err, sizeof LT.err, "no /sys/kernel/btf/vmlinux (kernel without CONFIG_DEBUG_INFO_BTF)"); return -ENOENT; }
  int r = lt_btf_find(btf, n, "bpf_lsm_", LT.f);
  free(btf);
  if (r < 0) { snprintf(LT.err, sizeof LT.err, "malformed /sys/kernel/btf/vmlinux"); return r; }
  for (int i = 0; i < LT_NHOOKS; i++)
    if (!LT.f[i].id) { snprintf(LT.err, sizeof LT.err, "no bpf_lsm_%s in BTF (kernel without CONFIG_BPF_LSM)", LT_HOOKS[i].name); return -ENOENT; }
  for (int i = 0; i < LT_NHOOKS; i++) {
    int pfd = lt_load_one(i, LT_MODE_LSM, LT.f[i].id, LT.f[i].nargs);
    if (pfd < 0) return -errno;
    uint8_t a[64] = {0};
    lt_put32(a, 0, (uint32_t)pfd);
    lt_put32(a, 8, LT_BPF_LSM_MAC);
    int l = lt_bpf(LT_BPF_LINK_CREATE, a, sizeof a);
    if (l < 0) {
      memset(a, 0, sizeof a);
      lt_put32(a, 8, (uint32_t)pfd);
      l = lt_bpf(LT_BPF_RAW_TRACEPOINT_OPEN, a, sizeof a);
    }
    int e = errno;
    close(pfd); /* the link keeps the program */
    if (l < 0) {
      snprintf(LT.err, sizeof LT.err, "attach bpf_lsm_%s: %s%s", LT_HOOKS[i].name, strerror(e),
               e == EBUSY ? " (no fentry site to patch: kernel without CONFIG_FUNCTION_TRACER)" : "");
      return -e;
    }
    LT.fds[LT.nfds++] = lt_high(l);
  }
  return 0;
}

/* perf_event_open(2) of a kprobe (or kretprobe) on `fn` (perf_event_attr: type@0
 * size@4 config@8 (retprobe bit) config1@56 = kprobe_func, config2@64 = offset) */
static int lt_kprobe(const char *fn, int ret) {
  char buf[64];
  int err = 0;
  size_t l = read_small("/sys/bus/event_source/devices/kprobe/type", buf, sizeof buf, &err);
  if (err || !l) { errno = ENOENT; return -1; }
  int type = atoi(buf), bit = 0;
  if (ret) {
    l = read_small("/sys/bus/event_source/devices/kprobe/format/retprobe", buf, sizeof buf, &err);
    if (err || !l || strncmp(buf, "config:", 7)) { errno = ENOENT; return -1; }
    bit = atoi(buf + 7);
  }
  uint8_t a[128] = {0};
  lt_put32(a, 0, (uint32_t)type);
  lt_put32(a, 4, sizeof a);
  lt_put64(a, 8, ret ? 1ull << bit : 0);
  lt_put64(a, 56, (uint64_t)(uintptr_t)fn);
  return (int)syscall(298 /* NR_perf_event_open */, a, -1, 0, -1, 8 /* PERF_FLAG_FD_CLOEXEC */);
}

/* LT_MODE_KPROBE: kprobes on security_<hook>, kretprobes on the int ones; 0 or -errno */
static int lt_start_kprobe(void) {
  size_t n = 0;
  uint8_t *btf = lt_read_file("/sys/kernel/btf/vmlinux", &n);
  struct lt_func f[LT_NHOOKS];
  if (!btf || lt_btf_find(btf, n, "security_", f) < 0)
    for (int i = 0; i < LT_NHOOKS; i++) f[i].id = 0, f[i].nargs = 3; /* no BTF: three registers are read */
  free(btf);
  for (int i = 0; i < LT_NHOOKS; i++) {
    LT.f[i] = f[i];
    for (int ret = 0; ret < 2; ret++) {
      if (ret && LT_HOOKS[i].kind == LT_FREE) continue; /* void */
      int mode = ret ? LT_MODE_KRET : LT_MODE_KPROBE;
      int pfd = lt_load_one(i, mode, 0, f[i].nargs < 0 ? 3 : f[i].nargs);
      if (pfd < 0) return -errno;
      char fn[64];
      snprintf(fn, sizeof fn, "security_%s", LT_HOOKS[i].name);
      int ev = lt_kprobe(fn, ret);
      if (ev < 0 || ioctl(ev, 0x40042408 /* PERF_EVENT_IOC_SET_BPF */, pfd) < 0 || ioctl(ev, 0x2400 /* PERF_EVENT_IOC_ENABLE */, 0) < 0) {
        int e = errno;
        snprintf(LT.err, sizeof LT.err, "%s on %s: %s", ret ? "kretprobe" : "kprobe", fn, strerror(e));
        if (ev >= 0) close(ev);
        close(pfd);
        return -e;
      }
      close(pfd); /* the perf event keeps the program */
      LT.fds[LT.nfds++] = lt_high(ev);
    }
  }
  return 0;
}

/* Loads and attaches every program (main process, once). 0 or -errno; LT.err says why. */
static int lt_start(void) {
  if (LT.on) return 0;
  if (LT.m.pids < 0) {
    LT.m.pids = lt_high(lt_map(LT_MAP_HASH, 4, 4, 64));
    LT.m.deny = lt_high(lt_map(LT_MAP_HASH, 4, 4, 1024));
    LT.m.objs = lt_high(lt_map(LT_MAP_HASH, 8, 8, 4096));
    LT.m.queue = lt_high(lt_map(LT_MAP_QUEUE, 0, LT_EVENT_SIZE, LT_QUEUE_LEN));
    if (LT.m.pids < 0 || LT.m.deny < 0 || LT.m.objs < 0 || LT.m.queue < 0) {
      snprintf(LT.err, sizeof LT.err, "map_create: %s", strerror(errno));
      return -errno;
    }
  }
  int r = lt_start_lsm();
  if (r == 0) { LT.mode = LT_MODE_LSM; LT.on = 1; return 0; }
  lt_undo();
  snprintf(LT.why, sizeof LT.why, "%s", LT.err);
  r = lt_start_kprobe();
  if (r == 0) { LT.mode = LT_MODE_KPROBE; LT.on = 1; return 0; }
  lt_undo();
  char k[256];
  snprintf(k, sizeof k, "%s", LT.err);
  snprintf(LT.err, sizeof LT.err, "%.120s; %.120s", LT.why, k);
  return r;
}

/* One program load without attaching: can this task load LSM programs at all?
 * For the probe: "ok", or why not (the 6.18 host refuses tgid != 1). */
static void lt_probe(char *out, size_t n) {
  if (LT.on) { snprintf(out, n, "ok"); return; }
  size_t len = 0;
  uint8_t *btf = lt_read_file("/sys/kernel/btf/vmlinux", &len);
  struct lt_func f[LT_NHOOKS];
  if (!btf) { snprintf(out, n, "no /sys/kernel/btf/vmlinux"); return; }
  int r = lt_btf_find(btf, len, "bpf_lsm_", f);
  free(btf);
  int h = lt_hook_index("bpf_token_cmd");
  if (r < 0 || !f[h].id) { snprintf(out, n, "no bpf_lsm_bpf_token_cmd in BTF"); return; }
  struct lt_maps m;
  m.pids = m.deny = lt_map(LT_MAP_HASH, 4, 4, 4);
  m.objs = lt_map(LT_MAP_HASH, 8, 8, 4);
  m.queue = lt_map(LT_MAP_QUEUE, 0, LT_EVENT_SIZE, 4);
  struct lt_insn p[128];
  int cnt = lt_assemble(h, f[h].nargs, LT_MODE_LSM, &m, p, 128);
  int pfd = m.pids < 0 || m.objs < 0 || m.queue < 0 ? -1 : lt_load(p, cnt, LT_MODE_LSM, f[h].id, "probe", 0);
  int e = errno;
  if (pfd >= 0) snprintf(out, n, "ok");
  else if (e == EPERM && getpid() != 1) snprintf(out, n, "this kernel refuses BPF_PROG_TYPE_LSM loads (EPERM) for tgid %d != 1: BPF-LSM tracing needs the VM", (int)getpid());
  else snprintf(out, n, "BPF_PROG_TYPE_LSM load fails: %s", strerror(e));
  if (pfd >= 0) close(pfd);
  if (m.pids >= 0) close(m.pids);
  if (m.objs >= 0) close(m.objs);
  if (m.queue >= 0) close(m.queue);
}

/* `lsmtrace on`: answer {"lsmtrace":{"ok":true,"hooks":{"bpf":[id,nargs],...}}} or {"lsmtrace":{"ok":false,"error":...}} */
static void lt_cmd_on(void) {
  int r = lt_start();
  struct sbuf b = {0};
  if (r < 0) {
    sb_puts(&b, "{\"lsmtrace\":{\"ok\":false,\"error\":");
    sb_json_str(&b, LT.err, strlen(LT.err));
    sb_puts(&b, "}}");
  } else {
    sb_printf(&b, "{\"lsmtrace\":{\"ok\":true,\"mode\":\"%s\",", LT.mode == LT_MODE_LSM ? "lsm" : "kprobe");
    if (LT.mode != LT_MODE_LSM) {
      sb_puts(&b, "\"why\":");
      sb_json_str(&b, LT.why, strlen(LT.why));
      sb_puts(&b, ",");
    }
    sb_puts(&b, "\"hooks\":{");
    for (int i = 0; i < LT_NHOOKS; i++) sb_printf(&b, "%s\"%s\":[%d,%d]", i ? "," : "", LT_HOOKS[i].name, LT.f[i].id, LT.f[i].nargs);
    sb_puts(&b, "}}}");
  }
  out_line(b.p);
  free(b.p);
}

/* A program returning `ret` on bpf_lsm_<hook h>, loaded and closed again: 1 if the
 * verifier took it, 0 if it refused it with EINVAL (check_return_code() with
 * bpf_lsm_get_retval_range(): outside [-MAX_ERRNO, 0] on an int hook), -1 with
 * g_err set on anything else. Only the load is asked: a program that returns the
 * same value for every task is not attached (the deny map does that per actor). */
static int lt_ret_loads(int h, int ret) {
  struct lt_insn p[2] = {LT_MOV64_K(0, ret), LT_EXIT()};
  int fd = lt_load(p, 2, LT_MODE_LSM, LT.f[h].id, LT_HOOKS[h].name, 0);
  if (fd >= 0) { close(fd); return 1; }
  if (errno == EINVAL) return 0;
  return perr("lsm_deny: a program returning %d on bpf_lsm_%s: %s", ret, LT_HOOKS[h].name, strerror(errno));
}

/* `lsm_deny step=<i> actor=<name> hook=<hook> errno=<n>` inside a scenario, or
 * `ret=<n> loads=<0|1>` for a program returning n (the model's `ret`): the load is
 * tried, and a verifier that decides otherwise than `loads` (the model's profile)
 * fails the scenario; one that loads and returns -errno denies as errno=<-n> does.
 * 0, or 1 with g_err set */
static int lt_parse_deny(struct kv *kvs, int n) {
  long long step, e = 0, ret = 0, loads = 1;
  struct kv *rk = kv_get(kvs, n, "ret");
  if (req_num(kvs, n, "step", &step, 0)) return 1;
  if (rk) {
    if (parse_num(rk->v, &ret, 0) || ret < INT32_MIN || ret > INT32_MAX) return perr("bad number ret=%.32s", rk->v);
    if (req_num(kvs, n, "loads", &loads, 0)) return 1;
  } else if (req_num(kvs, n, "errno", &e, 0)) return 1;
  const char *an = req_str(kvs, n, "actor"), *hn = an ? req_str(kvs, n, "hook") : NULL;
  if (!an || !hn) return 1;
  int a = find_actor(an), h = lt_hook_index(hn);
  if (a < 0) return perr("lsm_deny: unknown actor");
  if (h < 0 || LT_HOOKS[h].kind == LT_FREE) return perr("lsm_deny: hook '%.64s' cannot deny", hn);
  if (!rk && (e < 1 || e > LT_MAX_ERRNO)) return perr("lsm_deny: errno out of range");
  if (kv_check_used(kvs, n)) return 1;
  if (!LT.on || LT.mode != LT_MODE_LSM) return perr("lsm_deny: no BPF-LSM programs in this kernel (lsmtrace)");
  if (rk) {
    int got = lt_ret_loads(h, (int)ret);
    if (got < 0) return 1;
    if (got != (loads != 0))
      return perr("lsm_deny: the verifier %s a program returning %lld on bpf_lsm_%s; the model's profile %s it",
                  got ? "loaded" : "refused (EINVAL)", ret, LT_HOOKS[h].name, loads ? "loads" : "refuses");
    if (!got || ret == 0) return 0; /* not attached, or returning 0: nothing changes */
    if (ret < -LT_MAX_ERRNO || ret > 0) return perr("lsm_deny: a loaded program returning %lld is model-only", ret);
    e = -ret;
  }
  if (LT_ND >= LT_MAX_DENY) return perr("limit: lsm_deny (at most %d)", LT_MAX_DENY);
  LT_D[LT_ND++] = (struct lt_deny){(int)step, a, h, (int)e};
  return 0;
}

static void lt_clear(int fd, int ks) {
  uint64_t k = 0, next = 0;
  while (lt_elem(LT_BPF_MAP_GET_NEXT_KEY, fd, NULL, &next) == 0) {
    (void)ks;
    k = next;
    if (lt_elem(LT_BPF_MAP_DELETE_ELEM, fd, &k, NULL) < 0) break;
  }
}

struct lt_ev { uint32_t hook, actor; uint64_t a[3]; int64_t ret; };
#define LT_OPEN (-1000000) /* kprobe mode: the return is not there yet */

static int lt_pop(struct lt_ev *e) {
  uint8_t v[LT_EVENT_SIZE];
  if (lt_elem(LT_BPF_MAP_LOOKUP_AND_DELETE_ELEM, LT.m.queue, NULL, v) < 0) return 0;
  memcpy(&e->hook, v, 4);
  memcpy(&e->actor, v + 4, 4);
  memcpy(e->a, v + 8, 24);
  memcpy(&e->ret, v + 32, 8);
  return 1;
}

/* the scenario's objects whose create hook was recorded and no free hook yet */
#define LT_MAX_OBJ 4096
static uint64_t LT_OBJ[LT_MAX_OBJ];
static int LT_NOBJ;
static int LT_LOST; /* events not kept (table full) */

static void lt_track(const struct lt_ev *e) {
  int kind = e->hook < (uint32_t)LT_NHOOKS ? LT_HOOKS[e->hook].kind : -1;
  if (kind == LT_CREATE && e->ret == 0) {
    if (LT_NOBJ < LT_MAX_OBJ) LT_OBJ[LT_NOBJ++] = e->a[0];
  } else if (kind == LT_FREE) {
    for (int i = 0; i < LT_NOBJ; i++)
      if (LT_OBJ[i] == e->a[0]) { LT_OBJ[i] = LT_OBJ[--LT_NOBJ]; break; }
  }
}

static void lt_ev_json(struct sbuf *b, const struct lt_ev *e, int first) {
  sb_printf(b, "%s\"%s %u %llx %llx %llx %lld\"", first ? "" : ",", e->hook < (uint32_t)LT_NHOOKS ? LT_HOOKS[e->hook].name : "?",
            e->actor, (unsigned long long)e->a[0], (unsigned long long)e->a[1], (unsigned long long)e->a[2], (long long)e->ret);
}

/* leader, after the actors are ready: an empty trace state, the actors' tgids */
static void lt_scenario_start(void) {
  if (!LT.on) return;
  struct lt_ev e;
  while (lt_pop(&e)) {} /* late frees of an earlier scenario */
  lt_clear(LT.m.pids, 4);
  lt_clear(LT.m.deny, 4);
  lt_clear(LT.m.objs, 8);
  LT_NOBJ = 0;
  LT_LOST = 0;
  for (int k = 0; k < S.nactors; k++) {
    if (A[k].pid <= 0) continue; /* a fork_of actor: lt_actor_born() at its fork step */
    uint32_t key = (uint32_t)A[k].pid, val = (uint32_t)k;
    lt_elem(LT_BPF_MAP_UPDATE_ELEM, LT.m.pids, &key, &val);
  }
}

/* a fork step made actor k: its tgid is a scenario task from now on */
static void lt_actor_born(int k) {
  if (!LT.on || A[k].pid <= 0) return;
  uint32_t key = (uint32_t)A[k].pid, val = (uint32_t)k;
  lt_elem(LT_BPF_MAP_UPDATE_ELEM, LT.m.pids, &key, &val);
}

/* before step si's syscall: its bpf_lsm_deny actions (they stay for the rest of the scenario) */
static void lt_before_step(int si) {
  if (!LT.on) return;
  for (int i = 0; i < LT_ND; i++) {
    if (LT_D[i].step != si) continue;
    uint32_t key = (uint32_t)LT_DENY_KEY(LT_D[i].hook, LT_D[i].actor), val = (uint32_t)LT_D[i].err;
    lt_elem(LT_BPF_MAP_UPDATE_ELEM, LT.m.deny, &key, &val);
  }
}

/* after step si: `,"hooks":[...]` with the events of this step. drop_info: the
 * step was a successful btf_load, whose executor-side BPF_OBJ_GET_INFO_BY_FD
 * (to learn the BTF id, PROTOCOL.md) is not the scenario's: its `bpf` event
 * (cmd 15, the actor's last) is left out. */
static void lt_after_step(struct sbuf *out, int drop_info) {
  if (!LT.on) return;
  struct lt_ev ev[512];
  int n = 0;
  struct lt_ev e;
  while (lt_pop(&e)) {
    if (e.hook & LT_RET_FLAG) {
      /* a kretprobe: the result of the latest open call of that hook by that actor */
      for (int i = n - 1; i >= 0; i--)
        if (ev[i].hook == (e.hook & ~LT_RET_FLAG) && ev[i].actor == e.actor && ev[i].ret == LT_OPEN) { ev[i].ret = (int32_t)(uint32_t)e.ret; lt_track(&ev[i]); break; }
      continue;
    }
    if (LT.mode != LT_MODE_LSM && LT_HOOKS[e.hook < (uint32_t)LT_NHOOKS ? e.hook : 0].kind != LT_FREE) e.ret = LT_OPEN;
    else lt_track(&e);
    if (n < 512) ev[n++] = e;
    else LT_LOST++;
  }
  if (drop_info)
    for (int i = n - 1; i >= 0; i--)
      if (ev[i].hook == 0 && ev[i].actor && ev[i].a[0] == 15) { memmove(ev + i, ev + i + 1, (size_t)(n - i - 1) * sizeof ev[0]); n--; break; }
  sb_puts(out, ",\"hooks\":[");
  for (int i = 0; i < n; i++) lt_ev_json(out, &ev[i], i == 0);
  sb_puts(out, "]");
}

/* after the last step: the actors are killed (their fds closed, as at exit), then
 * the deferred frees are collected until every recorded object had a free hook
 * call, or 1500 ms passed (a leak); one {"scenario":n,"lsm_teardown":[...],"pending":k} line */
static void lt_teardown(void) {
  if (!LT.on) return;
  /* pid 0: a fork_of actor never forked (kill(0) would be our own process group) */
  for (int k = 0; k < S.nactors; k++) if (A[k].pid > 0) kill(A[k].pid, SIGKILL);
  for (int k = 0; k < S.nactors; k++) if (A[k].pid > 0) while (waitpid(A[k].pid, NULL, __WALL) < 0 && errno == EINTR) {}
  struct sbuf b = {0};
  sb_printf(&b, "{\"scenario\":%lld,\"lsm_teardown\":[", S.id);
  int n = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct lt_ev e;
    while (lt_pop(&e)) {
      lt_track(&e);
      lt_ev_json(&b, &e, n++ == 0);
    }
    if (LT_NOBJ == 0) break;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if ((t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000 > 1500) break;
    struct timespec d = {0, 2000000};
    nanosleep(&d, NULL);
  }
  sb_printf(&b, "],\"pending\":%d,\"lost\":%d}", LT_NOBJ, LT_LOST);
  emit(&b);
  free(b.p);
}
#endif /* !LSMTRACE_SELFTEST */

#ifdef LSMTRACE_SELFTEST
int main(int argc, char **argv) {
  if ((argc == 3 || argc == 4) && !strcmp(argv[1], "btf")) {
    size_t n = 0;
    uint8_t *b = lt_read_file(argv[2], &n);
    if (!b) { printf("error: cannot read %s\n", argv[2]); return 1; }
    struct lt_func f[LT_NHOOKS];
    int r = lt_btf_find(b, n, argc > 3 ? argv[3] : "bpf_lsm_", f);
    free(b);
    if (r < 0) { printf("error: %s\n", strerror(-r)); return 1; }
    for (int i = 0; i < LT_NHOOKS; i++) printf("%s %d %d\n", LT_HOOKS[i].name, f[i].id, f[i].nargs);
    return 0;
  }
  if ((argc == 4 || argc == 5) && !strcmp(argv[1], "asm")) {
    int h = -1;
    for (int i = 0; i < LT_NHOOKS; i++)
      if (!strcmp(LT_HOOKS[i].name, argv[2])) h = i;
    if (h < 0) { printf("error: unknown hook\n"); return 1; }
    struct lt_maps m = {11, 12, 13, 14};
    struct lt_insn p[128];
    int mode = argc > 4 && !strcmp(argv[4], "kprobe") ? LT_MODE_KPROBE : argc > 4 && !strcmp(argv[4], "kret") ? LT_MODE_KRET : LT_MODE_LSM;
    int n = lt_assemble(h, atoi(argv[3]), mode, &m, p, 128);
    for (int i = 0; i < n; i++) printf("%02x %x %x %d %d\n", p[i].code, p[i].regs & 15, p[i].regs >> 4, p[i].off, p[i].imm);
    return 0;
  }
  printf("usage: lsmtrace btf FILE [PREFIX] | asm HOOK NARGS [lsm|kprobe|kret]\n");
  return 2;
}
#endif
