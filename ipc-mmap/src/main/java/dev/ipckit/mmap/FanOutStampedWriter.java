package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * The one sender of a producers=one ring with subscribers &gt; 1: a {@link OneToOneStampedWriter} whose limit
 * follows the live {@code slow=block} subscribers ({@link SubscriberFlowControl}) and which, before it writes a
 * claim, stores its intent ({@link StampedRingDescriptor#INTENT_OFFSET}) for the {@code slow=drop} subscribers to
 * check their copies against. A class of its own, so that the one-to-one ring's sender pays nothing for it.
 */
final class FanOutStampedWriter extends OneToOneStampedWriter {
    private final long intentOffset;

    /**
     * @param ring the ring, subscribers &gt; 1.
     * @param subscriberAlive whether a subscriber slot's lock is held.
     */
    FanOutStampedWriter(final StampedRing ring, final IntPredicate subscriberAlive) {
        super(ring, subscriberAlive);
        this.intentOffset = ring.tailOffset + StampedRingDescriptor.INTENT_OFFSET;
    }

    @Override
    int tryClaim(final int length) {
        final long position = tail();
        final int total = plan(position, length);
        if (total == 0) {
            return StampedRing.INSUFFICIENT_CAPACITY;
        }
        // the furthest this claim writes (its next header included), before any of its writes
        StampedRing.LONG.set(ring.ring, intentOffset, position + total + HEADER_LENGTH);
        VarHandle.storeStoreFence();
        return claimAt(position, total);
    }
}
