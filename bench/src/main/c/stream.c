/*
 * The machine's throughput limits for ipckit's throughput table: a producer process and a consumer process
 * (fork) streaming SIZE-byte messages as fast as they can, counted by the consumer.
 *
 *   stream MODE SIZE MILLIS WARMUP_MILLIS [RING_BYTES]
 *
 * MODE is pipe or shm-spin. The consumer discards what arrives for WARMUP_MILLIS, then counts the messages
 * that arrive in MILLIS milliseconds and prints one line on stdout:
 *
 *   messages bytes nanoseconds
 *
 * Every message carries its sequence number in its first 8 bytes and the consumer checks it, so a lost,
 * repeated or torn message is an error (exit status 1), never a figure. RING_BYTES (default 1 MiB) is the pipe's
 * size (F_SETPIPE_SZ) or the ring's data size. The producer dies with the consumer (PR_SET_PDEATHSIG) and is
 * killed and reaped at the end. A failed call prints "stream: CALL: strerror" on stderr and exits 1.
 *
 *   pipe      one pipe; the producer makes one write(2) of SIZE bytes per message, the consumer reads each
 *             message with read(2) calls of what is left of it (one call when the pipe holds it whole)
 *   shm-spin  a single-producer single-consumer ring in a MAP_SHARED mapping, slots stamped with their
 *             sequence (never zeroed, never written by the consumer); both sides spin
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The ring: a header of two cache-line pairs, then SLOTS slots of SLOT bytes, SLOT = the 8-byte stamp word
 * and the message rounded up to 64 bytes (a 32-byte message and its stamp share one cache line).
 *
 *   0                128               256
 *   +----------------+-----------------+--------------------------------------------------+
 *   | head (consumer)| stop flag       | slot 0 | slot 1 | ... | slot SLOTS-1           |
 *   +----------------+-----------------+--------------------------------------------------+
 *
 *   slot:  0         8                       8 + SIZE        SLOT
 *          +---------+-----------------------+---------------+
 *          | stamp   | message (seq first)   | (padding)     |
 *          +---------+-----------------------+---------------+
 *
 * stamp = ((seq + 1) << 32) | SIZE, stored with release after the message: zeroed memory and an older lap
 * never read as the slot's current message. The consumer loads the stamp with acquire, reads the message, and
 * publishes its head (the next sequence it wants) with release once per 16 messages and whenever it finds the
 * ring empty; the producer reads the head only when its cached copy says the ring is full.
 */
struct header {
    _Alignas(128) _Atomic uint64_t head;
    _Alignas(128) _Atomic uint32_t stop;
};

#define HEADER_BYTES 256
#define HEAD_BATCH 16

static pid_t producer_pid = 0;

static void cleanup(void) {
    if (producer_pid > 0) {
        kill(producer_pid, SIGKILL);
        waitpid(producer_pid, NULL, 0);
        producer_pid = 0;
    }
}

static void on_terminate(int sig) {
    cleanup();
    _exit(128 + sig);
}

static void die(const char *call) {
    fprintf(stderr, "stream: %s: %s\n", call, strerror(errno));
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static long parse(const char *text, const char *name, long min) {
    char *end;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min) {
        fprintf(stderr, "stream: %s=%s is not a number of at least %ld\n", name, text, min);
        exit(2);
    }
    return value;
}

static void bad_sequence(uint64_t got, uint64_t expected) {
    fprintf(stderr, "stream: message %llu arrived as %llu: lost, repeated or torn\n",
            (unsigned long long) expected, (unsigned long long) got);
    exit(1);
}

static void pipe_producer(int fd, size_t size) {
    char *message = malloc(size);
    if (message == NULL) die("malloc");
    memset(message, 'x', size);
    for (uint64_t seq = 0;; seq++) {
        memcpy(message, &seq, sizeof seq);
        size_t put = 0;
        while (put < size) {
            const ssize_t n = write(fd, message + put, size - put);
            if (n > 0) {
                put += (size_t) n;
            } else if (errno != EINTR) {
                _exit(errno == EPIPE ? 0 : 1);
            }
        }
    }
}

/* One message from the pipe: the first read asks for the whole message, a short read asks for the rest. */
static void pipe_take(int fd, char *buffer, size_t size, uint64_t expected) {
    size_t got = 0;
    while (got < size) {
        const ssize_t n = read(fd, buffer + got, size - got);
        if (n > 0) {
            got += (size_t) n;
        } else if (n == 0) {
            fprintf(stderr, "stream: read: end of file: the producer ended\n");
            exit(1);
        } else if (errno != EINTR) {
            die("read");
        }
    }
    uint64_t seq;
    memcpy(&seq, buffer, sizeof seq);
    if (seq != expected) bad_sequence(seq, expected);
}

