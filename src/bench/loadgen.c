/*
 * A native load generator for comparing echo servers on loopback, cheap enough not to set the rate: one epoll
 * thread, every echoed byte checked against what was sent, latency percentiles from a log-linear histogram, one
 * JSON object on stdout. Built on demand by src/bench/loadgen.sh into target/loadgen. Modes:
 *   pingpong  N connections, each keeping P messages in flight (a new one is sent as each echo completes)
 *   churn     C concurrent loops of connect, one message echoed, close
 *   idle      open N connections, read any greeting, and hold them
 * With --server-pid it reads the server's CPU time (utime + stime of /proc/PID/stat) at the start and the end of the
 * measured window and divides it by the echoes or connections of that window. `loadgen --help` lists the options.
 * Exit: 0 every byte verified and no error, 1 an error or mismatch was counted, 2 bad arguments or setup.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 19000   /* stays under the machine's 20,000 open files, with room for the rest */
#define READ_BUFFER 65536
#define MAX_GREETING 65536      /* bytes of greeting lines before it is called a protocol error */
#define STALL_NS 5000000000ull  /* a wait this long, and 10 times the mean latency, is a stall */
#define SUB_BITS 5              /* histogram: 32 linear sub-buckets per power of two, about 3 % resolution */
#define SUB (1u << SUB_BITS)
#define BUCKETS ((64 - SUB_BITS + 1) * SUB)

enum mode { PINGPONG, CHURN, IDLE };
enum state { FREE, CONNECTING, OPEN, CLOSED };

typedef struct {
  int fd, state, want_out;
  uint32_t greeting_left, greeting_bytes;
  uint64_t base;                /* offset of this connection's stream in the pattern */
  uint64_t owed, sent, received; /* bytes queued to send, written, echoed back (after the greeting) */
  uint64_t bad_mark;            /* 1 + the last message counted as a mismatch */
  uint64_t start_ns, last_rx_ns;
  uint64_t *stamps;             /* send time of each message in flight, by message number modulo the pipeline */
} conn;

/* options */
static enum mode mode;
static const char *mode_name;
static int line_mode, greeting_lines = -1, port, server_pid;
static struct in_addr host;
static char host_text[INET_ADDRSTRLEN] = "127.0.0.1";
static long connections = -1, pipeline = 1, size = 64, max_connecting = 256;
static double duration = 10, warmup = -1, rate = 5000, timeout_seconds = -1, message_rate, cycle_rate;

/* state */
static conn *conns;
static uint64_t *stamp_pool;
static uint8_t *pattern;
static uint64_t period;
static int poller;
static uint64_t t0, window_start, window_end, deadline;
static int in_window, stopping;
static const char *timeline_path;  /* --timeline */
static long sources = -1;           /* --sources: 1 unless told */
static long opened, connecting, connected, resolved, churn_cycles_started, churn_idle_slots, cycle_cursor;
/* --message-rate: connections with a message to send wait in this ring for their turn */
static conn **ready;
static uint64_t ready_head, ready_tail, ready_size, released, pace_start;

/* results */
static uint64_t window_messages, window_cycles, total_messages, total_cycles;
static uint64_t connect_errors, early_closes, socket_errors, mismatches, mismatched_bytes, unexpected_bytes, lost,
  greeting_errors;
static int timed_out, first_mismatch_reported;
static uint64_t histogram[BUCKETS], latency_count, latency_max, latency_sum;
static double server_cpu_start, server_cpu_end, client_cpu_start, client_cpu_end, window_seconds;
static long server_rss_start = -1, server_rss_end = -1;

static void usage_error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("loadgen: ", stderr);
  vfprintf(stderr, format, args);
  fputs(" (loadgen --help lists the options)\n", stderr);
  va_end(args);
  exit(2);
}

static void setup_error(const char *what) {
  fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t) t.tv_sec * 1000000000ull + (uint64_t) t.tv_nsec;
}

