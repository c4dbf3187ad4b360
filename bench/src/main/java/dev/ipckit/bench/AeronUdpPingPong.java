package dev.ipckit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

import dev.ipckit.Channels;
import dev.ipckit.ChannelUri;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.aeron.AeronOptions;
import dev.ipckit.aeron.EmbeddedDriver;

/**
 * The two UDP rows, on loopback: {@code aeron/udp}, round trips through ipckit's {@code aeron:udp} channels to an
 * {@link EchoPeer}, and {@code aeron/udp-ref}, the same round trips through plain Aeron (Aeron's Ping/Pong over UDP)
 * to an {@link AeronUdpPeer}, on the same driver configuration ({@link EmbeddedDriver}) and the same Aeron channels.
 * Each side of each row runs its own embedded driver, as two hosts would. The measuring side spins for its echo;
 * each echo process waits with the ends' idle strategy.
 *
 * <p>Run on its own ({@link #main}), the two rows are interleaved: both echo processes start, then short segments of
 * each row alternate, and the result is the median of the per-segment ratios of the medians, with their spread.
 */
final class AeronUdpPingPong {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private AeronUdpPingPong() {
    }

    /**
     * @return a fresh {@code aeron:udp} URI on a free 127.0.0.1 port.
     */
    private static String loopbackUri() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort() + "&timeout=60s&linger=1s";
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot find a free UDP port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /**
     * Measures the {@code aeron/udp} row.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     * @throws IOException when the echo process's log cannot be made.
     */
    static Histogram measureIpckit(final BenchSettings settings, final Progress progress) throws IOException {
        try (IpckitLoop loop = new IpckitLoop(settings.messageLength(), progress)) {
            return loop.run(settings, progress);
        }
    }

    /**
     * Measures the {@code aeron/udp-ref} row.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     * @throws IOException when the echo process's log or the driver's directory cannot be made.
     */
    static Histogram measureReference(final BenchSettings settings, final Progress progress) throws IOException {
        try (ReferenceLoop loop = new ReferenceLoop(settings.messageLength(), progress)) {
            return loop.run(settings, progress);
        }
    }

    /** A row's loop with its echo process, closed at the end. */
    private abstract static class EchoLoop extends RoundTripLoop implements AutoCloseable {
        final String name;
        final Path log;
        final UnsafeBuffer message;
        final int length;
        Process echo;
        long echoedSequence;
        int echoedLength;

