package dev.ipckit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The machine's limits: {@code pingpong.c} (round trips) or {@code stream.c} (throughput), kept in
 * {@code bench/src/main/c} and carried in the jar, compiled with {@code gcc -O2} into a temporary directory when
 * gcc is on the PATH, and run once per segment.
 *
 * <pre>
 * pingpong MODE ROUNDS WARMUP OUT MAX_MILLIS WARMUP_MAX_MILLIS    MODE: shm-spin pipe pipe-spin fifo signal futex
 * stream MODE SIZE MILLIS WARMUP_MILLIS RING_BYTES                 MODE: shm-spin pipe; prints "messages bytes ns"
 * </pre>
 *
 * <p>OUT receives the timed round trips as little-endian int64 nanoseconds. {@link #close()} removes the binary and
 * its directory.
 */
final class CLimits implements AutoCloseable {
    /** The C modes, in the table's order; row {@code c/MODE}. */
    static final List<String> MODES = List.of("shm-spin", "pipe", "pipe-spin", "fifo", "signal", "futex");
    /** Where the round-trip program's source lies on the class path. */
    static final String SOURCE = "dev/ipckit/bench/c/pingpong.c";
    /** The round-trip program. */
    static final String PINGPONG = "pingpong";
    /** The throughput program ({@code stream.c}). */
    static final String STREAM = "stream";
    /** The throughput program's modes; row {@code c/MODE} of the throughput table. */
    static final List<String> STREAM_MODES = List.of("shm-spin", "pipe");
    private static final long COMPILE_TIMEOUT_SECONDS = 120;

    private final Path directory;
    private final Path binary;
    private final String missing;
    private volatile Process running;

    private CLimits(final Path directory, final Path binary, final String missing) {
        this.directory = directory;
        this.binary = binary;
        this.missing = missing;
    }

    /**
     * Compiles the C program, or records why it cannot.
     *
     * @return the limits; {@link #missing()} says why they cannot be measured, if so.
     */
    static CLimits prepare() {
        return prepare(PINGPONG);
    }

    /**
     * Compiles one of the C programs, or records why it cannot.
     *
     * @param program {@link #PINGPONG} or {@link #STREAM}.
     * @return the limits; {@link #missing()} says why they cannot be measured, if so.
     */
    static CLimits prepare(final String program) {
        final String sourceName = program + ".c";
        final String resource = "dev/ipckit/bench/c/" + sourceName;
        final Path gcc = findOnPath("gcc");
        if (gcc == null) {
            return new CLimits(null, null, "gcc is not on the PATH, so the C limits were not measured; install gcc "
                + "(e.g. apt-get install gcc) to get them");
        }
        final Path directory;
        try {
            directory = Files.createTempDirectory("ipckit-bench-c-");
        } catch (final IOException e) {
            return new CLimits(null, null, "cannot make a directory to compile " + sourceName + " in: "
                + e.getMessage());
        }
        final Path source = directory.resolve(sourceName);
        final Path binary = directory.resolve(program);
        final Path log = directory.resolve("gcc.log");
        try (InputStream in = CLimits.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                EchoSession.deleteTree(directory);
                return new CLimits(null, null, resource + " is missing from the class path; rebuild the bench module");
            }
            Files.copy(in, source);
            final Process process = new ProcessBuilder(gcc.toString(), "-O2", "-std=gnu11", "-Wall", "-o",
                binary.toString(), source.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (!waitOrStop(process, COMPILE_TIMEOUT_SECONDS)) {
                EchoSession.deleteTree(directory);
                return new CLimits(null, null, "gcc did not compile " + sourceName + " within "
                    + COMPILE_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0 || !Files.isExecutable(binary)) {
                final String said = firstError(log);
                EchoSession.deleteTree(directory);
                return new CLimits(null, null, "gcc could not compile " + sourceName + " (exit status "
                    + process.exitValue() + ")" + (said.isEmpty() ? "" : ": " + said));
            }
            final CLimits limits = new CLimits(directory, binary, null);
            Cleanup.register(limits);
            return limits;
        } catch (final IOException e) {
            EchoSession.deleteTree(directory);
            return new CLimits(null, null, "cannot run gcc on " + sourceName + ": " + e.getMessage());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            EchoSession.deleteTree(directory);
            return new CLimits(null, null, "interrupted while compiling " + sourceName);
        }
    }

    /**
     * @return why the C rows cannot be measured, or null when the program compiled.
     */
    String missing() {
        return missing;
    }

    /**
     * @return the compiled program, or null.
     */
    Path binary() {
        return binary;
    }

    /**
     * Runs one mode.
     *
     * @param mode one of {@link #MODES}.
     * @param settings counts and limits (the warm-up's minimum time does not apply: C has no JIT to warm); a run
     *     still going after {@link BenchSettings#rowDeadline()} is killed.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     * @throws IllegalStateException with a sentence when the program fails or produces no samples.
     */
    Histogram measure(final String mode, final BenchSettings settings, final Progress progress) {
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("mode=" + mode + " is not one of " + MODES);
        }
        final Path out = directory.resolve(mode + ".samples");
        final Path log = directory.resolve(mode + ".log");
        Process process = null;
        try {
            Files.deleteIfExists(out);
            final List<String> command = new ArrayList<>(List.of(binary.toString(), mode,
                Long.toString(settings.samples()), Long.toString(settings.warmupRounds()), out.toString(),
                Long.toString(settings.sampleLimit().toMillis()), Long.toString(settings.warmupLimit().toMillis())));
            final ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("TMPDIR", directory.toString()); // its FIFOs go here, removed with it
            process = builder
                .directory(directory.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
            running = process;
            if (!process.waitFor(settings.rowDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
                JavaChild.stop(process, 0);
                throw new IllegalStateException("pingpong " + mode + " did not finish within "
                    + settings.rowDeadline().toSeconds() + " s and was killed");
            }
            if (process.exitValue() != 0) {
                final String said = JavaChild.lastLine(log);
                throw new IllegalStateException("pingpong " + mode + " exited with status " + process.exitValue()
                    + (said.isEmpty() ? "" : ": " + said));
            }
            final Histogram histogram = read(out);
            if (histogram.getTotalCount() == 0) {
                throw new IllegalStateException("pingpong " + mode + " wrote no samples");
            }
            return histogram;
        } catch (final IOException e) {
            throw new UncheckedIOException("pingpong " + mode + ": " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running pingpong " + mode, e);
        } finally {
            if (process != null && process.isAlive()) {
                JavaChild.stop(process, 0); // interrupted or failed while it ran: it dies, its echo process with it
            }
            running = null;
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(log);
            } catch (final IOException e) {
                System.err.println("bench: could not remove " + out + ": " + e.getMessage());
            }
        }
    }

    /**
     * Runs the throughput program once: {@code stream MODE SIZE MILLIS WARMUP_MILLIS RING_BYTES}.
     *
     * @param mode one of {@link #STREAM_MODES}.
     * @param size the message length.
     * @param millis the counted part.
     * @param warmupMillis the part before it.
     * @param ringBytes the pipe's or ring's size.
     * @return what the consumer counted.
     * @throws IllegalStateException with a sentence when the program fails.
     */
    Rate stream(final String mode, final int size, final long millis, final long warmupMillis, final int ringBytes) {
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        if (!STREAM_MODES.contains(mode)) {
            throw new IllegalArgumentException("mode=" + mode + " is not one of " + STREAM_MODES);
        }
        final Path out = directory.resolve(mode + ".rate");
        final Path log = directory.resolve(mode + ".log");
        Process process = null;
        try {
            process = new ProcessBuilder(binary.toString(), mode, Integer.toString(size), Long.toString(millis),
                Long.toString(warmupMillis), Integer.toString(ringBytes))
                .directory(directory.toFile())
                .redirectOutput(out.toFile())
                .redirectError(log.toFile())
                .start();
            running = process;
            final long deadline = millis + warmupMillis + 60_000;
            if (!process.waitFor(deadline, TimeUnit.MILLISECONDS)) {
                JavaChild.stop(process, 0);
                throw new IllegalStateException("stream " + mode + " did not finish within " + deadline / 1000
                    + " s and was killed");
            }
            if (process.exitValue() != 0) {
                final String said = JavaChild.lastLine(log);
                throw new IllegalStateException("stream " + mode + " " + size + " exited with status "
                    + process.exitValue() + (said.isEmpty() ? "" : ": " + said));
            }
            final String[] fields = Files.readString(out).strip().split(" ");
            if (fields.length != 3) {
                throw new IllegalStateException("stream " + mode + " printed '" + String.join(" ", fields)
                    + "', not 'messages bytes nanoseconds'");
            }
            return new Rate(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
        } catch (final IOException e) {
            throw new UncheckedIOException("stream " + mode + ": " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running stream " + mode, e);
        } finally {
            if (process != null && process.isAlive()) {
                JavaChild.stop(process, 0);
            }
            running = null;
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(log);
            } catch (final IOException e) {
                System.err.println("bench: could not remove " + out + ": " + e.getMessage());
            }
        }
    }

    /**
     * @param samples a file of little-endian int64 nanoseconds.
     * @return them in a histogram.
     * @throws IOException when the file cannot be read.
     */
    static Histogram read(final Path samples) throws IOException {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(samples)).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.remaining() % Long.BYTES != 0) {
            throw new IOException(samples + " holds " + bytes.remaining()
                + " bytes, not a whole number of int64 samples");
        }
        final Histogram histogram = RowResult.newHistogram();
        while (bytes.hasRemaining()) {
            final long nanos = bytes.getLong();
            if (nanos <= 0) {
                throw new IOException(samples + " holds a round trip of " + nanos + " ns");
            }
            histogram.recordValue(Math.min(nanos, RowResult.HIGHEST_TRACKABLE_NANOS));
        }
        return histogram;
    }

    private static boolean waitOrStop(final Process process, final long seconds) throws InterruptedException {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } finally {
            if (process.isAlive()) {
                JavaChild.stop(process, 0);
            }
        }
    }

    private static Path findOnPath(final String program) {
        final String path = System.getenv("PATH");
        final List<String> directories = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
        directories.add("/usr/bin");
        for (final String dir : directories) {
            if (!dir.isEmpty()) {
                final Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static String firstError(final Path log) {
        try {
            for (final String line : Files.readAllLines(log)) {
                if (line.contains("error")) {
                    return line.strip();
                }
            }
        } catch (final IOException e) {
            return "";
        }
        return JavaChild.lastLine(log);
    }

    /**
     * Kills a run still going (its echo process dies with it), and removes the compiled program and its directory.
     */
    @Override
    public void close() {
        Cleanup.done(this);
        final Process process = running;
        if (process != null) {
            JavaChild.stop(process, 0);
        }
        if (directory != null) {
            EchoSession.deleteTree(directory);
        }
    }
}
