package dev.ipckit.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.ipckit.spi.JavaCommand;

/**
 * Runs {@code ipckit} in a child JVM, as the launcher does, and collects its exit code, stdout and stderr.
 */
final class Cli implements AutoCloseable {
    private static final java.util.concurrent.Executor READERS = task -> Thread.ofPlatform().daemon().start(task);
    private final Process process;
    private final CompletableFuture<String> out;
    private final CompletableFuture<String> err;

    private Cli(final Process process) {
        this.process = process;
        // One thread per stream: the common pool has a single thread on a 2-core machine, and these reads block.
        this.out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()), READERS);
        this.err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), READERS);
    }

    static Cli start(final String... args) {
        return withStdin(null, args);
    }

    static Cli withStdin(final String stdin, final String... args) {
        try {
            final Process process = new ProcessBuilder(JavaCommand.of(Main.class, List.of(args))).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            return new Cli(process);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot start ipckit: " + e.getMessage(), e);
        }
    }

    static Result run(final String... args) {
        try (Cli cli = start(args)) {
            return cli.await();
        }
    }

    long pid() {
        return process.pid();
    }

    Result await() {
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("ipckit did not exit within 120 s");
            }
            return new Result(process.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static String read(final InputStream in) {
        try (in) {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (final IOException e) {
            return "";
        }
    }

    record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return new ArrayList<>(out.lines().toList());
        }
    }
}
