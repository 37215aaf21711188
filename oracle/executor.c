// bpftc-exec: real-kernel executor for bpf-token-conformance scenarios.
// Implements the line protocol of oracle/PROTOCOL.md. Single file, libc + raw syscalls only.
//
// Process structure
//   main (long-running, child subreaper)
//     └─ leader (one per scenario, own process group, private mount namespace + tmpfs on /tmp)
//          ├─ userns creators (transient)
//          └─ actors (one process each; control socket at fd 1000)
// main kills the whole process group when the scenario ends or times out.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

/* ---------- kernel constants (defined here: distro headers are older than 6.18) ---------- */
#ifndef __x86_64__
#error "syscall numbers below are for x86_64"
#endif
#define NR_bpf 321
#define NR_open_tree 428
#define NR_move_mount 429
#define NR_fsopen 430
#define NR_fsconfig 431
#define NR_fsmount 432
#define NR_fspick 433
#define NR_pidfd_open 434
#define NR_close_range 436
#define NR_openat2 437
#define NR_fchmodat2 452

#define X_FSCONFIG_SET_FLAG 0
#define X_FSCONFIG_SET_STRING 1
#define X_FSCONFIG_CMD_CREATE 6
#define X_FSCONFIG_CMD_RECONFIGURE 7
#define X_OPEN_TREE_CLONE 1
#define X_AT_EMPTY_PATH 0x1000
#define X_MOVE_MOUNT_F_EMPTY_PATH 0x4
#define X_FSPICK_EMPTY_PATH 0x8
/* openat2(2): struct open_how and RESOLVE_* (include/uapi/linux/openat2.h) */
struct x_open_how { uint64_t flags, mode, resolve; };
#define X_RESOLVE_NO_XDEV 0x01
#define X_RESOLVE_NO_MAGICLINKS 0x02
#define X_RESOLVE_NO_SYMLINKS 0x04
#define X_RESOLVE_BENEATH 0x08
#define X_RESOLVE_SANDBOX (X_RESOLVE_BENEATH | X_RESOLVE_NO_SYMLINKS | X_RESOLVE_NO_XDEV | X_RESOLVE_NO_MAGICLINKS)

#define X_BPF_MAP_CREATE 0
#define X_BPF_PROG_LOAD 5
#define X_BPF_OBJ_GET_INFO_BY_FD 15
#define X_BPF_MAP_FREEZE 22
#define X_BPF_MAP_UPDATE_ELEM 2
#define X_BPF_MAP_DELETE_ELEM 3
#define X_BPF_BTF_LOAD 18
#define X_BPF_BTF_GET_FD_BY_ID 19
#define X_BPF_TOKEN_CREATE 36
#define X_BPF_F_TOKEN_FD (1u << 16)
#define BPF_ATTR_SIZE 168

#define X_CAP_VERSION_3 0x20080522
#define X_PR_CAP_AMBIENT 47
#define X_PR_CAP_AMBIENT_CLEAR_ALL 4

#define BPF_FS_MAGIC_X 0xcafe4a11
#define ANON_INODE_FS_MAGIC_X 0x09041934
/* The executor's own fds in an actor sit above every number a scenario can allocate
 * (RLIMIT_NOFILE at most MAX_RLIMIT_NOFILE = 4096), so the actor's fd table below them is
 * exactly the model's. main() picks the layout: 4200.. when its RLIMIT_NOFILE can be raised
 * to FD_LAYOUT_NEED, else the old 1000.. (where a scenario's 998th fd lands at 1003). */
static int g_ctl_fd = 1000, g_help_a = 1001, g_help_b = 1002, g_high_fd = 1100, g_spare_base = 1010;
#define CTL_FD g_ctl_fd     /* actor's control socket */
#define HELP_A g_help_a     /* actor's end of its helper socket pair (sandbox resolution, see SANDBOX.md) */
#define HELP_B g_help_b     /* the forked helper's end */
#define HIGH_FD g_high_fd   /* leader keeps its own fds at >= this */
#define CG_FD (g_help_b + 1) /* the scenario's cgroup v2 directory (prog_attach/_detach, link_create target_fd); closed when none */
/* the control socket of fork_of actor c, made at set-up and held by the actors that may fork
 * it (fork_spawn()): a forked child cannot place a new fd above RLIMIT_NOFILE */
#define SPARE_FD(c) (g_spare_base + (c))
#define FD_LAYOUT_NEED 4608
#define BAD_FD 999

/* scenario-level limits (oracle/SANDBOX.md "Limits"; scenario/sandbox.ts LIMITS) */
#define MAX_USERNS 32
#define MAX_DEPTH 8
#define MAX_ACTORS 32
#define MAX_STEPS 4096
#define FDA_MAX 8 /* scenario/ops.ts FD_ARRAY_MAX: the longest fd_array */
#define MAX_POLICIES 32     /* SELinux policies of one scenario */
#define MAX_LOADS 8         /* SELinux policy loads before one step */
#define MAX_HANDLES 4096
#define MAX_STRING 4096      /* any decoded value */
#define MAX_PATH_BYTES 1024  /* a path argument longer than this is refused */
#define MAX_RLIMIT_NOFILE 4096
#define MAX_PERCPU (16ULL << 20)   /* per-CPU map values of a scenario, bytes per CPU (LIMITS.percpu) */
#define LINE_MAX_LEN (1 << 20)
#define AS_LIMIT (1ULL << 30)        /* RLIMIT_AS per actor */
#define MEMCG_LIMIT (512ULL << 20)   /* memory cgroup of a scenario */
#define PIDS_LIMIT 256               /* pids cgroup of a scenario */

/* refusal reasons, exact texts (oracle/SANDBOX.md; scenario/sandbox.ts REASON) */
enum { RZ_NONE, RZ_ESCAPES, RZ_TOO_LONG, RZ_FD, RZ_FSTYPE, RZ_FDS, RZ_CHECK, RZ_MAPTYPE, RZ_COUNT };
static const char *const REASON_TEXT[RZ_COUNT] = {
  NULL,
  "path escapes the scenario",
  "path too long",
  "fd is not on a filesystem this scenario created",
  "filesystem type not allowed",
  "limit: fds",
  "sandbox check failed",
  "map type not modelled for element updates",
};

/* ---------- small helpers ---------- */
static int xsys_bpf(int cmd, void *attr, unsigned size) { return (int)syscall(NR_bpf, cmd, attr, size); }

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

static const char *errno_name(int e, char *buf, size_t n) {
  static const struct { int e; const char *n; } internal[] = {
    {512, "ERESTARTSYS"}, {513, "ERESTARTNOINTR"}, {514, "ERESTARTNOHAND"}, {515, "ENOIOCTLCMD"},
    {516, "ERESTART_RESTARTBLOCK"}, {517, "EPROBE_DEFER"}, {518, "EOPENSTALE"}, {519, "ENOPARAM"},
    {521, "EBADHANDLE"}, {522, "ENOTSYNC"}, {523, "EBADCOOKIE"}, {524, "ENOTSUPP"},
    {525, "ETOOSMALL"}, {526, "ESERVERFAULT"}, {527, "EBADTYPE"}, {528, "EJUKEBOX"},
    {529, "EIOCBQUEUED"}, {530, "ERECALLCONFLICT"},
  };
  for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++)
    if (internal[i].e == e) return internal[i].n;
  if (e == EOPNOTSUPP) return "EOPNOTSUPP";
  if (e == EAGAIN) return "EAGAIN";
  if (e == EDEADLK) return "EDEADLK";
  const char *s = strerrorname_np(e);
  if (s) return s;
  snprintf(buf, n, "E%d", e);
  return buf;
}

/* the errno whose errno_name() is `n`, or -1 */
static int errno_by_name(const char *n) {
  char b[16];
  for (int e = 1; e < 600; e++)
    if (!strcmp(errno_name(e, b, sizeof b), n)) return e;
  return -1;
}

/* JSON string escaping into a growing buffer */
struct sbuf { char *p; size_t len, cap; };
static void sb_putn(struct sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 256;
    while (b->len + n + 1 > nc) nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) _exit(101);
    b->p = np;
    b->cap = nc;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}
static void sb_puts(struct sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) { sb_putn(b, tmp, (size_t)n); return; }
  char *big = malloc((size_t)n + 1);
  if (!big) _exit(101);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_putn(b, big, (size_t)n);
  free(big);
}
static void sb_json_str(struct sbuf *b, const char *s, size_t n) {
  sb_putn(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"') sb_puts(b, "\\\"");
    else if (c == '\\') sb_puts(b, "\\\\");
    else if (c == '\n') sb_puts(b, "\\n");
    else if (c == '\t') sb_puts(b, "\\t");
    else if (c < 0x20 || c >= 0x7f) sb_printf(b, "\\u%04x", c);
    else sb_putn(b, (const char *)&c, 1);
  }
  sb_putn(b, "\"", 1);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}
/* After `batch` (PROTOCOL.md; the host driver sends it), a scenario's output lines (its
 * leader's, and main's before the leader starts) are collected in one shared mapping made by
 * main (inherited by every leader) and written by main in one write when the scenario ends,
 * before its own lines (a timeout, a death): one write and one wake-up of the driver per
 * scenario instead of one per step, the same lines in the same order. Without it every line is
 * written at once (the VM's guest: a guest that dies mid-scenario has shown its steps so far).
 * A line is appended whole (the length is published after the bytes), so a leader killed in
 * the middle leaves only whole lines; one that would not fit is written directly, after what
 * was collected (main writes nothing while a scenario runs). */
#define OUT_CAP ((size_t)8 << 20)
struct outbuf { size_t len; char data[]; };
static struct outbuf *g_out; /* NULL: every line written at once */

static void out_init(void) {
  if (g_out) return;
  void *m = mmap(NULL, OUT_CAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m != MAP_FAILED) { g_out = m; g_out->len = 0; }
}

/* writes what was collected (main after a scenario; a leader whose next line does not fit) */
static void out_flush(void) {
  if (!g_out) return;
  size_t n = __atomic_load_n(&g_out->len, __ATOMIC_ACQUIRE);
  if (n) write_all(1, g_out->data, n);
  __atomic_store_n(&g_out->len, 0, __ATOMIC_RELEASE);
}

static void emit(struct sbuf *b) { /* one line */
  sb_putn(b, "\n", 1);
  size_t cap = OUT_CAP - sizeof(struct outbuf);
  if (g_out && b->len <= cap) {
    size_t n = __atomic_load_n(&g_out->len, __ATOMIC_ACQUIRE);
    if (n + b->len > cap) { out_flush(); n = 0; }
    memcpy(g_out->data + n, b->p, b->len);
    __atomic_store_n(&g_out->len, n + b->len, __ATOMIC_RELEASE);
  } else {
    out_flush();
    write_all(1, b->p, b->len);
  }
  b->len = 0;
}

static int move_fd_high(int fd, int min) {
  int n = fcntl(fd, F_DUPFD, min);
  if (n < 0) return -1;
  close(fd);
  return n;
}

/* ---------- scenario model (parsed) ---------- */
#include "ops.gen.h" /* from scenario/ops.ts: the scenario ops, their protocol entries and named slots */

enum op {
  OP_NONE, BPFTC_SCENARIO_OPS_ENUM OP_SLEEP,
  /* test-only, enabled by BPFTC_EXEC_TEST_OPS=1 in the executor's environment (never by a scenario) */
  OP_TEST_OPEN_HOST, OP_TEST_ALLOC, OP_TEST_FORKS, OP_TEST_SYMLINK, OP_TEST_BIND_HOST,
  /* internal (leader -> actor) */
  OP_RECV_FD,
  OP_SPAWN_THREAD, /* SELinux scenarios: a thread_of actor, made by its process (see thread_spawn()) */
};

enum argkind { A_HANDLE, A_STR, A_NUM, A_HEX, A_ACTOR, A_HLIST };
struct argspec { const char *key; enum argkind kind; int slot; const char *def; };
struct opspec { const char *name; enum op op; int returns_fd; struct argspec args[10]; };

/* slots: handles h[0..2], strings s[0..2], numbers n[0..7]; the scenario ops' named in ops.gen.h */
static const struct opspec OPS[] = {
  BPFTC_SCENARIO_OPSPECS
  {"sleep", OP_SLEEP, 0, {{"ms", A_NUM, 0, NULL}}}, /* test-only */
  {"test_open_host", OP_TEST_OPEN_HOST, 1, {{"path", A_STR, 0, NULL}}},
  {"test_alloc", OP_TEST_ALLOC, 0, {{"mb", A_NUM, 0, NULL}}},
  {"test_forks", OP_TEST_FORKS, 0, {{"n", A_NUM, 0, NULL}}},
  {"test_symlink", OP_TEST_SYMLINK, 0, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, NULL}, {"target", A_STR, 1, NULL}}},
  {"test_bind_host", OP_TEST_BIND_HOST, 0, {{"dirfd", A_HANDLE, 0, "-"}, {"path", A_STR, 0, NULL}, {"src", A_STR, 1, NULL}}},
};
#define NOPS ((int)(sizeof OPS / sizeof OPS[0]))

struct userns_decl { char *name; int parent; /* -1 = init */ int depth; long long owner, base, count; };
struct actor_decl { char *name; int userns; /* -1 = init */ long long kuid; uint64_t caps; int mntns; /* -1 own, -2 init, else actor */ char *context; /* SELinux context, NULL = none */ int thread_of; /* -1, else the actor whose fd table it shares */ int fork_of; /* -1, else the actor whose fork step makes it */ int files_of; /* -1, else the actor whose fd table its fork step (clone_files) shares */ };
struct step {
  int i, actor, op, opidx, to_actor, has_perm;
  int refused; /* RZ_*: refused by the static rules (nothing is sent to the actor) */
  char *as;    /* NULL: no as= */
  char *h[3];  /* NULL: no handle (the raw value "-") */
  /* A_HLIST (prog_load fd_array): nhl handles hl[0..nhl), nhl -1: no list (NULL) */
  char *hl[FDA_MAX];
  int nhl;
  char *s[3];
  unsigned char snull[3]; /* s[k] stands for NULL (fsconfig key/value, mount data: the raw value "-") */
  long long n[8];
  /* race=close|dup2 (PROTOCOL.md "Races"): another thread of the actor runs
   * close(race_fd) / dup2(race_fd, race_to) while the step's syscall runs */
  int race_op;  /* 0 none, 1 close, 2 dup2 */
  char *race_fd, *race_to;
  long long race_n;
  int race_until; /* the outcome that ends the repetition: >= 0 ok, -errno; RACE_NO_UNTIL: run race_n times */
};
#define RACE_NO_UNTIL (-100000)
#define RACE_MAX_N 1000000
#define RACE_MAX_OUTCOMES 8

static struct {
  long long id;
  long long timeout_ms;
  unsigned long long percpu; /* per-CPU map value bytes of the steps so far (perCpuBytes()) */
  int active, bad;
  int nuserns, nactors, nsteps;
  struct userns_decl userns[MAX_USERNS];
  struct actor_decl actors[MAX_ACTORS];
  struct step steps[MAX_STEPS];
  /* SELinux (PROTOCOL.md "SELinux"): se = the scenario has a `selinux` line */
  int se, se_boot; /* se_boot: index into pol, -1 = no load at boot */
  int npol;
  struct { long long id; int enforcing; unsigned char *data; size_t len; } pol[MAX_POLICIES];
  unsigned char se_load[MAX_STEPS][MAX_LOADS]; /* 1 + index into pol of the loads before step i, in order; 0 = none */
} S;

static uint64_t g_caps_all;
static long long g_scenario_pgid = 0; /* current scenario's process group (main) */
static int g_test_ops; /* BPFTC_EXEC_TEST_OPS=1: the test-only ops are known */
static void cg_join(void);
static void cg_target_open(void);
static int cg_oom_killed(void);
static char g_cg_mem[2200], g_cg_pids[2200]; /* the current scenario's cgroups, "" = none */
static char g_cg_att[2200]; /* the current scenario's cgroup v2 attach target (CG_FD), "" = none */
static void reap_nohang(void);

/* ---------- parsing ---------- */
static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
/* decodes s[0..n); *outlen = decoded length (a %00 makes it differ from strlen) */
static char *pct_decode(const char *s, size_t n, size_t *outlen) {
  char *o = malloc(n + 1), *q = o;
  if (!o) _exit(101);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      *q++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      *q++ = s[i];
    }
  }
  *q = 0;
  if (outlen) *outlen = (size_t)(q - o);
  return o;
}

#define MAX_KV 32
struct kv {
  char *k, *v;
  int used;
  int nul;  /* the value had a NUL byte (a C string would truncate it) */
  int dash; /* the raw token value was exactly "-": absent (no handle, NULL); a literal "-" comes as %2D */
};

static int parse_num(const char *v, long long *out, int hex) {
  if (!*v) return -1;
  char *end;
  errno = 0;
  if (hex) {
    unsigned long long u = strtoull(v, &end, 16);
    if (errno || *end) return -1;
    *out = (long long)u;
    return 0;
  }
  if (v[0] == '-') {
    long long x = strtoll(v, &end, 0);
    if (errno || *end) return -1;
    *out = x;
  } else {
    unsigned long long u = strtoull(v, &end, 0);
    if (errno || *end) return -1;
    *out = (long long)u;
  }
  return 0;
}

static char g_err[512];
static int perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int perr(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_err, sizeof g_err, fmt, ap);
  va_end(ap);
  return -1;
}

static struct kv *kv_get(struct kv *kvs, int n, const char *k) {
  for (int i = 0; i < n; i++)
    if (!strcmp(kvs[i].k, k)) { kvs[i].used = 1; return &kvs[i]; }
  return NULL;
}
static int kv_check_used(struct kv *kvs, int n) {
  for (int i = 0; i < n; i++)
    if (!kvs[i].used) return perr("unknown key '%s'", kvs[i].k);
  return 0;
}
static int find_userns(const char *name) {
  if (!strcmp(name, "init")) return -1;
  for (int i = 0; i < S.nuserns; i++)
    if (!strcmp(S.userns[i].name, name)) return i;
  return -2;
}
static int find_actor(const char *name) {
  for (int i = 0; i < S.nactors; i++)
    if (!strcmp(S.actors[i].name, name)) return i;
  return -1;
}

static int req_num(struct kv *kvs, int n, const char *k, long long *out, int hex) {
  struct kv *e = kv_get(kvs, n, k);
  if (!e) return perr("missing key '%s'", k);
  if (parse_num(e->v, out, hex)) return perr("bad number %s=%s", k, e->v);
  return 0;
}
static const char *req_str(struct kv *kvs, int n, const char *k) {
  struct kv *e = kv_get(kvs, n, k);
  if (!e) { perr("missing key '%s'", k); return NULL; }
  return e->v;
}

/* Static rules of oracle/SANDBOX.md (the same as scenario/sandbox.ts): the reason a path
 * argument is refused, or RZ_NONE. `nul`: the decoded value had a NUL byte. */
static int path_refusal(const char *p, int nul) {
  if (nul || p[0] == '/') return RZ_ESCAPES;
  for (const unsigned char *c = (const unsigned char *)p; *c; c++)
    if (*c < 0x20 || *c == 0x7f) return RZ_ESCAPES;
  for (const char *c = p;;) {
    const char *e = strchr(c, '/');
    size_t len = e ? (size_t)(e - c) : strlen(c);
    if (len == 2 && c[0] == '.' && c[1] == '.') return RZ_ESCAPES;
    if (!e) break;
    c = e + 1;
  }
  if (strlen(p) > MAX_PATH_BYTES) return RZ_TOO_LONG;
  return RZ_NONE;
}

/* fsopen may create only fresh, private superblocks the model knows: bpf (anything else may share
 * a host superblock or make the kernel load a module; tmpfs/ramfs: the model has only bpffs) */
static int fs_type_allowed(const char *fs, int nul) {
  return !nul && !strcmp(fs, "bpf");
}

/* a literal fd (scenario/sandbox.ts LITERAL_FDS: "#-1", "#0", "#1", "#2"), else -2 */
static int literal_fd(const char *h) {
  if (!h) return -2;
  if (!strcmp(h, "#-1")) return -1;
  if (h[0] == '#' && h[1] >= '0' && h[1] <= '2' && !h[2]) return h[1] - '0';
  return -2;
}
static int target_name_ok(const char *t) {
  size_t n = t ? strlen(t) : 0;
  if (n < 1 || n > 32) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '-')) return 0;
  return 1;
}
static int has_target(const struct step *st) {
  return (st->op == OP_MOVE_MOUNT && !st->snull[S_MOVE_MOUNT_TARGET]) || st->op == OP_UMOUNT || st->op == OP_BIND || st->op == OP_OPEN_TARGET || st->op == OP_REMOUNT;
}
static int is_path_op(int op) { return op == OP_OPEN || op == OP_MKDIR || op == OP_OPEN_TREE || op == OP_FSPICK || op == OP_CHMOD; }
static int is_test_op(int op) {
  return op == OP_TEST_OPEN_HOST || op == OP_TEST_ALLOC || op == OP_TEST_FORKS || op == OP_TEST_SYMLINK || op == OP_TEST_BIND_HOST;
}

