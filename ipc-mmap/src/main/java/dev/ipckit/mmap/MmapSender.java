package dev.ipckit.mmap;

import static dev.ipckit.mmap.RingFileDescriptor.LIVENESS_INTERVAL_NS;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.function.IntPredicate;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFutex;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.AgronaAccess;
import dev.ipckit.spi.ChannelEnd;
import dev.ipckit.spi.WaitingWord;
import dev.ipckit.spi.WakeupProvider;

/**
 * The sending end of an mmap ring in a shared file: ipckit's stamped ring ({@code format=ipckit}, the default: a
 * {@link OneToOneStampedWriter} or, with producers=many, a {@link ManyToOneStampedWriter}) or Agrona's records
 * ({@code format=agrona}: an Agrona {@link OneToOneRingBuffer} or {@link ManyToOneRingBuffer}).
 *
 * <p>{@link #offer(DirectBuffer, int, int)} claims space, copies the payload and commits it: no allocation, no
 * lock and no system call. With {@code wait=futex} or a wake-up provider it then fences and reads the
 * receiver's waiting word, and makes the one wake-up system call only when the receiver sleeps. A provider's
 * wake-up (a signal for {@code wait=signal}) goes only to the live receiver: the sender tests the receiver's role
 * lock before it sends, and signals only ids published by that lock's holder (tgkill after the lock test rather
 * than pidfd_send_signal; the reason is given at {@code signalSleeper}).
 *
 * <h2>Zero-copy sends</h2>
 * A message can be written in place:
 * <pre>{@code
 * int index = sender.tryClaim(length);          // or INSUFFICIENT_CAPACITY when full
 * if (index >= 0) {
 *     sender.buffer().putLong(index, price);      // write up to length bytes at index..index+length-1
 *     sender.commit(index);                       // or sender.abort(index)
 * }
 * }</pre>
 * One claim may be open at a time; until it is committed or aborted the receiver sees nothing after it, so
 * keep it short. {@link #close()} aborts a claim left open. A sender killed with a claim open does not block
 * the ring: the receiver turns the claim into padding once the sender's lock is gone.
 *
 * <h2>Before a receiver, and after one</h2>
 * A sender may open before any receiver: offers succeed until the ring is full, and a timed offer then waits
 * for room (a receiver that comes and drains). {@link PeerGoneException} means a receiver was open in this
 * session and is gone: at once when it closed its end, and when its lock is found gone (it died) the next
 * time the ring is full. Messages left in the ring are kept for the next receiver.
 *
 * <p>Not thread-safe: one thread at a time, as with Agrona's rings (several senders on a producers=many ring
 * are several {@code MmapSender}s).
 */
public final class MmapSender extends ChannelEnd implements Sender {
    /** What {@link #tryClaim(int)} returns when the ring has no room: Agrona's value. */
    public static final int INSUFFICIENT_CAPACITY = RingBuffer.INSUFFICIENT_CAPACITY;

    private final MmapOptions options;
    private final RingFile file;
    private final SharedSegment header;
    /** format=agrona: the Agrona ring; null for format=ipckit. */
    private final RingBuffer ring;
    /** format=ipckit: the stamped ring's writer; null for format=agrona. */
    private final StampedRingWriter writer;
    private final MemorySegment ringSegment;
    private final boolean manyProducers;
    private final boolean futex;
    /** subscribers &gt; 1: the waiting word counts sleeping subscribers, and a wake-up reaches all of them. */
    private final boolean fanOut;
    /** subscribers &gt; 1: each subscriber's slot in the trailer. */
    private final SharedSegment[] subscriberSlots;
    private final boolean wakesReceiver;
    private final WakeupProvider.Waker waker;
    private final IdleStrategy idle;
    private final int slot;
    private final int slotOffset;
    private final int typeId;
    private final int tailPositionIndex;
    private long messages;
    private long bytes;
    private long timesFull;
    private long wakeups;
    private long lastLivenessCheck;
    private long lastSleeperCheck;
    private int claimIndex = -1;
    private int claimLength;
    private boolean faulted;

