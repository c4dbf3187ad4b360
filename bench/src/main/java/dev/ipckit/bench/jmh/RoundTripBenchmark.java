package dev.ipckit.bench.jmh;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.bench.EchoSession;

/**
 * One round trip to an echo process: a message offered on the request channel, the same message polled back from
 * the reply channel. The echo side is an {@link dev.ipckit.bench.EchoPeer} in its own JVM, started in
 * {@link #start()} and reaped in {@link #stop()}; both sides wait as the transport's {@code wait=} option says.
 * One subclass per transport, with the wait modes as a parameter:
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar MmapRoundTripBenchmark -p wait=spin,futex
 * java -jar bench/target/benchmarks.jar 'RoundTrip'          # every transport and wait mode
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public abstract class RoundTripBenchmark implements MessageHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The message length in bytes, 8..{@value #MAX_SIZE}. */
    @Param({"32"})
    public int size;

    /** The longest message: the channels' {@code maxMessage} (the mmap ring's 64 KiB capacity / 8). */
    public static final int MAX_SIZE = 8192;

    private String transport;
    private EchoSession session;
    private Sender sender;
    private Receiver receiver;
    private UnsafeBuffer message;
    private long sequence;
    private long echoed;

    /**
     * Starts the echo process and opens this side's ends.
     */
    @Setup(Level.Trial)
    public void start() {
        if (size < Long.BYTES || size > MAX_SIZE) {
            throw new IllegalArgumentException("size=" + size + " is outside " + Long.BYTES + ".." + MAX_SIZE
                + " bytes (a message carries an 8-byte sequence number and the channels take at most " + MAX_SIZE
                + ")");
        }
        transport = transport();
        session = EchoSession.start(transport);
        sender = session.sender();
        receiver = session.receiver();
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
    }

    /**
     * @return the transport and wait mode, as in {@link EchoSession#TRANSPORTS}, e.g. {@code mmap/spin}.
     */
    protected abstract String transport();

    /**
     * Closes the ends, reaps the echo process and removes the channels' files.
     */
    @TearDown(Level.Trial)
    public void stop() {
        if (session != null) {
            session.close();
        }
    }

    /**
     * @return the echoed sequence number.
     */
    @Benchmark
    public long roundTrip() {
        message.putLong(0, ++sequence);
        if (!sender.offer(message, 0, size, TIMEOUT) || receiver.poll(this, 1, TIMEOUT) == 0) {
            throw new IllegalStateException(transport + ": no echo of round trip " + sequence + " within "
                + TIMEOUT.toSeconds() + " s; " + session.echoEnding());
        }
        return echoed;
    }

    /**
     * Takes the echo.
     */
    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
        echoed = buffer.getLong(offset);
    }
}
