package dev.ipckit.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.ipckit.spi.JavaCommand;

/**
 * The command line of a measuring child JVM: {@link JavaCommand#of} with a fixed heap and the serial collector, so
 * that every echo process runs alike.
 */
public final class JavaChild {
    /** Flags for every measuring child JVM besides {@link JavaCommand#JVM_FLAGS}. */
    public static final List<String> TUNING = List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m", "-Xshare:auto");
    /** How long {@link #stop} waits after SIGTERM before SIGKILL. */
    public static final long TERM_GRACE_MILLIS = 2_000;

    private JavaChild() {
    }

    /**
     * @param mainClass the class whose {@code main} the child runs.
     * @param args its arguments.
     * @return the command line.
     */
    public static List<String> command(final Class<?> mainClass, final List<String> args) {
        return JavaCommand.of(mainClass, TUNING, args);
    }

    /**
     * Starts a child JVM whose standard output is discarded and whose standard error goes to {@code log}.
     *
     * @param mainClass the class whose {@code main} the child runs.
     * @param args its arguments.
     * @param log where its standard error goes.
     * @return the running child.
     * @throws IllegalStateException when it cannot be started.
     */
    public static Process start(final Class<?> mainClass, final List<String> args, final Path log) {
        try {
            return new ProcessBuilder(command(mainClass, args))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
        } catch (final java.io.IOException e) {
            throw new IllegalStateException("cannot start a java process for " + mainClass.getSimpleName() + ": "
                + e.getMessage(), e);
        }
    }

    /**
     * Waits for a child to end; if it has not ended within {@code graceMillis}, asks it to end with SIGTERM, and
     * after {@value #TERM_GRACE_MILLIS} ms more kills it with SIGKILL; then reaps it.
     *
     * @param process the child.
     * @param graceMillis how long to let it end by itself.
     * @return its exit code (143 after SIGTERM, 137 after SIGKILL).
     */
    public static int stop(final Process process, final long graceMillis) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                        process.destroy();
                        if (!process.waitFor(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                            process.destroyForcibly();
                            process.waitFor();
                        }
                    }
                    return process.exitValue();
                } catch (final InterruptedException e) {
                    interrupted = true;
                    process.destroyForcibly();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A failure on this side, told together with how the child ended (its last words), so that the report names the
     * cause rather than the symptom.
     *
     * @param e what failed here.
     * @param ending how the child ended, or "" while it runs.
     * @return the exception to throw, with {@code e} as its cause.
     */
    static IllegalStateException explained(final RuntimeException e, final String ending) {
        final String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new IllegalStateException(ending.isEmpty() ? message : message + "; " + ending, e);
    }

    /**
     * What a session that failed while starting throws: it is closed (its children reaped, its files removed); a
     * refused URI ({@link IllegalArgumentException}) is thrown as it is, anything else with how the children ended
     * ({@link #explained}), read before the close.
     *
     * @param e what failed.
     * @param ending how the children ended, read before {@code close} runs.
     * @param close closes the session.
     * @return the exception to throw.
     */
    static RuntimeException startFailed(final RuntimeException e, final java.util.function.Supplier<String> ending,
                                        final Runnable close) {
        if (e instanceof IllegalArgumentException refused) {
            close.run();
            return refused;
        }
        final String detail = ending.get();
        close.run();
        return explained(e, detail);
    }

    /**
     * @param errorFile where a child writes the sentence it failed with.
     * @return that sentence, or "" when the file is absent, empty or unreadable.
     */
    static String sentence(final Path errorFile) {
        try {
            return Files.exists(errorFile) ? Files.readString(errorFile, StandardCharsets.UTF_8).strip() : "";
        } catch (final java.io.IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    /**
     * @param log a child's standard error.
     * @return its last non-blank line, or "" when there is none.
     */
    public static String lastLine(final Path log) {
        try {
            final List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "";
        } catch (final java.io.IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }
}
