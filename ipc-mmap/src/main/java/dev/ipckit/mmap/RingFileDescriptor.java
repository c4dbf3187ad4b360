package dev.ipckit.mmap;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

import java.nio.charset.StandardCharsets;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelException;

/**
 * The layout of an mmap ring file: a header, then the ring region in one of two formats, all mapped
 * {@code MAP_SHARED} by every process on the channel. The header names the format (code and name, at 64): ipckit's
 * own stamped ring ({@link RingFormat#IPCKIT}, the default, drawn in {@link StampedRingDescriptor}) or Agrona's
 * records and trailer ({@link RingFormat#AGRONA}, {@code format=agrona}).
 *
 * <pre>
 *   +-----------------------------+ 0
 *   |  Static fields (written     |    magic, layout version, sizes, flags, creator; set once at
 *   |  once, before publication)  |    creation, version last.                   OPEN lock byte: 0
 *   +-----------------------------+ 128
 *   |  Session                    |    session number, opens, sender events,
 *   |                             |    deaths.                                   SENDER lock byte: 128
 *   +-----------------------------+ 256
 *   |  Receiver identity          |    state, pid, tid, wake-up tid and token.   RECEIVER lock byte: 256
 *   |                             |    (subscribers &gt; 1: each subscriber holds it shared, and its slot's
 *   |                             |    first byte in the trailer exclusive)
 *   +-----------------------------+ 384
 *   |  Waiting word               |    receiver: 1 while it sleeps (hot); subscribers &gt; 1: a bit each
 *   +-----------------------------+ 512
 *   |  Futex word                 |    FUTEX_WAIT / FUTEX_WAKE target (hot)
 *   +-----------------------------+ 640
 *   |  Receiver counters          |    consumed-to mark, messages received, sleeps (hot)
 *   +-----------------------------+ 768
 *   |  (reserved)                 |
 *   +-----------------------------+ 4096
 *   |  Sender slot 0              |    pid, tid, generation, counters.          SLOT lock byte: its offset
 *   |  ...                        |
 *   |  Sender slot 31             |    128 bytes each
 *   +-----------------------------+ 8192 = HEADER_LENGTH
 *   |  Ring records               |    capacity bytes, a power of two: stamped records (format=ipckit) or
 *   |                             |    Agrona's RecordDescriptor format (format=agrona)
 *   +-----------------------------+ 8192 + capacity
 *   |  Trailer                    |    ipckit: tail, then one position per subscriber (128 bytes each);
 *   |                             |    agrona: tail, head cache, head, correlation, heartbeat
 *   +-----------------------------+ 8192 + capacity + trailerLength(format, subscribers) = file length
 * </pre>
 *
 * Every section starts on its own pair of cache lines (128 bytes), as Agrona pads shared counters against
 * false sharing and adjacent-line prefetch; each hot word (waiting, futex, the receiver counters, each
 * sender's counters) therefore sits alone with its single writer.
 *
 * <h2>Static fields</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                    Magic "IPCKRING" (8 bytes)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+  8
 *  |            Layout Version (written last, release)             |
 *  +---------------------------------------------------------------+ 12
 *  |                        Header Length                          |
 *  +---------------------------------------------------------------+ 16
 *  |                    Capacity (power of two)                    |
 *  +---------------------------------------------------------------+ 20
 *  |                     Max Message Length                        |
 *  +---------------------------------------------------------------+ 24
 *  |       Wait Code (bits 8-15)     |  reserved   |M| Flags       |   M: producers=many
 *  +---------------------------------------------------------------+ 28
 *  |                         Creator PID                           |
 *  +---------------------------------------------------------------+ 32
 *  |                     File Length (8 bytes)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 40
 *  |                Created, epoch millis (8 bytes)                |
 *  |                                                               |
 *  +---------------------------------------------------------------+ 48
 *  |            Wait Mode Name, ASCII, NUL padded (16 bytes)       |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+ 64
 *  |                 Format Code (1 ipckit, 2 agrona)              |
 *  +---------------------------------------------------------------+ 68
 *  |                  Subscribers (trailer slots)                  |
 *  +---------------------------------------------------------------+ 72
 *  |               Stamp Salt (format=ipckit, random)              |
 *  +---------------------------------------------------------------+ 76
 *  |                           reserved                            |
 *  +---------------------------------------------------------------+ 80
 *  |              Format Name, ASCII, NUL padded (16 bytes)        |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+ 96
 * </pre>
 *
 * <h2>Session, receiver and sender slot fields</h2>
 * <pre>
 *  Session (128)                    Receiver (256)                   Receiver counters (640)
 *  +------------------------------+ +------------------------------+ +------------------------------+
 *  | +0  Session Number           | | +0  State NONE|OPEN|CLOSED   | | +0  Consumed-To Position (8) |
 *  | +4  Sender Opens             | | +4  PID                      | | +8  Messages Received (8)    |
 *  | +8  Receiver Opens           | | +8  TID                      | | +16 Sleeps (8)               |
 *  | +12 Sender Events            | | +12 Wake-up TID              | +------------------------------+
 *  | +16 Deaths                   | | +16 Wake-up Token (signal)   |
 *  | +20 Last Sender PID          | | +24 Opened, epoch millis (8) |  Waiting word (384): int, 0|1
 *  | +24 Started, epoch millis (8)| | +32 Identity Sequence        |  Futex word (512): int, counter
 *  +------------------------------+ +------------------------------+
 *
 *  Sender slot i at 4096 + 128 * i
 *  +------------------------------+
 *  | +0  PID (0 = free)           |   Only the slot's holder writes it. A message's Agrona type id names
 *  | +4  TID                      |   its slot and generation: ((generation &amp; 0x7FFFFF) &lt;&lt; 8) | (slot + 1),
 *  | +8  Generation               |   so a record claimed by a sender that died can be told from one a
 *  | +16 Messages (8)             |   live sender is still writing.
 *  | +24 Bytes (8)                |
 *  | +32 Times Full (8)           |
 *  | +40 Wake-ups Sent (8)        |
 *  | +48 Claim-From Position (8)  |   producers=one: the tail before the claim in progress
 *  | +56 Opened, epoch millis (8) |
 *  +------------------------------+
 * </pre>
 *
 * <h2>Creation and validation</h2>
 * A creator builds the whole file under a temporary name in the same directory (O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600), reserves its pages with fallocate, writes the header with the magic and then the layout
 * version last (a release store, as Aeron's CnC file does), and publishes it with
 * {@code renameat2(RENAME_NOREPLACE)}: a visible ring file is always complete, and of two creators exactly
 * one wins while the other opens the winner's file. An opener checks the file's type, owner and mode, then
 * its size, then maps only the header and calls {@link #checkHeader} (magic, version, sizes, all against
 * the real size from fstat), and only then maps the ring.
 *
 * <h2>Guarding against a file that shrinks under a mapping</h2>
 * Touching a page of a shared mapping beyond the end of its file raises SIGBUS. Linux cannot stop a process
 * with write access from truncating a file: {@code F_SEAL_SHRINK} applies only to memfd files, mandatory
 * locks were removed in Linux 5.15, and leases only notify the lease holder. ipckit therefore narrows who can
 * shrink a ring and never maps what it has not checked:
 * <ul>
 *   <li>ring files are created 0600 exactly (whatever the umask), and a file that is not a regular file owned
 *       by the caller's uid, or that grants any access to group or others, is refused: only the same user (or
 *       root) can truncate it. {@code mode=0660} widens both the mode of a new file and what an opener accepts;
 *       {@code allowOtherOwner=true} accepts a file of another user; neither is ever the default;</li>
 *   <li>sizes are validated against fstat before anything past the header is mapped, so a short or foreign
 *       file is an error, never a fault;</li>
 *   <li>pages are reserved with fallocate at creation, so a full tmpfs is ENOSPC then, not SIGBUS later;</li>
 *   <li>every liveness check (at most every {@link #LIVENESS_INTERVAL_NS} while idle or full) compares the
 *       file's size again and fails the end with a {@link ChannelException} if it shrank;</li>
 *   <li>HotSpot turns a fault inside an Unsafe access into an {@link InternalError} rather than a crash;
 *       every end catches it around ring access and rethrows a {@link ChannelException} that names the
 *       file and both sizes.</li>
 * </ul>
 *
 * <h2>Roles, liveness and reuse</h2>
 * Each role holds an OFD lock on its lock byte for as long as it is open: the receiver an exclusive lock on
 * byte {@link #RECEIVER_LOCK_BYTE}; a sender an exclusive lock on byte {@link #SENDER_LOCK_BYTE} for
 * producers=one or a shared one for producers=many, plus an exclusive lock on its slot's byte. The kernel drops
 * a dead process's locks, so liveness is a lock test. Opening and closing take the exclusive OPEN lock on byte
 * {@link #OPEN_LOCK_BYTE} for a few microseconds, so that they never interleave.
 *
 * <p>The first end to open a file on which no other role lock is held starts a new session: the ring's
 * positions and any messages still in it are kept (they will be delivered to the next receiver), records a
 * dead sender claimed but never committed become padding, and role states, pids and counters are reset. A
 * ring whose ends are all gone can therefore be reopened by new processes, or removed with
 * {@link RingFileInspector#removeIfAbandoned(String)}; {@code unlinkOnClose=true} makes the last end to close
 * remove it.
 */
