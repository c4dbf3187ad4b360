/*
 * The machine's limits for ipckit's round-trip table: one C program per mechanism, two processes
 * (fork), 32-byte messages, a round trip timed with CLOCK_MONOTONIC.
 *
 *   pingpong MODE ROUNDS WARMUP OUT
 *
 * MODE is shm-spin, pipe, pipe-spin, fifo, signal or futex. After WARMUP untimed round trips, ROUNDS
 * round trips are timed and their latencies in nanoseconds written to OUT as little-endian int64s.
 * Exit status 0 on success; a failed call prints "pingpong: CALL: strerror" on stderr and exits 1.
 *
 *   shm-spin   a MAP_SHARED page; each side spins on the other's sequence word (acquire/release)
 *   pipe       two pipes, blocking read(2)/write(2)
 *   pipe-spin  two O_NONBLOCK pipes, read(2) retried on EAGAIN
 *   fifo       two named FIFOs (mkfifo in a fresh mkdtemp directory), blocking read(2)/write(2)
 *   signal     a MAP_SHARED page for the payload; each side sleeps in sigwaitinfo(2) on a blocked
 *              real-time signal and the other wakes it with kill(2)
 *   futex      a MAP_SHARED page; each side sleeps in FUTEX_WAIT on the other's sequence word and is
 *              woken with FUTEX_WAKE (shared, not private)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 32

struct shared {
    _Alignas(128) _Atomic uint32_t ping; /* sequence written by the parent */
    _Alignas(128) _Atomic uint32_t pong; /* sequence written by the child */
    _Alignas(128) char request[MSG];
    _Alignas(128) char reply[MSG];
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
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

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: pingpong shm-spin|pipe|pipe-spin|fifo|signal|futex ROUNDS WARMUP OUT\n");
        return 2;
    }
    const char *mode = argv[1];
    const long rounds = atol(argv[2]);
    const long warmup = atol(argv[3]);
    const long total = rounds + warmup;
    int64_t *samples = calloc((size_t) rounds, sizeof(int64_t));
    if (samples == NULL) die("calloc");

    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) die("mmap");
    int to_child[2] = {-1, -1}, to_parent[2] = {-1, -1};
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
    char dir[] = "/tmp/ipckit-pingpong.XXXXXX", a_path[64], b_path[64];
    if (is_pipe) {
        if (pipe2(to_child, spin ? O_NONBLOCK : 0) < 0 || pipe2(to_parent, spin ? O_NONBLOCK : 0) < 0) die("pipe2");
    }
    if (is_fifo) {
        if (mkdtemp(dir) == NULL) die("mkdtemp");
        snprintf(a_path, sizeof a_path, "%s/a", dir);
        snprintf(b_path, sizeof b_path, "%s/b", dir);
        if (mkfifo(a_path, 0600) < 0 || mkfifo(b_path, 0600) < 0) die("mkfifo");
    }
    const int sig = SIGRTMIN + 4;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    if (is_signal && sigprocmask(SIG_BLOCK, &set, NULL) < 0) die("sigprocmask"); /* inherited by the child */
    const pid_t parent = getpid();

    pid_t child = fork();
    if (child < 0) die("fork");
    char buf[MSG];
    if (child == 0) {
        int in = to_child[0], out = to_parent[1];
        if (is_fifo) {
            if ((in = open(a_path, O_RDONLY)) < 0) die("open");
            if ((out = open(b_path, O_WRONLY)) < 0) die("open");
        }
        for (long i = 1; i <= total; i++) {
            if (is_pipe || is_fifo) {
                full_read(in, buf, MSG, spin);
                full_write(out, buf, MSG);
            } else if (is_shm) {
                while (atomic_load_explicit(&sh->ping, memory_order_acquire) != (uint32_t) i) {
                    cpu_relax();
                }
                memcpy(sh->reply, sh->request, MSG);
                atomic_store_explicit(&sh->pong, (uint32_t) i, memory_order_release);
            } else if (is_futex) {
                futex_await_change(&sh->ping, (uint32_t) (i - 1));
                memcpy(sh->reply, sh->request, MSG);
                atomic_store_explicit(&sh->pong, (uint32_t) i, memory_order_release);
                if (futex(&sh->pong, FUTEX_WAKE, 1) < 0) die("futex(FUTEX_WAKE)");
            } else {
                await_signal(&set, &sh->ping, (uint32_t) i);
                memcpy(sh->reply, sh->request, MSG);
                atomic_store_explicit(&sh->pong, (uint32_t) i, memory_order_release);
                if (kill(parent, sig) < 0) die("kill");
            }
        }
        _exit(0);
    }

    int out = to_child[1], in = to_parent[0];
    if (is_fifo) {
        if ((out = open(a_path, O_WRONLY)) < 0) die("open");
        if ((in = open(b_path, O_RDONLY)) < 0) die("open");
    }
    memset(buf, 'x', MSG);
    for (long i = 1; i <= total; i++) {
        const uint64_t start = now_ns();
        if (is_pipe || is_fifo) {
            full_write(out, buf, MSG);
            full_read(in, buf, MSG, spin);
        } else if (is_shm) {
            memcpy(sh->request, buf, MSG);
            atomic_store_explicit(&sh->ping, (uint32_t) i, memory_order_release);
            while (atomic_load_explicit(&sh->pong, memory_order_acquire) != (uint32_t) i) {
                cpu_relax();
            }
            memcpy(buf, sh->reply, MSG);
        } else if (is_futex) {
            memcpy(sh->request, buf, MSG);
            atomic_store_explicit(&sh->ping, (uint32_t) i, memory_order_release);
            if (futex(&sh->ping, FUTEX_WAKE, 1) < 0) die("futex(FUTEX_WAKE)");
            futex_await_change(&sh->pong, (uint32_t) (i - 1));
            memcpy(buf, sh->reply, MSG);
        } else {
            memcpy(sh->request, buf, MSG);
            atomic_store_explicit(&sh->ping, (uint32_t) i, memory_order_release);
            if (kill(child, sig) < 0) die("kill");
            await_signal(&set, &sh->pong, (uint32_t) i);
            memcpy(buf, sh->reply, MSG);
        }
        const uint64_t end = now_ns();
        if (i > warmup) samples[i - warmup - 1] = (int64_t) (end - start);
    }
    int status;
    if (waitpid(child, &status, 0) < 0) die("waitpid");
    if (is_fifo) {
        unlink(a_path);
        unlink(b_path);
        rmdir(dir);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pingpong: the echo process failed\n");
        return 1;
    }
    FILE *f = fopen(argv[4], "wb");
    if (f == NULL) die("fopen");
    if (fwrite(samples, sizeof(int64_t), (size_t) rounds, f) != (size_t) rounds) die("fwrite");
    if (fclose(f) != 0) die("fclose");
    return 0;
}
