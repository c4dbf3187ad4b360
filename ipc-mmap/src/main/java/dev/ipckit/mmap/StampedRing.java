package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import dev.ipckit.ChannelException;

/**
 * One mapped ring of the ipckit format (see {@link StampedRingDescriptor}): the records and the trailer as one
 * {@link MemorySegment}, with the accessors its reader and writers share. Every access goes through a
 * {@link VarHandle} on the segment, so it is bounds-checked: a header a hostile process wrote can make an end
 * fail, never read or write outside the ring.
 *
 * <p>Accesses are named as JCTools names them: {@code lv} load with acquire, {@code so} store with release,
 * {@code lp}/{@code sp} plain, {@code cas} compare-and-set.
 */
class StampedRing {
    /** What a writer's {@code tryClaim} returns when the ring has no room. */
    static final int INSUFFICIENT_CAPACITY = -2;

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    final MemorySegment ring;
    final int capacity;
    final int mask;
    final int salt;
    final int maxMessage;
    final int subscribers;
    final long tailOffset;
    final long firstSubscriberOffset;
    final String name;

    /**
     * @param ring the ring region: capacity bytes of records and the trailer.
     * @param capacity the ring's capacity, a power of two.
     * @param subscribers the trailer's subscriber slots.
     * @param salt the file's stamp salt.
     * @param maxMessage the longest message.
     * @param name what the ring lives in (the file), for messages.
     */
    StampedRing(final MemorySegment ring, final int capacity, final int subscribers, final int salt,
                final int maxMessage, final String name) {
        if (Integer.bitCount(capacity) != 1 || capacity < StampedRingDescriptor.LINE_PAIR) {
            throw new IllegalArgumentException("capacity=" + capacity + " is not a power of two of at least "
                + StampedRingDescriptor.LINE_PAIR);
        }
        final long length = (long) capacity + StampedRingDescriptor.trailerLength(subscribers);
        if (ring.byteSize() != length) {
            throw new IllegalArgumentException("ring length=" + ring.byteSize() + ", expected capacity + trailer="
                + length + " for capacity=" + capacity + " and subscribers=" + subscribers);
        }
        this.ring = ring;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.salt = salt;
        this.maxMessage = maxMessage;
        this.subscribers = subscribers;
        this.tailOffset = capacity + StampedRingDescriptor.TAIL_OFFSET;
        this.firstSubscriberOffset = capacity + StampedRingDescriptor.subscriberOffset(0);
        this.name = name;
    }

    final int index(final long position) {
        return (int) position & mask;
    }

    final long lvHeader(final long position) {
        return (long) LONG.getAcquire(ring, (long) index(position));
    }

    final void soHeader(final int index, final long header) {
        LONG.setRelease(ring, (long) index, header);
    }

    final long lvTail() {
        return (long) LONG.getAcquire(ring, tailOffset);
    }

    final long lvSubscriberPosition(final int subscriber) {
        return (long) LONG.getAcquire(ring,
            firstSubscriberOffset + (long) subscriber * StampedRingDescriptor.SUBSCRIBER_LENGTH);
    }

    final void soSubscriberPosition(final int subscriber, final long position) {
        LONG.setRelease(ring, firstSubscriberOffset + (long) subscriber * StampedRingDescriptor.SUBSCRIBER_LENGTH,
            position);
    }

    /**
     * @param subscriber a slot.
     * @return the slot's offset in the ring region.
     */
    final long subscriberOffset(final int subscriber) {
        return firstSubscriberOffset + (long) subscriber * StampedRingDescriptor.SUBSCRIBER_LENGTH;
    }

    /**
     * @param subscriber a slot (subscribers &gt; 1).
     * @return its state word, acquire: 0 when free (see {@link StampedRingDescriptor}).
     */
    final int lvSubscriberState(final int subscriber) {
        return (int) INT.getAcquire(ring, subscriberOffset(subscriber) + StampedRingDescriptor.SUBSCRIBER_STATE);
    }