public final class RingFileDescriptor {
    /** "IPCKRING" in ASCII, read as a little-endian long. */
    public static final long MAGIC = 0x474E49524B435049L;
    /** The layout this code reads and writes. */
    public static final int LAYOUT_VERSION = 2;
    /** Two cache lines: every section starts on its own pair. */
    public static final int LINE_PAIR = CACHE_LINE_LENGTH * 2;
    /** The most senders one ring holds at once. */
    public static final int MAX_SENDERS = 32;
    /** Bytes per sender slot. */
    public static final int SLOT_LENGTH = LINE_PAIR;
    /** The Agrona trailer after the ring records. */
    public static final int TRAILER_LENGTH = RingBufferDescriptor.TRAILER_LENGTH;

    /** Start of the static fields. */
    public static final int STATIC_OFFSET = 0;
    /** Magic, a long. */
    public static final int MAGIC_OFFSET = STATIC_OFFSET;
    /** Layout version, an int written last with a release store. */
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    /** Header length, an int. */
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + 4;
    /** Ring capacity in bytes, an int. */
    public static final int CAPACITY_OFFSET = HEADER_LENGTH_OFFSET + 4;
    /** Longest message, an int. */
    public static final int MAX_MESSAGE_OFFSET = CAPACITY_OFFSET + 4;
    /** Flags and the wait code, an int. */
    public static final int FLAGS_OFFSET = MAX_MESSAGE_OFFSET + 4;
    /** The creating process, an int. */
    public static final int CREATOR_PID_OFFSET = FLAGS_OFFSET + 4;
    /** Whole file length, a long. */
    public static final int FILE_LENGTH_OFFSET = CREATOR_PID_OFFSET + 4;
    /** Creation time in epoch milliseconds, a long. */
    public static final int CREATED_OFFSET = FILE_LENGTH_OFFSET + 8;
    /** Wait mode name, ASCII, NUL padded. */
    public static final int WAIT_NAME_OFFSET = CREATED_OFFSET + 8;
    /** Bytes for the wait mode name. */
    public static final int WAIT_NAME_LENGTH = 16;
    /** The ring region's format, an int: {@link RingFormat#code()}. */
    public static final int FORMAT_OFFSET = WAIT_NAME_OFFSET + WAIT_NAME_LENGTH;
    /** Subscriber slots in the trailer, an int (1 for a one-to-one ring). */
    public static final int SUBSCRIBERS_OFFSET = FORMAT_OFFSET + 4;
    /** format=ipckit: the salt of every record stamp, an int chosen at random by the creator. */
    public static final int STAMP_SALT_OFFSET = SUBSCRIBERS_OFFSET + 4;
    /** The format's name, ASCII, NUL padded, for people reading the file with od: {@link RingFormat#formatName()}. */
    public static final int FORMAT_NAME_OFFSET = STAMP_SALT_OFFSET + 8;
    /** Bytes for the format name. */
    public static final int FORMAT_NAME_LENGTH = 16;

