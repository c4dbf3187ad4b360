package dev.ipckit.fifo;

import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;

/**
 * Anonymous pipes between threads of one process: a connected {@link Sender} and {@link Receiver} over
 * {@code pipe2(O_CLOEXEC|O_NONBLOCK)}, framed as {@link FrameDescriptor} says.
 *
 * <pre>{@code
 * try (Pipes.Pair pipe = Pipes.open("maxMessage=64k")) {
 *     pipe.sender().offer(buffer, 0, length, Duration.ofSeconds(1));      // one thread
 *     pipe.receiver().poll(handler, 10, Duration.ofSeconds(1));          // another thread
 * }
 * }</pre>
 *
 * <p>To hand a pipe end to a child process, use {@link ChildPipe} and {@link ChildProcess} instead.
 */
public final class Pipes {
    private Pipes() {
    }

    /**
     * A connected pair of ends. Each end is used by one thread at a time; closing the sender makes the
     * receiver drain and then throw {@link dev.ipckit.PeerGoneException}, and closing the receiver makes
     * the sender throw it.
     *
     * @param sender the write end.
     * @param receiver the read end.
     */
    public record Pair(Sender sender, Receiver receiver) implements AutoCloseable {
        /**
         * Closes both ends.
         */
        @Override
        public void close() {
            try {
                sender.close();
            } finally {
                receiver.close();
            }
        }
    }

    /**
     * Opens a pipe with the default options (1 MiB messages, the kernel's 64 KiB buffer, {@code wait=block}).
     *
     * @return the connected pair.
     */
    public static Pair open() {
        return open("");
    }

    /**
     * Opens a pipe.
     *
     * @param options URI options as for {@code pipe:} (see {@link FifoConfiguration}), e.g.
     *     {@code "capacity=1m&maxMessage=256k&wait=spin"}; empty for the defaults.
     * @return the connected pair.
     * @throws IllegalArgumentException naming a bad option, before anything is opened.
     */
    public static Pair open(final String options) {
        final StreamOptions parsed = parse(options);
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC | PosixFiles.O_NONBLOCK);
        FramedSender sender = null;
        try {
            if (parsed.capacity() > 0) {
                PosixPipes.setPipeSize(fds[1], parsed.capacity());
            }
            sender = new FramedSender(uri(fds[1], options), PipeChannelProvider.name(fds[1]), fds[1], parsed);
            return new Pair(sender, new FramedReceiver(uri(fds[0], options), PipeChannelProvider.name(fds[0]), fds[0],
                parsed, true));
        } catch (final RuntimeException e) {
            if (sender != null) {
                sender.close();
            } else {
                PosixFiles.close(fds[1]);
            }
            PosixFiles.close(fds[0]);
            throw e;
        }
    }

    static StreamOptions parse(final String options) {
        return StreamOptions.parse(ChannelUri.parse(uri(-1, options)), StreamOptions.PIPE);
    }

    static String uri(final int fd, final String options) {
        return PipeChannelProvider.SCHEME + ":" + (fd < 0 ? "pair" : "fd=" + fd)
            + (options == null || options.isEmpty() ? "" : "?" + options);
    }
}
