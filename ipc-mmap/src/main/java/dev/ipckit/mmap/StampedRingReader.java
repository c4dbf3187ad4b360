package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.foreign.MemorySegment;

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
