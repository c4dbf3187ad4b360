package dev.ipckit.fifo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;

/**
 * The receiving end of a FIFO or pipe: reads a non-blocking descriptor into a native buffer, as much as one
 * {@code read(2)} returns, and hands every complete frame ({@link FrameDescriptor}) to the handler straight
 * from that buffer. Nothing is allocated per message; one read usually brings many messages.
 *
 * <pre>
 *   buffer:  [ consumed | complete frames ... | partial frame | free ]
 *            0          head                                  tail   capacity
 * </pre>
 *
 * <p>The buffer starts at 64 KiB and grows, up to one frame of maxMessageLength, when a frame's header
 * announces more than fits. A header announcing a negative length or more than maxMessageLength is a
 * corrupt stream: a {@link ChannelException} names the channel and the length, and nothing more is read.
 *
 * <p>End of file after a sender was seen means every sender has gone. Complete frames are still delivered;
 * then {@link PeerGoneException}, whose message says how many bytes of a partial last frame were discarded.
 * A FIFO receiver that has not seen a sender yet reads end of file too; it tells the two apart by poll(2):
 * the kernel reports POLLHUP on a FIFO only once a writer has come and gone since the reader opened.
 */
final class FramedReceiver implements Receiver {
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final String uri;
    private final String name;
    private final int fd;
    private final int maxMessage;
    private final boolean spin;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private Arena arena;
    private MemorySegment segment;
    private int capacity;
    private int head;
    private int tail;
    private boolean writerSeen;
    private boolean closed;
    private PeerGoneException gone;
    private ChannelException corrupt;

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
        resize(Math.max(FrameDescriptor.PIPE_BUF, Math.min(INITIAL_BUFFER, FrameDescriptor.frameLength(maxMessage))));
    }

    @Override
    public int poll(final MessageHandler handler, final int limit) {
        checkUsable(limit);
        int delivered = deliver(handler, limit);
        if (delivered == limit) {
            return delivered;
        }
        if (gone != null) {
            if (delivered > 0) {
                return delivered;
            }
            throw new PeerGoneException(gone.getMessage(), gone);
        }
        final long n = fill();
        if (n > 0) {
            writerSeen = true;
            tail += (int) n;
            return delivered + deliver(handler, limit - delivered);
        }
        if (n == 0) {
            if (writerSeen || hungUp()) {
                writerSeen = true;
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
        while (true) {
            final int delivered = poll(handler, limit);
            if (delivered > 0) {
                return delivered;
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return 0;
            }
            Waits.await(fd, PosixPipes.POLLIN, remaining, spin);
        }
    }

    private void checkUsable(final int limit) {
        if (closed) {
            throw ChannelClosedException.of("receiver", uri);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " is below 1; poll delivers at least one message");
        }
        if (corrupt != null) {
            throw new ChannelException(corrupt.getMessage(), corrupt);
        }
    }

    /**
     * Hands complete frames to the handler, up to {@code limit}. The frame is consumed before the handler
     * runs, so a handler that throws does not see the same message again.
     */
    private int deliver(final MessageHandler handler, final int limit) {
        int count = 0;
        while (count < limit) {
            final int available = tail - head;
            if (available < FrameDescriptor.HEADER_LENGTH) {
                break;
            }
            final int length = frameLength();
            if (available - FrameDescriptor.HEADER_LENGTH < length) {
                break;
            }
            final int payload = FrameDescriptor.payloadOffset(head);
            head = payload + length;
            count++;
            handler.onMessage(view, payload, length);
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return count;
    }

    /**
     * @return the payload length in the header at {@code head}, checked against maxMessageLength.
     */
    private int frameLength() {
        final int length = view.getInt(FrameDescriptor.lengthOffset(head), FrameDescriptor.BYTE_ORDER);
        if (length < 0 || length > maxMessage) {
            corrupt = new ChannelException(name + " ('" + uri + "') is corrupt: a frame header announces length="
                + length + ", outside 0..maxMessageLength=" + maxMessage + "; either something other than an ipckit "
                + "sender wrote to it, or the sender uses a larger maxMessage= than this receiver. Nothing more is "
                + "read from it: close both ends, and give both the same maxMessage=");
            throw corrupt;
        }
        return length;
    }

    /**
     * Makes room after {@code tail} for at least the rest of the frame at {@code head}, then reads once.
     *
     * @return bytes read, 0 at end of file, or a negative errno.
     */
    private long fill() {
        final int buffered = tail - head;
        final int needed = buffered >= FrameDescriptor.HEADER_LENGTH
            ? FrameDescriptor.frameLength(frameLength()) : FrameDescriptor.HEADER_LENGTH;
        if (needed > capacity) {
            resize((int) Math.min(FrameDescriptor.frameLength(maxMessage), Math.max(needed, 2L * capacity)));
        } else if (head > 0 && (head + needed > capacity || capacity - tail < capacity / 4)) {
            MemorySegment.copy(segment, head, segment, 0, buffered);
            head = 0;
            tail = buffered;
        }
        return PosixFiles.readNonBlocking(fd, segment, tail, capacity - tail);
    }

    private void resize(final int bytes) {
        final Arena next = Arena.ofShared();
        final MemorySegment grown = next.allocate(bytes, 64);
        if (segment != null) {
            MemorySegment.copy(segment, head, grown, 0, tail - head);
            tail -= head;
            head = 0;
            arena.close();
        }
        arena = next;
        segment = grown;
        capacity = bytes;
        view.wrap(grown.address(), bytes);
    }

    private boolean hungUp() {
        final int revents = PosixPipes.poll(fd, PosixPipes.POLLIN, 0);
        return revents > 0 && (revents & PosixPipes.POLLHUP) != 0;
    }

    private PeerGoneException peerGone() {
        final int partial = tail - head;
        String discarded = "";
        if (partial > 0) {
            discarded = "; the last frame was cut short and its " + partial + " bytes were discarded ("
                + (partial >= FrameDescriptor.HEADER_LENGTH
                ? "its header announced a " + view.getInt(head, FrameDescriptor.BYTE_ORDER) + "-byte payload"
                : "not even its " + FrameDescriptor.HEADER_LENGTH + "-byte header arrived")
                + "): a sender died or closed in the middle of writing it";
            head = 0;
            tail = 0;
        }
        return new PeerGoneException("the sender of " + name + " ('" + uri + "') is gone: end of file, so every "
            + "process that had it open for writing has closed it or died; every whole message was delivered"
            + discarded);
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
        if (closed || gone != null) {
            return false;
        }
        return !hungUp();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            PosixFiles.close(fd);
        } finally {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "receiver " + uri;
    }
}
