package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The reading side of a stamped ring: one subscriber. It keeps its position in a field, reads each header with
 * one acquire load, writes nothing to the records, and publishes its position (release, its own cache-line pair)
 * once per batch. No allocation, lock or system call per message.
 */
final class StampedRingReader {
    /**
     * Receives records from {@link #read}.
     */
    interface Handler {
        /**
         * @param ring the ring region.
         * @param offset where the payload starts in it.
         * @param length the payload's length.
         * @return false to end the batch after this message.
         */
        boolean onMessage(MemorySegment ring, int offset, int length);
    }

    private final StampedRing ring;
    private final int subscriber;
    private long position;

    /**
     * @param ring the ring.
     * @param subscriber this reader's subscriber slot.
     */
    StampedRingReader(final StampedRing ring, final int subscriber) {
        this.ring = ring;
        this.subscriber = subscriber;
        this.position = ring.checkedPosition(ring.lvSubscriberPosition(subscriber));
    }

    /**
     * Delivers up to {@code limit} messages and publishes the new position once. A message whose handler throws
     * counts as read.
     *
     * @param handler the handler.
     * @param limit the most messages.
     * @return how many were delivered.
     * @throws dev.ipckit.ChannelException when a header carries its position's stamp but no ipckit writer made it.
     */
    int read(final Handler handler, final int limit) {
        final StampedRing ring = this.ring;
        final long start = position;
        long p = start;
        int read = 0;
        try {
            while (read < limit) {
                final long header = ring.lvHeader(p); // acquire: the payload written before it is visible
                if (!ring.isRecordAt(p, header)) {
                    break;
                }
                final int step = ring.checkedStep(p, header);
                final int frame = StampedRingDescriptor.frameLength(header);
                final int index = ring.index(p);
                p += step;
                if (frame > 0) {
                    read++;
                    if (!handler.onMessage(ring.ring, index + HEADER_LENGTH, frame - HEADER_LENGTH)) {
                        break;
                    }
                }
            }
        } finally {
            if (p != start) {
                position = p;
                ring.soSubscriberPosition(subscriber, p); // once per batch: the writers' limit moves
            }
        }
        return read;
    }

    /**
     * The {@code slow=drop} read (see {@link StampedRingDescriptor}): each payload is copied into {@code copy} and
     * handed over only when, after the copy, the writers' front has not passed this reader's position by more than
     * the ring; otherwise, or when the header at the position is not its own while the front is that far ahead,
     * the reader was lapped: it counts the lap and the bytes it skips and resumes at the tail. Nothing it hands over
     * can have been overwritten while it was copied.
     *
     * @param handler the handler, given {@code copy}.
     * @param limit the most messages.
     * @param copy at least maxMessage bytes, this reader's own.
     * @param sharedTail producers=many (the front is the claim counter), else the sender's intent.
     * @param drops where the lap and dropped-byte counters go ({@code [0]} laps, {@code [1]} bytes).
     * @return how many were delivered.
     */
    int readDropping(final Handler handler, final int limit, final MemorySegment copy, final boolean sharedTail,
                     final long[] drops) {
        final StampedRing ring = this.ring;
        final long start = position;
        long p = start;
        int read = 0;
        boolean lapped = false;
        try {
            while (read < limit) {
                final long header = ring.lvHeader(p);
                if (!ring.isRecordAt(p, header)) {
                    if (!lapped && front(sharedTail) - p > ring.capacity) {
                        p = lapped(p, drops);
                        lapped = true; // once per call: a front another process wrote cannot keep it looping
                        continue;
                    }
                    break;
                }
                final int frame = StampedRingDescriptor.frameLength(header);
                final int index = ring.index(p);
                final int length = frame - HEADER_LENGTH;
                if (frame > 0 && length >= 0 && length <= copy.byteSize()
                    && index + HEADER_LENGTH + length <= ring.capacity) {
                    MemorySegment.copy(ring.ring, index + HEADER_LENGTH, copy, 0, length);
                }
                VarHandle.acquireFence(); // the copy's loads come before the load of the front
                if (front(sharedTail) - p > ring.capacity) {
                    p = lapped(p, drops); // what was copied may be the next lap's: hand nothing over
                    if (lapped) {
                        break;
                    }
                    lapped = true;
                    continue;
                }
                final int step = ring.checkedStep(p, header); // untouched: so this is what the writer published
                p += step;
                if (frame > 0) {
                    read++;
                    if (!handler.onMessage(copy, 0, length)) {
                        break;
                    }
                }
            }
        } finally {
            if (p != start) {
                position = p;
                ring.soSubscriberPosition(subscriber, p);
            }
        }
        return read;
    }

    private long front(final boolean sharedTail) {
        return sharedTail ? ring.lvTail() + HEADER_LENGTH : ring.lvIntent();
    }

    private long lapped(final long from, final long[] drops) {
        final long tail = ring.checkedPosition(ring.lvTail());
        drops[0]++;
        drops[1] += Math.max(0, tail - from);
        return tail;
    }

    /**
     * @return whether a drop reader has anything to do: the tail has moved past its position.
     */
    boolean isBehindTail() {
        return ring.lvTail() - position > 0;
    }

    /**
     * @return whether a record (message or padding) waits at this reader's position.
     */
    boolean isReadable() {
        return ring.isRecordAt(position, ring.lvHeader(position));
    }

    /**
     * @return this reader's position.
     */
    long position() {
        return position;
    }

    /**
     * @return the ring.
     */
    StampedRing ring() {
        return ring;
    }
}
