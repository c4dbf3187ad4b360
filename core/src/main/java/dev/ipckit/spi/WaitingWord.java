package dev.ipckit.spi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The waiting-word protocol, the one way an ipckit end sleeps without missing a wake-up and wakes a sleeper
 * without a system call when nobody sleeps. It serves the ring file (both formats; futex and signal wake-ups) and
 * the doorbell. The word is an int in a shared mapping, 0 (awake) or 1 (asleep), next to the sleeper's identity
 * (pid, tid, token) and an identity sequence that a new sleeper bumps before it takes its role lock.
 *
 * <pre>
 *   sleeper                                   waker
 *   -------                                   -----
 *   publish its ids (after its wake-up        publish the data (a record, a ring count)
 *     signal is blocked)                      claimSleep: full fence, load the word; 1 -&gt; 0 by CAS
 *   publishAsleep: word = 1 (volatile: a        (only one waker wins a sleep; 0: nothing to do)
 *     full fence before the next load)        sequence = identitySequence()
 *   re-check for data: found -&gt; awake          read the ids
 *   sleep (futex wait on a word, or           isLiveSleeper: the sleeper's role lock is held by another
 *     sigtimedwait), a bounded slice            open file description AND the sequence did not move
 *   publishAwake: word = 0                    wake (FUTEX_WAKE, or tgkill to pid/tid)
 * </pre>
 *
 * The sleeper's store and the waker's are each followed by a full fence before the other's load, so at least one
 * sees the other: either the sleeper finds the data, or the waker finds the word set. A waker signals only ids
 * whose role lock is held and whose sequence did not change while it read them: a sleeper that died (its lock
 * free) or was replaced (the sequence moved) is never signalled, so a pid reused by a stranger never is either.
 */
public final class WaitingWord {
    /** The word of an end that is awake (or has never slept). */
    public static final int AWAKE = 0;
    /** The word of an end about to sleep or asleep. */
    public static final int ASLEEP = 1;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private WaitingWord() {
    }

    /**
     * The sleeper's half, before it re-checks for data and sleeps: a volatile store, so the re-check's loads come
     * after it.
     *
     * @param mapping the shared mapping.
     * @param offset the word's offset.
     */
    public static void publishAsleep(final MemorySegment mapping, final long offset) {
        INT.setVolatile(mapping, offset, ASLEEP);
    }

    /**
     * The sleeper is awake again (or leaves): a wake-up claimed after this finds nothing to do.
     *
     * @param mapping the shared mapping.
     * @param offset the word's offset.
     */
    public static void publishAwake(final MemorySegment mapping, final long offset) {
        INT.setVolatile(mapping, offset, AWAKE);
    }

    /**
     * The waker's half, after it published its data: a full fence, a load of the word, and when it is set the
     * claim of that sleep (1 -&gt; 0), so that of several wakers one wakes it.
     *
     * @param mapping the shared mapping.
     * @param offset the word's offset.
     * @return true when this call claimed a sleep and must wake the sleeper.
     */
    public static boolean claimSleep(final MemorySegment mapping, final long offset) {
        VarHandle.fullFence();
        return (int) INT.getVolatile(mapping, offset) != AWAKE && INT.compareAndSet(mapping, offset, ASLEEP, AWAKE);
    }

    /**
     * @param mapping the shared mapping.
     * @param offset the word's offset.
     * @return whether the word says asleep (for stat).
     */
    public static boolean isAsleep(final MemorySegment mapping, final long offset) {
        return (int) INT.getVolatile(mapping, offset) != AWAKE;
    }

    /**
     * Read it before the sleeper's ids, and pass it to {@link #isLiveSleeper} after.
     *
     * @param mapping the shared mapping.
     * @param sequenceOffset the identity sequence's offset.
     * @return the identity sequence now.
     */
    public static int identitySequence(final MemorySegment mapping, final long sequenceOffset) {
        return (int) INT.getVolatile(mapping, sequenceOffset);
    }

    /**
     * Whether the ids read since {@link #identitySequence} belong to the live sleeper: its role lock is held by
     * another open file description (one fcntl, F_OFD_GETLK; the wake path makes a system call anyway) and no new
     * sleeper replaced it meanwhile.
     *
     * @param mapping the shared mapping.
     * @param sequenceOffset the identity sequence's offset.
     * @param sequence what {@link #identitySequence} returned before the ids were read.
     * @param fd the waker's descriptor of the shared file.
     * @param lockByte the sleeper's role-lock byte.
     * @return true when the ids may be signalled.
     */
    public static boolean isLiveSleeper(final MemorySegment mapping, final long sequenceOffset, final int sequence,
                                        final int fd, final long lockByte) {
        return SharedFile.heldByOthers(fd, lockByte) && (int) INT.getVolatile(mapping, sequenceOffset) == sequence;
    }
}
