package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.util.function.IntPredicate;

/**
 * The one sender of a producers=one stamped ring. It keeps the tail in a field (stored lazily, opaque, in the
 * trailer for {@code stat}), reads the subscribers' positions only when its cached limit says full, and per
 * message writes the payload, 0 into the next header, and the header with one release store. On a ring with
 * subscribers &gt; 1 the sender is a {@link FanOutStampedWriter}, which also stores its intent per claim.
 */
class OneToOneStampedWriter extends StampedRingWriter {
    private long tail;

    /**
     * A writer of a ring whose subscribers are all taken to be alive.
     *
     * @param ring the ring.
     */
    OneToOneStampedWriter(final StampedRing ring) {
        this(ring, subscriber -> true);
    }

    /**
     * Resumes after the last record published since the subscriber's position (subscribers &gt; 1: since the tail
     * in the trailer, which the last sender stored after each record): a predecessor's unpublished claim, if it
     * died in one, is overwritten.
     *
     * @param ring the ring.
     * @param subscriberAlive subscribers &gt; 1: whether a subscriber slot's lock is held.
     */
    OneToOneStampedWriter(final StampedRing ring, final IntPredicate subscriberAlive) {
        super(ring, subscriberAlive);
        final boolean fanOut = ring.subscribers > 1;
        this.tail = ring.scanTail(ring.checkedPosition(fanOut ? ring.lvTail() : ring.lvSlowestPosition()));
        ring.clearHeader(tail);
        StampedRing.LONG.setRelease(ring.ring, ring.tailOffset, tail);
        if (fanOut) {
            StampedRing.LONG.setRelease(ring.ring, ring.tailOffset + StampedRingDescriptor.INTENT_OFFSET, tail);
        }
    }

    @Override
    int tryClaim(final int length) {
        final long position = tail;
        final int total = plan(position, length);
        if (total == 0) {
            return StampedRing.INSUFFICIENT_CAPACITY;
        }
        return claimAt(position, total);
    }

    /**
     * Takes a planned claim: 0 into the next header, then the claim is open.
     *
     * @param position the tail.
     * @param total the claim's length, from {@link #plan}.
     * @return the payload's offset in the ring region.
     */
    final int claimAt(final long position, final int total) {
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
