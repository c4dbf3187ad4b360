package dev.ipckit.mmap;

import static dev.ipckit.mmap.RingFileDescriptor.HEADER_LENGTH;
import static dev.ipckit.mmap.RingFileDescriptor.OPEN_LOCK_BYTE;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.spi.AgronaAccess;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.SharedFile;
import dev.ipckit.spi.TemporaryFile;

/**
 * One open, validated and mapped ring file, with the locks its end holds. Not thread-safe; owned by one end.
 *
 * <p>{@link #open} creates the file when needed (temporary name, renameat2 RENAME_NOREPLACE), checks it
 * before mapping past the header (see {@link RingFileDescriptor}), maps it, and returns with the OPEN lock
 * held so that the end can update the header without racing other opens and closes; the end then calls
 * {@link #unlockOpen()}.
 */
final class RingFile {
    private static final int PROT_RW = PosixMemory.PROT_READ | PosixMemory.PROT_WRITE;

    final String path;
    final int fd;
    final boolean created;
    final long fileLength;
    final int capacity;
    final int maxMessage;
    final boolean manyProducers;
    final WaitMode waitMode;
    final String waitName;
    final RingFormat format;
    /** The subscriber slots (1 for a one-to-one ring). */
    final int subscribers;
    /** The header, {@link RingFileDescriptor#HEADER_LENGTH} bytes at offset 0, on the mapping's segment. */
    final SharedSegment header;
    /** format=agrona: the Agrona ring, capacity bytes of records and the trailer; null for format=ipckit. */
    final UnsafeBuffer ring;
    /** The ring region (records and trailer) as a segment of the mapping, in either format. */
    final MemorySegment ringSegment;
    /** format=ipckit: the stamped ring over {@link #ringSegment}; null for format=agrona. */
    final StampedRing stamped;
    private UnsafeBuffer ringView;
    /** The futex word, as a segment for FUTEX_WAIT / FUTEX_WAKE. */
    final MemorySegment futexWord;
    private final MemorySegment mapping;
    /** What fstat said of the file this end opened: the path is removed only while it still names it. */
    private final FileStat opened;
    private boolean closed;

    private RingFile(final String path, final int fd, final boolean created, final MemorySegment mapping,
                     final FileStat stat, final RingFileDescriptor.Layout layout) {
        this.path = path;
        this.fd = fd;
        this.created = created;
        this.mapping = mapping;
        this.opened = stat;
        this.fileLength = mapping.byteSize();
        this.header = new SharedSegment(mapping.asSlice(0, HEADER_LENGTH));
        // the values validated before mapping, never the header's again: another process may rewrite it any time
        this.capacity = layout.capacity();
        this.maxMessage = layout.maxMessage();
        this.manyProducers = layout.manyProducers();
        this.waitMode = layout.waitMode();
        this.waitName = layout.waitName();
        this.format = layout.format();
        this.subscribers = layout.subscribers();
        final int ringLength = capacity + RingFileDescriptor.trailerLength(format, layout.subscribers());
        this.ringSegment = mapping.asSlice(RingFileDescriptor.RING_OFFSET, ringLength);
        // Agrona's buffers only for its format: an end of ipckit's ring touches no Unsafe unless asked to
        this.ring = format == RingFormat.AGRONA ? new UnsafeBuffer(ringSegment.address(), ringLength) : null;
        this.stamped = format == RingFormat.IPCKIT
            ? new StampedRing(ringSegment, capacity, layout.subscribers(), layout.salt(), maxMessage, path) : null;
        this.futexWord = mapping.asSlice(RingFileDescriptor.FUTEX_OFFSET, 4);
    }

    /**
     * Opens (creating if allowed and absent) the ring file the options name, validated and mapped, with the
     * OPEN lock held.
     *
     * @param options the end's options.
     * @return the file; the caller must {@link #unlockOpen()} and eventually {@link #close()}.
     */
    static RingFile open(final MmapOptions options) {
        final String path = options.path();
        if (options.format() == RingFormat.AGRONA) { // before anything is created: Agrona's ring needs its flag
            AgronaAccess.check("open (format=agrona, Agrona's record format)", options.uri().uri());
        }
        final long deadline = System.nanoTime() + options.timeout().toNanos();
        while (true) {
            int fd = SharedFile.tryOpen(path);
            boolean created = false;
            if (fd == -Errno.ENOENT) {
                if (!options.create()) {
                    ChannelInterruptedException.checkInterrupt("open", options.uri().uri());
                    if (System.nanoTime() - deadline > 0) {
                        throw new ChannelException("timed out after " + options.timeout() + " waiting for " + path
                            + " to appear (create=false in '" + options.uri().uri() + "'): start the end that creates "
                            + "the ring, or drop create=false");
                    }
                    LockSupport.parkNanos(1_000_000L);
                    continue;
                }
                fd = createAndPublish(options);
                if (fd == -Errno.EEXIST) {
                    continue; // another process published first: open its file
                }
                created = true;
            } else if (fd < 0) {
                throw openFailure(path, -fd);
            }
            final RingFile file;
            try {
                file = attach(fd, created, options, deadline);
            } catch (final RuntimeException | Error e) {
                PosixFiles.close(fd);
                throw e;
            }
            if (file != null) {
                return file;
            }
            PosixFiles.close(fd); // removed by its last end while we opened it: start again
            if (System.nanoTime() - deadline > 0) {
                throw new ChannelException("timed out after " + options.timeout() + " opening " + path
                    + ": the file was removed each time it was opened");
            }
        }
    }