    private MmapSender(final MmapOptions options, final RingFile file, final int slot) {
        super("sender", options.uri().uri(), file.maxMessage);
        this.options = options;
        this.file = file;
        this.header = file.header;
        this.manyProducers = file.manyProducers;
        this.ring = file.stamped != null ? null
            : manyProducers ? new ManyToOneRingBuffer(file.ring) : new OneToOneRingBuffer(file.ring);
        this.ringSegment = file.ringSegment;
        this.futex = file.waitMode == WaitMode.FUTEX;
        this.wakesReceiver = file.waitMode.wakesReceiver();
        this.waker = file.waitMode == WaitMode.PROVIDER ? provider(options, file).openWaker(options.uri()) : null;
        this.idle = idleStrategy(file.waitMode);
        this.slot = slot;
        this.slotOffset = RingFileDescriptor.slotOffset(slot);
        this.tailPositionIndex = file.capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;

        final int previousPid = header.getInt(slotOffset + RingFileDescriptor.SLOT_PID);
        if (previousPid != 0 && header.getInt(slotOffset + RingFileDescriptor.SLOT_TID) != 0) {
            header.getAndAddInt(RingFileDescriptor.DEATHS_OFFSET, 1); // it died holding the slot: count it
        }
        final int generation = RingFileDescriptor.nextGeneration(
            header.getInt(slotOffset + RingFileDescriptor.SLOT_GENERATION));
        this.typeId = RingFileDescriptor.typeId(slot, generation);
        header.putIntRelease(slotOffset + RingFileDescriptor.SLOT_GENERATION, generation);
        header.putInt(slotOffset + RingFileDescriptor.SLOT_TID, PosixProcess.gettid());
        header.putLong(slotOffset + RingFileDescriptor.SLOT_OPENED, System.currentTimeMillis());
        if (ring != null) {
            header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_CLAIM_FROM,
                file.ring.getLongVolatile(tailPositionIndex));
        }
        final IntPredicate subscriberAlive =
            subscriber -> file.heldByOthers(RingFileDescriptor.subscriberLockByte(file.capacity, subscriber));
        this.writer = file.stamped == null ? null : manyProducers
            ? new ManyToOneStampedWriter(file.stamped,
                header.segment().asSlice(slotOffset, RingFileDescriptor.SLOT_LENGTH), subscriberAlive)
            : file.subscribers > 1 ? new FanOutStampedWriter(file.stamped, subscriberAlive)
            : new OneToOneStampedWriter(file.stamped, subscriberAlive); // resumes after the last record published
        this.fanOut = file.subscribers > 1;
        this.subscriberSlots = new SharedSegment[fanOut ? file.subscribers : 0];
        for (int i = 0; i < subscriberSlots.length; i++) {
            subscriberSlots[i] = new SharedSegment(file.ringSegment.asSlice(file.stamped.subscriberOffset(i),
                StampedRingDescriptor.SUBSCRIBER_LENGTH));
        }
        header.putIntRelease(slotOffset + RingFileDescriptor.SLOT_PID, PosixProcess.getpid());
        messages = header.getLong(slotOffset + RingFileDescriptor.SLOT_MESSAGES);
        bytes = header.getLong(slotOffset + RingFileDescriptor.SLOT_BYTES);
        timesFull = header.getLong(slotOffset + RingFileDescriptor.SLOT_TIMES_FULL);
        wakeups = header.getLong(slotOffset + RingFileDescriptor.SLOT_WAKEUPS);
        header.getAndAddInt(RingFileDescriptor.SENDER_OPENS_OFFSET, 1);
        header.putIntRelease(RingFileDescriptor.LAST_SENDER_PID_OFFSET, PosixProcess.getpid());
        header.getAndAddInt(RingFileDescriptor.SENDER_EVENTS_OFFSET, 1);
    }

    /**
     * Opens the sending end, creating the ring file if it is absent and {@code create} allows.
     *
     * @param options parsed options.
     * @return the sender.
     * @throws ChannelException when the file is refused, a producers=one ring already has a sender, or every
     *     sender slot of a producers=many ring is taken.
     */
    public static MmapSender open(final MmapOptions options) {
        final RingFile file = RingFile.open(options);
        try {
            final boolean many = file.manyProducers;
            if (!file.tryLock(RingFileDescriptor.SENDER_LOCK_BYTE, many ? PosixMemory.F_RDLCK : PosixMemory.F_WRLCK)) {
                throw new ChannelException("'" + options.uri().uri() + "' already has a sender: process "
                    + file.header.getIntVolatile(RingFileDescriptor.LAST_SENDER_PID_OFFSET)
                    + " holds the sender lock of " + file.path + "; a producers=one ring takes one sender at a time "
                    + "(create the ring with producers=many for several)");
            }
            final int slot = takeSlot(file, options);
            final boolean alone = !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)
                && !file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE);
            if (alone) {
                file.startNewSession();
            } else if (file.stamped != null) {
                if (many) { // a predecessor in this slot may have died inside a claim that blocks the receiver
                    final long claimed = file.header.getLongVolatile(RingFileDescriptor.slotOffset(slot)
                        + StampedRingDescriptor.CLAIM_POSITION_OFFSET);
                    StampedRingRepair.sealIfAbandoned(file.stamped, file.header,
                        other -> other != slot && file.heldByOthers(RingFileDescriptor.slotOffset(other)), claimed);
                }
            } else if (!many) {
                RingRepair.sealAbandoned(file); // a producers=one predecessor may have died mid-claim
            }
            final MmapSender sender = new MmapSender(options, file, slot);
            file.unlockOpen();
            return sender;
        } catch (final RuntimeException | Error e) {
            file.close(); // closing the descriptor drops every lock taken above
            throw e;
        }
    }

    private static int takeSlot(final RingFile file, final MmapOptions options) {
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            if (file.tryLock(RingFileDescriptor.slotOffset(slot), PosixMemory.F_WRLCK)) {
                return slot;
            }
        }
        throw new ChannelException("'" + options.uri().uri() + "' has " + RingFileDescriptor.MAX_SENDERS
            + " senders open already, the most one ring holds; close one first");
    }

    static WakeupProvider provider(final MmapOptions options, final RingFile file) {
        final WakeupProvider given = options.provider();
        return given != null && given.name().equals(file.waitName) ? given
            : MmapOptions.providerNamed(file.waitName, file.path);
    }

    static IdleStrategy idleStrategy(final WaitMode mode) {
        return switch (mode) {
            case SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case SLEEP -> new SleepingMillisIdleStrategy(1);
            case BACKOFF, FUTEX, PROVIDER -> new BackoffIdleStrategy();
        };
    }

    @Override
    public boolean offer(final DirectBuffer source, final int offset, final int length) {
        AgronaAccess.check("offer(DirectBuffer, int, int)", uri); // a constant once probed
        return offerNow(source, offset, null, length);
    }

    /**
     * Copies the segment into the ring with {@link MemorySegment#copy}: on format=ipckit this path touches no
     * Agrona buffer.
     */
    @Override
    public boolean offer(final MemorySegment message) {
        return offerNow(null, 0, message, lengthOf(message));
    }

    /**
     * Waits with the ring's idle strategy; {@link #close()} from another thread while this call is in progress ends
     * it with a {@link ChannelClosedException} and releases the ring only once this call has left it. An interrupt of
     * the waiting thread ends the wait at once with a {@link ChannelInterruptedException}, the interrupt status kept
     * and nothing written.
     */
    @Override
    public boolean offer(final DirectBuffer source, final int offset, final int length, final Duration timeout) {
        AgronaAccess.check("offer(DirectBuffer, int, int, Duration)", uri); // a constant once probed
        return offerTimed(source, offset, null, length, timeout);
    }

    /**
     * As {@link #offer(DirectBuffer, int, int, Duration)}, copying the segment with {@link MemorySegment#copy}.
     */
    @Override
    public boolean offer(final MemorySegment message, final Duration timeout) {
        return offerTimed(null, 0, message, lengthOf(message), timeout);
    }

    private int lengthOf(final MemorySegment message) {
        final long size = message.byteSize();
        if (size > maxMessage) {
            throw new IllegalArgumentException("length=" + size + " is outside 0..maxMessageLength=" + maxMessage
                + " of '" + uri + "'");
        }
        return (int) size;
    }

    /**
     * One attempt: from a {@code DirectBuffer} when {@code segment} is null, else from the segment.
     */
    private boolean offerNow(final DirectBuffer source, final int offset, final MemorySegment segment,
                             final int length) {
        checkOpen();
        checkLength(length);
        try {
            return attempt(source, offset, segment, length, true);
        } catch (final InternalError e) {
            throw fault(e);
        } catch (final IllegalStateException | IndexOutOfBoundsException e) {
            throw tampered(e);
        }
    }

    private boolean offerTimed(final DirectBuffer source, final int offset, final MemorySegment segment,
                               final int length, final Duration timeout) {
        try {
            enterWait();
            if (offerNow(source, offset, segment, length)) {
                return true;
            }
            final long timeoutNs = timeout.toNanos();
            if (timeoutNs <= 0) {
                return false;
            }
            final long deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (true) {
                // the one check for every wait mode: Agrona's idle strategies return at once when interrupted
                ChannelInterruptedException.checkInterrupt("offer", uri);
                idle.idle(0);
                checkOpen(); // closed by another thread while waiting
                if (attempt(source, offset, segment, length, false)) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
            }
        } catch (final InternalError e) {
            throw fault(e);
        } catch (final IllegalStateException | IndexOutOfBoundsException e) {
            throw tampered(e);
        } finally {
            leaveWait();
        }
    }

    private boolean attempt(final DirectBuffer source, final int offset, final MemorySegment segment,
                            final int length, final boolean countFull) {
        checkReceiverNotClosed();
        final int index = claim(length);
        if (index < 0) {
            if (countFull) {
                countFull();
            }
            checkReceiverAlive();
            return false;
        }
        if (segment != null) {
            MemorySegment.copy(segment, 0, ringSegment, index, length);
        } else {
            buffer().putBytes(index, source, offset, length);
        }
        publish(index, length);
        return true;
    }

    /**
     * Claims room for a message to be written in place in {@link #buffer()}.
     *
     * @param length the payload length, 0..{@link #maxMessageLength()}.
     * @return the index in {@link #buffer()} where the payload starts, or {@link #INSUFFICIENT_CAPACITY} when
     *     the ring is full.
     * @throws IllegalStateException when a claim is already open.
     * @throws IllegalArgumentException when the length is out of range.
     * @throws PeerGoneException when the receiver has gone.
     */
    public int tryClaim(final int length) {
        checkOpen();
        checkLength(length);
        if (claimIndex >= 0) {
            throw new IllegalStateException("a claim at index=" + claimIndex + " is open on '" + uri
                + "'; commit or abort it before claiming again");
        }
        try {
            checkReceiverNotClosed();
            final int index = claim(length);
            if (index < 0) {
                countFull();
                checkReceiverAlive();
                return INSUFFICIENT_CAPACITY;
            }
            claimIndex = index;
            claimLength = length;
            return index;
        } catch (final InternalError e) {
            throw fault(e);
        } catch (final IndexOutOfBoundsException e) {
            throw tampered(e);
        }
    }

    /**
     * The ring's memory, in which a claimed message is written between {@link #tryClaim(int)} and
     * {@link #commit(int)}. Write only inside the claimed range.
     *
     * @return the mapped ring buffer (on format=ipckit an Agrona view made on first use).
     */
    public MutableDirectBuffer buffer() {
        return file.ringView();
    }

    /**
     * The ring's memory as a segment of the mapping, the FFM-native form of {@link #buffer()}: a claimed message
     * is written at {@code segment().asSlice(index, length)} between {@link #tryClaim(int)} and
     * {@link #commit(int)}. Write only inside the claimed range.
     *
     * @return the ring region of the mapping.
     */
    public MemorySegment segment() {
        return ringSegment;
    }

    /**
     * Publishes a claimed message to the receiver.
     *
     * @param index the value {@link #tryClaim(int)} returned.
     * @throws IllegalArgumentException when {@code index} is not the open claim.
     */
    public void commit(final int index) {
        checkClaim(index);
        claimIndex = -1;
        try {
            publish(index, claimLength);
        } catch (final InternalError e) {
            throw fault(e);
        } catch (final IllegalStateException | IndexOutOfBoundsException e) {
            throw tampered(e);
        }
    }

    /**
     * Gives a claimed message up; the receiver skips it. On a producers=many ring the claim may have held back
     * messages other senders committed after it, so a sleeping receiver is woken as after a commit.
     *
     * @param index the value {@link #tryClaim(int)} returned.
     * @throws IllegalArgumentException when {@code index} is not the open claim.
     */
    public void abort(final int index) {
        checkClaim(index);
        claimIndex = -1;
        try {
            abortClaim(index);
            if (wakesReceiver) {
                wakeIfWaiting(); // what others committed behind the claim is readable now
            }
        } catch (final InternalError e) {
            throw fault(e);
        } catch (final IllegalStateException | IndexOutOfBoundsException e) {
            throw tampered(e);
        }
    }

    private int claim(final int length) {
        if (writer != null) {
            return writer.tryClaim(length);
        }
        if (!manyProducers) {
            // producers=one: where this claim starts, so that a successor can settle it if this process dies
            // inside it. A plain store: the ring's release of the tail orders it.
            header.putLong(slotOffset + RingFileDescriptor.SLOT_CLAIM_FROM, file.ring.getLong(tailPositionIndex));
        }
        return ring.tryClaim(typeId, length);
    }

    private void publish(final int index, final int length) {
        if (writer != null) {
            writer.commit(); // release store of the record header, after the payload
        } else {
            ring.commit(index); // release store of the record length
        }
        count(length);
    }

    private void abortClaim(final int index) {
        if (writer != null) {
            writer.abort();
        } else {
            ring.abort(index);
        }
    }

    private void count(final int length) {
        header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_MESSAGES, ++messages);
        header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_BYTES, bytes += length);
        if (wakesReceiver) {
            wakeIfWaiting();
        }
    }

    private void countFull() {
        header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_TIMES_FULL, ++timesFull);
    }

    /**
     * The sender's half of the waiting-word protocol: the record is published (release), a full fence
     * orders it before the load of the waiting word, and only a sleeping receiver costs a system call.
     */
    private void wakeIfWaiting() {
        VarHandle.fullFence();
        // one load either way: the receiver's int (the high half stays 0), or the subscribers' bits
        if (header.getLongVolatile(RingFileDescriptor.WAITING_OFFSET) == 0) {
            return;
        }
        if (fanOut) {
            wakeSubscribers();
        } else if (header.compareAndSetInt(RingFileDescriptor.WAITING_OFFSET, 1, 0)) {
            if (futex) {
                header.getAndAddInt(RingFileDescriptor.FUTEX_OFFSET, 1);
                PosixFutex.wake(file.futexWord, 1); // a word in this file: it reaches only threads waiting on it
                header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_WAKEUPS, ++wakeups);
            } else if (signalReceiver()) {
                header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_WAKEUPS, ++wakeups);
            }
        }
    }

    /**
     * subscribers &gt; 1, with the waiting word not 0 (a bit per subscriber that sleeps or is about to): futex: one
     * FUTEX_WAKE of every waiter on the shared word; a provider: each sleeping subscriber once.
     */
    private void wakeSubscribers() {
        if (futex) {
            header.getAndAddInt(RingFileDescriptor.FUTEX_OFFSET, 1);
            PosixFutex.wake(file.futexWord, Integer.MAX_VALUE); // one system call wakes every sleeping subscriber
            header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_WAKEUPS, ++wakeups);
        } else {
            long sleeping = header.getLongVolatile(RingFileDescriptor.WAITING_OFFSET);
            while (sleeping != 0) {
                final int subscriber = Long.numberOfTrailingZeros(sleeping);
                sleeping &= sleeping - 1;
                if (subscriber < file.subscribers && signalSubscriber(subscriber)) {
                    header.putLongRelease(slotOffset + RingFileDescriptor.SLOT_WAKEUPS, ++wakeups);
                }
            }
        }
        final long now = System.nanoTime();
        if (now - lastSleeperCheck >= LIVENESS_INTERVAL_NS) {
            lastSleeperCheck = now;
            clearDeadSleepers();
        }
    }

    /**
     * A subscriber killed while it slept leaves its bit in the waiting word, which would cost a wake-up per message.
     * At most once per {@link RingFileDescriptor#LIVENESS_INTERVAL_NS}, while the word is not 0, the bits of
     * subscribers whose lock is free are cleared, under the OPEN lock: subscribers take slots only under it, so a
     * slot whose lock is free then has nobody who could set its bit.
     */
    private void clearDeadSleepers() {
        long bits = header.getLongVolatile(RingFileDescriptor.WAITING_OFFSET);
        long dead = 0;
        for (long b = bits; b != 0; b &= b - 1) {
            final int subscriber = Long.numberOfTrailingZeros(b);
            if (!file.heldByOthers(RingFileDescriptor.subscriberLockByte(file.capacity, subscriber))) {
                dead |= 1L << subscriber;
            }
        }
        if (dead == 0 || !file.tryLockOpen()) {
            return;
        }
        try {
            for (long b = dead; b != 0; b &= b - 1) {
                final int subscriber = Long.numberOfTrailingZeros(b);
                if (!file.heldByOthers(RingFileDescriptor.subscriberLockByte(file.capacity, subscriber))) {
                    header.getAndBitwiseAndLong(RingFileDescriptor.WAITING_OFFSET, ~(1L << subscriber));
                }
            }
        } finally {
            file.unlockOpen();
        }
    }

    /**
     * subscribers &gt; 1, a wake-up provider: wakes one sleeping subscriber with the rules of
     * {@link #signalSleeper}, on its slot's waiting word, wake-up ids, identity sequence and lock. The waiting
     * word is taken from 1 to 0 first, so that one sleep costs one wake-up however many messages find it set.
     *
     * @return whether a wake-up was sent.
     */
    private boolean signalSubscriber(final int subscriber) {
        final SharedSegment slot = subscriberSlots[subscriber];
        return WaitingWord.claimSleep(slot.segment(), StampedRingDescriptor.SUBSCRIBER_WAITING)
            && signalSleeper(slot, StampedRingDescriptor.SUBSCRIBER_IDENTITY_SEQUENCE,
                StampedRingDescriptor.SUBSCRIBER_WAKE_TID, StampedRingDescriptor.SUBSCRIBER_WAKE_TOKEN,
                StampedRingDescriptor.SUBSCRIBER_PID, RingFileDescriptor.subscriberLockByte(file.capacity, subscriber));
    }

    private boolean signalReceiver() {
        return signalSleeper(header, RingFileDescriptor.IDENTITY_SEQUENCE_OFFSET, RingFileDescriptor.WAKE_TID_OFFSET,
            RingFileDescriptor.WAKE_TOKEN_OFFSET, RingFileDescriptor.RECEIVER_PID_OFFSET,
            RingFileDescriptor.RECEIVER_LOCK_BYTE);
    }

    /**
     * Sends the wake-up to the ids a sleeper (the receiver, or a subscriber in its slot) published, only when they
     * belong to the live sleeper ({@link WaitingWord}): a signal sent to a dead receiver's ids could reach whatever
     * process now has its pid (SIGRTMIN+4 terminates a process that does not handle it).
     *
     * <ol>
     *   <li>read the identity sequence, then the wake-up tid (acquire), token and pid. A receiver publishes its
     *       token and then its tid only after its wake-up provider blocked and ignored the signal, so a non-zero
     *       tid means the ids can be signalled;</li>
     *   <li>test the receiver lock (one fcntl, F_OFD_GETLK; the wake path makes a system call anyway). Free: the
     *       receiver died or closed, and nothing is sent;</li>
     *   <li>read the sequence again. A new receiver bumps it, having cleared the old ids, before it takes the lock;
     *       so when the lock was held and the sequence is unchanged, the ids read in step 1 are the lock holder's.</li>
     * </ol>
     * What is left is a receiver that dies between step 2 and the tgkill, whose pid and thread id are both taken
     * by one new thread within those microseconds. {@code pidfd_send_signal} would not close that gap: it signals
     * a process, not the thread that sleeps, thread pidfds need Linux 6.9, and a pidfd opened from a pid read in
     * the header names whatever process has that pid at the time it is opened, which is the same question again.
     * The lock test is what makes the target the live receiver.
     *
     * @param ids the segment holding the sleeper's ids and identity sequence.
     * @param lockByte the sleeper's role-lock byte.
     * @return whether a wake-up was sent.
     */
    private boolean signalSleeper(final SharedSegment ids, final int sequenceOffset, final int tidOffset,
                                  final int tokenOffset, final int pidOffset, final long lockByte) {
        final int sequence = WaitingWord.identitySequence(ids.segment(), sequenceOffset);
        final int tid = ids.getIntVolatile(tidOffset);
        final int token = ids.getIntVolatile(tokenOffset);
        final int pid = ids.getIntVolatile(pidOffset);
        if (tid <= 0 || pid <= 0 || token == 0) {
            return false; // no ids it can be woken by: it is not asleep through the provider
        }
        if (!WaitingWord.isLiveSleeper(ids.segment(), sequenceOffset, sequence, file.fd, lockByte)) {
            return false; // it died or closed (its ids may be a stranger's by now), or another took its place
        }
        return waker.wake(pid, tid, token);
    }

    private void checkReceiverNotClosed() {
        if (header.getIntVolatile(RingFileDescriptor.RECEIVER_STATE_OFFSET) == RingFileDescriptor.RECEIVER_CLOSED) {
            final int pid = header.getIntVolatile(RingFileDescriptor.RECEIVER_PID_OFFSET);
            throw new PeerGoneException(PeerGoneException.Reason.CLOSED, pid, "the receiver of '" + uri + "' (process "
                + pid + ") closed its end of " + file.path
                + "; messages still in the ring stay there for the next receiver");
        }
    }

    /**
     * On a full ring, at most every {@link RingFileDescriptor#LIVENESS_INTERVAL_NS}: is the receiver's lock
     * still held, and is the file still whole?
     */
    private void checkReceiverAlive() {
        final long now = System.nanoTime();
        if (now - lastLivenessCheck < LIVENESS_INTERVAL_NS) {
            return;
        }
        lastLivenessCheck = now;
        file.checkSize();
        if (header.getIntVolatile(RingFileDescriptor.RECEIVER_STATE_OFFSET) == RingFileDescriptor.RECEIVER_OPEN
            && !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)) {
            final int pid = header.getIntVolatile(RingFileDescriptor.RECEIVER_PID_OFFSET);
            throw new PeerGoneException(PeerGoneException.Reason.DIED, pid, "the receiver of '" + uri + "' (process "
                + pid + ") died: its lock on " + file.path
                + " is gone and the ring is full");
        }
    }

    private void checkLength(final int length) {
        if (length < 0 || length > maxMessage) {
            throw new IllegalArgumentException("length=" + length + " is outside 0..maxMessageLength=" + maxMessage
                + " of '" + uri + "'");
        }
    }

    private void checkClaim(final int index) {
        checkOpen();
        if (claimIndex < 0 || index != claimIndex) {
            throw new IllegalArgumentException("index=" + index + " is not the open claim of '" + uri + "' (claimIndex="
                + claimIndex + ")");
        }
    }

    private ChannelException fault(final InternalError e) {
        faulted = true;
        return file.faulted(e);
    }

    private ChannelException tampered(final RuntimeException e) {
        return file.tampered(e);
    }


    /**
     * Whether the receiver is alive: true before any receiver opened in this session (it may yet come), false
     * once it closed or its lock is gone. One fcntl call.
     *
     * @return the receiver's liveness as of now.
     */
    @Override
    public boolean isPeerAlive() {
        checkOpen();
        final int state = header.getIntVolatile(RingFileDescriptor.RECEIVER_STATE_OFFSET);
        return state == RingFileDescriptor.RECEIVER_NONE
            || state == RingFileDescriptor.RECEIVER_OPEN && file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE);
    }

    /**
     * @return the ring file's path.
     */
    public String path() {
        return file.path;
    }

    /**
     * @return whether this end created (and published) the ring file.
     */
    public boolean created() {
        return file.created;
    }

    /**
     * @return the ring's capacity in bytes.
     */
    public int capacity() {
        return file.capacity;
    }

    /**
     * @return this sender's slot in the header (see {@link RingFileDescriptor}).
     */
    public int slot() {
        return slot;
    }

    /**
     * Aborts a claim left open, clears this sender's slot, removes the file when {@code unlinkOnClose} is set
     * and no other end is open, wakes a sleeping receiver so it notices, and releases the mapping, the
     * descriptor and its locks, when this sender is closed. A close from another thread while this sender waits in
     * a timed offer ends that wait (the offer throws {@link ChannelClosedException}), and this runs once the
     * waiting thread has left the ring.
     */
    @Override
    protected void release() {
        try {
            if (!faulted && file.isWhole()) { // a shrunk file would fault on the header writes of leave()
                leave();
            }
        } finally {
            file.close();
        }
    }

    /**
     * Leaves the ring. The slot's tid is cleared first (a slot with a pid and no tid is a sender that closed, not one
     * that died), the role locks are released before the receiver is told (so that the lock test it makes next sees
     * this sender gone), and the pid stays in the slot until after the wake-up, since a receiver sleeping through a
     * wake-up provider takes wake-ups only from the pids in the slots.
     */
    private void leave() {
        if (claimIndex >= 0) {
            abortClaim(claimIndex);
            claimIndex = -1;
        }
        final int pid = PosixProcess.getpid();
        final boolean locked = lockOpenForClose();
        try {
            header.putIntRelease(slotOffset + RingFileDescriptor.SLOT_TID, 0);
            if (locked && options.unlinkOnClose() && !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)
                && !file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)) {
                file.unlinkIfSame();
            }
            file.unlock(RingFileDescriptor.slotOffset(slot));
            file.unlock(RingFileDescriptor.SENDER_LOCK_BYTE);
            header.getAndAddInt(RingFileDescriptor.SENDER_EVENTS_OFFSET, 1);
        } finally {
            if (locked) {
                file.unlockOpen(); // before the wake-up: the woken receiver takes the OPEN lock to settle the ring
            }
        }
        if (wakesReceiver) {
            wakeIfWaiting();
        }
        // pid and tid as one word: clears this sender's pid, never that of a sender that took the slot meanwhile
        header.compareAndSetLong(slotOffset + RingFileDescriptor.SLOT_PID, pid & 0xFFFF_FFFFL, 0L);
    }

    private boolean lockOpenForClose() {
        final long deadline = System.nanoTime() + Math.min(options.timeout().toNanos(), 1_000_000_000L);
        try {
            file.lockOpen(deadline, options);
            return true;
        } catch (final ChannelException e) {
            return false; // a stuck opener: update the header without it; dropping our locks still tells the truth
        }
    }

    @Override
    protected String describe() {
        return ", " + file + ", slot " + slot;
    }
}
