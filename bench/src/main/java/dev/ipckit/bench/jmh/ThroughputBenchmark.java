package dev.ipckit.bench.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.Control;

import dev.ipckit.MessageHandler;

/**
 * Messages per second from a producer thread to a consumer thread over one channel ({@link InProcessChannel}):
 * the producer offers without waiting, the consumer polls up to 64 messages at a time. Read the auxiliary counters:
 * {@code transfer:messages} (messages received per second; the figure for 32 B and 4 KiB) and
 * {@code transfer:megabytes} (MB/s received, 10^6 bytes; the figure for 64 KiB). The group's own ops/s counts
 * calls, including offers that found the channel full and polls that found it empty.
 *
 * One subclass per transport:
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar MmapThroughputBenchmark -p size=65536
 * </pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public abstract class ThroughputBenchmark {
    /** The message length in bytes. */
    @Param({"32", "4096", "65536"})
    public int size;

    private InProcessChannel channel;
    private UnsafeBuffer message;

    /**
     * Set while the producer is inside offer. A FIFO or pipe frame larger than PIPE_BUF, once started, is finished
     * by its offer, which waits for the consumer to read; so at the end of an iteration the consumer keeps polling
     * until the producer is out, or the two would wait for each other.
     *
     * <p>Its own state object, so that JMH pads it away from the fields both threads read on every call (a flag
     * beside {@code channel} made every poll miss the cache line the producer had just written), and set with
     * release stores, which cost the producer no fence: the consumer reads it only once the iteration stops.
     */
    @State(Scope.Group)
    public static class Offering {
        private static final VarHandle OFFERING;

        static {
            try {
                OFFERING = MethodHandles.lookup().findVarHandle(Offering.class, "offering", boolean.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private boolean offering;

        void set(final boolean value) {
            OFFERING.setRelease(this, value);
        }

        boolean get() {
            return (boolean) OFFERING.getAcquire(this);
        }
    }

    /**
     * What the consumer received in the iteration; JMH reports each field per second.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Received implements MessageHandler {
        /** Messages received. */
        public long messages;
        /** Megabytes (10^6 bytes) received. */
        public double megabytes;

        /**
         * Starts the iteration's counts at zero.
         */
        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
            megabytes = 0;
        }

        /**
         * Counts a message.
         */
        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
            messages++;
            megabytes += length / 1e6;
        }
    }

    /**
     * Opens both ends.
     */
    @Setup(Level.Trial)
    public void open() {
        channel = InProcessChannel.open(transport());
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        message.setMemory(0, size, (byte) 'x');
    }

    /**
     * @return {@code mmap}, {@code fifo} or {@code pipe}.
     */
    protected abstract String transport();

    /**
     * Closes both ends and removes the channel's files.
     */
    @TearDown(Level.Trial)
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * @param offering whether the producer is inside offer.
     * @return whether the message was written (false: the channel was full).
     */
    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public boolean producer(final Offering offering) {
        offering.set(true);
        try {
            return channel.sender().offer(message, 0, size);
        } finally {
            offering.set(false);
        }
    }

    /**
     * @param received the consumer's counts.
     * @param offering whether the producer is inside offer.
     * @param control tells when the iteration is stopping.
     * @return how many messages this poll delivered.
     */
    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public int consumer(final Received received, final Offering offering, final Control control) {
        int delivered = channel.receiver().poll(received, 64);
        if (control.stopMeasurement) {
            while (offering.get()) {
                delivered += channel.receiver().poll(received, 64);
            }
        }
        return delivered;
    }
}
