package dev.ipckit.mmap;

import dev.ipckit.ChannelException;

/**
 * The layout of ipckit's own ring, {@code format=ipckit} (the default): stamped records in the ring region of a
 * ring file, followed by a trailer that holds the shared tail and one position per subscriber. The file's header
 * (static fields, session, receiver, waiting and futex words, sender slots) is the one {@link RingFileDescriptor}
 * draws; this class draws what follows it.
 *
 * <pre>
 *   +-----------------------------+ 0 (the ring region, at RingFileDescriptor.RING_OFFSET in the file)
 *   |  Records                    |    capacity bytes, a power of two; index = position &amp; (capacity - 1)
 *   |  (stamped, 8-byte aligned)  |
 *   +-----------------------------+ capacity = TRAILER_OFFSET
 *   |  Tail                       |    producers=many: the claim counter every sender CASes;
 *   |                             |    producers=one: the sender's tail, stored lazily for stat and gc;
 *   |                             |    +8: producers=one, subscribers &gt; 1: the sender's intent
 *   +-----------------------------+ capacity + 128
 *   |  Subscriber 0               |    position (released once per poll batch), pid, tid, counters
 *   +-----------------------------+ capacity + 256
 *   |  Subscriber 1 .. N-1        |    128 bytes each (subscribers=N; one-to-one rings have N = 1)
 *   +-----------------------------+ capacity + 128 + 128 * N = capacity + trailerLength(N)
 * </pre>
 *
 * Every trailer section is a pair of cache lines with a single writer, so a position is read by the other side
 * only when it looks for it (a sender whose cached limit says full, {@code stat}), never by false sharing.
 *
 * <h2>Subscriber slots ({@code subscribers=N})</h2>
 * A one-to-one ring ({@code subscribers=1}, the default) uses only the position of slot 0; its receiver's identity
 * and counters live in the file header, as they always have. With N &gt; 1 each slot describes one subscriber, and
 * each slot's first byte in the file ({@link RingFileDescriptor#subscriberLockByte}) is that subscriber's own OFD
 * lock byte: a slot is taken by locking it, and a slot whose lock is free belongs to nobody alive.
 * <pre>
 *  Subscriber slot i at capacity + 128 + 128 * i (first line: the subscriber writes; second line: waking it)
 *  +------------------------------+ +------------------------------+
 *  | +0  Position (8), release    | | +64 Waiting: 1 while asleep  |  set by the subscriber, cleared by it or by
 *  | +8  PID (0 = free)           | | +68 Wake-up TID              |  the sender that wakes it (CAS 1 -&gt; 0)
 *  | +12 TID                      | | +72 Wake-up Token (signal)   |
 *  | +16 State: gen &lt;&lt; 8 | policy | | +76 Identity Sequence        |
 *  | +20 Generation               | +------------------------------+
 *  | +24 Messages Received (8)    |
 *  | +32 Laps (8)                 |  slow=drop: times the sender overwrote what it had not read
 *  | +40 Dropped Bytes (8)        |  slow=drop: ring bytes (records, headers, padding) it skipped
 *  | +48 Sleeps (8)               |
 *  | +56 Joined, epoch millis (8) |
 *  +------------------------------+
 * </pre>
 * The state is 0 for a free slot, else the slot's generation (bumped by every subscriber that takes it, never
 * reset) shifted left by 8, or'ed with the policy ({@link #POLICY_BLOCK} or {@link #POLICY_DROP}); so a sender that
 * found a slot's lock free can remember "this state is dead" and skip that slot without a system call until
 * another subscriber takes it.
 *
 * <p><b>Flow control.</b> A sender's cached limit is the slowest position of the live {@code slow=block}
 * subscribers plus the capacity. It is refreshed from the slots only when the cache says full: a full fence (so
 * that its own tail stores come before the loads), then each slot's state (acquire) and position. When the
 * refreshed limit still says full, the sender tests the lock of each slot that holds it back (at most once per
 * {@link RingFileDescriptor#LIVENESS_INTERVAL_NS}) and drops the dead ones at once. With no live
 * {@code slow=block} subscriber the sender is held back by nobody: what it writes then is read only by the
 * subscribers that are there ({@code slow=drop} ones) and never by later ones, since a subscriber joins at the
 * tail.
 *
 * <p><b>Joining at the tail.</b> A subscriber takes its slot's lock, reads the tail {@code T0}, stores position
 * {@code T0} and then its state (release), issues a full fence, reads the tail again ({@code T1}) and starts at
 * {@code T1}. A sender refresh that read the slot before the state store read it before the fence, so the
 * tail it had stored before its own fence is at most {@code T1}, and so is every position it saw: its limit is at
 * most {@code T1 + capacity} and nothing from {@code T1} on can be overwritten before this subscriber has read
 * it. A refresh that saw the state saw a position of at least {@code T0}. This holds for producers=many too (the
 * tail is then the claim counter, and a record before {@code T1} is nobody's business of the new subscriber), so
 * {@code subscribers=N} combines with {@code producers=many}.
 *
 * <p><b>{@code slow=drop}.</b> A drop subscriber is never in the limit. It reads a record's header (acquire),
 * copies the payload into its own buffer, then reads the header again: only when the header is unchanged and the
 * sender's claim counter has not passed {@code position + capacity} (a full fence before that load) is the copy
 * handed to the handler, so what it delivers was whole when it was copied. When the stamp at its position is
 * not its position's (an earlier or later lap) while the tail is more than a ring ahead, or the check after the
 * copy fails, it has been lapped: it counts one lap and the bytes from its position to the tail, and resumes at
 * the tail, the one boundary it can trust.
 *
 * <h2>Record header</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                  Frame Length (signed int)                    |   &gt;0 a message: header + payload bytes
 *  +---------------------------------------------------------------+  4  &lt;0 padding of -length bytes; 0 no record
 *  |              Stamp = (int) (position &gt;&gt;&gt; 3) ^ salt             |
 *  +---------------------------------------------------------------+  8
 *  |                        Payload ...                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The header is one little-endian long, {@code (stamp << 32) | frameLength}, written with ONE release store after
 * the payload. A reader at position {@code p} loads it with acquire and takes it only when the stamp is
 * {@link #stamp(long, int) stamp(p)} and the frame length is not 0; the salt is a random int of the file, so
 * application bytes left from an earlier lap match a stamp by chance only. Because a header written at
 * {@code p - capacity} (or any earlier lap) has another stamp, no reader ever zeroes memory and none writes to the
 * records: the reader's only store is its position.
 *
 * <h2>Where records go</h2>
 * <ul>
 *   <li>Records are 8-byte aligned. A record of at most one cache line ({@link #LINE_LENGTH}, so a message of up to
 *       56 bytes) never straddles two lines: when it would, the rest of the line becomes a padding record
 *       first. After a record of at most one line, the rest of its line is added to its step when it could not
 *       hold another record as long, so that a stream of equal small messages costs one line each, header
 *       included, and a reader meets each message in the line that carries it.</li>
 *   <li>A record that does not fit before the end of the ring leaves padding up to the end and starts at index
 *       0.</li>
 *   <li>Before a writer publishes a record it writes 0 into the header of the position after it (its "next
 *       header"), so that the header a reader waits on is never bytes left from an earlier lap. The writer owns
 *       that position only when it is at least one header short of the limit: a ring holds at most
 *       {@code capacity - 8} bytes of records.</li>
 * </ul>
 *
 * <h2>Many senders</h2>
 * A sender announces a claim in its slot (position, step and frame length, {@link #CLAIM_POSITION_OFFSET}),
 * then CASes the tail from that position to the claim's end; a failed CAS announces again. A claim that has
 * blocked a reader belongs to a sender whose slot announces it: while that slot's lock is held the claim is
 * left alone, however long it takes; once it is free (the sender died), the receiver seals the claim with
 * padding. Only a dead sender's claim is ever sealed.
 */
