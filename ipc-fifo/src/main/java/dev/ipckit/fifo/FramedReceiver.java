package dev.ipckit.fifo;

import java.time.Duration;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.spi.CloseGate;

/**
 * The receiving end of a FIFO or pipe: reads a non-blocking descriptor into a {@link FrameDecoder}'s native
 * buffer, as much as one {@code read(2)} returns, and hands every complete frame ({@link FrameDescriptor}) to
 * the handler straight from that buffer. Nothing is allocated per message; one read usually brings many
 * messages. A header announcing a negative length or more than maxMessageLength is a corrupt stream: a
 * {@link ChannelException} names the channel and the length, and nothing more is read.
 *
 * <p>End of file after a sender was seen means every sender has gone. Complete frames are still delivered;
 * then {@link PeerGoneException}, whose message says how many bytes of a partial last frame were discarded.
 * A FIFO receiver that has not seen a sender yet reads end of file too; it tells the two apart by poll(2):
 * the kernel reports POLLHUP on a FIFO only once a writer has come and gone since the reader opened.
 */
final class FramedReceiver implements Receiver {
    private final String uri;
    private final String name;
    private final int fd;
    private final int maxMessage;
    private final boolean spin;
    private final FrameDecoder decoder;
    private boolean writerSeen;
    private final CloseGate gate = new CloseGate();
    private boolean released;
    private PeerGoneException gone;

    /**
     * @param uri the URI the end was opened with.
     * @param name the channel as errors name it, e.g. {@code FIFO "/tmp/q.fifo"}.
     * @param fd a non-blocking descriptor open for reading; this end owns it.
     * @param options the end's options.
     * @param writerSeen true when end of file already means the sender is gone (a pipe, whose write end
     *     existed before this end).
     */
    FramedReceiver(final String uri, final String name, final int fd, final StreamOptions options,
                   final boolean writerSeen) {
        this.uri = uri;
        this.name = name;
        this.fd = fd;
        this.maxMessage = options.maxMessage();
        this.spin = options.spin();
        this.writerSeen = writerSeen;
        this.decoder = new FrameDecoder(name, uri, maxMessage);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit) {
        checkUsable(limit);
        gate.beginCallback();
        try {
            return pollOnce(handler, limit);
        } finally {
            if (gate.endCallback()) {
                release(); // the handler closed this end: release it now that the buffer is no longer read
            }
        }
    }

    private int pollOnce(final MessageHandler handler, final int limit) {
        final int delivered = decoder.deliver(handler, limit);
        if (gate.isClosed()) {
            return delivered;
        }
        if (delivered == limit) {
            return delivered;
        }
        if (gone != null) {
            if (delivered > 0) {
                return delivered;
            }
            throw new PeerGoneException(gone.reason(), gone.peerPid(), gone.getMessage(), gone);
        }
        long n = fill();
        if (n == 0 && !writerSeen && hungUp()) {
            // No writer had come when the read found the FIFO empty; one has come and gone since (POLLHUP), and
            // what it wrote is still in the FIFO: read that before calling the sender gone.
            writerSeen = true;
            n = fill();
        }
        if (n > 0) {
            writerSeen = true;
            decoder.appended((int) n);
            return delivered + decoder.deliver(handler, limit - delivered);
        }
        if (n == 0) {
            if (writerSeen) {
                gone = peerGone();
                if (delivered > 0) {
                    return delivered;
                }
                throw gone;
            }
            return delivered; // a FIFO no sender has opened yet
        }
        if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
            return delivered;
        }
        throw new NativeException("read", "fd=" + fd + " (" + name + ")", (int) -n);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit, final Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return poll(handler, limit);
        }
        final long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
        try {
            if (!gate.beginWait()) {
                throw ChannelClosedException.of("receiver", uri);
            }
            final int first = poll(handler, limit);
            if (first > 0) {
                return first;
            }
            if (gate.isClosed()) {
                throw ChannelClosedException.of("receiver", uri); // another thread closed this end meanwhile
            }
            while (true) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return 0;
                }
                Waits.await(fd, PosixPipes.POLLIN, Math.min(remaining, Waits.SLICE_NANOS), spin);
                final int delivered = poll(handler, limit); // ChannelClosedException once another thread closed it
                if (delivered > 0) {
                    return delivered;
                }
            }
        } finally {
            if (gate.endWait()) {
                release();
            }
        }
    }

    private void checkUsable(final int limit) {
        if (gate.isClosed()) {
            throw ChannelClosedException.of("receiver", uri);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " is below 1; poll delivers at least one message");
        }
    }

    /**
     * Makes room for at least the rest of the frame at the decoder's head, then reads once.
     *
     * @return bytes read, 0 at end of file, or a negative errno.
     */
    private long fill() {
        final int free = decoder.prepareRead();
        return PosixFiles.readNonBlocking(fd, decoder.segment(), decoder.tail(), free);
    }

    private boolean hungUp() {
        final int revents = PosixPipes.poll(fd, PosixPipes.POLLIN, 0);
        return revents > 0 && (revents & PosixPipes.POLLHUP) != 0;
    }

    private PeerGoneException peerGone() {
        return new PeerGoneException(decoder.partialBytes() > 0 ? PeerGoneException.Reason.CUT : PeerGoneException.Reason.CLOSED,
            0, "the sender of " + name + " ('" + uri + "') is gone: end of file, so every "
            + "process that had it open for writing has closed it or died; every whole message was delivered"
            + decoder.discardPartial());
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public int maxMessageLength() {
        return maxMessage;
    }

    @Override
    public boolean isPeerAlive() {
        if (gate.isClosed()) {
            throw ChannelClosedException.of("receiver", uri);
        }
        if (gone != null) {
            return false;
        }
        return !hungUp();
    }

    @Override
    public boolean isClosed() {
        return gate.isClosed();
    }

    /**
     * Closes the descriptor and frees the buffer. Idempotent. Called from this receiver's handler, it stops the
     * poll after that message and releases everything when the poll returns; called from another thread while
     * this receiver waits in a timed poll, it ends that wait (the poll throws {@link ChannelClosedException})
     * and closes the descriptor once the waiting thread has left it, within one {@link Waits#SLICE_NANOS}.
     */
    @Override
    public void close() {
        if (gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS)) {
            release();
        } else if (gate.isClosed()) {
            decoder.stop(); // a no-op unless called from this receiver's own handler
        }
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            PosixFiles.close(fd);
        } finally {
            decoder.close();
        }
    }

    @Override
    public String toString() {
        return "receiver " + uri;
    }
}
