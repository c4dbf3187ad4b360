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
 *   |                             |    producers=one: the sender's tail, stored lazily for stat and gc
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