static int parse_step(struct kv *kvs, int n) {
  if (S.nsteps >= MAX_STEPS) return perr("limit: steps (at most %d)", MAX_STEPS);
  struct step *st = &S.steps[S.nsteps];
  memset(st, 0, sizeof *st);
  long long i;
  if (req_num(kvs, n, "i", &i, 0)) return -1;
  st->i = (int)i;
  const char *a = req_str(kvs, n, "actor");
  if (!a) return -1;
  st->actor = find_actor(a);
  if (st->actor < 0) return perr("unknown actor '%s'", a);
  const char *op = req_str(kvs, n, "op");
  if (!op) return -1;
  int k = -1;
  for (int j = 0; j < NOPS; j++)
    if (!strcmp(OPS[j].name, op)) k = j;
  if (k < 0 || (is_test_op(OPS[k].op) && !g_test_ops)) return perr("unknown op '%s'", op);
  st->op = OPS[k].op;
  st->opidx = k;
  struct kv *as = kv_get(kvs, n, "as");
  if (as && !as->dash && literal_fd(as->v) != -2) return perr("as=%s: a literal fd is no handle name", as->v);
  if (as && !as->dash) st->as = strdup(as->v);
  st->to_actor = -1;
  for (const struct argspec *ar = OPS[k].args; ar->key; ar++) {
    struct kv *e = kv_get(kvs, n, ar->key);
    const char *v = e ? e->v : ar->def;
    if (!v) return perr("op %s: missing key '%s'", op, ar->key);
    /* absent: the raw token "-" or a default "-" (a decoded "-" from %2D is a literal) */
    int absent = e ? e->dash : !strcmp(v, "-");
    switch (ar->kind) {
    case A_HANDLE: free(st->h[ar->slot]); st->h[ar->slot] = absent ? NULL : strdup(v); break;
    case A_STR:
      free(st->s[ar->slot]);
      st->s[ar->slot] = strdup(v);
      st->snull[ar->slot] = (unsigned char)absent;
      if (e && e->nul && ar->slot == S_PATH && (is_path_op(st->op) || st->op == OP_FSOPEN)) { /* S_FSOPEN_FS too */
        /* a NUL would cut the C string: a path or fs name with one is refused */
        st->refused = st->op == OP_FSOPEN ? RZ_FSTYPE : RZ_ESCAPES;
        e->nul = 0;
      }
      break;
    case A_NUM:
    case A_HEX:
      if (st->op == OP_CAPSET && ar->slot == N_CAPSET_PERMITTED && !e) { st->has_perm = 0; break; }
      if (st->op == OP_CAPSET && ar->slot == N_CAPSET_PERMITTED) st->has_perm = 1;
      if (parse_num(v, &st->n[ar->slot], ar->kind == A_HEX)) return perr("bad number %s=%s", ar->key, v);
      break;
    case A_HLIST: {
      /* the value (decoded once by split_kv) is the entries, each percent-encoded, joined by ',' */
      for (int j = 0; j < st->nhl; j++) free(st->hl[j]);
      st->nhl = 0;
      if (absent) { st->nhl = -1; break; }
      const char *p = v;
      while (*p) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (st->nhl >= FDA_MAX) return perr("limit: %s (at most %d entries)", ar->key, FDA_MAX);
        size_t dl;
        char *d = pct_decode(p, len, &dl);
        if (!dl || dl != strlen(d)) { free(d); return perr("bad %s entry (empty or with a NUL)", ar->key); }
        st->hl[st->nhl++] = d;
        if (!q) break;
        p = q + 1;
        if (!*p) return perr("bad %s (a trailing ',')", ar->key);
      }
      break;
    }
    case A_ACTOR:
      st->to_actor = find_actor(v);
      if (st->to_actor < 0) return perr("unknown actor '%s'", v);
      break;
    }
  }
  if (st->op == OP_FSCONFIG) {
    const char *c = st->s[S_FSCONFIG_CMD];
    if (!strcmp(c, "set_string")) st->n[N_FSCONFIG_CMD_NUM] = X_FSCONFIG_SET_STRING;
    else if (!strcmp(c, "set_flag")) st->n[N_FSCONFIG_CMD_NUM] = X_FSCONFIG_SET_FLAG;
    else if (!strcmp(c, "create")) st->n[N_FSCONFIG_CMD_NUM] = X_FSCONFIG_CMD_CREATE;
    else if (!strcmp(c, "reconfigure")) st->n[N_FSCONFIG_CMD_NUM] = X_FSCONFIG_CMD_RECONFIGURE;
    else return perr("bad fsconfig cmd '%s'", c);
  }
  if (st->op == OP_FORK) { /* one fork step makes a fork_of actor, by the actor it names */
    if (S.actors[st->to_actor].fork_of != st->actor) return perr("fork: child '%s' is not fork_of this actor", S.actors[st->to_actor].name);
    for (int j = 0; j < S.nsteps; j++)
      if (S.steps[j].op == OP_FORK && S.steps[j].to_actor == st->to_actor) return perr("fork: child '%s' forked twice", S.actors[st->to_actor].name);
    if (st->n[N_FORK_CLONE_FILES] != 0 && st->n[N_FORK_CLONE_FILES] != 1) return perr("bad clone_files (0 or 1)");
    if (st->n[N_FORK_CLONE_FILES]) S.actors[st->to_actor].files_of = st->actor; /* its table is this actor's (TAB()) */
  }
  if (st->op == OP_IDMAP && strcmp(st->s[S_IDMAP_MAP], "uid") && strcmp(st->s[S_IDMAP_MAP], "gid")) return perr("bad map '%s' (uid or gid)", st->s[S_IDMAP_MAP]);
  if (st->op == OP_UNSHARE || st->op == OP_SETNS) { /* the ns choice: mnt or user, nothing else */
    const char *ns = st->s[st->op == OP_UNSHARE ? S_UNSHARE_NS : S_SETNS_NS];
    if (strcmp(ns, "mnt") && strcmp(ns, "user")) return perr("bad ns '%s' (mnt or user)", ns);
  }
  /* named targets (scenario/sandbox.ts TARGET_NAME): /tmp/t-<name>, made by the leader */
  if ((st->op == OP_MOVE_MOUNT && !st->snull[S_MOVE_MOUNT_TARGET]) || st->op == OP_UMOUNT || st->op == OP_BIND || st->op == OP_OPEN_TARGET || st->op == OP_REMOUNT) {
    if (!target_name_ok(st->s[0])) { S.nsteps++; return perr("bad target name (a-z, 0-9, _, -; 1 to 32 bytes)"); }
  }
  st->race_until = RACE_NO_UNTIL;
  struct kv *rk = kv_get(kvs, n, "race");
  if (rk) {
    if (st->op != OP_TOKEN_CREATE && st->op != OP_MAP_CREATE && st->op != OP_PROG_LOAD) return perr("op %s: no race", op);
    if (!strcmp(rk->v, "close")) st->race_op = 1;
    else if (!strcmp(rk->v, "dup2")) st->race_op = 2;
    else return perr("bad race '%s'", rk->v);
    struct kv *f = kv_get(kvs, n, "race_fd"), *t = kv_get(kvs, n, "race_to"), *rn = kv_get(kvs, n, "race_n"), *ru = kv_get(kvs, n, "race_until");
    if (!f) return perr("race: missing key 'race_fd'");
    st->race_fd = f->dash ? NULL : strdup(f->v);
    st->race_to = t && !t->dash ? strdup(t->v) : NULL;
    st->race_n = 1;
    if (rn && (parse_num(rn->v, &st->race_n, 0) || st->race_n < 1 || st->race_n > RACE_MAX_N)) return perr("bad race_n (1..%d)", RACE_MAX_N);
    if (ru && !ru->dash) {
      if (!strcmp(ru->v, "ok")) st->race_until = 0;
      else {
        int e = errno_by_name(ru->v);
        if (e <= 0) return perr("bad race_until '%s'", ru->v);
        st->race_until = -e;
      }
    }
  }
  /* per-CPU map values (scenario/sandbox.ts perCpuBytes(): PERCPU_HASH, PERCPU_ARRAY,
   * LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE): no memory cgroup bounds them, a scenario-level limit */
  if (st->op == OP_MAP_CREATE && (st->n[N_MAP_CREATE_MAP_TYPE] == 5 || st->n[N_MAP_CREATE_MAP_TYPE] == 6 || st->n[N_MAP_CREATE_MAP_TYPE] == 10 || st->n[N_MAP_CREATE_MAP_TYPE] == 21)) {
    unsigned long long v = ((unsigned long long)(uint32_t)st->n[N_MAP_CREATE_VALUE_SIZE] + 7) & ~7ULL, e = (uint32_t)st->n[N_MAP_CREATE_MAX_ENTRIES];
    if (st->n[N_MAP_CREATE_VALUE_SIZE] < 0 || st->n[N_MAP_CREATE_MAX_ENTRIES] < 0 || st->n[N_MAP_CREATE_VALUE_SIZE] > 0xffffffffLL || st->n[3] > 0xffffffffLL || (e && v > MAX_PERCPU / e) ||
        (S.percpu += v * e) > MAX_PERCPU) {
      S.nsteps++;
      return perr("limit: per-CPU map values (at most %llu bytes)", MAX_PERCPU);
    }
  }
  /* the static rules of oracle/SANDBOX.md: the step is REFUSED before any syscall */
  if (!st->refused && is_path_op(st->op)) st->refused = path_refusal(st->s[S_PATH], 0);
  if (!st->refused && st->op == OP_FSOPEN && !fs_type_allowed(st->s[S_FSOPEN_FS], 0)) st->refused = RZ_FSTYPE;
  if (!st->refused && st->op == OP_RLIMIT_NOFILE && (st->n[N_RLIMIT_NOFILE_LIMIT] < 0 || st->n[N_RLIMIT_NOFILE_LIMIT] > MAX_RLIMIT_NOFILE)) st->refused = RZ_FDS;
  /* a NUL anywhere else (a name, a number, an fsconfig value) would be cut: a protocol error */
  for (int j = 0; j < n; j++)
    if (kvs[j].nul) { S.nsteps++; return perr("NUL byte in '%s'", kvs[j].k); }
  if (kv_check_used(kvs, n)) { S.nsteps++; return -1; }
  S.nsteps++;
  return 0;
}

static int parse_caps(const char *v, uint64_t *out) {
  if (!strcmp(v, "all")) { *out = g_caps_all; return 0; }
  long long x;
  if (parse_num(v, &x, 1)) return -1;
  *out = (uint64_t)x;
  return 0;
}