static void ring_producer(char *ring, size_t size, size_t slot, uint64_t slots) {
    struct header *h = (struct header *) ring;
    char *message = malloc(size);
    if (message == NULL) die("malloc");
    memset(message, 'x', size);
    uint64_t limit = slots; /* the sequence the producer may not reach: cached head + slots */
    for (uint64_t seq = 0; !atomic_load_explicit(&h->stop, memory_order_relaxed); seq++) {
        while (seq >= limit) {
            limit = atomic_load_explicit(&h->head, memory_order_acquire) + slots;
            if (seq >= limit) {
                if (atomic_load_explicit(&h->stop, memory_order_relaxed)) _exit(0);
                cpu_relax();
            }
        }
        char *s = ring + HEADER_BYTES + (seq % slots) * slot;
        memcpy(message, &seq, sizeof seq);
        memcpy(s + 8, message, size);
        atomic_store_explicit((_Atomic uint64_t *) s, ((seq + 1) << 32) | (uint64_t) size, memory_order_release);
    }
    _exit(0);
}

static void ring_take(char *ring, size_t size, size_t slot, uint64_t slots, uint64_t expected) {
    struct header *h = (struct header *) ring;
    char *s = ring + HEADER_BYTES + (expected % slots) * slot;
    const uint64_t stamp = ((expected + 1) << 32) | (uint64_t) size;
    while (atomic_load_explicit((_Atomic uint64_t *) s, memory_order_acquire) != stamp) {
        atomic_store_explicit(&h->head, expected, memory_order_release); /* found it empty: publish */
        cpu_relax();
    }
    uint64_t seq;
    memcpy(&seq, s + 8, sizeof seq);
    if (seq != expected) bad_sequence(seq, expected);
    if ((expected + 1) % HEAD_BATCH == 0) {
        atomic_store_explicit(&h->head, expected + 1, memory_order_release);
    }
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: stream pipe|shm-spin SIZE MILLIS WARMUP_MILLIS [RING_BYTES]\n");
        return 2;
    }
    const char *mode = argv[1];
    const size_t size = (size_t) parse(argv[2], "SIZE", 8);
    const long millis = parse(argv[3], "MILLIS", 1);
    const long warmup_millis = parse(argv[4], "WARMUP_MILLIS", 0);
    const size_t ring_bytes = argc == 6 ? (size_t) parse(argv[5], "RING_BYTES", 4096) : 1u << 20;
    const int is_pipe = strcmp(mode, "pipe") == 0;
    if (!is_pipe && strcmp(mode, "shm-spin") != 0) {
        fprintf(stderr, "stream: unknown mode '%s'\n", mode);
        return 2;
    }
    const size_t slot = (8 + size + 63) / 64 * 64;
    const uint64_t slots = ring_bytes / slot >= 2 ? ring_bytes / slot : 2;
    char *ring = NULL;
    int fds[2] = {-1, -1};
    if (is_pipe) {
        if (pipe(fds) < 0) die("pipe");
        if (fcntl(fds[1], F_SETPIPE_SZ, (int) ring_bytes) < 0) die("fcntl(F_SETPIPE_SZ)");
    } else {
        ring = mmap(NULL, HEADER_BYTES + slots * slot, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (ring == MAP_FAILED) die("mmap");
    }
    atexit(cleanup);
    struct sigaction terminate;
    memset(&terminate, 0, sizeof terminate);
    terminate.sa_handler = on_terminate;
    sigemptyset(&terminate.sa_mask);
    if (sigaction(SIGTERM, &terminate, NULL) < 0 || sigaction(SIGINT, &terminate, NULL) < 0) die("sigaction");
    signal(SIGPIPE, SIG_IGN); /* the producer sees EPIPE when the consumer is gone, and exits */
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("prctl(PR_SET_PDEATHSIG)");
        if (getppid() != parent) _exit(1);
        if (is_pipe) {
            close(fds[0]);
            pipe_producer(fds[1], size);
        }
        ring_producer(ring, size, slot, slots);
    }
    producer_pid = child;
    if (is_pipe) close(fds[1]);
    char *buffer = malloc(size);
    if (buffer == NULL) die("malloc");
    uint64_t expected = 0;
    /* The clock is read once per 64 messages: a read of CLOCK_MONOTONIC is not free beside a 32-byte message. */
    const uint64_t warmup_end = now_ns() + (uint64_t) warmup_millis * 1000000ull;
    while (now_ns() < warmup_end) {
        for (int i = 0; i < 64; i++, expected++) {
            if (is_pipe) pipe_take(fds[0], buffer, size, expected);
            else ring_take(ring, size, slot, slots, expected);
        }
    }
    const uint64_t start = now_ns();
    const uint64_t first = expected;
    const uint64_t end_at = start + (uint64_t) millis * 1000000ull;
    uint64_t end;
    while ((end = now_ns()) < end_at) {
        for (int i = 0; i < 64; i++, expected++) {
            if (is_pipe) pipe_take(fds[0], buffer, size, expected);
            else ring_take(ring, size, slot, slots, expected);
        }
    }
    const uint64_t messages = expected - first;
    if (!is_pipe) atomic_store_explicit(&((struct header *) ring)->stop, 1, memory_order_relaxed);
    cleanup();
    printf("%llu %llu %llu\n", (unsigned long long) messages, (unsigned long long) (messages * size),
           (unsigned long long) (end - start));
    return 0;
}
