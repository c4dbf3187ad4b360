package dev.ipckit.examples.cli;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;
import dev.ipckit.spi.JavaCommand;

/**
 * The other end of a CLI test, in a child JVM the test kills with SIGKILL. Usage:
 *
 * <pre>
 * send URI COUNT SIZE READY   send COUNT generated messages, create READY, then wait to be killed
 * stall URI READY             open a receiver, create READY, never read, wait to be killed
 * </pre>
 *
 * Exit code 3 when nobody killed it in time.
 */
public final class CliPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private CliPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args[0].equals("send")) {
            final int size = Integer.parseInt(args[3]);
            final Sender sender = Channels.openSender(args[1]);
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            for (long i = 0; i < Long.parseLong(args[2]); i++) {
                Generated.fill(buffer, i, size);
                if (!sender.offer(buffer, 0, size, TIMEOUT)) {
                    System.exit(3);
                }
            }
            ready(args[4]);
        } else {
            final Receiver receiver = Channels.openReceiver(args[1]);
            awaitFullPipe(args[1]);
            ready(args[2]);
            Thread.sleep(TIMEOUT.toMillis() * 2); // the test kills this process; this bound ends an orphan
            receiver.close();
        }
        Thread.sleep(TIMEOUT.toMillis() * 2);
        System.exit(3);
    }

    /**
     * For a {@code fifo:} URI, waits until the sender has filled the FIFO (it then knows this receiver's pid, which
     * it looks up when the pipe is full, and the test's kill lands mid-stream), at most {@code TIMEOUT}.
     */
    private static void awaitFullPipe(final String uri) throws InterruptedException {
        if (!uri.startsWith("fifo:")) {
            return;
        }
        final String path = uri.substring("fifo:".length()).split("\\?")[0];
        final int fd = PosixFiles.tryOpen(path, PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK, 0);
        if (fd < 0) {
            return;
        }
        try {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            final int size = PosixPipes.pipeSize(fd);
            while (PosixPipes.bytesQueued(fd) < size - PosixPipes.PIPE_BUF && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
        } finally {
            PosixFiles.close(fd);
        }
    }

    /**
     * Starts this main in a child JVM, its output inherited.
     *
     * @param args its arguments.
     * @return the child.
     */
    static Process start(final String... args) {
        try {
            return new ProcessBuilder(JavaCommand.of(CliPeer.class, java.util.List.of(args))).inheritIO().start();
        } catch (final java.io.IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the child's READY file, failing when the child exits first or the deadline passes.
     *
     * @param ready the file.
     * @param child the child.
     * @throws InterruptedException when interrupted.
     */
    static void awaitReady(final Path ready, final Process child) throws InterruptedException {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(ready)) {
            if (System.nanoTime() - deadline > 0 || child.waitFor(5, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + child.pid() + " did not get ready (alive: " + child.isAlive()
                    + ")");
            }
        }
    }

    /**
     * Sends SIGKILL to the child and reaps it.
     *
     * @param child the child.
     * @throws InterruptedException when interrupted.
     */
    static void kill(final Process child) throws InterruptedException {
        child.destroyForcibly();
        if (!child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("child " + child.pid() + " survived SIGKILL for 60 s");
        }
    }

    private static void ready(final String file) throws java.io.IOException {
        final Path tmp = Path.of(file + ".tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, Path.of(file), StandardCopyOption.ATOMIC_MOVE);
    }
}