/* returns 0 ok, -1 error (g_err set) */
static int parse_decl(const char *kw, struct kv *kvs, int n) {
  if (strcmp(kw, "step"))
    for (int j = 0; j < n; j++)
      if (kvs[j].nul) return perr("NUL byte in '%s'", kvs[j].k);
  if (!strcmp(kw, "userns")) {
    if (S.nuserns >= MAX_USERNS) return perr("limit: userns (at most %d)", MAX_USERNS);
    struct userns_decl *u = &S.userns[S.nuserns];
    const char *name = req_str(kvs, n, "name");
    if (!name) return -1;
    if (!strcmp(name, "init") || find_userns(name) != -2) return perr("duplicate userns '%s'", name);
    const char *p = req_str(kvs, n, "parent");
    if (!p) return -1;
    u->parent = find_userns(p);
    if (u->parent == -2) return perr("unknown parent userns '%s'", p);
    u->depth = u->parent < 0 ? 1 : S.userns[u->parent].depth + 1;
    if (u->depth > MAX_DEPTH) return perr("limit: userns depth (at most %d)", MAX_DEPTH);
    if (req_num(kvs, n, "owner", &u->owner, 0) || req_num(kvs, n, "base", &u->base, 0) ||
        req_num(kvs, n, "count", &u->count, 0))
      return -1;
    if (kv_check_used(kvs, n)) return -1;
    u->name = strdup(name);
    S.nuserns++;
    return 0;
  }
  if (!strcmp(kw, "actor")) {
    if (S.nactors >= MAX_ACTORS) return perr("limit: actors (at most %d)", MAX_ACTORS);
    struct actor_decl *a = &S.actors[S.nactors];
    const char *name = req_str(kvs, n, "name");
    if (!name) return -1;
    if (find_actor(name) >= 0) return perr("duplicate actor '%s'", name);
    const char *un = req_str(kvs, n, "userns");
    if (!un) return -1;
    a->userns = find_userns(un);
    if (a->userns == -2) return perr("unknown userns '%s'", un);
    if (req_num(kvs, n, "kuid", &a->kuid, 0)) return -1;
    const char *c = req_str(kvs, n, "caps");
    if (!c) return -1;
    if (parse_caps(c, &a->caps)) return perr("bad caps '%s'", c);
    struct kv *m = kv_get(kvs, n, "mntns");
    const char *mv = m ? m->v : "own";
    if (!strcmp(mv, "own")) a->mntns = -1;
    else if (!strcmp(mv, "init")) a->mntns = -2;
    else {
      a->mntns = find_actor(mv);
      if (a->mntns < 0) return perr("unknown mntns actor '%s'", mv);
    }
    a->fork_of = -1;
    a->files_of = -1;
    struct kv *fo = kv_get(kvs, n, "fork_of");
    if (fo) {
      /* made at a fork step of that actor (fork_spawn()), not at set-up */
      a->fork_of = find_actor(fo->v);
      if (a->fork_of < 0) return perr("unknown fork_of actor '%s'", fo->v);
      if (S.actors[a->fork_of].thread_of >= 0) return perr("fork_of a thread_of actor");
    }
    if (a->mntns >= 0 && S.actors[a->mntns].fork_of >= 0) return perr("mntns of a fork_of actor");
    a->thread_of = -1;
    struct kv *th = kv_get(kvs, n, "thread_of");
    if (th) {
      a->thread_of = find_actor(th->v);
      if (a->thread_of < 0) return perr("unknown thread_of actor '%s'", th->v);
      if (S.actors[a->thread_of].thread_of >= 0) return perr("thread_of a thread_of actor");
      if (S.actors[a->thread_of].fork_of >= 0 || a->fork_of >= 0) return perr("thread_of and fork_of");
      if (S.actors[a->thread_of].userns != a->userns) return perr("thread_of: the userns of its process");
    }
    struct kv *cx = kv_get(kvs, n, "context");
    if (cx && (!*cx->v || strspn(cx->v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.,-") != strlen(cx->v)))
      return perr("bad context");
    if (kv_check_used(kvs, n)) return -1;
    a->context = cx ? strdup(cx->v) : NULL;
    a->name = strdup(name);
    S.nactors++;
    return 0;
  }
  if (!strcmp(kw, "step")) return parse_step(kvs, n);
  return perr("unknown line '%s'", kw);
}

static int split_kv(char *rest, struct kv *kvs, int *n) {
  *n = 0;
  char *save = NULL;
  for (char *t = strtok_r(rest, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
    char *eq = strchr(t, '=');
    if (!eq) return perr("malformed token '%s'", t);
    if (*n >= MAX_KV) return perr("too many keys");
    size_t kl, vl;
    kvs[*n].k = pct_decode(t, (size_t)(eq - t), &kl);
    kvs[*n].v = pct_decode(eq + 1, strlen(eq + 1), &vl);
    kvs[*n].used = 0;
    kvs[*n].nul = vl != strlen(kvs[*n].v);
    kvs[*n].dash = !strcmp(eq + 1, "-");
    (*n)++;
    if (kl != strlen(kvs[*n - 1].k)) return perr("NUL byte in a key");
    if (kl > MAX_STRING || vl > MAX_STRING) return perr("limit: string length (at most %d bytes)", MAX_STRING);
    (*n)--;
    for (int j = 0; j < *n; j++)
      if (!strcmp(kvs[j].k, kvs[*n].k)) return perr("duplicate key '%s'", kvs[*n].k);
    (*n)++;
  }
  return 0;
}
static void free_kv(struct kv *kvs, int n) {
  for (int i = 0; i < n; i++) { free(kvs[i].k); free(kvs[i].v); }
}

/* Policy blobs (PROTOCOL.md "SELinux"): main keeps the last MAX_BLOBS binary policies it was
 * sent, by the host's name for them, so that a policy is sent once per guest and as a delta
 * from one the guest holds (vm/selinux/delta.ts):
 *   blob id=<name> base=<name|-> ops=<c<off>,<len> | i<base64url>, separated by ".">
 * The host mirrors the store (first in, first out), so it knows what the guest holds. */
#define MAX_BLOBS 64
#define MAX_BLOB_BYTES (4u << 20)
static struct { char name[72]; unsigned char *d; size_t n; } g_blobs[MAX_BLOBS];
static int g_blob_next;

static int blob_find(const char *name) {
  for (int i = 0; i < MAX_BLOBS; i++)
    if (g_blobs[i].d && !strcmp(g_blobs[i].name, name)) return i;
  return -1;
}
static int b64url(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
static int parse_blob(char *rest) {
  const char *name = NULL, *base = NULL, *ops = NULL;
  char *save = NULL;
  for (char *t = strtok_r(rest, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
    if (!strncmp(t, "id=", 3)) name = t + 3;
    else if (!strncmp(t, "base=", 5)) base = t + 5;
    else if (!strncmp(t, "ops=", 4)) ops = t + 4;
    else return perr("blob: unknown key in '%.40s'", t);
  }
  if (!name || !base || !ops || !*name || strlen(name) >= sizeof g_blobs[0].name) return perr("blob needs id, base and ops");
  int b = strcmp(base, "-") ? blob_find(base) : -1;
  if (strcmp(base, "-") && b < 0) return perr("blob: unknown base '%.72s'", base);
  size_t cap = 1 << 16, n = 0;
  unsigned char *out = malloc(cap);
  if (!out) _exit(101);
  for (const char *p = ops; *p;) {
    const char *end = strchr(p, '.');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (*p == 'c') {
      unsigned long long off, cnt;
      char *q;
      off = strtoull(p + 1, &q, 16);
      if (*q != ',' || b < 0) { free(out); return perr("blob: bad copy"); }
      cnt = strtoull(q + 1, &q, 16);
      if (q != p + len || off > g_blobs[b].n || cnt > g_blobs[b].n - off) { free(out); return perr("blob: bad copy"); }
      while (n + cnt > cap) { cap *= 2; if (cap > MAX_BLOB_BYTES || !(out = realloc(out, cap))) _exit(101); }
      memcpy(out + n, g_blobs[b].d + off, cnt);
      n += cnt;
    } else if (*p == 'i') {
      unsigned acc = 0;
      int bits = 0;
      while (n + len > cap) { cap *= 2; if (cap > MAX_BLOB_BYTES || !(out = realloc(out, cap))) _exit(101); }
      for (size_t i = 1; i < len; i++) {
        int v = b64url((unsigned char)p[i]);
        if (v < 0) { free(out); return perr("blob: bad base64url"); }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; out[n++] = (unsigned char)(acc >> bits); acc &= (1u << bits) - 1; }
      }
    } else { free(out); return perr("blob: bad op"); }
    p += len;
    if (*p == '.') p++;
  }
  int k = g_blob_next;
  g_blob_next = (g_blob_next + 1) % MAX_BLOBS;
  free(g_blobs[k].d);
  snprintf(g_blobs[k].name, sizeof g_blobs[k].name, "%s", name);
  g_blobs[k].d = out;
  g_blobs[k].n = n;
  return 0;
}

/* SELinux lines of a scenario (PROTOCOL.md "SELinux"): 0, or -1 with g_err set.
 *   policy id=<n> enforcing=<0|1> data=<hex>   (a binary policy; data is not percent-encoded
 *                                               and not bound by MAX_STRING, only by the line)
 *   selinux boot=<policy id|->
 *   load step=<i> policy=<id> */
static int se_find_policy(const char *v) {
  long long id;
  if (parse_num(v, &id, 0)) return -1;
  for (int k = 0; k < S.npol; k++)
    if (S.pol[k].id == id) return k;
  return -1;
}
static int parse_se_line(const char *kw, char *rest) {
  if (!strcmp(kw, "policy")) {
    if (S.npol >= MAX_POLICIES) return perr("limit: policies (at most %d)", MAX_POLICIES);
    long long id = -1, enf = -1;
    int blobk = -1;
    const char *hex = NULL;
    size_t hexlen = 0;
    char *save = NULL;
    for (char *t = strtok_r(rest, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
      if (!strncmp(t, "id=", 3)) { if (parse_num(t + 3, &id, 0) || id < 0) return perr("bad policy id"); }
      else if (!strncmp(t, "enforcing=", 10)) { if (parse_num(t + 10, &enf, 0) || (enf != 0 && enf != 1)) return perr("bad enforcing"); }
      else if (!strncmp(t, "data=", 5)) { hex = t + 5; hexlen = strlen(hex); }
      else if (!strncmp(t, "blob=", 5)) {
        int b = blob_find(t + 5);
        if (b < 0) return perr("policy: unknown blob '%.72s'", t + 5);
        hex = "";
        hexlen = 0;
        blobk = b;
      }
      else return perr("policy: unknown key in '%.40s'", t);
    }
    if (id < 0 || enf < 0 || !hex) return perr("policy needs id, enforcing and data");
    for (int k = 0; k < S.npol; k++)
      if (S.pol[k].id == id) return perr("duplicate policy %lld", id);
    if (blobk >= 0) {
      unsigned char *d = malloc(g_blobs[blobk].n + 1);
      if (!d) _exit(101);
      memcpy(d, g_blobs[blobk].d, g_blobs[blobk].n);
      S.pol[S.npol].id = id;
      S.pol[S.npol].enforcing = (int)enf;
      S.pol[S.npol].data = d;
      S.pol[S.npol].len = g_blobs[blobk].n;
      S.npol++;
      return 0;
    }
    if (hexlen == 0 || hexlen % 2) return perr("policy data: odd or empty hex");
    unsigned char *d = malloc(hexlen / 2);
    if (!d) _exit(101);
    for (size_t i = 0; i < hexlen / 2; i++) {
      int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
      if (a < 0 || b < 0) { free(d); return perr("policy data: not hex"); }
      d[i] = (unsigned char)(a * 16 + b);
    }
    S.pol[S.npol].id = id;
    S.pol[S.npol].enforcing = (int)enf;
    S.pol[S.npol].data = d;
    S.pol[S.npol].len = hexlen / 2;
    S.npol++;
    return 0;
  }
  struct kv kvs[MAX_KV];
  int n, bad = split_kv(rest, kvs, &n);
  if (!bad && !strcmp(kw, "selinux")) {
    const char *b = req_str(kvs, n, "boot");
    struct kv *bk = kv_get(kvs, n, "boot");
    if (!b || !bk) bad = -1;
    else if (bk->dash) S.se_boot = -1;
    else if ((S.se_boot = se_find_policy(b)) < 0) bad = perr("unknown policy '%s'", b);
    if (!bad) bad = kv_check_used(kvs, n);
    if (!bad) S.se = 1;
  } else if (!bad) { /* load */
    long long i;
    const char *pv = NULL;
    if (req_num(kvs, n, "step", &i, 0)) bad = -1;
    else if (i < 0 || i >= MAX_STEPS) bad = perr("load: bad step");
    else if (!(pv = req_str(kvs, n, "policy"))) bad = -1;
    else {
      int k = se_find_policy(pv);
      if (k < 0) bad = perr("unknown policy '%s'", pv);
      else {
        int j = 0;
        while (j < MAX_LOADS && S.se_load[i][j]) j++;
        if (j == MAX_LOADS) bad = perr("limit: loads before a step (at most %d)", MAX_LOADS);
        else S.se_load[i][j] = (unsigned char)(k + 1);
      }
    }
    if (!bad) bad = kv_check_used(kvs, n);
  }
  free_kv(kvs, n);
  return bad;
}

static void reset_scenario(void) {
  for (int i = 0; i < S.nuserns; i++) free(S.userns[i].name);
  for (int i = 0; i < S.nactors; i++) { free(S.actors[i].name); free(S.actors[i].context); S.actors[i].context = NULL; }
  for (int i = 0; i < S.npol; i++) free(S.pol[i].data);
  S.npol = 0;
  S.se = 0;
  S.se_boot = -1;
  memset(S.se_load, 0, sizeof S.se_load);
  for (int i = 0; i < S.nsteps; i++) {
    struct step *st = &S.steps[i];
    free(st->as);
    for (int j = 0; j < 3; j++) { free(st->h[j]); free(st->s[j]); }
    for (int j = 0; j < st->nhl; j++) free(st->hl[j]);
    free(st->race_fd);
    free(st->race_to);
  }
  S.nuserns = S.nactors = S.nsteps = 0;
  S.percpu = 0;
  S.active = S.bad = 0;
}

/* ---------- actor side ---------- */
struct cmd {
  int op;
  int fd[3];
  int nfda;          /* prog_load fd_array: -1 NULL, else fda[0..nfda) */
  int fda[FDA_MAX];
  long long n[8];
  int slen[3]; /* -1 = NULL */
  int ndev;    /* the scenario's superblocks (st_dev), uint64_t each, follow the struct */
  int race_op, race_fd, race_to, race_until;
  long long race_n;
};
struct reply {
  int ret;       /* >= 0 or -errno */
  int refused;   /* RZ_*: the sandbox refused the step (nothing was done) */
  long long extra; /* btf id for btf_load */
  unsigned long long dev; /* fsmount / mount: st_dev of the new fd */
  int textlen;
  int pad2;
  /* a race step: iterations run, the other thread's last result, outcomes seen (ret, count) */
  long long race_iters;
  int race_thread_ret, race_nk;
  int race_ret[RACE_MAX_OUTCOMES];
  long long race_cnt[RACE_MAX_OUTCOMES];
};
#define MSG_MAX (1 << 17)

static int capget64(uint64_t *eff, uint64_t *perm, uint64_t *inh) {
  struct { uint32_t v; int pid; } h = {X_CAP_VERSION_3, 0};
  struct { uint32_t e, p, i; } d[2];
  if (syscall(SYS_capget, &h, d) < 0) return -1;
  if (eff) *eff = d[0].e | ((uint64_t)d[1].e << 32);
  if (perm) *perm = d[0].p | ((uint64_t)d[1].p << 32);
  if (inh) *inh = d[0].i | ((uint64_t)d[1].i << 32);
  return 0;
}
static int capset64(uint64_t eff, uint64_t perm, uint64_t inh) {
  struct { uint32_t v; int pid; } h = {X_CAP_VERSION_3, 0};
  struct { uint32_t e, p, i; } d[2] = {
    {(uint32_t)eff, (uint32_t)perm, (uint32_t)inh},
    {(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32)},
  };
  return (int)syscall(SYS_capset, &h, d);
}

static const uint8_t MIN_BTF[] = {
  /* btf_header: magic 0xeB9F, version 1, flags 0, hdr_len 24 */
  0x9f, 0xeb, 0x01, 0x00, 24, 0, 0, 0,
  0, 0, 0, 0, 16, 0, 0, 0, /* type_off 0, type_len 16 */
  16, 0, 0, 0, 5, 0, 0, 0, /* str_off 16, str_len 5 */
  /* type 1: INT "int" size 4, signed 32-bit */
  1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0x20, 0, 0, 0x01,
  /* strings */
  0, 'i', 'n', 't', 0,
};

static int R(long r) { return r < 0 ? -errno : (int)r; }

static int btf_id_of(int fd) {
  uint8_t info[32] = {0};
  uint8_t attr[BPF_ATTR_SIZE] = {0};
  put32(attr, 0, (uint32_t)fd);
  put32(attr, 4, sizeof info);
  put64(attr, 8, (uint64_t)(uintptr_t)info);
  if (xsys_bpf(X_BPF_OBJ_GET_INFO_BY_FD, attr, sizeof attr) < 0) return 0;
  uint32_t id;
  memcpy(&id, info + 12, 4);
  return (int)id;
}

static int lowest_free_fd(void) {
  for (int f = 3; f < CTL_FD; f++)
    if (fcntl(f, F_GETFD) < 0 && errno == EBADF) return f;
  return -EMFILE;
}

static uint8_t g_attr[8192];

/* prog_load's instructions, made once by main for every process it forks: INSNS_MAX - 1 times
 * `r0 = 0`, then `exit`, in a read-only mapping of a memfd (page cache: never copied at fork,
 * nothing zeroed or written per step). The last insn_cnt of them are exactly the step's
 * program (insn_cnt - 1 times `r0 = 0`, then `exit`); a larger insn_cnt gets its own buffer. */
#define INSNS_MAX ((1u << 20) + 1)
static const uint8_t *g_insns; /* NULL: none (each step allocates its buffer) */

static void insns_init(void) {
  size_t len = (size_t)INSNS_MAX * 8;
  int fd = (int)syscall(SYS_memfd_create, "bpftc-insns", 1u /* MFD_CLOEXEC */);
  if (fd < 0) return;
  uint8_t *w = ftruncate(fd, (off_t)len) == 0 ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  if (w != MAP_FAILED) {
    for (size_t k = 0; k + 1 < INSNS_MAX; k++) w[k * 8] = 0xb7; /* r0 = 0 */
    w[(size_t)(INSNS_MAX - 1) * 8] = 0x95;                     /* exit */
    munmap(w, len);
    void *r = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (r != MAP_FAILED) g_insns = r;
  }
  close(fd);
}

/* ---------- the sandbox, actor side (oracle/SANDBOX.md "How the executor decides") ---------- */
static const char *g_devs; /* the scenario's superblocks (uint64_t st_dev each), as sent with the current command */
static int g_ndev;

static int dev_owned(uint64_t d) {
  for (int i = 0; i < g_ndev; i++) {
    uint64_t x;
    memcpy(&x, g_devs + (size_t)i * 8, 8);
    if (x == d) return 1;
  }
  return 0;
}
#define TMPFS_MAGIC_X 0x01021994
/* a scenario's own superblocks are bpffs or (the tmpfs step) tmpfs; dev_owned() says whose */
static int scenario_fs_type(unsigned long t) { return t == BPF_FS_MAGIC_X || t == TMPFS_MAGIC_X; }

/* The dirfd/fd of a path step: on a superblock of this scenario, or an anonymous-inode file.
 * Returns RZ_NONE (allowed), -1 (not an open fd: the kernel answers EBADF itself without
 * resolving anything), or a refusal reason. Fails closed. */
static int fd_check(int fd) {
  struct stat st;
  struct statfs sf;
  if (fstat(fd, &st) < 0) return errno == EBADF ? -1 : RZ_CHECK;
  if (fstatfs(fd, &sf) < 0) return RZ_CHECK;
  unsigned long t = (unsigned long)sf.f_type;
  if (t == ANON_INODE_FS_MAGIC_X) return RZ_NONE;
  if (scenario_fs_type(t) && dev_owned((uint64_t)st.st_dev)) return RZ_NONE;
  return RZ_FD;
}

/* An object a resolution reached: a directory or regular file on a superblock of this scenario. */
static int obj_check(int fd) {
  struct stat st;
  struct statfs sf;
  if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0) return RZ_CHECK;
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return RZ_ESCAPES;
  if (!scenario_fs_type((unsigned long)sf.f_type) || !dev_owned((uint64_t)st.st_dev)) return RZ_ESCAPES;
  return RZ_NONE;
}

/* openat2() beneath dirfd: no "..", no symlinks, no mount crossing; -1 with errno */
static int open_beneath(int dirfd, const char *path, int opath) {
  struct x_open_how how = {(uint64_t)(opath ? O_PATH : O_RDONLY), 0, X_RESOLVE_SANDBOX};
  return (int)syscall(NR_openat2, dirfd, path, &how, sizeof how);
}

/* does the path have a component other than "." (i.e. does resolving it leave dirfd)? */
static int leaves_dirfd(const char *p) {
  for (const char *c = p;;) {
    while (*c == '/') c++;
    if (!*c) return 0;
    const char *e = strchr(c, '/');
    size_t len = e ? (size_t)(e - c) : strlen(c);
    if (!(len == 1 && c[0] == '.')) return 1;
    if (!e) return 0;
    c = e;
  }
}

/* mkdir's parent part and last component ("a/b/c/" -> "a/b", "c"; "c" -> ".", "c") */
static void split_last(const char *path, char *parent, size_t pn, const char **last) {
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/') len--;
  size_t i = len;
  while (i > 0 && path[i - 1] != '/') i--;
  *last = path + i; /* may keep trailing slashes: mkdirat accepts them */
  size_t plen = i;
  while (plen > 1 && path[plen - 1] == '/') plen--;
  if (plen == 0) snprintf(parent, pn, ".");
  else {
    memcpy(parent, path, plen); /* plen < len <= MAX_PATH_BYTES < pn: never truncated */
    parent[plen] = 0;
  }
}

struct helper_msg { int ret; int refused; };

static void close_all_but(int a, int b) {
  if (a > b) { int t = a; a = b; b = t; }
  if (a > 0) syscall(NR_close_range, 0, a - 1, 0);
  if (b > a + 1) syscall(NR_close_range, a + 1, b - 1, 0);
  syscall(NR_close_range, b + 1, ~0U, 0);
}

/* mkdir / open_tree / fspick with a path that leaves dirfd: a forked copy of the actor (same
 * credentials and namespaces, its own copy of the fd table, emptied but for dirfd so that the
 * actor's RLIMIT_NOFILE leaves it room) resolves the path beneath dirfd to an O_PATH fd,
 * checks it, makes the real call on that fd and passes a new fd back over HELP_B, so that it
 * lands at the actor's lowest free number (EMFILE when none: the kernel allocates it last). */
/* receive a message; *rfd = received fd or -1; *ctrunc set when an fd was dropped */
static ssize_t recv_msg(int sock, void *buf, size_t n, int *rfd, int *ctrunc);

static int helper_call(int op, int dirfd, const char *path, struct reply *rp) {
  if (strlen(path) > MAX_PATH_BYTES) { rp->refused = RZ_CHECK; return 0; } /* never here: refused statically */
  pid_t pid = fork();
  if (pid < 0) { rp->refused = RZ_CHECK; return 0; }
  if (pid == 0) {
    /* the actor's fd table has no free number below RLIMIT_NOFILE: the real
     * call below must meet the same full table (a kernel that reserves the
     * fd before the lookup says EMFILE, vm/NOTES.md) */
    struct rlimit rl;
    int full = getrlimit(RLIMIT_NOFILE, &rl) == 0;
    for (int f = 0; full && f < (int)(rl.rlim_cur < (rlim_t)CTL_FD ? rl.rlim_cur : (rlim_t)CTL_FD); f++)
      if (fcntl(f, F_GETFD) < 0 && errno == EBADF) full = 0;
    close_all_but(dirfd, HELP_B);
    struct helper_msg m = {0, RZ_NONE};
    int passfd = -1;
    char parent[MAX_PATH_BYTES + 2];
    const char *last = "";
    if (op == OP_MKDIR) split_last(path, parent, sizeof parent, &last);
    int pfd = open_beneath(dirfd, op == OP_MKDIR ? parent : path, 1);
    if (pfd < 0) {
      int e = errno;
      if (e == EXDEV || e == ELOOP) m.refused = RZ_ESCAPES;
      else if (e == EMFILE && op == OP_MKDIR) m.refused = RZ_CHECK; /* RLIMIT_NOFILE 0: cannot resolve */
      else {
        /* the real call on the path string, only to learn the kernel's errno in its order */
        if (full)
          while (fcntl(HELP_B, F_DUPFD, 0) >= 0) {}
        long r;
        if (op == OP_MKDIR) r = mkdirat(dirfd, path, 0755);
        else if (op == OP_OPEN_TREE) r = syscall(NR_open_tree, dirfd, path, X_OPEN_TREE_CLONE);
        else r = syscall(NR_fspick, dirfd, path, 0);
        if (r < 0) m.ret = -errno;
        else { /* it resolved where the beneath-resolution did not: refuse */
          if (op == OP_MKDIR) unlinkat(dirfd, path, AT_REMOVEDIR);
          else close((int)r);
          m.refused = RZ_ESCAPES;
        }
      }
    } else if ((m.refused = obj_check(pfd)) == RZ_NONE) {
      long r;
      /* open_tree / fspick allocate an fd: with the actor's table full, the real call must
       * meet a full table too, or a kernel that reserves the fd first (7.3.4 FD_ADD(), 6.12
       * before the lookup) gets past its may_mount() and the capability check shows in the
       * audit log although the actor's call could not (vm/NOTES.md: the kernel-only
       * cap_userns sys_admin record at open_tree on 7.3.4) */
      if (full && op != OP_MKDIR)
        while (fcntl(HELP_B, F_DUPFD, 0) >= 0) {}
      if (op == OP_MKDIR) r = mkdirat(pfd, last, 0755);
      else if (op == OP_OPEN_TREE) r = syscall(NR_open_tree, pfd, "", X_OPEN_TREE_CLONE | X_AT_EMPTY_PATH);
      else r = syscall(NR_fspick, pfd, "", X_FSPICK_EMPTY_PATH);
      if (r < 0) m.ret = -errno;
      else if (op != OP_MKDIR) passfd = (int)r;
    }
    struct iovec iov = {&m, sizeof m};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } u;
    struct msghdr mh = {0};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (passfd >= 0) {
      memset(&u, 0, sizeof u);
      mh.msg_control = u.buf;
      mh.msg_controllen = sizeof u.buf;
      struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
    }
    while (sendmsg(HELP_B, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
    _exit(0);
  }
  /* recvmsg installs a passed fd at the lowest free number under RLIMIT_NOFILE, or drops it
   * (MSG_CTRUNC): that is the kernel's EMFILE */
  struct helper_msg m;
  int rfd, ctrunc;
  ssize_t r = recv_msg(HELP_A, &m, sizeof m, &rfd, &ctrunc);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (r != (ssize_t)sizeof m) { if (rfd >= 0) close(rfd); rp->refused = RZ_CHECK; return 0; }
  if (m.refused) { if (rfd >= 0) close(rfd); rp->refused = m.refused; return 0; }
  if (m.ret < 0) { if (rfd >= 0) close(rfd); return m.ret; }
  if (op == OP_MKDIR) return 0;
  if (rfd >= 0) return rfd;
  return ctrunc ? -EMFILE : -EBADF;
}

static unsigned long long dev_of(int fd) {
  struct stat st;
  return fstat(fd, &st) < 0 ? 0 : (unsigned long long)st.st_dev;
}

/* issue 11 language v2, BPF objects (model/pin.ts, model/link.ts): BPF_OBJ_PIN / BPF_OBJ_GET
 * with BPF_F_PATH_FD on the step's dirfd, BPF_PROG_ATTACH / _DETACH / BPF_LINK_CREATE on the
 * scenario's cgroup (CG_FD). tail_byte sets one byte of the attr, except inside the pathname
 * pointer (bytes 0-7 of BPF_OBJ_*) and the cgroup fd (target_fd), where it is ignored. */
#define X_BPF_OBJ_PIN 6
#define X_BPF_OBJ_GET 7
#define X_BPF_PROG_ATTACH 8
#define X_BPF_PROG_DETACH 9
#define X_BPF_LINK_CREATE 28
#define X_BPF_F_PATH_FD (1U << 14)
static int bpfobj_exec(struct cmd *c, char **str, struct reply *rp) {
  uint8_t *attr = g_attr;
  long long tail = -1, size = 168;
  int cmd, lo = 0, hi = 0; /* [lo, hi): where tail_byte is ignored */
  switch (c->op) {
  case OP_OBJ_PIN:
  case OP_OBJ_GET: {
    int pin = c->op == OP_OBJ_PIN;
    int dirfd = pin ? c->fd[H_OBJ_PIN_DIRFD] : c->fd[H_OBJ_GET_DIRFD];
    int z = fd_check(dirfd);
    if (z > 0) { rp->refused = z; return 0; }
    put64(attr, 0, (uint64_t)(uintptr_t)str[pin ? S_OBJ_PIN_PATH : S_OBJ_GET_PATH]);
    put32(attr, 8, pin ? (uint32_t)c->fd[H_OBJ_PIN_FD] : 0);
    put32(attr, 12, (uint32_t)c->n[pin ? N_OBJ_PIN_FILE_FLAGS : N_OBJ_GET_FILE_FLAGS] | X_BPF_F_PATH_FD);
    put32(attr, 16, (uint32_t)dirfd);
    size = c->n[pin ? N_OBJ_PIN_SIZE : N_OBJ_GET_SIZE];
    tail = c->n[pin ? N_OBJ_PIN_TAIL_BYTE : N_OBJ_GET_TAIL_BYTE];
    cmd = pin ? X_BPF_OBJ_PIN : X_BPF_OBJ_GET;
    lo = 0; hi = 8;
    break;
  }
  case OP_PROG_ATTACH:
  case OP_PROG_DETACH: {
    if (fcntl(CG_FD, F_GETFD) < 0) { rp->refused = RZ_CHECK; return 0; }
    int att = c->op == OP_PROG_ATTACH;
    put32(attr, 0, (uint32_t)CG_FD);
    put32(attr, 4, (uint32_t)c->fd[att ? H_PROG_ATTACH_PROG : H_PROG_DETACH_PROG]);
    put32(attr, 8, (uint32_t)c->n[att ? N_PROG_ATTACH_ATTACH_TYPE : N_PROG_DETACH_ATTACH_TYPE]);
    put32(attr, 12, att ? (uint32_t)c->n[N_PROG_ATTACH_ATTACH_FLAGS] : 0);
    size = c->n[att ? N_PROG_ATTACH_SIZE : N_PROG_DETACH_SIZE];
    tail = c->n[att ? N_PROG_ATTACH_TAIL_BYTE : N_PROG_DETACH_TAIL_BYTE];
    cmd = att ? X_BPF_PROG_ATTACH : X_BPF_PROG_DETACH;
    lo = 0; hi = 4;
    break;
  }
  case OP_LINK_CREATE:
    if (fcntl(CG_FD, F_GETFD) < 0) { rp->refused = RZ_CHECK; return 0; }
    put32(attr, 0, (uint32_t)c->fd[H_LINK_CREATE_PROG]);
    put32(attr, 4, (uint32_t)CG_FD);
    put32(attr, 8, (uint32_t)c->n[N_LINK_CREATE_ATTACH_TYPE]);
    size = c->n[N_LINK_CREATE_SIZE];
    tail = c->n[N_LINK_CREATE_TAIL_BYTE];
    cmd = X_BPF_LINK_CREATE;
    lo = 4; hi = 8;
    break;
  default:
    return -EINVAL;
  }
  if (tail >= 0 && tail < (long long)sizeof g_attr && !(tail >= lo && tail < hi)) attr[tail] = 1;
  int r = R(xsys_bpf(cmd, attr, (unsigned)size));
  memset(g_attr, 0, sizeof g_attr);
  return r;
}

/* open(O_WRONLY) + one write(2) of s + close: 0 or -errno of the first that failed */
static int write_self_file(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t w = write(fd, s, strlen(s));
  int e = w < 0 ? -errno : 0;
  close(fd);
  return e;
}

static int actor_exec(struct cmd *c, char **str, struct reply *rp, struct sbuf *text) {
  uint8_t *attr = g_attr;
  memset(attr, 0, 4200);
  (void)text;
  switch (c->op) {
  case OP_FSOPEN: return R(syscall(NR_fsopen, str[S_FSOPEN_FS], (unsigned)c->n[N_FSOPEN_FLAGS]));
  case OP_FSCONFIG:
    return R(syscall(NR_fsconfig, c->fd[H_FSCONFIG_FD], (unsigned)c->n[N_FSCONFIG_CMD_NUM], str[S_FSCONFIG_KEY], str[S_FSCONFIG_VALUE], 0));
  case OP_FSMOUNT: {
    int r = R(syscall(NR_fsmount, c->fd[H_FSMOUNT_FD], 0, 0));
    if (r >= 0) rp->dev = dev_of(r);
    return r;
  }
  case OP_OPEN: {
    int z = fd_check(c->fd[H_OPEN_DIRFD]);
    if (z > 0) { rp->refused = z; return 0; }
    int r = open_beneath(c->fd[H_OPEN_DIRFD], str[S_OPEN_PATH], (int)c->n[N_OPEN_O_PATH]);
    if (r < 0) {
      if (errno == EXDEV || errno == ELOOP) { rp->refused = RZ_ESCAPES; return 0; }
      return -errno;
    }
    if ((z = obj_check(r)) != RZ_NONE) { close(r); rp->refused = z; return 0; }
    return r;
  }
  case OP_IDMAP: {
    /* language v2: the actor's own user namespace's map, through /proc/self (fixed paths;
     * the text is two numbers): model/procs.ts sys_write_idmap(). Each open takes an fd
     * for a moment (get_unused_fd_flags() before the path walk: EMFILE with a full table) */
    int gid = !strcmp(str[S_IDMAP_MAP], "gid");
    char line[64];
    snprintf(line, sizeof line, "0 %llu %llu\n", (unsigned long long)c->n[N_IDMAP_OUTSIDE], (unsigned long long)c->n[N_IDMAP_COUNT]);
    if (gid) {
      int r = write_self_file("/proc/self/setgroups", "deny");
      if (r < 0) return r;
    }
    return write_self_file(gid ? "/proc/self/gid_map" : "/proc/self/uid_map", line);
  }
  case OP_CHMOD: {
    /* the path is resolved beneath dirfd (no "..", symlinks or mount crossing) to an O_PATH fd
     * on a superblock of this scenario, and only that is changed (fchmodat2 AT_EMPTY_PATH:
     * chmod_common() on the same path; the lookup's errors are the kernel's). That fd needs a
     * free slot, which fchmodat itself does not: a full table is refused (the model too) */
    int z = fd_check(c->fd[H_CHMOD_DIRFD]);
    if (z > 0) { rp->refused = z; return 0; }
    int r = open_beneath(c->fd[H_CHMOD_DIRFD], str[S_CHMOD_PATH], 1);
    if (r < 0) {
      if (errno == EXDEV || errno == ELOOP) { rp->refused = RZ_ESCAPES; return 0; }
      if (errno == EMFILE) { rp->refused = RZ_CHECK; return 0; }
      return -errno;
    }
    if ((z = obj_check(r)) != RZ_NONE) { close(r); rp->refused = z; return 0; }
    long e = syscall(NR_fchmodat2, r, "", (unsigned)c->n[N_CHMOD_MODE], X_AT_EMPTY_PATH);
    int err = e < 0 ? -errno : 0;
    close(r);
    return err;
  }
  case OP_MKDIR: {
    int z = fd_check(c->fd[H_MKDIR_DIRFD]);
    if (z > 0) { rp->refused = z; return 0; }
    if (strlen(str[S_MKDIR_PATH]) > MAX_PATH_BYTES) { rp->refused = RZ_CHECK; return 0; } /* never here: refused statically */
    char parent[MAX_PATH_BYTES + 2];
    const char *last;
    split_last(str[S_MKDIR_PATH], parent, sizeof parent, &last);
    if (!leaves_dirfd(parent)) return R(mkdirat(c->fd[H_MKDIR_DIRFD], str[S_MKDIR_PATH], 0755)); /* the parent is dirfd itself */
    return helper_call(OP_MKDIR, c->fd[H_MKDIR_DIRFD], str[S_MKDIR_PATH], rp);
  }
  case OP_OPEN_TREE: {
    int z = fd_check(c->fd[H_OPEN_TREE_DIRFD]);
    if (z > 0) { rp->refused = z; return 0; }
    if (leaves_dirfd(str[S_OPEN_TREE_PATH])) return helper_call(OP_OPEN_TREE, c->fd[H_OPEN_TREE_DIRFD], str[S_OPEN_TREE_PATH], rp);
    return R(syscall(NR_open_tree, c->fd[H_OPEN_TREE_DIRFD], str[S_OPEN_TREE_PATH], X_OPEN_TREE_CLONE | (str[S_OPEN_TREE_PATH][0] ? 0 : X_AT_EMPTY_PATH)));
  }
  case OP_MOVE_MOUNT: {
    int z = fd_check(c->fd[H_MOVE_MOUNT_FD]);
    if (z > 0) { rp->refused = z; return 0; }
    return R(syscall(NR_move_mount, c->fd[H_MOVE_MOUNT_FD], "", AT_FDCWD, str[0], X_MOVE_MOUNT_F_EMPTY_PATH));
  }
  case OP_MOUNT: {
    if (mount("none", str[0], "bpf", 0, str[1]) < 0) return -errno;
    int r = R(open(str[0], O_RDONLY));
    if (r >= 0) rp->dev = dev_of(r);
    return r;
  }
  case OP_FSPICK: {
    int z = fd_check(c->fd[H_FSPICK_DIRFD]);
    if (z > 0) { rp->refused = z; return 0; }
    if (leaves_dirfd(str[S_FSPICK_PATH])) return helper_call(OP_FSPICK, c->fd[H_FSPICK_DIRFD], str[S_FSPICK_PATH], rp);
    return R(syscall(NR_fspick, c->fd[H_FSPICK_DIRFD], str[S_FSPICK_PATH], str[S_FSPICK_PATH][0] ? 0 : X_FSPICK_EMPTY_PATH));
  }
  case OP_TOKEN_CREATE: {
    put32(attr, 0, (uint32_t)c->n[N_TOKEN_CREATE_FLAGS]);
    put32(attr, 4, (uint32_t)c->fd[H_TOKEN_CREATE_BPFFS]);
    if (c->n[N_TOKEN_CREATE_TAIL_BYTE] >= 0 && c->n[N_TOKEN_CREATE_TAIL_BYTE] < (long long)sizeof g_attr) attr[c->n[N_TOKEN_CREATE_TAIL_BYTE]] = 1;
    int r = R(xsys_bpf(X_BPF_TOKEN_CREATE, attr, (unsigned)c->n[N_TOKEN_CREATE_SIZE]));
    memset(g_attr, 0, sizeof g_attr);
    return r;
  }
  case OP_OBJ_GET_INFO: {
    uint32_t len = (uint32_t)c->n[N_OBJ_GET_INFO_INFO_LEN];
    size_t blen = len < 32 ? 32 : len;
    if (blen > (1u << 20)) blen = 1u << 20;
    uint8_t *info = calloc(1, blen);
    if (!info) return -ENOMEM;
    put32(attr, 0, (uint32_t)c->fd[H_OBJ_GET_INFO_FD]);
    put32(attr, 4, len);
    put64(attr, 8, (uint64_t)(uintptr_t)info);
    int r = R(xsys_bpf(X_BPF_OBJ_GET_INFO_BY_FD, attr, BPF_ATTR_SIZE));
    if (r >= 0) {
      uint64_t v[4];
      memcpy(v, info, 32);
      sb_printf(text, "cmds=0x%llx,maps=0x%llx,progs=0x%llx,attachs=0x%llx", (unsigned long long)v[0],
                (unsigned long long)v[1], (unsigned long long)v[2], (unsigned long long)v[3]);
    }
    free(info);
    return r;
  }
  case OP_MAP_FREEZE:
    put32(attr, 0, (uint32_t)c->fd[H_MAP_FREEZE_FD]);
    return R(xsys_bpf(X_BPF_MAP_FREEZE, attr, BPF_ATTR_SIZE));
  case OP_MAP_UPDATE_ELEM: {
    /* key and value little-endian, zero-padded: the kernel copies key_size and value_size bytes
     * (the leader refused maps with a value above 64 KiB, map_update_refused()) */
    static uint8_t key[4096], val[65536];
    memset(key, 0, 8);
    memset(val, 0, 8);
    put32(key, 0, (uint32_t)c->n[N_MAP_UPDATE_ELEM_KEY]);
    put64(val, 0, (uint64_t)c->n[N_MAP_UPDATE_ELEM_VALUE]);
    put32(attr, 0, (uint32_t)c->fd[H_MAP_UPDATE_ELEM_FD]);
    put64(attr, 8, (uint64_t)(uintptr_t)key);
    put64(attr, 16, (uint64_t)(uintptr_t)val);
    put64(attr, 24, (uint64_t)c->n[N_MAP_UPDATE_ELEM_FLAGS]);
    return R(xsys_bpf(X_BPF_MAP_UPDATE_ELEM, attr, BPF_ATTR_SIZE));
  }
  case OP_MAP_DELETE_ELEM: {
    /* the key as for an update; attr past the key stays zero (BPF_MAP_DELETE_ELEM_LAST_FIELD key) */
    static uint8_t dkey[4096];
    put32(dkey, 0, (uint32_t)c->n[N_MAP_DELETE_ELEM_KEY]);
    put32(attr, 0, (uint32_t)c->fd[H_MAP_DELETE_ELEM_FD]);
    put64(attr, 8, (uint64_t)(uintptr_t)dkey);
    return R(xsys_bpf(X_BPF_MAP_DELETE_ELEM, attr, BPF_ATTR_SIZE));
  }
  case OP_MAP_CREATE: {
    uint32_t flags = (uint32_t)c->n[N_MAP_CREATE_MAP_FLAGS] | (c->n[N_MAP_CREATE_TOKEN_FLAG] ? X_BPF_F_TOKEN_FD : 0);
    put32(attr, 0, (uint32_t)c->n[N_MAP_CREATE_MAP_TYPE]);
    put32(attr, 4, (uint32_t)c->n[N_MAP_CREATE_KEY_SIZE]);
    put32(attr, 8, (uint32_t)c->n[N_MAP_CREATE_VALUE_SIZE]);
    put32(attr, 12, (uint32_t)c->n[N_MAP_CREATE_MAX_ENTRIES]);
    put32(attr, 16, flags);
    put64(attr, 64, (uint64_t)c->n[N_MAP_CREATE_MAP_EXTRA]);
    put32(attr, 76, (uint32_t)c->fd[H_MAP_CREATE_TOKEN]);
    return R(xsys_bpf(X_BPF_MAP_CREATE, attr, BPF_ATTR_SIZE));
  }
  case OP_PROG_LOAD: {
    uint64_t cnt = (uint64_t)c->n[N_PROG_LOAD_INSN_CNT] & 0xffffffffu;
    size_t alloc = cnt ? cnt : 1;
    if (alloc > (1u << 24)) alloc = 1u << 24;
    uint8_t *insns = NULL;
    const uint8_t *prog = g_insns && alloc <= INSNS_MAX ? g_insns + (size_t)(INSNS_MAX - alloc) * 8 : NULL;
    if (!prog) {
      insns = calloc(alloc, 8);
      if (!insns) return -ENOMEM;
      for (size_t k = 0; k + 1 < alloc; k++) insns[k * 8] = 0xb7; /* r0 = 0 */
      insns[(alloc - 1) * 8] = 0x95;                            /* exit */
      prog = insns;
    }
    static const char lic[] = "GPL";
    put32(attr, 0, (uint32_t)c->n[N_PROG_LOAD_PROG_TYPE]);
    put32(attr, 4, (uint32_t)cnt);
    put64(attr, 8, (uint64_t)(uintptr_t)prog);
    put64(attr, 16, (uint64_t)(uintptr_t)lic);
    put32(attr, 44, (uint32_t)c->n[N_PROG_LOAD_PROG_FLAGS] | (c->n[N_PROG_LOAD_TOKEN_FLAG] ? X_BPF_F_TOKEN_FD : 0));
    put32(attr, 68, (uint32_t)c->n[N_PROG_LOAD_EXPECTED_ATTACH_TYPE]);
    put32(attr, 144, (uint32_t)c->fd[H_PROG_LOAD_TOKEN]);
    /* fd_array (offset 120): the fd numbers, in this process's memory (NULL: no list);
     * fd_array_cnt (148); a race thread dup2()s over these numbers during the call */
    int fda[FDA_MAX] = {0};
    for (int j = 0; j < c->nfda && j < FDA_MAX; j++) fda[j] = c->fda[j];
    put64(attr, 120, c->nfda >= 0 ? (uint64_t)(uintptr_t)fda : 0);
    put32(attr, 148, (uint32_t)c->n[N_PROG_LOAD_FD_ARRAY_CNT]);
    int r = R(xsys_bpf(X_BPF_PROG_LOAD, attr, BPF_ATTR_SIZE));
    free(insns);
    return r;
  }
  case OP_BTF_LOAD: {
    put64(attr, 0, (uint64_t)(uintptr_t)MIN_BTF);
    put32(attr, 16, sizeof MIN_BTF);
    put32(attr, 32, (uint32_t)c->n[N_BTF_LOAD_BTF_FLAGS] | (c->n[N_BTF_LOAD_TOKEN_FLAG] ? X_BPF_F_TOKEN_FD : 0));
    put32(attr, 36, (uint32_t)c->fd[H_BTF_LOAD_TOKEN]);
    int r = R(xsys_bpf(X_BPF_BTF_LOAD, attr, BPF_ATTR_SIZE));
    if (r >= 0) rp->extra = btf_id_of(r);
    return r;
  }
  case OP_BTF_GET_FD_BY_ID: {
    put32(attr, 0, (uint32_t)c->n[N_BTF_GET_FD_BY_ID_BTF_ID]);
    put32(attr, 8, (uint32_t)c->n[N_BTF_GET_FD_BY_ID_OPEN_FLAGS] | (c->n[N_BTF_GET_FD_BY_ID_TOKEN_FLAG] ? X_BPF_F_TOKEN_FD : 0));
    put32(attr, 12, (uint32_t)c->fd[H_BTF_GET_FD_BY_ID_TOKEN]);
    return R(xsys_bpf(X_BPF_BTF_GET_FD_BY_ID, attr, BPF_ATTR_SIZE));
  }
  case OP_DUP2: {
    int nfd = c->fd[H_DUP2_TO];
    if (nfd < 0) {
      if (fcntl(c->fd[H_DUP2_FD], F_GETFD) < 0) return -errno;
      nfd = lowest_free_fd();
      if (nfd < 0) return nfd;
    }
    return R(dup2(c->fd[H_DUP2_FD], nfd));
  }
  case OP_CLOSE: return R(close(c->fd[H_CLOSE_FD]));
  case OP_CAPSET: {
    uint64_t perm, inh;
    if (capget64(NULL, &perm, &inh) < 0) return -errno;
    if (c->n[N_CAPSET_HAS_PERM]) perm = (uint64_t)c->n[N_CAPSET_PERMITTED];
    return R(capset64((uint64_t)c->n[N_CAPSET_EFFECTIVE], perm, inh));
  }
  case OP_SETEUID: return R(setresuid((uid_t)-1, (uid_t)c->n[N_SETEUID_EUID], (uid_t)-1));
  case OP_RLIMIT_NOFILE: {
    struct rlimit rl = {(rlim_t)c->n[N_RLIMIT_NOFILE_LIMIT], (rlim_t)c->n[N_RLIMIT_NOFILE_LIMIT]};
    return R(setrlimit(RLIMIT_NOFILE, &rl));
  }
  /* issue 11 language v2: the mount life cycle on named targets (model/mountlife.ts) */
  case OP_UMOUNT: return R(umount2(str[0], (int)c->n[N_UMOUNT_FLAGS]));
  case OP_BIND: {
    /* the source: an fd on a superblock of this scenario (no anon-inode file), or none at all */
    int fd = c->fd[H_BIND_SRC];
    struct stat st;
    struct statfs sf;
    if (fstat(fd, &st) == 0) {
      if (fstatfs(fd, &sf) < 0) { rp->refused = RZ_CHECK; return 0; }
      if (!scenario_fs_type((unsigned long)sf.f_type) || !dev_owned((uint64_t)st.st_dev)) { rp->refused = RZ_FD; return 0; }
    } else if (errno != EBADF) { rp->refused = RZ_CHECK; return 0; }
    char src[64];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    return R(mount(src, str[0], NULL, MS_BIND, NULL));
  }
  case OP_UNSHARE: /* ns=mnt or ns=user; any other text is refused (the validator allows no other) */
    if (str[S_UNSHARE_NS] && !strcmp(str[S_UNSHARE_NS], "mnt")) return R(unshare(CLONE_NEWNS));
    if (str[S_UNSHARE_NS] && !strcmp(str[S_UNSHARE_NS], "user")) return R(unshare(CLONE_NEWUSER));
    rp->refused = RZ_CHECK;
    return 0;
  case OP_REMOUNT: return R(mount(NULL, str[0], NULL, MS_REMOUNT | (c->n[N_REMOUNT_RO] ? MS_RDONLY : 0), NULL));
  case OP_OPEN_TARGET: {
    int r = R(open(str[0], O_RDONLY | O_DIRECTORY));
    if (r < 0) return r;
    int z = obj_check(r);
    if (z != RZ_NONE) { close(r); rp->refused = z; return 0; }
    return r;
  }
  /* issue 11 language v2: a fresh detached tmpfs, the context fd closed (model/tmpfs.ts) */
  case OP_TMPFS: {
    int fs = R(syscall(NR_fsopen, "tmpfs", 0U));
    if (fs < 0) return fs;
    int r = R(syscall(NR_fsconfig, fs, X_FSCONFIG_CMD_CREATE, NULL, NULL, 0));
    if (r >= 0) r = R(syscall(NR_fsmount, fs, 0, 0));
    close(fs);
    if (r >= 0) rp->dev = dev_of(r);
    return r;
  }
  /* issue 11 language v2, credentials: ids arrive mapped into the actor's userns (run_steps) */
  case OP_SETRESUID: return R(setresuid((uid_t)c->n[N_SETRESUID_RUID], (uid_t)c->n[N_SETRESUID_EUID], (uid_t)c->n[N_SETRESUID_SUID]));
  case OP_SETRESGID: return R(setresgid((gid_t)c->n[N_SETRESGID_RGID], (gid_t)c->n[N_SETRESGID_EGID], (gid_t)c->n[N_SETRESGID_SGID]));
  case OP_SETGROUPS: {
    gid_t g = (gid_t)c->n[N_SETGROUPS_GID];
    return R(setgroups(c->n[N_SETGROUPS_GID] == 0xffffffffLL ? 0 : 1, &g));
  }
  case OP_DROP_CAPS: {
    uint64_t eff, perm, inh;
    if (capget64(&eff, &perm, &inh) < 0) return -errno;
    uint64_t d = (uint64_t)c->n[N_DROP_CAPS_DROP];
    return R(capset64(eff & ~d, perm & ~d, inh));
  }
  case OP_KEEPCAPS: return R(prctl(PR_SET_KEEPCAPS, (unsigned long)c->n[N_KEEPCAPS_VALUE], 0UL, 0UL, 0UL));
  case OP_OBJ_PIN: case OP_OBJ_GET: case OP_PROG_ATTACH: case OP_PROG_DETACH: case OP_LINK_CREATE:
    return bpfobj_exec(c, str, rp);
  case OP_SLEEP: {
    struct timespec ts = {c->n[0] / 1000, (c->n[0] % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
    return 0;
  }
  /* test-only ops (BPFTC_EXEC_TEST_OPS=1): a host fd reaching an actor, memory, processes */
  case OP_TEST_OPEN_HOST: return R(open(str[0], O_RDONLY | O_DIRECTORY));
  case OP_TEST_SYMLINK: return R(symlinkat(str[1], c->fd[0], str[0]));
  case OP_TEST_BIND_HOST: {
    int t = (int)syscall(NR_open_tree, AT_FDCWD, str[1], X_OPEN_TREE_CLONE);
    if (t < 0) return -errno;
    int r = R(syscall(NR_move_mount, t, "", c->fd[0], str[0], X_MOVE_MOUNT_F_EMPTY_PATH));
    close(t);
    return r;
  }
  case OP_TEST_ALLOC: {
    size_t n = (size_t)c->n[0] << 20;
    char *m = malloc(n);
    if (!m) return -ENOMEM;
    volatile char *v = m; /* the stores must happen */
    for (size_t k = 0; k < n; k += 4096) v[k] = 1;
    free(m);
    return 0;
  }
  case OP_TEST_FORKS: {
    for (long long k = 0; k < c->n[0]; k++) {
      pid_t p = fork();
      if (p < 0) return -errno;
      if (p == 0) { syscall(NR_close_range, 0, ~0U, 0); pause(); _exit(0); }
    }
    return 0;
  }
  default: return -ENOSYS;
  }
}

/* ---------- races (PROTOCOL.md "Races") ----------
 * A second thread of the actor (same fd table, as the model's thread_of actor)
 * runs close(fd) or dup2(fd, to) while the step's syscall runs. The pair is
 * repeated up to race_n times, until the outcome is race_until: before each
 * repetition the raced fd number is restored from a copy kept at the top of
 * the fd table (RLIMIT_NOFILE - 1, above anything the scenario allocates
 * unless its table is full) and a new fd of the previous repetition is closed,
 * so every repetition starts from the step's state. The last repetition's
 * state is the step's result. */
static struct {
  atomic_int gen, done;
  int op, fd, to, ret;
} g_race;

static void *race_thread(void *arg) {
  (void)arg;
  int seen = 0;
  for (;;) {
    int g;
    for (unsigned spins = 0; (g = atomic_load_explicit(&g_race.gen, memory_order_acquire)) == seen; spins++)
      if (spins > 100000) sched_yield(); /* the main thread is not running: let it */
    if (g < 0) return NULL;
    seen = g;
    /* a delay that changes with the repetition sweeps the window between the
     * syscall's entry and the kernel's second look at the fd */
    for (volatile int d = 0; d < (g * 37) % 1024; d++) {}
    /* dup2 onto a handle not open here: the lowest free number >= 3, as OP_DUP2 */
    int to = g_race.to >= 0 ? g_race.to : lowest_free_fd();
    g_race.ret = g_race.op == 1 ? R(close(g_race.fd)) : to < 0 ? to : R(dup2(g_race.fd, to));
    atomic_store_explicit(&g_race.done, g, memory_order_release);
  }
}

static int race_exec(struct cmd *c, char **str, struct reply *rp, struct sbuf *text) {
  int target = c->race_op == 1 ? c->race_fd : c->race_to;
  struct rlimit rl;
  int save = -1;
  long long n = c->race_n;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 4 && fcntl(target, F_GETFD) >= 0)
    save = fcntl(target, F_DUPFD_CLOEXEC, (int)(rl.rlim_cur > 4096 ? 4096 : rl.rlim_cur) - 1);
  if (save < 0) n = 1; /* nothing to restore from: the race runs once */
  g_race.op = c->race_op;
  g_race.fd = c->race_fd;
  g_race.to = c->race_to;
  atomic_store(&g_race.gen, 0);
  atomic_store(&g_race.done, 0);
  pthread_t th;
  if (pthread_create(&th, NULL, race_thread, NULL) != 0) {
    if (save >= 0) close(save);
    return -EAGAIN;
  }
  int r = 0;
  long long i;
  for (i = 1; i <= n; i++) {
    if (i > 1) dup2(save, target);
    text->len = 0;
    atomic_store_explicit(&g_race.gen, (int)i, memory_order_release);
    r = actor_exec(c, str, rp, text);
    while (atomic_load_explicit(&g_race.done, memory_order_acquire) != (int)i) sched_yield();
    int o = r >= 0 ? 0 : r, k = 0; /* the outcome: ok or -errno */
    while (k < rp->race_nk && rp->race_ret[k] != o) k++;
    if (k == rp->race_nk && k < RACE_MAX_OUTCOMES) { rp->race_ret[k] = o; rp->race_cnt[k] = 0; rp->race_nk++; }
    if (k < RACE_MAX_OUTCOMES) rp->race_cnt[k]++;
    if (o == c->race_until || i == n) break;
    if (r >= 0) close(r);
  }
  atomic_store_explicit(&g_race.gen, -1, memory_order_release);
  pthread_join(th, NULL);
  if (save >= 0) close(save);
  rp->race_iters = i > n ? n : i;
  rp->race_thread_ret = g_race.ret;
  return r;
}

/* one fd as SCM_RIGHTS ancillary data of mh (u must outlive the sendmsg) */
union fdbuf { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; };
static void attach_fd(struct msghdr *mh, union fdbuf *u, int fd) {
  memset(u, 0, sizeof *u);
  mh->msg_control = u->buf;
  mh->msg_controllen = sizeof u->buf;
  struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

static int send_reply(int sock, struct reply *rp, const char *text, size_t tlen, int passfd) {
  rp->textlen = (int)tlen;
  struct iovec iov[2] = {{rp, sizeof *rp}, {(void *)text, tlen}};
  union fdbuf u;
  struct msghdr mh = {0};
  mh.msg_iov = iov;
  mh.msg_iovlen = tlen ? 2 : 1;
  if (passfd >= 0) attach_fd(&mh, &u, passfd);
  for (;;) {
    ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);
    if (r >= 0) return 0;
    if (errno == EINTR) continue;
    return -errno;
  }
}

/* receive a message; *rfd = received fd or -1; *ctrunc set when an fd was dropped */
static ssize_t recv_msg(int sock, void *buf, size_t n, int *rfd, int *ctrunc) {
  union { char buf[CMSG_SPACE(sizeof(int) * 4)]; struct cmsghdr a; } u;
  struct iovec iov = {buf, n};
  struct msghdr mh = {0};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = u.buf;
  mh.msg_controllen = sizeof u.buf;
  ssize_t r;
  do r = recvmsg(sock, &mh, 0); while (r < 0 && errno == EINTR);
  if (rfd) *rfd = -1;
  if (ctrunc) *ctrunc = (mh.msg_flags & MSG_CTRUNC) != 0;
  if (r < 0) return r;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      int nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      int fds[4];
      memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)(nfd > 4 ? 4 : nfd));
      for (int k = 0; k < nfd && k < 4; k++) {
        if (rfd && *rfd < 0) *rfd = fds[k];
        else close(fds[k]);
      }
    }
  }
  return r;
}

static int thread_spawn(int k);
static void __attribute__((noreturn)) actor_loop(void);
static void child_status(int sock, int e, const char *stage);
/* is c a fork_of actor below a (a's child, grandchild ...)? */
static int fork_below(int c, int a) {
  for (int x = S.actors[c].fork_of; x >= 0; x = S.actors[x].fork_of)
    if (x == a) return 1;
  return 0;
}
/* does actor a hold c's spare control socket from set-up: c is forked below it, or is a
 * thread_of it (made by it at set-up, thread_spawn(), after RLIMIT_NOFILE is down) */
static int holds_spare(int c, int a) { return fork_below(c, a) || S.actors[c].thread_of == a; }
/* A fork step (language v2) making actor ch: a plain fork of this actor (clone(CLONE_PARENT |
 * SIGCHLD): the leader is the child's parent, reaps it and is what PR_SET_PDEATHSIG watches).
 * The child's fd table is a copy of ours, the model's kernel_clone(): the scenario's fds at
 * their numbers, and above them the executor's. Its control socket is SPARE_FD(ch), which we
 * hold from set-up; it closes ours and the spares not below it, we close it and those below
 * it. The helper pair at HELP_A/HELP_B stays shared: it is used only inside one step, and the
 * leader runs one step at a time. With `share` (clone_files) the child is clone(CLONE_FILES |
 * CLONE_PARENT | SIGCHLD): one table for both, so neither closes anything (the spares and both
 * control sockets stay, above every scenario fd). Returns the new pid or -errno (in the parent). */
static int fork_spawn(int ch, int share) {
  if (ch < 0 || ch >= S.nactors || fcntl(SPARE_FD(ch), F_GETFD) < 0) return -EBADF;
  long pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD | (share ? CLONE_FILES : 0)), NULL, NULL, NULL, NULL);
  if (pid < 0) return -errno;
  if (pid > 0) {
    if (!share)
      for (int c = 0; c < S.nactors; c++)
        if (c == ch || fork_below(c, ch)) close(SPARE_FD(c));
    return (int)pid;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* cleared by fork */
  if (!share) close(CTL_FD);
  g_ctl_fd = SPARE_FD(ch);
  if (!share) /* a copy of the table: not the spares of others (nor of the parent's threads) */
    for (int c = 0; c < S.nactors; c++)
      if ((S.actors[c].fork_of >= 0 && !fork_below(c, ch) && c != ch) || S.actors[c].thread_of >= 0) close(SPARE_FD(c));
  child_status(CTL_FD, 0, "ok");
  actor_loop();
}
static void __attribute__((noreturn)) actor_loop(void) {
  static char buf[MSG_MAX];
  struct sbuf text = {0};
  for (;;) {
    int rfd, ctr;
    ssize_t n = recv_msg(CTL_FD, buf, sizeof buf, &rfd, &ctr);
    if (n <= 0) _exit(0);
    if ((size_t)n < sizeof(struct cmd)) _exit(3);
    struct cmd *c = (struct cmd *)buf;
    char *str[3];
    char *p = buf + sizeof *c;
    if (c->ndev < 0 || c->ndev > MAX_STEPS || sizeof *c + (size_t)c->ndev * 8 > (size_t)n) _exit(3);
    g_devs = p;
    g_ndev = c->ndev;
    p += (size_t)c->ndev * 8;
    for (int k = 0; k < 3; k++) {
      if (c->slen[k] < 0) { str[k] = NULL; continue; }
      str[k] = p;
      p += c->slen[k] + 1;
    }
    struct reply rp = {0};
    text.len = 0;
    if (c->op == OP_SEND_FD) {
      /* pass fd to the leader (which forwards it to the receiver) */
      if (fcntl(c->fd[H_SEND_FD_FD], F_GETFD) < 0) {
        rp.ret = -errno;
        send_reply(CTL_FD, &rp, NULL, 0, -1);
      } else {
        rp.ret = 0;
        int e = send_reply(CTL_FD, &rp, NULL, 0, c->fd[H_SEND_FD_FD]);
        if (e < 0) { rp.ret = e; send_reply(CTL_FD, &rp, NULL, 0, -1); }
      }
      continue;
    }
    if (c->op == OP_EXIT) { /* language v2: the actor's process exits (the leader reaps it) */
      rp.ret = 0;
      send_reply(CTL_FD, &rp, NULL, 0, -1);
      _exit(0);
    }
    if (c->op == OP_SETNS) { /* language v2: join the mount (n[0] 0) or user (n[0] 1) namespace behind the fd the leader sent */
      /* no fd received (SCM_RIGHTS truncated: a full fd table) is what open() of the nsfs file gives: EMFILE */
      rp.ret = rfd < 0 ? -EMFILE : R(setns(rfd, c->n[0] ? CLONE_NEWUSER : CLONE_NEWNS));
      if (rfd >= 0) close(rfd);
      send_reply(CTL_FD, &rp, NULL, 0, -1);
      continue;
    }
    if (c->op == OP_SPAWN_THREAD) {
      if (rfd >= 0) close(rfd);
      rp.ret = thread_spawn((int)c->n[0]);
      send_reply(CTL_FD, &rp, NULL, 0, -1);
      continue;
    }
    if (c->op == OP_FORK) {
      if (rfd >= 0) close(rfd);
      rp.ret = fork_spawn((int)c->n[0], c->n[1] != 0);
      send_reply(CTL_FD, &rp, NULL, 0, -1);
      continue;
    }
    if (c->op == OP_RECV_FD) {
      /* MSG_CTRUNC without an fd: scm_detach_fds() dropped it; the errno is not passed on. The fd
       * table full (RLIMIT_NOFILE) is EMFILE; with a free fd below the limit, receive_fd()'s
       * security_file_receive() refused it: EACCES, the only errno SELinux's file_has_perm() gives */
      if (rfd < 0 && ctr) {
        struct rlimit rl;
        int full = getrlimit(RLIMIT_NOFILE, &rl) < 0 || (rlim_t)lowest_free_fd() >= rl.rlim_cur;
        rp.ret = full ? -EMFILE : -EACCES;
      } else rp.ret = rfd >= 0 ? rfd : -EBADF;
      send_reply(CTL_FD, &rp, NULL, 0, -1);
      continue;
    }
    if (rfd >= 0) close(rfd);
    rp.ret = c->race_op ? race_exec(c, str, &rp, &text) : actor_exec(c, str, &rp, &text);
    send_reply(CTL_FD, &rp, text.p, text.len, -1);
  }
}

/* ---------- leader ---------- */
/* cur_userns: the leader's view of the actor's user namespace now, for the kuid arguments
 * (in_ns_id()): its declared one, USERNS_UNMAPPED after an unshare of it (no uid_map is
 * written), another actor's after a setns into it */
#define USERNS_UNMAPPED (-2)
struct actor_rt { pid_t pid; int ctl; int ready; int mntfd; int dead; /* exited (OP_EXIT) */ int cur_userns; };
static struct actor_rt A[MAX_ACTORS];
static int g_spare_child[MAX_ACTORS]; /* set-up only: the actors' ends of the fork_of actors' control sockets */
static int U_fd[MAX_USERNS];
static int g_devnull;

/* a name is bound to one fd number in a set of fd tables (bit TAB(k)): the one it was made
 * in and those forked from a table holding it (model/step.ts HandleRef.also) */
struct binding { char *name; uint32_t tabs; int fd; int btf_id; };
static struct binding B[MAX_HANDLES];
static int nB;

static struct binding *bind_find(const char *name) {
  if (!name) return NULL; /* no handle */
  for (int i = 0; i < nB; i++)
    if (!strcmp(B[i].name, name)) return &B[i];
  return NULL;
}
/* the fd table an actor uses: its own, or its process actor's (thread_of); bindings name tables */
static int TAB(int k) {
  if (k >= 0 && S.actors[k].thread_of >= 0) return S.actors[k].thread_of;
  if (k >= 0 && S.actors[k].files_of >= 0) return TAB(S.actors[k].files_of); /* a clone_files child (files_of is an earlier actor) */
  return k;
}
static int bon(const struct binding *b, int actor) { return b && ((b->tabs >> TAB(actor)) & 1u); }
static void bind_drop_fd(int actor, int fd) {
  for (int i = 0; i < nB; i++)
    if (B[i].fd == fd && bon(&B[i], actor)) {
      B[i].tabs &= ~(1u << TAB(actor));
      if (!B[i].tabs) { B[i] = B[--nB]; i--; }
    }
}
static void bind_set(const char *name, int actor, int fd, int btf_id) {
  bind_drop_fd(actor, fd);
  struct binding *b = bind_find(name);
  if (!b) {
    if (nB >= MAX_HANDLES) return;
    b = &B[nB++];
    b->name = (char *)name;
  }
  b->tabs = 1u << TAB(actor);
  b->fd = fd;
  b->btf_id = btf_id;
}
static int resolve(const char *h, int actor) {
  if (!h) return BAD_FD; /* no handle */
  int lit = literal_fd(h);
  if (lit != -2) return lit;
  struct binding *b = bind_find(h);
  if (bon(b, actor)) return b->fd;
  return BAD_FD;
}

static void __attribute__((noreturn)) leader_fail(const char *what, int e) {
  struct sbuf b = {0};
  char eb[16];
  char msg[600];
  snprintf(msg, sizeof msg, "setup: %s: %s%s", what, e ? errno_name(e, eb, sizeof eb) : "failed",
           e == EAGAIN && g_cg_pids[0] ? " (limit: processes, 256)" : e == ENOMEM && cg_oom_killed() ? " (limit: memory, 512 MiB)" : "");
  sb_printf(&b, "{\"scenario\":%lld,\"error\":", S.id);
  sb_json_str(&b, msg, strlen(msg));
  sb_puts(&b, "}");
  emit(&b);
  _exit(2);
}

static int write_file(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t w = write(fd, s, strlen(s));
  int e = w < 0 ? -errno : 0;
  close(fd);
  return e;
}

/* child -> parent status over a socket: 4-byte int (0 ok, else errno) + message */
static void child_status(int sock, int e, const char *stage) {
  char m[256];
  int n = snprintf(m, sizeof m, "%d %s", e, stage);
  if (write(sock, m, (size_t)n) < 0) {}
}
static int read_status(int sock, char *stage, size_t n) {
  char m[256];
  ssize_t r;
  do r = read(sock, m, sizeof m - 1); while (r < 0 && errno == EINTR);
  if (r <= 0) { snprintf(stage, n, "child died"); return -1; }
  m[r] = 0;
  int e = atoi(m);
  const char *sp = strchr(m, ' ');
  snprintf(stage, n, "%s", sp ? sp + 1 : "");
  return e;
}

/* the user namespaces made by unshare steps (cur_userns DYN_ID(d)): their maps as an idmap
 * step wrote them, read back from /proc/<pid>/{uid,gid}_map by the leader (init numbering);
 * a count of 0 maps nothing */
struct dyn_userns { long long ub, uc, gb, gc; };
static struct dyn_userns DYN[MAX_STEPS];
static int nDYN;
#define DYN_ID(d) (-3 - (d))
static int dyn_userns_new(void) {
  if (nDYN >= MAX_STEPS) return USERNS_UNMAPPED;
  DYN[nDYN] = (struct dyn_userns){0, 0, 0, 0};
  return DYN_ID(nDYN++);
}
static long long in_ns_id(int userns, long long kuid);
static long long in_dyn(int userns, long long kid, int gid) {
  struct dyn_userns *d = &DYN[-3 - userns];
  long long b = gid ? d->gb : d->ub, n = gid ? d->gc : d->uc;
  return kid >= b && kid < b + n ? kid - b : 4000000000LL;
}
/* kgid -> the id in userns (in_ns_id() for uids) */
static long long in_ns_gid(int userns, long long kgid) {
  if (userns <= DYN_ID(0)) return in_dyn(userns, kgid, 1);
  return in_ns_id(userns, kgid);
}

static long long in_ns_id(int userns, long long kuid) {
  if (userns == USERNS_UNMAPPED) return 4000000000LL; /* no id is mapped there */
  if (userns <= DYN_ID(0)) return in_dyn(userns, kuid, 0);
  if (userns < 0) return kuid;
  struct userns_decl *u = &S.userns[userns];
  if (kuid >= u->base && kuid < u->base + u->count) return kuid - u->base;
  return 4000000000LL; /* unmapped in this userns (never (uid_t)-1): setresuid fails with EINVAL */
}

static void create_userns(int k) {
  struct userns_decl *u = &S.userns[k];
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0) leader_fail("socketpair", errno);
  pid_t pid = fork();
  if (pid < 0) leader_fail("fork", errno);
  if (pid == 0) {
    close(sp[0]);
    const char *stage = "setgroups";
    if (setgroups(0, NULL) < 0) goto fail;
    if (u->parent >= 0) {
      stage = "setns(parent userns)";
      if (setns(U_fd[u->parent], CLONE_NEWUSER) < 0) goto fail;
    }
    long long id = in_ns_id(u->parent, u->owner);
    stage = "setresgid(owner)";
    if (setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0) goto fail;
    stage = "setresuid(owner)";
    if (setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0) goto fail;
    stage = "unshare(CLONE_NEWUSER)";
    if (unshare(CLONE_NEWUSER) < 0) goto fail;
    child_status(sp[1], 0, "ok");
    char c;
    while (read(sp[1], &c, 1) < 0 && errno == EINTR) {}
    _exit(0);
  fail:
    child_status(sp[1], errno, stage);
    _exit(1);
  }
  close(sp[1]);
  char stage[256];
  int e = read_status(sp[0], stage, sizeof stage);
  if (e) leader_fail(stage, e > 0 ? e : 0);
  char path[64], map[96];
  snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) leader_fail("open ns/user", errno);
  U_fd[k] = move_fd_high(fd, HIGH_FD);
  /* the maps must be written from the parent userns (or the new one): a helper joins it */
  long long base = u->base;
  if (u->parent >= 0) base = in_ns_id(u->parent, u->base);
  snprintf(map, sizeof map, "0 %lld %lld\n", base, u->count);
  int hp[2] = {-1, -1};
  if (u->parent >= 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, hp) < 0) leader_fail("socketpair", errno);
  pid_t helper = 0;
  if (u->parent >= 0) {
    helper = fork();
    if (helper < 0) leader_fail("fork", errno);
  }
  if (helper == 0) {
    if (u->parent >= 0 && setns(U_fd[u->parent], CLONE_NEWUSER) < 0) {
      child_status(hp[1], errno, "helper setns(parent)");
      _exit(1);
    }
    int r;
    const char *st = "setgroups deny";
    snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
    r = write_file(path, "deny");
    if (!r) { st = "uid_map"; snprintf(path, sizeof path, "/proc/%d/uid_map", pid); r = write_file(path, map); }
    if (!r) { st = "gid_map"; snprintf(path, sizeof path, "/proc/%d/gid_map", pid); r = write_file(path, map); }
    if (u->parent >= 0) { child_status(hp[1], -r, st); _exit(0); }
    if (r) leader_fail(st, -r);
  } else {
    close(hp[1]);
    e = read_status(hp[0], stage, sizeof stage);
    close(hp[0]);
    if (e) leader_fail(stage, e > 0 ? e : 0);
  }
  close(sp[0]); /* creator exits */
}