static void help(void) {
  puts("Usage: loadgen pingpong|churn|idle --port PORT [OPTIONS]\n"
       "Loads an echo server on loopback from one epoll thread, checks every echoed byte, prints JSON on stdout.\n"
       "  pingpong              N connections, each keeping P messages in flight\n"
       "  churn                 C concurrent loops of connect, one message echoed, close\n"
       "  idle                  open N connections, read the greeting, hold them for the duration\n"
       "  --host ADDR           a loopback address, 127.0.0.0/8 (default 127.0.0.1)\n"
       "  --port PORT           the server's port (required)\n"
       "  --line | --raw        messages are lines ending in \\n and the server greets (line), or any bytes\n"
       "                        and no greeting (raw, the default)\n"
       "  --greeting-lines N    lines the server sends on connect, skipped before the echo (default: 1 with\n"
       "                        --line, 0 with --raw)\n"
       "  -c, --connections N   connections (pingpong, idle; default 100) or concurrent loops (churn; default 50),\n"
       "                        at most 19000\n"
       "  -p, --pipeline P      messages in flight per connection, pingpong only (default 1, at most 256)\n"
       "  -m, --size M          bytes per message (default 64; 1 to 65536, at least 2 with --line)\n"
       "  -d, --duration S      measured seconds (idle: seconds to hold; default 10)\n"
       "  --warmup S            seconds after every connection is open (churn: after the start) before measuring\n"
       "                        (default 2; idle 0)\n"
       "  --message-rate R      pingpong: send at most R messages per second in all, each on time whatever the\n"
       "                        echoes before it (open loop: latency counted from when it was due); default 0,\n"
       "                        each connection sends as soon as its echo is back\n"
       "  --cycle-rate R        churn: start at most R cycles per second in all, in the loops that are free (a\n"
       "                        moment with none free is not made up later); default 0, each loop starts its\n"
       "                        next cycle as soon as one ends\n"
       "  --rate R              connections opened per second while connecting, the ramp (pingpong, idle;\n"
       "                        default 5000; 0 = no bound but --connecting)\n"
       "  --connecting N        connects in progress at once at most (default 256)\n"
       "  --sources N           connect from N source addresses, 127.0.0.1 to 127.0.0.N, in turn (default 1):\n"
       "                        loadgen's closed connections hold their ports (TIME_WAIT), and from one address\n"
       "                        the 28,232 ephemeral ports, each reusable about 2 s after its close, cap churn near\n"
       "                        14,100 a second; but every distinct address and port pair holds an entry of the\n"
       "                        kernel's connection tracking for 120 s when it is loaded (Docker loads it), and a\n"
       "                        full table drops new connections (nf_conntrack_max, 262,144 here)\n"
       "  --server-pid PID      read this process's CPU time (and RSS) around the measured window\n"
       "  --timeline FILE       pingpong, churn: write, for each 10 ms of the measured window, the echoes (churn:\n"
       "                        cycles) completed, the longest latency among them, and the longest time between\n"
       "                        two passes of loadgen's own loop (a pause of loadgen, not of the server)\n"
       "  --timeout S           give up (timedOut) after this long in all (default: the ramp + warm-up + duration\n"
       "                        + 30)\n"
       "  -h, --help            this help\n"
       "Errors counted: connect errors, early closes, resets, mismatched or unexpected bytes, lost messages, and\n"
       "stalls (a connection waiting over 5 s and 10 times the mean latency for its echo, greeting or cycle).\n"
       "Exit: 0 every byte verified and no error; 1 a mismatch or error was counted; 2 bad arguments.");
}

static long whole(const char *option, const char *value, long min, long max) {
  char *end;
  errno = 0;
  long n = value ? strtol(value, &end, 10) : 0;
  if (!value || !*value || *end || errno || n < min || n > max)
    usage_error("option %s must be a whole number from %ld to %ld (got '%s')", option, min, max, value ? value : "");
  return n;
}

static double seconds(const char *option, const char *value, double min, double max) {
  char *end;
  errno = 0;
  double s = value ? strtod(value, &end) : 0;
  if (!value || !*value || *end || errno || !(s >= min && s <= max))
    usage_error("option %s must be a number of seconds from %g to %g (got '%s')", option, min, max, value ? value : "");
  return s;
}

