package dev.ipckit.mmap;

import static org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.lengthOffset;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.typeOffset;
import static org.agrona.concurrent.ringbuffer.RingBuffer.PADDING_MSG_TYPE_ID;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Settles what dead ends left in a ring, so that it flows again without delivering anything torn or stale.
 *
 * <p>A sender killed between claiming space and committing it leaves a record whose header is zero (space
 * claimed, nothing written) or negative (claimed, being written). Agrona's readers stop at such a record, so
 * it must become padding once its writer is known to be dead; these methods do that. They rely on how
 * Agrona 2.x writes records:
 * <ul>
 *   <li>{@code ManyToOneRingBuffer}: a producer CASes the tail, then stores {@code -length} (release), then
 *       the type id, then the payload, then {@code +length} (release). The consumer zeroes what it read before
 *       moving the head, so unwritten space reads as zero and a zero run always ends at a header.</li>
 *   <li>{@code OneToOneRingBuffer}: the producer moves the tail first and then writes padding (zeroing the
 *       header at index 0 before it), the header, the payload, and pre-zeroes the next header. The consumer
 *       zeroes nothing, so only the region of the claim in progress, recorded by the sender in its slot's
 *       Claim-From field, can hold headers that were not yet written; nothing after a zero header there is
 *       trusted.</li>
 * </ul>
 */
final class RingRepair {
    private static final int MAX_PADS = 64;

    private RingRepair() {
    }

    /**
     * producers=many: a receiver killed after recording a read batch's end but before moving the head left
     * zeroed (or half-zeroed) records at the head; finish its cleanup. Call when no other receiver can run.
     *
     * @param file the ring file.
     */
    static void completeConsumerCleanup(final RingFile file) {
        if (!file.manyProducers || file.ring == null) { // only Agrona's many-to-one reader zeroes
            return;
        }
        final AtomicBuffer ring = file.ring;
        final int capacity = file.capacity;
        final int headIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        final long head = ring.getLongVolatile(headIndex);
        final long tail = ring.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        final long consumedTo = file.header.getLongVolatile(RingFileDescriptor.CONSUMED_TO_OFFSET);
        final int index = (int) head & (capacity - 1);
        if (consumedTo > head && consumedTo <= tail && consumedTo - head <= capacity - index) {
            ring.setMemory(index, (int) (consumedTo - head), (byte) 0);
            ring.putLongRelease(headIndex, consumedTo);
        }
    }

    /**
     * Turns every record between head and tail that no live sender will ever finish into padding. Call only
     * when no sender can be writing: no sender lock is held (under the OPEN lock), or, for producers=one, by
     * the new sender that holds the exclusive sender lock. A receiver may be reading meanwhile: pads are
     * written from the tail backwards, so it never passes one record before the ones after it are settled.
     *
     * @param file the ring file.
     */
    static void sealAbandoned(final RingFile file) {
        if (file.ring == null) {
            return; // format=ipckit: see StampedRingRepair
        }
        final AtomicBuffer ring = file.ring;
        final int capacity = file.capacity;
        final int mask = capacity - 1;
        final long head = ring.getLongVolatile(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        final long tail = ring.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        if (tail - head <= 0 || tail - head > capacity) {
            return;
        }
        final long claimFrom = file.manyProducers ? Long.MAX_VALUE
            : file.header.getLongVolatile(RingFileDescriptor.slotOffset(0) + RingFileDescriptor.SLOT_CLAIM_FROM);
        final int[] padIndex = new int[MAX_PADS];
        final int[] padLength = new int[MAX_PADS];
        int pads = 0;
        boolean untrusted = false;
        long position = head;
        while (position < tail) {
            final int index = (int) position & mask;
            final int contiguous = (int) Math.min(tail - position, capacity - index);
            final int length = ring.getIntVolatile(lengthOffset(index));
            int step;
            boolean pad;
            if (untrusted) {
                step = contiguous;
                pad = true;
            } else if (length > 0) {
                step = BitUtil.align(length, ALIGNMENT);
                pad = step > contiguous; // a header longer than the space left is not Agrona's: settle the rest
            } else if (length < 0) {
                step = BitUtil.align(-length, ALIGNMENT);
                pad = true;
            } else if (file.manyProducers) {
                step = zeroRun(ring, index, contiguous);
                pad = true;
            } else {
                step = contiguous;
                pad = true;
                untrusted = position >= claimFrom;
            }
            if (step > contiguous || step < HEADER_LENGTH) {
                step = contiguous;
            }
            if (pad) {
                if (pads == MAX_PADS) {
                    break; // more than any set of dead writers leaves: settle these now, the rest on a later call
                }
                padIndex[pads] = index;
                padLength[pads] = step;
                pads++;
            }
            position += step;
        }
        if (!file.manyProducers && tail - head < capacity) {
            ring.putLong((int) tail & mask, 0L); // the header at the tail, which a dead sender may not have pre-zeroed
        }
        for (int i = pads - 1; i >= 0; i--) {
            pad(ring, padIndex[i], padLength[i]);
        }
    }

    /**
     * producers=many, receiver only: settles the record at the head whose writer cannot be named but is
     * judged dead (see {@link MmapReceiver}).
     *
     * @param file the ring file.
     * @param head the head position.
     * @param tail the tail position.
     * @param length the header read at the head, zero or negative.
     */
    static void sealHead(final RingFile file, final long head, final long tail, final int length) {
        final AtomicBuffer ring = file.ring;
        final int capacity = file.capacity;
        final int index = (int) head & (capacity - 1);
        if (tail - head <= 0 || tail - head > capacity) {
            return; // positions another process wrote: the receiver's position check reports them
        }
        final int contiguous = (int) Math.min(tail - head, capacity - index);
        if (length < 0) {
            pad(ring, index, bounded(BitUtil.align(-(long) length, ALIGNMENT), contiguous));
        } else {
            pad(ring, index, zeroRun(ring, index, contiguous));
        }
    }

    /**
     * A header value read from the ring may have been written by another process: a padding length made from it
     * is kept within the space the validated positions allow.
     *
     * @param length the aligned record length a header claims.
     * @param contiguous the bytes from the record to the end of the ring or to the tail, whichever is nearer.
     * @return {@code length} when it is a record length that fits, else {@code contiguous}.
     */
    static int bounded(final long length, final int contiguous) {
        return length >= HEADER_LENGTH && length <= contiguous ? (int) length : contiguous;
    }

    /**
     * Turns a record into padding: type first, then the positive length with a release store, as Agrona's
     * {@code ManyToOneRingBuffer.unblock()} does.
     *
     * @param ring the ring buffer.
     * @param index the record's index.
     * @param length its length in bytes, header included.
     */
    static void pad(final AtomicBuffer ring, final int index, final int length) {
        ring.putInt(typeOffset(index), PADDING_MSG_TYPE_ID);
        ring.putIntRelease(lengthOffset(index), length);
    }

    /**
     * @return bytes from {@code index} up to the next non-zero aligned int, at most {@code limit}.
     */
    private static int zeroRun(final AtomicBuffer ring, final int index, final int limit) {
        for (int offset = ALIGNMENT; offset < limit; offset += ALIGNMENT) {
            if (ring.getIntVolatile(index + offset) != 0) {
                return offset;
            }
        }
        return limit;
    }
}
