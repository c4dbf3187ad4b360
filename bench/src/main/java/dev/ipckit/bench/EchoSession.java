package dev.ipckit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.fifo.ChildPipe;
import dev.ipckit.fifo.ChildProcess;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixProcess.ExitStatus;

/**
 * This process's ends of a request channel and a reply channel to an {@link EchoPeer} in a child JVM, for one
 * ipckit transport and wait mode such as {@code mmap/spin} or {@code pipe/block}.
 *
 * <pre>{@code
 * try (EchoSession echo = EchoSession.start("fifo/block")) {
 *     echo.sender().offer(ping, 0, 32, timeout);
 *     echo.receiver().poll(handler, 1, timeout);   // the same 32 bytes, back from the other process
 * }
 * }</pre>
 *
 * <p>Both channels use the same URI options on both sides:
 * <ul>
 *   <li>{@code mmap/W}: {@code mmap:/dev/shm/ipckit-bench-PID-N-req?capacity=64k&wait=W&unlinkOnClose=true} and
 *       {@code ...-rep}, W one of spin, backoff, signal, futex; signal and futex add {@code spins=0&yields=0}, so
 *       an idle receiver sleeps at once;</li>
 *   <li>{@code fifo/W}: two FIFOs made in a fresh temporary directory, {@code fifo:DIR/req.fifo?wait=W};</li>
 *   <li>{@code pipe/W}: two anonymous pipes handed to the child ({@link ChildPipe}), which opens
 *       {@code pipe:fd=3?wait=W} and {@code pipe:fd=4?wait=W}.</li>
 * </ul>
 * {@link #close()} closes this side's ends (so the peer sees its peer gone and exits), reaps the child (killing
 * it when it does not exit within 10 s) and removes every file and directory the session made.
 */
public final class EchoSession implements AutoCloseable {
    /** The transports and wait modes a session can run, in the table's order. */
    public static final List<String> TRANSPORTS = List.of("mmap/spin", "mmap/backoff", "mmap/signal", "mmap/futex",
        "fifo/block", "fifo/spin", "pipe/block", "pipe/spin");
    /** How long opening and the ready message may take. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long EXIT_GRACE_MILLIS = 10_000;
    private static final long READY_POLL_NANOS = 1_000_000;
    private static final String MAX_MESSAGE = "maxMessage=8k";
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final String transport;
    private final Path scratch;
    private final List<Path> shmFiles = new ArrayList<>();
    private Process process;
    private ChildProcess child;
    private ChildPipe toChild;
    private ChildPipe fromChild;
    private Sender sender;
    private Receiver receiver;
    private volatile boolean closed;
    /** What the shutdown hook does if the session is still open at exit: see {@link #abandon()}. */
    private final AutoCloseable atExit = this::abandon;

    private EchoSession(final String transport) throws IOException {
        this.transport = transport;
        this.scratch = Files.createTempDirectory("ipckit-bench-");
    }

    /**
     * Starts the echo process and opens this side's ends; returns once the echo process has sent its ready
     * message.
     *
     * @param transport one of {@link #TRANSPORTS}, e.g. {@code mmap/futex}.
     * @return the open session.
     * @throws IllegalArgumentException when {@code transport} is not one of {@link #TRANSPORTS}.
     * @throws IllegalStateException with one sentence when the transport is missing from the class path, or the
     *     echo process fails or is not ready within {@link #START_TIMEOUT}; nothing is left behind.
     */
    public static EchoSession start(final String transport) {
        if (!TRANSPORTS.contains(transport)) {
            throw new IllegalArgumentException("transport=" + transport + " is not one of " + TRANSPORTS);
        }
        final String family = transport.substring(0, transport.indexOf('/'));
        final String wait = transport.substring(transport.indexOf('/') + 1);
        // The sleeping waits sleep at once (spins=0&yields=0), so that every round trip is two kernel wake-ups, as
        // in the C rows they are set beside.
        return start(transport, family, "wait=" + wait
            + (wait.equals("signal") || wait.equals("futex") ? "&spins=0&yields=0" : ""));
    }

