package dev.ipckit.mmap;

import static dev.ipckit.mmap.RingFileDescriptor.HEADER_LENGTH;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.spi.SharedFile;
import dev.ipckit.spi.TemporaryFile;

/**
 * A read-only view of a ring file that takes no role: for {@code ipckit stat} and {@code ipckit gc}, in the
 * manner of Aeron's {@code AeronStat}. It opens the file {@code O_RDONLY|O_NOFOLLOW}, validates it exactly as
 * an end does (see {@link RingFileDescriptor}), maps it {@code PROT_READ}, and reports the header, the ring
 * positions, every counter and whether each lock holder is alive.
 *
 * <pre>{@code
 * try (RingFileInspector inspector = RingFileInspector.open("orders")) {
 *     System.out.println(inspector.stat());
 * }
 * }</pre>
 */
public final class RingFileInspector implements AutoCloseable {
    private static final int READ_FLAGS = PosixFiles.O_RDONLY | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC
        | PosixFiles.O_NONBLOCK;

    /** The inspector reads rings created with any {@code mode=}, but only rings of its own user. */
    private static final int INSPECTABLE_MODE = 0666;

    private final String path;
    private final int fd;
    private final MemorySegment mapping;
    private final SharedSegment header;
    private final SharedSegment ring;
    private final RingFileDescriptor.Layout layout;
    private final int capacity;
    private boolean closed;

    private RingFileInspector(final String path, final int fd, final RingFileDescriptor.Layout layout,
                              final MemorySegment mapping) {
        this.path = path;
        this.fd = fd;
        this.mapping = mapping;
        this.layout = layout;
        this.header = new SharedSegment(mapping.asSlice(0, HEADER_LENGTH));
        this.capacity = layout.capacity(); // validated; the header's may have been rewritten since
        this.ring = new SharedSegment(mapping.asSlice(RingFileDescriptor.RING_OFFSET,
            capacity + RingFileDescriptor.trailerLength(layout.format(), layout.subscribers())));
    }