static void parse(int argc, char **argv) {
  int seen_pipeline = 0, seen_rate = 0, seen_message_rate = 0, seen_cycle_rate = 0;
  if (argc < 2) usage_error("a mode is needed: pingpong, churn or idle");
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) { help(); exit(0); }
  mode_name = argv[1];
  if (!strcmp(mode_name, "pingpong")) mode = PINGPONG;
  else if (!strcmp(mode_name, "churn")) mode = CHURN;
  else if (!strcmp(mode_name, "idle")) mode = IDLE;
  else usage_error("unknown mode '%s': pingpong, churn or idle", mode_name);
  inet_pton(AF_INET, host_text, &host);
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) { help(); exit(0); }
    else if (!strcmp(o, "--line")) { line_mode = 1; continue; }
    else if (!strcmp(o, "--raw")) { line_mode = 0; continue; }
    else if (!strcmp(o, "--host")) {
      if (!v || (strcmp(v, "localhost") && inet_pton(AF_INET, v, &host) != 1) || (!strcmp(v, "localhost") ? 0 : (ntohl(host.s_addr) >> 24) != 127))
        usage_error("option --host must be a loopback address, 127.0.0.0/8 (got '%s')", v ? v : "");
      if (!strcmp(v, "localhost")) inet_pton(AF_INET, "127.0.0.1", &host);
      inet_ntop(AF_INET, &host, host_text, sizeof host_text);
    }
    else if (!strcmp(o, "--port")) port = (int) whole(o, v, 1, 65535);
    else if (!strcmp(o, "--greeting-lines")) greeting_lines = (int) whole(o, v, 0, 16);
    else if (!strcmp(o, "-c") || !strcmp(o, "--connections")) connections = whole(o, v, 1, MAX_CONNECTIONS);
    else if (!strcmp(o, "-p") || !strcmp(o, "--pipeline")) { pipeline = whole(o, v, 1, 256); seen_pipeline = 1; }
    else if (!strcmp(o, "-m") || !strcmp(o, "--size")) size = whole(o, v, 1, 65536);
    else if (!strcmp(o, "-d") || !strcmp(o, "--duration")) duration = seconds(o, v, 0.1, 3600);
    else if (!strcmp(o, "--warmup")) warmup = seconds(o, v, 0, 600);
    else if (!strcmp(o, "--rate")) { rate = (double) whole(o, v, 0, 1000000); seen_rate = 1; }
    else if (!strcmp(o, "--message-rate")) { message_rate = (double) whole(o, v, 0, 10000000); seen_message_rate = 1; }
    else if (!strcmp(o, "--cycle-rate")) { cycle_rate = (double) whole(o, v, 0, 1000000); seen_cycle_rate = 1; }
    else if (!strcmp(o, "--connecting")) max_connecting = whole(o, v, 1, MAX_CONNECTIONS);
    else if (!strcmp(o, "--sources")) sources = whole(o, v, 1, 254);
    else if (!strcmp(o, "--timeline")) {
      if (!v || !*v) usage_error("option --timeline needs a file name");
      timeline_path = v;
    }
    else if (!strcmp(o, "--server-pid")) {
      server_pid = (int) whole(o, v, 1, 1 << 30);
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/stat", server_pid);
      if (access(path, R_OK)) usage_error("option --server-pid: no process %d", server_pid);
    }
    else if (!strcmp(o, "--timeout")) timeout_seconds = seconds(o, v, 1, 7200);
    else usage_error("unknown option '%s'", o);
    i++;
  }
  if (!port) usage_error("option --port is required");
  if (line_mode && size < 2) usage_error("option --size must be at least 2 with --line (one character and the newline)");
  if (seen_pipeline && mode != PINGPONG) usage_error("option --pipeline applies to pingpong only");
  if (seen_message_rate && mode != PINGPONG) usage_error("option --message-rate applies to pingpong only");
  if (seen_cycle_rate && mode != CHURN) usage_error("option --cycle-rate applies to churn only");
  if (timeline_path && mode == IDLE) usage_error("option --timeline applies to pingpong and churn only");
  if (seen_rate && mode == CHURN) usage_error("option --rate does not apply to churn (its rate is the result)");
  if ((uint64_t) pipeline * (uint64_t) size > (1u << 20)) usage_error("pipeline x size must be at most 1 MiB per connection (got %ld)", pipeline * size);
  if (greeting_lines < 0) greeting_lines = line_mode ? 1 : 0;
  if (connections < 0) connections = mode == CHURN ? 50 : 100;
  if (sources < 0) sources = 1;
  if (warmup < 0) warmup = mode == IDLE ? 0 : 2;
  if (timeout_seconds < 0) timeout_seconds = (rate > 0 && mode != CHURN ? connections / rate : 0) + warmup + duration + 30;
}

/* The bytes every connection sends, repeated twice so that any range of up to `period` bytes is contiguous. Line
 * mode: each message is a digit, printable characters, then \n (never a quit command, never empty). Raw: any byte. */
