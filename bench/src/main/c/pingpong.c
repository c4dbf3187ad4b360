/*
 * The machine's limits for ipckit's round-trip table: one C program per mechanism, two processes
 * (fork), 32-byte messages, a round trip timed with CLOCK_MONOTONIC.
 *
 *   pingpong MODE ROUNDS WARMUP OUT [MAX_MILLIS [WARMUP_MAX_MILLIS]]
 *
 * MODE is shm-spin, pipe, pipe-spin, fifo, signal or futex. After WARMUP untimed round trips, ROUNDS
 * round trips are timed and their latencies in nanoseconds written to OUT as little-endian int64s (the
 * host's byte order; ipckit runs on little-endian x86_64 and aarch64). With MAX_MILLIS, the timed part
 * stops after that many milliseconds even if fewer than ROUNDS were done, and OUT holds the ones done;
 * with WARMUP_MAX_MILLIS, the warm-up stops after that many milliseconds.
 * Exit status 0 on success; a failed call prints "pingpong: CALL: strerror" on stderr and exits 1.
 * The echo process dies with its parent (PR_SET_PDEATHSIG); on SIGTERM or SIGINT the parent kills and reaps
 * it and exits 128 + the signal; the FIFOs are removed on every exit but SIGKILL.
 *
 *   shm-spin   a MAP_SHARED page; each side spins on the sequence word of the other's message slot
 *   pipe       two pipes, blocking read(2)/write(2)
 *   pipe-spin  two O_NONBLOCK pipes, read(2) retried on EAGAIN
 *   fifo       two named FIFOs (mkfifo in a fresh mkdtemp directory under $TMPDIR or /tmp), blocking
 *              read(2)/write(2)
 *   signal     a MAP_SHARED page for the payload; each side sleeps in sigwaitinfo(2) on a blocked
 *              real-time signal and the other wakes it with kill(2)
 *   futex      a MAP_SHARED page; each side sleeps in FUTEX_WAIT on the other's sequence word and is
 *              woken with FUTEX_WAKE (shared, not private)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 32

/*
 * One message slot: the sequence word and the payload share a cache line, so a message costs one line
 * transfer, as in a ring buffer whose record header sits beside its payload. The writer copies the payload,
 * then stores the sequence with release; the reader loads the sequence with acquire, then copies.
 *
 *    0      4                                    36            128
 *   +------+------------------------------------+-------------+
 *   | seq  | data (MSG = 32 bytes)              | (padding)   |
 *   +------+------------------------------------+-------------+
 */
struct slot {
    _Atomic uint32_t seq;
    char data[MSG];
};

struct shared {
    _Alignas(128) struct slot ping; /* written by the parent */
    _Alignas(128) struct slot pong; /* written by the child */
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* What the parent must undo on any exit: the echo process to reap, the FIFO directory to remove. */
static pid_t echo_pid = 0;
static char fifo_dir[256] = "";
static char fifo_a[272] = "", fifo_b[272] = "";

static void cleanup(void) {
    if (echo_pid > 0) {
        kill(echo_pid, SIGKILL);
        waitpid(echo_pid, NULL, 0);
        echo_pid = 0;
    }
    if (fifo_dir[0] != '\0') {
        unlink(fifo_a);
        unlink(fifo_b);
        rmdir(fifo_dir);
        fifo_dir[0] = '\0';
    }
}

/* SIGTERM or SIGINT in the parent: reap the echo process, remove the FIFOs, and go (all async-signal-safe). */
static void on_terminate(int sig) {
    cleanup();
    _exit(128 + sig);
}

static void die(const char *call) {
    fprintf(stderr, "pingpong: %s: %s\n", call, strerror(errno));
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static void full_read(int fd, char *buf, size_t len, int spin) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n > 0) {
            got += (size_t) n;
        } else if (n == 0) {
            fprintf(stderr, "pingpong: read: end of file\n");
            exit(1);
        } else if (!(spin && errno == EAGAIN) && errno != EINTR) {
            die("read");
        }
    }
}

static void full_write(int fd, const char *buf, size_t len) {
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, buf + put, len - put);
        if (n > 0) {
            put += (size_t) n;
        } else if (errno != EAGAIN && errno != EINTR) {
            die("write");
        }
    }
}

static long futex(_Atomic uint32_t *word, int op, uint32_t value) {
    return syscall(SYS_futex, (uint32_t *) word, op, value, NULL, NULL, 0);
}

