package dev.ipckit.mmap;

import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * A writer's limit on a ring with subscribers &gt; 1: the slowest live {@code slow=block} subscriber's position plus
 * the capacity, refreshed only when the writer's cached limit says full (see "Flow control" in
 * {@link StampedRingDescriptor}). A slot whose lock is found free is remembered by its state word and skipped
 * without a system call until another subscriber takes it. Allocates nothing after construction.
 */
final class SubscriberFlowControl {
    private final StampedRing ring;
    private final IntPredicate alive;
    /** Per slot: the state word of a subscriber found dead, 0 when none. */
    private final int[] deadStates;
    private final long[] positions;
    private final int[] states;
    private long lastLockTest;

    /**
     * @param ring the ring.
     * @param alive whether a subscriber slot's lock is held by another open file description (one fcntl).
     */
    SubscriberFlowControl(final StampedRing ring, final IntPredicate alive) {
        this.ring = ring;
        this.alive = alive;
        this.deadStates = new int[ring.subscribers];
        this.positions = new long[ring.subscribers];
        this.states = new int[ring.subscribers];
    }

    /**
     * Reads the slots and works out the limit for a writer at {@code tail} that needs room up to {@code needed}.
     * When the slots' positions leave too little room, the locks of the slots holding it back are tested (at most
     * once per {@link RingFileDescriptor#LIVENESS_INTERVAL_NS}) and the dead ones dropped at once.
     *
     * @param tail where the writer is.
     * @param needed the position its claim needs room up to.
     * @return the new limit.
     */
    long limit(final long tail, final long needed) {
        VarHandle.fullFence(); // this writer's tail stores come before the loads of the slots (see the descriptor)
        final StampedRing ring = this.ring;
        long slowest = Long.MAX_VALUE;
        for (int i = 0; i < ring.subscribers; i++) {
            final int state = ring.lvSubscriberState(i);
            states[i] = state;
            if (state == 0 || state == deadStates[i]
                || StampedRingDescriptor.policyOf(state) != StampedRingDescriptor.POLICY_BLOCK) {
                positions[i] = Long.MAX_VALUE;
                continue;
            }
            // never past the tail: a position another process wrote holds back, it does not open the ring
            final long position = Math.min(ring.lvSubscriberPosition(i), tail);
            positions[i] = position;
            slowest = Math.min(slowest, position);
        }
        if (slowest == Long.MAX_VALUE) {
            return tail + ring.capacity; // nobody live holds this writer back
        }
        if (slowest + ring.capacity >= needed) {
            return slowest + ring.capacity;
        }
        final long now = System.nanoTime();
        if (now - lastLockTest < RingFileDescriptor.LIVENESS_INTERVAL_NS) {
            return slowest + ring.capacity;
        }
        lastLockTest = now;
        slowest = Long.MAX_VALUE;
        for (int i = 0; i < ring.subscribers; i++) {
            final long position = positions[i];
            if (position == Long.MAX_VALUE) {
                continue;
            }
            if (position + ring.capacity < needed && !alive.test(i)) {
                deadStates[i] = states[i]; // dropped at once: its lock is gone, so it closed or died
                continue;
            }
            slowest = Math.min(slowest, position);
        }
        return (slowest == Long.MAX_VALUE ? tail : slowest) + ring.capacity;
    }
}