static void make_pattern(void) {
  uint64_t messages = (65536 + size - 1) / size;
  period = messages * size;
  pattern = malloc(2 * period);
  if (!pattern) setup_error("malloc");
  static const char printable[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (uint64_t i = 0; i < period; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    uint64_t at = i % size;
    if (!line_mode) pattern[i] = (uint8_t) (x >> 24);
    else if (at == (uint64_t) size - 1) pattern[i] = '\n';
    else if (at == 0) pattern[i] = (uint8_t) ('0' + (i / size) % 10);
    else pattern[i] = (uint8_t) printable[(x >> 24) & 63];
  }
  memcpy(pattern + period, pattern, period);
}

static void record_latency(uint64_t ns) {
  unsigned index;
  if (ns < SUB) index = (unsigned) ns;
  else {
    unsigned msb = 63 - __builtin_clzll(ns);
    index = (msb - SUB_BITS + 1) * SUB + (unsigned) ((ns >> (msb - SUB_BITS)) - SUB);
  }
  histogram[index]++;
  latency_count++;
  latency_sum += ns;
  if (ns > latency_max) latency_max = ns;
}

/* The highest value a bucket holds, in microseconds, no more than the largest value recorded. */
static double percentile_micros(double percent) {
  if (!latency_count) return 0;
  uint64_t rank = (uint64_t) ceil(percent / 100.0 * (double) latency_count), seen = 0;
  if (rank < 1) rank = 1;
  for (unsigned i = 0; i < BUCKETS; i++) {
    seen += histogram[i];
    if (seen >= rank) {
      uint64_t top;
      if (i < SUB) top = i;
      else {
        unsigned shift = i / SUB - 1;
        top = (((uint64_t) (i % SUB + SUB) + 1) << shift) - 1;
      }
      if (top > latency_max) top = latency_max;
      return top / 1000.0;
    }
  }
  return latency_max / 1000.0;
}

static double proc_cpu_micros(int pid) {
  char path[64], text[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = 0;
  char *p = strrchr(text, ')');
  unsigned long utime, stime;
  /* after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return (double) (utime + stime) * 1e6 / (double) sysconf(_SC_CLK_TCK);
}

static long proc_rss_kib(int pid) {
  char path[64], line[256];
  long kib = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) { kib = atol(line + 6); break; }
  fclose(f);
  return kib;
}

static double self_cpu_micros(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

/* Churn registers each socket once, edge-triggered for both directions: no epoll_ctl after the connect. The other
 * modes switch one level-triggered socket between reading and (when the send buffer is full) writing. */
static int edge;

static void watch(conn *c, int op, int out) {
  struct epoll_event e = { .events = edge ? EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET : out ? EPOLLOUT : EPOLLIN, .data.ptr = c };
  if (epoll_ctl(poller, op, c->fd, &e)) setup_error("epoll_ctl");
  c->want_out = out;
}

static void start_connect(conn *c, uint64_t now);

/* A churn loop's cycle ended: the next starts now, or with --cycle-rate when its turn comes (release_cycles). */
static void next_cycle(conn *c, uint64_t now) {
  if (!cycle_rate) start_connect(c, now);
}

static void finish(conn *c) {
  close(c->fd);
  c->fd = -1;
  c->state = CLOSED;
}

/* The connection broke (closed or reset by the server, or a write failed): every message still owed is lost. */
static void broken(conn *c, int reset) {
  if (reset) socket_errors++; else early_closes++;
  lost += (c->owed - c->received + size - 1) / size;
  finish(c);
  if (mode == CHURN && !stopping) next_cycle(c, now_ns());
}

static void flush_out(conn *c) {
  while (c->sent < c->owed) {
    uint64_t offset = (c->base + c->sent) % period, length = c->owed - c->sent;
    if (length > period) length = period;
    ssize_t n = send(c->fd, pattern + offset, length, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) { if (!c->want_out && !edge) watch(c, EPOLL_CTL_MOD, 1); c->want_out = 1; return; }
      broken(c, 1);
      return;
    }
    c->sent += (uint64_t) n;
  }
  if (c->want_out && !edge) watch(c, EPOLL_CTL_MOD, 0);
  c->want_out = 0;
}

static void queue_message(conn *c, uint64_t now) {
  c->stamps[(c->owed / size) % pipeline] = now;
  c->owed += size;
}

/* A message is wanted on c: sent now, or with --message-rate when its turn comes (release_paced). */
static void want_message(conn *c, uint64_t now) {
  if (!message_rate) { queue_message(c, now); return; }
  ready[ready_tail++ % ready_size] = c;
}

/* Sends the messages whose time has come, in turn, each stamped with when it was due. Tokens that come while no
 * connection waits for one are dropped, so an idle moment is never made up with a burst; but while some connection
 * waits at every pass (a server, or loadgen, behind the rate), the tokens not yet spent stay owed and go out as fast as
 * echoes come back: a window in which a server catches up counts more than --message-rate a second, each of those
 * messages late. */
static void release_paced(uint64_t now) {
  if (!pace_start) pace_start = now;
  uint64_t allowed = (uint64_t) ((double) (now - pace_start) * message_rate / 1e9);
  if (ready_head == ready_tail) { released = allowed; return; }
  while (released < allowed && ready_head != ready_tail) {
    conn *c = ready[ready_head++ % ready_size];
    uint64_t due = pace_start + (uint64_t) ((double) released * 1e9 / message_rate);
    released++;
    if (c->state != OPEN) continue;
    queue_message(c, due);
    flush_out(c);
  }
}

/* Paced churn: starts cycles in the free loops (CLOSED, or never started), in turn, at most --cycle-rate a second in
 * all. Tokens that come while no loop is free are dropped: a server behind the rate is not sent a burst later. */
static void release_cycles(uint64_t now) {
  if (!pace_start) pace_start = now;
  uint64_t allowed = (uint64_t) ((double) (now - pace_start) * cycle_rate / 1e9);
  while (released < allowed) {
    conn *c = NULL;
    for (long k = 0; k < connections && !c; k++) {
      conn *d = &conns[(cycle_cursor + k) % connections];
      if (d->state == CLOSED || d->state == FREE) c = d;
    }
    if (!c) { released = allowed; return; }
    cycle_cursor = (c - conns + 1) % connections;
    released++;
    start_connect(c, now);
  }
}

static void opened_connection(conn *c, uint64_t now) {
  c->state = OPEN;
  connected++;
  c->last_rx_ns = now;
  if (mode == IDLE) { watch(c, EPOLL_CTL_MOD, 0); return; }
  if (mode == CHURN) { queue_message(c, now); flush_out(c); return; }
  for (long i = 0; i < pipeline; i++) want_message(c, now);
  c->want_out = 1;  /* registered for the connect; flush_out switches it to reading */
  flush_out(c);
}

static void start_connect(conn *c, uint64_t now) {
  static const int one = 1;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) setup_error("socket");
  /* churn writes one message at once after the connect, which Nagle's algorithm never holds back */
  if (mode != CHURN) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->greeting_left = (uint32_t) greeting_lines;
  c->greeting_bytes = 0;
  c->owed = c->sent = c->received = c->bad_mark = 0;
  c->start_ns = now;
  /* a different stream for every connection and every churn cycle, aligned on a message */
  c->base = ((uint64_t) (c - conns) * 7919u + (uint64_t) churn_cycles_started * 104729u) % (period / size) * size;
  churn_cycles_started++;
  opened++;
  if (sources > 1) {
    /* the port is picked at connect, for this destination (IP_BIND_ADDRESS_NO_PORT), not at bind for any */
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u + (uint32_t) (opened % sources)) };
    if (setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one)
        || bind(c->fd, (struct sockaddr *) &local, sizeof local)) setup_error("bind to a source address");
  }
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = host };
  int r = connect(c->fd, (struct sockaddr *) &address, sizeof address);
  if (r && errno != EINPROGRESS) {
    connect_errors++;
    close(c->fd);
    c->fd = -1;
    c->state = CLOSED;
    resolved++;
    if (mode == CHURN) churn_idle_slots++;  /* restarted by the main loop, not from here */
    return;
  }
  c->state = CONNECTING;
  connecting++;
  watch(c, EPOLL_CTL_ADD, 1);
  if (r == 0) { connecting--; resolved++; opened_connection(c, now); }
}

