package dev.ipckit.fifo;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.spi.ChannelProvider;

/**
 * The {@code pipe:} transport: an anonymous-pipe end this process inherited, by descriptor number, such as
 * the ends {@link ChildProcess#start} puts on descriptors 3, 4, ... of a child.
 *
 * <pre>
 * Receiver fromParent = Channels.openReceiver("pipe:fd=3");   // the read end on descriptor 3
 * Sender toParent = Channels.openSender("pipe:fd=4");         // the write end on descriptor 4
 * </pre>
 *
 * <p>{@code openSender} wants a write end and {@code openReceiver} a read end; the wrong one, a closed
 * descriptor or one that is not a pipe is refused with a sentence saying what is there. The channel takes
 * the descriptor over: it sets O_NONBLOCK and close-on-exec on it and closes it on close. Options:
 * {@code maxMessage=} (both ends must agree), {@code producers=}, {@code wait=}, {@code capacity=},
 * {@code stall=}, as for {@code fifo:} ({@link FifoConfiguration}).
 */
public final class PipeChannelProvider implements ChannelProvider {
    /** The URI scheme, {@value}. */
    public static final String SCHEME = "pipe";

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public PipeChannelProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Sender openSender(final ChannelUri uri) {
        final StreamOptions options = StreamOptions.parse(uri, StreamOptions.PIPE);
        final int fd = adopt(uri, PosixFiles.O_WRONLY, options);
        return new FramedSender(uri.uri(), name(fd), fd, options);
    }

    @Override
    public Receiver openReceiver(final ChannelUri uri) {
        final StreamOptions options = StreamOptions.parse(uri, StreamOptions.PIPE);
        final int fd = adopt(uri, PosixFiles.O_RDONLY, options);
        return new FramedReceiver(uri.uri(), name(fd), fd, options, true);
    }

    static String name(final int fd) {
        return "the pipe on fd " + fd;
    }

    private static int adopt(final ChannelUri uri, final int access, final StreamOptions options) {
        final int fd = descriptor(uri);
        final String role = access == PosixFiles.O_WRONLY ? "sender" : "receiver";
        final int flags = PosixFiles.tryFcntl(fd, PosixFiles.F_GETFL, 0);
        if (flags < 0) {
            throw new NativeException("fcntl", "fd=" + fd + ", F_GETFL", -flags, -flags == Errno.EBADF
                ? "descriptor " + fd + " is not open in this process; a child started by ChildProcess.start has its "
                + "pipe ends on descriptors 3, 4, ... in the order they were given" : null);
        }
        final FileStat stat = PosixFiles.fstat(fd);
        if (!stat.isFifo()) {
            throw new ChannelException("'" + uri.uri() + "': descriptor " + fd + " is " + stat.typeName()
                + ", not a pipe; pass the descriptor a parent handed over as a pipe end");
        }
        final int mode = flags & 3;
        if (mode != access && mode != PosixFiles.O_RDWR) {
            throw new ChannelException("'" + uri.uri() + "': descriptor " + fd + " is the "
                + (mode == PosixFiles.O_RDONLY ? "read" : "write") + " end of a pipe, so it cannot be a " + role
                + "; open it with Channels." + (mode == PosixFiles.O_RDONLY ? "openReceiver" : "openSender"));
        }
        if (options.capacity() > 0) {
            PosixPipes.setPipeSize(fd, options.capacity());
        }
        PosixFiles.setNonBlocking(fd, true);
        PosixFiles.setCloseOnExec(fd, true);
        return fd;
    }

    private static int descriptor(final ChannelUri uri) {
        final String path = uri.path();
        if (!path.startsWith("fd=")) {
            throw new IllegalArgumentException("'" + uri.uri() + "' names no descriptor; write pipe:fd=N, e.g. pipe:fd=3");
        }
        final String number = path.substring(3);
        try {
            final int fd = Integer.parseInt(number);
            if (fd < 0) {
                throw new NumberFormatException();
            }
            return fd;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("fd=" + number + " in '" + uri.uri() + "' is not a descriptor number");
        }
    }
}
