package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * pingpong.c, compiled with gcc as the ping-pong tool does it, and run in every mode.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CLimitsTest {
    private static CLimits limits;

    @TempDir
    Path tmp;

    @BeforeAll
    static void compile() {
        limits = CLimits.prepare();
    }

    @AfterAll
    static void remove() {
        if (limits != null) {
            limits.close();
        }
    }

    @Test
    void shouldCompileTheCProgramWithGcc() {
        assertNull(limits.missing(), "gcc is part of this project's build machines: " + limits.missing());
        assertTrue(Files.isExecutable(limits.binary()));
    }

    @Test
    void shouldProduceSamplesInEveryMode() {
        for (final String mode : CLimits.MODES) {
            final Histogram histogram = limits.measure(mode, TestRuns.tiny(1000), new Progress(null));
            assertEquals(1000, histogram.getTotalCount(), mode);
            assertTrue(histogram.getMinValue() > 0, mode);
        }
    }

    @Test
    void shouldStopTimingAtTheTimeLimit() throws Exception {
        final Path out = tmp.resolve("samples");
        final Process process = new ProcessBuilder(limits.binary().toString(), "pipe", "100000000", "10",
            out.toString(), "200").redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "a 200 ms limit ends the run long before 10^8 round trips");
        assertEquals(0, process.exitValue(),
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        final long samples = CLimits.read(out).getTotalCount();
        assertTrue(samples > 0 && samples < 100_000_000L, "samples=" + samples);
    }

    @Test
    void shouldCutAWarmupShortAtItsTimeLimit() throws Exception {
        final Path out = tmp.resolve("samples");
        final Process process = new ProcessBuilder(limits.binary().toString(), "pipe", "100", "1000000000000",
            out.toString(), "10000", "200").redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "a 200 ms warm-up limit ends 10^12 warm-up round trips");
        assertEquals(0, process.exitValue(),
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(100, CLimits.read(out).getTotalCount(), "then the timed round trips all run");
    }

    @Test
    void shouldRemoveItsFifosWhenDone() throws Exception {
        final ProcessBuilder process = new ProcessBuilder(limits.binary().toString(), "fifo", "100", "10",
            tmp.resolve("samples").toString());
        process.environment().put("TMPDIR", tmp.toString());
        final Process run = process.start();
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("samples")), files.toList(), "only the samples are left");
        }
    }

    @Test
    void shouldKillAndReapItsEchoProcessAndRemoveItsFifosOnSigterm() throws Exception {
        final ProcessBuilder builder = new ProcessBuilder(limits.binary().toString(), "fifo", "1000000000", "10",
            tmp.resolve("samples").toString());
        builder.environment().put("TMPDIR", tmp.toString());
        final Process run = builder.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (run.toHandle().children().findAny().isEmpty() || listing().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "pingpong made no FIFO directory and no echo process");
            assertTrue(run.isAlive());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        final ProcessHandle echo = run.toHandle().children().findFirst().orElseThrow();
        run.destroy();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 15, run.exitValue());
        assertFalse(echo.isAlive(), "the echo process was killed and reaped");
        assertEquals(List.of(), listing(), "the FIFO directory is gone");
    }

    @Test
    void shouldRefuseBadArgumentsWithASentence() throws Exception {
        for (final List<String> args : List.of(List.of("bogus", "10", "1", "x"), List.of("pipe", "ten", "1", "x"),
            List.of("pipe"))) {
            final List<String> command = new java.util.ArrayList<>(List.of(limits.binary().toString()));
            command.addAll(args);
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            final String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, process.exitValue(), said);
            assertTrue(said.startsWith("pingpong: ") || said.startsWith("usage: "), said);
        }
    }

    @Test
    void shouldReadLittleEndianSamplesAndRefuseATornFile() throws IOException {
        final Path file = tmp.resolve("samples");
        final ByteBuffer bytes = ByteBuffer.allocate(3 * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(100).putLong(2000).putLong(30_000);
        Files.write(file, bytes.array());
        final Histogram histogram = CLimits.read(file);
        assertEquals(3, histogram.getTotalCount());
        assertEquals(100, histogram.getMinValue());
        assertTrue(histogram.valuesAreEquivalent(30_000, histogram.getMaxValue()));

        Files.write(file, new byte[] {1, 2, 3});
        final IOException torn = assertThrows(IOException.class, () -> CLimits.read(file));
        assertTrue(torn.getMessage().contains("3 bytes"), torn.getMessage());
    }

    @Test
    void shouldRefuseAnUnknownModeBeforeRunningAnything() {
        final BenchSettings settings = new BenchSettings(0, Duration.ZERO, Duration.ofSeconds(1), 10,
            Duration.ofSeconds(10), 32);
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> limits.measure("bogus", settings, new Progress(null)));
        assertNotNull(bad.getMessage());
        assertTrue(bad.getMessage().contains("mode=bogus"), bad.getMessage());
    }

    private List<Path> listing() throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(file -> file.getFileName().toString().startsWith("ipckit-pingpong.")).toList();
        }
    }
}
