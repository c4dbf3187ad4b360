package dev.ipckit.mmap;

import static dev.ipckit.mmap.RingFileDescriptor.LIVENESS_INTERVAL_NS;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.lengthOffset;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.typeOffset;
import static org.agrona.concurrent.ringbuffer.RingBuffer.PADDING_MSG_TYPE_ID;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.SegmentHandler;
import dev.ipckit.posix.PosixFutex;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.AgronaAccess;
import dev.ipckit.spi.ChannelEnd;
import dev.ipckit.spi.WaitingWord;
import dev.ipckit.spi.WakeupProvider;

/**
 * The receiving end of an mmap ring. One receiver per ring at a time: a second is refused with an error that
 * names the holder's pid.
 *
 * <p>On ipckit's ring ({@code format=ipckit}, the default) a {@link StampedRingReader} reads: one acquire load per
 * header, nothing written to the records, the position published once per poll; a claim that blocks it on a
 * producers=many ring is sealed once its sender's slot lock is free ({@link StampedRingRepair}). Both
 * {@code poll(SegmentHandler ...)} forms hand each message over as a read-only slice of the mapping.
 *
 * <p>On Agrona's format, {@link #poll(MessageHandler, int)} reads with Agrona's {@code OneToOneRingBuffer.read}
 * (producers=one) or
 * {@code ManyToOneRingBuffer.read} (producers=many), written out here record for record with three additions:
 * for producers=many the end of each batch is recorded in the header before the batch is zeroed, so that a
 * receiver killed while zeroing is finished exactly by the next one; a record no ipckit sender writes (garbage
 * in the file: a length past the end of the ring or above maxMessageLength, or a type naming no sender slot) is a
 * {@link ChannelException} naming the file, never a message; and a handler that closes the receiver ends the
 * batch after its message. Neither loop allocates, locks or makes a system call per message.
 *
 * <h2>Liveness</h2>
 * When a poll finds nothing, and at most every {@link RingFileDescriptor#LIVENESS_INTERVAL_NS} (or at once
 * when a sender opened or closed), the receiver tests the sender lock (one fcntl) and the file's size. Once no
 * sender holds it, records a dead sender claimed but never committed become padding, everything committed is
 * delivered, and then {@link PeerGoneException} is thrown. Before any sender has opened in this session
 * nothing is gone: polls just return 0. On a producers=many ring where some senders live, a record claimed by
 * a sender that died is recognised by its type id (slot and generation) and turned into padding as soon as
 * that sender's slot lock is gone, so the ring keeps flowing; a claim whose header was not yet stamped (the
 * sender died within the few instructions between claiming and stamping) is settled after it has blocked the
 * head for {@link #UNBLOCK_GRACE_NS} and a dead sender is on record.
 *
 * <h2>Waiting</h2>
 * A timed poll waits with the ring's {@link WaitMode}: an Agrona idle strategy for spin, yield, backoff and
 * sleep; for futex and wake-up providers, a few spins and yields, then the waiting-word protocol: publish
 * waiting, full fence, look at the ring once more, and only then sleep in the kernel, for at most
 * {@link #SLEEP_SLICE_NS} so that liveness is still checked. The receiver publishes the ids a provider's waker
 * needs (tid and token) only once its waiter exists, which for {@code wait=signal} means the signal is blocked in
 * that thread and ignored by the process; a new receiver first clears what a dead one left (see
 * {@link RingFileDescriptor#IDENTITY_SEQUENCE_OFFSET}). With a wake-up provider the waiter belongs to the
 * first thread that sleeps; another thread polling the same receiver backs off by parking instead, and
 * {@link #close()} releases the waiter only when called on its thread.
 *
 * <p>A receiver killed while its handler ran leaves the head where that batch began, so the next receiver gets
 * the batch again: across a receiver's death delivery is at least once, never torn.
 */
public final class MmapReceiver extends ChannelEnd implements Receiver {
    /** The longest single kernel sleep of a futex or provider wait, so that liveness is checked in between. */
    public static final long SLEEP_SLICE_NS = 50_000_000L;
    /** How long an unnamed, unfinished record may block the head before it is settled (producers=many). */
    public static final long UNBLOCK_GRACE_NS = 1_000_000_000L;