    /**
     * @return the sender's intent (producers=one, subscribers &gt; 1), acquire.
     */
    final long lvIntent() {
        return (long) LONG.getAcquire(ring, tailOffset + StampedRingDescriptor.INTENT_OFFSET);
    }

    /**
     * Frees a subscriber slot (state, pid, tid, counters, waiting word and wake-up ids), keeping its generation.
     * Only for the end that holds the slot's lock, or for a new session.
     *
     * @param subscriber the slot.
     */
    final void clearSubscriber(final int subscriber) {
        final long offset = subscriberOffset(subscriber);
        INT.setRelease(ring, offset + StampedRingDescriptor.SUBSCRIBER_STATE, 0);
        INT.set(ring, offset + StampedRingDescriptor.SUBSCRIBER_PID, 0);
        INT.set(ring, offset + StampedRingDescriptor.SUBSCRIBER_TID, 0);
        INT.setRelease(ring, offset + StampedRingDescriptor.SUBSCRIBER_WAKE_TID, 0);
        INT.set(ring, offset + StampedRingDescriptor.SUBSCRIBER_WAKE_TOKEN, 0);
        INT.setRelease(ring, offset + StampedRingDescriptor.SUBSCRIBER_WAITING, 0);
    }

    /**
     * @return the position of the slowest subscriber, from which a writer's limit follows.
     */
    final long lvSlowestPosition() {
        long slowest = lvSubscriberPosition(0);
        for (int i = 1; i < subscribers; i++) {
            slowest = Math.min(slowest, lvSubscriberPosition(i));
        }
        return slowest;
    }

    /**
     * @param position a position.
     * @param header the header read there.
     * @return whether it is a record (message or padding) written for that position.
     */
    final boolean isRecordAt(final long position, final long header) {
        return StampedRingDescriptor.stampOf(header) == StampedRingDescriptor.stamp(position, salt)
            && StampedRingDescriptor.frameLength(header) != 0;
    }

    /**
     * Validates a record header that carries its position's stamp and returns how far it moves the position.
     *
     * @param position the record's position.
     * @param header its header.
     * @return its step.
     * @throws ChannelException when no ipckit writer makes such a header.
     */
    final int checkedStep(final long position, final long header) {
        final int index = index(position);
        final int frame = StampedRingDescriptor.frameLength(header);
        if (frame > 0) {
            if (frame < HEADER_LENGTH || frame - HEADER_LENGTH > maxMessage
                || index + StampedRingDescriptor.align(frame) > capacity) {
                throw StampedRingDescriptor.corruptRecord(name, position, capacity, header, maxMessage);
            }
            return StampedRingDescriptor.step(index, frame);
        }
        final int padding = -frame;
        if (padding < HEADER_LENGTH || (padding & (StampedRingDescriptor.ALIGNMENT - 1)) != 0
            || index + padding > capacity) {
            throw StampedRingDescriptor.corruptRecord(name, position, capacity, header, maxMessage);
        }
        return padding;
    }

    /**
     * Checks the trailer's positions against what this ring can hold: a subscriber position that is a non-negative
     * multiple of 8 and, where the tail is shared (producers=many), {@code position <= tail <= position + capacity}.
     * Call it when no other end moves them, or from the subscriber, which owns its position.
     *
     * @param sharedTail whether the tail is the claim counter of producers=many (for producers=one it is stored
     *     lazily and may trail the records).
     * @throws ChannelException naming the ring and both positions when they are impossible.
     */
    final void checkPositions(final boolean sharedTail) {
        checkPositions(0, sharedTail, false);
    }

