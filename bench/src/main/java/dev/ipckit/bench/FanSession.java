package dev.ipckit.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;

/**
 * The sending side of a one-to-many row, in this process, and its N {@link FanSubscriber} processes: one sender,
 * N subscribers that each take every message, and for a round-trip row a reply channel on which subscriber 0 (the
 * designated one) echoes every message. The row's options say how many subscribers ({@code subscribers=N}); for an
 * ipckit row they are also its URI options.
 *
 * <ul>
 *   <li>{@code mmap/...} (kind ipckit): {@code mmap:/dev/shm/ipckit-bench-PID-N-fan?capacity=C&OPTIONS&timeout=60s},
 *       every subscriber opening the same URI (so each takes a subscriber slot), the sender removing the file on
 *       close; replies on a one-to-one ring {@code ...-fan-rep?capacity=64k&wait=W};</li>
 *   <li>{@code agrona/...}: Agrona's {@link BroadcastTransmitter} over a {@code /dev/shm} file, each subscriber a
 *       {@code CopyBroadcastReceiver} (it copies, then checks it was not lapped); replies on a
 *       {@code OneToOneRingBuffer} after the broadcast buffer in the same file ({@link #agronaLayout});</li>
 *   <li>{@code aeron/...}: one exclusive {@code aeron:ipc} publication, each subscriber process its own client and
 *       subscription, through a media driver embedded in this process ({@link AeronIpcPingPong#driverContext});
 *       replies on their own stream.</li>
 * </ul>
 *
 * Every subscriber (and this side, waiting for an echo or for room) waits with Agrona's
 * {@link BackoffIdleStrategy} (the ipckit rows with {@code wait=backoff}, the same strategy): one sender and two
 * or four spinning subscribers would want more cores than a two-core machine has, so these rows measure the
 * scheduler as much as the mechanism. The sender sends only once every subscriber has joined. {@link #close()}
 * tells the subscribers to stop, closes the sender, reaps every subscriber (SIGKILL after 10 s) and removes every
 * file.
 */
final class FanSession implements AutoCloseable {
    /** The capacity of a round-trip row's channels, as the one-to-one rows' ({@code capacity=64k}). */
    static final int ROUND_TRIP_CAPACITY = 64 * 1024;
    /** The capacity of the reply channel. */
    static final int REPLY_CAPACITY = 64 * 1024;
    /**
     * What the tables print under a one-to-many row: the core count and what it means for these figures.
     */
    static final String CORES_NOTE = "one-to-many rows: %d CPUs here; one sender and 2 or 4 spinning subscribers "
        + "would want 3 to 5, so every subscriber (and the sender when it waits) waits with a backoff (spin, yield, "
        + "park 1 us .. 1 ms), and these figures measure the scheduler as much as the mechanism";
    private static final AtomicInteger SESSIONS = new AtomicInteger();
    private static final long EXIT_GRACE_MILLIS = 10_000;
    private static final int CHECK_MASK = (1 << 10) - 1;

    private final String name;
    private final int subscribers;
    private final Path scratch;
    private final List<Path> files = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();
    private final IdleStrategy wait = new BackoffIdleStrategy();
    private final AutoCloseable atExit = this::abandon;
    private FanControl control;
    private Publisher publisher;
    private Echoes echoes;
    /** Whether the sending side sees every subscriber (Aeron's publication and reply subscription connected). */
    private BooleanSupplier connected = () -> true;
    private boolean closed;

    /** Sends one message; false when there was no room within the time given. */
    @FunctionalInterface
    interface Publisher {
        /**
         * @param message the message.
         * @param length its length.
         * @param timeout how long to wait for room.
         * @return whether it was sent.
         */
        boolean offer(UnsafeBuffer message, int length, Duration timeout);
    }

    /** Looks for the designated subscriber's echo. */
    @FunctionalInterface
    interface Echoes {
        /**
         * @param timeout how long to wait.
         * @return whether an echo came (its sequence number and length are then in {@link #echoedSequence} and
         *     {@link #echoedLength}).
         */
        boolean await(Duration timeout);
    }