/* ---------- SELinux and audit (PROTOCOL.md "SELinux"; vm/selinux/README.md) ----------
 * Used only by scenarios with a `selinux` line (the VM oracle's guest). main loads the boot
 * policy with one write to /sys/fs/selinux/load, sets enforce, moves itself into the harness
 * domain and registers as the audit daemon (once per guest, AUDIT_SET with its own pid); the
 * leader inherits that socket, and after every step sends a marker (AUDIT_USER_AVC) and reads
 * records until the marker comes back: kauditd delivers its one queue in order, so every record
 * the step logged is in between (no sleeps, no printk ratelimit). Actors write their context
 * to /proc/self/attr/current (one write) after their userns/uid/capability set-up. */
#define SE_HARNESS "bpftc_u:bpftc_r:bpftc_harness_t"
static int g_audit = -1; /* NETLINK_AUDIT socket of main (the audit daemon), inherited by the leader */
static unsigned g_mark_seq;

/* open, one write(), close: -errno or 0 */
static int se_write1(const char *path, const void *p, size_t n) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t w = write(fd, p, n);
  int e = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
  close(fd);
  return e;
}

/* sel_write_load() with the whole binary, then sel_write_enforce() when the load succeeded */
static int se_load_policy(int k) {
  int e = se_write1("/sys/fs/selinux/load", S.pol[k].data, S.pol[k].len);
  if (e) return e;
  return se_write1("/sys/fs/selinux/enforce", S.pol[k].enforcing ? "1" : "0", 1);
}