    /**
     * {@link #checkPositions(boolean)} for one subscriber.
     *
     * @param subscriber its slot.
     * @param sharedTail whether the tail is the claim counter of producers=many.
     * @param mayLag whether the subscriber is {@code slow=drop}, which the tail may pass by more than a ring.
     */
    final void checkPositions(final int subscriber, final boolean sharedTail, final boolean mayLag) {
        final long position = lvSubscriberPosition(subscriber);
        final long tail = lvTail();
        if (!isPosition(position) || tail < 0
            || sharedTail && (!isPosition(tail) || tail - position < 0 || !mayLag && tail - position > capacity)) {
            throw corruptPositions(position, tail);
        }
    }

    /**
     * @param position a position read from the trailer, which another process may have written.
     * @return it, when it is one a writer or reader makes: non-negative and a multiple of 8.
     * @throws ChannelException naming the ring otherwise; nothing is indexed with it.
     */
    final long checkedPosition(final long position) {
        if (!isPosition(position)) {
            throw corruptPositions(position, lvTail());
        }
        return position;
    }

    static boolean isPosition(final long position) {
        return position >= 0 && (position & (StampedRingDescriptor.ALIGNMENT - 1)) == 0;
    }

    final ChannelException corruptPositions(final long position, final long tail) {
        return new ChannelException(name + " is corrupt: its ring positions subscriber=" + position + " tail=" + tail
            + " cannot belong to a ring of capacity=" + capacity + " (multiples of " + StampedRingDescriptor.ALIGNMENT
            + ", position <= tail <= position + capacity); something other than ipckit wrote to it. Close every end "
            + "and remove the file");
    }

    /**
     * Finds where the records written after {@code from} end: the first position with no record of its own.
     * A sender of a one-to-one ring resumes there; nothing before it is rewritten, and whatever a dead sender
     * had claimed but not published after it is overwritten.
     *
     * @param from a subscriber's position (every record from it on is unread).
     * @return the tail.
     */
    final long scanTail(final long from) {
        long position = from;
        while (position - from < capacity) {
            final long header = lvHeader(position);
            if (!isRecordAt(position, header)) {
                return position;
            }
            position += checkedStep(position, header);
        }
        throw new ChannelException(name + " is corrupt: the records from position " + from + " run for more than the "
            + capacity + "-byte ring without an end; something other than ipckit wrote to the ring. Close every end "
            + "and remove the file");
    }

    /**
     * Makes the header at a free position read as no record, so that a reader waiting there never takes bytes
     * left from an earlier lap. Only for the one end that may write there (a new session's first end).
     *
     * @param position a position no record was published at and no writer claims.
     */
    final void clearHeader(final long position) {
        soHeader(index(position), StampedRingDescriptor.NO_RECORD);
    }

    /**
     * Turns {@code [position, position + length)} into padding, split at the end of the ring, the later part
     * first so that a reader that sees the first pad finds the second.
     *
     * @param position where the padding starts.
     * @param length bytes, a multiple of 8.
     */
    final void pad(final long position, final int length) {
        final int index = index(position);
        final int first = Math.min(length, capacity - index);
        if (first < length) {
            soHeader(0, StampedRingDescriptor.header(-(length - first),
                StampedRingDescriptor.stamp(position + first, salt)));
        }
        soHeader(index, StampedRingDescriptor.header(-first, StampedRingDescriptor.stamp(position, salt)));
    }

    /**
     * Seals the claim of a writer known to be dead: makes the header after it read as no record unless a record
     * was published there, then turns the claim into padding. Whatever the writer had published inside the
     * claim is skipped with it.
     *
     * @param position the claim's position.
     * @param total its length, padding included.
     */
    final void sealClaim(final long position, final int total) {
        final long next = position + total;
        final long stale = lvHeader(next);
        if (stale != StampedRingDescriptor.NO_RECORD && !isRecordAt(next, stale)) {
            LONG.compareAndSet(ring, (long) index(next), stale, StampedRingDescriptor.NO_RECORD);
        }
        pad(position, total);
    }

    /**
     * @return the ring region (records and trailer).
     */
    final MemorySegment segment() {
        return ring;
    }
}
