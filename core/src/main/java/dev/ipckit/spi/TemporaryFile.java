package dev.ipckit.spi;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import dev.ipckit.ChannelException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;

/**
 * The file a creator builds before it publishes it under its real name with {@code renameat2(RENAME_NOREPLACE)}:
 * the one way every shared file of ipckit (rings, doorbells) is created, so that a visible file is always complete.
 *
 * <p>Name: {@code .NAME.PID-RANDOM.ipckit-tmp} beside the target {@code NAME}, where RANDOM is 16 hex digits. The
 * pid says who made it; the random part means a creator never collides with the leftover of a dead creator that had
 * the same pid (pids are reused), and a name that exists anyway (EEXIST) is simply drawn again.
 *
 * <p>Liveness: the creator holds an exclusive OFD lock on byte {@link #CREATOR_LOCK_BYTE} (far past the end of any
 * file, so it never meets a role lock) from just after creating the file until it publishes or removes it. A
 * temporary whose creator lock is free belongs to nobody: its creator died (the kernel dropped the lock), and
 * {@link #removeIfAbandoned} removes it by taking that lock itself, so that it never removes a file a live creator
 * is building, whatever pid the name holds. A creator that took its lock checks that the file is still linked,
 * which makes the two exclusive: a remover that won the lock unlinked the file before the creator could take it.
 *
 * <pre>{@code
 * TemporaryFile temporary = TemporaryFile.create(path, 0600);   // fd open O_RDWR, creator lock held
 * try {
 *     ... write the file through temporary.fd() ...
 *     if (temporary.publish()) { ...keep temporary.fd(): it is the published file... }
 *     else { ...another creator published first: open theirs... }
 * } finally {
 *     temporary.discard();                                        // unless published: unlink and close
 * }
 * }</pre>
 */
public final class TemporaryFile {
    /** Suffix of every temporary file. */
    public static final String SUFFIX = ".ipckit-tmp";
    /** The byte of a temporary whose exclusive OFD lock its creator holds while it builds the file. */
    public static final long CREATOR_LOCK_BYTE = Long.MAX_VALUE - 1;

    private static final int CREATE_FLAGS = PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_EXCL
        | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC;
    private static final int ATTEMPTS = 16;

    private final String target;
    private final String path;
    private final int fd;
    private boolean published;
    private boolean discarded;

    private TemporaryFile(final String target, final String path, final int fd) {
        this.target = target;
        this.path = path;
        this.fd = fd;
    }

    /**
     * Creates a temporary file beside {@code target} with exactly {@code mode} (whatever the umask), holding its
     * creator lock.
     *
     * @param target the name the file will be published under.
     * @param mode its permissions, e.g. 0600.
     * @return the temporary file.
     * @throws NativeException when the file cannot be created (the message names the directory and what to do).
     */
    public static TemporaryFile create(final String target, final int mode) {
        return create(target, mode, () -> ThreadLocalRandom.current().nextLong());
    }