        EchoLoop(final String name, final int length) throws IOException {
            this.name = name;
            this.length = length;
            this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(length, AeronUdpPeer.STOP_LENGTH)));
            this.log = Files.createTempFile("ipckit-bench-" + name.replace('/', '-') + "-", ".log");
        }

        /** Times {@code count} round trips into {@code histogram}. */
        final void segment(final Histogram histogram, final long count, final long firstSequence) {
            for (long i = 0; i < count; i++) {
                final long start = System.nanoTime();
                roundTrip(firstSequence + i);
                histogram.recordValue(Math.min(System.nanoTime() - start, RowResult.HIGHEST_TRACKABLE_NANOS));
            }
        }

        final IllegalStateException failed(final String what) {
            final String said = echo != null && !echo.isAlive() ? JavaChild.lastLine(log) : "";
            return new IllegalStateException(name + ": " + what + (said.isEmpty() ? "" : "; the echo process said: "
                + said));
        }

        @Override
        public void close() throws IOException {
            if (echo != null) {
                JavaChild.stop(echo, 10_000);
            }
            Files.deleteIfExists(log);
        }
    }

    /** ipckit's {@code aeron:udp} ends to an {@link EchoPeer}. */
    private static final class IpckitLoop extends EchoLoop implements MessageHandler {
        private final Receiver replies;
        private final Sender requests;

        IpckitLoop(final int length, final Progress progress) throws IOException {
            super("aeron/udp", length);
            final String requestUri = loopbackUri();
            final String replyUri = loopbackUri();
            progress.line("starting the echo process");
            Receiver opened = null;
            try {
                opened = Channels.openReceiver(replyUri);
                echo = JavaChild.start(EchoPeer.class, List.of(requestUri, replyUri), log);
                requests = Channels.openSender(requestUri);
            } catch (final RuntimeException e) {
                if (opened != null) {
                    opened.close();
                }
                close();
                throw failed("cannot connect: " + e.getMessage());
            }
            replies = opened;
            final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (replies.poll(this, 1, Duration.ofMillis(100)) == 0) { // the echo's empty "ready" message
                if (!echo.isAlive() || System.nanoTime() - deadline > 0) {
                    close();
                    throw failed("the echo process never said it was ready");
                }
            }
        }

        @Override
        protected void roundTrip(final long sequence) {
            message.putLong(0, sequence);
            while (!requests.offer(message, 0, length)) {
                Thread.onSpinWait();
            }
            spinForEcho(name, sequence, echo);
            checkEcho(name, sequence, length, echoedSequence, echoedLength);
        }

        @Override
        protected boolean pollEcho() {
            return replies.poll(this, 1) != 0;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
            echoedSequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
            echoedLength = length;
        }

        @Override
        public void close() throws IOException {
            try {
                if (requests != null) {
                    requests.close();
                }
                if (replies != null) {
                    replies.close();
                }
            } finally {
                super.close();
            }
        }
    }

    /** Plain Aeron, as in Aeron's Ping, to an {@link AeronUdpPeer}. */
    private static final class ReferenceLoop extends EchoLoop implements FragmentHandler {
        private final Path directory;
        private final MediaDriver driver;
        private final Aeron aeron;
        private final ExclusivePublication pings;
        private final Subscription pongs;

        ReferenceLoop(final int length, final Progress progress) throws IOException {
            super("aeron/udp-ref", length);
            final String requestUri = loopbackUri();
            final String replyUri = loopbackUri();
            final AeronOptions request = AeronOptions.parse(ChannelUri.parse(requestUri));
            final AeronOptions reply = AeronOptions.parse(ChannelUri.parse(replyUri));
            directory = Files.createTempDirectory(Path.of("/dev/shm"), "ipckit-bench-aeron-udp-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            progress.line("launching the embedded media driver and starting the echo process");
            driver = MediaDriver.launch(EmbeddedDriver.context(directory.resolve("driver"), request,
                Throwable::printStackTrace));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            pongs = aeron.addSubscription(reply.subscriptionChannel(), reply.stream());
            pings = aeron.addExclusivePublication(request.publicationChannel(), request.stream());
            echo = JavaChild.start(AeronUdpPeer.class, List.of(requestUri, replyUri,
                Long.toString(ProcessHandle.current().pid())), log);
            final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!pings.isConnected() || !pongs.isConnected()) {
                if (!echo.isAlive() || System.nanoTime() - deadline > 0) {
                    close();
                    throw failed("the echo process did not connect");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the echo JVM is starting on these cores
            }
        }

        @Override
        protected void roundTrip(final long sequence) {
            message.putLong(0, sequence);
            offer(length);
            spinForEcho(name, sequence, echo);
            checkEcho(name, sequence, length, echoedSequence, echoedLength);
        }

        private void offer(final int messageLength) {
            long result;
            while ((result = pings.offer(message, 0, messageLength)) < 0) {
                if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED
                    || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw failed("the ping publication failed: " + Publication.errorString(result));
                }
                Thread.onSpinWait();
            }
        }

        @Override
        protected boolean pollEcho() {
            return pongs.poll(this, 1) != 0;
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
            echoedSequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
            echoedLength = length;
        }

        @Override
        public void close() throws IOException {
            try {
                if (echo != null && echo.isAlive() && pings != null && pings.isConnected()) {
                    offer(AeronUdpPeer.STOP_LENGTH);
                }
                super.close();
            } finally {
                if (aeron != null) {
                    aeron.close();
                }
                if (driver != null) {
                    driver.close();
                }
                EchoSession.deleteTree(directory);
            }
        }
    }

    /**
     * Runs both rows interleaved and prints their figures and the ratio of {@code aeron/udp} to
     * {@code aeron/udp-ref}.
     *
     * <pre>
     * AeronUdpPingPong [SEGMENTS [ROUND_TRIPS_PER_SEGMENT [WARM_UP_ROUND_TRIPS]]]   (default 20 2000 20000)
     * </pre>
     *
     * @param args the counts.
     * @throws IOException when a log or directory cannot be made.
     */
    public static void main(final String[] args) throws IOException {
        final int segments = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        final long perSegment = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
        final long warmUp = args.length > 2 ? Long.parseLong(args[2]) : 20_000;
        final Progress progress = new Progress(System.err);
        try (IpckitLoop ipckit = new IpckitLoop(BenchSettings.MESSAGE_LENGTH, progress);
             ReferenceLoop reference = new ReferenceLoop(BenchSettings.MESSAGE_LENGTH, progress)) {
            final Histogram ipckitAll = RowResult.newHistogram();
            final Histogram referenceAll = RowResult.newHistogram();
            final List<Double> ratios = new ArrayList<>();
            long sequence = 0;
            ipckit.segment(RowResult.newHistogram(), warmUp, sequence);
            reference.segment(RowResult.newHistogram(), warmUp, sequence);
            sequence += warmUp;
            for (int s = 0; s < segments; s++) {
                final Histogram a = RowResult.newHistogram();
                final Histogram b = RowResult.newHistogram();
                if ((s & 1) == 0) { // alternate which row goes first
                    ipckit.segment(a, perSegment, sequence);
                    reference.segment(b, perSegment, sequence);
                } else {
                    reference.segment(b, perSegment, sequence);
                    ipckit.segment(a, perSegment, sequence);
                }
                sequence += perSegment;
                ipckitAll.add(a);
                referenceAll.add(b);
                ratios.add((double) a.getValueAtPercentile(50) / b.getValueAtPercentile(50));
            }
            final List<Double> sorted = ratios.stream().sorted().toList();
            System.out.println(figures("aeron/udp    ", ipckitAll));
            System.out.println(figures("aeron/udp-ref", referenceAll));
            System.out.printf(Locale.ROOT, "ratio aeron/udp / aeron/udp-ref (p50 per segment, %d segments of %d): "
                + "median %.3f, min %.3f, max %.3f%n", segments, perSegment, sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1));
        }
    }

    private static String figures(final String name, final Histogram histogram) {
        return String.format(Locale.ROOT, "%s  p50 %6.1f us  p99 %6.1f us  p99.9 %7.1f us  max %8.1f us  (%d round "
            + "trips)", name, histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, histogram.getTotalCount());
    }
}
