package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

/**
 * The one sender of a producers=one stamped ring. It keeps the tail in a field (stored lazily, opaque, in the
 * trailer for {@code stat}), reads the subscribers' positions only when its cached limit says full, and per
 * message writes the payload, 0 into the next header, and the header with one release store.
 */
final class OneToOneStampedWriter extends StampedRingWriter {
    private long tail;

    /**
     * Resumes after the last record published since the subscriber's position: a predecessor's unpublished
     * claim, if it died in one, is overwritten.
     *
     * @param ring the ring.
     */
    OneToOneStampedWriter(final StampedRing ring) {
        super(ring);
        this.tail = ring.scanTail(ring.checkedPosition(ring.lvSlowestPosition()));
        ring.clearHeader(tail);
        StampedRing.LONG.setRelease(ring.ring, ring.tailOffset, tail);
    }

    @Override
    int tryClaim(final int length) {
        final long position = tail;
        final int total = plan(position, length);
        if (total == 0) {
            return StampedRing.INSUFFICIENT_CAPACITY;
        }
        // the next header reads as no record before this record is published (plain: the release orders it)
        StampedRing.LONG.set(ring.ring, (long) ring.index(position + total), StampedRingDescriptor.NO_RECORD);
        claimPosition = position;
        return ring.index(position + claimPadding) + HEADER_LENGTH;
    }

    @Override
    void claimed(final long end) {
        tail = end;
        StampedRing.LONG.setOpaque(ring.ring, ring.tailOffset, end);
    }

    /**
     * @return the tail.
     */
    long tail() {
        return tail;
    }
}
