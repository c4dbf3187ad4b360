package dev.ipckit.signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * The child side of the cross-process signal tests. Usage:
 *
 * <pre>
 * pong PARENT_BELL CHILD_BELL ROUNDS READY RESULT   create CHILD_BELL and open PARENT_BELL; ROUNDS times wait for
 *                                                   a ring and ring back; write the counters to RESULT
 * sleep BELL READY                                  create BELL and wait on it until killed
 * tgkill PID TID SIGNAL                             send one thread-directed signal, as a stranger would
 * </pre>
 *
 * A READY file is written once the bells are open; it holds "pid tid". Exit codes: 0 success, 2 a check
 * failed, 3 timed out, 4 bad usage.
 */
public final class DoorbellPeer {
    /** How long one wait may take before the peer gives up: far above any round trip. */
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(20);

    private DoorbellPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        switch (args[0]) {
            case "pong" -> pong(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Path.of(args[4]),
                Path.of(args[5]));
            case "sleep" -> sleep(Path.of(args[1]), Path.of(args[2]));
            case "tgkill" -> System.exit(PosixSignals.tgkill(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3])) == 0 ? 0 : 2);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: pong PARENT_BELL CHILD_BELL ROUNDS READY RESULT | sleep BELL READY"
            + " | tgkill PID TID SIGNAL");
        System.exit(4);
    }

    private static void pong(final Path parentBell, final Path childBell, final int rounds, final Path ready,
                             final Path result) throws Exception {
        try (Doorbell mine = Doorbell.create(childBell, new Doorbell.Context().spin(Duration.ZERO));
             Doorbell theirs = Doorbell.open(parentBell)) {
            // Widen the window between the waiter's last check and its sleep by 0..31 us, so that many rings land
            // in it: the wake-up must then be a signal already pending when sigtimedwait starts.
            final long[] window = new long[2]; // [0] round, [1] rings that landed in the window
            mine.beforeSleep(() -> {
                final long before = mine.lvRings();
                final long end = System.nanoTime() + (window[0] % 32) * 1_000;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                if (mine.lvRings() != before) {
                    window[1]++;
                }
            });
            ready(ready, PosixProcess.gettid());
            for (int i = 0; i < rounds; i++) {
                window[0] = i;
                if (!mine.await(ROUND_TIMEOUT)) {
                    System.err.println("peer: round " + i + " of " + rounds + ": no ring within " + ROUND_TIMEOUT);
                    System.exit(3);
                }
                theirs.ring();
            }
            final String counters = rounds + " " + mine.sleeps() + " " + mine.missedWakeups() + " "
                + mine.strangersIgnored() + " " + window[1] + " " + theirs.signalsSent();
            write(result, counters);
        }
    }

    private static void sleep(final Path bell, final Path ready) throws Exception {
        try (Doorbell mine = Doorbell.create(bell)) {
            ready(ready, PosixProcess.gettid());
            final long end = System.nanoTime() + ROUND_TIMEOUT.toNanos() * 3; // the test kills this process first
            while (System.nanoTime() - end < 0) {
                mine.await(ROUND_TIMEOUT);
            }
            System.exit(3);
        }
    }

    private static void ready(final Path ready, final int tid) throws Exception {
        write(ready, PosixProcess.getpid() + " " + tid);
    }

    private static void write(final Path file, final String text) throws Exception {
        final Path tmp = Path.of(file + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
