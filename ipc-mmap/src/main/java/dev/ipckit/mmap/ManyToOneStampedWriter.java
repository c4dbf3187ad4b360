package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.foreign.MemorySegment;
import java.util.function.IntPredicate;

/**
 * One of the senders of a producers=many stamped ring. A claim is announced in the sender's slot (position, step,
 * frame length; the position last, with release) and then taken by a CAS of the shared tail from that position;
 * a lost CAS announces again. So a claim a reader waits on is always named by its owner's slot, and the
 * receiver seals it only once that slot's lock is free (see {@link StampedRingDescriptor}).
 *
 * <p>The next header: before the CAS the sender reads what lies after its claim (nobody owns it then); after
 * winning, it CASes that value to 0, which fails only if the sender of the next claim already published there.
 */
final class ManyToOneStampedWriter extends StampedRingWriter {
    private final MemorySegment slot;

    /**
     * A writer of a ring whose subscribers are all taken to be alive.
     *
     * @param ring the ring.
     * @param slot this sender's slot.
     */
    ManyToOneStampedWriter(final StampedRing ring, final MemorySegment slot) {
        this(ring, slot, subscriber -> true);
    }

    /**
     * @param ring the ring.
     * @param slot this sender's slot (its claim announcement lives at
     *     {@link StampedRingDescriptor#CLAIM_POSITION_OFFSET}).
     * @param subscriberAlive subscribers &gt; 1: whether a subscriber slot's lock is held.
     */
    ManyToOneStampedWriter(final StampedRing ring, final MemorySegment slot, final IntPredicate subscriberAlive) {
        super(ring, subscriberAlive);
        this.slot = slot; // a predecessor's announcement stays until the first claim: the receiver may need it
    }

    @Override
    int tryClaim(final int length) {
        final StampedRing ring = this.ring;
        while (true) {
            final long position = ring.lvTail();
            if (!StampedRing.isPosition(position)) {
                throw ring.corruptPositions(ring.lvSlowestPosition(), position); // never index with it
            }
            final int total = plan(position, length);
            if (total == 0) {
                return StampedRing.INSUFFICIENT_CAPACITY;
            }
            final long next = position + total;
            StampedRing.INT.set(slot, (long) StampedRingDescriptor.CLAIM_STEP_OFFSET, total);
            StampedRing.INT.set(slot, (long) StampedRingDescriptor.CLAIM_FRAME_OFFSET, claimFrame);
            StampedRing.LONG.setRelease(slot, (long) StampedRingDescriptor.CLAIM_POSITION_OFFSET, position);
            // The last plain access to the ring region comes right before the CASes. HotSpot turns a fault (a ring
            // truncated by another process) in a read into an InternalError, which the end reports as a
            // ChannelException; an interpreted CAS has no such guard, so its window is kept to the CAS itself.
            final long stale = (long) StampedRing.LONG.getAcquire(ring.ring, (long) ring.index(next));
            if (StampedRing.LONG.compareAndSet(ring.ring, ring.tailOffset, position, next)) {
                if (stale != StampedRingDescriptor.NO_RECORD) {
                    StampedRing.LONG.compareAndSet(ring.ring, (long) ring.index(next), stale,
                        StampedRingDescriptor.NO_RECORD);
                }
                claimPosition = position;
                return ring.index(position + claimPadding) + HEADER_LENGTH;
            }
        }
    }

    @Override
    void claimed(final long end) {
        // the announcement stays: a published claim no longer blocks anyone, and the next one replaces it
    }
}