static int se_setcon(const char *ctx) { return se_write1("/proc/self/attr/current", ctx, strlen(ctx)); }

static int audit_send(int type, const void *data, size_t len, int flags) {
  char buf[NLMSG_SPACE(sizeof(struct audit_status)) + 128];
  if (len > sizeof buf - NLMSG_HDRLEN) return -EINVAL;
  memset(buf, 0, sizeof buf);
  struct nlmsghdr *h = (struct nlmsghdr *)buf;
  h->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
  h->nlmsg_type = (uint16_t)type;
  h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
  h->nlmsg_seq = ++g_mark_seq;
  memcpy(NLMSG_DATA(h), data, len);
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(g_audit, buf, h->nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) return -errno;
  return 0;
}

/* one datagram: its type, data and data length (audit records carry nlmsg_len = payload
 * length, kernel/audit.c audit_log_end(), so the datagram length is used instead) */
static ssize_t audit_recv(char *buf, size_t n, int timeout_ms, int *type, const char **data) {
  for (;;) {
    struct pollfd pf = {g_audit, POLLIN, 0};
    int r = poll(&pf, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return -ETIMEDOUT;
    if (r < 0) return -errno;
    ssize_t got = recv(g_audit, buf, n, 0);
    if (got < 0 && (errno == EINTR || errno == ENOBUFS)) continue;
    if (got < 0) return -errno;
    if ((size_t)got < NLMSG_HDRLEN) continue;
    *type = ((struct nlmsghdr *)buf)->nlmsg_type;
    *data = buf + NLMSG_HDRLEN;
    return got - (ssize_t)NLMSG_HDRLEN;
  }
}

/* main: become the audit daemon (once) */
static int audit_open(void) {
  if (g_audit >= 0) return 0;
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (s < 0) return -errno;
  int big = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  g_audit = move_fd_high(s, HIGH_FD + 64);
  if (g_audit < 0) { close(s); return -EMFILE; }
  struct audit_status st;
  memset(&st, 0, sizeof st);
  st.mask = AUDIT_STATUS_PID | AUDIT_STATUS_BACKLOG_LIMIT;
  st.pid = (uint32_t)getpid();
  st.backlog_limit = 8192;
  int e = audit_send(AUDIT_SET, &st, sizeof st, NLM_F_ACK);
  static char buf[8192];
  while (!e) {
    int type;
    const char *d;
    ssize_t n = audit_recv(buf, sizeof buf, 5000, &type, &d);
    if (n < 0) { e = (int)n; break; }
    if (type == NLMSG_ERROR && (size_t)n >= sizeof(struct nlmsgerr)) { e = ((const struct nlmsgerr *)d)->error; break; }
  }
  if (e) { close(g_audit); g_audit = -1; }
  return e;
}

/* leader: a marker, then every record up to it; AVC records (AUDIT_AVC) go to *avc as JSON
 * strings separated by commas (avc NULL: dropped). 0, or -errno (-ETIMEDOUT: no marker in 5 s) */
static int audit_drain(struct sbuf *avc) {
  if (g_audit < 0) return 0;
  char mark[64];
  snprintf(mark, sizeof mark, "bpftc-mark-%d-%u", (int)getpid(), g_mark_seq + 1);
  int e = audit_send(AUDIT_USER_AVC, mark, strlen(mark) + 1, 0);
  if (e) return e;
  static char buf[1 << 16];
  int first = 1, resent = 0;
  for (;;) {
    int type;
    const char *d;
    ssize_t n = audit_recv(buf, sizeof buf, 5000, &type, &d);
    /* a flood (a race step repeated thousands of times) can overflow the
     * audit backlog and drop the marker with it: send it again, a few times */
    if (n == -ETIMEDOUT && resent < 5) {
      resent++;
      if ((e = audit_send(AUDIT_USER_AVC, mark, strlen(mark) + 1, 0))) return e;
      continue;
    }
    if (n < 0) return (int)n;
    if (type == NLMSG_ERROR && (size_t)n >= sizeof(struct nlmsgerr)) {
      int err = ((const struct nlmsgerr *)d)->error;
      if (err) return err; /* the marker was refused */
      continue;
    }
    size_t dl = strnlen(d, (size_t)n);
    if (type == AUDIT_USER_AVC && memmem(d, dl, mark, strlen(mark))) return 0;
    if (type == AUDIT_AVC && avc) {
      if (!first) sb_puts(avc, ",");
      first = 0;
      sb_json_str(avc, d, dl);
    }
  }
}

/* does one of the step's AVC records (JSON strings joined by ",") deny with permissive=0 */
static int avc_enforced_denial(const struct sbuf *avc) {
  if (!avc->len) return 0;
  const char *p = avc->p, *end = avc->p + avc->len;
  while (p < end) {
    const char *q = p;
    while (q + 2 < end && !(q[0] == '"' && q[1] == ',' && q[2] == '"' && (q == avc->p || q[-1] != '\\'))) q++;
    if (q + 2 >= end) q = end;
    size_t n = (size_t)(q - p);
    if (memmem(p, n, "denied", 6) && memmem(p, n, "permissive=0", 12)) return 1;
    p = q + 3;
  }
  return 0;
}

/* main, before the scenario's leader is forked: the boot policy, the harness domain, the
 * audit daemon. NULL, or what failed (with *err) */
static const char *se_main_setup(int *err) {
  if (S.se_boot >= 0) {
    int e = se_load_policy(S.se_boot);
    /* a refused boot policy (the driver sends such scenarios to a guest that never had
     * one): reported, and the scenario runs with no policy, as the model's does */
    struct sbuf b = {0};
    char eb[16];
    sb_printf(&b, "{\"scenario\":%lld,\"boot_load\":\"%s\"}", S.id, e ? errno_name(-e, eb, sizeof eb) : "ok");
    emit(&b);
    free(b.p);
    if (!e && (*err = -se_setcon(SE_HARNESS))) return "selinux harness context";
  }
  if ((*err = -audit_open())) return "audit daemon";
  return NULL;
}

/* The last set-up steps of an actor and of a thread_of actor alike: its helper socket pair
 * at HELP_A/HELP_B (an actor's own; a thread uses its process's, `helper` 0), its
 * capabilities, then (SELinux) its domain, after its userns/uid/capability set-up (one
 * write). On failure *stage names the step and errno says why. */
static int actor_last_setup(const struct actor_decl *a, const char **stage, int helper) {
  if (helper) {
    *stage = "socketpair(helper)";
    int hp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, hp) < 0) return -1;
    if (dup2(hp[0], HELP_A) < 0 || dup2(hp[1], HELP_B) < 0) return -1;
    close(hp[0]);
    close(hp[1]);
  }
  *stage = "capset";
  if (capset64(a->caps, a->caps, 0) < 0) return -1;
  if (a->context) {
    *stage = "selinux context";
    int e = se_setcon(a->context);
    if (e) { errno = -e; return -1; }
  }
  return 0;
}