    /** Start of the session fields. */
    public static final int SESSION_OFFSET = STATIC_OFFSET + LINE_PAIR;
    /** Session number, an int, incremented by each new session. */
    public static final int SESSION_NUMBER_OFFSET = SESSION_OFFSET;
    /** Senders opened in this session, an int. */
    public static final int SENDER_OPENS_OFFSET = SESSION_NUMBER_OFFSET + 4;
    /** Receivers opened in this session, an int. */
    public static final int RECEIVER_OPENS_OFFSET = SENDER_OPENS_OFFSET + 4;
    /** Incremented by every sender open and close, so a receiver notices without a system call. */
    public static final int SENDER_EVENTS_OFFSET = RECEIVER_OPENS_OFFSET + 4;
    /** Ends found dead (their lock gone without a close) in this session, an int. */
    public static final int DEATHS_OFFSET = SENDER_EVENTS_OFFSET + 4;
    /** The pid of the most recent sender, an int. */
    public static final int LAST_SENDER_PID_OFFSET = DEATHS_OFFSET + 4;
    /** Session start in epoch milliseconds, a long. */
    public static final int SESSION_STARTED_OFFSET = LAST_SENDER_PID_OFFSET + 4;

    /** Start of the receiver identity fields. */
    public static final int RECEIVER_OFFSET = SESSION_OFFSET + LINE_PAIR;
    /** Receiver state, one of {@link #RECEIVER_NONE}, {@link #RECEIVER_OPEN}, {@link #RECEIVER_CLOSED}. */
    public static final int RECEIVER_STATE_OFFSET = RECEIVER_OFFSET;
    /** Receiver pid, an int. */
    public static final int RECEIVER_PID_OFFSET = RECEIVER_STATE_OFFSET + 4;
    /** Receiver's opening thread id, an int. */
    public static final int RECEIVER_TID_OFFSET = RECEIVER_PID_OFFSET + 4;
    /** The thread a wake-up must reach, an int. */
    public static final int WAKE_TID_OFFSET = RECEIVER_TID_OFFSET + 4;
    /** The word a wake-up provider published beside the tid (the signal number), an int. */
    public static final int WAKE_TOKEN_OFFSET = WAKE_TID_OFFSET + 4;
    /** Receiver open time in epoch milliseconds, a long. */
    public static final int RECEIVER_OPENED_OFFSET = RECEIVER_OFFSET + 24;
    /**
     * Bumped by each new receiver before it takes the receiver lock, having cleared the wake-up tid and token of
     * the one before; a sender signals only ids it read between two equal reads of this word around its lock
     * test (see {@code MmapSender}), so that it never signals a dead receiver's ids on a new receiver's lock.
     */
    public static final int IDENTITY_SEQUENCE_OFFSET = RECEIVER_OFFSET + 32;

