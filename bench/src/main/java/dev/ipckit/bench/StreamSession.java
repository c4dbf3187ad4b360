package dev.ipckit.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.fifo.ChildPipe;
import dev.ipckit.fifo.ChildProcess;
import dev.ipckit.posix.PosixPipes;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;

/**
 * Opens the Java rows of the throughput table: a {@link StreamSource} producer in a child JVM (its control pipe on
 * descriptor 3) and the consuming end in this process.
 *
 * <ul>
 *   <li>{@code mmap/...}: {@code mmap:/dev/shm/ipckit-bench-PID-N-stream?capacity=1m&maxMessage=64k&OPTIONS&
 *       unlinkOnClose=true&timeout=60s};</li>
 *   <li>{@code fifo/...}: a FIFO in a fresh temporary directory, {@code fifo:DIR/stream.fifo?capacity=1m&
 *       maxMessage=64k&OPTIONS&timeout=60s};</li>
 *   <li>{@code pipe/...}: an anonymous pipe handed to the child on descriptor 4, {@code pipe:fd=4?capacity=1m&
 *       maxMessage=64k&OPTIONS};</li>
 *   <li>{@code agrona/raw}: one Agrona {@code OneToOneRingBuffer} of 1 MiB in a {@code /dev/shm} file;</li>
 *   <li>{@code aeron/ipc}: {@value StreamSource#AERON_CHANNEL} through a media driver embedded in this process,
 *       a {@code FragmentAssembler} on the subscription.</li>
 * </ul>
 * Closing a row closes the control pipe (the producer exits), reaps the producer (SIGKILL after 10 s) and removes
 * every file.
 */
final class StreamSession {
    private static final AtomicInteger SESSIONS = new AtomicInteger();
    private static final Duration POLL_SLICE = Duration.ofMillis(1);
    private static final int POLL_LIMIT = 256;
    private static final long EXIT_GRACE_MILLIS = 10_000;

    private StreamSession() {
    }

