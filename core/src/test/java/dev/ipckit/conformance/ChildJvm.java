package dev.ipckit.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.ipckit.spi.JavaCommand;

/**
 * Runs a main class in a child JVM to completion, in a working directory of the test's choosing (where a JVM
 * that crashes writes its {@code hs_err_pid*.log}), with its standard output captured and its standard error
 * passed through. For cases that could crash a JVM (a file shrinking under a mapping, a close racing a call): a
 * crash then fails one test instead of the whole run, and {@link #assertNoCrashReport} proves there was none.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * How a child ended.
     *
     * @param exitCode its exit code (128 + N when signal N ended it).
     * @param output what it printed on standard output, line by line.
     */
    public record Result(int exitCode, List<String> output) {
    }

    /**
     * Runs {@code mainClass} with the flags and class path of this JVM.
     *
     * @param mainClass the class to run.
     * @param args its arguments.
     * @param workingDirectory its working directory.
     * @param timeout the longest it may run; it is killed (and the call fails) after that.
     * @return how it ended.
     */
    public static Result run(final Class<?> mainClass, final List<String> args, final Path workingDirectory,
                             final Duration timeout) {
        return start(JavaCommand.of(mainClass, args), workingDirectory, timeout);
    }

    /**
     * Runs {@code mainClass} with this JVM's class path but other JVM flags in place of
     * {@link JavaCommand#JVM_FLAGS}, e.g. to show what a JVM started without one of them does.
     *
     * @param flags the flags, e.g. {@code List.of("--enable-native-access=ALL-UNNAMED")}.
     * @param mainClass the class to run.
     * @param args its arguments.
     * @param workingDirectory its working directory.
     * @param timeout the longest it may run.
     * @return how it ended.
     */
    public static Result runWithFlags(final List<String> flags, final Class<?> mainClass, final List<String> args,
                                      final Path workingDirectory, final Duration timeout) {
        final List<String> command = new ArrayList<>(JavaCommand.of(mainClass, args));
        if (!command.subList(1, 1 + JavaCommand.JVM_FLAGS.size()).equals(JavaCommand.JVM_FLAGS)) {
            throw new IllegalStateException("JavaCommand.of no longer starts with java and its JVM_FLAGS: " + command);
        }
        command.subList(1, 1 + JavaCommand.JVM_FLAGS.size()).clear();
        command.addAll(1, flags);
        return start(command, workingDirectory, timeout);
    }

    /**
     * Runs {@code mainClass} under a shell that first sets the umask, so that files the child creates show
     * whether their mode depends on it.
     *
     * @param umask e.g. {@code 0277}.
     * @param mainClass the class to run.
     * @param args its arguments.
     * @param workingDirectory its working directory.
     * @param timeout the longest it may run.
     * @return how it ended.
     */
    public static Result runWithUmask(final String umask, final Class<?> mainClass, final List<String> args,
                                      final Path workingDirectory, final Duration timeout) {
        if (!umask.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("umask=" + umask + " is not an octal umask such as 0277");
        }
        final List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"",
            "sh"));
        command.addAll(JavaCommand.of(mainClass, args));
        return start(command, workingDirectory, timeout);
    }

    private static Result start(final List<String> command, final Path workingDirectory, final Duration timeout) {
        final Path output = workingDirectory.resolve("child-" + System.nanoTime() + ".out");
        final Process process;
        try {
            process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("child " + process.pid() + " still ran after " + timeout + "; killed it");
            }
            return new Result(process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8));
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for child " + process.pid(), e);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails when a JVM crashed in a directory: HotSpot writes {@code hs_err_pid<pid>.log} to the working directory
     * of a JVM that dies of a fatal signal.
     *
     * @param workingDirectory the children's working directory.
     */
    public static void assertNoCrashReport(final Path workingDirectory) {
        try (Stream<Path> files = Files.list(workingDirectory)) {
            final List<Path> reports = files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).toList();
            if (!reports.isEmpty()) {
                throw new AssertionError("a child JVM crashed: " + reports + "; first lines: "
                    + Files.readAllLines(reports.get(0)).stream().limit(12).toList());
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
