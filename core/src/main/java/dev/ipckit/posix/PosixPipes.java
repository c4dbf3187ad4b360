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
import java.nio.file.Path;

/**
 * FIFOs and pipes: mkfifo, pipe2, poll, the pipe buffer size (F_GETPIPE_SZ/F_SETPIPE_SZ) and FIONREAD.
 */
public final class PosixPipes {
    /** poll: data to read. */
    public static final short POLLIN = 0x001;
    /** poll: room to write. */
    public static final short POLLOUT = 0x004;
    /** poll: error condition (the read end of a pipe closed, for a writer). */
    public static final short POLLERR = 0x008;
    /** poll: hang-up (every writer closed, for a reader). */
    public static final short POLLHUP = 0x010;
    /** poll: invalid descriptor. */
    public static final short POLLNVAL = 0x020;
    /** fcntl: set the pipe buffer size. */
    public static final int F_SETPIPE_SZ = 1031;
    /** fcntl: read the pipe buffer size. */
    public static final int F_GETPIPE_SZ = 1032;
    /** Writes of at most this many bytes to a pipe are atomic. */
    public static final int PIPE_BUF = 4096;
    /** The kernel's limit on F_SETPIPE_SZ for unprivileged processes. */
    public static final Path PIPE_MAX_SIZE = Path.of("/proc/sys/fs/pipe-max-size");

    private static final long FIONREAD = 0x541B;

    private static final MethodHandle MKFIFO = Native.errnoCall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PIPE2 = Native.errnoCall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = Native.errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle IOCTL_PTR = Native.errnoCall("ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));

    private PosixPipes() {
    }

    /**
     * mkfifo(3) without an exception.
     *
     * @param path where to create the FIFO.
     * @param mode permission bits (before umask), e.g. 0600.
     * @return 0, or a negative errno ({@code -EEXIST} when something is already there).
     */
    public static int tryMkfifo(final String path, final int mode) {
        try (Arena arena = Arena.ofConfined()) {
            final int r = (int) MKFIFO.invokeExact(Native.state(), arena.allocateFrom(path), mode);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * mkfifo(3), throwing on failure.
     *
     * @param path where to create the FIFO.
     * @param mode permission bits (before umask), e.g. 0600.
     */
    public static void mkfifo(final String path, final int mode) {
        final int r = tryMkfifo(path, mode);
        if (r < 0) {
            throw new NativeException("mkfifo", NativeException.quote(path) + ", 0" + Integer.toOctalString(mode), -r);
        }
    }

    /**
     * pipe2(2).
     *
     * @param flags O_CLOEXEC and/or O_NONBLOCK.
     * @return {read end, write end}.
     */
    public static int[] pipe2(final int flags) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment fds = arena.allocate(JAVA_INT, 2);
            final int r = (int) PIPE2.invokeExact(Native.state(), fds, flags);
            if (r < 0) {
                throw new NativeException("pipe2", PosixFiles.openFlags(flags), Native.errno());
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (final NativeException e) {
            throw e;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * poll(2) on one descriptor. Allocates nothing.
     *
     * @param fd the descriptor.
     * @param events POLLIN and/or POLLOUT.
     * @param timeoutMillis -1 to wait for ever, 0 to return at once.
     * @return the revents bits (0 on timeout), or a negative errno ({@code -EINTR} when interrupted).
     */
    public static int poll(final int fd, final short events, final int timeoutMillis) {
        final MemorySegment pollfd = Native.scratch();
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, events);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        try {
            final int r = (int) POLL.invokeExact(Native.state(), pollfd, 1L, timeoutMillis);
            if (r < 0) {
                return -Native.errno();
            }
            return r == 0 ? 0 : Short.toUnsignedInt(pollfd.get(JAVA_SHORT, 6));
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * The pipe buffer size of a pipe or FIFO descriptor.
     *
     * @param fd the descriptor.
     * @return the capacity in bytes.
     */
    public static int pipeSize(final int fd) {
        final int r = PosixFiles.tryFcntl(fd, F_GETPIPE_SZ, 0);
        if (r < 0) {
            throw new NativeException("fcntl", "fd=" + fd + ", F_GETPIPE_SZ", -r);
        }
        return r;
    }

    /**
     * Sets the pipe buffer size. EPERM (above pipe-max-size without CAP_SYS_RESOURCE) gets a sentence naming
     * {@code /proc/sys/fs/pipe-max-size} and its value.
     *
     * @param fd the descriptor.
     * @param bytes the wanted capacity; the kernel rounds it up to a power-of-two number of pages.
     * @return the capacity the kernel set.
     */
    public static int setPipeSize(final int fd, final int bytes) {
        final int r = PosixFiles.tryFcntl(fd, F_SETPIPE_SZ, bytes);
        if (r < 0) {
            final int errno = -r;
            String sentence = null;
            if (errno == Errno.EPERM) {
                sentence = bytes + " bytes is above " + PIPE_MAX_SIZE + " (" + pipeMaxSize() + ") for an unprivileged "
                    + "process; ask for less, or raise it with 'sysctl fs.pipe-max-size=" + bytes + "'";
            } else if (errno == Errno.EBUSY) {
                sentence = "the pipe holds more data than " + bytes + " bytes; set the size before sending";
            }
            throw new NativeException("fcntl", "fd=" + fd + ", F_SETPIPE_SZ, " + bytes, errno, sentence);
        }
        return r;
    }

    /**
     * @return the value of /proc/sys/fs/pipe-max-size, or -1 when it cannot be read.
     */
    public static int pipeMaxSize() {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(PIPE_MAX_SIZE).trim());
        } catch (final java.io.IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * ioctl(FIONREAD): how many bytes wait in a pipe or FIFO.
     *
     * @param fd the descriptor.
     * @return bytes queued.
     */
    public static int bytesQueued(final int fd) {
        final MemorySegment count = Native.scratch();
        final int r;
        try {
            r = (int) IOCTL_PTR.invokeExact(Native.state(), fd, FIONREAD, count);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("ioctl", "fd=" + fd + ", FIONREAD", Native.errno());
        }
        return count.get(JAVA_INT, 0);
    }
}