    /**
     * Starts the echo process for any options of a transport, e.g. a ring format: the row's URI options decide.
     *
     * @param name the row's name, for messages.
     * @param family {@code mmap}, {@code fifo} or {@code pipe}.
     * @param options the URI options of both channels, e.g. {@code wait=spin&format=agrona}; the session adds its
     *     capacity, timeout and clean-up options.
     * @return the open session.
     * @throws IllegalArgumentException when {@code Channels} refuses the URI (an unknown option or value), for
     *     {@code mmap} before any process starts.
     * @throws IllegalStateException with one sentence when the transport is missing from the class path, or the
     *     echo process fails or is not ready within {@link #START_TIMEOUT}; nothing is left behind.
     */
    public static EchoSession start(final String name, final String family, final String options) {
        if (!Channels.providers().containsKey(family)) {
            throw new IllegalStateException("the " + family + " transport is not on the class path (found "
                + String.join(", ", Channels.providers().keySet()) + "); build it with the ipckit-" + family
                + " module");
        }
        final EchoSession session;
        try {
            session = new EchoSession(name);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for " + name + ": "
                + e.getMessage(), e);
        }
        Cleanup.register(session.atExit);
        try {
            session.open(family, options);
            session.awaitReady();
            return session;
        } catch (final RuntimeException e) {
            throw JavaChild.startFailed(e, () -> session.echoEnding(Duration.ofSeconds(2)), session::close);
        }
    }

    private void open(final String family, final String rowOptions) {
        final Path errorFile = scratch.resolve("echo.error");
        switch (family) {
            case "mmap" -> {
                final String tag = "ipckit-bench-" + PosixProcess.getpid() + "-" + SESSIONS.incrementAndGet();
                final String options = "?capacity=64k&" + rowOptions + "&unlinkOnClose=true&timeout=60s";
                final Path request = Path.of("/dev/shm", tag + "-req");
                final Path reply = Path.of("/dev/shm", tag + "-rep");
                shmFiles.add(request);
                shmFiles.add(reply);
                // This side first: a URI that Channels refuses fails here, before a process starts.
                sender = Channels.openSender("mmap:" + request + options);
                receiver = Channels.openReceiver("mmap:" + reply + options);
                startJava("mmap:" + request + options, "mmap:" + reply + options, errorFile);
            }
            case "fifo" -> {
                final Path request = scratch.resolve("req.fifo");
                final Path reply = scratch.resolve("rep.fifo");
                PosixPipes.mkfifo(request.toString(), 0600);
                PosixPipes.mkfifo(reply.toString(), 0600);
                final String options = "?" + rowOptions + "&timeout=60s&" + MAX_MESSAGE;
                startJava("fifo:" + request + options, "fifo:" + reply + options, errorFile);
                // Each open waits for the other side; short tries, so that an echo process that dies first is seen.
                final String tries = "?" + rowOptions + "&timeout=200ms&" + MAX_MESSAGE;
                sender = whileEchoLives(() -> Channels.openSender("fifo:" + request + tries));
                receiver = whileEchoLives(() -> Channels.openReceiver("fifo:" + reply + tries));
            }
            case "pipe" -> {
                final String options = rowOptions + "&" + MAX_MESSAGE;
                toChild = ChildPipe.toChild(options);
                fromChild = ChildPipe.fromChild(options);
                child = ChildProcess.start(JavaChild.command(EchoPeer.class, List.of(
                    "pipe:fd=" + ChildProcess.FIRST_PIPE_FD + "?" + options,
                    "pipe:fd=" + (ChildProcess.FIRST_PIPE_FD + 1) + "?" + options, errorFile.toString())),
                    toChild, fromChild);
                sender = toChild.sender();
                receiver = fromChild.receiver();
            }
            default -> throw new IllegalArgumentException("transport=" + transport + " has no family " + family);
        }
    }

    private <T> T whileEchoLives(final Supplier<T> open) {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                return open.get();
            } catch (final ChannelException e) {
                if (!isAlive()) {
                    throw new IllegalStateException("the echo process for " + transport + " ended before it opened "
                        + "its ends", e);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
        }
    }

    private void startJava(final String requestUri, final String replyUri, final Path errorFile) {
        process = JavaChild.start(EchoPeer.class, List.of(requestUri, replyUri, errorFile.toString()),
            scratch.resolve("echo.log"));
    }

    /**
     * Waits for the ready message with non-blocking polls a millisecond apart: a spinning wait here would take a
     * core from the echo JVM while it starts.
     */
    private void awaitReady() {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (receiver.poll((buffer, offset, length) -> { }, 1) == 0) {
            LockSupport.parkNanos(READY_POLL_NANOS);
            if (!isAlive()) {
                throw new IllegalStateException("the echo process for " + transport + " ended before it was ready");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the echo process for " + transport + " was not ready within "
                    + START_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    /**
     * @return the transport and wait mode, e.g. {@code mmap/spin}.
     */
    public String transport() {
        return transport;
    }

    /**
     * @return this side's end of the request channel.
     */
    public Sender sender() {
        return sender;
    }

    /**
     * @return this side's end of the reply channel.
     */
    public Receiver receiver() {
        return receiver;
    }

    /**
     * @return the echo process's id, or 0 before it started.
     */
    public long pid() {
        return process != null ? process.pid() : child != null ? child.pid() : 0;
    }

    /**
     * @return whether the echo process still runs.
     */
    public boolean isAlive() {
        return process != null ? process.isAlive() : child != null && child.isAlive();
    }

    /**
     * @return how the echo process ended (e.g. "the echo process 4242 exited with status 1: ...", with its last
     *     words), or "" when it still runs or never started.
     */
    public String echoEnding() {
        return echoEnding(Duration.ZERO);
    }

    /**
     * Like {@link #echoEnding()}, after waiting up to {@code wait} for the echo process to end: when a channel
     * reports its peer gone, the process may not have been reaped yet.
     *
     * @param wait the longest wait.
     * @return how the echo process ended, or "" when it still runs after {@code wait} or never started.
     */
    public String echoEnding(final Duration wait) {
        if (process == null && child == null) {
            return "";
        }
        if (process != null) {
            try {
                process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            child.waitFor(wait);
        }
        if (isAlive()) {
            return "";
        }
        final String status;
        if (process != null) {
            status = "process " + process.pid() + " exited with status " + process.exitValue();
        } else {
            final ExitStatus exit = child.waitFor(Duration.ZERO);
            status = exit.exited() ? "process " + exit.pid() + " exited with status " + exit.exitCode()
                : exit.toString();
        }
        String said = JavaChild.sentence(scratch.resolve("echo.error"));
        if (said.isEmpty()) {
            said = JavaChild.lastLine(scratch.resolve("echo.log"));
        }
        return "the echo " + status + (said.isEmpty() ? "" : ": " + said);
    }

    /**
     * Closes this side's ends, reaps the echo process (SIGKILL after 10 s) and removes the session's files.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Cleanup.done(atExit);
        RuntimeException failure = null;
        for (final AutoCloseable end : new AutoCloseable[] {sender, receiver, toChild, fromChild}) {
            try {
                if (end != null) {
                    end.close();
                }
            } catch (final Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + transport + ": " + e.getMessage(), e);
                }
            }
        }
        if (process != null) {
            JavaChild.stop(process, EXIT_GRACE_MILLIS);
        }
        if (child != null && child.waitFor(Duration.ofMillis(EXIT_GRACE_MILLIS)) == null) {
            child.kill();
        }
        for (final Path file : shmFiles) {
            deleteQuietly(file);
        }
        deleteTree(scratch);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * At exit with the session still open: kills the echo process and removes the files, but leaves the ends
     * open (another thread may be in a poll; the kernel closes them as the process ends).
     */
    private void abandon() {
        if (process != null) {
            PeerPause.wake(process); // it may be stopped between two segments
            JavaChild.stop(process, 0);
        }
        if (child != null) {
            child.kill();
        }
        for (final Path file : shmFiles) {
            deleteQuietly(file);
        }
        deleteTree(scratch);
    }

    private static void deleteQuietly(final Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (final IOException e) {
            System.err.println("bench: could not remove " + file + ": " + e.getMessage());
        }
    }

    static void deleteTree(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(EchoSession::deleteQuietly);
        } catch (final IOException e) {
            System.err.println("bench: could not remove " + root + ": " + e.getMessage());
        }
    }
}
