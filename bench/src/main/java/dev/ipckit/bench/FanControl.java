package dev.ipckit.bench;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The small shared file between the sender of a one-to-many row ({@link FanSession}) and its subscriber processes
 * ({@link FanSubscriber}): a stop word the sender sets once, and one slot per subscriber in which that subscriber
 * says it has joined and counts what it received. The sender reads the counts at the two ends of a counted window;
 * a subscriber publishes its count once per poll, so counting costs it one ordered store per batch, not per
 * message.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                  stop (int64): 1 = subscribers exit            |
 *  +---------------------------------------------------------------+  8 .. 127: padding
 *  |                  ...                                           |
 *  +---------------------------------------------------------------+  128 * (1 + i): subscriber i
 *  |                  joined (int64): 1 once it can receive         |
 *  +---------------------------------------------------------------+  + 8
 *  |                  received (int64): messages taken in order     |
 *  +---------------------------------------------------------------+  + 16
 *  |                  lost (int64): messages it was lapped over     |
 *  +---------------------------------------------------------------+  + 24 .. 127: padding
 * </pre>
 *
 * Each slot has its own pair of cache lines (128 bytes), so two subscribers' counts never share a line.
 */
final class FanControl implements AutoCloseable {
    /** Bytes per slot: two cache lines. */
    static final int SLOT_LENGTH = 128;
    /** The stop word's offset. */
    static final int STOP_OFFSET = 0;
    /** Within a slot: the joined word. */
    static final int JOINED_OFFSET = 0;
    /** Within a slot: the received count. */
    static final int RECEIVED_OFFSET = 8;
    /** Within a slot: the lost count. */
    static final int LOST_OFFSET = 16;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final int subscribers;

    private FanControl(final MappedByteBuffer mapped, final int subscribers) {
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped, 0, length(subscribers));
        this.subscribers = subscribers;
    }

    /**
     * @param subscribers how many subscribers.
     * @return the file's length.
     */
    static int length(final int subscribers) {
        return SLOT_LENGTH * (1 + subscribers);
    }

    /**
     * Makes the file (zeroed).
     *
     * @param file where.
     * @param subscribers how many subscribers.
     * @return the sender's view.
     */
    static FanControl create(final Path file, final int subscribers) {
        return new FanControl(IoUtil.mapNewFile(new File(file.toString()), length(subscribers)), subscribers);
    }

    /**
     * Maps a file the sender made.
     *
     * @param file where.
     * @return a subscriber's view.
     * @throws IllegalStateException when the file is not a control file.
     */
    static FanControl open(final Path file) {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(file.toString()), "fan-out control file");
        final int length = mapped.capacity();
        if (length < 2 * SLOT_LENGTH || length % SLOT_LENGTH != 0) {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " has " + length + " bytes: not a fan-out control file");
        }
        return new FanControl(mapped, length / SLOT_LENGTH - 1);
    }

    /**
     * @return how many slots the file has.
     */
    int subscribers() {
        return subscribers;
    }

    /** Tells every subscriber to exit (release). */
    void stop() {
        buffer.putLongVolatile(STOP_OFFSET, 1);
    }

    /**
     * @return whether the sender said stop (acquire).
     */
    boolean stopped() {
        return buffer.getLongVolatile(STOP_OFFSET) != 0;
    }

    /**
     * Says that subscriber {@code index} can receive (release).
     *
     * @param index the subscriber.
     */
    void join(final int index) {
        buffer.putLongVolatile(slot(index) + JOINED_OFFSET, 1);
    }

    /**
     * @return how many subscribers have joined.
     */
    int joined() {
        int joined = 0;
        for (int i = 0; i < subscribers; i++) {
            joined += buffer.getLongVolatile(slot(i) + JOINED_OFFSET) != 0 ? 1 : 0;
        }
        return joined;
    }

    /**
     * Publishes a subscriber's counts (ordered stores: only its own process writes them).
     *
     * @param index the subscriber.
     * @param received messages taken in order so far.
     * @param lost messages it was lapped over so far.
     */
    void publish(final int index, final long received, final long lost) {
        buffer.putLongOrdered(slot(index) + LOST_OFFSET, lost);
        buffer.putLongOrdered(slot(index) + RECEIVED_OFFSET, received);
    }

    /**
     * @return what all subscribers have received, together.
     */
    long received() {
        long sum = 0;
        for (int i = 0; i < subscribers; i++) {
            sum += buffer.getLongVolatile(slot(i) + RECEIVED_OFFSET);
        }
        return sum;
    }

    /**
     * @return what all subscribers lost to laps, together.
     */
    long lost() {
        long sum = 0;
        for (int i = 0; i < subscribers; i++) {
            sum += buffer.getLongVolatile(slot(i) + LOST_OFFSET);
        }
        return sum;
    }

    private int slot(final int index) {
        if (index < 0 || index >= subscribers) {
            throw new IllegalArgumentException("subscriber=" + index + " is outside 0.." + (subscribers - 1));
        }
        return SLOT_LENGTH * (1 + index);
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
    }
}
