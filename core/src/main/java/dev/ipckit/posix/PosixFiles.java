package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.StringJoiner;

/**
 * Files and descriptors: open, close, read, write, unlink, statx, ftruncate, fallocate, fcntl, renameat2,
 * chmod and fchmod.
 *
 * <p>Two conventions. Calls named after the C function throw {@link NativeException} on failure. Calls
 * whose failure is an expected outcome ({@code tryOpen}, {@link #read}, {@link #write}) return the result
 * or a negative errno, and never allocate, so hot paths can test {@code -EAGAIN} without an exception.
 */
public final class PosixFiles {
    /** Open for reading only. */
    public static final int O_RDONLY = 0;
    /** Open for writing only. */
    public static final int O_WRONLY = 1;
    /** Open for reading and writing. */
    public static final int O_RDWR = 2;
    /** Create the file if absent. */
    public static final int O_CREAT = 0100;
    /** With O_CREAT: fail with EEXIST if the file exists. */
    public static final int O_EXCL = 0200;
    /** Truncate to zero length. */
    public static final int O_TRUNC = 01000;
    /** Non-blocking I/O (O_NDELAY). */
    public static final int O_NONBLOCK = 04000;
    /** Fail with ELOOP if the last path component is a symbolic link. */
    public static final int O_NOFOLLOW = Native.AARCH64 ? 0100000 : 0400000;
    /** Fail with ENOTDIR unless the path is a directory. */
    public static final int O_DIRECTORY = Native.AARCH64 ? 040000 : 0200000;
    /** Close on exec. */
    public static final int O_CLOEXEC = 02000000;
    /**
     * A descriptor that only names the file (for fstat, and for chmod through {@code /proc/self/fd/N}) without
     * opening it for reading or writing: opening a FIFO so neither blocks nor counts as a reader or writer.
     */
    public static final int O_PATH = 010000000;

    /** fcntl: duplicate to the lowest free descriptor at or above the argument, close-on-exec. */
    public static final int F_DUPFD_CLOEXEC = 1030;
    /** fcntl: read the descriptor flags (FD_CLOEXEC). */
    public static final int F_GETFD = 1;
    /** fcntl: set the descriptor flags (FD_CLOEXEC). */
    public static final int F_SETFD = 2;
    /** fcntl: read the file status flags (O_NONBLOCK, access mode). */
    public static final int F_GETFL = 3;
    /** fcntl: set the file status flags. */
    public static final int F_SETFL = 4;
    /** Descriptor flag: close on exec. */
    public static final int FD_CLOEXEC = 1;

    /** Directory descriptor meaning the current directory. */
    public static final int AT_FDCWD = -100;
    /** statx: do not follow a final symbolic link. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** statx: operate on the descriptor itself when the path is empty. */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** renameat2: fail with EEXIST rather than replace the target. */
    public static final int RENAME_NOREPLACE = 1;

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long STATX_SIZE = 256;