static void futex_await_change(_Atomic uint32_t *word, uint32_t old) {
    while (atomic_load_explicit(word, memory_order_acquire) == old) {
        if (futex(word, FUTEX_WAIT, old) < 0 && errno != EAGAIN && errno != EINTR) {
            die("futex(FUTEX_WAIT)");
        }
    }
}

/* Exactly one sigwaitinfo per round: every kill queues one real-time signal, every round takes one. */
static void await_signal(const sigset_t *set, _Atomic uint32_t *word, uint32_t expected) {
    siginfo_t info;
    while (sigwaitinfo(set, &info) < 0) {
        if (errno != EINTR) die("sigwaitinfo");
    }
    if (atomic_load_explicit(word, memory_order_acquire) != expected) {
        fprintf(stderr, "pingpong: woken before the message was published\n");
        exit(1);
    }
}

static long parse_count(const char *text, const char *name) {
    char *end;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) {
        fprintf(stderr, "pingpong: %s=%s is not a count (0 or more)\n", name, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: pingpong shm-spin|pipe|pipe-spin|fifo|signal|futex ROUNDS WARMUP OUT "
                        "[MAX_MILLIS [WARMUP_MAX_MILLIS]]\n");
        return 2;
    }
    const char *mode = argv[1];
    const long rounds = parse_count(argv[2], "ROUNDS");
    const long warmup = parse_count(argv[3], "WARMUP");
    const long max_millis = argc >= 6 ? parse_count(argv[5], "MAX_MILLIS") : 0;
    const long warmup_max_millis = argc == 7 ? parse_count(argv[6], "WARMUP_MAX_MILLIS") : 0;
    if (warmup > LONG_MAX - rounds) {
        fprintf(stderr, "pingpong: ROUNDS + WARMUP = %s + %s is too many\n", argv[2], argv[3]);
        return 2;
    }
    const long total = rounds + warmup;
    int64_t *samples = calloc(rounds > 0 ? (size_t) rounds : 1, sizeof(int64_t));
    if (samples == NULL) die("calloc");

    const int spin = strcmp(mode, "pipe-spin") == 0;
    const int is_pipe = strcmp(mode, "pipe") == 0 || spin;
    const int is_fifo = strcmp(mode, "fifo") == 0;
    const int is_signal = strcmp(mode, "signal") == 0;
    const int is_futex = strcmp(mode, "futex") == 0;
    const int is_shm = strcmp(mode, "shm-spin") == 0;
    if (!(is_pipe || is_fifo || is_signal || is_futex || is_shm)) {
        fprintf(stderr, "pingpong: unknown mode '%s'\n", mode);
        return 2;
    }
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) die("mmap");
    int to_child[2] = {-1, -1}, to_parent[2] = {-1, -1};
    if (is_pipe) {
        if (pipe2(to_child, spin ? O_NONBLOCK : 0) < 0 || pipe2(to_parent, spin ? O_NONBLOCK : 0) < 0) die("pipe2");
    }
    atexit(cleanup);
    struct sigaction terminate;
    memset(&terminate, 0, sizeof terminate);
    terminate.sa_handler = on_terminate;
    sigemptyset(&terminate.sa_mask);
    if (sigaction(SIGTERM, &terminate, NULL) < 0 || sigaction(SIGINT, &terminate, NULL) < 0) die("sigaction");
    if (is_fifo) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fifo_dir, sizeof fifo_dir, "%s/ipckit-pingpong.XXXXXX",
                 tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
        if (mkdtemp(fifo_dir) == NULL) {
            fifo_dir[0] = '\0';
            die("mkdtemp");
        }
        snprintf(fifo_a, sizeof fifo_a, "%s/a", fifo_dir);
        snprintf(fifo_b, sizeof fifo_b, "%s/b", fifo_dir);
        if (mkfifo(fifo_a, 0600) < 0 || mkfifo(fifo_b, 0600) < 0) die("mkfifo");
    }
    const int sig = SIGRTMIN + 4;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    if (is_signal && sigprocmask(SIG_BLOCK, &set, NULL) < 0) die("sigprocmask"); /* inherited by the child */
    const pid_t parent = getpid();

    const pid_t child = fork();
    if (child < 0) die("fork");
    char buf[MSG];
    if (child == 0) {
        /* The echo process: never outlives the parent, never runs the parent's exit or signal handlers. */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("prctl(PR_SET_PDEATHSIG)");
        if (getppid() != parent) _exit(1);
        fifo_dir[0] = '\0';
        int in = to_child[0], out = to_parent[1];
        if (is_fifo) {
            if ((in = open(fifo_a, O_RDONLY)) < 0) die("open");
            if ((out = open(fifo_b, O_WRONLY)) < 0) die("open");
        }
        for (long i = 1; i <= total; i++) {
            if (is_pipe || is_fifo) {
                full_read(in, buf, MSG, spin);
                full_write(out, buf, MSG);
            } else if (is_shm) {
                while (atomic_load_explicit(&sh->ping.seq, memory_order_acquire) != (uint32_t) i) {
                    cpu_relax();
                }
                memcpy(sh->pong.data, sh->ping.data, MSG);
                atomic_store_explicit(&sh->pong.seq, (uint32_t) i, memory_order_release);
            } else if (is_futex) {
                futex_await_change(&sh->ping.seq, (uint32_t) (i - 1));
                memcpy(sh->pong.data, sh->ping.data, MSG);
                atomic_store_explicit(&sh->pong.seq, (uint32_t) i, memory_order_release);
                if (futex(&sh->pong.seq, FUTEX_WAKE, 1) < 0) die("futex(FUTEX_WAKE)");
            } else {
                await_signal(&set, &sh->ping.seq, (uint32_t) i);
                memcpy(sh->pong.data, sh->ping.data, MSG);
                atomic_store_explicit(&sh->pong.seq, (uint32_t) i, memory_order_release);
                if (kill(parent, sig) < 0) die("kill");
            }
        }
        _exit(0);
    }
    echo_pid = child;

    int out = to_child[1], in = to_parent[0];
    if (is_fifo) {
        if ((out = open(fifo_a, O_WRONLY)) < 0) die("open");
        if ((in = open(fifo_b, O_RDONLY)) < 0) die("open");
    }
    memset(buf, 'x', MSG);
    /* The echo process counts round trips only to know when to stop: when the warm-up is cut short, the
     * timed part ends by count or time before the echo process's count runs out, and it is killed below. */
    uint64_t deadline = UINT64_MAX;
    const uint64_t warmup_deadline = warmup_max_millis > 0
        ? now_ns() + (uint64_t) warmup_max_millis * 1000000ull : UINT64_MAX;
    long warmed = warmup;
    long done = 0;
    for (long i = 1; i <= total; i++) {
        if (i <= warmed && i > 1 && now_ns() >= warmup_deadline) {
            warmed = i - 1;
        }
        if (i == warmed + 1 && max_millis > 0) {
            deadline = now_ns() + (uint64_t) max_millis * 1000000ull;
        }
        const uint64_t start = now_ns();
        if (is_pipe || is_fifo) {
            full_write(out, buf, MSG);
            full_read(in, buf, MSG, spin);
        } else if (is_shm) {
            memcpy(sh->ping.data, buf, MSG);
            atomic_store_explicit(&sh->ping.seq, (uint32_t) i, memory_order_release);
            while (atomic_load_explicit(&sh->pong.seq, memory_order_acquire) != (uint32_t) i) {
                cpu_relax();
            }
            memcpy(buf, sh->pong.data, MSG);
        } else if (is_futex) {
            memcpy(sh->ping.data, buf, MSG);
            atomic_store_explicit(&sh->ping.seq, (uint32_t) i, memory_order_release);
            if (futex(&sh->ping.seq, FUTEX_WAKE, 1) < 0) die("futex(FUTEX_WAKE)");
            futex_await_change(&sh->pong.seq, (uint32_t) (i - 1));
            memcpy(buf, sh->pong.data, MSG);
        } else {
            memcpy(sh->ping.data, buf, MSG);
            atomic_store_explicit(&sh->ping.seq, (uint32_t) i, memory_order_release);
            if (kill(child, sig) < 0) die("kill");
            await_signal(&set, &sh->pong.seq, (uint32_t) i);
            memcpy(buf, sh->pong.data, MSG);
        }
        const uint64_t end = now_ns();
        if (i > warmed) {
            samples[done++] = (int64_t) (end - start);
            if (done == rounds || end >= deadline) break; /* the echo process is killed and reaped below */
        }
    }
    int status;
    const int cut_short = done < rounds || warmed < warmup; /* the echo process still expects round trips */
    if (cut_short) {
        kill(child, SIGKILL);
    }
    if (waitpid(child, &status, 0) < 0) die("waitpid");
    echo_pid = 0;
    if (!cut_short && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "pingpong: the echo process failed\n");
        return 1;
    }
    FILE *f = fopen(argv[4], "wb");
    if (f == NULL) die("fopen");
    if (done > 0 && fwrite(samples, sizeof(int64_t), (size_t) done, f) != (size_t) done) die("fwrite");
    if (fclose(f) != 0) die("fclose");
    return 0;
}
