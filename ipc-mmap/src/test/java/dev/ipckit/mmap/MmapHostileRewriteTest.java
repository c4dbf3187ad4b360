package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 1 of the trust issue: another process of the same user rewrites a live ring's header, positions, slot
 * fields and record headers while ends open, send, receive, repair and close thousands of times. Every failure is a
 * {@code ChannelException} and the JVM never crashes: the child's working directory holds no {@code hs_err_pid*.log}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MmapHostileRewriteTest {
    private static final int ITERATIONS = 3000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"capacity=4k&maxMessage=256", "capacity=4k&maxMessage=256&producers=many&wait=futex",
        "capacity=4k&maxMessage=256&format=agrona",
        "capacity=4k&maxMessage=256&producers=many&wait=futex&format=agrona"})
    void shouldFailOnlyWithChannelExceptionsAndNeverCrashWhileAnotherWriterRewritesTheRing(final String options)
        throws IOException {
        final Path work = Files.createDirectory(dir.resolve("work"));
        final String uri = "mmap:" + dir.resolve("hostile") + "?" + options + "&timeout=2s";
        final Path output = dir.resolve("hostile.out");
        final ProcessBuilder builder = new ProcessBuilder(dev.ipckit.spi.JavaCommand.of(TrustPeer.class,
            List.of("hostile", uri, Integer.toString(ITERATIONS), "20261201")))
            .directory(work.toFile())
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        final Process child = builder.start();
        final int exit;
        try {
            assertTrue(child.waitFor(200, TimeUnit.SECONDS), "the hostile child did not finish");
            exit = child.exitValue();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            child.destroyForcibly();
        }
        final List<String> lines = Files.readAllLines(output);
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).toList(),
                "the JVM crashed: " + lines);
        }
        assertEquals(0, exit, "the child met something other than a ChannelException: " + lines);
        final int ok = lines.stream().filter(l -> l.startsWith("ok\t")).mapToInt(l -> count(l)).sum();
        final int failed = lines.stream().filter(l -> l.startsWith("failed\t")).mapToInt(l -> count(l)).sum();
        assertEquals(ITERATIONS, ok + failed, "every iteration ended one way or the other: " + lines);
        assertTrue(ok > 0 && failed > 0, "the rewrites were met both before and after validation: " + lines);
        System.out.println("hostile rewrites (" + options + "): " + ITERATIONS + " rounds of open, send, claim, "
            + "receive and close in a child JVM while a thread rewrote the ring: " + ok + " went through, " + failed
            + " failed with a ChannelException (" + String.join(", ", lines.stream().filter(l -> l.startsWith("failed"))
                .map(l -> l.substring(7).replace('\t', ' ')).toList()) + "), no crash");
    }

    private static int count(final String line) {
        return Integer.parseInt(line.substring(line.lastIndexOf('\t') + 1));
    }

}