static void connect_done(conn *c, uint32_t events, uint64_t now) {
  int error = 0;
  socklen_t length = sizeof error;
  connecting--;
  resolved++;
  /* only a socket flagged with an error needs asking which: a plain EPOLLOUT is a connect that succeeded */
  if ((events & (EPOLLERR | EPOLLHUP)) && (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length) || error)) {
    connect_errors++;
    finish(c);
    if (mode == CHURN && !stopping) next_cycle(c, now);
    return;
  }
  opened_connection(c, now);
}

static void mismatch_at(conn *c, const uint8_t *data, size_t n) {
  uint64_t offset = (c->base + c->received) % period;
  for (size_t i = 0; i < n; i++) {
    if (data[i] == pattern[offset + i]) continue;
    mismatched_bytes++;
    uint64_t message = (c->received + i) / size;
    if (c->bad_mark != message + 1) { mismatches++; c->bad_mark = message + 1; }
    if (!first_mismatch_reported) {
      first_mismatch_reported = 1;
      fprintf(stderr, "loadgen: first mismatch on connection %ld, echoed byte %llu: expected 0x%02x, got 0x%02x%s\n",
              (long) (c - conns), (unsigned long long) (c->received + i), pattern[offset + i], data[i],
              greeting_lines ? "" : " (does the server send a greeting? --greeting-lines)");
    }
  }
}

/* --timeline: per TIMELINE_NS of the window, echoes completed, their longest latency, loadgen's longest loop gap. */
#define TIMELINE_NS 10000000ull
static uint64_t *tl_done, *tl_latency, *tl_gap, tl_slices, tl_last_pass;
static FILE *timeline_file;

static uint64_t *timeline_slot(uint64_t *slices, uint64_t now) {
  uint64_t slice = (now - window_start) / TIMELINE_NS;
  return &slices[slice < tl_slices ? slice : tl_slices - 1];
}

static void timeline_echo(uint64_t now, uint64_t latency) {
  if (!tl_slices) return;
  (*timeline_slot(tl_done, now))++;
  uint64_t *longest = timeline_slot(tl_latency, now);
  if (latency > *longest) *longest = latency;
}

static void timeline_pass(uint64_t now) {
  if (!tl_slices || !in_window) return;
  uint64_t *longest = timeline_slot(tl_gap, now);
  if (tl_last_pass && now - tl_last_pass > *longest) *longest = now - tl_last_pass;
  tl_last_pass = now;
}

static void write_timeline(void) {
  if (!tl_slices) return;
  fprintf(timeline_file, "# ms into the window\t%s completed\tlongest latency ms\tlongest loadgen loop gap ms\n",
          mode == CHURN ? "cycles" : "echoes");
  uint64_t last = (uint64_t) (window_seconds * 1e9) / TIMELINE_NS;
  for (uint64_t i = 0; i <= last && i < tl_slices; i++)
    fprintf(timeline_file, "%llu\t%llu\t%.2f\t%.2f\n", (unsigned long long) (i * TIMELINE_NS / 1000000), (unsigned long long) tl_done[i],
            tl_latency[i] / 1e6, tl_gap[i] / 1e6);
  fclose(timeline_file);
}