    /**
     * Opens a ring file for inspection.
     *
     * @param nameOrPath a bare name (in {@value MmapOptions#DEFAULT_DIRECTORY}) or a path.
     * @return the inspector; close it.
     * @throws ChannelException when the file is absent, refused or not a valid ring.
     */
    public static RingFileInspector open(final String nameOrPath) {
        final String path = MmapOptions.resolve(nameOrPath);
        final int fd = PosixFiles.tryOpen(path, READ_FLAGS, 0);
        if (fd < 0) {
            throw new NativeException("open", NativeException.quote(path) + ", " + PosixFiles.openFlags(READ_FLAGS),
                -fd, -fd == Errno.ELOOP ? path + " is a symbolic link; ring files are never opened through a link"
                    : null);
        }
        try {
            final FileStat stat = PosixFiles.fstat(fd);
            RingFile.checkIdentity(stat, path, INSPECTABLE_MODE, false);
            if (stat.size() < HEADER_LENGTH) {
                throw new ChannelException(path + " is " + stat.size() + " bytes, shorter than the " + HEADER_LENGTH
                    + "-byte ring header; it is not an ipckit ring");
            }
            final MemorySegment headerMap = PosixMemory.mmap(fd, HEADER_LENGTH, PosixMemory.PROT_READ,
                PosixMemory.MAP_SHARED, 0);
            final RingFileDescriptor.Layout layout;
            try {
                layout = RingFileDescriptor.checkHeader(new SharedSegment(headerMap), stat.size(), path);
            } finally {
                PosixMemory.munmap(headerMap);
            }
            return new RingFileInspector(path, fd, layout,
                PosixMemory.mmap(fd, layout.fileLength(), PosixMemory.PROT_READ, PosixMemory.MAP_SHARED, 0));
        } catch (final RuntimeException | Error e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    /**
     * Reads everything now. Values written by live ends may move while they are read; each is read atomically.
     *
     * @return the snapshot.
     */
    public Stat stat() {
        if (closed) {
            throw new IllegalStateException("inspector of " + path + " is closed");
        }
        try {
            return read();
        } catch (final InternalError e) {
            throw new ChannelException("a memory fault occurred reading " + path + " (" + e.getMessage()
                + "): the file is now " + PosixFiles.fileSize(fd) + " bytes, shorter than its mapping; another process "
                + "truncated it", e);
        }
    }

    private Stat read() {
        final List<SenderInfo> senders = new ArrayList<>();
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            final int offset = RingFileDescriptor.slotOffset(slot);
            final int pid = header.getIntVolatile(offset + RingFileDescriptor.SLOT_PID);
            final long messages = header.getLongVolatile(offset + RingFileDescriptor.SLOT_MESSAGES);
            final boolean alive = held(offset);
            if (pid != 0 || messages != 0 || alive) {
                senders.add(new SenderInfo(slot, pid, header.getIntVolatile(offset + RingFileDescriptor.SLOT_TID),
                    header.getIntVolatile(offset + RingFileDescriptor.SLOT_GENERATION), alive, messages,
                    header.getLongVolatile(offset + RingFileDescriptor.SLOT_BYTES),
                    header.getLongVolatile(offset + RingFileDescriptor.SLOT_TIMES_FULL),
                    header.getLongVolatile(offset + RingFileDescriptor.SLOT_WAKEUPS)));
            }
        }
        final int state = header.getIntVolatile(RingFileDescriptor.RECEIVER_STATE_OFFSET);
        final ReceiverInfo receiver = new ReceiverInfo(
            switch (state) {
                case RingFileDescriptor.RECEIVER_NONE -> "none";
                case RingFileDescriptor.RECEIVER_OPEN -> "open";
                case RingFileDescriptor.RECEIVER_CLOSED -> "closed";
                default -> "unknown(" + state + ")";
            },
            header.getIntVolatile(RingFileDescriptor.RECEIVER_PID_OFFSET),
            header.getIntVolatile(RingFileDescriptor.RECEIVER_TID_OFFSET),
            held(RingFileDescriptor.RECEIVER_LOCK_BYTE),
            header.getIntVolatile(RingFileDescriptor.WAKE_TOKEN_OFFSET));
        final boolean agrona = layout.format() == RingFormat.AGRONA;
        return new Stat(path, header.getIntVolatile(RingFileDescriptor.VERSION_OFFSET),
            layout.format().formatName(), capacity,
            layout.maxMessage(), layout.manyProducers(), layout.waitName(),
            header.getInt(RingFileDescriptor.CREATOR_PID_OFFSET),
            header.getLong(RingFileDescriptor.CREATED_OFFSET),
            header.getIntVolatile(RingFileDescriptor.SESSION_NUMBER_OFFSET),
            header.getLongVolatile(RingFileDescriptor.SESSION_STARTED_OFFSET),
            ring.getLongVolatile(capacity + (agrona ? RingBufferDescriptor.HEAD_POSITION_OFFSET
                : StampedRingDescriptor.subscriberOffset(0) + StampedRingDescriptor.SUBSCRIBER_POSITION)),
            ring.getLongVolatile(capacity + (agrona ? RingBufferDescriptor.TAIL_POSITION_OFFSET
                : StampedRingDescriptor.TAIL_OFFSET)),
            receiver, List.copyOf(senders), held(RingFileDescriptor.SENDER_LOCK_BYTE),
            header.getLongVolatile(RingFileDescriptor.MESSAGES_RECEIVED_OFFSET),
            header.getLongVolatile(RingFileDescriptor.SLEEPS_OFFSET),
            header.getIntVolatile(RingFileDescriptor.WAITING_OFFSET) != 0,
            header.getIntVolatile(RingFileDescriptor.FUTEX_OFFSET),
            header.getIntVolatile(RingFileDescriptor.DEATHS_OFFSET));
    }

    private boolean held(final long lockByte) {
        return SharedFile.heldByOthers(fd, lockByte);
    }

    /**
     * @return the file inspected.
     */
    public String path() {
        return path;
    }

    /**
     * Unmaps and closes the file. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            PosixMemory.munmap(mapping);
        } finally {
            PosixFiles.close(fd);
        }
    }

    /**
     * Removes a valid ring file when no end holds it (no receiver lock, no sender lock), under its OPEN lock so
     * that no end opens it meanwhile. An end that opened the path just before finds the file gone and creates a
     * new one.
     *
     * @param nameOrPath a bare name or a path.
     * @return true when removed; false when an end holds it or nothing is there.
     * @throws ChannelException when the file is not a valid ring (it is then left alone).
     */
    public static boolean removeIfAbandoned(final String nameOrPath) {
        final String path = MmapOptions.resolve(nameOrPath);
        final MmapOptions options = MmapOptions.parse("mmap:" + path + "?create=false&timeout=1s&mode="
            + Integer.toOctalString(INSPECTABLE_MODE));
        final int fd = SharedFile.tryOpen(path);
        if (fd == -Errno.ENOENT) {
            return false;
        }
        if (fd >= 0) {
            PosixFiles.close(fd); // only tested that it exists; the ring is opened and validated below
        }
        final RingFile file;
        try {
            file = RingFile.open(options);
        } catch (final ChannelException e) {
            if (PosixFiles.lstatIfExists(path) == null) {
                return false;
            }
            throw e;
        }
        try {
            return !file.heldByOthers(RingFileDescriptor.RECEIVER_LOCK_BYTE)
                && !file.heldByOthers(RingFileDescriptor.SENDER_LOCK_BYTE)
                && file.unlinkIfSame();
        } finally {
            file.unlockOpen();
            file.close();
        }
    }

    /**
     * Removes the temporary files that creators killed before publishing left in a directory (rings and doorbells
     * alike: see {@link TemporaryFile}): files named {@code .NAME.PID-RANDOM.ipckit-tmp} whose creator lock is free.
     * A file a live creator is still building is never removed, whatever pid its name holds.
     *
     * @param directory e.g. {@code /dev/shm}.
     * @return the files removed.
     */
    public static List<Path> removeStaleTemporaries(final Path directory) {
        final List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (final Path file : (Iterable<Path>) files::iterator) {
                if (TemporaryFile.isTemporaryName(file.getFileName().toString())
                    && TemporaryFile.removeIfAbandoned(file.toString())) {
                    removed.add(file);
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /**
     * The receiver as the header and its lock describe it.
     *
     * @param state {@code none}, {@code open} or {@code closed}.
     * @param pid the last receiver's pid (0 when none).
     * @param tid the thread that opened it.
     * @param alive whether the receiver lock is held now.
     * @param wakeToken the word the receiver's wake-up provider published (the signal number for
     *     {@code wait=signal}), 0 when it has not slept through a provider.
     */
    public record ReceiverInfo(String state, int pid, int tid, boolean alive, int wakeToken) {
    }

    /**
     * One sender slot.
     *
     * @param slot its index.
     * @param pid the sender's pid, 0 after a clean close.
     * @param tid the thread that opened it.
     * @param generation incremented by each sender that took the slot.
     * @param alive whether the slot lock is held now; a pid with {@code alive == false} is a sender that died.
     * @param messages messages sent from this slot in this session.
     * @param bytes payload bytes sent.
     * @param timesFull offers that found the ring full.
     * @param wakeupsSent wake-ups sent to a sleeping receiver.
     */
    public record SenderInfo(int slot, int pid, int tid, int generation, boolean alive, long messages, long bytes,
                             long timesFull, long wakeupsSent) {
    }

    /**
     * A snapshot of a ring file.
     *
     * @param path the file.
     * @param layoutVersion its layout version.
     * @param format its ring format's name ({@code ipckit} or {@code agrona}).
     * @param capacity ring capacity in bytes.
     * @param maxMessageLength longest message.
     * @param manyProducers producers=many.
     * @param waitMode the wait mode name.
     * @param creatorPid the process that created the file.
     * @param createdMillis creation time, epoch milliseconds.
     * @param session the session number (incremented each time a ring whose ends were all gone is reopened).
     * @param sessionStartedMillis session start, epoch milliseconds.
     * @param headPosition the receiver's position in bytes.
     * @param tailPosition the senders' position in bytes.
     * @param receiver the receiver.
     * @param senders the slots in use or used in this session.
     * @param senderLockHeld whether any sender holds the sender lock now.
     * @param messagesReceived messages delivered in this session.
     * @param receiverSleeps times the receiver slept in the kernel.
     * @param receiverWaiting whether the waiting word is set.
     * @param futexWord the futex word.
     * @param deaths ends found dead in this session.
     */
    public record Stat(String path, int layoutVersion, String format, int capacity, int maxMessageLength,
                       boolean manyProducers,
                       String waitMode, int creatorPid, long createdMillis, int session, long sessionStartedMillis,
                       long headPosition, long tailPosition, ReceiverInfo receiver, List<SenderInfo> senders,
                       boolean senderLockHeld, long messagesReceived, long receiverSleeps, boolean receiverWaiting,
                       int futexWord, int deaths) {
        /**
         * @return bytes written but not yet consumed (records, headers and padding).
         */
        public long backlogBytes() {
            return tailPosition - headPosition;
        }

        /**
         * @return messages sent by every slot in this session.
         */
        public long messagesSent() {
            return senders.stream().mapToLong(SenderInfo::messages).sum();
        }

        /**
         * @return payload bytes sent in this session.
         */
        public long bytesSent() {
            return senders.stream().mapToLong(SenderInfo::bytes).sum();
        }

        /**
         * @return offers that found the ring full in this session.
         */
        public long timesFull() {
            return senders.stream().mapToLong(SenderInfo::timesFull).sum();
        }

        /**
         * @return wake-ups sent in this session.
         */
        public long wakeupsSent() {
            return senders.stream().mapToLong(SenderInfo::wakeupsSent).sum();
        }

        /**
         * @return whether no end holds the ring: it can be reopened (starting a new session) or removed.
         */
        public boolean abandoned() {
            return !receiver.alive() && !senderLockHeld;
        }

        @Override
        public String toString() {
            final StringBuilder text = new StringBuilder()
                .append(path).append(": layout ").append(layoutVersion).append(", format ").append(format)
                .append(", capacity ").append(capacity)
                .append(", maxMessage ").append(maxMessageLength).append(", producers=")
                .append(manyProducers ? "many" : "one").append(", wait=").append(waitMode)
                .append(", created by pid ").append(creatorPid).append(", session ").append(session).append('\n')
                .append("  positions head ").append(headPosition).append(" tail ").append(tailPosition)
                .append(" backlog ").append(backlogBytes()).append(" bytes\n")
                .append("  receiver ").append(receiver.state()).append(" pid ").append(receiver.pid())
                .append(receiver.alive() ? " alive" : receiver.pid() == 0 ? "" : " gone")
                .append(", received ").append(messagesReceived).append(", sleeps ").append(receiverSleeps)
                .append(receiverWaiting ? ", waiting" : "").append('\n');
            for (final SenderInfo sender : senders) {
                text.append("  sender slot ").append(sender.slot()).append(" pid ").append(sender.pid())
                    .append(sender.alive() ? " alive" : sender.pid() == 0 ? " closed" : " dead")
                    .append(", messages ").append(sender.messages()).append(", bytes ").append(sender.bytes())
                    .append(", full ").append(sender.timesFull()).append(", wake-ups ").append(sender.wakeupsSent())
                    .append('\n');
            }
            return text.append("  ").append(abandoned() ? "abandoned" : "in use").append(", deaths ").append(deaths)
                .toString();
        }
    }
}