public final class StampedRingDescriptor {
    /** Bytes of a record header. */
    public static final int HEADER_LENGTH = 8;
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;
    /** A cache line: a record this long or shorter stays within one. */
    public static final int LINE_LENGTH = 64;
    /** Two cache lines: each trailer section is one pair. */
    public static final int LINE_PAIR = 2 * LINE_LENGTH;
    /** Offset of the frame length in a record, an int (the low half of the header long). */
    public static final int FRAME_LENGTH_OFFSET = 0;
    /** Offset of the stamp in a record, an int (the high half of the header long). */
    public static final int STAMP_OFFSET = 4;

    /** Offset of the tail in the trailer, a long. */
    public static final int TAIL_OFFSET = 0;
    /**
     * Offset in the trailer of the sender's intent (producers=one, subscribers &gt; 1), a long: before it writes a
     * claim, the sender stores the position up to which it may write (the claim's end plus the next header), so a
     * {@code slow=drop} subscriber can tell whether what it copied was overwritten. producers=many needs none: the
     * claim counter is CASed before anything is written.
     */
    public static final int INTENT_OFFSET = TAIL_OFFSET + 8;
    /** Offset of subscriber 0 in the trailer. */
    public static final int SUBSCRIBERS_OFFSET = TAIL_OFFSET + LINE_PAIR;
    /** Bytes per subscriber. */
    public static final int SUBSCRIBER_LENGTH = LINE_PAIR;
    /** Subscriber field: the position up to which it has consumed, a long (released once per poll batch). */
    public static final int SUBSCRIBER_POSITION = 0;
    /** Subscriber field: its pid, an int (0 when free). */
    public static final int SUBSCRIBER_PID = 8;
    /** Subscriber field: its tid, an int. */
    public static final int SUBSCRIBER_TID = 12;
    /** Subscriber field (subscribers &gt; 1): the state, 0 free, else {@code generation << 8 | policy}, an int. */
    public static final int SUBSCRIBER_STATE = 16;
    /** Subscriber field (subscribers &gt; 1): the slot's generation, bumped by each subscriber taking it, an int. */
    public static final int SUBSCRIBER_GENERATION = 20;
    /** Subscriber counter (subscribers &gt; 1): messages delivered, a long. */
    public static final int SUBSCRIBER_MESSAGES = 24;
    /** Subscriber counter (slow=drop): times it was lapped, a long. */
    public static final int SUBSCRIBER_LAPS = 32;
    /** Subscriber counter (slow=drop): ring bytes it skipped when lapped, a long. */
    public static final int SUBSCRIBER_DROPPED_BYTES = 40;
    /** Subscriber counter (subscribers &gt; 1): times it slept in the kernel, a long. */
    public static final int SUBSCRIBER_SLEEPS = 48;
    /** Subscriber field (subscribers &gt; 1): when it joined, epoch millis, a long. */
    public static final int SUBSCRIBER_JOINED = 56;
    /** Subscriber field (subscribers &gt; 1): 1 while it sleeps or is about to, an int. */
    public static final int SUBSCRIBER_WAITING = LINE_LENGTH;
    /** Subscriber field (subscribers &gt; 1): the thread a wake-up must reach, an int. */
    public static final int SUBSCRIBER_WAKE_TID = SUBSCRIBER_WAITING + 4;
    /** Subscriber field (subscribers &gt; 1): the wake-up provider's token (the signal number), an int. */
    public static final int SUBSCRIBER_WAKE_TOKEN = SUBSCRIBER_WAKE_TID + 4;
    /**
     * Subscriber field (subscribers &gt; 1): bumped by each subscriber before it takes the slot, having cleared the
     * wake-up ids of the one before, as {@link RingFileDescriptor#IDENTITY_SEQUENCE_OFFSET} is for the one receiver.
     */
    public static final int SUBSCRIBER_IDENTITY_SEQUENCE = SUBSCRIBER_WAKE_TOKEN + 4;
    /** Policy: the sender waits for this subscriber ({@code slow=block}, the default). */
    public static final int POLICY_BLOCK = 1;
    /** Policy: the sender never waits for this subscriber; it may be lapped ({@code slow=drop}). */
    public static final int POLICY_DROP = 2;
    /** The most subscribers a ring can describe. */
    public static final int MAX_SUBSCRIBERS = 64;

