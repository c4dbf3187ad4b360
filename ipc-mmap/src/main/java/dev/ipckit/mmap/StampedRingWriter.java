package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.util.function.IntPredicate;

/**
 * The writing side of a stamped ring: claim, write the payload in place, commit (or abort). One claim at a
 * time per writer; not thread-safe. {@link OneToOneStampedWriter} keeps the tail to itself;
 * {@link ManyToOneStampedWriter} shares it with other writers by CAS.
 *
 * <p>A claim {@code [position, position + padding + step)} holds optional padding (to the end of a line or of
 * the ring) and the record. {@link #commit()} stores the record's header with one release store after the
 * payload, then the padding's, so a reader that takes the padding finds the record whole.
 */
abstract class StampedRingWriter {
    final StampedRing ring;
    /** subscribers &gt; 1: the live slow=block subscribers' limit; null on a one-to-one ring. */
    final SubscriberFlowControl subscribers;
    /** The cached limit: the slowest subscriber's position plus the capacity, as last read. */
    long limit;
    long claimPosition = -1;
    int claimPadding;
    int claimFrame;
    int claimStep;

    /**
     * @param ring the ring.
     * @param subscriberAlive subscribers &gt; 1: whether a subscriber slot's lock is held (ignored otherwise).
     */
    StampedRingWriter(final StampedRing ring, final IntPredicate subscriberAlive) {
        this.ring = ring;
        this.subscribers = ring.subscribers > 1 ? new SubscriberFlowControl(ring, subscriberAlive) : null;
        this.limit = subscribers == null ? ring.lvSlowestPosition() + ring.capacity : Long.MIN_VALUE; // refreshed first
    }

    /**
     * Claims room for a message.
     *
     * @param length the payload's length, 0..maxMessage (the caller checks).
     * @return the payload's offset in the ring region, or {@link StampedRing#INSUFFICIENT_CAPACITY}.
     */
    abstract int tryClaim(int length);

    /**
     * Publishes the open claim.
     */
    final void commit() {
        final long position = claimPosition;
        final int recordIndex = ring.index(position + claimPadding);
        ring.soHeader(recordIndex, StampedRingDescriptor.header(claimFrame,
            StampedRingDescriptor.stamp(position + claimPadding, ring.salt)));
        publishPadding(position);
        claimed(position + claimPadding + claimStep);
    }

    /**
     * Gives the open claim up: it becomes padding the reader skips.
     */
    final void abort() {
        final long position = claimPosition;
        final int recordIndex = ring.index(position + claimPadding);
        ring.soHeader(recordIndex, StampedRingDescriptor.header(-claimStep,
            StampedRingDescriptor.stamp(position + claimPadding, ring.salt)));
        publishPadding(position);
        claimed(position + claimPadding + claimStep);
    }

    private void publishPadding(final long position) {
        if (claimPadding != 0) {
            ring.soHeader(ring.index(position), StampedRingDescriptor.header(-claimPadding,
                StampedRingDescriptor.stamp(position, ring.salt)));
        }
        claimPosition = -1;
    }

    /**
     * Called once a claim is published.
     *
     * @param end where it ends.
     */
    abstract void claimed(long end);

    /**
     * @return whether a claim is open.
     */
    final boolean hasClaim() {
        return claimPosition >= 0;
    }

    /**
     * Works out a claim at {@code position} and whether it fits under the limit, reading the subscribers'
     * positions only when the cached limit says it does not.
     *
     * @return the claim's total length (padding and step), or 0 when the ring is full.
     */
    final int plan(final long position, final int length) {
        final int frame = length + HEADER_LENGTH;
        final int index = ring.index(position);
        final int padding = StampedRingDescriptor.paddingBefore(index, StampedRingDescriptor.align(frame),
            ring.capacity);
        final int step = StampedRingDescriptor.step((index + padding) & ring.mask, frame);
        final int total = padding + step;
        // the header after the claim must be free too: the writer clears it before it publishes
        if (position + total + HEADER_LENGTH > limit) {
            limit = subscribers == null ? ring.lvSlowestPosition() + ring.capacity
                : subscribers.limit(position, position + total + HEADER_LENGTH);
            if (position + total + HEADER_LENGTH > limit) {
                return 0;
            }
        }
        claimPadding = padding;
        claimFrame = frame;
        claimStep = step;
        return total;
    }

    /**
     * @return the ring.
     */
    final StampedRing ring() {
        return ring;
    }
}