    /**
     * The receiver's waiting word: 1 while it sleeps or is about to, an int. subscribers &gt; 1: a long, bit i set
     * while subscriber i sleeps or is about to (so a sender's one load says whether anybody sleeps).
     */
    public static final int WAITING_OFFSET = RECEIVER_OFFSET + LINE_PAIR;
    /** The futex word, an int bumped before each FUTEX_WAKE. */
    public static final int FUTEX_OFFSET = WAITING_OFFSET + LINE_PAIR;

    /** Start of the receiver's counters. */
    public static final int RECEIVER_COUNTERS_OFFSET = FUTEX_OFFSET + LINE_PAIR;
    /** producers=many: the position a read batch ends at, stored before the batch is zeroed, a long. */
    public static final int CONSUMED_TO_OFFSET = RECEIVER_COUNTERS_OFFSET;
    /** Messages delivered in this session, a long. */
    public static final int MESSAGES_RECEIVED_OFFSET = CONSUMED_TO_OFFSET + 8;
    /** Times the receiver went to sleep in the kernel, a long. */
    public static final int SLEEPS_OFFSET = MESSAGES_RECEIVED_OFFSET + 8;

    /** Start of the sender slot table, page aligned. */
    public static final int SLOTS_OFFSET = BitUtil.align(RECEIVER_COUNTERS_OFFSET + LINE_PAIR, 4096);
    /** Slot field: pid, 0 when free. */
    public static final int SLOT_PID = 0;
    /** Slot field: thread id of the opening thread. */
    public static final int SLOT_TID = 4;
    /** Slot field: generation, incremented by each sender that takes the slot. */
    public static final int SLOT_GENERATION = 8;
    /** Slot counter: messages sent, a long. */
    public static final int SLOT_MESSAGES = 16;
    /** Slot counter: payload bytes sent, a long. */
    public static final int SLOT_BYTES = 24;
    /** Slot counter: offers that found the ring full, a long. */
    public static final int SLOT_TIMES_FULL = 32;
    /** Slot counter: wake-ups sent to a sleeping receiver, a long. */
    public static final int SLOT_WAKEUPS = 40;
    /** Slot field: producers=one, the tail position before the claim in progress, a long. */
    public static final int SLOT_CLAIM_FROM = 48;
    /** Slot field: open time in epoch milliseconds, a long. */
    public static final int SLOT_OPENED = 56;