    /** Sender slot field (producers=many): the position of the claim announced, a long. */
    public static final int CLAIM_POSITION_OFFSET = 64;
    /** Sender slot field (producers=many): the bytes the announced claim takes, padding included, an int. */
    public static final int CLAIM_STEP_OFFSET = CLAIM_POSITION_OFFSET + 8;
    /** Sender slot field (producers=many): the frame length of the announced record, an int. */
    public static final int CLAIM_FRAME_OFFSET = CLAIM_STEP_OFFSET + 4;
    /** Bytes of the claim announcement in a sender slot. */
    public static final int CLAIM_LENGTH = 16;

    /** The header value that is no record. */
    public static final long NO_RECORD = 0L;

    private StampedRingDescriptor() {
    }

    /**
     * @param subscribers how many subscriber slots the trailer has.
     * @return the trailer's length.
     */
    public static int trailerLength(final int subscribers) {
        return SUBSCRIBERS_OFFSET + subscribers * SUBSCRIBER_LENGTH;
    }

    /**
     * @param subscriber 0..subscribers-1.
     * @return the subscriber's offset in the trailer.
     */
    public static int subscriberOffset(final int subscriber) {
        return SUBSCRIBERS_OFFSET + subscriber * SUBSCRIBER_LENGTH;
    }