    private final MmapOptions options;
    private final RingFile file;
    private final SharedSegment header;
    /** format=agrona: the Agrona ring; null for format=ipckit. */
    private final UnsafeBuffer buffer;
    /** format=ipckit: this receiver's reader of the stamped ring; null for format=agrona. */
    private final StampedRingReader reader;
    private final StampedRingReader.Handler stampedHandler;
    /** subscribers &gt; 1: this receiver's slot; 0 on a one-to-one ring. */
    private final int subscriber;
    /** subscribers &gt; 1: this receiver is one of several, with a slot of its own in the trailer. */
    private final boolean fanOut;
    /** slow=drop: copies each message before it hands it over (see {@link StampedRingReader#readDropping}). */
    private final boolean drop;
    /** subscribers &gt; 1: this receiver's slot in the trailer; null on a one-to-one ring. */
    private final SharedSegment slot;
    /** subscribers &gt; 1: this receiver's bit in the waiting word. */
    private final long waitBit;
    /** Where the messages and sleeps counters live: the header, or this subscriber's slot. */
    private final SharedSegment counters;
    private final int sleepsIndex;
    /** slow=drop: the copy a handler is given, and its Agrona view made on first use. */
    private final MemorySegment copy;
    private UnsafeBuffer copyView;
    /** slow=drop: laps and dropped bytes, as in the slot. */
    private final long[] drops = new long[2];
    private final IntPredicate slotAlive;
    /** The ring region, read-only: what a {@link SegmentHandler} is handed slices of. */
    private final MemorySegment readOnlyRing;
    private final boolean manyProducers;
    private final int capacity;
    private final int mask;
    private final int headPositionIndex;
    private final int tailPositionIndex;
    private final WaitMode waitMode;
    private final WakeupProvider provider;
    private final IdleStrategy idle;
    private final IntPredicate acceptFrom;
    private MessageHandler handler;
    private SegmentHandler segmentHandler;
    private ChannelException corrupt;
    private long messagesReceived;
    private long sleeps;
    private int seenSenderEvents;
    private long lastLivenessCheck;
    /**
     * With {@code wait=spin} an empty poll costs a few nanoseconds, and reading the clock on every one would delay
     * the next message by as much again: the clock is read on one empty poll in {@code CLOCK_MASK + 1}. Waits that
     * yield or sleep read it every time.
     */
    private final int clockMask;
    private int emptyPolls;
    private int waitLoops;
    private boolean sendersGone;
    /** A sender found dead while others lived (its slot was reaped), 0 when none. */
    private int deadSenderPid;
    private long stuckHead = -1;
    private long stuckSince;
    private long deadline;
    private WakeupProvider.Waiter waiter;
    private Thread waiterThread;
    private boolean stopDelivery;
    private boolean faulted;

    private MmapReceiver(final MmapOptions options, final RingFile file, final int subscriber) {
        super("receiver", options.uri().uri(), file.maxMessage);
        this.options = options;
        this.subscriber = subscriber;
        this.fanOut = file.subscribers > 1;
        this.drop = fanOut && options.dropWhenSlow();
        this.slot = fanOut ? new SharedSegment(file.ringSegment.asSlice(file.stamped.subscriberOffset(subscriber),
            StampedRingDescriptor.SUBSCRIBER_LENGTH)) : null;
        this.waitBit = 1L << subscriber;
        this.counters = fanOut ? slot : file.header;
        this.sleepsIndex = fanOut ? StampedRingDescriptor.SUBSCRIBER_SLEEPS : RingFileDescriptor.SLEEPS_OFFSET;
        this.copy = drop ? java.lang.foreign.Arena.ofAuto().allocate(Math.max(file.maxMessage, 1), 8) : null;
        this.clockMask = file.waitMode == WaitMode.SPIN ? 63 : 0;
        this.file = file;
        this.header = file.header;
        this.buffer = file.ring;
        this.manyProducers = file.manyProducers;
        this.capacity = file.capacity;
        this.mask = capacity - 1;
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.tailPositionIndex = capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.waitMode = file.waitMode;
        this.provider = waitMode == WaitMode.PROVIDER ? MmapSender.provider(options, file) : null;
        this.idle = waitMode.wakesReceiver() ? new KernelSleepIdleStrategy() : MmapSender.idleStrategy(waitMode);
        this.acceptFrom = this::isSenderPid;
        if (fanOut) {
            join(file, options, subscriber, slot);
        }
        this.reader = file.stamped != null ? new StampedRingReader(file.stamped, subscriber) : null;
        this.stampedHandler = drop
            ? (ring, offset, length) -> {
                deliverCopy(length);
                return !stopDelivery;
            }
            : (ring, offset, length) -> {
                deliver(offset, length);
                return !stopDelivery;
            };
        this.slotAlive = slot -> file.heldByOthers(RingFileDescriptor.slotOffset(slot));
        this.readOnlyRing = file.ringSegment.asReadOnly();

        // The wake-up tid and token stay clear (see open) until a waiter has blocked and ignored its signal.
        header.putIntRelease(RingFileDescriptor.RECEIVER_PID_OFFSET, PosixProcess.getpid());
        header.putInt(RingFileDescriptor.RECEIVER_TID_OFFSET, PosixProcess.gettid());
        header.putLong(RingFileDescriptor.RECEIVER_OPENED_OFFSET, System.currentTimeMillis());
        messagesReceived = counters.getLong(fanOut ? StampedRingDescriptor.SUBSCRIBER_MESSAGES
            : RingFileDescriptor.MESSAGES_RECEIVED_OFFSET);
        sleeps = counters.getLong(sleepsIndex);
        header.getAndAddInt(RingFileDescriptor.RECEIVER_OPENS_OFFSET, 1);
        header.putIntRelease(RingFileDescriptor.RECEIVER_STATE_OFFSET, RingFileDescriptor.RECEIVER_OPEN);
        seenSenderEvents = header.getIntVolatile(RingFileDescriptor.SENDER_EVENTS_OFFSET);
    }

