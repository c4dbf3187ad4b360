package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.CLAIM_FRAME_OFFSET;
import static dev.ipckit.mmap.StampedRingDescriptor.CLAIM_POSITION_OFFSET;
import static dev.ipckit.mmap.StampedRingDescriptor.CLAIM_STEP_OFFSET;
import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;

import java.util.function.IntPredicate;

/**
 * Settles the claims dead senders left in a producers=many stamped ring, so that it flows again without
 * delivering anything torn. A claim blocks a reader at position {@code p} when {@code p} is claimed (the tail is
 * past it) and no record was published there. Its owner announced {@code p} in its slot before taking it (see
 * {@link ManyToOneStampedWriter}); so while any slot whose lock is held announces {@code p}, the claim is left
 * alone however long it takes, and once only slots whose lock is free announce it, its owner is dead and the
 * claim becomes padding. A one-to-one ring needs none of this: its next sender resumes at the first position
 * with no record ({@link StampedRing#scanTail}).
 */
final class StampedRingRepair {
    private StampedRingRepair() {
    }

    /**
     * Seals the claim at {@code position} if a reader is blocked there and the claim's owner is dead.
     *
     * @param ring the ring.
     * @param header the file's header, holding the sender slots.
     * @param alive whether the sender in a slot (0..{@link RingFileDescriptor#MAX_SENDERS}-1) holds its lock.
     * @param position the blocked position.
     * @return whether the claim was sealed; false while a live sender announces it, or when nothing blocks there.
     */
    static boolean sealIfAbandoned(final StampedRing ring, final SharedSegment header, final IntPredicate alive,
                                   final long position) {
        if (!StampedRing.isPosition(position) || ring.lvTail() - position <= 0
            || ring.subscribers == 1 && position - ring.lvSlowestPosition() < 0
            || ring.isRecordAt(position, ring.lvHeader(position))) {
            return false;
        }
        int chosen = -1;
        int candidates = 0;
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            final int offset = RingFileDescriptor.slotOffset(slot);
            if (header.getLongVolatile(offset + CLAIM_POSITION_OFFSET) != position || stepOf(ring, header, slot) == 0) {
                continue;
            }
            if (alive.test(slot)) {
                return false; // its sender lives: it will publish or abort, however long it takes
            }
            if (chosen < 0 || consistent(ring, header, position, stepOf(ring, header, slot))) {
                chosen = slot;
            }
            candidates++;
        }
        if (chosen < 0) {
            return false;
        }
        if (candidates > 1 && !consistent(ring, header, position, stepOf(ring, header, chosen))) {
            return false; // several dead senders announced it and none is clearly the owner: leave it to gc
        }
        ring.sealClaim(position, stepOf(ring, header, chosen));
        return true;
    }

    /**
     * With no sender left, settles every blocked claim between a subscriber's position and the tail; what
     * follows a claim no slot announces cannot be parsed and becomes padding up to the tail.
     *
     * @param ring the ring.
     * @param header the file's header.
     * @param from the subscriber's position.
     */
    static void sealAll(final StampedRing ring, final SharedSegment header, final long from) {
        final long tail = ring.lvTail();
        if (!StampedRing.isPosition(from) || !StampedRing.isPosition(tail) || tail - from <= 0
            || tail - from > ring.capacity) {
            return; // nothing a writer makes: left as it is, for the ends' own checks to name as corrupt
        }
        long position = from;
        while (position < tail) {
            final long value = ring.lvHeader(position);
            if (ring.isRecordAt(position, value)) {
                position += ring.checkedStep(position, value);
            } else if (!sealIfAbandoned(ring, header, slot -> false, position)) {
                ring.pad(position, (int) (tail - position));
                return;
            }
        }
    }

    /**
     * @return the step a slot announces, or 0 when it is not one a writer makes.
     */
    private static int stepOf(final StampedRing ring, final SharedSegment header, final int slot) {
        final int offset = RingFileDescriptor.slotOffset(slot);
        final int step = header.getInt(offset + CLAIM_STEP_OFFSET);
        final int frame = header.getInt(offset + CLAIM_FRAME_OFFSET);
        final boolean valid = step >= HEADER_LENGTH && step <= ring.capacity && (step & 7) == 0
            && frame >= HEADER_LENGTH && frame - HEADER_LENGTH <= ring.maxMessage
            && StampedRingDescriptor.align(frame) <= step;
        return valid ? step : 0;
    }

    /**
     * @return whether a claim of {@code step} bytes at {@code position} ends where the ring's records go on.
     */
    private static boolean consistent(final StampedRing ring, final SharedSegment header, final long position,
                                      final int step) {
        final long end = position + step;
        if (end == ring.lvTail() || ring.isRecordAt(end, ring.lvHeader(end))) {
            return true;
        }
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            if (header.getLongVolatile(RingFileDescriptor.slotOffset(slot) + CLAIM_POSITION_OFFSET) == end) {
                return true;
            }
        }
        return false;
    }
}