/* An echo (churn: a cycle) completed in the window, `latency` after it was sent (churn: connect began). */
static void window_echo(uint64_t now, uint64_t latency) {
  window_messages++;
  record_latency(latency);
  timeline_echo(now, latency);
}

static void message_done(conn *c, uint64_t message, uint64_t now) {
  total_messages++;
  if (mode == CHURN) {
    total_cycles++;
    if (in_window) { window_cycles++; window_echo(now, now - c->start_ns); }
    finish(c);
    if (!stopping) next_cycle(c, now);
    return;
  }
  if (in_window) window_echo(now, now - c->stamps[message % pipeline]);
  want_message(c, now);
}

/* Skips the greeting, checks the echoed bytes against the pattern, completes whole messages. */
static void consume(conn *c, const uint8_t *data, size_t n, uint64_t now) {
  while (c->greeting_left && n) {
    const uint8_t *newline = memchr(data, '\n', n);
    size_t taken = newline ? (size_t) (newline - data) + 1 : n;
    c->greeting_bytes += (uint32_t) taken;
    data += taken;
    n -= taken;
    if (newline) c->greeting_left--;
    if (c->greeting_bytes > MAX_GREETING) {
      greeting_errors++;
      fprintf(stderr, "loadgen: greeting longer than %d bytes on connection %ld: is the server in raw mode? (--greeting-lines)\n",
              MAX_GREETING, (long) (c - conns));
      broken(c, 0);
      return;
    }
  }
  if (!n) return;
  uint64_t owed_back = c->sent - c->received;
  if (n > owed_back) {
    if (!unexpected_bytes)
      fprintf(stderr, "loadgen: connection %ld received %zu bytes more than it sent\n", (long) (c - conns), n - (size_t) owed_back);
    unexpected_bytes += n - owed_back;
    n = (size_t) owed_back;
  }
  if (!n) return;
  if (memcmp(data, pattern + (c->base + c->received) % period, n)) mismatch_at(c, data, n);
  uint64_t first = c->received / size;
  c->received += n;
  c->last_rx_ns = now;
  uint64_t last = c->received / size;
  for (uint64_t m = first; m < last; m++) {
    message_done(c, m, now);
    if (c->state != OPEN) return;  /* a churn cycle ended */
  }
  if (last > first) flush_out(c);
}

/* Level-triggered: at most 4 reads, then the others' turn. Edge-triggered: until the socket is drained; a short read
 * drains it, unless the server has closed too (EPOLLRDHUP, EPOLLHUP, EPOLLERR): its last bytes and its close then come
 * in one edge, and the close is seen only by reading on (a refused client's ERR line and FIN, or its line and reset,
 * would leave the connection open until the client closed it). */
static void readable(conn *c, uint32_t events, uint64_t now) {
  static uint8_t buffer[READ_BUFFER];
  int closed = edge && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
  for (int reads = 0; (edge || reads < 4) && c->state == OPEN; reads++) {
    ssize_t n = read(c->fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno != EAGAIN) broken(c, 1);
      return;
    }
    if (n == 0) { broken(c, 0); return; }
    consume(c, buffer, (size_t) n, now);
    if ((size_t) n < sizeof buffer && !closed) return;
  }
}

static void open_more(uint64_t now) {
  if (mode == CHURN) return;
  long target = connections;
  if (rate > 0) {
    double allowed = rate * (double) (now - t0) / 1e9 + 1;
    if (allowed < target) target = (long) allowed;
  }
  while (opened < target && connecting < max_connecting) start_connect(&conns[opened], now);
}

static void begin_window(uint64_t now) {
  in_window = 1;
  window_start = now;
  window_end = now + (uint64_t) (duration * 1e9);
  client_cpu_start = self_cpu_micros();
  if (server_pid) { server_cpu_start = proc_cpu_micros(server_pid); server_rss_start = proc_rss_kib(server_pid); }
  if (mode == IDLE) fprintf(stderr, "loadgen: %ld connections open, holding them for %g s\n", connected, duration);
}

static void end_window(uint64_t now) {
  client_cpu_end = self_cpu_micros();
  if (server_pid) { server_cpu_end = proc_cpu_micros(server_pid); server_rss_end = proc_rss_kib(server_pid); }
  window_seconds = (double) (now - window_start) / 1e9;
  in_window = 0;
  stopping = 1;
}