    /**
     * @param random where the random part of each name drawn comes from.
     */
    static TemporaryFile create(final String target, final int mode, final LongSupplier random) {
        for (int attempt = 0; ; attempt++) {
            final String path = nameFor(target, random.getAsLong());
            final int fd = PosixFiles.tryOpen(path, CREATE_FLAGS, mode);
            if (fd == -Errno.EEXIST && attempt < ATTEMPTS) {
                continue; // someone's leftover, or a name drawn twice: draw another
            }
            if (fd < 0) {
                throw createFailure(target, path, -fd);
            }
            boolean kept = false;
            try {
                if (PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, CREATOR_LOCK_BYTE, 1) == 0
                    && PosixFiles.fstat(fd).links() > 0) {
                    PosixFiles.fchmod(fd, mode);
                    kept = true;
                    return new TemporaryFile(target, path, fd);
                }
                // a remover took the lock first and unlinked it (it saw a free lock in the instant before ours)
            } finally {
                if (!kept) {
                    PosixFiles.close(fd);
                }
            }
            if (attempt >= ATTEMPTS) {
                throw new ChannelException("could not create a temporary file for " + target + " in " + ATTEMPTS
                    + " attempts: each was removed at once by another process (ipckit gc running in a loop?)");
            }
        }
    }

    /**
     * @param target the published name.
     * @param random the random part.
     * @return the temporary name for it.
     */
    static String nameFor(final String target, final long random) {
        final int slash = target.lastIndexOf('/');
        return target.substring(0, slash + 1) + "." + target.substring(slash + 1) + "." + PosixProcess.getpid() + "-"
            + String.format("%016x", random) + SUFFIX;
    }

    /**
     * @param fileName a file name (no directory).
     * @return whether it has the shape of a temporary file.
     */
    public static boolean isTemporaryName(final String fileName) {
        if (!fileName.startsWith(".") || !fileName.endsWith(SUFFIX)) {
            return false;
        }
        final String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
        final int dash = stem.lastIndexOf('-');
        final int dot = stem.lastIndexOf('.', dash);
        return dot > 0 && dash > dot + 1 && dash < stem.length() - 1; // also the pid-counter names of older versions
    }

    /**
     * Removes a temporary file whose creator is gone: it takes the creator lock itself (so no live creator holds it,
     * and none can take it afterwards without finding the file unlinked), checks that the path still names that file
     * and that it belongs to this user, and unlinks it.
     *
     * @param path a file whose name {@link #isTemporaryName has the shape}.
     * @return true when removed; false when its creator lives, or it is not a regular file of this user, or gone.
     */
    public static boolean removeIfAbandoned(final String path) {
        final int fd = PosixFiles.tryOpen(path, PosixFiles.O_RDWR | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC
            | PosixFiles.O_NONBLOCK, 0);
        if (fd < 0) {
            return false;
        }
        try {
            final FileStat stat = PosixFiles.fstat(fd);
            if (!stat.isRegularFile() || stat.uid() != PosixProcess.getuid()) {
                return false;
            }
            if (PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, CREATOR_LOCK_BYTE, 1) != 0) {
                return false; // its creator lives and is building it
            }
            final FileStat now = PosixFiles.lstatIfExists(path);
            return now != null && now.inode() == stat.inode() && now.deviceMajor() == stat.deviceMajor()
                && now.deviceMinor() == stat.deviceMinor() && PosixFiles.tryUnlink(path) == 0;
        } finally {
            PosixFiles.close(fd); // drops the lock
        }
    }

    /**
     * @return the descriptor, open O_RDWR; after {@link #publish()} it is the published file's.
     */
    public int fd() {
        return fd;
    }

    /**
     * @return the temporary name.
     */
    public String path() {
        return path;
    }

    /**
     * Publishes the file under its target name, if no file has that name, and releases the creator lock.
     *
     * @return true when published; false when another file was there first (EEXIST).
     * @throws NativeException when renameat2 fails otherwise.
     */
    public boolean publish() {
        try {
            PosixFiles.renameat2(path, target, PosixFiles.RENAME_NOREPLACE);
        } catch (final NativeException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
            return false;
        }
        published = true;
        PosixMemory.trySetOfdLock(fd, PosixMemory.F_UNLCK, CREATOR_LOCK_BYTE, 1);
        return true;
    }

    /**
     * Unless published: removes the temporary file and closes the descriptor. Idempotent.
     */
    public void discard() {
        if (published || discarded) {
            return;
        }
        discarded = true;
        PosixFiles.tryUnlink(path); // before closing: the lock still says the file is ours
        PosixFiles.close(fd);
    }

    private static NativeException createFailure(final String target, final String temporary, final int errno) {
        final int slash = target.lastIndexOf('/');
        final String directory = slash < 0 ? "." : slash == 0 ? "/" : target.substring(0, slash);
        final String sentence = switch (errno) {
            case Errno.ENOENT -> "the directory " + directory + " does not exist; create it or name another";
            case Errno.EACCES -> "cannot create a file in " + directory + "; check 'ls -ld " + directory
                + "' (on /dev/shm, the sticky tmpfs directory, any user may create files)";
            case Errno.ENOSPC -> directory + " is full; remove stale files (ipckit gc) or ask for less";
            case Errno.EEXIST -> "every name drawn was taken; remove the leftovers in " + directory + " (ipckit gc)";
            default -> null;
        };
        return new NativeException("open", NativeException.quote(temporary) + ", " + PosixFiles.openFlags(CREATE_FLAGS),
            errno, sentence);
    }
}
