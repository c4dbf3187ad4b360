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
     * Measures the {@code aeron/ipc} row: launches the media driver, starts the echo process, runs the round
     * trips, and closes and removes everything.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     * @throws IOException when the echo process's log cannot be made.
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static Histogram measure(final BenchSettings settings, final Progress progress) throws IOException {
        final long pid = ProcessHandle.current().pid();
        final Path directory = Path.of("/dev/shm", "ipckit-bench-" + pid + "-aeron-" + RUNS.incrementAndGet());
        final Path log = Files.createTempFile("ipckit-bench-aeron-", ".log");
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .printConfigurationOnStart(false)
            .warnIfDirectoryExists(false);
        Process process = null;
        final AtomicReference<Process> started = new AtomicReference<>();
        final AutoCloseable atExit = () -> { // the driver is left to its own shutdown; its files go here
            final Process echo = started.get();
            if (echo != null) {
                JavaChild.stop(echo, 0);
            }
            EchoSession.deleteTree(directory);
            Files.deleteIfExists(log);
        };
        Cleanup.register(atExit);
        progress.line("launching the embedded media driver");
        try (MediaDriver driver = MediaDriver.launch(driverContext);
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             ExclusivePublication pings = aeron.addExclusivePublication(AeronIpcPeer.CHANNEL, AeronIpcPeer.PING_STREAM);
             Subscription pongs = aeron.addSubscription(AeronIpcPeer.CHANNEL, AeronIpcPeer.PONG_STREAM)) {
            progress.line("starting the echo process");
            process = JavaChild.start(AeronIpcPeer.class, List.of(driver.aeronDirectoryName(), Long.toString(pid)),
                log);
            started.set(process);
            final AeronIpcPingPong loop = new AeronIpcPingPong(pings, pongs, process, settings.messageLength());
            try {
                loop.awaitConnected();
                final Histogram histogram = loop.run(settings, progress);
                loop.stopEcho();
                JavaChild.stop(process, 10_000);
                return histogram;
            } catch (final RuntimeException e) {
                final String said = process.isAlive() ? "" : JavaChild.lastLine(log);
                throw new IllegalStateException(e.getMessage()
                    + (said.isEmpty() ? "" : "; the echo process said: " + said), e);
            }
        } finally {
            if (process != null) {
                JavaChild.stop(process, 10_000);
            }
            EchoSession.deleteTree(directory);
            Files.deleteIfExists(log);
            Cleanup.done(atExit);
        }
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
