package dev.ipckit.mmap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.ProcessPeer;
import dev.ipckit.spi.JavaCommand;

/**
 * Starts {@link MmapTestPeer} in child JVMs, with stdout captured to a file the test reads afterwards.
 */
final class MmapPeers {
    private MmapPeers() {
    }

    /**
     * A child JVM whose standard output goes to a file.
     */
    static final class Child extends ProcessPeer {
        private final Path output;

        Child(final Process process, final Path output) {
            super(process);
            this.output = output;
        }

        /**
         * @return what the child printed so far, line by line.
         */
        List<String> output() {
            try {
                return Files.readAllLines(output, StandardCharsets.UTF_8);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Starts {@code MmapTestPeer args...}; stderr is inherited so that complaints reach the test report.
     *
     * @param dir where the output file goes.
     * @param args the peer's arguments.
     * @return the child.
     */
    static Child start(final Path dir, final List<String> args) {
        final Path output = dir.resolve("peer-" + System.nanoTime() + ".out");
        final ProcessBuilder builder = new ProcessBuilder(JavaCommand.of(MmapTestPeer.class, args))
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            return new Child(builder.start(), output);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e.getMessage(), e);
        }
    }

    /**
     * Waits for a child's ready file.
     *
     * @param file the ready file.
     * @param child the child that creates it.
     * @param timeout the longest wait.
     */
    static void awaitReady(final Path file, final Peer child, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("child " + child.pid() + " did not get ready within " + timeout);
            }
            final Integer exit = child.awaitExit(Duration.ofMillis(5));
            if (exit != null) {
                throw new AssertionError("child " + child.pid() + " exited with " + exit + " before getting ready");
            }
        }
    }
}