    /**
     * Opens the receiving end, creating the ring file if it is absent and {@code create} allows.
     *
     * @param options parsed options.
     * @return the receiver.
     * @throws ChannelException when the file is refused, or another receiver holds the ring (naming its pid).
     */
    public static MmapReceiver open(final MmapOptions options) {
        final RingFile file = RingFile.open(options);
        try {
            if (file.subscribers > 1) {
                final MmapReceiver receiver = new MmapReceiver(options, file, takeSubscriberSlot(file, options));
                file.unlockOpen();
                return receiver;
            }
            if (file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE) || !clearIdentityAndLock(file)) {
                final int pid = file.header.getIntVolatile(RingFileDescriptor.RECEIVER_PID_OFFSET);
                throw new ChannelException("'" + options.uri().uri() + "' already has a receiver: process " + pid
                    + " holds the receiver lock of " + file.path + "; a ring has one receiver at a time. Close that "
                    + "receiver (or end process " + pid + ") and open again");
            }
            if (!file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)) {
                file.startNewSession();
            } else if (file.header.getIntVolatile(RingFileDescriptor.RECEIVER_STATE_OFFSET)
                == RingFileDescriptor.RECEIVER_OPEN) {
                // the last receiver died (its lock was free): finish the batch it was zeroing
                RingRepair.completeConsumerCleanup(file);
                file.header.getAndAddInt(RingFileDescriptor.DEATHS_OFFSET, 1);
            }
            final MmapReceiver receiver = new MmapReceiver(options, file, 0);
            file.unlockOpen();
            return receiver;
        } catch (final RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /**
     * subscribers &gt; 1, under the OPEN lock: takes the receiver lock shared (every subscriber holds it, so "is any
     * subscriber alive" is one lock test), starts a new session when no other end is open, and takes the first
     * free subscriber slot: one whose lock nobody holds. Before locking a slot it clears what a dead predecessor
     * left there for senders to act on (waiting bit, wake-up ids) and bumps the slot's identity sequence, as
     * {@link #clearIdentityAndLock} does for the one receiver; only opens, which hold the OPEN lock, take slots, so
     * the slot stays free between the test and the lock.
     *
     * @return the slot.
     */
    private static int takeSubscriberSlot(final RingFile file, final MmapOptions options) {
        if (!file.tryLock(RingFileDescriptor.RECEIVER_LOCK_BYTE, PosixMemory.F_RDLCK)) {
            throw new ChannelException("'" + options.uri().uri() + "' cannot take a subscriber slot of " + file.path
                + ": process " + file.header.getIntVolatile(RingFileDescriptor.RECEIVER_PID_OFFSET) + " holds its "
                + "receiver lock (byte " + RingFileDescriptor.RECEIVER_LOCK_BYTE + ") exclusively, which no ipckit "
                + "subscriber does; close that process's end and open again");
        }
        if (!file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)
            && !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)) {
            file.startNewSession();
        }
        final StampedRing ring = file.stamped;
        for (int i = 0; i < file.subscribers; i++) {
            final long lockByte = RingFileDescriptor.subscriberLockByte(file.capacity, i);
            if (file.heldByOthers(lockByte)) {
                continue;
            }
            final SharedSegment slot = new SharedSegment(ring.segment().asSlice(ring.subscriberOffset(i),
                StampedRingDescriptor.SUBSCRIBER_LENGTH));
            file.header.getAndBitwiseAndLong(RingFileDescriptor.WAITING_OFFSET, ~(1L << i)); // a dead sleeper's bit
            slot.putIntVolatile(StampedRingDescriptor.SUBSCRIBER_WAITING, 0);
            slot.putIntVolatile(StampedRingDescriptor.SUBSCRIBER_WAKE_TID, 0);
            slot.putIntVolatile(StampedRingDescriptor.SUBSCRIBER_WAKE_TOKEN, 0);
            slot.getAndAddInt(StampedRingDescriptor.SUBSCRIBER_IDENTITY_SEQUENCE, 1); // a full fence before the lock
            if (file.tryLock(lockByte, PosixMemory.F_WRLCK)) {
                return i;
            }
        }
        final StringBuilder pids = new StringBuilder();
        for (int i = 0; i < file.subscribers; i++) {
            pids.append(i == 0 ? "" : ", ").append(ring.segment().get(java.lang.foreign.ValueLayout.JAVA_INT,
                ring.subscriberOffset(i) + StampedRingDescriptor.SUBSCRIBER_PID));
        }
        throw new ChannelException("'" + options.uri().uri() + "' has no free subscriber slot: all "
            + file.subscribers + " slots of " + file.path + " are held, by processes " + pids + " (slot 0 first); "
            + "close one of those subscribers (or end its process), or make the ring with more subscribers");
    }

    /**
     * subscribers &gt; 1: joins at the tail (see "Joining at the tail" in {@link StampedRingDescriptor}): position
     * {@code T0}, then the state (release), a full fence, and the position {@code T1} this subscriber starts at.
     */
    private static void join(final RingFile file, final MmapOptions options, final int subscriber,
                             final SharedSegment slot) {
        final StampedRing ring = file.stamped;
        final long t0 = ring.checkedPosition(ring.lvTail());
        ring.soSubscriberPosition(subscriber, t0);
        slot.putInt(StampedRingDescriptor.SUBSCRIBER_PID, PosixProcess.getpid());
        slot.putInt(StampedRingDescriptor.SUBSCRIBER_TID, PosixProcess.gettid());
        slot.putLong(StampedRingDescriptor.SUBSCRIBER_MESSAGES, 0);
        slot.putLong(StampedRingDescriptor.SUBSCRIBER_LAPS, 0);
        slot.putLong(StampedRingDescriptor.SUBSCRIBER_DROPPED_BYTES, 0);
        slot.putLong(StampedRingDescriptor.SUBSCRIBER_SLEEPS, 0);
        slot.putLong(StampedRingDescriptor.SUBSCRIBER_JOINED, System.currentTimeMillis());
        final int generation = slot.getInt(StampedRingDescriptor.SUBSCRIBER_GENERATION) + 1;
        slot.putInt(StampedRingDescriptor.SUBSCRIBER_GENERATION, generation);
        slot.putIntRelease(StampedRingDescriptor.SUBSCRIBER_STATE, StampedRingDescriptor.state(generation,
            options.dropWhenSlow() ? StampedRingDescriptor.POLICY_DROP : StampedRingDescriptor.POLICY_BLOCK));
        VarHandle.fullFence(); // the state is visible before the tail is read again
        ring.soSubscriberPosition(subscriber, Math.max(t0, ring.checkedPosition(ring.lvTail())));
    }

    /**
     * Under the OPEN lock, with the receiver lock free: clears what a dead predecessor left for senders to act on (a
     * stale waiting word, its wake-up tid and token), bumps the identity sequence, and only then takes the receiver
     * lock, so that a sender that finds the lock held never signals the predecessor's ids (see
     * {@code MmapSender.signalReceiver}). This receiver publishes its own ids once its waiter has blocked the signal.
     *
     * @return whether the receiver lock was taken.
     */
    private static boolean clearIdentityAndLock(final RingFile file) {
        final SharedSegment header = file.header;
        header.putIntVolatile(RingFileDescriptor.WAITING_OFFSET, 0);
        header.putIntVolatile(RingFileDescriptor.WAKE_TID_OFFSET, 0);
        header.putIntVolatile(RingFileDescriptor.WAKE_TOKEN_OFFSET, 0);
        header.getAndAddInt(RingFileDescriptor.IDENTITY_SEQUENCE_OFFSET, 1); // a full fence before the lock is taken
        return file.tryLock(RingFileDescriptor.RECEIVER_LOCK_BYTE, PosixMemory.F_WRLCK);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit) {
        AgronaAccess.check("poll(MessageHandler, int)", uri); // a constant once probed
        return pollWith(handler, null, limit);
    }

    /**
     * Hands each message to the handler as a read-only slice of the mapping: zero-copy, and on format=ipckit no
     * Agrona buffer on the path.
     */
    @Override
    public int poll(final SegmentHandler handler, final int limit) {
        return pollWith(null, handler, limit);
    }

    /**
     * Waits in slices of at most {@link #SLEEP_SLICE_NS}; {@link #close()} from another thread while this call is in
     * progress ends it with a {@link ChannelClosedException} and releases the ring only once this call has left it.
     * An interrupt of the waiting thread ends the wait, in every wait mode, with a
     * {@link ChannelInterruptedException} and the interrupt status kept: at once while it spins, yields or parks,
     * and at the end of the current kernel sleep (at most one slice) with futex and wake-up providers.
     */
    @Override
    public int poll(final MessageHandler handler, final int limit, final Duration timeout) {
        AgronaAccess.check("poll(MessageHandler, int, Duration)", uri); // a constant once probed
        return pollTimed(handler, null, limit, timeout);
    }

    /**
     * As {@link #poll(MessageHandler, int, Duration)}, handing each message over as a read-only slice of the
     * mapping.
     */
    @Override
    public int poll(final SegmentHandler handler, final int limit, final Duration timeout) {
        return pollTimed(null, handler, limit, timeout);
    }

    private int pollWith(final MessageHandler handler, final SegmentHandler segmentHandler, final int limit) {
        if (isClosed()) {
            throw closed();
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " must be at least 1 (poll on '" + uri + "')");
        }
        if (corrupt != null) {
            throw new ChannelException(corrupt.getMessage(), corrupt);
        }
        enterCallback();
        try {
            final int read = read(handler, segmentHandler, limit);
            return read > 0 || stopDelivery ? read : onEmpty(handler, segmentHandler, limit);
        } catch (final InternalError e) {
            faulted = true;
            throw file.faulted(e);
        } finally {
            leaveCallback(); // releases the end when the handler closed it, now that the ring is no longer read
        }
    }

    private int pollTimed(final MessageHandler handler, final SegmentHandler segmentHandler, final int limit,
                          final Duration timeout) {
        try {
            enterWait();
            int read = pollWith(handler, segmentHandler, limit);
            final long timeoutNs = timeout.toNanos();
            if (read > 0 || timeoutNs <= 0 || stopDelivery) {
                return read;
            }
            deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (true) {
                // the one check for every wait mode: Agrona's idle strategies return at once when interrupted, and a
                // kernel sleep lasts at most one SLEEP_SLICE_NS
                ChannelInterruptedException.checkInterrupt("poll", uri);
                idle.idle(read); // futex and wake-up waits touch the header
                // throws ChannelClosedException once another thread closed this end
                read = pollWith(handler, segmentHandler, limit);
                if (read > 0 || (++waitLoops & clockMask) == 0 && System.nanoTime() - deadline >= 0) {
                    return read;
                }
            }
        } catch (final InternalError e) {
            faulted = true;
            throw file.faulted(e); // a fault in the header while waiting: the file shrank under the mapping
        } finally {
            leaveWait();
        }
    }

    private int read(final MessageHandler handler, final SegmentHandler segmentHandler, final int limit) {
        this.handler = handler;
        this.segmentHandler = segmentHandler;
        if (fanOut) {
            return readSubscriber(limit);
        }
        final int read = reader != null ? reader.read(stampedHandler, limit)
            : manyProducers ? readManyToOne(limit) : readOneToOne(limit);
        if (read > 0) {
            header.putLongRelease(RingFileDescriptor.MESSAGES_RECEIVED_OFFSET, messagesReceived += read);
        }
        return read;
    }

    /**
     * subscribers &gt; 1: one batch at this subscriber's position, counted in its slot.
     */
    private int readSubscriber(final int limit) {
        if (!drop) {
            final int read = reader.read(stampedHandler, limit);
            if (read > 0) {
                slot.putLongRelease(StampedRingDescriptor.SUBSCRIBER_MESSAGES, messagesReceived += read);
            }
            return read;
        }
        final long laps = drops[0];
        final int read = reader.readDropping(stampedHandler, limit, copy, manyProducers, drops);
        if (read > 0) {
            slot.putLongRelease(StampedRingDescriptor.SUBSCRIBER_MESSAGES, messagesReceived += read);
        }
        if (drops[0] != laps) {
            slot.putLongRelease(StampedRingDescriptor.SUBSCRIBER_LAPS, drops[0]);
            slot.putLongRelease(StampedRingDescriptor.SUBSCRIBER_DROPPED_BYTES, drops[1]);
        }
        return read;
    }

    /**
     * {@code OneToOneRingBuffer.read} of Agrona 2.x, record for record, plus two checks: a record no sender writes
     * (garbage in the file) never reaches the handler as a message, and a handler that closes this end stops the
     * batch after its message.
     */
    private int readOneToOne(final int limit) {
        final UnsafeBuffer buffer = this.buffer;
        final long head = buffer.getLong(headPositionIndex);
        final int headIndex = (int) head & mask;
        final int maxBlockLength = capacity - headIndex;
        int bytesRead = 0;
        int messagesRead = 0;
        try {
            while (bytesRead < maxBlockLength && messagesRead < limit && !stopDelivery) {
                final int recordIndex = headIndex + bytesRead;
                // acquire: a positive length means the record is whole
                final int recordLength = buffer.getIntVolatile(lengthOffset(recordIndex));
                if (recordLength <= 0) {
                    break;
                }
                final int typeId = buffer.getInt(typeOffset(recordIndex));
                final int aligned = BitUtil.align(recordLength, ALIGNMENT);
                if (aligned > maxBlockLength - bytesRead || aligned < HEADER_LENGTH) {
                    throw corrupt(recordIndex, recordLength, typeId); // runs past the end of the ring
                }
                bytesRead += aligned;
                if (typeId == PADDING_MSG_TYPE_ID) {
                    continue;
                }
                if (recordLength - HEADER_LENGTH > maxMessage || RingFileDescriptor.slotOf(typeId) < 0) {
                    throw corrupt(recordIndex, recordLength, typeId);
                }
                ++messagesRead;
                deliver(recordIndex + HEADER_LENGTH, recordLength - HEADER_LENGTH);
            }
        } finally {
            if (bytesRead != 0) {
                buffer.putLongRelease(headPositionIndex, head + bytesRead); // the producer zeroes, not the consumer
            }
        }
        return messagesRead;
    }

    /**
     * {@code ManyToOneRingBuffer.read}, plus the Consumed-To store before the batch is zeroed.
     */
    private int readManyToOne(final int limit) {
        final UnsafeBuffer buffer = this.buffer;
        final long head = buffer.getLong(headPositionIndex);
        final int headIndex = (int) head & mask;
        final int maxBlockLength = capacity - headIndex;
        int bytesRead = 0;
        int messagesRead = 0;
        try {
            while (bytesRead < maxBlockLength && messagesRead < limit && !stopDelivery) {
                final int recordIndex = headIndex + bytesRead;
                // acquire: a positive length means the record is whole
                final int recordLength = buffer.getIntVolatile(lengthOffset(recordIndex));
                if (recordLength <= 0) {
                    break;
                }
                final int typeId = buffer.getInt(typeOffset(recordIndex));
                final int aligned = BitUtil.align(recordLength, ALIGNMENT);
                if (aligned > maxBlockLength - bytesRead || aligned < HEADER_LENGTH) {
                    throw corrupt(recordIndex, recordLength, typeId); // runs past the end of the ring
                }
                bytesRead += aligned;
                if (typeId == PADDING_MSG_TYPE_ID) {
                    continue;
                }
                if (recordLength - HEADER_LENGTH > maxMessage || RingFileDescriptor.slotOf(typeId) < 0) {
                    throw corrupt(recordIndex, recordLength, typeId);
                }
                ++messagesRead;
                deliver(recordIndex + HEADER_LENGTH, recordLength - HEADER_LENGTH);
            }
        } finally {
            if (bytesRead != 0) {
                header.putLongRelease(RingFileDescriptor.CONSUMED_TO_OFFSET, head + bytesRead);
                VarHandle.storeStoreFence(); // the mark is visible before any zero of the batch
                buffer.setMemory(headIndex, bytesRead, (byte) 0);
                buffer.putLongRelease(headPositionIndex, head + bytesRead);
            }
        }
        return messagesRead;
    }

    /**
     * One message to whichever handler this poll was given: a read-only slice of the mapping for a
     * {@link SegmentHandler}, the ring's Agrona buffer for a {@link MessageHandler}.
     */
    private void deliver(final int offset, final int length) {
        if (segmentHandler != null) {
            segmentHandler.onMessage(readOnlyRing.asSlice(offset, length));
        } else {
            handler.onMessage(file.ringView(), offset, length);
        }
    }

    /**
     * slow=drop: the message this receiver copied, as a read-only slice of its copy or as its Agrona view.
     */
    private void deliverCopy(final int length) {
        if (segmentHandler != null) {
            segmentHandler.onMessage(copy.asSlice(0, length).asReadOnly());
        } else {
            if (copyView == null) {
                copyView = new UnsafeBuffer(copy.address(), (int) copy.byteSize());
            }
            handler.onMessage(copyView, 0, length);
        }
    }

    private int onEmpty(final MessageHandler handler, final SegmentHandler segmentHandler, final int limit) {
        final int events = header.getIntVolatile(RingFileDescriptor.SENDER_EVENTS_OFFSET);
        if (events == seenSenderEvents && !sendersGone && (++emptyPolls & clockMask) != 0) {
            return 0;
        }
        final long now = System.nanoTime();
        if (events == seenSenderEvents && !sendersGone && now - lastLivenessCheck < LIVENESS_INTERVAL_NS) {
            return 0;
        }
        seenSenderEvents = events;
        lastLivenessCheck = now;
        file.checkSize();
        try {
            if (reader != null) {
                file.stamped.checkPositions(subscriber, manyProducers, drop); // this end owns its position: no race
            } else {
                RingFileDescriptor.checkPositions(buffer, capacity, file.path); // this end owns the head: no race
            }
        } catch (final ChannelException e) {
            corrupt = e;
            throw e;
        }
        if (header.getIntVolatile(RingFileDescriptor.SENDER_OPENS_OFFSET) == 0) {
            sendersGone = false; // no sender yet in this session: nothing can be gone
            return 0;
        }
        if (file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)) {
            sendersGone = false;
            if (manyProducers && reader != null) {
                if (!drop && !reader.isReadable()) { // a drop subscriber never writes: the sender may lap it // a claim blocks the reader: its sender may be dead
                    StampedRingRepair.sealIfAbandoned(file.stamped, header, slotAlive, reader.position());
                }
            } else if (manyProducers) {
                unblockIfStuck(now);
            }
            return 0;
        }
        sendersGone = true;
        if (!file.tryLockOpen()) {
            return 0; // an end is opening or closing: look again on the next poll
        }
        try {
            if (file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)) {
                sendersGone = false;
                return 0;
            }
            // no sender can write any more: settle what they left unfinished
            if (reader == null) {
                RingRepair.sealAbandoned(file);
            } else if (manyProducers && !drop) {
                StampedRingRepair.sealAll(file.stamped, header, reader.position());
            }
        } finally {
            file.unlockOpen();
        }
        final int read = read(handler, segmentHandler, limit);
        if (read > 0) {
            return read;
        }
        if (reader != null ? !(drop ? reader.isBehindTail() : reader.isReadable())
            : buffer.getLongVolatile(headPositionIndex) == buffer.getLongVolatile(tailPositionIndex)) {
            throw sendersGoneException();
        }
        return 0;
    }

    /**
     * producers=many with senders alive: if the head record is unfinished and its writer is dead, settle it.
     */
    private void unblockIfStuck(final long now) {
        final long head = buffer.getLongVolatile(headPositionIndex);
        final long tail = buffer.getLongVolatile(tailPositionIndex);
        if (head == tail) {
            return;
        }
        final int index = (int) head & mask;
        final int length = buffer.getIntVolatile(lengthOffset(index));
        if (length > 0) {
            return;
        }
        if (head != stuckHead) {
            stuckHead = head;
            stuckSince = now;
        }
        if (length < 0) {
            final int typeId = buffer.getIntVolatile(typeOffset(index));
            final int slot = RingFileDescriptor.slotOf(typeId);
            if (slot >= 0) {
                final int slotOffset = RingFileDescriptor.slotOffset(slot);
                if (header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_GENERATION)
                    == RingFileDescriptor.generationOf(typeId)
                    && header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_PID) != 0
                    && file.heldByOthers(slotOffset)) {
                    return; // its sender lives and will commit or abort
                }
                final int contiguous = (int) Math.min(Math.max(tail - head, 0), capacity - index);
                if (contiguous >= HEADER_LENGTH) { // else positions another process wrote: checkPositions reports them
                    RingRepair.pad(buffer, index, RingRepair.bounded(BitUtil.align(-(long) length, ALIGNMENT),
                        contiguous)); // its sender is gone: skip the claim
                }
                return;
            }
        }
        if (now - stuckSince >= UNBLOCK_GRACE_NS && (reapDeadSenders()
            || header.getIntVolatile(RingFileDescriptor.DEATHS_OFFSET) > 0)) {
            RingRepair.sealHead(file, head, tail, length);
        }
    }

    /**
     * Clears the slots of senders that died without closing (pid set, slot lock free), under the OPEN lock.
     *
     * @return whether any was found.
     */
    private boolean reapDeadSenders() {
        if (!file.tryLockOpen()) {
            return false;
        }
        boolean found = false;
        try {
            for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
                final int slotOffset = RingFileDescriptor.slotOffset(slot);
                final int pid = header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_PID);
                if (pid != 0 && header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_TID) != 0
                    && !file.heldByOthers(slotOffset)) {
                    header.putInt(slotOffset + RingFileDescriptor.SLOT_TID, 0);
                    header.putIntRelease(slotOffset + RingFileDescriptor.SLOT_PID, 0);
                    header.getAndAddInt(RingFileDescriptor.DEATHS_OFFSET, 1);
                    deadSenderPid = pid;
                    found = true;
                }
            }
        } finally {
            file.unlockOpen();
        }
        return found;
    }

    private ChannelException corrupt(final int index, final int recordLength, final int typeId) {
        corrupt = RingFileDescriptor.corruptRecord(file.path, index, recordLength, typeId, capacity, maxMessage);
        return corrupt;
    }

    /**
     * Every sender is gone: they closed, or at least one died (a slot still has a pid and a tid, which a closing
     * sender clears, or a dead sender was reaped earlier in this session).
     */
    private PeerGoneException sendersGoneException() {
        final int lastPid = header.getIntVolatile(RingFileDescriptor.LAST_SENDER_PID_OFFSET);
        int diedPid = deadSenderPid;
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS && diedPid == 0; slot++) {
            final int slotOffset = RingFileDescriptor.slotOffset(slot);
            if (header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_TID) != 0) {
                diedPid = header.getIntVolatile(slotOffset + RingFileDescriptor.SLOT_PID);
            }
        }
        if (diedPid != 0) {
            return new PeerGoneException(PeerGoneException.Reason.DIED, diedPid, (manyProducers
                ? "every sender of '" + uri + "' has gone, and one of them (process " + diedPid + ") died"
                : "the sender of '" + uri + "' (process " + diedPid + ") died") + ": its lock on " + file.path
                + " went without a close; every message committed before was delivered, and one it had not "
                + "committed is lost");
        }
        return new PeerGoneException(PeerGoneException.Reason.CLOSED, lastPid, manyProducers
            ? "every sender of '" + uri + "' closed its end (the last to open was process " + lastPid
                + "), and every message they committed to " + file.path + " was delivered"
            : "the sender of '" + uri + "' (process " + lastPid + ") closed its end, and every message it committed "
                + "was delivered");
    }

    private boolean isSenderPid(final int pid) {
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            if (header.getIntVolatile(RingFileDescriptor.slotOffset(slot) + RingFileDescriptor.SLOT_PID) == pid) {
                return true;
            }
        }
        return false;
    }

    /**
     * The receiver's half of the waiting-word protocol, for at most {@code maxNanos}.
     */
    private void sleep(final long maxNanos) {
        WakeupProvider.Waiter sleeper = null;
        if (provider != null) {
            sleeper = waiterOnThisThread();
            if (sleeper == null) {
                LockSupport.parkNanos(Math.min(maxNanos, 1_000_000L));
                return;
            }
        }
        final int futexValue = header.getIntVolatile(RingFileDescriptor.FUTEX_OFFSET);
        // the sleeper's half of the waiting-word protocol (WaitingWord): publish, fence, look at the ring again
        if (fanOut) {
            WaitingWord.publishAsleep(slot.segment(), StampedRingDescriptor.SUBSCRIBER_WAITING);
            header.getAndBitwiseOrLong(RingFileDescriptor.WAITING_OFFSET, waitBit); // a full fence, as below
        } else {
            WaitingWord.publishAsleep(header.segment(), RingFileDescriptor.WAITING_OFFSET);
            VarHandle.fullFence(); // the waiting store is ordered before the look at the ring below
        }
        if (!readableOrSenderEvent()) {
            counters.putLongRelease(sleepsIndex, ++sleeps);
            if (sleeper == null) {
                PosixFutex.await(file.futexWord, futexValue, maxNanos); // returns at once if a sender bumped the word
            } else {
                sleeper.await(maxNanos, acceptFrom);
            }
        }
        if (fanOut) {
            header.getAndBitwiseAndLong(RingFileDescriptor.WAITING_OFFSET, ~waitBit);
            slot.putIntRelease(StampedRingDescriptor.SUBSCRIBER_WAITING, 0);
        } else {
            header.putIntRelease(RingFileDescriptor.WAITING_OFFSET, 0);
        }
    }

    private boolean readableOrSenderEvent() {
        if (reader != null) {
            return (drop ? reader.isBehindTail() : reader.isReadable())
                || header.getIntVolatile(RingFileDescriptor.SENDER_EVENTS_OFFSET) != seenSenderEvents;
        }
        final int headIndex = (int) buffer.getLongVolatile(headPositionIndex) & mask;
        return buffer.getIntVolatile(lengthOffset(headIndex)) > 0
            || header.getIntVolatile(RingFileDescriptor.SENDER_EVENTS_OFFSET) != seenSenderEvents;
    }

    private WakeupProvider.Waiter waiterOnThisThread() {
        final Thread current = Thread.currentThread();
        if (waiter == null) {
            waiter = provider.openWaiter(options.uri());
            waiterThread = current;
            if (fanOut) { // this subscriber's own ids, in its slot
                slot.putInt(StampedRingDescriptor.SUBSCRIBER_WAKE_TOKEN, waiter.token());
                slot.putIntRelease(StampedRingDescriptor.SUBSCRIBER_WAKE_TID, waiter.tid());
            } else {
                header.putInt(RingFileDescriptor.WAKE_TOKEN_OFFSET, waiter.token());
                header.putIntRelease(RingFileDescriptor.WAKE_TID_OFFSET, waiter.tid());
            }
        }
        return waiterThread == current ? waiter : null;
    }


    /**
     * Whether a sender is alive: true before any sender opened in this session (one may yet come), else
     * whether any sender lock is held. One fcntl call.
     *
     * @return the senders' liveness as of now.
     */
    @Override
    public boolean isPeerAlive() {
        if (isClosed()) {
            throw closed();
        }
        return header.getIntVolatile(RingFileDescriptor.SENDER_OPENS_OFFSET) == 0
            || file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE);
    }

    /**
     * @return the ring file's path.
     */
    public String path() {
        return file.path;
    }

    /**
     * @return the ring region of this end's mapping, whose slices a {@link SegmentHandler} is handed.
     */
    MemorySegment segment() {
        return file.ringSegment;
    }

    /**
     * @return this receiver's subscriber slot on a ring with subscribers &gt; 1; 0 on a one-to-one ring.
     */
    public int subscriber() {
        return subscriber;
    }

    /**
     * How often this {@code slow=drop} subscriber was lapped: the sender overwrote what it had not read, and it
     * resumed at the sender's tail. Also in its slot, for {@code ipckit stat}. Always 0 for {@code slow=block}.
     *
     * @return the laps since this receiver opened.
     */
    public long laps() {
        return drops[0];
    }

    /**
     * The ring bytes this {@code slow=drop} subscriber skipped when it was lapped (from its position to the tail it
     * resumed at: messages with their 8-byte headers and any padding), an upper bound on the payload bytes it lost.
     * Also in its slot. Always 0 for {@code slow=block}.
     *
     * @return the bytes since this receiver opened.
     */
    public long droppedBytes() {
        return drops[1];
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
     * Marks the receiver closed in the header (senders then get {@link PeerGoneException}), removes the file
     * when {@code unlinkOnClose} is set and no sender is open, releases the wake-up waiter if called on its
     * thread, and releases the mapping, the descriptor and the receiver lock, when this receiver is closed.
     *
     * <p>Called from this receiver's handler, it stops the poll after that message and releases everything when
     * the poll returns. Called from another thread while this receiver waits in a timed poll, it ends that wait
     * (the poll throws {@link ChannelClosedException}) and releases everything once the waiting thread has left
     * the ring, within one {@link #SLEEP_SLICE_NS}.
     */
    @Override
    protected void release() {
        try {
            if (!faulted && file.isWhole()) { // a shrunk file would fault on the header writes of leave()
                leave();
            }
            if (waiter != null && waiterThread == Thread.currentThread()) {
                waiter.close();
            }
        } finally {
            file.close();
        }
    }

    private void leave() {
        boolean locked;
        try {
            file.lockOpen(System.nanoTime() + Math.min(options.timeout().toNanos(), 1_000_000_000L), options);
            locked = true;
        } catch (final ChannelException e) {
            locked = false; // a stuck opener: mark the header without it; dropping our lock still tells the truth
        }
        try {
            if (fanOut) {
                // the slot is free before the lock goes; the ring's receiver is closed only when no subscriber is left
                file.stamped.clearSubscriber(subscriber);
                header.getAndBitwiseAndLong(RingFileDescriptor.WAITING_OFFSET, ~waitBit);
                if (!file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)) {
                    header.putIntRelease(RingFileDescriptor.RECEIVER_STATE_OFFSET, RingFileDescriptor.RECEIVER_CLOSED);
                }
            } else {
                header.putIntRelease(RingFileDescriptor.WAITING_OFFSET, 0);
                header.putIntRelease(RingFileDescriptor.RECEIVER_STATE_OFFSET, RingFileDescriptor.RECEIVER_CLOSED);
            }
            if (locked && options.unlinkOnClose() && !file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)
                && !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)) {
                file.unlinkIfSame();
            }
        } finally {
            if (locked) {
                file.unlockOpen();
            }
        }
    }

    /**
     * Stops the batch after the message whose handler closed this receiver.
     */
    @Override
    protected void closedFromCallback() {
        stopDelivery = true; // a no-op unless called from this receiver's own handler
    }

    @Override
    protected String describe() {
        return ", " + file;
    }

    /**
     * For futex and wake-up providers: spin, yield, then the waiting-word sleep, bounded by the poll's deadline
     * and {@link #SLEEP_SLICE_NS}.
     */
    private final class KernelSleepIdleStrategy implements IdleStrategy {
        private int idles;

        @Override
        public void idle(final int workCount) {
            if (workCount > 0) {
                idles = 0;
            } else {
                idle();
            }
        }

        @Override
        public void idle() {
            if (idles < options.spins()) {
                idles++;
                Thread.onSpinWait();
            } else if (idles < options.spins() + options.yields()) {
                idles++;
                Thread.yield();
            } else {
                final long remaining = deadline - System.nanoTime();
                if (remaining > 0) {
                    sleep(Math.min(remaining, SLEEP_SLICE_NS));
                }
            }
        }

        @Override
        public void reset() {
            idles = 0;
        }

        @Override
        public String alias() {
            return "kernel-sleep";
        }
    }
}