    private long echoedSequence;
    private int echoedLength;

    private FanSession(final String name, final int subscribers, final Path scratch) {
        this.name = name;
        this.subscribers = subscribers;
        this.scratch = scratch;
    }

    /**
     * The Agrona rows' file: the broadcast buffer (capacity and trailer), then the reply ring.
     *
     * @param broadcastLength the broadcast buffer's length, trailer included.
     * @param replyLength the reply ring's length, trailer included.
     */
    record AgronaLayout(int broadcastLength, int replyLength) {
        /**
         * @param file the mapped file.
         * @return the reply ring.
         */
        RingBuffer replies(final MappedByteBuffer file) {
            return new OneToOneRingBuffer(new UnsafeBuffer(file, broadcastLength, replyLength));
        }
    }

    /**
     * @param fileLength the Agrona rows' file length.
     * @return where its two parts lie.
     */
    static AgronaLayout agronaLayout(final int fileLength) {
        final int reply = REPLY_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        return new AgronaLayout(fileLength - reply, reply);
    }

    /**
     * @return {@link #CORES_NOTE} with this machine's CPU count.
     */
    static String coresNote() {
        return String.format(java.util.Locale.ROOT, CORES_NOTE, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param options a row's options, e.g. {@code wait=backoff&subscribers=4}.
     * @return N of {@code subscribers=N}, or 0 when the row is not a one-to-many row.
     */
    static int subscribers(final String options) {
        for (final String option : options.split("&")) {
            if (option.startsWith("subscribers=")) {
                return Integer.parseInt(option.substring("subscribers=".length()));
            }
        }
        return 0;
    }

    /**
     * Starts a one-to-many row: the sending side here, N subscriber processes, and waits until all have joined.
     *
     * @param name the row's name, for messages.
     * @param family {@code mmap}, {@code agrona} or {@code aeron}.
     * @param options the row's options ({@code subscribers=N}, and an ipckit row's URI options).
     * @param roundTrip whether subscriber 0 echoes (a round-trip row) or all only count (a throughput row).
     * @param capacity the data channel's capacity in bytes, a power of two.
     * @param progress where progress lines go.
     * @return the open session.
     * @throws IllegalArgumentException when {@code Channels} refuses the ipckit row's URI (before any process
     *     starts).
     * @throws IllegalStateException with a sentence when a subscriber fails or does not join within
     *     {@link EchoSession#START_TIMEOUT}; nothing is left behind.
     */
    static FanSession open(final String name, final String family, final String options, final boolean roundTrip,
                           final int capacity, final Progress progress) {
        final int subscribers = subscribers(options);
        if (subscribers < 1) {
            throw new IllegalStateException("row=" + name + " has no subscribers=N among its options " + options);
        }
        final Path scratch;
        try {
            scratch = Files.createTempDirectory("ipckit-bench-fan-");
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for " + name + ": " + e.getMessage(), e);
        }
        final FanSession session = new FanSession(name, subscribers, scratch);
        Cleanup.register(session.atExit);
        try {
            final String tag = "ipckit-bench-" + ProcessHandle.current().pid() + "-" + SESSIONS.incrementAndGet()
                + "-fan";
            final Path controlFile = session.file(tag + "-control");
            session.control = FanControl.create(controlFile, subscribers);
            session.closeables.add(session.control);
            final List<String> targets = switch (family) {
                case "mmap" -> session.ipckit(tag, options, roundTrip, capacity);
                case "agrona" -> session.agrona(tag, roundTrip, capacity);
                case "aeron" -> session.aeron(tag, roundTrip);
                default -> throw new IllegalStateException("row=" + name + " has no one-to-many family " + family);
            };
            final String kind = family.equals("mmap") ? "ipckit" : family;
            progress.line("starting " + subscribers + " subscriber processes");
            for (int i = 0; i < subscribers; i++) {
                final List<String> args = new ArrayList<>(List.of(kind, Integer.toString(i),
                    roundTrip && i == 0 ? "echo" : "count", controlFile.toString(),
                    Long.toString(ProcessHandle.current().pid()), session.errorFile(i).toString()));
                args.addAll(targets);
                session.children.add(JavaChild.start(FanSubscriber.class, args, session.scratch.resolve("sub-" + i
                    + ".log")));
            }
            session.awaitJoined();
            return session;
        } catch (final RuntimeException e) {
            throw JavaChild.startFailed(e, session::ending, session::close);
        }
    }

    private Path file(final String name) {
        final Path file = Path.of("/dev/shm", name);
        files.add(file);
        return file;
    }

    private Path errorFile(final int subscriber) {
        return scratch.resolve("sub-" + subscriber + ".error");
    }

    private List<String> ipckit(final String tag, final String options, final boolean roundTrip, final int capacity) {
        final String uri = "mmap:" + file(tag) + "?capacity=" + capacity + "&" + options + "&timeout=60s";
        final Sender sender = Channels.openSender(uri + "&unlinkOnClose=true"); // a refused URI fails here
        closeables.add(sender);
        publisher = (message, length, timeout) -> sender.offer(message, 0, length, timeout);
        if (!roundTrip) {
            return List.of(uri);
        }
        final String replyOptions = Arrays.stream(options.split("&"))
            .filter(option -> !option.startsWith("subscribers=") && !option.startsWith("slow="))
            .collect(Collectors.joining("&"));
        final String replyUri = "mmap:" + file(tag + "-rep") + "?capacity=" + REPLY_CAPACITY
            + (replyOptions.isEmpty() ? "" : "&" + replyOptions) + "&timeout=60s";
        final Receiver replies = Channels.openReceiver(replyUri + "&unlinkOnClose=true");
        closeables.add(replies);
        final MessageHandler handler = this::echoed;
        echoes = timeout -> replies.poll(handler, 1, timeout) > 0;
        return List.of(uri, replyUri);
    }

    private List<String> agrona(final String tag, final boolean roundTrip, final int capacity) {
        final Path path = file(tag + "-agrona");
        final AgronaLayout layout = new AgronaLayout(capacity + BroadcastBufferDescriptor.TRAILER_LENGTH,
            REPLY_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(new File(path.toString()),
            layout.broadcastLength() + layout.replyLength());
        closeables.add(() -> IoUtil.unmap(mapped));
        final BroadcastTransmitter transmitter = new BroadcastTransmitter(new UnsafeBuffer(mapped, 0,
            layout.broadcastLength()));
        publisher = (message, length, timeout) -> {
            transmitter.transmit(FanSubscriber.AGRONA_TYPE, message, 0, length);
            return true; // Agrona's broadcast never waits: a slow receiver is lapped
        };
        if (roundTrip) {
            final RingBuffer replies = layout.replies(mapped);
            final org.agrona.concurrent.MessageHandler handler = (type, buffer, offset, length) ->
                echoed(buffer, offset, length);
            final BooleanSupplier poll = () -> replies.read(handler, 1) > 0;
            echoes = timeout -> awaitEcho(poll, timeout.toNanos());
        }
        return List.of(path.toString());
    }

    private List<String> aeron(final String tag, final boolean roundTrip) {
        final Path directory = file(tag + "-aeron");
        final MediaDriver driver = MediaDriver.launch(AeronIpcPingPong.driverContext(directory));
        closeables.add(driver);
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        closeables.add(aeron);
        final ExclusivePublication publication = aeron.addExclusivePublication(AeronIpcPeer.CHANNEL,
            FanSubscriber.AERON_STREAM);
        closeables.add(publication);
        publisher = (message, length, timeout) -> {
            final long deadline = System.nanoTime() + timeout.toNanos();
            long result;
            wait.reset();
            while ((result = publication.offer(message, 0, length)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED
                    || result == Publication.NOT_CONNECTED) {
                    throw new IllegalStateException(name + ": the publication failed: "
                        + Publication.errorString(result));
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                wait.idle();
            }
            return true;
        };
        final Subscription replies = roundTrip
            ? aeron.addSubscription(AeronIpcPeer.CHANNEL, FanSubscriber.AERON_ECHO_STREAM) : null;
        if (replies != null) {
            closeables.add(replies);
            final io.aeron.logbuffer.FragmentHandler handler = (buffer, offset, length, header) ->
                echoed(buffer, offset, length);
            final BooleanSupplier poll = () -> replies.poll(handler, 1) > 0;
            echoes = timeout -> awaitEcho(poll, timeout.toNanos());
        }
        connected = () -> publication.isConnected() && (replies == null || replies.isConnected());
        return List.of(driver.aeronDirectoryName());
    }

    private void echoed(final DirectBuffer buffer, final int offset, final int length) {
        echoedSequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
        echoedLength = length;
    }

    private boolean awaitEcho(final BooleanSupplier poll, final long timeoutNanos) {
        wait.reset();
        long idle = 0;
        long start = 0;
        while (!poll.getAsBoolean()) {
            if ((++idle & CHECK_MASK) == 0) {
                final long now = System.nanoTime();
                if (start == 0) {
                    start = now;
                } else if (now - start > timeoutNanos) {
                    return false;
                }
                checkAlive();
            }
            wait.idle();
        }
        return true;
    }

    private void awaitJoined() {
        final long deadline = System.nanoTime() + EchoSession.START_TIMEOUT.toNanos();
        while (control.joined() < subscribers || !connected.getAsBoolean()) {
            checkAlive();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + ": " + control.joined() + " of " + subscribers
                    + " subscribers joined within " + EchoSession.START_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(1_000_000); // not a spin: the subscribers' JVMs are starting on these cores
        }
    }

    /**
     * @throws IllegalStateException naming the first subscriber that has ended.
     */
    void checkAlive() {
        for (int i = 0; i < children.size(); i++) {
            if (!children.get(i).isAlive()) {
                throw new IllegalStateException(name + ": subscriber " + i + " ended");
            }
        }
    }

    /**
     * @return how many subscribers.
     */
    int subscribers() {
        return subscribers;
    }

    /**
     * @return the sending side.
     */
    Publisher publisher() {
        return publisher;
    }

    /**
     * Waits for the designated subscriber's echo (a round-trip row only).
     *
     * @param timeout how long.
     * @return whether it came; then {@link #echoedSequence()} and {@link #echoedLength()} describe it.
     */
    boolean awaitEcho(final Duration timeout) {
        return echoes.await(timeout);
    }

    /**
     * @return the last echo's sequence number.
     */
    long echoedSequence() {
        return echoedSequence;
    }

    /**
     * @return the last echo's length.
     */
    int echoedLength() {
        return echoedLength;
    }

    /**
     * @return the subscribers' counts.
     */
    FanControl control() {
        return control;
    }

    /**
     * @return a pause that stops and resumes every subscriber together.
     */
    PeerPause pause() {
        return PeerPause.of(children);
    }

    /**
     * @return how the subscribers that have ended ended, with their last words, or "" while all run.
     */
    String ending() {
        final List<String> ended = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            final Process child = children.get(i);
            try {
                child.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!child.isAlive()) {
                final String said = Files.exists(errorFile(i)) ? JavaChild.sentence(errorFile(i))
                    : JavaChild.lastLine(scratch.resolve("sub-" + i + ".log"));
                ended.add("subscriber " + i + " (process " + child.pid() + ") exited with status " + child.exitValue()
                    + (said.isEmpty() ? "" : ": " + said));
            }
        }
        return String.join("; ", ended);
    }

    /**
     * Tells the subscribers to stop, closes the sender, reaps the subscribers (SIGKILL after 10 s) and removes the
     * files. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Cleanup.done(atExit);
        if (control != null) {
            control.stop();
        }
        for (final Process child : children) {
            PeerPause.wake(child);
        }
        for (final Process child : children) {
            JavaChild.stop(child, EXIT_GRACE_MILLIS);
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (final Exception e) {
                System.err.println("bench: closing " + name + ": " + e.getMessage());
            }
        }
        removeFiles();
    }

    private void abandon() {
        for (final Process child : children) {
            PeerPause.wake(child);
            JavaChild.stop(child, 0);
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