    /** Total header length; the ring starts here. */
    public static final int HEADER_LENGTH = SLOTS_OFFSET + MAX_SENDERS * SLOT_LENGTH;
    /** Offset of the ring records in the file. */
    public static final int RING_OFFSET = HEADER_LENGTH;

    /** Lock byte held by opens and closes while they update the header. */
    public static final long OPEN_LOCK_BYTE = STATIC_OFFSET;
    /** Lock byte of the sender role: exclusive for producers=one, shared for producers=many. */
    public static final long SENDER_LOCK_BYTE = SESSION_OFFSET;
    /** Lock byte of the receiver role, always exclusive. */
    public static final long RECEIVER_LOCK_BYTE = RECEIVER_OFFSET;

    /** Receiver state: none opened in this session. */
    public static final int RECEIVER_NONE = 0;
    /** Receiver state: open (alive while its lock is held). */
    public static final int RECEIVER_OPEN = 1;
    /** Receiver state: closed by its owner. */
    public static final int RECEIVER_CLOSED = 2;

    /** Flag: producers=many, the ring is a ManyToOneRingBuffer. */
    public static final int FLAG_MANY_PRODUCERS = 1;
    /** Shift of the wait code within the flags word. */
    public static final int WAIT_CODE_SHIFT = 8;

    /** Smallest ring capacity accepted. */
    public static final int MIN_CAPACITY = 1024;
    /** Largest ring capacity accepted. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** How often an idle receiver or a blocked sender re-checks its peer's lock and the file size. */
    public static final long LIVENESS_INTERVAL_NS = 1_000_000L;

    private static final int GENERATION_MASK = 0x7FFFFF;

    private RingFileDescriptor() {
    }

    /**
     * @param capacity the ring capacity.
     * @return the length of a ring file with that capacity in the default format (format=ipckit, one subscriber).
     */
    public static long fileLength(final int capacity) {
        return fileLength(capacity, MmapOptions.DEFAULT_FORMAT, 1);
    }

    /**
     * @param capacity the ring capacity.
     * @param format the ring region's format.
     * @param subscribers the trailer's subscriber slots (format=ipckit).
     * @return the length of a ring file with that capacity and format.
     */
    public static long fileLength(final int capacity, final RingFormat format, final int subscribers) {
        return (long) HEADER_LENGTH + capacity + trailerLength(format, subscribers);
    }

    /**
     * @param format the ring region's format.
     * @param subscribers the trailer's subscriber slots (format=ipckit).
     * @return the trailer's length.
     */
    public static int trailerLength(final RingFormat format, final int subscribers) {
        return format == RingFormat.AGRONA ? TRAILER_LENGTH : StampedRingDescriptor.trailerLength(subscribers);
    }