    private static NativeException openFailure(final String path, final int errno) {
        return SharedFile.openFailure(path, errno, "a ring file", null);
    }

    private static String parent(final String path) {
        return SharedFile.parent(path);
    }

    /**
     * Builds a complete file under a temporary name and publishes it.
     *
     * @return the published file's descriptor, or {@code -EEXIST} when another process published first.
     */
    private static int createAndPublish(final MmapOptions options) {
        final String path = options.path();
        final TemporaryFile temporary = TemporaryFile.create(path, options.mode());
        try {
            final int fd = temporary.fd();
            final long length = RingFileDescriptor.fileLength(options.capacity(), options.format(),
                options.subscribers());
            final int reserved = PosixFiles.tryFallocate(fd, 0, 0, length);
            if (reserved == -Errno.EOPNOTSUPP) {
                PosixFiles.ftruncate(fd, length);
            } else if (reserved < 0) {
                throw new NativeException("fallocate", "fd=" + fd + " (" + temporary.path() + "), 0, 0, " + length,
                    -reserved, -reserved == Errno.ENOSPC ? "no room for a " + length + "-byte ring in " + parent(path)
                        + "; check 'df -h " + parent(path) + "', remove stale rings, or lower capacity" : null);
            }
            final MemorySegment headerMap = PosixMemory.mmap(fd, HEADER_LENGTH, PROT_RW, PosixMemory.MAP_SHARED, 0);
            try {
                RingFileDescriptor.initialise(new SharedSegment(headerMap), options.capacity(), options.maxMessage(),
                    options.flags(), options.waitName(), options.format(), options.subscribers(),
                    ThreadLocalRandom.current().nextInt(),
                    PosixProcess.getpid(), System.currentTimeMillis());
            } finally {
                PosixMemory.munmap(headerMap);
            }
            return temporary.publish() ? fd : -Errno.EEXIST;
        } finally {
            temporary.discard(); // unless published
        }
    }

    /**
     * Validates an open descriptor and maps it.
     *
     * @return the file with the OPEN lock held, or null when it was unlinked before the lock was taken.
     */
    private static RingFile attach(final int fd, final boolean created, final MmapOptions options,
                                   final long deadline) {
        final String path = options.path();
        final FileStat stat = PosixFiles.fstat(fd);
        checkIdentity(stat, path, options.mode(), options.allowOtherOwner());
        if (stat.size() < HEADER_LENGTH) {
            throw new ChannelException(path + " is " + stat.size() + " bytes, shorter than the " + HEADER_LENGTH
                + "-byte ring header: size app>=" + HEADER_LENGTH + " file=" + stat.size()
                + "; it is not an ipckit ring (or was truncated). Remove it or choose another name");
        }
        final MemorySegment headerMap = PosixMemory.mmap(fd, HEADER_LENGTH, PROT_RW, PosixMemory.MAP_SHARED, 0);
        final RingFileDescriptor.Layout layout;
        try {
            layout = RingFileDescriptor.checkHeader(new SharedSegment(headerMap), stat.size(), path);
        } finally {
            PosixMemory.munmap(headerMap);
        }
        options.checkAgainst(layout, path);
        if (layout.format() == RingFormat.AGRONA) { // a file made with format=agrona, opened without the option
            AgronaAccess.check("open (" + path + " is a format=agrona ring)", options.uri().uri());
        }
        // exactly the validated length: every later index into it is bounded by the validated capacity
        final MemorySegment mapping = PosixMemory.mmap(fd, layout.fileLength(), PROT_RW, PosixMemory.MAP_SHARED, 0);
        final RingFile file = new RingFile(path, fd, created, mapping, stat, layout);
        try {
            file.lockOpen(deadline, options, true);
            if (!file.isLinkedAtPath()) {
                file.unlockOpen();
                PosixMemory.munmap(mapping);
                return null;
            }
            file.checkSize();
            return file;
        } catch (final RuntimeException | Error e) {
            PosixMemory.munmap(mapping);
            throw e;
        }
    }