static void run(void) {
  struct epoll_event events[512];
  uint64_t window_at = 0;  /* when the measured window begins, once known */
  t0 = now_ns();
  deadline = t0 + (uint64_t) (timeout_seconds * 1e9);
  if (mode == CHURN) {
    if (!cycle_rate) for (long i = 0; i < connections; i++) start_connect(&conns[i], t0);
    window_at = t0 + (uint64_t) (warmup * 1e9);
  }
  for (;;) {
    uint64_t now = now_ns();
    if (!window_at && resolved >= connections) window_at = now + (uint64_t) (warmup * 1e9);
    if (window_at && !in_window && !stopping && now >= window_at) begin_window(now);
    timeline_pass(now);
    if (in_window && now >= window_end) { end_window(now); break; }
    if (now >= deadline) { timed_out = 1; if (in_window) end_window(now); break; }
    if (mode == CHURN && connect_errors >= 1000 && !total_cycles) {
      fprintf(stderr, "loadgen: 1000 connects to %s:%d failed and none succeeded\n", host_text, port);
      break;
    }
    if (mode != CHURN && resolved >= connections && !connected) {
      fprintf(stderr, "loadgen: no connection to %s:%d succeeded\n", host_text, port);
      break;
    }
    if (cycle_rate && !stopping) release_cycles(now);
    if (churn_idle_slots && !stopping && !cycle_rate) {
      churn_idle_slots = 0;
      for (long i = 0; i < connections; i++) if (conns[i].state == CLOSED) start_connect(&conns[i], now);
    }
    open_more(now);
    if (message_rate) release_paced(now);
    int wait_ms = (opened < connections && mode != CHURN) || ready_head != ready_tail || cycle_rate ? 1 : 50;
    if (window_at && !in_window) {
      int until = (int) ((window_at > now ? window_at - now : 0) / 1000000) + 1;
      if (until < wait_ms) wait_ms = until;
    }
    if (in_window) {
      int until = (int) ((window_end - now) / 1000000) + 1;
      if (until < wait_ms) wait_ms = until;
    }
    int ready = epoll_wait(poller, events, 512, wait_ms);
    if (ready < 0) { if (errno == EINTR) continue; setup_error("epoll_wait"); }
    for (int i = 0; i < ready; i++) {
      conn *c = events[i].data.ptr;
      uint64_t at = now_ns();
      if (c->state == CONNECTING) connect_done(c, events[i].events, at);
      if (c->state == OPEN) {
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable(c, events[i].events, at);
        if (c->state == OPEN && c->want_out && (events[i].events & EPOLLOUT)) flush_out(c);
      }
    }
  }
}

/* Connections waiting for an echo (pingpong), the greeting (idle), or the end of their cycle (churn: connect,
 * greeting, echo) for longer than STALL_NS and than 10 times the mean latency (a slow server under many connections
 * is not a stalled one). The first is described on stderr. */
static long count_stalled(uint64_t now) {
  long stalled = 0;
  uint64_t limit = latency_count ? 10 * (latency_sum / latency_count) : 0;
  if (limit < STALL_NS) limit = STALL_NS;
  for (long i = 0; i < connections; i++) {
    conn *c = &conns[i];
    int waiting;
    if (mode == CHURN) waiting = (c->state == OPEN || c->state == CONNECTING) && now - c->start_ns > limit;
    else if (c->state != OPEN) waiting = 0;
    else waiting = (mode == IDLE ? c->greeting_left > 0 : c->received < c->owed) && now - c->last_rx_ns > limit;
    if (!waiting) continue;
    if (!stalled++)
      fprintf(stderr, "loadgen: connection %ld stalled: %s, greeting %s (%u bytes), %llu of %llu bytes sent, %llu echoed\n",
              i, c->state == CONNECTING ? "connecting" : "connected", c->greeting_left ? "awaited" : "read", c->greeting_bytes,
              (unsigned long long) c->sent, (unsigned long long) c->owed, (unsigned long long) c->received);
  }
  return stalled;
}