    /**
     * @param row a throughput row run by a Java producer.
     * @param settings times.
     * @param progress where progress lines go.
     * @return the row, ready to warm up.
     * @throws IllegalArgumentException when {@code Channels} refuses the row's URI (the row is skipped).
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static StreamContender open(final StreamRow row, final StreamSettings settings, final Progress progress) {
        final Path scratch;
        try {
            scratch = Files.createTempDirectory("ipckit-bench-stream-");
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for " + row.name() + ": "
                + e.getMessage(), e);
        }
        final Parts parts = new Parts(scratch);
        Cleanup.register(parts.atExit);
        try {
            progress.line("starting the producer process");
            final StreamContender.Consumer consumer = switch (row.kind()) {
                case IPCKIT -> ipckit(row, parts);
                case PEER -> switch (row.name()) {
                    case "agrona/raw" -> agrona(parts);
                    case "aeron/ipc" -> aeron(parts);
                    default -> throw new IllegalStateException("row=" + row.name() + " is not a known peer");
                };
                case LIMIT -> throw new IllegalArgumentException("row=" + row.name() + " is a C row");
            };
            final PeerPause pause = new PeerPause(parts.child.pid(), parts.child::isAlive);
            return StreamContender.java(consumer, parts.control.sender(), settings, pause, parts::ending, parts);
        } catch (final RuntimeException e) {
            throw JavaChild.startFailed(e, parts::ending, parts::close);
        }
    }

    private static StreamContender.Consumer ipckit(final StreamRow row, final Parts parts) {
        final String options = "capacity=1m&maxMessage=64k&" + row.options();
        final Path errorFile = parts.errorFile();
        final Receiver receiver;
        switch (row.family()) {
            case "mmap" -> {
                final Path file = Path.of("/dev/shm", "ipckit-bench-" + ProcessHandle.current().pid() + "-"
                    + SESSIONS.incrementAndGet() + "-stream");
                parts.files.add(file);
                final String uri = "mmap:" + file + "?" + options + "&unlinkOnClose=true&timeout=60s";
                receiver = Channels.openReceiver(uri); // a refused URI fails here, before a process starts
                parts.closeables.add(receiver);
                parts.start(List.of("ipckit", uri, errorFile.toString()));
            }
            case "fifo" -> {
                final Path fifo = parts.scratch.resolve("stream.fifo");
                PosixPipes.mkfifo(fifo.toString(), 0600);
                parts.start(List.of("ipckit", "fifo:" + fifo + "?" + options + "&timeout=60s", errorFile.toString()));
                receiver = parts.whileAlive(() -> Channels.openReceiver("fifo:" + fifo + "?" + options
                    + "&timeout=200ms"));
                parts.closeables.add(receiver);
            }
            case "pipe" -> {
                final ChildPipe data = ChildPipe.fromChild(options);
                parts.closeables.add(data);
                parts.start(List.of("ipckit", "pipe:fd=" + (ChildProcess.FIRST_PIPE_FD + 1) + "?" + options,
                    errorFile.toString()), data);
                receiver = data.receiver();
            }
            default -> throw new IllegalStateException("row=" + row.name() + " has no family " + row.family());
        }
        return new StreamContender.Consumer() {
            private final MessageHandler handler = (buffer, offset, length) -> take(buffer.getLong(offset), length);

            @Override
            protected int poll() {
                return receiver.poll(handler, POLL_LIMIT, POLL_SLICE);
            }

            @Override
            protected boolean producerAlive() {
                return parts.child.isAlive();
            }
        };
    }

    private static StreamContender.Consumer agrona(final Parts parts) {
        final Path file = Path.of("/dev/shm", "ipckit-bench-" + ProcessHandle.current().pid() + "-"
            + SESSIONS.incrementAndGet() + "-agrona-stream");
        parts.files.add(file);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(new File(file.toString()), StreamSource.AGRONA_RING_LENGTH);
        parts.closeables.add(() -> IoUtil.unmap(mapped));
        final RingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(mapped, 0, StreamSource.AGRONA_RING_LENGTH));
        parts.start(List.of("agrona", file.toString(), parts.errorFile().toString()));
        return new StreamContender.Consumer() {
            private final org.agrona.concurrent.MessageHandler handler =
                (type, buffer, index, length) -> take(buffer.getLong(index), length);

            @Override
            protected int poll() {
                final int read = ring.read(handler, POLL_LIMIT);
                if (read == 0) {
                    Thread.onSpinWait();
                }
                return read;
            }

            @Override
            protected boolean producerAlive() {
                return parts.child.isAlive();
            }
        };
    }

    private static StreamContender.Consumer aeron(final Parts parts) {
        final Path directory = Path.of("/dev/shm", "ipckit-bench-" + ProcessHandle.current().pid() + "-aeron-stream-"
            + SESSIONS.incrementAndGet());
        parts.files.add(directory);
        final MediaDriver driver = MediaDriver.launch(AeronIpcPingPong.driverContext(directory));
        parts.closeables.add(driver);
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        parts.closeables.add(aeron);
        final Subscription subscription = aeron.addSubscription(StreamSource.AERON_CHANNEL,
            StreamSource.AERON_STREAM);
        parts.closeables.add(subscription);
        parts.start(List.of("aeron", driver.aeronDirectoryName(), parts.errorFile().toString()));
        return new StreamContender.Consumer() {
            private final FragmentAssembler assembler = new FragmentAssembler(
                (buffer, offset, length, header) -> take(buffer.getLong(offset), length));

            @Override
            protected int poll() {
                final int read = subscription.poll(assembler, POLL_LIMIT);
                if (read == 0) {
                    Thread.onSpinWait();
                }
                return read;
            }

            @Override
            protected boolean producerAlive() {
                return parts.child.isAlive();
            }
        };
    }

    /** What a row holds: the producer, its control pipe, the consuming end's parts, the files. */
    private static final class Parts implements AutoCloseable {
        private final Path scratch;
        private final ChildPipe control = ChildPipe.toChild();
        private final List<AutoCloseable> closeables = new ArrayList<>();
        private final List<Path> files = new ArrayList<>();
        private ChildProcess child;
        private boolean closed;
        private final AutoCloseable atExit = this::abandon;

        Parts(final Path scratch) {
            this.scratch = scratch;
        }

        Path errorFile() {
            return scratch.resolve("source.error");
        }

        void start(final List<String> args, final ChildPipe... more) {
            final ChildPipe[] pipes = new ChildPipe[1 + more.length];
            pipes[0] = control;
            System.arraycopy(more, 0, pipes, 1, more.length);
            child = ChildProcess.start(JavaChild.command(StreamSource.class, args), pipes);
        }

        <T> T whileAlive(final java.util.function.Supplier<T> open) {
            final long deadline = System.nanoTime() + EchoSession.START_TIMEOUT.toNanos();
            while (true) {
                try {
                    return open.get();
                } catch (final ChannelException e) {
                    if (!child.isAlive()) {
                        throw new IllegalStateException("the producer process ended before it opened its end", e);
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
            }
        }

        /** How the producer ended, with its last words, or "" while it runs. */
        String ending() {
            if (child == null || child.isAlive()) {
                return "";
            }
            final String said = JavaChild.sentence(errorFile());
            return "the producer " + child.waitFor(Duration.ZERO) + (said.isEmpty() ? "" : ": " + said);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            Cleanup.done(atExit);
            control.close(); // the producer sees its control pipe gone and exits
            if (child != null && child.waitFor(Duration.ofMillis(EXIT_GRACE_MILLIS)) == null) {
                child.kill();
            }
            for (int i = closeables.size() - 1; i >= 0; i--) {
                try {
                    closeables.get(i).close();
                } catch (final Exception e) {
                    System.err.println("bench: closing a throughput row: " + e.getMessage());
                }
            }
            removeFiles();
        }

        private void abandon() {
            if (child != null) {
                child.kill();
            }
            removeFiles();
        }

        private void removeFiles() {
            for (final Path file : files) {
                EchoSession.deleteTree(file);
            }
            EchoSession.deleteTree(scratch);
        }
    }
}