    private static final MethodHandle OPEN = Native.errnoCall("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Native.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = Native.errnoCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Native.errnoCall("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ_NB = Native.errnoCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle WRITE_NB = Native.errnoCall("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
    // The same two calls taking the buffer as a raw address, so that a caller can read or write at an offset
    // in its segment without allocating a slice per call. A pointer and a long travel alike in the C ABI.
    private static final MethodHandle READ_AT = Native.errnoCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle READ_NB_AT = Native.errnoCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle WRITE_NB_AT = Native.errnoCall("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle UNLINK = Native.errnoCall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STATX = Native.errnoCall("statx",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FTRUNCATE = Native.errnoCall("ftruncate",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FCNTL_INT = Native.errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
        Linker.Option.critical(false));
    private static final MethodHandle RENAMEAT2 = Native.errnoCall("renameat2",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CHMOD = Native.errnoCall("chmod",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCHMOD = Native.errnoCall("fchmod",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = Native.errnoCall("fallocate",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** The empty C string statx needs with AT_EMPTY_PATH, allocated once. */
    private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");
    private static final int STATX_SIZE_MASK = 0x200;

    private PosixFiles() {
    }

    /**
     * open(2), throwing on failure.
     *
     * @param path the file.
     * @param flags O_* flags.
     * @param mode permission bits when creating.
     * @return the new descriptor.
     */
    public static int open(final String path, final int flags, final int mode) {
        final int fd = tryOpen(path, flags, mode);
        if (fd < 0) {
            throw new NativeException("open", NativeException.quote(path) + ", " + openFlags(flags), -fd);
        }
        return fd;
    }

    /**
     * open(2) without an exception: may block when the flags allow it (a FIFO without O_NONBLOCK).
     *
     * @param path the file.
     * @param flags O_* flags.
     * @param mode permission bits when creating.
     * @return the new descriptor, or a negative errno.
     */
    public static int tryOpen(final String path, final int flags, final int mode) {
        try (Arena arena = Arena.ofConfined()) {
            final int fd = (int) OPEN.invokeExact(Native.state(), arena.allocateFrom(path), flags, mode);
            return fd < 0 ? -Native.errno() : fd;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * close(2). EINTR is not retried (on Linux the descriptor is released anyway).
     *
     * @param fd the descriptor.
     */
    public static void close(final int fd) {
        final int r;
        try {
            r = (int) CLOSE.invokeExact(Native.state(), fd);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            final int errno = Native.errno();
            if (errno != Errno.EINTR) {
                throw new NativeException("close", "fd=" + fd, errno);
            }
        }
    }

    /**
     * read(2); may block on a blocking descriptor.
     *
     * @param fd the descriptor.
     * @param buffer native memory to fill.
     * @param length at most this many bytes.
     * @return bytes read (0 at end of file), or a negative errno.
     */
    public static long read(final int fd, final MemorySegment buffer, final long length) {
        try {
            final long n = (long) READ.invokeExact(Native.state(), fd, buffer, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * write(2); may block on a blocking descriptor.
     *
     * @param fd the descriptor.
     * @param buffer native memory to write from.
     * @param length at most this many bytes.
     * @return bytes written, or a negative errno.
     */
    public static long write(final int fd, final MemorySegment buffer, final long length) {
        try {
            final long n = (long) WRITE.invokeExact(Native.state(), fd, buffer, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * {@link #read(int, MemorySegment, long)} into {@code buffer} at {@code offset}, without allocating a slice; may
     * block on a blocking descriptor (linked as a call that may block, so the JVM reaches safepoints meanwhile).
     *
     * @param fd the descriptor.
     * @param buffer native memory, kept open by the caller for the duration of the call.
     * @param offset where in {@code buffer} the bytes go.
     * @param length at most this many bytes; {@code offset + length} must lie within {@code buffer}.
     * @return bytes read (0 at end of file), or a negative errno ({@code -EINTR} when a signal ended the wait).
     * @throws IndexOutOfBoundsException when the range lies outside {@code buffer}.
     * @throws IllegalArgumentException when {@code buffer} is not native memory.
     */
    public static long read(final int fd, final MemorySegment buffer, final long offset, final long length) {
        final long address = addressOf(buffer, offset, length);
        try {
            final long n = (long) READ_AT.invokeExact(Native.state(), fd, address, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * read(2) on a descriptor with O_NONBLOCK set, linked as a critical call (no thread-state transition).
     * Never use it on a blocking descriptor.
     *
     * @param fd a non-blocking descriptor.
     * @param buffer native memory to fill.
     * @param length at most this many bytes.
     * @return bytes read (0 at end of file), or a negative errno ({@code -EAGAIN} when empty).
     */
    public static long readNonBlocking(final int fd, final MemorySegment buffer, final long length) {
        try {
            final long n = (long) READ_NB.invokeExact(Native.state(), fd, buffer, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * write(2) on a descriptor with O_NONBLOCK set, linked as a critical call. Never use it on a blocking
     * descriptor.
     *
     * @param fd a non-blocking descriptor.
     * @param buffer native memory to write from.
     * @param length at most this many bytes.
     * @return bytes written, or a negative errno ({@code -EAGAIN} when full, {@code -EPIPE} with no reader).
     */
    public static long writeNonBlocking(final int fd, final MemorySegment buffer, final long length) {
        try {
            final long n = (long) WRITE_NB.invokeExact(Native.state(), fd, buffer, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * {@link #readNonBlocking(int, MemorySegment, long)} into {@code buffer} at {@code offset}, without
     * allocating a slice. Never use it on a blocking descriptor.
     *
     * @param fd a non-blocking descriptor.
     * @param buffer native memory, kept open by the caller for the duration of the call.
     * @param offset where in {@code buffer} the bytes go.
     * @param length at most this many bytes; {@code offset + length} must lie within {@code buffer}.
     * @return bytes read (0 at end of file), or a negative errno ({@code -EAGAIN} when empty).
     * @throws IndexOutOfBoundsException when the range lies outside {@code buffer}.
     * @throws IllegalArgumentException when {@code buffer} is not native memory.
     */
    public static long readNonBlocking(final int fd, final MemorySegment buffer, final long offset, final long length) {
        final long address = addressOf(buffer, offset, length);
        try {
            final long n = (long) READ_NB_AT.invokeExact(Native.state(), fd, address, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * {@link #writeNonBlocking(int, MemorySegment, long)} from {@code buffer} at {@code offset}, without
     * allocating a slice. Never use it on a blocking descriptor.
     *
     * @param fd a non-blocking descriptor.
     * @param buffer native memory, kept open by the caller for the duration of the call.
     * @param offset where in {@code buffer} the bytes start.
     * @param length at most this many bytes; {@code offset + length} must lie within {@code buffer}.
     * @return bytes written, or a negative errno ({@code -EAGAIN} when full, {@code -EPIPE} with no reader).
     * @throws IndexOutOfBoundsException when the range lies outside {@code buffer}.
     * @throws IllegalArgumentException when {@code buffer} is not native memory.
     */
    public static long writeNonBlocking(final int fd, final MemorySegment buffer, final long offset, final long length) {
        final long address = addressOf(buffer, offset, length);
        try {
            final long n = (long) WRITE_NB_AT.invokeExact(Native.state(), fd, address, length);
            return n < 0 ? -Native.errno() : n;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static long addressOf(final MemorySegment buffer, final long offset, final long length) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("buffer is on the Java heap; read and write at an offset need native memory");
        }
        java.util.Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        return buffer.address() + offset;
    }

    /**
     * unlink(2), throwing on failure.
     *
     * @param path the file to remove.
     */
    public static void unlink(final String path) {
        final int r = tryUnlink(path);
        if (r < 0) {
            throw new NativeException("unlink", NativeException.quote(path), -r);
        }
    }

    /**
     * unlink(2) without an exception.
     *
     * @param path the file to remove.
     * @return 0, or a negative errno ({@code -ENOENT} when already gone).
     */
    public static int tryUnlink(final String path) {
        try (Arena arena = Arena.ofConfined()) {
            final int r = (int) UNLINK.invokeExact(Native.state(), arena.allocateFrom(path));
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * fstat through statx(2) with AT_EMPTY_PATH.
     *
     * @param fd the descriptor.
     * @return what the kernel says of the open file.
     */
    public static FileStat fstat(final int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return statx(arena, fd, "", AT_EMPTY_PATH, "fd=" + fd);
        }
    }

    /**
     * lstat through statx(2) with AT_SYMLINK_NOFOLLOW: a symbolic link is described, not followed.
     *
     * @param path the file.
     * @return what the kernel says of the path.
     */
    public static FileStat lstat(final String path) {
        try (Arena arena = Arena.ofConfined()) {
            return statx(arena, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, NativeException.quote(path));
        }
    }

    /**
     * lstat without an exception for a missing path.
     *
     * @param path the file.
     * @return what the kernel says of the path, or null when nothing is there (ENOENT).
     */
    public static FileStat lstatIfExists(final String path) {
        try {
            return lstat(path);
        } catch (final NativeException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The size of an open file, through statx(2) with AT_EMPTY_PATH into the calling thread's scratch segment:
     * allocates nothing, so it suits periodic checks on message paths (has a shared file shrunk?).
     *
     * @param fd the descriptor.
     * @return the size in bytes, or a negative errno.
     */
    public static long fileSize(final int fd) {
        final MemorySegment buffer = Native.scratch();
        try {
            final int r = (int) STATX.invokeExact(Native.state(), fd, EMPTY_PATH, AT_EMPTY_PATH, STATX_SIZE_MASK,
                buffer);
            return r < 0 ? -Native.errno() : buffer.get(JAVA_LONG, 40);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static FileStat statx(final Arena arena, final int dirfd, final String path, final int flags,
                                  final String argument) {
        final MemorySegment buffer = arena.allocate(STATX_SIZE, 8);
        final int r;
        try {
            r = (int) STATX.invokeExact(Native.state(), dirfd, arena.allocateFrom(path), flags, STATX_BASIC_STATS, buffer);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("statx", argument, Native.errno());
        }
        // struct statx: stx_nlink@16 stx_uid@20 stx_gid@24 stx_mode(u16)@28 stx_ino@32 stx_size@40
        // stx_dev_major@136 stx_dev_minor@140
        return new FileStat(
            Short.toUnsignedInt(buffer.get(JAVA_SHORT, 28)),
            buffer.get(JAVA_INT, 20),
            buffer.get(JAVA_INT, 24),
            buffer.get(JAVA_LONG, 40),
            buffer.get(JAVA_LONG, 32),
            buffer.get(JAVA_INT, 136),
            buffer.get(JAVA_INT, 140),
            buffer.get(JAVA_INT, 16));
    }

    /**
     * ftruncate(2).
     *
     * @param fd the descriptor.
     * @param length the new size in bytes.
     */
    public static void ftruncate(final int fd, final long length) {
        final int r;
        try {
            r = (int) FTRUNCATE.invokeExact(Native.state(), fd, length);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("ftruncate", "fd=" + fd + ", " + length, Native.errno());
        }
    }

    /**
     * fchmod(2): sets the permission bits of an open file exactly, whatever the umask was when it was created.
     *
     * @param fd the descriptor (not an {@link #O_PATH} one: use {@link #chmod} on {@code /proc/self/fd/N} then).
     * @param mode the permission bits, e.g. 0600.
     */
    public static void fchmod(final int fd, final int mode) {
        final int r;
        try {
            r = (int) FCHMOD.invokeExact(Native.state(), fd, mode);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("fchmod", "fd=" + fd + ", 0" + Integer.toOctalString(mode), Native.errno());
        }
    }

    /**
     * chmod(2). It follows symbolic links, so give it a path that cannot be one: {@code /proc/self/fd/N} of a
     * descriptor opened with {@code O_PATH|O_NOFOLLOW} changes exactly the file that descriptor names.
     *
     * @param path the file.
     * @param mode the permission bits, e.g. 0600.
     */
    public static void chmod(final String path, final int mode) {
        final int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) CHMOD.invokeExact(Native.state(), arena.allocateFrom(path), mode);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("chmod", NativeException.quote(path) + ", 0" + Integer.toOctalString(mode),
                Native.errno());
        }
    }

    /**
     * fallocate(2) without an exception: reserves the blocks (or tmpfs pages) of a byte range now, so that a full
     * file system is an error here rather than a SIGBUS at the first touch of a shared mapping.
     *
     * @param fd the descriptor, open for writing.
     * @param mode 0 to allocate and extend the file as needed.
     * @param offset first byte.
     * @param length bytes to allocate.
     * @return 0, or a negative errno ({@code -EOPNOTSUPP} where the file system cannot, {@code -ENOSPC} when full).
     */
    public static int tryFallocate(final int fd, final int mode, final long offset, final long length) {
        try {
            final int r = (int) FALLOCATE.invokeExact(Native.state(), fd, mode, offset, length);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * fcntl(2) with an int argument, without an exception.
     *
     * @param fd the descriptor.
     * @param command an F_* command taking an int.
     * @param argument the int argument.
     * @return the command's result, or a negative errno.
     */
    public static int tryFcntl(final int fd, final int command, final int argument) {
        try {
            final int r = (int) FCNTL_INT.invokeExact(Native.state(), fd, command, argument);
            return r < 0 ? -Native.errno() : r;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * fcntl(2) with an int argument, throwing on failure.
     *
     * @param fd the descriptor.
     * @param command an F_* command taking an int.
     * @param argument the int argument.
     * @return the command's result.
     */
    public static int fcntl(final int fd, final int command, final int argument) {
        final int r = tryFcntl(fd, command, argument);
        if (r < 0) {
            throw new NativeException("fcntl", "fd=" + fd + ", cmd=" + command + ", " + argument, -r);
        }
        return r;
    }

    /**
     * Sets or clears O_NONBLOCK on a descriptor.
     *
     * @param fd the descriptor.
     * @param nonBlocking whether reads and writes return EAGAIN instead of blocking.
     */
    public static void setNonBlocking(final int fd, final boolean nonBlocking) {
        final int flags = fcntl(fd, F_GETFL, 0);
        final int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted != flags) {
            fcntl(fd, F_SETFL, wanted);
        }
    }

    /**
     * Sets or clears close-on-exec on a descriptor.
     *
     * @param fd the descriptor.
     * @param closeOnExec whether exec closes it.
     */
    public static void setCloseOnExec(final int fd, final boolean closeOnExec) {
        fcntl(fd, F_SETFD, closeOnExec ? FD_CLOEXEC : 0);
    }

    /**
     * renameat2(2) relative to the current directory, throwing on failure.
     *
     * @param from the existing name.
     * @param to the new name.
     * @param flags e.g. {@link #RENAME_NOREPLACE}.
     */
    public static void renameat2(final String from, final String to, final int flags) {
        final int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) RENAMEAT2.invokeExact(Native.state(), AT_FDCWD, arena.allocateFrom(from), AT_FDCWD,
                arena.allocateFrom(to), flags);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            final int errno = Native.errno();
            throw new NativeException("renameat2", NativeException.quote(from) + ", " + NativeException.quote(to)
                + ((flags & RENAME_NOREPLACE) != 0 ? ", RENAME_NOREPLACE" : ""), errno,
                errno == Errno.EEXIST ? "the target already exists; RENAME_NOREPLACE never replaces it" : null);
        }
    }

    /**
     * Renders open flags as C source would, e.g. {@code O_WRONLY|O_NONBLOCK}.
     *
     * @param flags O_* flags.
     * @return the flags as text.
     */
    public static String openFlags(final int flags) {
        final StringJoiner text = new StringJoiner("|");
        text.add(switch (flags & 3) {
            case O_WRONLY -> "O_WRONLY";
            case O_RDWR -> "O_RDWR";
            default -> "O_RDONLY";
        });
        if ((flags & O_CREAT) != 0) {
            text.add("O_CREAT");
        }
        if ((flags & O_EXCL) != 0) {
            text.add("O_EXCL");
        }
        if ((flags & O_TRUNC) != 0) {
            text.add("O_TRUNC");
        }
        if ((flags & O_NONBLOCK) != 0) {
            text.add("O_NONBLOCK");
        }
        if ((flags & O_NOFOLLOW) != 0) {
            text.add("O_NOFOLLOW");
        }
        if ((flags & O_DIRECTORY) != 0) {
            text.add("O_DIRECTORY");
        }
        if ((flags & O_CLOEXEC) != 0) {
            text.add("O_CLOEXEC");
        }
        if ((flags & O_PATH) != 0) {
            text.add("O_PATH");
        }
        return text.toString();
    }
}