    /**
     * Refuses files another user could truncate: see {@link RingFileDescriptor}.
     *
     * @param stat what fstat says of the open file.
     * @param path the file, for messages.
     * @param mode the most the file may grant ({@code mode=}, 0600 by default).
     * @param allowOtherOwner whether a file of another user is accepted ({@code allowOtherOwner=}).
     */
    static void checkIdentity(final FileStat stat, final String path, final int mode, final boolean allowOtherOwner) {
        final String problem = SharedFile.identityProblem(stat, path, "a ring file", mode, allowOtherOwner, true);
        if (problem != null) {
            throw new ChannelException(problem);
        }
    }

    /**
     * Takes the OPEN lock, waiting up to the deadline; holders keep it for microseconds. For closing ends, which
     * finish whatever the thread's interrupt status.
     */
    void lockOpen(final long deadline, final MmapOptions options) {
        lockOpen(deadline, options, false);
    }

    /**
     * Takes the OPEN lock, waiting up to the deadline.
     *
     * @param interruptible whether an interrupt ends the wait ({@link ChannelInterruptedException}): opens.
     */
    private void lockOpen(final long deadline, final MmapOptions options, final boolean interruptible) {
        int attempts = 0;
        while (!tryLockOpen()) {
            if (interruptible) {
                ChannelInterruptedException.checkInterrupt("open", options.uri().uri());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ChannelException("timed out after " + options.timeout() + " waiting for the open lock of "
                    + path + " (byte " + OPEN_LOCK_BYTE + "); another process holds it, perhaps stopped while opening "
                    + "or closing the ring");
            }
            if (++attempts < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000L);
            }
        }
    }

    /**
     * @return whether the OPEN lock was taken now.
     */
    boolean tryLockOpen() {
        return tryLock(OPEN_LOCK_BYTE, PosixMemory.F_WRLCK);
    }

    /**
     * Releases the OPEN lock.
     */
    void unlockOpen() {
        unlock(OPEN_LOCK_BYTE);
    }

    /**
     * @param lockByte the byte.
     * @param type F_RDLCK or F_WRLCK.
     * @return true when taken, false when another open file description holds a conflicting lock.
     */
    boolean tryLock(final long lockByte, final short type) {
        return SharedFile.tryLock(fd, lockByte, type, path);
    }

    /**
     * @param lockByte the byte.
     */
    void unlock(final long lockByte) {
        SharedFile.unlock(fd, lockByte, path);
    }

    /**
     * Asks whether any other open file description holds a lock on a byte. One fcntl(F_OFD_GETLK); allocates nothing.
     *
     * @param lockByte the byte.
     * @return true when another end holds a lock (shared or exclusive) there.
     */
    boolean heldByOthers(final long lockByte) {
        return SharedFile.heldByOthers(fd, lockByte);
    }

    /**
     * @return whether the path still names this file (it was not removed or replaced).
     */
    boolean isLinkedAtPath() {
        return SharedFile.isLinkedAt(path, opened);
    }

    /**
     * Removes the path if it still names this file. Call with the OPEN lock held and no other role lock held.
     *
     * @return whether it was removed.
     */
    boolean unlinkIfSame() {
        return SharedFile.unlinkIfSame(path, opened);
    }

    /**
     * Compares the file's size with the mapping's; allocates nothing.
     *
     * @throws ChannelException when the file shrank under the mapping.
     */
    void checkSize() {
        final long size = PosixFiles.fileSize(fd);
        if (size >= 0 && size < fileLength) {
            throw shrunk(size, null);
        }
    }

    /**
     * @return whether the file is still as long as the mapping, so that the header may be written (one statx).
     */
    boolean isWhole() {
        final long size = PosixFiles.fileSize(fd);
        return size < 0 || size >= fileLength;
    }

    /**
     * Turns a fault inside a ring access (HotSpot's InternalError for SIGBUS in an Unsafe access) into a
     * sentence.
     *
     * @param fault what the access threw.
     * @return the exception to throw.
     */
    ChannelException faulted(final InternalError fault) {
        final long size = PosixFiles.fileSize(fd);
        if (size >= 0 && size < fileLength) {
            return shrunk(size, fault);
        }
        return new ChannelException("a memory fault occurred in the mapping of " + path + " (" + fault.getMessage()
            + "); close this end", fault);
    }

    /**
     * Turns what Agrona's ring code throws on a record or position it did not write (a claimed header rewritten, an
     * index out of range) into a sentence: another process wrote to the ring.
     *
     * @param e what the ring code threw.
     * @return the exception to throw.
     */
    ChannelException tampered(final RuntimeException e) {
        return new ChannelException(path + " was written by something other than an ipckit end: the ring code met a "
            + "record or position no end writes (" + e.getMessage() + "); close every end and remove the file", e);
    }

    private ChannelException shrunk(final long size, final Throwable cause) {
        return new ChannelException(path + " shrank under its mapping: size app=" + fileLength + " file=" + size
            + "; another process of this user truncated it. Close every end, remove the file and open the ring again",
            cause);
    }

    /**
     * Starts a new session. Call with the OPEN lock held, after checking that no other role lock is held:
     * every earlier end is gone, so what they left is settled exactly (see {@link RingRepair}).
     */
    void startNewSession() {
        if (stamped != null && subscribers > 1) {
            // Subscribers join at the tail, so nobody will read what is left before it: nothing to settle. The
            // slots are freed; their generations stay, so that no sender mistakes a new subscriber for a dead one.
            for (int i = 0; i < subscribers; i++) {
                stamped.clearSubscriber(i);
            }
        } else if (stamped != null) {
            stamped.checkPositions(manyProducers); // nobody moves them now: garbage is corruption
            if (manyProducers) {
                // read again, so checked again: another process may have rewritten it since checkPositions
                StampedRingRepair.sealAll(stamped, header, stamped.checkedPosition(stamped.lvSubscriberPosition(0)));
            } // a producers=one ring needs nothing: its next sender resumes after the last record published
        } else {
            RingFileDescriptor.checkPositions(ring, capacity, path); // nobody moves them now: garbage is corruption
            RingRepair.completeConsumerCleanup(this);
            RingRepair.sealAbandoned(this);
        }
        final SharedSegment h = header;
        h.putInt(RingFileDescriptor.RECEIVER_PID_OFFSET, 0);
        h.putInt(RingFileDescriptor.RECEIVER_TID_OFFSET, 0);
        h.putInt(RingFileDescriptor.WAKE_TID_OFFSET, 0);
        h.putInt(RingFileDescriptor.WAKE_TOKEN_OFFSET, 0);
        h.putIntRelease(RingFileDescriptor.RECEIVER_STATE_OFFSET, RingFileDescriptor.RECEIVER_NONE);
        h.putLongRelease(RingFileDescriptor.WAITING_OFFSET, 0); // the int of one receiver, the bits of subscribers
        h.putLongRelease(RingFileDescriptor.MESSAGES_RECEIVED_OFFSET, 0);
        h.putLongRelease(RingFileDescriptor.SLEEPS_OFFSET, 0);
        for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
            final int offset = RingFileDescriptor.slotOffset(slot);
            h.putInt(offset + RingFileDescriptor.SLOT_PID, 0);
            h.putInt(offset + RingFileDescriptor.SLOT_TID, 0);
            h.putLong(offset + RingFileDescriptor.SLOT_MESSAGES, 0);
            h.putLong(offset + RingFileDescriptor.SLOT_BYTES, 0);
            h.putLong(offset + RingFileDescriptor.SLOT_TIMES_FULL, 0);
            h.putLong(offset + RingFileDescriptor.SLOT_WAKEUPS, 0);
        }
        h.putInt(RingFileDescriptor.SENDER_OPENS_OFFSET, 0);
        h.putInt(RingFileDescriptor.RECEIVER_OPENS_OFFSET, 0);
        h.putInt(RingFileDescriptor.DEATHS_OFFSET, 0);
        h.putInt(RingFileDescriptor.LAST_SENDER_PID_OFFSET, 0);
        h.putLong(RingFileDescriptor.SESSION_STARTED_OFFSET, System.currentTimeMillis());
        h.getAndAddInt(RingFileDescriptor.SENDER_EVENTS_OFFSET, 1);
        h.getAndAddInt(RingFileDescriptor.SESSION_NUMBER_OFFSET, 1);
    }

    /**
     * The ring region as an Agrona buffer, for the {@code DirectBuffer} forms of the API: the Agrona ring itself for
     * format=agrona, and for format=ipckit a view made on first use, so that an end used only through the
     * {@code MemorySegment} forms never touches Agrona's {@code Unsafe}.
     *
     * @return the buffer.
     */
    UnsafeBuffer ringView() {
        if (ring != null) {
            return ring;
        }
        if (ringView == null) {
            ringView = new UnsafeBuffer(ringSegment.address(), (int) ringSegment.byteSize());
        }
        return ringView;
    }

    /**
     * @return whether {@link #close()} ran.
     */
    boolean isClosed() {
        return closed;
    }

    /**
     * Unmaps the file and closes the descriptor, which releases every OFD lock this end holds. Idempotent.
     */
    void close() {
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

    @Override
    public String toString() {
        return path + " (fd " + fd + ", format " + format.formatName() + ", capacity " + capacity
            + (manyProducers ? ", producers=many" : ", producers=one")
            + ", wait=" + waitName + ")";
    }
}
