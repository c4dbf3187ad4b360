package dev.ipckit.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The measuring side of the {@code agrona/raw} row (see {@link AgronaRawPeer} for the file): writes a ping to the
 * request ring and busy-spins on the reply ring.
 */
final class AgronaRawPingPong extends RoundTripLoop implements MessageHandler {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final RingBuffer requests;
    private final RingBuffer replies;
    private final Process echo;
    private final UnsafeBuffer message;
    private final int length;
    private long echoedSequence;
    private int echoedLength;
    private int echoedType;

    private AgronaRawPingPong(final MappedByteBuffer file, final Process echo, final int length) {
        this.requests = AgronaRawPeer.requests(file);
        this.replies = AgronaRawPeer.replies(file);
        this.echo = echo;
        this.length = length;
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
    }

    /**
     * Opens the {@code agrona/raw} row for an interleaved run: makes the file and starts the echo process.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the row, ready to warm up; closing it stops the echo process and removes the file.
     * @throws IOException when the echo process's log cannot be made.
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static Contender open(final BenchSettings settings, final Progress progress) throws IOException {
        final Path path = Path.of("/dev/shm", "ipckit-bench-" + ProcessHandle.current().pid() + "-agrona-"
            + RUNS.incrementAndGet());
        final Path log = Files.createTempFile("ipckit-bench-agrona-", ".log");
        final AtomicReference<Process> started = new AtomicReference<>();
        final AtomicReference<MappedByteBuffer> mapped = new AtomicReference<>();
        final AtomicReference<AgronaRawPingPong> loop = new AtomicReference<>();
        final AutoCloseable atExit = () -> { // no unmap here: the measuring thread may still be reading the rings
            final Process echo = started.get();
            if (echo != null) {
                PeerPause.wake(echo); // it may be stopped between two segments
                JavaChild.stop(echo, 0);
            }
            Files.deleteIfExists(path);
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
                if (mapped.get() != null) {
                    IoUtil.unmap(mapped.get());
                }
            } finally {
                Files.deleteIfExists(path);
                Files.deleteIfExists(log);
                Cleanup.done(atExit);
            }
        };
        Cleanup.register(atExit);
        try {
            mapped.set(IoUtil.mapNewFile(new File(path.toString()), AgronaRawPeer.FILE_LENGTH));
            progress.line("starting the echo process");
            final Process process = JavaChild.start(AgronaRawPeer.class, List.of(path.toString(),
                Long.toString(ProcessHandle.current().pid())), log);
            started.set(process);
            loop.set(new AgronaRawPingPong(mapped.get(), process, settings.messageLength()));
            loop.get().awaitReady();
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

    private void awaitReady() {
        final long start = System.nanoTime();
        echoedType = 0;
        while (echoedType != AgronaRawPeer.READY) {
            if (replies.read(this, 1) == 0) {
                if (!echo.isAlive()) {
                    throw new IllegalStateException("agrona/raw: the echo process ended before it was ready");
                }
                if (System.nanoTime() - start > EchoSession.START_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("agrona/raw: the echo process was not ready within "
                        + EchoSession.START_TIMEOUT.toSeconds() + " s");
                }
                LockSupport.parkNanos(1_000_000); // not a spin: the echo JVM is starting on these cores
            }
        }
    }

    private void stopEcho() {
        message.putLong(0, -1);
        if (!requests.write(AgronaRawPeer.STOP, message, 0, Long.BYTES)) {
            throw new IllegalStateException("agrona/raw: the request ring is full at the end");
        }
    }

    @Override
    protected void roundTrip(final long sequence) {
        message.putLong(0, sequence);
        if (!requests.write(AgronaRawPeer.PING, message, 0, length)) {
            throw new IllegalStateException("agrona/raw: the request ring is full at round trip " + sequence
                + "; the echo side is not reading");
        }
        spinForEcho("agrona/raw", sequence, echo);
        checkEcho("agrona/raw", sequence, length, echoedSequence, echoedLength);
    }

    @Override
    protected boolean pollEcho() {
        return replies.read(this, 1) != 0;
    }

    /**
     * Takes an echo.
     */
    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        echoedType = type;
        echoedSequence = AgronaRawPeer.sequence(buffer, index);
        echoedLength = length;
    }
}