static void report(void) {
  uint64_t now = now_ns();
  long stalled = count_stalled(now), held = 0, greetings_pending = 0;
  for (long i = 0; i < connections && mode != CHURN; i++) {
    held += conns[i].state == OPEN;
    greetings_pending += conns[i].state == OPEN && conns[i].greeting_left > 0;
  }
  double w = window_seconds > 0 ? window_seconds : 1e-9;
  uint64_t units = mode == CHURN ? window_cycles : window_messages;
  int ok = !timed_out && !connect_errors && !early_closes && !socket_errors && !mismatches && !unexpected_bytes && !lost
    && !greeting_errors && !stalled && !greetings_pending && window_seconds > 0 && (mode == IDLE ? held == connections : units > 0);
  printf("{\"tool\":\"loadgen\",\"mode\":\"%s\",\"line\":%s,\"greetingLines\":%d,\"host\":\"%s\",\"port\":%d,",
         mode_name, line_mode ? "true" : "false", greeting_lines, host_text, port);
  printf("\"sources\":%ld,\"connections\":%ld,\"connected\":%ld,\"pipeline\":%ld,\"size\":%ld,\"rate\":%.0f,\"messageRate\":%.0f,\"cycleRate\":%.0f,",
         sources, connections, connected, mode == PINGPONG ? pipeline : 0, size, mode == CHURN ? 0 : rate, message_rate, cycle_rate);
  printf("\"warmupSeconds\":%g,\"durationSeconds\":%g,\"seconds\":%.3f,", warmup, duration, window_seconds);
  printf("\"messages\":%llu,\"messagesPerSecond\":%.1f,\"megabytesPerSecond\":%.3f,\"cycles\":%llu,\"connectionsPerSecond\":%.1f,",
         (unsigned long long) window_messages, window_messages / w, window_messages * (double) size / w / 1e6,
         (unsigned long long) window_cycles, window_cycles / w);
  printf("\"held\":%ld,\"totalMessages\":%llu,\"totalCycles\":%llu,", mode == IDLE ? held : 0,
         (unsigned long long) total_messages, (unsigned long long) total_cycles);
  printf("\"connectErrors\":%llu,\"earlyCloses\":%llu,\"socketErrors\":%llu,\"mismatches\":%llu,\"mismatchedBytes\":%llu,"
         "\"unexpectedBytes\":%llu,\"lost\":%llu,\"greetingErrors\":%llu,\"greetingsPending\":%ld,\"stalled\":%ld,\"timedOut\":%s,",
         (unsigned long long) connect_errors, (unsigned long long) early_closes, (unsigned long long) socket_errors,
         (unsigned long long) mismatches, (unsigned long long) mismatched_bytes, (unsigned long long) unexpected_bytes,
         (unsigned long long) lost, (unsigned long long) greeting_errors, greetings_pending, stalled, timed_out ? "true" : "false");
  printf("\"latencyMicros\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p99.9\":%.1f,\"max\":%.1f,\"mean\":%.1f,\"count\":%llu},",
         percentile_micros(50), percentile_micros(90), percentile_micros(99), percentile_micros(99.9), latency_max / 1000.0,
         latency_count ? latency_sum / 1000.0 / latency_count : 0.0, (unsigned long long) latency_count);
  double client = client_cpu_end - client_cpu_start;
  printf("\"client\":{\"cpuMicros\":%.0f,\"busy\":%.3f,\"microsPerUnit\":%.3f},", client, client / 1e6 / w,
         units ? client / units : 0.0);
  if (server_pid) {
    double server = server_cpu_end - server_cpu_start;
    int valid = server_cpu_start >= 0 && server_cpu_end >= 0;
    printf("\"server\":{\"pid\":%d,\"cpuMicros\":%.0f,\"busy\":%.3f,\"microsPerUnit\":%.3f,\"rssKiBStart\":%ld,\"rssKiBEnd\":%ld},",
           server_pid, valid ? server : -1, valid ? server / 1e6 / w : -1, valid && units ? server / units : -1,
           server_rss_start, server_rss_end);
  }
  printf("\"ok\":%s}\n", ok ? "true" : "false");
  fflush(stdout);
  write_timeline();
  exit(ok ? 0 : 1);
}

int main(int argc, char **argv) {
  parse(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  struct rlimit files;
  rlim_t need = (rlim_t) connections + 32;
  if (getrlimit(RLIMIT_NOFILE, &files)) setup_error("getrlimit");
  if (files.rlim_cur < need) {
    if (files.rlim_max < need) {
      fprintf(stderr, "loadgen: %ld connections need %lu open files; the limit is %lu (ulimit -n)\n", connections,
              (unsigned long) need, (unsigned long) files.rlim_max);
      return 2;
    }
    files.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &files)) setup_error("setrlimit");
  }
  edge = mode == CHURN;
  make_pattern();
  conns = calloc((size_t) connections, sizeof *conns);
  stamp_pool = calloc((size_t) connections * (size_t) pipeline, sizeof *stamp_pool);
  if (!conns || !stamp_pool) setup_error("calloc");
  for (long i = 0; i < connections; i++) { conns[i].fd = -1; conns[i].stamps = stamp_pool + i * pipeline; }
  ready_size = (uint64_t) connections * (uint64_t) pipeline;
  if (message_rate && !(ready = calloc(ready_size, sizeof *ready))) setup_error("calloc");
  if (timeline_path) {
    if (!(timeline_file = fopen(timeline_path, "w"))) {
      fprintf(stderr, "loadgen: cannot write %s: %s\n", timeline_path, strerror(errno));
      return 2;
    }
    tl_slices = (uint64_t) (duration * 1e9 / TIMELINE_NS) + 2;
    tl_done = calloc(tl_slices, sizeof *tl_done);
    tl_latency = calloc(tl_slices, sizeof *tl_latency);
    tl_gap = calloc(tl_slices, sizeof *tl_gap);
    if (!tl_done || !tl_latency || !tl_gap) setup_error("calloc");
  }
  poller = epoll_create1(0);
  if (poller < 0) setup_error("epoll_create1");
  run();
  report();
}
