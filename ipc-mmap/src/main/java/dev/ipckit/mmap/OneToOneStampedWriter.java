package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * The one sender of a producers=one stamped ring. It keeps the tail in a field (stored lazily, opaque, in the
 * trailer for {@code stat}), reads the subscribers' positions only when its cached limit says full, and per
 * message writes the payload, 0 into the next header, and the header with one release store.
 */
final class OneToOneStampedWriter extends StampedRingWriter {
    private final boolean intent;
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
        this.intent = ring.subscribers > 1;
        this.tail = ring.scanTail(ring.checkedPosition(intent ? ring.lvTail() : ring.lvSlowestPosition()));
        ring.clearHeader(tail);
        StampedRing.LONG.setRelease(ring.ring, ring.tailOffset, tail);
        if (intent) {
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
        if (intent) { // subscribers > 1: what a slow=drop subscriber checks its copy against, before any write
            StampedRing.LONG.set(ring.ring, ring.tailOffset + StampedRingDescriptor.INTENT_OFFSET,
                position + total + HEADER_LENGTH);
            VarHandle.storeStoreFence();
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
