/*
 * A minimal C echo server for the benchmark's baseline (RFC 862, no greeting): one thread per core it may run on (its
 * CPU affinity: under `taskset -c 1`, one thread), each with its own SO_REUSEPORT listening socket and epoll loop; the
 * kernel spreads connections across them. A client that does not read has its unsent bytes kept and is not read from
 * until they are written (backpressure).
 * Built by src/bench/start-baseline.sh with cc. Usage: epoll-echo PORT [THREADS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER 16384

typedef struct { int fd; size_t pending, offset; char data[BUFFER]; } conn;

static int port;

static int listener(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (bind(fd, (struct sockaddr *) &address, sizeof address) || listen(fd, 4096)) { perror("bind/listen"); exit(1); }
  return fd;
}

/* Writes what is pending; returns 0 when all was written, 1 when the socket is full, -1 on error. */
static int flush(conn *c) {
  while (c->pending > 0) {
    ssize_t n = write(c->fd, c->data + c->offset, c->pending);
    if (n < 0) return errno == EAGAIN ? 1 : -1;
    c->offset += n; c->pending -= n;
  }
  return 0;
}

static void *loop(void *unused) {
  int server = listener(), poll = epoll_create1(0), one = 1;
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL }, events[256];
  epoll_ctl(poll, EPOLL_CTL_ADD, server, &event);
  for (;;) {
    int ready = epoll_wait(poll, events, 256, -1);
    for (int i = 0; i < ready; i++) {
      conn *c = events[i].data.ptr;
      if (c == NULL) {
        int fd;
        while ((fd = accept4(server, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn *accepted = calloc(1, sizeof *accepted);
          accepted->fd = fd;
          struct epoll_event add = { .events = EPOLLIN, .data.ptr = accepted };
          epoll_ctl(poll, EPOLL_CTL_ADD, fd, &add);
        }
        continue;
      }
      int state = flush(c);
      while (state == 0) {
        ssize_t n = read(c->fd, c->data, BUFFER);
        if (n == 0 || (n < 0 && errno != EAGAIN)) { state = -1; break; }
        if (n < 0) break;
        c->pending = n; c->offset = 0;
        state = flush(c);
      }
      if (state < 0) { close(c->fd); free(c); continue; }
      struct epoll_event next = { .events = state == 1 ? EPOLLOUT : EPOLLIN, .data.ptr = c };
      epoll_ctl(poll, EPOLL_CTL_MOD, c->fd, &next);
    }
  }
  (void) unused;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]); return 2; }
  port = atoi(argv[1]);
  cpu_set_t cpus;
  int threads = argc > 2 ? atoi(argv[2]) : sched_getaffinity(0, sizeof cpus, &cpus) ? (int) sysconf(_SC_NPROCESSORS_ONLN) : CPU_COUNT(&cpus);
  pthread_t thread;
  for (int i = 1; i < threads; i++) pthread_create(&thread, NULL, loop, NULL);
  printf("epoll-echo listening on port %d with %d threads\n", port, threads);
  fflush(stdout);
  loop(NULL);
}
