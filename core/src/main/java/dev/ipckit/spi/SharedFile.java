package dev.ipckit.spi;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;

/**
 * The one home of what every file shared between processes needs (the mmap ring file and the signal doorbell):
 * how it is opened, which files are accepted, the role locks that tell whether a peer lives, and the removal of a
 * path that still names the file an end opened. Creation is {@link TemporaryFile}'s (a unique temporary name,
 * published with renameat2 RENAME_NOREPLACE).
 *
 * <ul>
 *   <li><b>Open</b>: {@link #OPEN_FLAGS}, never through a symbolic link (O_NOFOLLOW) and never blocking on a FIFO
 *       (O_NONBLOCK).</li>
 *   <li><b>Accept</b>: {@link #identityProblem}: a regular file of this process's user (whose owner, and only
 *       whose owner, could truncate it under the mapping), granting no more than the mode asked for.</li>
 *   <li><b>Roles</b>: each role holds an OFD lock ({@code F_OFD_SETLK}) on a byte of its own; "is my peer alive" is
 *       {@link #heldByOthers}, one {@code F_OFD_GETLK}, never a timeout. The kernel drops the lock when the
 *       process dies, and closing the descriptor drops every lock the end holds.</li>
 *   <li><b>Remove</b>: {@link #unlinkIfSame} unlinks a path only while it still names the file that was opened
 *       (inode and device), so a file another process put there meanwhile is never removed.</li>
 * </ul>
 */
public final class SharedFile {
    /** How a shared file is opened: read-write, no link followed, never blocking, closed on exec. */
    public static final int OPEN_FLAGS = PosixFiles.O_RDWR | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC
        | PosixFiles.O_NONBLOCK;
    /** {@link #identityProblem}'s mode for a file whose mode is not checked. */
    public static final int ANY_MODE = 07777;

    private SharedFile() {
    }

    /**
     * @param path the file.
     * @return its descriptor, or {@code -errno}.
     */
    public static int tryOpen(final String path) {
        return PosixFiles.tryOpen(path, OPEN_FLAGS, 0);
    }

    /**
     * @param path the file.
     * @param errno what {@link #tryOpen} failed with.
     * @param what what the file should be, e.g. "a ring file".
     * @param enoent the sentence for ENOENT (who creates the file), or null.
     * @return the exception to throw, naming the call, the path, the flags and errno with what to do.
     */
    public static NativeException openFailure(final String path, final int errno, final String what,
                                              final String enoent) {
        final String sentence = switch (errno) {
            case Errno.ENOENT -> enoent;
            case Errno.ELOOP -> path + " is a symbolic link; " + what + " is opened with O_NOFOLLOW and never through "
                + "a link: name the real file, or remove the link";
            case Errno.EACCES -> "permission denied; " + what + " is private to the user who created it (mode 0600): "
                + "run every end as that user, and check the directory with 'ls -ld " + parent(path) + "'";
            case Errno.EISDIR -> path + " is a directory, not " + what;
            default -> null;
        };
        return new NativeException("open", NativeException.quote(path) + ", " + PosixFiles.openFlags(OPEN_FLAGS), errno,
            sentence);
    }

    /**
     * @param path a path.
     * @return its directory.
     */
    public static String parent(final String path) {
        final int slash = path.lastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : path.substring(0, slash);
    }