/* A thread_of actor (PROTOCOL.md "Set-up semantics"): a process that shares its process
 * actor's fd table (clone(CLONE_FILES), no CLONE_VM), as the model's thread does ("shares
 * its fd table, creds stay per thread"); made by that actor at set-up, so it starts in its
 * user and mount namespaces with its creds, then takes its own uid, capabilities and context.
 * Its control socket is SPARE_FD(k), which the process actor holds from set-up (a new fd
 * cannot go above the actor's RLIMIT_NOFILE of 1024); the helper pair is the process's (used
 * inside one step only, and the leader runs one at a time). Rlimits are per process here (a
 * thread shares them) and it dies with its process (PR_SET_PDEATHSIG): the driver does not
 * send scenarios where that shows (threadUncheckable()). Returns the new pid or -errno. */
static int thread_spawn(int k) {
  if (k < 0 || k >= S.nactors || S.actors[k].thread_of < 0 || fcntl(SPARE_FD(k), F_GETFD) < 0) return -EBADF;
  long pid = syscall(SYS_clone, (unsigned long)(CLONE_FILES | SIGCHLD), NULL, NULL, NULL, NULL);
  if (pid < 0) return -errno;
  if (pid > 0) return (int)pid;
  struct actor_decl *a = &S.actors[k];
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  g_ctl_fd = SPARE_FD(k);
  const char *stage = "setresgid";
  long long id = in_ns_id(a->userns, a->kuid);
  /* the model's thread has gid = its kuid: a process without CAP_SETGID cannot give it
   * another one, which is a set-up error, never a silent difference (oracle --procs
   * --attach --seed 75) */
  if (setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0) goto fail;
  stage = "setresuid";
  prctl(PR_SET_KEEPCAPS, 1);
  if (setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0) goto fail;
  prctl(PR_SET_KEEPCAPS, 0);
  if (actor_last_setup(a, &stage, 0) < 0) goto fail;
  prctl(PR_SET_DUMPABLE, 1); /* as actor_child() */
  child_status(CTL_FD, 0, "ok");
  actor_loop();
fail:
  child_status(CTL_FD, errno, stage);
  _exit(1);
}

static void __attribute__((noreturn)) actor_child(int k, int ctl) {
  struct actor_decl *a = &S.actors[k];
  const char *stage;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  stage = "setgroups";
  if (setgroups(0, NULL) < 0) goto fail;
  if (a->mntns >= 0) {
    stage = "setns(mntns of actor)";
    if (setns(A[a->mntns].mntfd, CLONE_NEWNS) < 0) goto fail;
  }
  if (a->userns >= 0) {
    stage = "setns(userns)";
    if (setns(U_fd[a->userns], CLONE_NEWUSER) < 0) goto fail;
  }
  if (a->mntns == -1) {
    stage = "unshare(CLONE_NEWNS)";
    if (unshare(CLONE_NEWNS) < 0) goto fail;
  }
  if (chdir("/tmp") < 0) {}
  long long id = in_ns_id(a->userns, a->kuid);
  stage = "setresgid";
  if (setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0) goto fail;
  prctl(PR_SET_KEEPCAPS, 1);
  stage = "setresuid";
  if (setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0) goto fail;
  prctl(PR_SET_KEEPCAPS, 0);
  prctl(X_PR_CAP_AMBIENT, X_PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  /* the sandbox's address-space limit (oracle/SANDBOX.md "Limits") */
  stage = "setrlimit(RLIMIT_AS)";
  {
    struct rlimit rl = {AS_LIMIT, AS_LIMIT};
    if (setrlimit(RLIMIT_AS, &rl) < 0) goto fail;
  }
  if (actor_last_setup(a, &stage, 1) < 0) goto fail;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* fd table: 0,1,2 = /dev/null, control socket at CTL_FD, helper pair at HELP_A/HELP_B, nothing else */
  if (dup2(ctl, CTL_FD) < 0) _exit(4);
  for (int c = 0; c < S.nactors; c++) /* the control sockets of the actors it may fork or spawn (fork_spawn(), thread_spawn()) */
    if (g_spare_child[c] >= 0 && holds_spare(c, k) && dup2(g_spare_child[c], SPARE_FD(c)) < 0) _exit(4);
  dup2(g_devnull, 0);
  dup2(g_devnull, 1);
  dup2(g_devnull, 2);
  syscall(NR_close_range, 3, CTL_FD - 1, 0);
  syscall(NR_close_range, CG_FD + 1, g_spare_base - 1, 0); /* CG_FD stays: bpfobj_exec() */
  for (int c = 0; c < S.nactors; c++)
    if (!holds_spare(c, k)) close(SPARE_FD(c));
  syscall(NR_close_range, SPARE_FD(S.nactors), ~0U, 0);
  /* the model's fd table: RLIMIT_NOFILE soft = hard = 1024 (lowering needs no privilege), set
   * after the executor's own fds were placed above it */
  {
    struct rlimit rl = {1024, 1024};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) { child_status(CTL_FD, errno, "setrlimit(RLIMIT_NOFILE)"); _exit(1); }
  }
  /* user-dumpable, as the model's tasks start (model/cred.ts commit_creds()): the set-up's
   * setresuid made it not; /proc/self/uid_map is then its own to write (idmap) */
  prctl(PR_SET_DUMPABLE, 1);
  child_status(CTL_FD, 0, "ok");
  actor_loop();
fail:
  child_status(ctl, errno, stage);
  _exit(1);
}

static void actor_wait_ready(int k) {
  if (A[k].ready) return;
  char stage[256], msg[400];
  int e = read_status(A[k].ctl, stage, sizeof stage);
  if (e) {
    snprintf(msg, sizeof msg, "actor %s: %s", S.actors[k].name, stage);
    leader_fail(msg, e > 0 ? e : 0);
  }
  A[k].ready = 1;
}

static void step_dir(char *buf, size_t n, int stepidx) { snprintf(buf, n, "/tmp/m%d", stepidx); }

static size_t read_small(const char *path, char *buf, size_t n, int *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { *err = errno; return 0; }
  size_t len = 0;
  for (;;) {
    if (len + 1 >= n) break;
    ssize_t r = read(fd, buf + len, n - 1 - len);
    if (r < 0) { if (errno == EINTR) continue; *err = errno; close(fd); return 0; }
    if (r == 0) break;
    len += (size_t)r;
  }
  buf[len] = 0;
  close(fd);
  *err = 0;
  return len;
}

/* after a successful idmap step of actor k: its namespace's map as the kernel installed it */
static void dyn_userns_read(int k, int gid) {
  int u = A[k].cur_userns;
  if (u > DYN_ID(0)) return; /* not an unshared namespace: the write failed anyway */
  char path[64], buf[256];
  int err;
  snprintf(path, sizeof path, "/proc/%d/%s", A[k].pid, gid ? "gid_map" : "uid_map");
  read_small(path, buf, sizeof buf, &err);
  long long in = -1, out = 0, n = 0;
  if (err || sscanf(buf, "%lld %lld %lld", &in, &out, &n) != 3 || in != 0) leader_fail("read back an id map", err);
  struct dyn_userns *d = &DYN[-3 - u];
  if (gid) { d->gb = out; d->gc = n; }
  else { d->ub = out; d->uc = n; }
}

static char g_big[1 << 20];

/* leader-side ops reading /proc/<pid>/...: no fd is allocated in the actor */
static int do_token_fdinfo(int k, int fd, struct sbuf *text) {
  char path[64];
  int err;
  snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", A[k].pid, fd);
  read_small(path, g_big, sizeof g_big, &err);
  if (err) return -err;
  int any = 0;
  for (char *line = g_big; line && *line;) {
    char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    if (!strncmp(line, "allowed_", 8)) {
      if (any) sb_putn(text, "\n", 1);
      sb_putn(text, line, len);
      any = 1;
    }
    line = nl ? nl + 1 : NULL;
  }
  return any ? 0 : -ENOENT;
}
/* the scenario's superblocks: st_dev of every fsmount / mount / tmpfs result (leader) */
static uint64_t g_owned[MAX_STEPS];
static int g_nowned;
#define MOUNTINFO_REFUSED 1 /* do_mountinfo(): the fd's mount is on no superblock of the scenario */
static int do_mountinfo(int k, int fd, struct sbuf *text) {
  char path[64];
  int err;
  snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", A[k].pid, fd);
  read_small(path, g_big, 65536, &err);
  if (err) return -err;
  char *m = strstr(g_big, "mnt_id:");
  if (!m) return -ENOENT;
  long mnt = strtol(m + 7, NULL, 10);
  snprintf(path, sizeof path, "/proc/%d/mountinfo", A[k].pid);
  read_small(path, g_big, sizeof g_big, &err);
  if (err) return -err;
  char pre[32];
  int pl = snprintf(pre, sizeof pre, "%ld ", mnt);
  for (char *line = g_big; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    if (!strncmp(line, pre, (size_t)pl)) {
      char *d = strstr(line, " - ");
      if (!d) return -ENOENT;
      /* the sandbox's fd rule (SANDBOX.md): only a mount of a superblock this scenario created
       * (a literal fd 0-2 is /dev/null, on the host's devtmpfs: refused, its line is not shown) */
      unsigned maj, min;
      if (sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2) return MOUNTINFO_REFUSED;
      uint64_t dev = (uint64_t)makedev(maj, min);
      int own = 0;
      for (int j = 0; j < g_nowned; j++) own |= g_owned[j] == dev;
      if (!own) return MOUNTINFO_REFUSED;
      sb_puts(text, d + 3);
      return 0;
    }
    line = nl ? nl + 1 : NULL;
  }
  return -ENOENT;
}

static char g_msg[MSG_MAX] __attribute__((aligned(16)));

static int actor_call(int k, struct cmd *c, const char *s[3], int passfd, struct reply *rp, struct sbuf *text, int *rfd) {
  c->ndev = g_nowned;
  size_t off = sizeof *c + (size_t)g_nowned * 8;
  memcpy(g_msg + sizeof *c, g_owned, (size_t)g_nowned * 8);
  for (int j = 0; j < 3; j++) {
    if (!s[j]) { c->slen[j] = -1; continue; }
    size_t l = strlen(s[j]);
    if (off + l + 1 > sizeof g_msg) return -1;
    c->slen[j] = (int)l;
    memcpy(g_msg + off, s[j], l + 1);
    off += l + 1;
  }
  memcpy(g_msg, c, sizeof *c);
  struct iovec iov = {g_msg, off};
  union fdbuf u;
  struct msghdr mh = {0};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (passfd >= 0) attach_fd(&mh, &u, passfd);
  ssize_t w;
  do w = sendmsg(A[k].ctl, &mh, MSG_NOSIGNAL); while (w < 0 && errno == EINTR);
  if (w < 0) return -1;
  ssize_t n = recv_msg(A[k].ctl, g_big, sizeof g_big, rfd, NULL);
  if (n < (ssize_t)sizeof *rp) return -1;
  memcpy(rp, g_big, sizeof *rp);
  if (rp->textlen > 0 && (size_t)rp->textlen <= (size_t)n - sizeof *rp) sb_putn(text, g_big + sizeof *rp, (size_t)rp->textlen);
  return 0;
}

static void __attribute__((noreturn)) actor_died(int k) {
  struct sbuf b = {0};
  sb_printf(&b, "{\"scenario\":%lld,\"error\":", S.id);
  char msg[300];
  snprintf(msg, sizeof msg, "actor %s died%s", S.actors[k].name, cg_oom_killed() ? " (limit: memory, 512 MiB)" : "");
  sb_json_str(&b, msg, strlen(msg));
  sb_puts(&b, "}");
  emit(&b);
  _exit(2);
}

/* setns (language v2, model/procs.ts sys_setns_mnt): the leader opens the other actor's
 * /proc/PID/ns/mnt and sends the fd along; the actor calls setns(fd, CLONE_NEWNS) and closes it */
static long do_setns(int k, int of, const char *ns, const char *s[3], struct sbuf *text) {
  /* ns=mnt or ns=user, nothing else (fail closed: the validator allows no other text) */
  int user = ns && !strcmp(ns, "user");
  if (!user && !(ns && !strcmp(ns, "mnt"))) leader_fail("setns: unknown namespace", EINVAL);
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/ns/%s", A[of].pid, user ? "user" : "mnt");
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) leader_fail("open ns/mnt or ns/user for setns", errno);
  struct cmd c;
  memset(&c, 0, sizeof c);
  c.op = OP_SETNS;
  c.n[0] = user; /* the actor's setns() flag: CLONE_NEWUSER or CLONE_NEWNS */
  struct reply rp = {0};
  if (actor_call(k, &c, s, fd, &rp, text, NULL) < 0) actor_died(k);
  close(fd);
  return rp.ret;
}

static void emit_refused(struct sbuf *out, int stepno, int reason) {
  out->len = 0;
  sb_printf(out, "{\"scenario\":%lld,\"step\":%d,\"ret\":\"REFUSED\",\"text\":", S.id, stepno);
  const char *t = reason > RZ_NONE && reason < RZ_COUNT ? REASON_TEXT[reason] : REASON_TEXT[RZ_CHECK];
  sb_json_str(out, t, strlen(t));
  sb_puts(out, "}");
  emit(out);
}

/* BPF-LSM programs and per-step hook traces (the VM oracle): oracle/lsmtrace.c. A reproducer
 * (repro/repro.ts) embeds this file alone and defines BPFTC_NO_LSMTRACE: no tracing there. */
static void out_line(const char *s);
#ifndef BPFTC_NO_LSMTRACE
#include "lsmtrace.c"
#else
static int LT_ND;
static void lt_before_step(int si) { (void)si; }
static void lt_after_step(struct sbuf *out, int drop_info) { (void)out; (void)drop_info; }
static void lt_scenario_start(void) {}
static void lt_actor_born(int k) { (void)k; }
static void lt_teardown(void) {}
static void lt_probe(char *out, size_t n) { snprintf(out, n, "not in a reproducer"); }
static void lt_cmd_on(void) { out_line("{\"lsmtrace\":{\"ok\":false,\"error\":\"not in a reproducer\"}}"); }
static int lt_parse_deny(struct kv *kvs, int n) { (void)kvs; (void)n; return perr("lsm_deny: not in a reproducer"); }
#endif

/* map_update_elem (and map_delete_elem) of a map the model's element store does not cover (scenario/sandbox.ts
 * REASON.mapType): not an ARRAY (2) or HASH (1) map, or a value above the actor's 64 KiB
 * buffer. The leader reads the actor's /proc/<pid>/fdinfo/<fd> (no fd of the actor's is
 * used); an fd that is not open, or no map, goes to the kernel (EBADF, EINVAL) */
static int map_update_refused(int k, int fd) {
  if (fd < 0 || fd == BAD_FD || A[k].pid <= 0) return 0;
  char p[64], buf[1024];
  snprintf(p, sizeof p, "/proc/%d/fdinfo/%d", (int)A[k].pid, fd);
  int pf = open(p, O_RDONLY | O_CLOEXEC);
  if (pf < 0) return 0;
  ssize_t n = read(pf, buf, sizeof buf - 1);
  close(pf);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char *t = strstr(buf, "map_type:"), *v = strstr(buf, "value_size:");
  if (!t) return 0;
  long type = strtol(t + 9, NULL, 10), vsize = v ? strtol(v + 11, NULL, 10) : 0;
  return (type != 1 && type != 2) || vsize > 65536 || !v;
}