    /**
     * @param state a subscriber slot's state word.
     * @return its policy, {@link #POLICY_BLOCK} or {@link #POLICY_DROP} (0 for a free slot).
     */
    public static int policyOf(final int state) {
        return state & 0xFF;
    }

    /**
     * @param generation the slot's generation.
     * @param policy the subscriber's policy.
     * @return the state word of a taken slot, never 0.
     */
    public static int state(final int generation, final int policy) {
        return (generation & 0x7F_FFFF) << 8 | policy;
    }

    /**
     * @param position a record's position.
     * @param salt the file's stamp salt.
     * @return the stamp a record at that position carries.
     */
    public static int stamp(final long position, final int salt) {
        return (int) (position >>> 3) ^ salt;
    }

    /**
     * @param frameLength the frame length (negative for padding).
     * @param stamp the record's stamp.
     * @return the header long.
     */
    public static long header(final int frameLength, final int stamp) {
        return ((long) stamp << 32) | (frameLength & 0xFFFF_FFFFL);
    }

    /**
     * @param header a header long.
     * @return its frame length.
     */
    public static int frameLength(final long header) {
        return (int) header;
    }

    /**
     * @param header a header long.
     * @return its stamp.
     */
    public static int stampOf(final long header) {
        return (int) (header >>> 32);
    }

    /**
     * @param length a length.
     * @return it rounded up to {@link #ALIGNMENT}.
     */
    public static int align(final int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * The padding a record needs in front of it at an index: up to the end of the ring when it does not fit
     * before it, else up to the end of the line when it is at most a line long and would straddle two.
     *
     * @param index where the tail is.
     * @param aligned the record's aligned length.
     * @param capacity the ring's capacity.
     * @return bytes of padding, 0 when the record starts at {@code index}.
     */
    public static int paddingBefore(final int index, final int aligned, final int capacity) {
        if (index + aligned > capacity) {
            return capacity - index;
        }
        final int inLine = index & (LINE_LENGTH - 1);
        return aligned <= LINE_LENGTH && inLine + aligned > LINE_LENGTH ? LINE_LENGTH - inLine : 0;
    }

    /**
     * How far a record moves the position: its aligned length, plus the rest of its line when it is at most a
     * line long and what is left of the line could not hold another record as long. Readers and writers both use
     * it, so it is a function of what the header holds.
     *
     * @param index the record's index.
     * @param frameLength its frame length, positive.
     * @return the step to the next record.
     */
    public static int step(final int index, final int frameLength) {
        final int aligned = align(frameLength);
        final int rest = -(index + aligned) & (LINE_LENGTH - 1);
        return aligned <= LINE_LENGTH && rest != 0 && rest < aligned ? aligned + rest : aligned;
    }

    /**
     * @param capacity a ring capacity.
     * @return the longest message a ring of that capacity carries (capacity / 8), as for the Agrona format.
     */
    public static int maxMessageLimit(final int capacity) {
        return RingFileDescriptor.maxMessageLimit(capacity);
    }

    /**
     * Describes a header no ipckit writer makes, for the reader that met it.
     *
     * @param path the file (or what the ring lives in).
     * @param position the record's position.
     * @param capacity the ring's capacity.
     * @param header the header long read.
     * @param maxMessage the ring's longest message.
     * @return the exception to throw.
     */
    public static ChannelException corruptRecord(final String path, final long position, final int capacity,
                                                 final long header, final int maxMessage) {
        final int index = (int) position & (capacity - 1);
        return new ChannelException(path + " is corrupt: the record at position " + position + " (index " + index
            + ") has the stamp of its position but frame length " + frameLength(header) + ", which no ipckit sender "
            + "writes (a message is " + HEADER_LENGTH + ".." + (HEADER_LENGTH + maxMessage) + " bytes with its header, "
            + "padding a positive multiple of " + ALIGNMENT + ", and both end within the " + capacity + "-byte ring); "
            + "something other than ipckit wrote to the ring. Nothing more is read from it: close every end and "
            + "remove the file");
    }
}