    /**
     * @param slot 0..{@link #MAX_SENDERS}-1.
     * @return the offset of the slot in the file, which is also its lock byte.
     */
    public static int slotOffset(final int slot) {
        return SLOTS_OFFSET + slot * SLOT_LENGTH;
    }

    /**
     * A subscriber's lock byte on a ring with subscribers &gt; 1: the file offset of its trailer slot.
     *
     * @param capacity the ring's capacity.
     * @param subscriber 0..subscribers-1.
     * @return the byte its OFD lock is held on.
     */
    public static long subscriberLockByte(final int capacity, final int subscriber) {
        return (long) RING_OFFSET + capacity + StampedRingDescriptor.subscriberOffset(subscriber);
    }

    /**
     * The Agrona type id a sender stamps on its records.
     *
     * @param slot the sender's slot.
     * @param generation the slot's generation when the sender took it.
     * @return a positive type id naming both.
     */
    public static int typeId(final int slot, final int generation) {
        return ((generation & GENERATION_MASK) << 8) | (slot + 1);
    }

    /**
     * @param typeId a type id made by {@link #typeId}.
     * @return its slot, or -1 when the id names none.
     */
    public static int slotOf(final int typeId) {
        final int slot = (typeId & 0xFF) - 1;
        return typeId > 0 && slot < MAX_SENDERS ? slot : -1;
    }

    /**
     * @param typeId a type id made by {@link #typeId}.
     * @return its generation.
     */
    public static int generationOf(final int typeId) {
        return typeId >>> 8;
    }

    /**
     * @param generation a slot generation.
     * @return the next one, as the type id keeps it.
     */
    public static int nextGeneration(final int generation) {
        return (generation + 1) & GENERATION_MASK;
    }

