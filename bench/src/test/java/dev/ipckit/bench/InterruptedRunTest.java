package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped with SIGTERM while its children take turns (some of them stopped with SIGSTOP) leaves no process
 * and no file behind.
 */
class InterruptedRunTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void shouldEndEveryChildAndRemoveEveryFileWhenTheRunIsTerminatedBetweenSegments() throws Exception {
        final Path log = dir.resolve("bench.log");
        final Process bench = new ProcessBuilder(JavaChild.command(PingPongBench.class, List.of("--quick", "--out",
            dir.resolve("out").toString(), "mmap/spin", "agrona/raw", "c/shm-spin")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(log.toFile())
            .start();
        try {
            awaitLine(log, "round 1/8", bench);
            final List<ProcessHandle> children = bench.descendants().toList();
            assertTrue(children.size() >= 2, "the echo processes run: " + children);
            bench.destroy(); // SIGTERM, while the echo processes of the rows not being measured are stopped
            assertTrue(bench.waitFor(60, TimeUnit.SECONDS), "the run ends on SIGTERM");
            for (final ProcessHandle child : children) {
                awaitGone(child);
            }
            assertEquals(List.of(), leftovers(bench.pid()), "every ring and file in /dev/shm is removed");
        } finally {
            bench.destroyForcibly().waitFor();
        }
    }

    private static void awaitLine(final Path log, final String text, final Process bench) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!bench.isAlive()) {
                throw new AssertionError("the run ended before '" + text + "':\n" + Files.readString(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("no '" + text + "' within 120 s:\n" + Files.readString(log));
    }

    private static void awaitGone(final ProcessHandle child) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (child.isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + child.pid() + " (" + child.info().command().orElse("?")
                    + ") outlived the run");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static List<Path> leftovers(final long pid) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.filter(file -> file.getFileName().toString().startsWith("ipckit-bench-" + pid + "-"))
                .toList();
        }
    }
}