    /**
     * Says why an open file must not be shared, or null when it may be.
     *
     * @param stat what fstat says of the open file.
     * @param path the file, for the sentence.
     * @param what what it should be, e.g. "a ring file".
     * @param mode the most the file may grant, or {@link #ANY_MODE}.
     * @param allowOtherOwner whether a file of another user is accepted.
     * @param options whether the end takes the {@code mode=} and {@code allowOtherOwner=} options (the sentence
     *     offers them).
     * @return the sentence, or null.
     */
    public static String identityProblem(final FileStat stat, final String path, final String what, final int mode,
                                         final boolean allowOtherOwner, final boolean options) {
        if (!stat.isRegularFile()) {
            return path + " is " + stat.typeName() + ", not " + what + "; remove it or choose another name";
        }
        if (stat.uid() != PosixProcess.getuid() && !allowOtherOwner) {
            return path + " belongs to uid " + stat.uid() + ", not to this process's uid " + PosixProcess.getuid()
                + "; " + what + " is shared only between processes of the user who owns it, since its owner could "
                + "truncate it under the mapping. Run as that user" + (options ? ", choose another name, or pass "
                + "allowOtherOwner=true to accept it anyway" : ", or choose another name");
        }
        if ((stat.permissions() & ~mode) != 0) {
            return path + " has mode " + String.format("%04o", stat.permissions()) + ", which grants more than mode="
                + String.format("%04o", mode) + " allows; anyone who can write " + what + " can truncate it under the "
                + "mapping. Run 'chmod " + Integer.toOctalString(mode) + " " + path + "' if it is yours, pass mode="
                + String.format("%04o", stat.permissions()) + " if that is meant, or remove it";
        }
        return null;
    }

    /**
     * Takes (or with {@code F_UNLCK} releases) a role lock without waiting.
     *
     * @param fd the file's descriptor.
     * @param lockByte the role's byte.
     * @param type {@code F_RDLCK}, {@code F_WRLCK} or {@code F_UNLCK}.
     * @param path the file, for messages.
     * @return true when taken, false when another open file description holds a conflicting lock.
     * @throws NativeException when fcntl fails otherwise.
     */
    public static boolean tryLock(final int fd, final long lockByte, final short type, final String path) {
        final int r = PosixMemory.trySetOfdLock(fd, type, lockByte, 1);
        if (r == 0) {
            return true;
        }
        if (r == -Errno.EAGAIN && type != PosixMemory.F_UNLCK) {
            return false;
        }
        throw new NativeException("fcntl", "fd=" + fd + " (" + path + "), F_OFD_SETLK, " + lockName(type) + ", byte "
            + lockByte, -r);
    }

    /**
     * Releases a role lock.
     *
     * @param fd the file's descriptor.
     * @param lockByte the role's byte.
     * @param path the file, for messages.
     */
    public static void unlock(final int fd, final long lockByte, final String path) {
        tryLock(fd, lockByte, PosixMemory.F_UNLCK, path);
    }

    /**
     * Asks whether any other open file description holds a lock on a role's byte: whether that role's process
     * lives. One fcntl(F_OFD_GETLK); allocates nothing.
     *
     * @param fd the file's descriptor.
     * @param lockByte the role's byte.
     * @return true when another end holds a lock (shared or exclusive) there.
     */
    public static boolean heldByOthers(final int fd, final long lockByte) {
        return PosixMemory.ofdLockHeld(fd, PosixMemory.F_WRLCK, lockByte, 1) != PosixMemory.F_UNLCK;
    }

    /**
     * @param path the path an end opened.
     * @param opened what fstat said of the file it opened.
     * @return whether the path still names that file (it was not removed or replaced).
     */
    public static boolean isLinkedAt(final String path, final FileStat opened) {
        final FileStat now = PosixFiles.lstatIfExists(path);
        return now != null && now.inode() == opened.inode() && now.deviceMajor() == opened.deviceMajor()
            && now.deviceMinor() == opened.deviceMinor();
    }

    /**
     * Removes the path if it still names the file an end opened. Hold the lock that keeps other ends from adopting
     * the file meanwhile.
     *
     * @param path the path.
     * @param opened what fstat said of the file the end opened.
     * @return whether it was removed.
     */
    public static boolean unlinkIfSame(final String path, final FileStat opened) {
        return isLinkedAt(path, opened) && PosixFiles.tryUnlink(path) == 0;
    }

    private static String lockName(final short type) {
        return type == PosixMemory.F_WRLCK ? "F_WRLCK" : type == PosixMemory.F_UNLCK ? "F_UNLCK" : "F_RDLCK";
    }
}
