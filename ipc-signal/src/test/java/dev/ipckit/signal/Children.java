package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.ipckit.spi.JavaCommand;

/**
 * Starting child processes and waiting on conditions with deadlines, for the cross-process tests.
 */
final class Children {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private Children() {
    }

    /**
     * @param args the arguments of {@link DoorbellPeer}.
     * @return the command line of a child JVM running it.
     */
    static List<String> peerCommand(final List<String> args) {
        return JavaCommand.of(DoorbellPeer.class, args);
    }

    static Process start(final List<String> command) {
        try {
            return new ProcessBuilder(command).inheritIO().start();
        } catch (final IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    static Process startPeer(final List<String> args) {
        return start(peerCommand(args));
    }

    /**
     * Waits until a child has written a file (atomically, by rename) and returns its text; fails when the child
     * exits first or the deadline passes.
     */
    static String awaitFile(final Path file, final Process child) throws IOException {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            if (!child.isAlive()) {
                fail("child " + child.pid() + " exited with " + child.exitValue() + " before writing " + file);
            }
            if (System.nanoTime() - deadline > 0) {
                fail("child " + child.pid() + " did not write " + file + " within " + DEADLINE);
            }
            LockSupport.parkNanos(1_000_000);
        }
        return Files.readString(file);
    }

    static int awaitExit(final Process child) throws InterruptedException {
        if (!child.waitFor(DEADLINE.toNanos(), TimeUnit.NANOSECONDS)) {
            fail("child " + child.pid() + " still runs after " + DEADLINE);
        }
        return child.exitValue();
    }

    static void awaitCondition(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not true within " + DEADLINE + ": " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    static void kill(final Process child) throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
