package dev.ipckit.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

/**
 * The measuring (Ping) side of the {@code aeron/ipc} row: an embedded media driver whose one shared agent sleeps a
 * millisecond when idle (IPC data never passes through it, and on two cores a spinning driver would take a core
 * from the two spinning processes), an exclusive publication of pings and a subscription to the echoes from
 * {@link AeronIpcPeer}. The driver's directory lies in {@code /dev/shm} and is removed at the end.
 */
final class AeronIpcPingPong extends RoundTripLoop implements FragmentHandler {
    private static final int CHECK_MASK = (1 << 16) - 1;
    private static final AtomicInteger RUNS = new AtomicInteger();
    /** The longest time the echo process may be stopped between two segments: 60 s. */
    static final long STOPPED_LIMIT_NANOS = 60_000_000_000L;

    private final ExclusivePublication pings;
    private final Subscription pongs;
    private final Process echo;
    private final UnsafeBuffer message;
    private final int length;
    private long echoedSequence;
    private int echoedLength;

    private AeronIpcPingPong(final ExclusivePublication pings, final Subscription pongs, final Process echo,
                             final int length) {
        this.pings = pings;
        this.pongs = pongs;
        this.echo = echo;
        this.length = length;
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(length, AeronIpcPeer.STOP_LENGTH)));
    }

    /**
     * Opens the {@code aeron/ipc} row for an interleaved run: launches the media driver and starts the echo
     * process.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the row, ready to warm up; closing it stops the echo process, the client and the driver, and removes
     *     the driver's directory.
     * @throws IOException when the echo process's log cannot be made.
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static Contender open(final BenchSettings settings, final Progress progress) throws IOException {
        final long pid = ProcessHandle.current().pid();
        final Path directory = Path.of("/dev/shm", "ipckit-bench-" + pid + "-aeron-" + RUNS.incrementAndGet());
        final Path log = Files.createTempFile("ipckit-bench-aeron-", ".log");
        final MediaDriver.Context driverContext = driverContext(directory);
        final AtomicReference<Process> started = new AtomicReference<>();
        final AtomicReference<AeronIpcPingPong> loop = new AtomicReference<>();
        final List<AutoCloseable> opened = new java.util.ArrayList<>();
        final AutoCloseable atExit = () -> { // the driver is left to its own shutdown; its files go here
            final Process echo = started.get();
            if (echo != null) {
                PeerPause.wake(echo); // it may be stopped between two segments
                JavaChild.stop(echo, 0);
            }
            EchoSession.deleteTree(directory);
            Files.deleteIfExists(log);
        };
        final AutoCloseable close = () -> {
            try {
                final Process echo = started.get();
                if (echo != null) {
                    if (echo.isAlive() && loop.get() != null) {
                        loop.get().stopEcho();
                    }
                    JavaChild.stop(echo, 10_000);
                }
                for (int i = opened.size() - 1; i >= 0; i--) {
                    opened.get(i).close();
                }
            } finally {
                EchoSession.deleteTree(directory);
                Files.deleteIfExists(log);
                Cleanup.done(atExit);
            }
        };
        Cleanup.register(atExit);
        progress.line("launching the embedded media driver");
        try {
            final MediaDriver driver = MediaDriver.launch(driverContext);
            opened.add(driver);
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            opened.add(aeron);
            final ExclusivePublication pings = aeron.addExclusivePublication(AeronIpcPeer.CHANNEL,
                AeronIpcPeer.PING_STREAM);
            opened.add(pings);
            final Subscription pongs = aeron.addSubscription(AeronIpcPeer.CHANNEL, AeronIpcPeer.PONG_STREAM);
            opened.add(pongs);
            progress.line("starting the echo process");
            final Process process = JavaChild.start(AeronIpcPeer.class, List.of(driver.aeronDirectoryName(),
                Long.toString(pid)), log);
            started.set(process);
            loop.set(new AeronIpcPingPong(pings, pongs, process, settings.messageLength()));
            loop.get().awaitConnected();
            return Contender.java(loop.get(), settings, PeerPause.of(process),
                () -> process.isAlive() ? "" : "the echo process said: " + JavaChild.lastLine(log), close);
        } catch (final RuntimeException e) {
            final Process process = started.get();
            final String said = process == null || process.isAlive() ? "" : JavaChild.lastLine(log);
            try {
                close.close();
            } catch (final Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException(e.getMessage() + (said.isEmpty() ? "" : "; the echo process said: " + said),
                e);
        }
    }

    /**
     * The embedded media driver of the Aeron rows: one shared agent that sleeps a millisecond when idle, its
     * directory deleted on start and shutdown, and timeouts long enough for a child stopped between its segments.
     *
     * @param directory the driver's directory.
     * @return the driver's context.
     */
    static MediaDriver.Context driverContext(final Path directory) {
        return new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .printConfigurationOnStart(false)
            .warnIfDirectoryExists(false)
            // The other process is stopped (SIGSTOP) while other rows take their segments: its client must not be
            // declared dead, nor its half-written message be unblocked, in that time.
            .clientLivenessTimeoutNs(STOPPED_LIMIT_NANOS)
            .publicationUnblockTimeoutNs(2 * STOPPED_LIMIT_NANOS);
    }

    private void awaitConnected() {
        final long start = System.nanoTime();
        while (!pings.isConnected() || !pongs.isConnected()) {
            if (!echo.isAlive()) {
                throw new IllegalStateException("aeron/ipc: the echo process ended before it connected");
            }
            if (System.nanoTime() - start > EchoSession.START_TIMEOUT.toNanos()) {
                throw new IllegalStateException("aeron/ipc: the echo process did not connect within "
                    + EchoSession.START_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(1_000_000); // not a spin: the echo JVM is starting on these cores
        }
    }

    private void stopEcho() {
        offer(AeronIpcPeer.STOP_LENGTH, -1);
    }

    private void offer(final int messageLength, final long sequence) {
        long spins = 0;
        long result;
        while ((result = pings.offer(message, 0, messageLength)) < 0) {
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED
                || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("aeron/ipc: the ping publication failed at round trip " + sequence
                    + ": " + Publication.errorString(result));
            }
            Thread.onSpinWait();
            if ((++spins & CHECK_MASK) == 0 && !echo.isAlive()) {
                throw new IllegalStateException("aeron/ipc: the echo process ended during round trip " + sequence);
            }
        }
    }

    @Override
    protected void roundTrip(final long sequence) {
        message.putLong(0, sequence);
        offer(length, sequence);
        spinForEcho("aeron/ipc", sequence, echo);
        checkEcho("aeron/ipc", sequence, length, echoedSequence, echoedLength);
    }

    @Override
    protected boolean pollEcho() {
        return pongs.poll(this, 1) != 0;
    }

    /**
     * Takes an echo.
     */
    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
        echoedSequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
        echoedLength = length;
    }
}
