package dev.ipckit.signal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The layout of a doorbell file: one page, mapped MAP_SHARED by the waiting process and the ringing process.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "IPCKBELL" (8 bytes)                   |    0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Layout Version (written last)                |    8
 *  +---------------------------------------------------------------+
 *  |                  Signal (the waiter blocks it)                |   12
 *  +---------------------------------------------------------------+
 *  |                  Waiter PID                                   |   16
 *  +---------------------------------------------------------------+
 *  |                  Ringer PID (0 when none)                     |   20
 *  +---------------------------------------------------------------+
 *  |  Reserved, zero; bytes 24 and 25 carry the role locks       ...   24
 *  +---------------------------------------------------------------+
 *  |                  Waiting Word (1 = asleep)                    |  128  written by the waiter (1, 0)
 *  +---------------------------------------------------------------+       and by the ringer that claims it (0)
 *  |                  Waiter TID (0 until the signal is blocked)   |  132
 *  +---------------------------------------------------------------+
 *  |                  Identity Sequence                            |  136  bumped by an adopting waiter
 *  +---------------------------------------------------------------+
 *  |  Padding to the next pair of cache lines                    ...  140
 *  +---------------------------------------------------------------+
 *  |                  Ring Counter (8 bytes)                       |  256  written by ringers
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  Padding to the end of the page                             ...  264
 *  +---------------------------------------------------------------+ 4096
 * </pre>
 *
 * <p>The waiting word and the waiter's tid share a line because the waiter writes them together and a ringer
 * reads them together; the ring counter, written by the other side, has its own pair of 64-byte lines. All
 * multi-byte fields are in the machine's byte order (little endian on x86_64 and aarch64).
 *
 * <p>Roles hold open-file-description locks (F_OFD_SETLK) that the kernel drops when their process dies: the
 * waiter an exclusive lock on byte {@link #WAITER_LOCK_OFFSET}, the ringer one on byte
 * {@link #RINGER_LOCK_OFFSET}. "Is the other side alive" is a lock test.
 */
public final class DoorbellDescriptor {
    /** "IPCKBELL" read as a little-endian long. */
    public static final long MAGIC = 0x4C4C_4542_4B43_5049L;
    /** The layout version this code reads and writes. */
    public static final int LAYOUT_VERSION = 1;
    /** Bytes in a doorbell file. */
    public static final int FILE_LENGTH = 4096;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version, written last when a file is built. */
    public static final int LAYOUT_VERSION_OFFSET = MAGIC_OFFSET + 8;
    /** Offset of the signal number the waiter blocks. */
    public static final int SIGNAL_OFFSET = LAYOUT_VERSION_OFFSET + 4;
    /** Offset of the waiting process's pid. */
    public static final int WAITER_PID_OFFSET = SIGNAL_OFFSET + 4;
    /** Offset of the ringing process's pid, 0 when none has opened the doorbell. */
    public static final int RINGER_PID_OFFSET = WAITER_PID_OFFSET + 4;
    /** Byte locked (exclusive OFD lock) by the waiting process. */
    public static final int WAITER_LOCK_OFFSET = RINGER_PID_OFFSET + 4;
    /** Byte locked (exclusive OFD lock) by the ringing process. */
    public static final int RINGER_LOCK_OFFSET = WAITER_LOCK_OFFSET + 1;
    /** Offset of the waiting word: 1 while the waiter is about to sleep or asleep, else 0. */
    public static final int WAITING_OFFSET = 128;
    /** Offset of the Linux thread id of the thread that sleeps. */
    public static final int WAITER_TID_OFFSET = WAITING_OFFSET + 4;
    /**
     * Offset of the identity sequence: a waiter that adopts a dead waiter's file clears the waiting word and the
     * dead waiter's tid, then bumps this word, then takes the waiter lock; a ringer signals only ids it read between
     * two equal reads of this word around its test of that lock (see {@link Doorbell#ring()}).
     */
    public static final int IDENTITY_SEQUENCE_OFFSET = WAITER_TID_OFFSET + 4;
    /** Offset of the ring counter: how many times the bell was rung since the file was built. */
    public static final int RINGS_OFFSET = WAITING_OFFSET + 128;

    private DoorbellDescriptor() {
    }

    /**
     * Checks that a mapped file is a doorbell of this layout version.
     *
     * @param file the mapping, at least {@link #FILE_LENGTH} bytes.
     * @param path the file, for the message.
     * @throws IllegalStateException naming the magic or the versions ({@code app=... file=...}).
     */
    public static void checkVersion(final MemorySegment file, final String path) {
        final long magic = file.get(JAVA_LONG, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalStateException(path + " is not a doorbell file: magic=0x" + Long.toHexString(magic)
                + ", expected 0x" + Long.toHexString(MAGIC) + " (\"IPCKBELL\")");
        }
        final int version = (int) JAVA_INT.varHandle().getAcquire(file, (long) LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new IllegalStateException("doorbell " + path + " has another layout version: app=" + LAYOUT_VERSION
                + " file=" + version + "; both ends must run the same ipckit version");
        }
    }
}