static void run_steps(void) {
  struct sbuf out = {0}, text = {0}, avc = {0};
  g_nowned = 0;
  for (int si = 0; si < S.nsteps; si++) {
    struct step *st = &S.steps[si];
    int k = st->actor;
    int load[MAX_LOADS], nload = 0; /* the results (0 or -errno) of the policy loads before this step */
    /* a refused step, or one of an exited actor (or to one), does nothing at all, its LSM
     * administration included, as in the model (model/run.ts performStep) */
    int inert = st->refused || A[k].dead || ((st->op == OP_SEND_FD || st->op == OP_SETNS) && st->to_actor >= 0 && A[st->to_actor].dead);
    while (S.se && !inert && nload < MAX_LOADS && S.se_load[si][nload]) {
      /* a policy_load step action: right before the step's syscall, by the harness */
      load[nload] = se_load_policy(S.se_load[si][nload] - 1);
      nload++;
      int e = audit_drain(NULL);
      if (e) leader_fail("audit marker (policy load)", -e);
    }
    if (st->refused) { emit_refused(&out, st->i, st->refused); continue; } /* static rule: nothing is done */
    lt_before_step(si);
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.op = st->op;
    for (int j = 0; j < 8; j++) c.n[j] = st->n[j];
    c.fd[0] = resolve(st->h[0], k); /* every op\'s first handle */
    if (st->op == OP_PROG_DETACH && !st->h[H_PROG_DETACH_PROG]) c.fd[H_PROG_DETACH_PROG] = 0; /* no prog: attach_bpf_fd 0, as the model */
    c.fd[H_TOKEN] = st->h[H_TOKEN] ? resolve(st->h[H_TOKEN], k) : 0;
    c.fd[2] = -1; /* H_DUP2_TO: resolved below */
    if (st->op == OP_OBJ_PIN) c.fd[H_OBJ_PIN_DIRFD] = resolve(st->h[H_OBJ_PIN_DIRFD], k); /* bpfobj_exec() */
    c.nfda = st->op == OP_PROG_LOAD ? st->nhl : -1;
    for (int j = 0; j < c.nfda; j++) c.fda[j] = resolve(st->hl[j], k); /* each as a handle: BAD_FD unless the actor's own */
    c.race_op = st->race_op;
    if (st->race_op) {
      c.race_fd = resolve(st->race_fd, k);
      struct binding *rb = bind_find(st->race_to);
      c.race_to = bon(rb, k) ? rb->fd : -1; /* as OP_DUP2's to= */
      c.race_n = st->race_n;
      c.race_until = st->race_until;
    }
    const char *s[3] = {NULL, NULL, NULL};
    char dir[64];
    int ret = 0, btf_id = 0, newfd_actor = k;
    struct reply rp = {0};
    text.len = 0;
    switch (st->op) {
    case OP_FSOPEN: s[S_FSOPEN_FS] = st->s[S_FSOPEN_FS]; break;
    case OP_UNSHARE: s[S_UNSHARE_NS] = st->s[S_UNSHARE_NS]; break;
    case OP_IDMAP: s[S_IDMAP_MAP] = st->s[S_IDMAP_MAP]; break;
    case OP_FSCONFIG:
      s[S_FSCONFIG_KEY] = st->snull[S_FSCONFIG_KEY] ? NULL : st->s[S_FSCONFIG_KEY];
      s[S_FSCONFIG_VALUE] = st->snull[S_FSCONFIG_VALUE] ? NULL : st->s[S_FSCONFIG_VALUE];
      break;
    case OP_OPEN: case OP_MKDIR: case OP_OPEN_TREE: case OP_FSPICK: case OP_TEST_OPEN_HOST: case OP_OBJ_PIN: case OP_OBJ_GET: case OP_CHMOD: s[S_PATH] = st->s[S_PATH]; break;
    case OP_TEST_SYMLINK: case OP_TEST_BIND_HOST: s[0] = st->s[0]; s[1] = st->s[1]; break;
    case OP_MOVE_MOUNT: case OP_UMOUNT: case OP_BIND: case OP_OPEN_TARGET: case OP_REMOUNT:
      if (has_target(st)) snprintf(dir, sizeof dir, "/tmp/t-%s", st->s[0]);
      else step_dir(dir, sizeof dir, si);
      s[0] = dir;
      break;
    case OP_MOUNT:
      step_dir(dir, sizeof dir, si);
      s[0] = dir; /* the message to the actor: s[0] the directory, s[1] the data */
      s[1] = st->snull[S_MOUNT_DATA] ? NULL : st->s[S_MOUNT_DATA];
      break;
    case OP_BTF_GET_FD_BY_ID: {
      struct binding *b = bind_find(st->h[H_BTF_GET_FD_BY_ID_BTF]);
      c.n[N_BTF_GET_FD_BY_ID_BTF_ID] = b ? b->btf_id : 0;
      break;
    }
    case OP_DUP2: {
      struct binding *b = bind_find(st->h[H_DUP2_TO]);
      c.fd[H_DUP2_TO] = bon(b, k) ? b->fd : -1;
      break;
    }
    case OP_CAPSET: c.n[N_CAPSET_HAS_PERM] = st->has_perm; break;
    case OP_SETEUID: c.n[N_SETEUID_EUID] = in_ns_id(A[k].cur_userns, st->n[N_SETEUID_EUID]); break;
    case OP_SETRESUID: case OP_SETRESGID: case OP_SETGROUPS:
      /* kuids/kgids into the actor's userns (a declared one's gid map is its uid map, an
       * unshared one's is what an idmap step wrote); (uid_t)-1 stays -1 */
      for (int j = 0; j < 3; j++)
        if (c.n[j] != 0xffffffffLL) c.n[j] = st->op == OP_SETRESUID ? in_ns_id(A[k].cur_userns, st->n[j]) : in_ns_gid(A[k].cur_userns, st->n[j]);
      break;
    default: break;
    }
    if (A[k].dead || ((st->op == OP_SEND_FD || st->op == OP_SETNS) && st->to_actor >= 0 && A[st->to_actor].dead)) {
      ret = -ESRCH; /* an exited actor (model/procs.ts): nothing is done */
    } else if ((st->op == OP_MAP_UPDATE_ELEM && map_update_refused(k, c.fd[H_MAP_UPDATE_ELEM_FD])) ||
               (st->op == OP_MAP_DELETE_ELEM && map_update_refused(k, c.fd[H_MAP_DELETE_ELEM_FD]))) {
      emit_refused(&out, st->i, RZ_MAPTYPE);
      continue;
    } else if (st->op == OP_EXIT) {
      if (actor_call(k, &c, s, -1, &rp, &text, NULL) < 0) actor_died(k);
      int ws;
      while (waitpid(A[k].pid, &ws, 0) < 0 && errno == EINTR) {}
      A[k].dead = 1;
      close(A[k].ctl);
      A[k].ctl = -1;
      ret = 0;
      /* its fd table is gone unless another live actor shares it (thread_of) */
      int shared = 0;
      for (int j = 0; j < S.nactors; j++) shared |= j != k && !A[j].dead && TAB(j) == TAB(k);
      if (!shared)
        for (int i = 0; i < nB; i++)
          if (bon(&B[i], k)) {
            B[i].tabs &= ~(1u << TAB(k));
            if (!B[i].tabs) { B[i] = B[--nB]; i--; }
          }
    } else if (st->op == OP_FORK) {
      /* made by its parent (fork_spawn()) with the socket made for it at set-up */
      int ch = st->to_actor;
      int share = (int)st->n[N_FORK_CLONE_FILES];
      c.n[0] = ch;
      c.n[1] = share;
      if (actor_call(k, &c, s, -1, &rp, &text, NULL) < 0) actor_died(k);
      ret = rp.ret;
      if (ret > 0) {
        A[ch].pid = ret;
        A[ch].dead = 0;
        A[ch].ready = 0;
        A[ch].mntfd = -1;
        A[ch].cur_userns = A[k].cur_userns;
        actor_wait_ready(ch);
        /* every name bound in the parent's table is bound in the copy (model/step.ts forkHandles());
         * a clone_files child's table is the parent's (TAB(ch) == TAB(k)) */
        if (!share)
          for (int i = 0; i < nB; i++)
            if (bon(&B[i], k)) B[i].tabs |= 1u << TAB(ch);
        lt_actor_born(ch);
        ret = 0;
      }
    } else if (st->op == OP_SETNS) {
      ret = do_setns(k, st->to_actor, st->s[S_SETNS_NS], s, &text);
      if (ret == 0 && !strcmp(st->s[S_SETNS_NS], "user")) A[k].cur_userns = A[st->to_actor].cur_userns;
    } else if (st->op == OP_TOKEN_FDINFO) {
      ret = do_token_fdinfo(k, c.fd[H_TOKEN_FDINFO_FD], &text);
    } else if (st->op == OP_MOUNTINFO) {
      ret = do_mountinfo(k, c.fd[H_MOUNTINFO_FD], &text);
      if (ret == MOUNTINFO_REFUSED) { emit_refused(&out, st->i, RZ_FD); continue; }
    } else if (st->op == OP_SEND_FD) {
      int rfd = -1;
      if (actor_call(k, &c, s, -1, &rp, &text, &rfd) < 0) actor_died(k);
      ret = rp.ret;
      if (ret >= 0 && rfd >= 0) {
        struct cmd rc;
        memset(&rc, 0, sizeof rc);
        rc.op = OP_RECV_FD;
        const char *ns[3] = {NULL, NULL, NULL};
        struct reply rr = {0};
        if (actor_call(st->to_actor, &rc, ns, rfd, &rr, &text, NULL) < 0) actor_died(st->to_actor);
        close(rfd);
        ret = rr.ret;
        newfd_actor = st->to_actor;
        struct binding *b = bind_find(st->h[H_SEND_FD_FD]);
        if (bon(b, k)) btf_id = b->btf_id;
      } else if (ret >= 0) {
        ret = -EBADF;
      }
    } else {
      if (actor_call(k, &c, s, -1, &rp, &text, NULL) < 0) actor_died(k);
      ret = rp.ret;
      if (rp.refused) { emit_refused(&out, st->i, rp.refused); continue; } /* runtime rule: nothing was done */
      if (ret == 0 && st->op == OP_UNSHARE && !strcmp(st->s[S_UNSHARE_NS], "user")) A[k].cur_userns = dyn_userns_new();
      if (ret == 0 && st->op == OP_IDMAP) dyn_userns_read(k, !strcmp(st->s[S_IDMAP_MAP], "gid"));
      if (ret == 0 && st->op == OP_RLIMIT_NOFILE) {
        /* a thread shares its process's rlimits (signal_struct; the model's Task.rlim): the
         * executor's thread_of actors are processes, so each other member of the group sets
         * the new limit too (not a clone_files child: a process). It succeeded here, so it is
         * at most the group's common hard limit (nobody has CAP_SYS_RESOURCE): no privilege
         * is needed, and a failure is the executor's, not the scenario's */
        int g = S.actors[k].thread_of >= 0 ? S.actors[k].thread_of : k;
        for (int j = 0; j < S.nactors; j++) {
          int gj = S.actors[j].thread_of >= 0 ? S.actors[j].thread_of : j;
          if (j == k || gj != g || A[j].dead || A[j].pid <= 0) continue;
          struct cmd rc;
          memset(&rc, 0, sizeof rc);
          rc.op = OP_RLIMIT_NOFILE;
          rc.n[N_RLIMIT_NOFILE_LIMIT] = st->n[N_RLIMIT_NOFILE_LIMIT];
          const char *ns3[3] = {NULL, NULL, NULL};
          struct reply rr = {0};
          struct sbuf tt = {0};
          if (actor_call(j, &rc, ns3, -1, &rr, &tt, NULL) < 0) actor_died(j);
          free(tt.p);
          if (rr.ret < 0) leader_fail("setrlimit(RLIMIT_NOFILE) in a thread's process", -rr.ret);
        }
      }
      if (ret >= 0 && (st->op == OP_FSMOUNT || st->op == OP_MOUNT || st->op == OP_TMPFS) && rp.dev) {
        int seen = 0;
        for (int j = 0; j < g_nowned; j++) seen |= g_owned[j] == rp.dev;
        if (!seen && g_nowned < MAX_STEPS) g_owned[g_nowned++] = rp.dev;
      }
      if (st->op == OP_BTF_LOAD) btf_id = (int)rp.extra;
      if (st->op == OP_BTF_GET_FD_BY_ID) btf_id = (int)c.n[N_BTF_GET_FD_BY_ID_BTF_ID]; /* the same BTF object */
      if (st->op == OP_DUP2 && ret >= 0) {
        struct binding *b = bind_find(st->h[H_DUP2_FD]);
        if (bon(b, k)) btf_id = b->btf_id;
      }
    }
    /* handle bookkeeping: the other thread's close / dup2 first (it ran
     * before the step returned), then the step's own */
    if (st->race_op && rp.race_thread_ret >= 0) bind_drop_fd(k, st->race_op == 1 ? c.race_fd : rp.race_thread_ret);
    if (ret >= 0) {
      if (st->op == OP_CLOSE) bind_drop_fd(k, c.fd[H_CLOSE_FD]);
      if (st->op == OP_DUP2 && ret != c.fd[H_DUP2_FD]) bind_drop_fd(k, ret);
      if (OPS[st->opidx].returns_fd) {
        bind_drop_fd(newfd_actor, ret);
        if (st->as) bind_set(st->as, newfd_actor, ret, btf_id);
      }
    }
    avc.len = 0;
    if (S.se) {
      int e = audit_drain(&avc);
      if (e) leader_fail("audit marker", -e);
      /* the receiver's fd table was full (OP_RECV_FD says EMFILE, the errno itself is lost
       * with MSG_CTRUNC), but receive_fd() runs security_file_receive() before
       * get_unused_fd_flags() (fs/file.c): an enforced denial in the step is the result
       * (oracle --vm --profile selinux-token-v7 --seed 85 on 6.12.118) */
      if (st->op == OP_SEND_FD && ret == -EMFILE && avc_enforced_denial(&avc)) ret = -EACCES;
    }
    out.len = 0;
    char eb[16];
    sb_printf(&out, "{\"scenario\":%lld,\"step\":%d,\"ret\":\"%s\"", S.id, st->i,
              ret >= 0 ? "ok" : errno_name(-ret, eb, sizeof eb));
    if (S.se) {
      sb_puts(&out, ",\"avc\":[");
      if (avc.len) sb_putn(&out, avc.p, avc.len);
      sb_puts(&out, "]");
      if (nload) {
        sb_puts(&out, ",\"load\":\"");
        for (int j = 0; j < nload; j++) sb_printf(&out, "%s%s", j ? "," : "", load[j] == 0 ? "ok" : errno_name(-load[j], eb, sizeof eb));
        sb_puts(&out, "\"");
      }
    }
    if (ret >= 0 && (st->op == OP_MOUNTINFO || st->op == OP_TOKEN_FDINFO || st->op == OP_OBJ_GET_INFO)) {
      sb_puts(&out, ",\"text\":");
      sb_json_str(&out, text.p ? text.p : "", text.len);
    }
    if (st->race_op) {
      sb_printf(&out, ",\"race\":{\"iterations\":%lld,\"counts\":{", rp.race_iters);
      for (int j = 0; j < rp.race_nk && j < RACE_MAX_OUTCOMES; j++)
        sb_printf(&out, "%s\"%s\":%lld", j ? "," : "", rp.race_ret[j] >= 0 ? "ok" : errno_name(-rp.race_ret[j], eb, sizeof eb), rp.race_cnt[j]);
      sb_puts(&out, "}}");
    }
    lt_after_step(&out, st->op == OP_BTF_LOAD && ret >= 0);
    sb_puts(&out, "}");
    emit(&out);
  }
}

static void __attribute__((noreturn)) leader_main(int donefd) {
  cg_join();
  cg_target_open();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);
  nB = 0;
  nDYN = 0;
  if (unshare(CLONE_NEWNS) < 0) leader_fail("unshare(CLONE_NEWNS)", errno);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) leader_fail("make / rprivate", errno);
  if (mount("bpftc", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0) leader_fail("mount tmpfs", errno);
  for (int si = 0; si < S.nsteps; si++) {
    if (S.steps[si].op == OP_MOVE_MOUNT || S.steps[si].op == OP_MOUNT) {
      char d[64];
      step_dir(d, sizeof d, si);
      if (mkdir(d, 0755) < 0) leader_fail("mkdir step dir", errno);
    }
  }
  for (int si = 0; si < S.nsteps; si++) {
    if (has_target(&S.steps[si])) {
      char d[64];
      snprintf(d, sizeof d, "/tmp/t-%s", S.steps[si].s[0]);
      if (mkdir(d, 0755) < 0 && errno != EEXIST) leader_fail("mkdir target dir", errno);
    }
  }
  if (chdir("/tmp") < 0) leader_fail("chdir", errno);
  g_devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (g_devnull < 0) leader_fail("open /dev/null", errno);
  g_devnull = move_fd_high(g_devnull, HIGH_FD);
  for (int k = 0; k < S.nuserns; k++) create_userns(k);
  /* a fork_of or thread_of actor's control socket pair: the leader's end is its ctl, the other
   * goes to the set-up actors above it (actor_child(), fork_spawn(), thread_spawn()) */
  for (int k = 0; k < S.nactors; k++) {
    g_spare_child[k] = -1;
    if (S.actors[k].fork_of < 0 && S.actors[k].thread_of < 0) continue;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0) leader_fail("socketpair", errno);
    A[k].ctl = move_fd_high(sp[0], HIGH_FD);
    g_spare_child[k] = move_fd_high(sp[1], HIGH_FD);
  }
  int needed[MAX_ACTORS] = {0};
  for (int k = 0; k < S.nactors; k++)
    if (S.actors[k].mntns >= 0) needed[S.actors[k].mntns] = 1;
  for (int k = 0; k < S.nactors; k++) {
    A[k].ready = 0;
    A[k].dead = 0;
    A[k].mntfd = -1;
    A[k].cur_userns = S.actors[k].userns;
    if (S.actors[k].fork_of >= 0) { /* made at its fork step: until then as an exited actor */
      A[k].dead = 1;
      A[k].ready = 1;
      A[k].pid = 0;
      continue; /* A[k].ctl: the leader's end of its spare, made above */
    }
    if (S.actors[k].mntns >= 0) {
      int x = S.actors[k].mntns;
      actor_wait_ready(x);
      if (A[x].mntfd < 0) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/ns/mnt", A[x].pid);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0) leader_fail("open ns/mnt", errno);
        A[x].mntfd = move_fd_high(fd, HIGH_FD);
      }
    }
    if (S.actors[k].thread_of >= 0) {
      /* made by its process actor, which holds the new actor's end of its spare (A[k].ctl:
       * the leader's end, made above) */
      int x = S.actors[k].thread_of;
      actor_wait_ready(x);
      struct cmd c;
      memset(&c, 0, sizeof c);
      c.op = OP_SPAWN_THREAD;
      c.n[0] = k;
      const char *ns[3] = {NULL, NULL, NULL};
      struct reply rr = {0};
      struct sbuf t = {0};
      if (actor_call(x, &c, ns, -1, &rr, &t, NULL) < 0) actor_died(x);
      free(t.p);
      if (rr.ret < 0) leader_fail("clone(CLONE_FILES) of a thread_of actor", -rr.ret);
      A[k].pid = rr.ret;
      continue;
    }
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0) leader_fail("socketpair", errno);
    int mine = move_fd_high(sp[0], HIGH_FD);
    pid_t pid = fork();
    if (pid < 0) leader_fail("fork", errno);
    if (pid == 0) {
      close(mine);
      close(donefd);
      actor_child(k, sp[1]);
    }
    close(sp[1]);
    A[k].pid = pid;
    A[k].ctl = mine;
  }
  for (int k = 0; k < S.nactors; k++)
    if (g_spare_child[k] >= 0) { close(g_spare_child[k]); g_spare_child[k] = -1; }
  for (int k = 0; k < S.nactors; k++) actor_wait_ready(k);
  (void)needed;
  /* SELinux: the set-up's records (the harness's) are not a step's */
  if (S.se) {
    int e = audit_drain(NULL);
    if (e) leader_fail("audit marker (set-up)", -e);
  }
  lt_scenario_start();
  run_steps();
  lt_teardown();
  struct sbuf b = {0};
  sb_printf(&b, "{\"scenario\":%lld,\"done\":true}", S.id);
  emit(&b);
  char one = 1;
  if (write(donefd, &one, 1) < 0) {}
  _exit(0);
}

/* ---------- resource cgroups (oracle/SANDBOX.md "Limits") ----------
 * One memory cgroup (512 MiB) and one pids cgroup (pids.max 256) per scenario, made by main under
 * its own cgroups (v1 hierarchies, else v2 when its controllers can be enabled there), joined by
 * the scenario's leader before anything else (its processes inherit it), removed when the
 * scenario's processes are gone. Unavailable or unwritable: the scenario runs without (probe
 * says memcg/pidscg false); a run never fails for it. */
static char g_cg_mem_base[2048], g_cg_pids_base[2048]; /* own cgroup dirs, "" = none */
static long long g_cg_seq; /* scenario cgroups made by this executor (their names) */
static int g_cg_mem_v2, g_cg_pids_v2;

static int has_word(const char *list, const char *w, char sep) {
  size_t n = strlen(w);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, sep);
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && !strncmp(p, w, n)) return 1;
    p = e ? e + 1 : NULL;
  }
  return 0;
}

