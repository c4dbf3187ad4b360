package dev.ipckit.fifo;

import dev.ipckit.ChannelException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;

/**
 * The senders' OFD locks on a FIFO's inode (Linux takes fcntl locks on FIFOs like on files; the FIFO has no
 * bytes, so the offsets are only names). They make a second live sender on a {@code producers=one} FIFO fail
 * at open, naming the holder, and the kernel drops them when the sender's descriptor closes or its process
 * dies, so a dead sender never blocks the next one. Every lock is a write lock, since a sender's descriptor is
 * write-only (a read lock needs read access).
 *
 * <pre>
 *  offset 0 .. SLOTS-1              a producers=one sender locks the whole range: it excludes every sender;
 *                                   a producers=many sender locks one free byte of 1 .. SLOTS-1, so they
 *                                   share, and any of them excludes a producers=one sender
 *  offset PID_BASE + pid            each sender also locks the byte that is its pid: a refused sender finds
 *                                   the holder's pid with F_OFD_GETLK (l_pid is -1 for OFD locks)
 *  PID_BASE .. PID_BASE + PID_RANGE the range searched (pid_max is at most 2^22)
 *  RECEIVER_PID_BASE + pid          a receiver locks (read lock: its descriptor is read-only) the byte that
 *                                   is its pid, so that a sender learns at open who reads
 * </pre>
 *
 * <p>The locks belong to the sender's open file description: a process that holds a {@code producers=one} sender
 * and opens a second sender is refused too. A writer that is not an ipckit sender takes no lock and is not seen.
 */
final class SenderLock {
    /** Bytes of the role range: byte 0 and the producers=many slots. */
    static final long SLOTS = 1 << 10;
    /** Where the per-sender pid locks start. */
    static final long PID_BASE = SLOTS;
    /** How many pids the pid locks cover: Linux's largest pid_max. */
    static final long PID_RANGE = 1 << 22;
    /** Where the receivers' pid locks start. */
    static final long RECEIVER_PID_BASE = PID_BASE + PID_RANGE;

    private SenderLock() {
    }

    /**
     * Takes the sender's locks on a descriptor of the FIFO just opened for writing.
     *
     * @param fd the sender's descriptor, open for writing.
     * @param path the FIFO, for errors.
     * @param many whether this sender is producers=many.
     * @throws ChannelException naming the holder when another sender excludes this one.
     */
    static void take(final int fd, final String path, final boolean many) {
        int r = -Errno.EAGAIN;
        long at = 0;
        if (many) {
            for (long slot = 1; slot < SLOTS && r == -Errno.EAGAIN; slot++) {
                at = slot;
                r = PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, slot, 1);
            }
        } else {
            r = PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, 0, SLOTS);
        }
        if (r == -Errno.EAGAIN) {
            throw refused(fd, path, many);
        }
        if (r < 0) {
            throw new NativeException("fcntl", "fd=" + fd + " (" + FifoOpener.name(path) + "), F_OFD_SETLK, F_WRLCK, "
                + "start=" + at, -r);
        }
        final int pid = PosixProcess.getpid();
        if (pid < PID_RANGE) {
            // only a name for others to read: a second sender of this process already holds it, which is harmless
            PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, PID_BASE + pid, 1);
        }
    }

    /**
     * Names the receiver: a read lock at the offset that is its pid, dropped by the kernel when its descriptor
     * closes or its process dies. Only a name: a failure is harmless.
     *
     * @param fd the receiver's descriptor, open for reading.
     */
    static void announceReceiver(final int fd) {
        final int pid = PosixProcess.getpid();
        if (pid < PID_RANGE) {
            PosixMemory.trySetOfdLock(fd, PosixMemory.F_RDLCK, RECEIVER_PID_BASE + pid, 1);
        }
    }

    /**
     * @param fd a sender's descriptor of the FIFO.
     * @return the pid of a receiver that announced itself and still holds the FIFO open, or 0.
     */
    static int receiverPid(final int fd) {
        final long start = PosixMemory.ofdLockConflictStart(fd, PosixMemory.F_WRLCK, RECEIVER_PID_BASE, PID_RANGE);
        return start < 0 ? 0 : (int) (start - RECEIVER_PID_BASE);
    }

    private static ChannelException refused(final int fd, final String path, final boolean many) {
        final boolean oneHolds = PosixMemory.ofdLockConflictStart(fd, PosixMemory.F_WRLCK, 0, 1) >= 0;
        final long start = PosixMemory.ofdLockConflictStart(fd, PosixMemory.F_WRLCK, PID_BASE, PID_RANGE);
        final String holder = start < 0 ? "another sender" : "process " + (start - PID_BASE);
        if (many && !oneHolds) {
            return new ChannelException("cannot open a sender on " + FifoOpener.name(path) + ": " + (SLOTS - 1)
                + " producers=many senders hold it already, the most it takes; close one first");
        }
        return new ChannelException("cannot open a sender on " + FifoOpener.name(path) + ": " + holder
            + (oneHolds ? (many ? " holds it with producers=one, which allows no other sender"
                : " already sends on it, and producers=one allows one live sender (frames larger than PIPE_BUF from "
                + "two senders would interleave)")
                : " sends on it with producers=many, and a producers=one sender must be alone")
            + "; wait for it to close or die, or give every sender producers=many");
    }
}