    /**
     * Writes a new file's header. The ring itself needs nothing: zeroed memory is an empty Agrona ring.
     *
     * @param header the mapped header, {@link #HEADER_LENGTH} bytes, zeroed.
     * @param capacity the ring capacity.
     * @param maxMessage the longest message.
     * @param flags {@link #FLAG_MANY_PRODUCERS} and the wait code.
     * @param waitName the wait mode's name.
     * @param format the ring region's format.
     * @param subscribers the trailer's subscriber slots (1 for format=agrona).
     * @param salt format=ipckit: the stamp salt.
     * @param creatorPid this process.
     * @param nowMillis the creation time.
     */
    static void initialise(final SharedSegment header, final int capacity, final int maxMessage, final int flags,
                           final String waitName, final RingFormat format, final int subscribers, final int salt,
                           final int creatorPid, final long nowMillis) {
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(CAPACITY_OFFSET, capacity);
        header.putInt(MAX_MESSAGE_OFFSET, maxMessage);
        header.putInt(FLAGS_OFFSET, flags);
        header.putInt(CREATOR_PID_OFFSET, creatorPid);
        header.putLong(FILE_LENGTH_OFFSET, fileLength(capacity, format, subscribers));
        header.putLong(CREATED_OFFSET, nowMillis);
        final byte[] name = waitName.getBytes(StandardCharsets.US_ASCII);
        header.putBytes(WAIT_NAME_OFFSET, name, 0, Math.min(name.length, WAIT_NAME_LENGTH - 1));
        header.putInt(FORMAT_OFFSET, format.code());
        header.putInt(SUBSCRIBERS_OFFSET, subscribers);
        header.putInt(STAMP_SALT_OFFSET, salt);
        final byte[] formatName = format.formatName().getBytes(StandardCharsets.US_ASCII);
        header.putBytes(FORMAT_NAME_OFFSET, formatName, 0, formatName.length);
        header.putLong(SESSION_STARTED_OFFSET, nowMillis);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION); // last: a reader that sees it sees everything above
    }

    /**
     * The static fields of a header as one validation read them: each field read once, checked, and then used by
     * the end as it is here, never read again from the file (another process may rewrite the header at any time).
     *
     * @param capacity the ring capacity, a power of two in {@link #MIN_CAPACITY}..{@link #MAX_CAPACITY}.
     * @param maxMessage the longest message, 0..{@link #maxMessageLimit(int)}.
     * @param manyProducers producers=many.
     * @param waitMode the wait mode the code names.
     * @param waitName the wait mode's name (a provider's name for {@link WaitMode#PROVIDER}).
     * @param fileLength {@link #fileLength(int, RingFormat, int)} of the capacity, equal to the file's size: the
     *     whole mapping.
     * @param format the ring region's format.
     * @param subscribers the trailer's subscriber slots (1 for a one-to-one ring; always 1 for format=agrona).
     * @param salt format=ipckit: the stamp salt.
     */
    public record Layout(int capacity, int maxMessage, boolean manyProducers, WaitMode waitMode, String waitName,
                         long fileLength, RingFormat format, int subscribers, int salt) {
    }

    /**
     * Checks a mapped header against the file's real size, reading each field once. Nothing past the header needs
     * to be mapped.
     *
     * @param header the first {@link #HEADER_LENGTH} bytes of the file.
     * @param fileSize the size fstat reports.
     * @param path the file, for messages.
     * @return the validated values, to be used instead of the header's from now on.
     * @throws ChannelException naming the file and both values ({@code app=… file=…}) on any mismatch.
     */
    static Layout checkHeader(final SharedSegment header, final long fileSize, final String path) {
        final int version = header.getIntVolatile(VERSION_OFFSET);
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ChannelException(path + " is not an ipckit ring file: magic app=0x" + Long.toHexString(MAGIC)
                + " file=0x" + Long.toHexString(magic) + "; it belongs to another program or is corrupt. Remove it or "
                + "choose another name");
        }
        checkVersion(version, path);
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw corrupt(path, "header length", HEADER_LENGTH, headerLength);
        }
        final int capacity = header.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity)) {
            throw new ChannelException(path + " is corrupt: capacity file=" + capacity + " is not a power of two in "
                + MIN_CAPACITY + ".." + MAX_CAPACITY + "; remove the file");
        }
        final int maxMessage = header.getInt(MAX_MESSAGE_OFFSET);
        if (maxMessage < 0 || maxMessage > maxMessageLimit(capacity)) {
            throw new ChannelException(path + " is corrupt: maxMessage file=" + maxMessage + " is outside 0.."
                + maxMessageLimit(capacity) + " for capacity=" + capacity + "; remove the file");
        }
        final int formatCode = header.getInt(FORMAT_OFFSET);
        final RingFormat format = RingFormat.ofCode(formatCode);
        if (format == null) {
            throw new ChannelException(path + " is corrupt: format code file=" + formatCode
                + " names no ring format (1 ipckit, 2 agrona); remove the file");
        }
        final int subscribers = header.getInt(SUBSCRIBERS_OFFSET);
        if (subscribers < 1 || subscribers > StampedRingDescriptor.MAX_SUBSCRIBERS
            || subscribers != 1 && format != RingFormat.IPCKIT) {
            throw new ChannelException(path + " is corrupt: subscribers file=" + subscribers + " is outside 1.."
                + StampedRingDescriptor.MAX_SUBSCRIBERS + (format == RingFormat.IPCKIT ? "" : " or not 1 for format="
                + format.formatName()) + "; remove the file");
        }
        final long fileLength = header.getLong(FILE_LENGTH_OFFSET);
        if (fileLength != fileLength(capacity, format, subscribers)) {
            throw corrupt(path, "file length", fileLength(capacity, format, subscribers), fileLength);
        }
        if (fileSize != fileLength) {
            throw new ChannelException(path + " is " + fileSize + " bytes but its header describes a " + fileLength
                + "-byte ring (capacity=" + capacity + "): size app=" + fileLength + " file=" + fileSize
                + "; the file was truncated or extended by something else. Remove it");
        }
        final int flags = header.getInt(FLAGS_OFFSET);
        final int waitCode = (flags >>> WAIT_CODE_SHIFT) & 0xFF;
        if (waitCode >= WaitMode.values().length) {
            throw new ChannelException(path + " is corrupt: wait code file=" + waitCode
                + " is unknown; remove the file");
        }
        // the name matters only to find a provider (WaitMode.PROVIDER) and to compare with wait=: read once, too
        final WaitMode waitMode = WaitMode.ofCode(waitCode);
        final String waitName = waitName(header);
        return new Layout(capacity, maxMessage, (flags & FLAG_MANY_PRODUCERS) != 0, waitMode, waitName, fileLength,
            format, subscribers, header.getInt(STAMP_SALT_OFFSET));
    }

    /**
     * Checks the ring's head and tail positions (in the trailer) against what an Agrona ring of this capacity
     * can hold: {@code 0 <= head <= tail <= head + capacity}, both multiples of the record alignment. Call it
     * when no other end moves them (at the start of a session), or from the receiver, which owns the head.
     *
     * @param ring the ring and its trailer.
     * @param capacity the ring's capacity.
     * @param path the file, for the message.
     * @throws ChannelException naming the file and both positions when they are impossible.
     */
    public static void checkPositions(final AtomicBuffer ring, final int capacity, final String path) {
        final long head = ring.getLongVolatile(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        final long tail = ring.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        if (head < 0 || tail < head || tail - head > capacity || (head | tail) % RecordDescriptor.ALIGNMENT != 0) {
            throw new ChannelException(path + " is corrupt: its ring positions head=" + head + " tail=" + tail
                + " cannot belong to a ring of capacity=" + capacity + " (0 <= head <= tail <= head + capacity, "
                + "multiples of " + RecordDescriptor.ALIGNMENT + "); something other than ipckit wrote to it. Close "
                + "every end and remove the file");
        }
    }

    /**
     * Describes a record no ipckit sender writes, for the receiver that met it.
     *
     * @param path the file.
     * @param index the record's index in the ring.
     * @param recordLength its length field, header included.
     * @param typeId its type id.
     * @param capacity the ring's capacity.
     * @param maxMessage the ring's longest message.
     * @return the exception to throw.
     */
    public static ChannelException corruptRecord(final String path, final int index, final int recordLength,
                                                 final int typeId, final int capacity, final int maxMessage) {
        return new ChannelException(path + " is corrupt: the record at index " + index + " has length "
            + recordLength + " and type " + typeId + ", which no ipckit sender writes (a message is at most "
            + maxMessage + " bytes plus its " + RecordDescriptor.HEADER_LENGTH + "-byte header, ends within the "
            + capacity + "-byte ring and names a sender slot); something other than ipckit wrote to the ring. "
            + "Nothing more is read from it: close every end and remove the file");
    }

    /**
     * Aeron-style version check.
     *
     * @param fileVersion the version read from a file.
     * @param path the file, for the message.
     * @throws ChannelException when it differs from {@link #LAYOUT_VERSION}.
     */
    public static void checkVersion(final int fileVersion, final String path) {
        if (fileVersion != LAYOUT_VERSION) {
            throw new ChannelException(path + " has an unsupported ring layout version: app=" + LAYOUT_VERSION
                + " file=" + fileVersion + (fileVersion == 0 ? " (the file was never completed)" : "")
                + "; close every end using it and remove the file, or use a matching ipckit version");
        }
    }

    /**
     * @param capacity a ring capacity.
     * @return the longest message an Agrona ring of that capacity carries (capacity / 8).
     */
    public static int maxMessageLimit(final int capacity) {
        return Math.max(8, capacity >> 3);
    }

    /**
     * @param header a mapped header.
     * @return the wait mode name stored in it.
     */
    static String waitName(final SharedSegment header) {
        final byte[] bytes = new byte[WAIT_NAME_LENGTH];
        header.getBytes(WAIT_NAME_OFFSET, bytes);
        int length = 0;
        while (length < bytes.length && bytes[length] > ' ' && bytes[length] < 0x7F) {
            length++; // stops at the NUL, or at anything not printable ASCII that another program wrote
        }
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    private static ChannelException corrupt(final String path, final String what, final long app, final long file) {
        return new ChannelException(path + " is corrupt or from another layout: " + what + " app=" + app
            + " file=" + file + "; remove the file");
    }
}