/* own cgroup path of a v1 controller (or "" for v2) from /proc/self/cgroup */
static int own_cgroup(const char *ctrl, char *out, size_t n) {
  static char buf[16384];
  int err;
  read_small("/proc/self/cgroup", buf, sizeof buf, &err);
  if (err) return -1;
  for (char *line = buf; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2) {
      *c2 = 0;
      int match = ctrl ? has_word(c1 + 1, ctrl, ',') : (c1[1] == 0 && !strncmp(line, "0", 1));
      *c2 = ':';
      if (match) {
        if ((size_t)snprintf(out, n, "%s", c2 + 1) >= n) return -1;
        return 0;
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  return -1;
}

/* the directory of our own cgroup in the hierarchy of `ctrl` (NULL: v2) */
static int cg_find(const char *ctrl, char *out, size_t n) {
  char own[1024];
  if (own_cgroup(ctrl, own, sizeof own) < 0) return -1;
  static char mi[1 << 16];
  int err;
  read_small("/proc/self/mountinfo", mi, sizeof mi, &err);
  if (err) return -1;
  for (char *line = mi; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char *f[24] = {0};
    int nf = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t && nf < 24; t = strtok_r(NULL, " ", &save)) f[nf++] = t;
    /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
    int dash = -1;
    for (int i = 6; i < nf; i++) if (!strcmp(f[i], "-")) { dash = i; break; }
    if (dash > 0 && dash + 3 < nf) {
      const char *fst = f[dash + 1], *sup = f[dash + 3];
      int ok = ctrl ? (!strcmp(fst, "cgroup") && has_word(sup, ctrl, ',')) : !strcmp(fst, "cgroup2");
      const char *root = f[3], *mp = f[4];
      size_t rl = strlen(root);
      if (ok && (!strcmp(root, "/") || (!strncmp(own, root, rl) && (own[rl] == '/' || own[rl] == 0)))) {
        const char *rest = !strcmp(root, "/") ? own : own + rl;
        if ((size_t)snprintf(out, n, "%s%s", mp, !strcmp(rest, "/") ? "" : rest) >= n) return -1;
        struct stat st;
        return stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  return -1;
}

static int write_str(const char *dir, const char *file, const char *v) {
  char p[2400];
  if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, file) >= sizeof p) return -ENAMETOOLONG;
  return write_file(p, v);
}

/* scenario cgroups left behind by an executor that was killed (its pid is gone): removed */
static void cg_sweep(const char *base) {
  if (!base[0]) return;
  DIR *d = opendir(base);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    int pid;
    long long id;
    if (sscanf(e->d_name, "bpftc-%d-%lld", &pid, &id) != 2 || pid <= 0) continue;
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;
    char p[2400];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", base, e->d_name) < sizeof p) rmdir(p);
  }
  closedir(d);
}

/* The attach target of prog_attach / prog_detach / link_create (CG_FD): a fresh, empty child of
 * our own cgroup in the first cgroup2 hierarchy of /proc/self/mountinfo, one per scenario,
 * "bpftc-<pid>-<seq>-att", made by main (mkdir: EEXIST fails closed, a directory not made here is
 * never used), opened by the leader (must be a cgroup2 directory, cg_target_open()), removed by
 * main after the scenario (rmdir: programs attached to it go with it; no process ever joins it).
 * g_cg_att_why: why there is none, one line for the probe. */
static char g_cg_att_base[2048];
static const char *g_cg_att_why = "not root";
#define CGROUP2_SUPER_MAGIC_X 0x63677270

static void cg_init(void) {
  g_cg_mem_base[0] = g_cg_pids_base[0] = g_cg_att_base[0] = 0;
  if (geteuid() != 0) return;
  if (cg_find(NULL, g_cg_att_base, sizeof g_cg_att_base) < 0) {
    g_cg_att_base[0] = 0;
    g_cg_att_why = "no cgroup2 mounted (or our cgroup2 directory not found)";
  } else g_cg_att_why = "ok";
  if (cg_find("memory", g_cg_mem_base, sizeof g_cg_mem_base) < 0) g_cg_mem_base[0] = 0;
  if (cg_find("pids", g_cg_pids_base, sizeof g_cg_pids_base) < 0) g_cg_pids_base[0] = 0;
  if (!g_cg_mem_base[0] || !g_cg_pids_base[0]) {
    char v2[2048];
    if (cg_find(NULL, v2, sizeof v2) == 0) {
      char p[2200], ctl[512];
      int err;
      snprintf(p, sizeof p, "%s/cgroup.subtree_control", v2);
      for (int pass = 0; pass < 2; pass++) {
        read_small(p, ctl, sizeof ctl, &err);
        if (err) break;
        ctl[strcspn(ctl, "\n")] = 0;
        int want_mem = !g_cg_mem_base[0], want_pids = !g_cg_pids_base[0];
        if (want_mem && has_word(ctl, "memory", ' ')) { snprintf(g_cg_mem_base, sizeof g_cg_mem_base, "%s", v2); g_cg_mem_v2 = 1; }
        if (want_pids && has_word(ctl, "pids", ' ')) { snprintf(g_cg_pids_base, sizeof g_cg_pids_base, "%s", v2); g_cg_pids_v2 = 1; }
        if (pass == 0) {
          /* enabling fails (EBUSY) when our cgroup has processes and is not the root: then none */
          if (!g_cg_mem_base[0]) write_file(p, "+memory");
          if (!g_cg_pids_base[0]) write_file(p, "+pids");
        }
      }
    }
  }
}

/* makes one cgroup under base with one limit; "" on any failure */
static void cg_make(const char *base, char *out, size_t n, const char *const files[], const char *const vals[], int nfiles) {
  out[0] = 0;
  if (!base[0]) return;
  /* named by a sequence number of this executor, never by the scenario's id (ids may repeat
   * while an earlier scenario's cgroup is still being removed, cg_defer()) */
  if ((size_t)snprintf(out, n, "%s/bpftc-%d-%lld", base, (int)getpid(), g_cg_seq) >= n) { out[0] = 0; return; }
  if (mkdir(out, 0755) < 0 && errno != EEXIST) { out[0] = 0; return; }
  for (int i = 0; i < nfiles; i++) {
    if (write_str(out, files[i], vals[i]) < 0 && i == 0) { rmdir(out); out[0] = 0; return; }
  }
}

/* the scenario's attach target directory (named as the resource cgroups, "-att" after) */
static void cg_att_make(void) {
  g_cg_att[0] = 0;
  if (!g_cg_att_base[0]) return;
  if ((size_t)snprintf(g_cg_att, sizeof g_cg_att, "%s/bpftc-%d-%lld-att", g_cg_att_base, (int)getpid(), g_cg_seq) >= sizeof g_cg_att) {
    g_cg_att[0] = 0;
    g_cg_att_why = "cgroup2 path too long";
    return;
  }
  if (mkdir(g_cg_att, 0755) < 0) { /* EEXIST too: only a directory made here is used */
    g_cg_att[0] = 0;
    g_cg_att_why = errno == EEXIST ? "cgroup2 attach directory already exists" : "cgroup2 mkdir failed";
    return;
  }
  g_cg_att_why = "ok";
}

static void cg_create(void) {
  static int swept;
  g_cg_seq++;
  if (!swept) {
    swept = 1;
    cg_sweep(g_cg_mem_base);
    if (strcmp(g_cg_pids_base, g_cg_mem_base)) cg_sweep(g_cg_pids_base);
    if (strcmp(g_cg_att_base, g_cg_mem_base) && strcmp(g_cg_att_base, g_cg_pids_base)) cg_sweep(g_cg_att_base);
  }
  cg_att_make();
  char lim[32], pl[32];
  snprintf(lim, sizeof lim, "%llu", MEMCG_LIMIT);
  snprintf(pl, sizeof pl, "%d", PIDS_LIMIT);
  if (g_cg_mem_v2) {
    const char *f[] = {"memory.max", "memory.swap.max"}, *v[] = {lim, "0"};
    cg_make(g_cg_mem_base, g_cg_mem, sizeof g_cg_mem, f, v, 2);
  } else {
    const char *f[] = {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"}, *v[] = {lim, lim};
    cg_make(g_cg_mem_base, g_cg_mem, sizeof g_cg_mem, f, v, 2);
  }
  if (g_cg_pids_v2 && g_cg_mem_v2 && g_cg_mem[0] && !strcmp(g_cg_pids_base, g_cg_mem_base)) {
    /* one v2 cgroup for both */
    if (write_str(g_cg_mem, "pids.max", pl) == 0) snprintf(g_cg_pids, sizeof g_cg_pids, "%s", g_cg_mem);
    else g_cg_pids[0] = 0;
  } else {
    const char *f[] = {"pids.max"}, *v[] = {pl};
    cg_make(g_cg_pids_base, g_cg_pids, sizeof g_cg_pids, f, v, 1);
  }
}

/* the target of prog_attach / prog_detach / link_create: the scenario's attach directory
 * (cg_att_make(), made for this scenario alone), at CG_FD in the leader and so in every actor;
 * none, or not a cgroup2 directory: CG_FD stays closed and those steps are refused (sandbox
 * check failed) */
static void cg_target_open(void) {
  close(CG_FD);
  if (!g_cg_att[0]) return;
  int fd = open(g_cg_att, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0 || (unsigned long)sf.f_type != CGROUP2_SUPER_MAGIC_X) { close(fd); return; }
  if (fd != CG_FD) { dup2(fd, CG_FD); close(fd); }
}

/* the leader moves itself into the scenario's cgroups (before it forks anything) */
static void cg_join(void) {
  char pid[32];
  snprintf(pid, sizeof pid, "%d", (int)getpid());
  if (g_cg_mem[0]) write_str(g_cg_mem, "cgroup.procs", pid);
  if (g_cg_pids[0] && strcmp(g_cg_pids, g_cg_mem)) write_str(g_cg_pids, "cgroup.procs", pid);
}

/* did the memory cgroup's OOM killer kill one of the scenario's processes? */
static int cg_oom_killed(void) {
  if (!g_cg_mem[0]) return 0;
  char p[2400], buf[4096];
  int err;
  snprintf(p, sizeof p, "%s/%s", g_cg_mem, g_cg_mem_v2 ? "memory.events" : "memory.oom_control");
  read_small(p, buf, sizeof buf, &err);
  if (err) return 0;
  char *o = strstr(buf, "oom_kill ");
  return o && atoll(o + 9) > 0;
}

static void cg_rmdir(char *dir) {
  if (!dir[0]) return;
  for (int tries = 0; tries < 2000; tries++) { /* the killed processes are leaving it */
    if (rmdir(dir) == 0 || errno != EBUSY) break;
    reap_nohang();
    struct timespec ts = {0, 500000};
    nanosleep(&ts, NULL);
  }
  dir[0] = 0;
}

/* applies `f` to the scenario's memory and pids cgroups, once when they are one directory */
static void cg_each(void (*f)(char *)) {
  int same = g_cg_pids[0] && !strcmp(g_cg_pids, g_cg_mem);
  f(g_cg_mem);
  if (same) g_cg_pids[0] = 0;
  f(g_cg_pids);
}

static void cg_remove(void) {
  cg_each(cg_rmdir);
  cg_rmdir(g_cg_att);
}

/* The cgroups of finished scenarios whose killed processes are still leaving them: the next
 * scenario starts at once (in cgroups of its own) instead of waiting for those exits; each is
 * removed once empty, tried without waiting after every scenario, and with waiting (cg_rmdir)
 * when CG_PENDING_MAX are pending and before the executor exits. */
#define CG_PENDING_MAX 16
static char g_cg_pending[CG_PENDING_MAX][2200];
static int g_ncg_pending;

static void cg_retry(int wait) {
  reap_nohang();
  int k = 0;
  for (int i = 0; i < g_ncg_pending; i++) {
    if (wait) cg_rmdir(g_cg_pending[i]);
    else if (rmdir(g_cg_pending[i]) < 0 && errno == EBUSY) {
      if (k != i) memcpy(g_cg_pending[k], g_cg_pending[i], sizeof g_cg_pending[k]);
      k++;
    }
  }
  g_ncg_pending = k;
}

static void cg_defer1(char *dir) {
  if (!dir[0]) return;
  if (g_ncg_pending == CG_PENDING_MAX) cg_retry(1);
  snprintf(g_cg_pending[g_ncg_pending++], sizeof g_cg_pending[0], "%s", dir);
  dir[0] = 0;
}

static void cg_defer(void) {
  cg_each(cg_defer1);
  /* no process joins the attach directory: it goes at once, else (never seen) later */
  if (g_cg_att[0] && rmdir(g_cg_att) == 0) g_cg_att[0] = 0;
  cg_defer1(g_cg_att);
  cg_retry(0);
}

/* ---------- main ---------- */
static void reap_nohang(void) {
  while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {}
}

static void out_line(const char *s) { /* main's own lines: after the scenario's */
  out_flush();
  write_all(1, s, strlen(s));
  write_all(1, "\n", 1);
}

static void print_error(long long id, int with_id, const char *msg) {
  struct sbuf b = {0};
  if (with_id) sb_printf(&b, "{\"scenario\":%lld,\"error\":", id);
  else sb_puts(&b, "{\"error\":");
  sb_json_str(&b, msg, strlen(msg));
  sb_puts(&b, "}");
  out_line(b.p);
  free(b.p);
}

static void run_scenario(void) {
  int dp[2];
  if (S.se) {
    int e = 0;
    const char *what = se_main_setup(&e);
    if (what) {
      char m[128], eb[16];
      snprintf(m, sizeof m, "setup: %s: %s", what, errno_name(e, eb, sizeof eb));
      print_error(S.id, 1, m);
      return;
    }
  }
  if (pipe2(dp, O_CLOEXEC) < 0) { print_error(S.id, 1, "pipe failed"); return; }
  cg_create();
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) { print_error(S.id, 1, "fork failed"); close(dp[0]); close(dp[1]); cg_remove(); return; }
  if (pid == 0) {
    /* the death signal is armed before anything else; a parent that died
     * before it was armed is noticed here (we were re-parented) */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    close(dp[0]);
    leader_main(dp[1]);
  }
  setpgid(pid, pid);
  close(dp[1]);
  g_scenario_pgid = pid;
  int pfd = (int)syscall(NR_pidfd_open, pid, 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int outcome = 0; /* 1 done, 2 died, 3 timeout */
  while (!outcome) {
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long el = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    long long left = S.timeout_ms - el;
    if (left <= 0) { outcome = 3; break; }
    struct pollfd pf[2] = {{dp[0], POLLIN, 0}, {pfd, POLLIN, 0}};
    int r = poll(pf, pfd >= 0 ? 2 : 1, (int)(left > 1000000 ? 1000000 : left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;
    if (pf[0].revents) {
      char c;
      ssize_t n = read(dp[0], &c, 1);
      outcome = n == 1 ? 1 : 2;
    } else if (pfd >= 0 && pf[1].revents) {
      /* leader exited; a done byte may still be in the pipe */
      char c;
      int fl = fcntl(dp[0], F_GETFL);
      fcntl(dp[0], F_SETFL, fl | O_NONBLOCK);
      outcome = read(dp[0], &c, 1) == 1 ? 1 : 2;
    }
  }
  kill(-pid, SIGKILL);
  if (outcome == 3) {
    /* the lines the leader collected are whole once it is gone; one that does not go within
     * a second keeps the old buffer to itself (never written), the next scenario gets a new one */
    struct pollfd pf = {pfd, POLLIN, 0};
    if (g_out && (pfd < 0 || poll(&pf, 1, 1000) != 1)) {
      out_flush();
      munmap(g_out, OUT_CAP);
      g_out = NULL;
      out_init();
    }
    char m[64];
    snprintf(m, sizeof m, "timeout after %lld ms", S.timeout_ms);
    print_error(S.id, 1, m);
  } else if (outcome == 2) {
    int st = 0;
    waitpid(pid, &st, __WALL);
    /* a set-up failure already printed its own error line and exited with 2 */
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 2)) {
      char m[96];
      if (WIFSIGNALED(st))
        snprintf(m, sizeof m, "scenario leader killed by signal %d%s", WTERMSIG(st), cg_oom_killed() ? " (limit: memory, 512 MiB)" : "");
      else snprintf(m, sizeof m, "scenario leader exited with status %d", WEXITSTATUS(st));
      print_error(S.id, 1, m);
    }
  }
  close(dp[0]);
  if (pfd >= 0) close(pfd);
  cg_defer();
  out_flush();
}

static void kill_and_reap_all(void) {
  if (g_scenario_pgid) kill(-(pid_t)g_scenario_pgid, SIGKILL);
  while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR) {}
  cg_retry(1);
}

static void do_probe(void) {
  int root = geteuid() == 0;
  int userns = 0, token = 0;
  pid_t p = fork();
  if (p == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  if (p > 0) {
    int st;
    waitpid(p, &st, 0);
    userns = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  uint8_t attr[BPF_ATTR_SIZE] = {0};
  put32(attr, 4, (uint32_t)-1);
  if (xsys_bpf(X_BPF_TOKEN_CREATE, attr, 8) < 0 && errno == EBADF) token = 1;
  int err;
  char ub[64];
  char *ubp = ub;
  read_small("/proc/sys/kernel/unprivileged_bpf_disabled", ub, sizeof ub, &err);
  if (err) ubp = "null";
  else ub[strcspn(ub, "\n")] = 0;
  /* the host kernel's answer to a valid ARENA map from init root (model/kconfig.ts
   * arenaEperm: a vendor kernel refusing it with EPERM) */
  char ab[32];
  const char *arena = "ok";
  memset(attr, 0, sizeof attr);
  put32(attr, 0, 33 /* BPF_MAP_TYPE_ARENA */);
  put32(attr, 12, 1);
  put32(attr, 16, 1024 /* BPF_F_MMAPABLE */);
  int afd = xsys_bpf(X_BPF_MAP_CREATE, attr, BPF_ATTR_SIZE);
  if (afd >= 0) close(afd);
  else arena = errno_name(errno, ab, sizeof ab);
  struct utsname un;
  uname(&un);
  long long saved = S.id;
  S.id = -1; /* a probe cgroup: created and removed */
  cg_create();
  int memcg = g_cg_mem[0] != 0, pidscg = g_cg_pids[0] != 0;
  const char *attcg = g_cg_att_why;
  cg_remove();
  S.id = saved;
  struct sbuf b = {0};
  sb_printf(&b, "{\"probe\":{\"root\":%s,\"userns\":%s,\"bpf_token\":%s,\"unprivileged_bpf_disabled\":%s,\"caps_all\":\"%llx\",\"memcg\":%s,\"pidscg\":%s,\"sandbox\":true,\"release\":",
            root ? "true" : "false", userns ? "true" : "false", token ? "true" : "false", ubp,
            (unsigned long long)g_caps_all, memcg ? "true" : "false", pidscg ? "true" : "false");
  sb_json_str(&b, un.release, strlen(un.release));
  char lsm[200];
  lt_probe(lsm, sizeof lsm);
  sb_puts(&b, ",\"bpf_lsm\":");
  sb_json_str(&b, lsm, strlen(lsm));
  sb_puts(&b, ",\"attach_cgroup\":");
  sb_json_str(&b, attcg, strlen(attcg));
  sb_puts(&b, ",\"arena\":");
  sb_json_str(&b, arena, strlen(arena));
  sb_puts(&b, "}}");
  out_line(b.p);
  free(b.p);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FD_LAYOUT_NEED) {
    rl.rlim_cur = rl.rlim_max < FD_LAYOUT_NEED ? rl.rlim_max : FD_LAYOUT_NEED;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= FD_LAYOUT_NEED) {
    g_ctl_fd = 4200; g_help_a = 4201; g_help_b = 4202; g_high_fd = 4300; g_spare_base = 4210;
  }
  capget64(NULL, &g_caps_all, NULL);
  const char *tops = getenv("BPFTC_EXEC_TEST_OPS");
  g_test_ops = tops && !strcmp(tops, "1");
  cg_init();
  insns_init();
  char *line = malloc(LINE_MAX_LEN);
  if (!line) return 1;
  int lineno = 0;
  while (fgets(line, LINE_MAX_LEN, stdin)) {
    lineno++;
    size_t len = strlen(line);
    if (len == LINE_MAX_LEN - 1 && line[len - 1] != '\n') {
      /* an overlong line is never split into two: skip the rest of it, fail the scenario */
      int ch;
      while ((ch = getchar()) != EOF && ch != '\n') {}
      char m[128];
      snprintf(m, sizeof m, "line %d: limit: line length (at most %d bytes)", lineno, LINE_MAX_LEN - 2);
      print_error(S.id, S.active, m);
      if (S.active) S.bad = 1;
      continue;
    }
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '#') continue;
    char *kw = p;
    char *rest = p + strcspn(p, " \t");
    if (*rest) *rest++ = 0;
    if (!strcmp(kw, "quit")) break;
    if (!strcmp(kw, "probe")) { do_probe(); continue; }
    if (!strcmp(kw, "batch")) { out_init(); continue; }
    if (!strcmp(kw, "lsmtrace")) { lt_cmd_on(); continue; }
    if (!strcmp(kw, "scenario")) {
      reset_scenario();
      LT_ND = 0;
      struct kv kvs[MAX_KV];
      int n;
      S.id = -1;
      S.timeout_ms = 2000;
      S.active = 1;
      int bad = split_kv(rest, kvs, &n);
      if (!bad) {
        for (int j = 0; j < n && !bad; j++)
          if (kvs[j].nul) bad = perr("NUL byte in '%s'", kvs[j].k);
        if (!bad) bad = req_num(kvs, n, "id", &S.id, 0);
        struct kv *t = kv_get(kvs, n, "timeout_ms");
        if (!bad && t && (parse_num(t->v, &S.timeout_ms, 0) || S.timeout_ms <= 0)) bad = perr("bad timeout_ms");
        if (!bad) bad = kv_check_used(kvs, n);
      }
      free_kv(kvs, n);
      if (bad) {
        char m[700];
        snprintf(m, sizeof m, "line %d: %s", lineno, g_err);
        print_error(S.id, S.id >= 0, m);
        S.bad = 1;
      }
      continue;
    }
    if (!strcmp(kw, "run")) {
      if (!S.active) { print_error(0, 0, "run without scenario"); continue; }
      if (!S.bad) run_scenario();
      reset_scenario();
      continue;
    }
    if (!strcmp(kw, "blob")) {
      if (parse_blob(rest)) {
        char m[700];
        snprintf(m, sizeof m, "line %d: %s", lineno, g_err);
        print_error(0, 0, m);
      }
      continue;
    }
    if (!strcmp(kw, "policy") || !strcmp(kw, "selinux") || !strcmp(kw, "load")) {
      if (!S.active) { print_error(0, 0, "declaration outside a scenario"); continue; }
      if (S.bad) continue;
      if (parse_se_line(kw, rest)) {
        char m[700];
        snprintf(m, sizeof m, "line %d: %s", lineno, g_err);
        print_error(S.id, 1, m);
        S.bad = 1;
      }
      continue;
    }
    if (!strcmp(kw, "userns") || !strcmp(kw, "actor") || !strcmp(kw, "step") || !strcmp(kw, "lsm_deny")) {
      if (!S.active) { print_error(0, 0, "declaration outside a scenario"); continue; }
      if (S.bad) continue;
      struct kv kvs[MAX_KV];
      int n;
      int bad = split_kv(rest, kvs, &n);
      if (!bad) bad = !strcmp(kw, "lsm_deny") ? lt_parse_deny(kvs, n) : parse_decl(kw, kvs, n);
      free_kv(kvs, n);
      if (bad) {
        char m[700];
        snprintf(m, sizeof m, "line %d: %s", lineno, g_err);
        print_error(S.id, 1, m);
        S.bad = 1;
      }
      continue;
    }
    char m[700];
    snprintf(m, sizeof m, "line %d: unknown command '%.200s'", lineno, kw);
    print_error(S.id, S.active, m);
    if (S.active) S.bad = 1;
  }
  kill_and_reap_all();
  return 0;
}
